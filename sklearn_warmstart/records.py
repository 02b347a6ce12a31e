"""Run records, the history that collects them, and drift events.

A leaf module: it imports nothing from the rest of the package, so every
layer can record runs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_RECORDS",
    "DriftEvent",
    "History",
    "HistorySummary",
    "LineageRun",
    "RunRecord",
]

#: Records a :class:`History` keeps; older ones are folded into its summary, so
#: that a long stream (``partial_fit`` over millions of rows in small chunks)
#: holds bounded memory.
MAX_RECORDS = 10_000


@dataclass(frozen=True)
class DriftEvent:
    """One detection: the detector, the global row index and the run it triggered.

    ``change_start`` is the global row index where the change is estimated to
    begin (warning start, ADWIN's window), or None when the detector does not
    say.

    Parameters
    ----------
    detector : str
        Name of the detector that fired.
    sample_index : int
        Global row index of the detection.
    run : int
        Index of the run the detection happened in.
    level : {"drift", "warning"}, default="drift"
        Whether the detector reported a drift or only a warning.
    change_start : int or None, default=None
        Global row index where the change is estimated to begin.

    Examples
    --------
    >>> from sklearn_warmstart.records import DriftEvent
    >>> DriftEvent("adwin", sample_index=3041, run=4).level
    'drift'
    """

    detector: str
    sample_index: int
    run: int
    level: str = "drift"
    change_start: int | None = None


@dataclass(frozen=True)
class LineageRun:
    """What one lineage of an ``Adaptive`` start did in one run.

    Attributes
    ----------
    name : str
        The lineage, e.g. ``"cold(window=2000)"``.
    start : str
        The start it used in this run (``"cold"`` after a reset).
    prequential_score : float
        Score of its previous model on the run's new rows, before training
        (NaN when there were none).
    score : float
        Its exponentially decayed prequential score after this run.
    weight : float
        Its weight in the served vote.
    served : bool
        Whether the wrapper serves it (in the vote, or as the best lineage).
    trained : bool
        Whether it trained in this run (``budget="bandit"`` skips some).
    fit_time : float
        Seconds it spent training in this run.
    n_iter : int or None
        Its iterations or epochs in this run.

    Examples
    --------
    >>> from sklearn_warmstart.records import LineageRun
    >>> LineageRun("warm", "warm", 0.8, 0.8, 1.0, True, True, 0.01, 5).served
    True
    """

    name: str
    start: str
    prequential_score: float
    score: float
    weight: float
    served: bool
    trained: bool
    fit_time: float
    n_iter: int | None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, LineageRun) and isinstance(b, LineageRun):
        return all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    return a == b


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One immutable row per run.

    Attributes
    ----------
    run : int
        0-based index of the run in the estimator's sequence.
    method : str
        ``"fit"``, ``"partial_fit"`` or ``"schedule"`` (a run inside a schedule).
    start : str
        The start that was used, e.g. ``"warm"`` or ``"shrink_perturb(0.4, 0.1)"``.
    reason : str
        Why that start was chosen.
    trigger : str or None
        The trigger that fired, if any.
    seed : int
        Seed of the run (drawn from ``random_state`` and the run index).
    n_samples : int
        Rows the run trained on.
    sample_start : int
        Global index of the run's first new row.
    n_iter : int or None
        Iterations or epochs the run took, where the model reports them.
    loss_curve : tuple of float
        Training loss per epoch, where the model reports it.
    grad_norms : tuple of float
        Gradient norm per epoch, where the adapter measures it.
    theta_start_norm, theta_end_norm : float
        ‖θ_start‖ and ‖θ_end‖ (NaN for models without parameter arrays).
    distance_from_start : float
        ‖θ_end − θ_start‖: how far this run moved the parameters.
    distance_from_prev : float
        ‖θ_end − θ_prev_end‖: how far the model moved from the previous run's.
    prequential_score : float
        Score of the previous model on this run's data before training (NaN on
        the first run).
    train_score : float
        Score of the new model on this run's data after training.
    fit_time : float
        Wall time of the training step in seconds.
    peak_memory : float
        Peak bytes allocated during training (``track_memory=True``), else NaN.
    drift_events : tuple of DriftEvent
        Detections seen while feeding this run's rows.
    challenger : str or None
        Outcome of a warning-zone challenger, if one was evaluated.
    checkpoint : str or None
        Id of the checkpoint written for this run.
    valid_loss_curve : tuple of float
        Validation loss per epoch, where the model reports it (skorch nets
        with a validation split).
    n_iter_total : int or None
        Iterations the model holds after the run, counting the runs it
        inherited (a boosted ensemble's total rounds), where the adapter
        counts them.
    lineages : tuple of LineageRun
        With an ``Adaptive`` start: each lineage's score, weight, whether it
        is served and the compute it spent (empty otherwise).
    """

    run: int
    method: str
    start: str
    reason: str
    trigger: str | None
    seed: int
    n_samples: int
    sample_start: int
    n_iter: int | None
    loss_curve: tuple[float, ...]
    grad_norms: tuple[float, ...]
    theta_start_norm: float
    theta_end_norm: float
    distance_from_start: float
    distance_from_prev: float
    prequential_score: float
    train_score: float
    fit_time: float
    peak_memory: float
    drift_events: tuple[DriftEvent, ...] = field(default_factory=tuple)
    challenger: str | None = None
    checkpoint: str | None = None
    valid_loss_curve: tuple[float, ...] = ()
    n_iter_total: int | None = None
    lineages: tuple[LineageRun, ...] = ()

    def __eq__(self, other: object) -> bool:
        """Field-by-field equality in which NaN equals NaN."""
        if not isinstance(other, RunRecord):
            return NotImplemented
        return all(
            _same(getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)
        )

    def __hash__(self) -> int:
        return hash((self.run, self.method, self.start, self.seed, self.n_samples))

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (drift events as dicts)."""
        out = dataclasses.asdict(self)
        out["loss_curve"] = list(self.loss_curve)
        out["grad_norms"] = list(self.grad_norms)
        out["valid_loss_curve"] = list(self.valid_loss_curve)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """Rebuild a record from :meth:`to_dict` output."""
        data = dict(data)
        data["loss_curve"] = tuple(data.get("loss_curve", ()))
        data["grad_norms"] = tuple(data.get("grad_norms", ()))
        data["valid_loss_curve"] = tuple(data.get("valid_loss_curve", ()))
        data["drift_events"] = tuple(
            DriftEvent(**e) for e in data.get("drift_events", ())
        )
        data["lineages"] = tuple(LineageRun(**e) for e in data.get("lineages", ()))
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class HistorySummary:
    """What remains of the records a :class:`History` no longer keeps.

    Attributes
    ----------
    n_runs : int
        Runs summarised (the oldest ones).
    n_samples : int
        Rows those runs trained on.
    fit_time : float
        Seconds they spent training.
    n_cold : int
        How many of them started cold.
    n_drift_events : int
        Drift events they recorded.
    last_checkpoint : str or None
        The newest checkpoint id among them.
    """

    n_runs: int = 0
    n_samples: int = 0
    fit_time: float = 0.0
    n_cold: int = 0
    n_drift_events: int = 0
    last_checkpoint: str | None = None

    def add(self, record: RunRecord) -> HistorySummary:
        """This summary with ``record`` folded in."""
        return HistorySummary(
            n_runs=self.n_runs + 1,
            n_samples=self.n_samples + record.n_samples,
            fit_time=self.fit_time + record.fit_time,
            n_cold=self.n_cold + (record.start == "cold"),
            n_drift_events=self.n_drift_events + len(record.drift_events),
            last_checkpoint=record.checkpoint or self.last_checkpoint,
        )


class History(Sequence):
    """The records of an estimator's runs, oldest first.

    Immutable: :meth:`append` returns a new history, so a failed run cannot
    leave a half-written entry behind. At most ``max_records`` records are
    kept (:data:`MAX_RECORDS` by default); older ones are folded into
    :attr:`summary`, so ``len(history)`` counts the records kept and
    :attr:`n_runs` every run.

    Parameters
    ----------
    records : sequence of RunRecord, default=()
        The records, oldest first.
    summary : HistorySummary, default=None
        The runs already summarised before ``records``.
    max_records : int, default=None
        Records kept; None means :data:`MAX_RECORDS` at construction.

    Parameters
    ----------
    records : iterable of RunRecord, default=()
        The records, oldest first.

    Examples
    --------
    >>> from sklearn_warmstart.records import History
    >>> len(History()), History().n_runs
    (0, 0)
    """

    def __init__(
        self,
        records: Sequence[RunRecord] = (),
        summary: HistorySummary | None = None,
        max_records: int | None = None,
    ):
        max_records = MAX_RECORDS if max_records is None else max_records
        records = tuple(records)
        summary = HistorySummary() if summary is None else summary
        for record in records[: max(len(records) - max_records, 0)]:
            summary = summary.add(record)
        self._records = records[max(len(records) - max_records, 0) :]
        self.summary = summary
        self.max_records = max_records

    @property
    def n_runs(self) -> int:
        """Runs recorded in total, summarised ones included."""
        return self.summary.n_runs + len(self._records)

    def replace_last(self, record: RunRecord) -> History:
        """A new history whose newest record is ``record``."""
        return History((*self._records[:-1], record), self.summary, self.max_records)

    @overload
    def __getitem__(self, index: int) -> RunRecord: ...
    @overload
    def __getitem__(self, index: slice) -> History: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            return History(self._records[index])
        return self._records[index]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self._records)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, History)
            and self._records == other._records
            and self.summary == other.summary
        )

    def __hash__(self) -> int:
        return hash(self._records)

    def __repr__(self) -> str:
        if self.summary.n_runs:
            return (
                f"History({self.n_runs} runs, the last {len(self)} kept, "
                f"{self.summary.n_runs} summarised)"
            )
        return f"History({len(self)} runs)"

    def append(self, record: RunRecord) -> History:
        """A new history with ``record`` added at the end (the oldest folded
        into :attr:`summary` beyond ``max_records``)."""
        return History((*self._records, record), self.summary, self.max_records)

    def to_frame(self) -> pd.DataFrame:
        """One row per run, one column per record field."""
        import pandas as pd

        columns = [f.name for f in dataclasses.fields(RunRecord)]
        rows = [
            dataclasses.asdict(r)
            | {"drift_events": r.drift_events, "lineages": r.lineages}
            for r in self
        ]
        return pd.DataFrame(rows, columns=columns)
