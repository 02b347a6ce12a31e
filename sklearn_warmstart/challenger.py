"""The warning-zone challenger: a cold model that must beat the current one.

With a detector that has a warning level, the rows since the warning are the
best guess of the new concept. At a drift, a cold *challenger* is trained on
the older part of those rows and competes with the current model (the
*incumbent*) on the most recent ones, which neither has trained on. The reset
happens only if the challenger's mean signal (error) is lower; otherwise the
incumbent is kept and the run starts as the policy says.

river's ``DriftRetrainingClassifier`` swaps in its background model at every
drift without a comparison; here the comparison guards against resets on
false alarms. In ``partial_fit`` the challenger trains to convergence on the
buffered rows since the warning (the buffer a streaming reset uses), so no
model has to be carried and trained along while the warning lasts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._buffer import _stack

__all__ = ["Contest", "reset_rows", "rows_since", "run_contest"]


@dataclass(frozen=True)
class Contest:
    """Outcome of a challenger contest.

    Attributes
    ----------
    promoted : bool
        Whether the challenger won (the reset goes ahead).
    summary : str
        What happened, for ``RunRecord.challenger``.
    challenger_error, incumbent_error : float
        Mean signal of each model on the held-out rows (NaN if not run).
    n_train, n_test : int
        Rows the challenger trained on and rows both were scored on.
    """

    promoted: bool
    summary: str
    challenger_error: float = float("nan")
    incumbent_error: float = float("nan")
    n_train: int = 0
    n_test: int = 0

    @property
    def compared(self) -> bool:
        """Whether both models were scored (False when the contest could not run)."""
        return not np.isnan(self.challenger_error)


def rows_since(
    buffer_X: Any, buffer_y: Any, buffer_end: int, since: int
) -> tuple[Any, Any]:
    """The buffered rows whose global index is at least ``since``.

    ``buffer_end`` is the global index just after the buffer's last row.
    Returns ``(None, None)`` when there are none.
    """
    if buffer_y is None or since >= buffer_end:
        return None, None
    first = buffer_end - len(buffer_y)
    offset = max(since - first, 0)
    if offset >= len(buffer_y):
        return None, None
    return buffer_X[offset:], buffer_y[offset:]


def reset_rows(
    X_all: Any,
    y_all: np.ndarray,
    end: int,
    events: Sequence[Any],
    is_classifier: bool,
) -> tuple[Any, np.ndarray]:
    """The rows a streaming reset trains on.

    ``X_all, y_all`` are the buffered rows followed by the run's own; ``end``
    is the global index just after the last of them. When a drift event
    estimates where the change started (``change_start``), the reset trains
    on the rows since then, unless fewer than two rows (or, for a
    classifier, one class) remain; otherwise on all of ``X_all, y_all``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.challenger import reset_rows
    >>> from sklearn_warmstart.policies import DriftEvent
    >>> X, y = np.arange(10.0).reshape(-1, 1), np.array([0, 1] * 5)
    >>> event = DriftEvent("adwin", 18, 3, change_start=16)
    >>> reset_rows(X, y, 20, [event], True)[1].tolist()
    [0, 1, 0, 1]
    """
    since = next((e.change_start for e in events if e.change_start is not None), None)
    if since is None:
        return X_all, y_all
    n_keep = min(len(y_all), end - since)
    if n_keep < 2 or n_keep >= len(y_all):
        return X_all, y_all
    X_new, y_new = X_all[-n_keep:], y_all[-n_keep:]
    if is_classifier and len(np.unique(y_new)) < 2:
        return X_all, y_all
    return X_new, y_new


def _concat(X_a: Any, y_a: Any, X_b: Any, y_b: Any) -> tuple[Any, Any]:
    if y_a is None or len(y_a) == 0:
        return X_b, y_b
    if len(y_b) == 0:
        return X_a, y_a
    return _stack([X_a, X_b]), np.concatenate([y_a, y_b])


def run_contest(
    *,
    since: int,
    X: Any,
    y: np.ndarray,
    sample_start: int,
    incumbent_pred: np.ndarray,
    earlier: tuple[Any, Any],
    train: Callable[[Any, np.ndarray], Any],
    predict: Callable[[Any, Any], np.ndarray],
    signal: Callable[[np.ndarray, np.ndarray], np.ndarray],
    is_classifier: bool,
) -> Contest:
    """Train a challenger on the rows since ``since`` and score both models.

    Parameters
    ----------
    since : int
        Global index of the first row of the warning zone.
    X, y : arrays
        The run's rows (global indices ``sample_start, …``).
    sample_start : int
        Global index of the run's first row.
    incumbent_pred : ndarray
        The incumbent's predictions on ``X`` (made before training).
    earlier : (X, y) or (None, None)
        Rows since the warning from before this run (the streaming buffer).
    train : callable
        ``train(X, y) -> model``: a cold fit to convergence.
    predict : callable
        ``predict(model, X) -> y_pred``.
    signal : callable
        ``signal(y_true, y_pred) -> per-sample values`` (larger is worse).
    is_classifier : bool
        Whether the challenger needs two classes to train.

    Returns
    -------
    contest : Contest
        Promoted or not, with a summary.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_warmstart.challenger import run_contest
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
    >>> contest = run_contest(
    ...     since=0, X=X, y=y, sample_start=0, incumbent_pred=1 - y,
    ...     earlier=(None, None), train=lambda X, y: LogisticRegression().fit(X, y),
    ...     predict=lambda m, X: m.predict(X),
    ...     signal=lambda t, p: (t != p).astype(float), is_classifier=True)
    >>> contest.promoted, contest.n_train, contest.n_test
    (True, 100, 100)
    """
    first = min(max(since - sample_start, 0), len(y))
    X_run, y_run = X[first:], y[first:]
    X_prev, y_prev = earlier
    n_prev = 0 if y_prev is None else len(y_prev)
    n_test = min(len(y_run), (n_prev + len(y_run)) // 2)
    if n_test < 1:
        return Contest(False, "not run: no rows since the warning in this run")
    X_fit, y_fit = _concat(X_prev, y_prev, X_run[:-n_test], y_run[:-n_test])
    n_train = len(y_fit)
    if n_train < 2 or (is_classifier and len(np.unique(y_fit)) < 2):
        return Contest(
            False,
            f"not run: {n_train} row(s) since the warning at row {since} "
            "are too few to train a challenger",
            n_train=n_train,
            n_test=n_test,
        )
    challenger = train(X_fit, y_fit)
    y_test = y_run[-n_test:]
    err_challenger = float(
        np.mean(signal(y_test, predict(challenger, X_run[-n_test:])))
    )
    err_incumbent = float(np.mean(signal(y_test, incumbent_pred[-n_test:])))
    promoted = err_challenger < err_incumbent
    scores = (
        f"challenger error {err_challenger:.4f} vs current model "
        f"{err_incumbent:.4f} on the last {n_test} rows; challenger trained on "
        f"{n_train} rows since the warning at row {since}"
    )
    summary = ("promoted: " if promoted else "kept current model: ") + scores
    return Contest(promoted, summary, err_challenger, err_incumbent, n_train, n_test)
