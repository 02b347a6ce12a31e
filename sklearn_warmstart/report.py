"""Plots and the HTML/Markdown report of a policy study.

matplotlib is imported only when a figure is drawn, and only through
:class:`matplotlib.figure.Figure` (rendered by the Agg canvas), so no GUI
backend is selected and :mod:`matplotlib.pyplot`'s global state is untouched.
matplotlib is optional (the ``plot`` extra): without it the report is written
without figures and says how to add them; :func:`plot_study` raises an error
naming the extra.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._optional import PLOT_EXTRA, missing_extra

if TYPE_CHECKING:
    import pandas as pd

    from .study.result import StudyResult

__all__ = [
    "KINDS",
    "SUFFIXES",
    "plot_study",
    "report_format",
    "summary_table",
    "verdict_table",
    "write_report",
]

#: The panels :func:`plot_study` can draw, in report order.
KINDS = ("score", "spread", "loss", "fit_time", "distance", "perturbation")

_TITLES = {
    "score": "Prequential score per run (before training on the run's new rows)",
    "spread": "Final test score across seeds and folds",
    "loss": "Training loss per epoch (first seed, last fold; runs concatenated)",
    "fit_time": "Fit time per run (mean over seeds and folds)",
    "distance": "Distance travelled per run, ||θ_end − θ_start|| (mean)",
    "perturbation": "Score drop as the final parameters are perturbed",
}

# --------------------------------------------------------------------------- tables


def verdict_table(result: StudyResult) -> pd.DataFrame:
    """One row per policy: score and compute verdicts with their effect and p-value.

    Parameters
    ----------
    result : StudyResult
        A study.

    Returns
    -------
    table : DataFrame
        Columns ``score``, ``score_diff``, ``score_p``, ``compute``,
        ``compute_ratio``, ``compute_p``, indexed by policy.
    """
    import pandas as pd

    rows = []
    for name in result.policies:
        mine = result.verdicts[result.verdicts["policy"] == name].set_index("aspect")
        rows.append(
            {
                "policy": name,
                "score": mine.loc["score", "verdict"],
                "score_diff": mine.loc["score", "effect"],
                "score_p": mine.loc["score", "p_value"],
                "compute": mine.loc["compute", "verdict"],
                "compute_ratio": mine.loc["compute", "effect"],
                "compute_p": mine.loc["compute", "p_value"],
            }
        )
    return pd.DataFrame(rows).set_index("policy")


_SUMMARY_COLUMNS = (
    "score_mean",
    "score_std",
    "prequential_mean",
    "fit_time_total",
    "epochs_total",
    "speedup",
    "fit_time_speedup",
    "variance_ratio",
    "disagreement",
    "lag_runs",
    "recovered",
    "forgetting",
    "perturbation_drop",
)


def summary_table(result: StudyResult) -> pd.DataFrame:
    """The summary columns worth printing (those with any value), rounded.

    Parameters
    ----------
    result : StudyResult
        A study.

    Returns
    -------
    table : DataFrame
        Indexed by policy.
    """
    columns = [c for c in _SUMMARY_COLUMNS if c in result.summary]
    table = result.summary[columns]
    table = table.loc[:, table.notna().any(axis=0)]
    return table.round(4)


# --------------------------------------------------------------------------- plots


def _figure_class() -> Any:
    """matplotlib's Figure, or an error naming the extra that installs it."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise missing_extra("Plots", "matplotlib", PLOT_EXTRA, exc) from exc
    return Figure


def _policy_colours(names: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {name: cmap(i % 10) for i, name in enumerate(names)}


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")


def _line_style(names: Sequence[str], name: str) -> dict[str, Any]:
    """Marker and dash per policy, so lines that coincide stay visible."""
    i = list(names).index(name)
    return {
        "marker": _MARKERS[i % len(_MARKERS)],
        "linestyle": _LINESTYLES[i % len(_LINESTYLES)],
        "markerfacecolor": "none",
    }


def _available(result: StudyResult, kind: str) -> bool:
    if kind == "perturbation":
        return result.perturbation is not None
    if kind == "loss":
        return bool(result.table["loss_curve"].map(len).sum())
    if kind == "distance":
        return bool(np.isfinite(result.table["distance_from_start"]).any())
    if kind == "score":
        return bool(np.isfinite(result.table["prequential_score"]).any())
    return True


def _draw(kind: str, result: StudyResult, ax: Any) -> None:
    table = result.table
    names = result.policies
    colours = _policy_colours(names)
    title = _TITLES[kind]
    undrawn = []
    if kind == "score":
        last = table["fold"].max()
        part = table[table["fold"] == last]
        for name in names:
            mine = part[part["policy"] == name]
            grouped = mine.groupby("run")
            x = grouped[["new_start", "new_stop"]].first().mean(axis=1)
            mean = grouped["prequential_score"].mean()
            low = grouped["prequential_score"].min()
            high = grouped["prequential_score"].max()
            ax.plot(
                x, mean, color=colours[name], label=name, **_line_style(names, name)
            )
            ax.fill_between(x, low, high, color=colours[name], alpha=0.15)
        for i, position in enumerate(result.drift_positions):
            ax.axvline(
                position,
                color="black",
                linestyle="--",
                linewidth=1,
                label="known drift" if i == 0 else None,
            )
        ax.set_xlabel("row (middle of the run's new rows)")
        ax.set_ylabel("prequential score")
        title = (
            f"{_TITLES[kind]}\nlast fold only (fold {last} of {table['fold'].nunique()}: "
            "the longest sequence); line = mean over seeds, band = min to max"
        )
    elif kind == "spread":
        folds = result.folds
        for i, name in enumerate(names):
            values = folds.loc[folds["policy"] == name, "score"].to_numpy()
            offsets = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else [0]
            ax.scatter(i + np.asarray(offsets), values, color=colours[name], s=18)
            ax.hlines(
                np.mean(values), i - 0.3, i + 0.3, color=colours[name], linewidth=2
            )
        ax.set_xticks(range(len(names)), names, rotation=20)
        ax.set_ylabel("final test score")
    elif kind == "loss":
        seed, fold = table["seed"].iloc[0], table["fold"].max()
        part = table[(table["seed"] == seed) & (table["fold"] == fold)]
        for name in names:
            curves = part.loc[part["policy"] == name].sort_values("run")["loss_curve"]
            loss = [v for curve in curves for v in curve]
            ax.plot(range(1, len(loss) + 1), loss, color=colours[name], label=name)
        ax.set_xlabel("epoch (cumulative over the runs)")
        ax.set_ylabel("training loss")
        if (table["loss_curve"].map(lambda c: min(c) if len(c) else 1.0) > 0).all():
            ax.set_yscale("log")
    elif kind in ("fit_time", "distance"):
        column = "fit_time" if kind == "fit_time" else "distance_from_start"
        for name in names:
            mean = table[table["policy"] == name].groupby("run")[column].mean()
            if not np.isfinite(mean.to_numpy(dtype=float)).any():
                undrawn.append(name)  # e.g. cold runs: no previous parameters
                continue
            ax.plot(
                mean.index,
                mean.to_numpy(),
                color=colours[name],
                label=name,
                **_line_style(names, name),
            )
        ax.set_xlabel("run")
        ax.set_ylabel("seconds" if kind == "fit_time" else "||θ_end − θ_start||")
    elif kind == "perturbation":
        data = result.perturbation
        for name in names:
            mine = data[data["policy"] == name].groupby("noise")["drop"]
            mean, std = mine.mean(), mine.std(ddof=0)
            ax.errorbar(
                mean.index,
                mean.to_numpy(),
                yerr=std.to_numpy(),
                marker="o",
                capsize=3,
                color=colours[name],
                label=name,
            )
        ax.set_xlabel("relative noise σ")
        ax.set_ylabel("score drop")
    else:
        raise ValueError(f"Unknown plot kind {kind!r}; choose from {', '.join(KINDS)}.")
    ax.set_title(title if kind == "score" else _TITLES[kind], fontsize=9)
    ax.grid(alpha=0.3)
    if kind != "spread" and ax.get_legend_handles_labels()[0]:
        ax.legend(
            fontsize=8,
            title=f"no values: {', '.join(undrawn)}" if undrawn else None,
            title_fontsize=8,
            framealpha=0.9,
            loc="best",
        )


def _check_kinds(result: StudyResult, kinds: Sequence[str] | str | None) -> list[str]:
    if kinds is None:
        return [k for k in KINDS if _available(result, k)]
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(
                f"Unknown plot kind {kind!r}; choose from {', '.join(KINDS)}."
            )
        if kind == "perturbation" and result.perturbation is None:
            raise ValueError(
                "This study measured no perturbation sensitivity; pass "
                "perturbation=[...] to compare_policies."
            )
    return kinds


def plot_study(result: StudyResult, kinds: Sequence[str] | str | None = None):
    """Draw the study's panels in one figure.

    Parameters
    ----------
    result : StudyResult
        A study from :func:`~sklearn_warmstart.study.compare_policies`.
    kinds : str or list of str, default=None
        Panels among :data:`KINDS`; ``None`` draws every panel with data.

    Returns
    -------
    figure : matplotlib.figure.Figure
        A figure not registered with :mod:`matplotlib.pyplot`.
    """
    Figure = _figure_class()
    kinds = _check_kinds(result, kinds)
    n_cols = min(len(kinds), 2)
    n_rows = -(-len(kinds) // n_cols)
    figure = Figure(figsize=(6.5 * n_cols, 4.0 * n_rows), layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False).ravel()
    for kind, ax in zip(kinds, axes):
        _draw(kind, result, ax)
    for ax in axes[len(kinds) :]:
        ax.set_visible(False)
    return figure


def _png(result: StudyResult, kind: str) -> bytes:
    Figure = _figure_class()
    figure = Figure(figsize=(7.0, 4.6), layout="constrained")
    _draw(kind, result, figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


# --------------------------------------------------------------------------- report

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif;
       margin: 2em auto; max-width: 1100px; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: right; }
th { background: #f6f8fa; }
td.beneficial { color: #1a7f37; font-weight: 600; }
td.neutral { color: #57606a; }
td.detrimental { color: #cf222e; font-weight: 600; }
td.baseline { color: #57606a; font-style: italic; }
.scroll { overflow-x: auto; max-width: 100%; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5em 1em; }
img { max-width: 100%; border: 1px solid #d0d7de; margin: 0.5em 0; }
code, pre { background: #f6f8fa; padding: 0.1em 0.3em; }
.note { color: #57606a; font-size: 0.9em; }
"""


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "–"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.3g}"
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


# Hand-written tables (issue 9): DataFrame.to_html needs jinja2 for the verdict
# classes (Styler) and to_markdown needs tabulate, neither a core dependency.
def _html_table(table: pd.DataFrame, verdict_columns: Sequence[str] = ()) -> str:
    head = "".join(
        f"<th>{html.escape(str(c))}</th>" for c in [table.index.name or "", *table]
    )
    body = []
    for index, row in table.iterrows():
        cells = [f"<th>{html.escape(str(index))}</th>"]
        for column, value in row.items():
            css = f' class="{value}"' if column in verdict_columns else ""
            cells.append(f"<td{css}>{html.escape(_fmt(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    rows = "".join(body)
    return f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>'


def _md_table(table: pd.DataFrame) -> str:
    header = [table.index.name or "", *map(str, table.columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for index, row in table.iterrows():
        cells = [str(index), *(_fmt(v) for v in row.to_numpy())]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _reading_notes(result: StudyResult) -> list[str]:
    config = result.config
    compute = config.get("compute", "epochs")
    unit = (
        "fit time in seconds"
        if compute == "fit_time"
        else "n_iter, the iterations the model reports (epochs for MLPs and SGD, "
        "solver iterations for linear models, the ensemble's size after each run "
        "for ensembles)"
    )
    return [
        f"Baseline: <b>{result.baseline}</b>. Paired {config.get('test', 'wilcoxon')} "
        f"test over seeds × folds, α = {config.get('alpha')}.",
        f"Score: beneficial / detrimental when p < α and the mean difference of the "
        f"final test score exceeds ±{config.get('score_tol')}; neutral otherwise.",
        f"Compute ({compute} per sequence): beneficial when p < α and the geometric-"
        f"mean ratio to the baseline is below 1 − {config.get('compute_tol')}; "
        f"detrimental above 1 + {config.get('compute_tol')}.",
        f"Compute unit: {unit}, summed over a sequence. <code>speedup</code> is "
        "baseline / policy in that unit (geometric mean over seeds × folds, the "
        "verdict's own measure); <code>fit_time_speedup</code> is the same in "
        "seconds.",
        "Prequential score: each run's previous model scored on the run's new rows "
        "before it trains (the score a deployed model would have had).",
    ]


def _config_rows(result: StudyResult) -> list[tuple[str, str]]:
    keys = ("estimator", "schedule", "cv", "n_folds", "seeds", "scoring", "n_samples")
    rows = [(k, str(result.config[k])) for k in keys if k in result.config]
    rows.append(
        (
            "policies",
            "; ".join(
                f"{name}: {desc}"
                for name, desc in result.summary["description"].items()
            ),
        )
    )
    if result.drift_positions:
        rows.append(("drift positions", ", ".join(map(str, result.drift_positions))))
    return rows


def _figures(result: StudyResult) -> tuple[dict[str, bytes], str | None]:
    """PNG bytes of every panel with data, or none and why (no matplotlib)."""
    try:
        _figure_class()
    except ImportError as error:
        return {}, f"No figures: {error}"
    return {kind: _png(result, kind) for kind in _check_kinds(result, None)}, None


def _warnings(result: StudyResult) -> list[str]:
    return list(result.config.get("warnings", ()))


def _html(result: StudyResult, title: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *(
            f'<p class="warning">Warning: {html.escape(text)}</p>'
            for text in _warnings(result)
        ),
        "<h2>Verdicts</h2>",
        _html_table(verdict_table(result), ("score", "compute")),
        "<ul class='note'>",
        *(f"<li>{note}</li>" for note in _reading_notes(result)),
        "</ul>",
        "<h2>Summary</h2>",
        _html_table(summary_table(result)),
        "<h2>Figures</h2>",
    ]
    figures, missing = _figures(result)
    if missing:
        parts.append(f'<p class="note">{html.escape(missing)}</p>')
    for kind, png in figures.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<img alt="{html.escape(_TITLES[kind])}" src="data:image/png;base64,{data}">'
        )
    parts.append('<h2>Configuration</h2><div class="scroll"><table>')
    parts += [
        f"<tr><th>{html.escape(k)}</th><td style='text-align:left'>"
        f"<code>{html.escape(v)}</code></td></tr>"
        for k, v in _config_rows(result)
    ]
    parts.append("</table></div>")
    full = result.verdicts.set_index(["policy", "aspect"])
    full.index = [f"{p} / {a}" for p, a in full.index]
    full.index.name = "policy / aspect"
    parts += ["<h2>Paired tests</h2>", _html_table(full, ("verdict",))]
    parts.append("</body></html>")
    return "\n".join(parts)


def _markdown(
    result: StudyResult, title: str, figures: dict[str, str], missing: str | None
) -> str:
    notes = [
        n.replace("<b>", "**").replace("</b>", "**").replace("<code>", "`")
        for n in _reading_notes(result)
    ]
    notes = [n.replace("</code>", "`") for n in notes]
    full = result.verdicts.set_index(["policy", "aspect"])
    full.index = [f"{p} / {a}" for p, a in full.index]
    full.index.name = "policy / aspect"
    lines = [
        f"# {title}",
        "",
        *(f"> **Warning:** {text}\n" for text in _warnings(result)),
        "## Verdicts",
        "",
        _md_table(verdict_table(result)),
        "",
        *(f"- {n}" for n in notes),
        "",
        "## Summary",
        "",
        _md_table(summary_table(result)),
        "",
        "## Figures",
        "",
        *([f"{missing}\n"] if missing else []),
        *(f"![{_TITLES[k]}]({figures[k]})\n" for k in figures),
        "## Configuration",
        "",
        *(f"- **{k}**: `{v}`" for k, v in _config_rows(result)),
        "",
        "## Paired tests",
        "",
        _md_table(full),
        "",
    ]
    return "\n".join(lines)


def write_report(
    result: StudyResult,
    path: Any,
    *,
    format: str | None = None,
    title: str = "Warm-start policy study",
) -> Path:
    """Write a study's report: verdicts first, then summary, figures, settings.

    Parameters
    ----------
    result : StudyResult
        A study.
    path : str or path-like
        Output file. The parent folder is created if needed.
    format : {"html", "markdown"}, default=None
        ``None`` picks the format from the suffix: ``.html``/``.htm`` for HTML,
        ``.md``/``.markdown`` for Markdown; any other suffix is refused.
        HTML is one self-contained file (figures embedded as base64 PNG, no
        scripts, no network); Markdown writes its figures as PNG files into
        ``<name>_figures/`` next to it.
    title : str, default="Warm-start policy study"
        Heading of the report.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    path = Path(path)
    if format is None:
        format = report_format(path)
    if format not in ("html", "markdown"):
        raise ValueError(f"format must be 'html' or 'markdown', got {format!r}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "html":
        path.write_text(_html(result, title), encoding="utf-8")
        return path
    pngs, missing = _figures(result)
    figures = {}
    if pngs:
        folder = path.with_name(f"{path.stem}_figures")
        folder.mkdir(exist_ok=True)
        for kind, png in pngs.items():
            (folder / f"{kind}.png").write_bytes(png)
            figures[kind] = f"{folder.name}/{kind}.png"
    path.write_text(_markdown(result, title, figures, missing), encoding="utf-8")
    return path


#: Report formats by file suffix.
SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def report_format(path: Any) -> str:
    """The report format a file name asks for: ``"html"`` or ``"markdown"``.

    Parameters
    ----------
    path : str or path-like
        The report's file name.

    Returns
    -------
    format : str
        ``"html"`` for ``.html``/``.htm``, ``"markdown"`` for ``.md``/``.markdown``.

    Raises
    ------
    ValueError
        For any other suffix.

    Examples
    --------
    >>> from sklearn_warmstart.report import report_format
    >>> report_format("study.md"), report_format("study.HTML")
    ('markdown', 'html')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"Cannot tell the report format from {str(path)!r}: use a name ending in "
            f"{', '.join(SUFFIXES)}."
        )
    return SUFFIXES[suffix]
