"""Plots and the HTML/Markdown report."""

import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.report import KINDS, plot_study, verdict_table, write_report
from sklearn_warmstart.study import compare_policies

# SGD reports no loss curve, so its panel is left out.
PANELS = [kind for kind in KINDS if kind != "loss"]


@pytest.fixture(scope="module")
def result():
    data = load_scenario("sea_abrupt", n_samples=600, seed=0)
    return compare_policies(
        make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss")),
        data.X,
        data.y,
        ["cold", "warm", "shrink_perturb"],
        schedule=3,
        seeds=2,
        cv=2,
        drift_positions=data.drift_positions,
        perturbation=[0.0, 0.3],
        perturbation_draws=2,
        test="ttest",
    )


def test_report_html_is_self_contained(result, tmp_path):
    """One HTML file: figures embedded as base64, no scripts, links or URLs."""
    path = result.report(tmp_path / "study.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    sources = re.findall(r'<img[^>]*src="([^"]*)"', text)
    assert len(sources) == len(PANELS)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    for forbidden in ("http://", "https://", "<script", "<link", "@import"):
        assert forbidden not in text
    assert text.index("Verdicts") < text.index("Summary") < text.index("Figures")
    assert list(tmp_path.iterdir()) == [path]


def test_report_markdown_writes_figures_next_to_it(result, tmp_path):
    """Markdown: verdict table first, figures as PNG files referenced relatively."""
    path = result.report(tmp_path / "study.md")
    text = path.read_text(encoding="utf-8")
    assert text.index("## Verdicts") < text.index("## Summary")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == len(PANELS)
    for link in links:
        assert (tmp_path / link).read_bytes().startswith(b"\x89PNG")
    assert "| warm |" in text


def test_write_report_rejects_unknown_format(result, tmp_path):
    """Only html and markdown are written."""
    with pytest.raises(ValueError, match="format"):
        write_report(result, tmp_path / "x.pdf", format="pdf")


def test_plot_study_draws_requested_panels(result):
    """plot() draws every panel with data, or the kinds asked for."""
    figure = result.plot()
    assert len([ax for ax in figure.axes if ax.get_visible()]) == len(PANELS)
    figure = plot_study(result, ["score", "spread"])
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles[0].startswith("Prequential score") and len(titles) == 2
    score_axis = figure.axes[0]
    drift_lines = [
        line for line in score_axis.get_lines() if line.get_label() == "known drift"
    ]
    assert len(drift_lines) == 1
    with pytest.raises(ValueError, match="Unknown plot kind"):
        result.plot("histogram")


def test_plot_study_perturbation_needs_data(result):
    """Asking for a perturbation panel without its measurements says how to get it."""
    data = load_scenario("sea_stationary", n_samples=300)
    without = compare_policies(
        make_pipeline(StandardScaler(), SGDClassifier()),
        data.X,
        data.y,
        ["cold", "warm"],
        schedule=2,
        seeds=1,
        cv=1,
        test="ttest",
    )
    with pytest.raises(ValueError, match="perturbation="):
        without.plot("perturbation")


def test_verdict_table_lists_both_aspects(result):
    """The compact verdict table has one row per policy, score and compute."""
    table = verdict_table(result)
    assert list(table.index) == ["cold", "warm", "shrink_perturb"]
    assert table.loc["cold", "score"] == "baseline"
    assert {"score", "compute", "score_diff", "compute_ratio"} <= set(table.columns)
    verdicts = result.verdicts.set_index(["policy", "aspect"])
    for name in ("warm", "shrink_perturb"):
        score, compute = verdicts.loc[(name, "score")], verdicts.loc[(name, "compute")]
        assert table.loc[name, "score"] == score["verdict"]
        assert table.loc[name, "score_diff"] == score["effect"]
        assert table.loc[name, "score_p"] == score["p_value"]
        assert table.loc[name, "compute"] == compute["verdict"]
        assert table.loc[name, "compute_ratio"] == compute["effect"]


def test_report_shows_lag_and_recovery(result, tmp_path):
    """The Markdown summary prints each policy's recovery and forgetting."""
    text = result.report(tmp_path / "study.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "| recovered |" in line)
    cells = [c.strip() for c in lines[at].strip("|").split("|")]
    warm = next(line for line in lines[at:] if line.startswith("| warm |"))
    values = dict(zip(cells, (c.strip() for c in warm.strip("|").split("|"))))
    summary = result.summary.loc["warm"]
    assert float(values["recovered"]) == pytest.approx(summary["recovered"], abs=1e-4)
    assert float(values["forgetting"]) == pytest.approx(summary["forgetting"], abs=1e-4)


def test_import_does_not_load_matplotlib():
    """Importing the package (and the study module) does not import matplotlib."""
    code = (
        "import sys, sklearn_warmstart, sklearn_warmstart.study, sklearn_warmstart.cli;"
        "sklearn_warmstart.compare_policies;"
        "bad = [m for m in ('matplotlib', 'torch', 'skorch') if m in sys.modules];"
        "sys.exit(str(bad) if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="."
    )
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.fixture
def no_matplotlib(monkeypatch):
    """matplotlib made unimportable, as on a core install without the plot extra."""
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)


@pytest.mark.parametrize("name", ["study.html", "study.md"])
def test_report_without_matplotlib_names_the_extra(
    result, tmp_path, name, no_matplotlib
):
    """Without matplotlib the report is written, without figures, naming the extra."""
    path = result.report(tmp_path / name)
    text = path.read_text(encoding="utf-8")
    assert "Verdicts" in text and "Summary" in text
    assert "No figures: Plots need matplotlib" in text
    assert "sklearn-warmstart[plot]" in text
    assert "<img" not in text and "](" not in text
    assert list(tmp_path.iterdir()) == [path]


def test_plot_without_matplotlib_names_the_extra(result, no_matplotlib):
    """plot() without matplotlib raises an ImportError that names the extra."""
    with pytest.raises(ImportError, match=r"sklearn-warmstart\[plot\]"):
        result.plot()


def test_report_suffix_picks_the_format(result, tmp_path):
    """.htm is HTML, .markdown is Markdown; an unknown suffix is refused."""
    assert result.report(tmp_path / "a.htm").read_text().startswith("<!DOCTYPE")
    assert result.report(tmp_path / "a.markdown").read_text().startswith("# ")
    with pytest.raises(ValueError, match=r"'.*x\.txt'.*\.html, \.htm, \.md"):
        result.report(tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()
    assert result.report(tmp_path / "x.txt", format="markdown").exists()


def test_report_html_summary_scrolls_inside_its_box(result, tmp_path):
    """Every HTML table sits in a box that scrolls sideways, not the page."""
    text = result.report(tmp_path / "study.html").read_text(encoding="utf-8")
    assert ".scroll { overflow-x: auto;" in text
    summary = text[text.index("<h2>Summary</h2>") :]
    assert summary.split("\n", 2)[1].startswith('<div class="scroll"><table>')
    assert text.count("<table>") == text.count('<div class="scroll"><table>')


def test_report_states_the_compute_unit_and_speedup(result, tmp_path):
    """The report says which unit compute and speedup are counted in."""
    text = result.report(tmp_path / "study.md").read_text(encoding="utf-8")
    assert "Compute unit: n_iter" in text
    assert "`speedup` is baseline / policy in that unit" in text


def test_plot_legends_name_only_drawn_distinct_lines(result):
    """Each legend entry is a drawn line with its own style; legends are legible."""
    figure = plot_study(result, ["score", "distance", "fit_time"])
    for ax in [ax for ax in figure.axes if ax.get_visible()]:
        legend = ax.get_legend()
        labels = set(text.get_text() for text in legend.get_texts()) - {"known drift"}
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert labels <= set(lines)
        assert all(np.isfinite(lines[n].get_ydata()).any() for n in labels)
        styles = {(lines[n].get_marker(), lines[n].get_linestyle()) for n in labels}
        assert len(styles) == len(labels)
        assert min(text.get_fontsize() for text in legend.get_texts()) >= 8
        missing = set(result.policies) - labels
        if missing:  # cold runs have no distance travelled from a previous model
            assert legend.get_title().get_text() == "no values: " + ", ".join(
                sorted(missing)
            )
    distance = figure.axes[1]
    assert distance.get_legend().get_title().get_text() == "no values: cold"


def test_plot_prequential_panel_says_which_fold(result):
    """The prequential panel's title names the fold it shows."""
    (ax,) = plot_study(result, "score").axes
    n_folds = result.table["fold"].nunique()
    assert f"fold {n_folds - 1} of {n_folds}" in ax.get_title()
