"""Retraining schedules: one ``fit`` replays a sequence of runs over time-ordered rows.

A schedule turns a policy comparison into ordinary cross-validation: every
clone that :class:`~sklearn.model_selection.GridSearchCV` or
:func:`~sklearn.model_selection.cross_validate` fits simulates the whole
retraining sequence on its own training rows, so nothing is shared between
clones and any joblib backend works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.base import BaseEstimator

from ._validation import check_choice, check_int, is_int, is_real

__all__ = ["Retrain", "Step", "check_schedule"]

_WINDOWS = ("expanding", "sliding")
_RESTARTS = ("drift", "reset", "never")


@dataclass(frozen=True)
class Step:
    """The rows of one run of a schedule (positions in the time-ordered data).

    Attributes
    ----------
    run : int
        0-based index of the run.
    train : slice
        Rows the run trains on (before any restart of the window).
    new : slice
        Rows that arrived since the previous run; the previous model is
        evaluated on them (prequential score, drift detection).
    """

    run: int
    train: slice
    new: slice


class Retrain(BaseEstimator):
    """Retrain ``n_runs`` times over time-ordered rows, inside one ``fit``.

    The rows given to ``fit`` are cut into ``n_runs`` consecutive slices: the
    first slice has ``initial`` rows, the rest of the rows are split evenly
    among the later runs. Run 1 trains on the first slice (cold, or from the
    estimator's ``init``); run ``i`` trains on the data so far
    (``window="expanding"``) or on the last ``window_size`` rows
    (``window="sliding"``), started as the estimator's policy says. Before run
    ``i`` trains, the model of run ``i - 1`` is evaluated on the rows new to
    run ``i``: that is the run's prequential score and the evidence its
    triggers see.

    Parameters
    ----------
    n_runs : int, default=5
        Number of runs (>= 1). It may not exceed the number of rows.
    window : {"expanding", "sliding"}, default="expanding"
        Train each run on all rows so far, or on the most recent
        ``window_size`` rows.
    initial : int, float or None, default=None
        Rows in the first slice: an int (rows) or a float in (0, 1) (fraction of
        the rows). ``None`` gives every run the same number of new rows.
    window_size : int or None, default=None
        Rows per training window when ``window="sliding"``; ``None`` uses the
        size of the first slice. Ignored for expanding windows.
    restart : {"drift", "reset", "never"}, default="drift"
        When a run is reset because a trigger reported a concept drift
        (``"drift"``), the window restarts at the first row where the drift
        was detected, so the reset model and the runs after it are not
        retrained on the stale concept; each run still trains on at least as
        many rows as the first run did (the most recent ones). With
        ``"reset"`` any trigger that fires restarts the window, at the run's
        new rows (or the detection row, for drifts). ``"never"`` keeps the
        data so far.

    See Also
    --------
    sklearn_warmstart.WarmStartClassifier : Takes a schedule as ``schedule=``.
    sklearn_warmstart.study.compare_policies : Cross-validates policies with it.

    Examples
    --------
    >>> from sklearn_warmstart import Retrain
    >>> [(s.train.start, s.train.stop) for s in Retrain(3).split(300)]
    [(0, 100), (0, 200), (0, 300)]
    >>> steps = Retrain(3, window="sliding", window_size=150).split(300)
    >>> [(s.train.start, s.train.stop, s.new.start) for s in steps]
    [(0, 100, 0), (50, 200, 100), (150, 300, 200)]

    With a schedule, one ``fit`` records every run of the sequence:

    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import WarmStartClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> clf = WarmStartClassifier(SGDClassifier(), schedule=Retrain(3), random_state=0)
    >>> clf = clf.fit(X, y)
    >>> [(r.method, r.start, r.n_samples) for r in clf.history_]
    [('schedule', 'cold', 100), ('schedule', 'warm', 200), ('schedule', 'warm', 300)]
    """

    def __init__(
        self,
        n_runs: int = 5,
        *,
        window: str = "expanding",
        initial: int | float | None = None,
        window_size: int | None = None,
        restart: str = "drift",
    ):
        self.n_runs = n_runs
        self.window = window
        self.initial = initial
        self.window_size = window_size
        self.restart = restart

    def _validate(self) -> None:
        """Raise ``ValueError`` naming any invalid parameter."""
        check_int(self.n_runs, "Retrain(n_runs=...)")
        check_choice(self.window, "Retrain(window=...)", _WINDOWS)
        check_choice(self.restart, "Retrain(restart=...)", _RESTARTS)
        initial = self.initial
        if initial is not None:
            as_rows = is_int(initial) and initial >= 1
            as_fraction = not is_int(initial) and is_real(initial) and 0 < initial < 1
            if not (as_rows or as_fraction):
                raise ValueError(
                    "Retrain(initial=...) must be None, an int >= 1 (rows) or a float "
                    f"in (0, 1) (fraction of the rows), got {initial!r}."
                )
        check_int(self.window_size, "Retrain(window_size=...)", none_ok=True)

    def _initial_rows(self, n_samples: int) -> int:
        if self.initial is None:
            return max(n_samples // self.n_runs, 1)
        if is_int(self.initial):
            return int(self.initial)
        return max(int(round(float(self.initial) * n_samples)), 1)

    def split(self, n_samples: int) -> list[Step]:
        """The rows of every run for ``n_samples`` time-ordered rows.

        Parameters
        ----------
        n_samples : int
            Number of rows given to ``fit``.

        Returns
        -------
        steps : list of Step
            One :class:`Step` per run, in order.

        Raises
        ------
        ValueError
            If the parameters are invalid or the rows are too few for the runs
            (every run needs at least one new row).
        """
        self._validate()
        n_runs = int(self.n_runs)
        if n_runs > n_samples:
            raise ValueError(
                f"The schedule has {n_runs} runs but only n_samples={n_samples} rows; "
                "every run needs at least one new row. Lower Retrain(n_runs=...) or "
                "give more rows."
            )
        initial = self._initial_rows(n_samples)
        if initial > n_samples - (n_runs - 1):
            raise ValueError(
                f"Retrain(initial={self.initial!r}) puts {initial} of {n_samples} rows in "
                f"the first slice, leaving fewer than one new row for each of the other "
                f"{n_runs - 1} runs. Lower initial= or n_runs=."
            )
        # Not sklearn's TimeSeriesSplit: it puts the remainder rows in the first
        # slice where Retrain spreads them over the later runs (10 rows, 3 runs:
        # TimeSeriesSplit 4|3|3, Retrain 3|3|4), so its runs would change.
        rest = n_samples - initial
        stops = [initial] + [
            initial + (rest * i) // (n_runs - 1) for i in range(1, n_runs)
        ]
        stops[-1] = n_samples
        width = initial if self.window_size is None else int(self.window_size)
        steps = []
        for run, stop in enumerate(stops):
            new_start = 0 if run == 0 else stops[run - 1]
            start = 0 if self.window == "expanding" else max(stop - width, 0)
            steps.append(Step(run, slice(start, stop), slice(new_start, stop)))
        return steps

    def restart_row(self, decision: Any, step: Step) -> int | None:
        """The row where the window restarts after ``decision``, or None.

        ``decision`` is the run's :class:`~sklearn_warmstart.policies.Decision`;
        drift events carry the row (``sample_index``) where they were detected.
        """
        if self.restart == "never" or decision.trigger is None:
            return None
        rows = [
            int(e.sample_index)
            for e in decision.events
            if getattr(e, "level", "drift") == "drift"
        ]
        if rows:
            return min(max(min(rows), step.new.start), step.new.stop - 1)
        return step.new.start if self.restart == "reset" else None

    def train_rows(self, step: Step, restart: int | None, min_rows: int) -> slice:
        """The rows a run trains on, given the row the window restarted at."""
        if restart is None:
            return step.train
        start = max(step.train.start, min(restart, step.train.stop - min_rows))
        return slice(start, step.train.stop)

    def describe(self) -> str:
        """A short label, e.g. ``retrain(5, expanding)``."""
        label = f"retrain({self.n_runs}, {self.window}"
        if self.window == "sliding" and self.window_size is not None:
            label += f"={self.window_size}"
        return label + ")"


def check_schedule(schedule: Any) -> Retrain | None:
    """Validate a ``schedule`` parameter: ``None``, an int (runs) or a :class:`Retrain`.

    Returns a :class:`Retrain` (a new one for an int; the same object otherwise,
    never modified) or ``None``.
    """
    if schedule is None:
        return None
    if is_int(schedule):
        schedule = Retrain(int(schedule))
    if not isinstance(schedule, Retrain):
        raise TypeError(
            "schedule must be None, an int (number of runs) or a Retrain(...), got "
            f"{type(schedule).__name__}."
        )
    schedule._validate()
    return schedule
