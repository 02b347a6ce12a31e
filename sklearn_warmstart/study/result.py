"""The result of a study: its tables, plots and report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TIMING_COLUMNS", "StudyResult"]

TIMING_COLUMNS = ("fit_time", "peak_memory")


@dataclass
class StudyResult:
    """Everything :func:`compare_policies` measured.

    Attributes
    ----------
    table : DataFrame
        One row per (policy, seed, fold, run) with every
        :class:`~sklearn_warmstart.records.RunRecord` field, plus ``policy``,
        ``seed`` (the study seed, the meta-estimator's ``random_state``; the
        record's own run seed is ``run_seed``), ``fold``, ``new_start`` /
        ``new_stop`` (global row range of the run's new rows).
    folds : DataFrame
        One row per (policy, seed, fold): the final model's test ``score``,
        ``fit_time`` and ``epochs`` summed over the runs, ``prequential`` (mean
        prequential score over runs after the first), ``forgetting``,
        adaptation lag (``lag_runs``, ``lag_rows``, ``recovered``).
    summary : DataFrame
        One row per policy; see :func:`compare_policies`.
    verdicts : DataFrame
        One row per (policy, aspect) with aspect ``"score"`` or ``"compute"``:
        the paired test against the baseline and the verdict.
    perturbation : DataFrame or None
        One row per (policy, seed, fold, noise, draw) when perturbation
        sensitivity was requested.
    baseline : str
        Name of the baseline policy.
    drift_positions : tuple of int
        Known drift rows.
    config : dict
        How the study was run (descriptions of estimator, schedule, cv, ...).
    """

    table: pd.DataFrame
    folds: pd.DataFrame
    summary: pd.DataFrame
    verdicts: pd.DataFrame
    perturbation: pd.DataFrame | None
    baseline: str
    drift_positions: tuple[int, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def policies(self) -> list[str]:
        """Policy names in the order given."""
        return list(self.summary.index)

    def plot(self, kinds: Sequence[str] | str | None = None):
        """Plot the study (matplotlib, Agg backend); returns one Figure.

        Parameters
        ----------
        kinds : str or list of str, default=None
            Panels among ``"loss"``, ``"score"``, ``"fit_time"``,
            ``"distance"``, ``"spread"``, ``"perturbation"``; ``None`` draws all
            that have data.

        Returns
        -------
        figure : matplotlib.figure.Figure

        Raises
        ------
        ImportError
            Without matplotlib; the message names the ``plot`` extra.
        """
        from ..report import plot_study

        return plot_study(self, kinds)

    def report(self, path: Any, format: str | None = None) -> Any:
        """Write the report: one self-contained HTML file, or Markdown.

        Parameters
        ----------
        path : str or path-like
            Output file: ``.html``/``.htm`` writes one HTML file with the
            figures embedded, ``.md``/``.markdown`` Markdown with the figures
            as PNG files next to it; other suffixes need ``format``. Without
            matplotlib (the ``plot`` extra) the report has no figures and says
            so.
        format : {"html", "markdown"}, default=None
            Overrides the choice made from the suffix.

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        from ..report import write_report

        return write_report(self, path, format=format)

    def comparable(self) -> dict[str, pd.DataFrame]:
        """The tables without wall-clock columns (equal across repeated runs)."""
        table = self.table.drop(columns=list(TIMING_COLUMNS))
        folds = self.folds.drop(columns=["fit_time"])
        timed = self.config.get("compute") == "fit_time"  # speedup is in seconds
        summary = self.summary.drop(
            columns=[
                c for c in self.summary if "fit_time" in c or (timed and c == "speedup")
            ]
        )
        verdicts = self.verdicts
        if self.config.get("compute") == "fit_time":
            verdicts = verdicts[verdicts["aspect"] != "compute"]
        return {
            "table": table,
            "folds": folds,
            "summary": summary,
            "verdicts": verdicts,
        }

    def __repr__(self) -> str:
        return (
            f"StudyResult({len(self.policies)} policies, baseline={self.baseline!r}, "
            f"{self.table['seed'].nunique()} seeds, {self.table['fold'].nunique()} "
            f"folds, {len(self.table)} runs)"
        )
