"""The ``sklearn-warmstart`` command line."""

import subprocess
import sys

import pytest

from sklearn_warmstart.cli import main

SMALL = [
    "study",
    "--scenario",
    "sea_stationary",
    "--model",
    "sgd",
    "--policies",
    "cold,warm",
    "--seeds",
    "2",
    "--runs",
    "3",
    "--folds",
    "3",
    "--n-samples",
    "600",
]


def test_cli_list_shows_scenarios_models_and_policies(capsys):
    """--list prints what can be chosen and exits 0."""
    assert main(["study", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("sea_abrupt", "friedman", "mlp", "forest", "shrink_perturb"):
        assert name in out


def test_cli_study_prints_verdicts_and_writes_report(tmp_path, capsys):
    """A small study prints the tables, shows progress on stderr, writes the report."""
    out_path = tmp_path / "report.html"
    assert main([*SMALL, "--out", str(out_path)]) == 0
    captured = capsys.readouterr()
    assert "Verdicts vs baseline" in captured.out
    assert "Summary" in captured.out and "warm" in captured.out
    assert "fits" in captured.err
    assert out_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_study_writes_markdown(tmp_path):
    """A .md output path gives a Markdown report."""
    out_path = tmp_path / "report.md"
    assert main([*SMALL, "--quiet", "--out", str(out_path)]) == 0
    assert out_path.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scenario", "moon"], "unknown scenario 'moon'"),
        (["--model", "svm"], "unknown model 'svm'"),
        (["--policies", "cold,tepid"], "Unknown policy 'tepid'"),
        (["--policies", "cold"], "at least two policies"),
        (["--policies", "warm,shrink_perturb"], "baseline='cold'"),
        (["--seeds", "0"], "--seeds"),
        (["--runs", "many"], "--runs"),
        (["--n-jobs", "0"], "n-jobs"),
        (["--runs", "5000", "--n-samples", "600"], "5000 runs"),
        (["--model", "logreg", "--scenario", "friedman"], "regression"),
        (["--model", "forest"], "shrink_perturb"),
        (["--window", "tumbling"], "--window"),
    ],
)
def test_cli_invalid_options_exit_2(args, message, capsys, tmp_path):
    """Invalid options give a clear message and exit status 2, before training."""
    out_path = tmp_path / "never.html"
    assert main(["study", *args, "--out", str(out_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("sklearn-warmstart: error:")
    assert not out_path.exists()


def test_cli_without_command_exits_2(capsys):
    """No subcommand prints the help and exits 2."""
    assert main([]) == 2
    assert "study" in capsys.readouterr().out


def test_cli_module_entry_point():
    """python -m sklearn_warmstart runs the same command with the same exit codes."""
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_warmstart", "study", "--scenario", "moon"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown scenario 'moon'" in done.stderr
