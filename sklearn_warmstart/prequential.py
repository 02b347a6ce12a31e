"""Prequential (test-then-train) evaluation over arrays, as river does it.

Each chunk of rows is first predicted by the model trained on all earlier
chunks, then learned with ``partial_fit``. With ``chunk_size=1`` this is
river's ``evaluate.progressive_val_score``: the same predictions, the same
metric, so river's published figures can be compared with scikit-learn
models (see ``tests/test_prequential.py`` for the check against river).
With ``delay=k`` a row's label arrives ``k`` rows after the row itself, as
in river's ``progressive_val_score(delay=k)``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
)

from ._validation import check_int

__all__ = ["PrequentialResult", "prequential_score"]

_METRICS: dict[str, Callable[[Any, Any], float]] = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "f1": f1_score,
    "r2": r2_score,
    "mean_absolute_error": mean_absolute_error,
    "mean_squared_error": mean_squared_error,
}


@dataclass(frozen=True)
class PrequentialResult:
    """Scores of a prequential (test-then-train) pass.

    Attributes
    ----------
    score : float
        The metric over every predicted row (all chunks but the first).
    chunk_scores : ndarray of shape (n_chunks,)
        The metric on each chunk before it was learned (NaN for the chunks
        predicted before any label arrived, the first one at least, and
        where the metric is undefined).
    chunk_starts : ndarray of shape (n_chunks,)
        Index of each chunk's first row.
    y_pred : ndarray of shape (n_evaluated,)
        Predictions for the last ``n_evaluated`` rows, in order (rows
        ``chunk_size`` onwards without a delay).
    n_evaluated : int
        Number of predicted rows.
    scoring : str
        The metric's name (``"custom"`` for a callable).
    estimator : estimator
        The fitted clone after the last chunk.
    fit_time, predict_time : float
        Seconds spent in ``partial_fit`` and in ``predict``.
    """

    score: float
    chunk_scores: np.ndarray
    chunk_starts: np.ndarray
    y_pred: np.ndarray
    n_evaluated: int
    scoring: str
    estimator: Any
    fit_time: float
    predict_time: float

    def __repr__(self) -> str:
        return (
            f"PrequentialResult({self.scoring}={self.score:.4f}, "
            f"n_evaluated={self.n_evaluated}, n_chunks={len(self.chunk_starts)})"
        )


def _rows(data: Any, start: int, stop: int) -> Any:
    return data.iloc[start:stop] if hasattr(data, "iloc") else data[start:stop]


def _metric(scoring: Any, classifier: bool) -> tuple[str, Callable]:
    if scoring is None:
        scoring = "accuracy" if classifier else "r2"
    if callable(scoring):
        return "custom", scoring
    if isinstance(scoring, str) and scoring in _METRICS:
        return scoring, _METRICS[scoring]
    raise ValueError(
        f"scoring must be None, a callable(y_true, y_pred) or one of "
        f"{', '.join(sorted(_METRICS))}; got {scoring!r}."
    )


def _chunk_scores(
    name: str, metric: Callable, y_true: np.ndarray, y_pred: np.ndarray, starts
) -> np.ndarray:
    if name == "accuracy":
        correct = (y_true == y_pred).astype(np.float64)
        sums = np.add.reduceat(correct, starts)
        sizes = np.diff(np.r_[starts, len(correct)])
        return sums / sizes
    bounds = np.r_[starts, len(y_true)]
    scores = np.empty(len(starts))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            try:
                scores[i] = float(metric(y_true[a:b], y_pred[a:b]))
            except ValueError:
                scores[i] = np.nan
    return scores


def prequential_score(
    estimator: Any,
    X: Any,
    y: Any,
    chunk_size: int = 1,
    scoring: str | Callable[[Any, Any], float] | None = None,
    *,
    classes: Any = None,
    delay: int = 0,
) -> PrequentialResult:
    """Test-then-train over ``X, y`` in chunks: river's progressive validation.

    A clone of ``estimator`` (wrapped in a
    :class:`~sklearn_warmstart.WarmStartClassifier` or not) learns the first
    chunk, then for every later chunk predicts it and learns it with
    ``partial_fit``. The estimator passed in is not changed.

    Parameters
    ----------
    estimator : estimator with partial_fit and predict
        The model to evaluate.
    X : array-like of shape (n_samples, n_features)
        Rows in time order.
    y : array-like of shape (n_samples,)
        Targets in time order.
    chunk_size : int, default=1
        Rows per chunk; ``1`` reproduces river's one-row-at-a-time loop.
    scoring : str or callable, default=None
        ``"accuracy"``, ``"balanced_accuracy"``, ``"f1"``, ``"r2"``,
        ``"mean_absolute_error"``, ``"mean_squared_error"`` or a callable
        ``(y_true, y_pred) -> float``. None means accuracy for classifiers
        and R² for regressors.
    classes : array-like, default=None
        Classifiers: every class, given to the first ``partial_fit``. By
        default the classes present in ``y``.
    delay : int, default=0
        Rows after which a row's label arrives: row ``i`` is predicted by
        the model that has learned rows ``0 .. i - k`` (river's
        ``progressive_val_score(delay=k)``: ``0`` and ``1`` both mean no
        delay, the previous row's label being known). Labels are learned, in
        order and in one ``partial_fit`` call, as soon as they have arrived;
        a chunk is predicted with the labels arrived by its first row. Rows
        predicted before any label arrived are not scored; the labels still
        pending at the end are learned, so the returned estimator has seen
        every row.

    Returns
    -------
    result : PrequentialResult
        The overall and per-chunk scores, the predictions and the fitted
        clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import prequential_score
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 4)); y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> result = prequential_score(SGDClassifier(random_state=0), X, y, 100)
    >>> result.n_evaluated, len(result.chunk_scores)
    (1900, 20)
    >>> bool(result.score > 0.9)
    True

    Labels that arrive 500 rows late:

    >>> late = prequential_score(SGDClassifier(random_state=0), X, y, 100, delay=500)
    >>> late.n_evaluated, bool(np.isnan(late.chunk_scores[:5]).all())
    (1500, True)
    """
    if not (hasattr(estimator, "partial_fit") and hasattr(estimator, "predict")):
        raise TypeError(
            f"prequential_score needs an estimator with partial_fit and predict, "
            f"got {type(estimator).__name__}."
        )
    chunk_size = check_int(chunk_size, "chunk_size")
    delay = check_int(delay, "delay", low=0)
    y = np.asarray(y)
    n = len(y)
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != n:
        raise ValueError(f"X and y have different numbers of rows ({n_rows} and {n}).")
    if n <= chunk_size:
        raise ValueError(
            f"prequential_score needs at least two chunks: {n} rows with "
            f"chunk_size={chunk_size}."
        )
    # Before the question at row s, the labels of rows j <= s - lag have come.
    lag = max(delay, 1)
    starts = np.arange(0, n, chunk_size)
    if starts[-1] < lag:
        raise ValueError(
            f"No row can be predicted: the first label arrives with row {lag}, "
            f"after the last chunk begins (row {starts[-1]}); use a smaller "
            f"delay or chunk_size than {delay} and {chunk_size} for {n} rows."
        )
    classifier = is_classifier(estimator)
    name, metric = _metric(scoring, classifier)
    first_params = {}
    if classifier:
        first_params["classes"] = np.unique(y) if classes is None else classes

    model = clone(estimator)
    predictions = []
    predicted = []
    learned = 0
    fit_time = predict_time = 0.0

    def learn(stop: int) -> None:
        nonlocal learned, fit_time
        tic = time.perf_counter()
        params = first_params if learned == 0 else {}
        model.partial_fit(_rows(X, learned, stop), y[learned:stop], **params)
        fit_time += time.perf_counter() - tic
        learned = stop

    for start in starts:
        if start - lag + 1 > learned:
            learn(start - lag + 1)
        if learned:
            tic = time.perf_counter()
            predictions.append(
                np.asarray(model.predict(_rows(X, start, start + chunk_size)))
            )
            predict_time += time.perf_counter() - tic
            predicted.append(start)
    if learned < n:
        learn(n)

    first = predicted[0]
    y_pred = np.concatenate(predictions)
    y_true = y[first:]
    chunk_scores = np.full(len(starts), np.nan)
    chunk_scores[len(starts) - len(predicted) :] = _chunk_scores(
        name, metric, y_true, y_pred, np.asarray(predicted) - first
    )
    return PrequentialResult(
        score=float(metric(y_true, y_pred)),
        chunk_scores=chunk_scores,
        chunk_starts=starts,
        y_pred=y_pred,
        n_evaluated=len(y_true),
        scoring=name,
        estimator=model,
        fit_time=fit_time,
        predict_time=predict_time,
    )
