"""The ``sklearn-warmstart`` command line."""

import os
import subprocess
import sys
from pathlib import Path

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


TINY = [
    "study",
    "--scenario",
    "sea_abrupt",
    "--seeds",
    "2",
    "--runs",
    "3",
    "--folds",
    "2",
    "--n-samples",
    "450",
    "--quiet",
]


def _verdicts(out: str) -> str:
    """The verdict table the command printed."""
    return out.split("Verdicts vs baseline")[1].split("Summary")[0]


def _verdict_rows(out: str) -> dict[str, list[str]]:
    """Policy -> cells of the printed verdict table."""
    lines = [line.split() for line in _verdicts(out).splitlines()[1:]]
    header = ("policy", "score")
    return {cells[0]: cells for cells in lines if cells and cells[0] not in header}


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
    assert "Summary" in captured.out
    rows = _verdict_rows(captured.out)
    assert rows["cold"][1] == "baseline"
    assert rows["warm"][1] != "baseline"
    assert "2 policies x 2 seeds x 3 folds = 12 fits of 3 runs each" in captured.out
    assert "12/12" in captured.err
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
        (["--model", "forest", "--policies", "cold,shrink_perturb"], "shrink_perturb"),
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


def test_cli_study_baseline_and_sliding_window(tmp_path, capsys):
    """--baseline picks the reference policy; --window sliding reaches the schedule."""
    out_path = tmp_path / "report.md"
    args = [*TINY, "--model", "logreg", "--policies", "cold,warm"]
    never = tmp_path / "never.html"
    options = ["--baseline", "warm", "--window", "sliding", "--out", str(never)]
    assert main([*args, *options]) == 0
    out = capsys.readouterr().out
    assert "baseline warm" in out
    rows = _verdict_rows(out)
    assert rows["warm"][1:3] == ["baseline", "NaN"]
    assert rows["cold"][1] != "baseline"
    assert main([*args, "--window", "sliding", "--out", str(out_path)]) == 0
    assert "retrain(3, sliding)" in out_path.read_text(encoding="utf-8")


def test_cli_study_two_jobs_print_the_same_verdicts(tmp_path, capsys):
    """--n-jobs 2 gives the same verdicts as one job (epochs are deterministic)."""
    args = [*TINY, "--model", "sgd", "--policies", "cold,warm"]
    assert main([*args, "--out", str(tmp_path / "one.html")]) == 0
    one = capsys.readouterr().out
    assert main([*args, "--n-jobs", "2", "--out", str(tmp_path / "two.html")]) == 0
    two = capsys.readouterr().out
    assert "epochs" in (tmp_path / "two.html").read_text(encoding="utf-8")
    assert _verdicts(one) == _verdicts(two)


def test_cli_study_forest_grows_trees(tmp_path, capsys):
    """The forest model runs cold and warm (grow more trees) end to end."""
    args = [*TINY, "--model", "forest", "--policies", "cold,warm"]
    assert main([*args, "--out", str(tmp_path / "forest.html")]) == 0
    out = capsys.readouterr().out
    assert "RandomForestClassifier" in (tmp_path / "forest.html").read_text(
        encoding="utf-8"
    )
    assert "warm" in _verdicts(out)


def test_cli_default_policies_skip_what_the_model_cannot_run(tmp_path, capsys):
    """With the default policies, forest skips shrink-perturb with one line, runs."""
    out_path = tmp_path / "forest.html"
    assert main([*TINY, "--model", "forest", "--out", str(out_path)]) == 0
    captured = capsys.readouterr()
    skipped = [line for line in captured.err.splitlines() if "skipping" in line]
    assert skipped == [
        "sklearn-warmstart: skipping default policy 'shrink_perturb': "
        "RandomForestClassifier (EnsembleAdapter) cannot use start "
        "'shrink_perturb(0.4, 0.1)' in fit; supported starts: cold, partial_reset, "
        "refresh, warm."
    ]
    assert set(_verdict_rows(captured.out)) == {"cold", "warm", "drift_reset"}
    assert out_path.exists()


def test_cli_out_directory_writes_the_report_inside(tmp_path, capsys):
    """--out naming a folder writes warmstart-report.html in it."""
    args = [*TINY, "--model", "sgd", "--policies", "cold,warm"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    written = tmp_path / "warmstart-report.html"
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Report: {written}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, message",
    [
        ("report.txt", "Cannot tell the report format from"),
        ("report", "use a name ending in .html, .htm, .md, .markdown"),
        ("missing/report.html", "does not exist"),
        ("a-file/report.html", "does not exist"),
    ],
)
def test_cli_bad_out_exits_2_before_training(tmp_path, capsys, name, message):
    """An unknown suffix or a missing report folder exits 2 before any training."""
    (tmp_path / "a-file").write_text("not a folder")
    args = [*TINY, "--model", "sgd", "--policies", "cold,warm"]
    assert main([*args, "--out", str(tmp_path / name)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("sklearn-warmstart: error: --out:")
    assert "Study:" not in captured.out  # printed when training starts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_cli_unwritable_out_folder_exits_2_before_training(
    tmp_path, capsys, monkeypatch
):
    """A report folder the user cannot write to exits 2 before any training."""
    locked = tmp_path / "locked"
    locked.mkdir()
    access = os.access  # root may write anywhere: deny this one folder instead

    def no_write(path, mode, *args, **kwargs):
        if Path(path) == locked and mode & os.W_OK:
            return False
        return access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", no_write)
    args = [*TINY, "--model", "sgd", "--policies", "cold,warm"]
    assert main([*args, "--out", str(locked / "r.html")]) == 2
    captured = capsys.readouterr()
    assert "is not writable" in captured.err and "Study:" not in captured.out


def test_cli_terminal_output_fits_100_columns(tmp_path, capsys):
    """Every line the command prints (tables included) fits 100 columns."""
    args = [*TINY, "--model", "sgd", "--seeds", "1", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "speedup" in out and "forgetting" in out
    lines = [line for line in out.splitlines() if not line.startswith("Report: ")]
    assert max(map(len, lines)) <= 100  # the report's path is the user's own


def test_cli_too_few_pairs_names_an_option_that_exists(tmp_path, capsys):
    """The too-few-pairs warning names --test ttest, which gives verdicts."""
    args = [*TINY, "--model", "sgd", "--policies", "cold,warm", "--seeds", "1"]
    report = tmp_path / "few.md"
    assert main([*args, "--out", str(report)]) == 0
    captured = capsys.readouterr()
    assert "--test ttest on the command line" in captured.err
    assert "1 seeds x 2 folds give 2 pairs" in report.read_text(encoding="utf-8")
    assert main([*args, "--seeds", "3", "--test", "ttest", "--out", str(report)]) == 0
    captured = capsys.readouterr()
    assert "too few" not in captured.err
    assert "ttest" in report.read_text(encoding="utf-8")
    assert "Warning" not in report.read_text(encoding="utf-8")
