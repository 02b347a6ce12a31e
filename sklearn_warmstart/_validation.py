"""Validation helpers shared by the package.

Parameter checks: one int, real and choice check for every module. Every
message reads ``"<name> must be <what>, got <value>."`` so that a user sees
which parameter was wrong and what it accepts.

``sklearn.utils.check_scalar`` does the same job but raises ``TypeError`` for a
value of the wrong type (``n_runs=2.5``) where this package has always raised
``ValueError``, and accepts ``True`` as the int 1; using it would change both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets

from ._compat import validate_data

__all__ = [
    "category_codes",
    "check_choice",
    "check_int",
    "check_real",
    "is_int",
    "is_real",
]

# Parameter checks
# ---------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (Python or numpy), booleans excluded."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a finite real number (ints included), booleans excluded."""
    if not isinstance(value, Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def _fail(name: str, what: str, value: Any, none_ok: bool, note: str) -> None:
    what = f"None or {what}" if none_ok else what
    raise ValueError(f"{name} must be {what}, got {value!r}.{note and ' ' + note}")


def check_int(
    value: Any,
    name: str,
    *,
    low: int | None = 1,
    none_ok: bool = False,
    note: str = "",
) -> int | None:
    """Return ``value`` as an int after checking it is one and ``>= low``.

    Parameters
    ----------
    value : object
        What the user passed.
    name : str
        How the message names the parameter, e.g. ``"Retrain(n_runs=...)"``.
    low : int or None, default=1
        Smallest accepted value; None for any int.
    none_ok : bool, default=False
        Whether None is accepted (and returned).
    note : str, default=""
        A sentence appended to the message.

    Raises
    ------
    ValueError
        ``"<name> must be [None or ]an int[ >= low], got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_int
    >>> check_int(3, "chunk_size")
    3
    >>> check_int(0, "chunk_size")
    Traceback (most recent call last):
    ...
    ValueError: chunk_size must be an int >= 1, got 0.
    """
    if value is None and none_ok:
        return None
    if not is_int(value) or (low is not None and value < low):
        what = "an int" if low is None else f"an int >= {low}"
        _fail(name, what, value, none_ok, note)
    return int(value)


def check_real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    none_ok: bool = False,
    note: str = "",
) -> float | None:
    """Return ``value`` as a float after checking it is finite and in ``[low, high]``.

    Parameters
    ----------
    value : object
        What the user passed.
    name : str
        How the message names the parameter.
    low, high : float or None, default=None
        Inclusive bounds; None for no bound.
    none_ok : bool, default=False
        Whether None is accepted (and returned).
    note : str, default=""
        A sentence appended to the message.

    Raises
    ------
    ValueError
        ``"<name> must be a finite number in [low, high], got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_real
    >>> check_real(0.4, "shrink", low=0.0, high=1.0)
    0.4
    >>> check_real(float("nan"), "noise", low=0.0)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a finite number >= 0.0, got nan.
    """
    if value is None and none_ok:
        return None
    ok = is_real(value)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        if low is not None and high is not None:
            bounds = f" in [{low}, {high}]"
        elif low is not None:
            bounds = f" >= {low}"
        elif high is not None:
            bounds = f" <= {high}"
        else:
            bounds = ""
        _fail(name, f"a finite number{bounds}", value, none_ok, note)
    return float(value)


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """Return ``value`` after checking it is one of ``choices``.

    Raises
    ------
    ValueError
        ``"<name> must be 'a', 'b' or 'c', got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_choice
    >>> check_choice("sliding", "window", ("expanding", "sliding"))
    'sliding'
    >>> check_choice("growing", "window", ("expanding", "sliding"))
    Traceback (most recent call last):
    ...
    ValueError: window must be 'expanding' or 'sliding', got 'growing'.
    """
    if isinstance(value, str | int | float | bool | None) and value in choices:
        return value
    names = [repr(c) for c in choices]
    what = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    raise ValueError(f"{name} must be {what}, got {value!r}.")


# Data guard
# ---------------------------------------------------------------------------
# What one run's rows must satisfy before anything trains on them: the schema
# of the first run (n_features, feature names), finite values unless the model
# allows NaN, and classes every run knows.


@dataclass(frozen=True)
class Schema:
    """What earlier runs fixed: feature count, feature names and classes."""

    n_features: int
    feature_names: np.ndarray | None
    classes: np.ndarray | None


@dataclass(frozen=True)
class GuardedRows:
    """One run's rows after the guard.

    ``proven_finite`` says the guard itself proved ``X`` and ``y`` finite
    plain arrays (the streaming fast path), so their finiteness need not be
    checked again by the model.
    """

    X: Any
    y: np.ndarray
    schema: Schema
    proven_finite: bool = False


class _FeatureProbe(BaseEstimator):
    """Receives ``validate_data``'s fitted attributes so a failed run sets none."""


def all_known(y: np.ndarray, known: np.ndarray) -> bool:
    """Whether every label of ``y`` is in the sorted array ``known`` (cheaply)."""
    if y.dtype.kind not in "iubU" or known.dtype.kind != y.dtype.kind:
        return False
    if y.dtype.kind in "iu" and known[-1] - known[0] == len(known) - 1:
        return bool(y.min() >= known[0] and y.max() <= known[-1])  # 0..k-1 labels
    at = np.searchsorted(known, y)
    return bool(np.all(known[np.minimum(at, len(known) - 1)] == y))


def plain_arrays_ok(
    X: Any, y: Any, schema: Schema, tags: Any, is_classifier: bool
) -> bool:
    """Whether ``X, y`` are plain arrays that pass ``validate_data`` unchanged.

    True only for a dense 2-D float ndarray with the known number of features
    (no feature names on either side), finite unless NaN is allowed, and a
    1-D target of the same length: integer, boolean or string labels whose
    values all are known classes (classifiers), finite floats (regressors).
    Anything else takes the full validation. With ``tags=None`` (the
    estimator's tags not computed yet) ``X`` must be finite.
    """
    if schema.feature_names is not None:
        return False
    if type(X) is not np.ndarray or type(y) is not np.ndarray:
        return False
    if X.ndim != 2 or X.dtype not in (np.float64, np.float32) or y.ndim != 1:
        return False
    if X.shape[1] != schema.n_features or len(X) != len(y) or len(y) == 0:
        return False
    if tags is not None and tags.input_tags.allow_nan:
        if np.isinf(X).any():
            return False
    elif not np.isfinite(X).all():
        return False
    if not is_classifier:
        return y.dtype.kind == "f" and bool(np.isfinite(y).all())
    known = schema.classes
    return known is not None and all_known(y, known)


def check_classes(
    y: np.ndarray,
    known: np.ndarray | None,
    classes: Any,
    *,
    grow: bool = False,
    method: str = "partial_fit",
) -> np.ndarray:
    """The classes a classifier's run knows: ``known`` ones, or the first run's.

    ``known`` are the classes of earlier runs (None on the first run, where
    ``classes`` may declare ones ``y`` lacks). ``grow``: new classes are
    accepted and the union returned (an ``OnNewClasses`` trigger is set).
    ``method`` is the call the user made, for the messages.
    """
    if known is not None:
        declared = known if classes is None else np.unique(np.asarray(classes))
        if not np.array_equal(declared, known):
            if not (grow and np.isin(known, declared).all()):
                raise ValueError(
                    f"`classes={declared.tolist()}` is not the same as on the "
                    f"first call to partial_fit, was: {known.tolist()}. Add "
                    "reset=OnNewClasses() to reset with a larger set of classes, "
                    "or start a new estimator."
                )
            known = declared
        if all_known(y, known):
            return known
        new = np.setdiff1d(np.unique(y), known)
        if len(new) and grow:
            return np.union1d(known, new)
        if len(new):
            where = (
                "Declare every class in the first partial_fit(..., classes=...) call"
                if method == "partial_fit"
                else "Every fit run learns the classes of the first run"
            )
            raise ValueError(
                f"y contains class(es) {new.tolist()} never seen in earlier runs "
                f"(classes_={known.tolist()}). {where}, add reset=OnNewClasses() "
                "to reset with the new classes, or start a new estimator."
            )
        return known
    seen = np.unique(y)
    if classes is not None:
        known = np.unique(np.asarray(classes))
        missing = np.setdiff1d(seen, known)
        if len(missing):
            raise ValueError(
                f"y contains class(es) {missing.tolist()} that are not in "
                f"classes={known.tolist()}."
            )
    else:
        known = seen
    if len(known) < 2:
        raise ValueError(
            f"y has one class ({known.tolist()}); the first run needs at least "
            "two. Pass classes=[...] to partial_fit if later chunks bring the "
            "others."
        )
    return known


def category_codes(X: Any) -> Any:
    """A pandas frame's ``category`` columns as their codes (``X`` itself otherwise).

    Models that read pandas categories (LightGBM, XGBoost, CatBoost) get the
    frame; the guard checks its shape, names and numbers through the codes.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return X
    columns = [name for name, dtype in dtypes.items() if str(dtype) == "category"]
    if not columns:
        return X
    codes = X.copy()
    for name in columns:
        codes[name] = X[name].cat.codes
    return codes


def guard_rows(
    owner: Any,
    X: Any,
    y: Any,
    schema: Schema | None,
    *,
    is_classifier: bool,
    classes: Any = None,
    grow: bool = False,
    method: str = "partial_fit",
) -> GuardedRows:
    """Check one run's rows against ``schema`` (None: the first run fixes it).

    ``owner`` is the meta-estimator: later runs check the column names and
    feature count it was fitted with. Nothing of ``owner`` is changed.
    ``grow`` and ``method`` are :func:`check_classes`'.
    """
    # A later partial_fit(classes=) naming other classes than the first run's
    # is checked in full; the same classes again (as streaming loops pass them
    # on every call) keep the fast path.
    fast = classes is None or (
        schema is not None
        and schema.classes is not None
        and np.array_equal(np.unique(np.asarray(classes)), schema.classes)
    )
    if (
        fast
        and schema is not None
        and plain_arrays_ok(X, y, schema, None, is_classifier)
    ):
        # A later chunk of plain finite arrays with known labels: what the
        # full validation below would return, checked once.
        return GuardedRows(X, y, schema, proven_finite=True)
    if y is None:
        raise ValueError(
            f"{type(owner).__name__} requires y to be passed, but the target y is None."
        )
    tags = get_tags(owner.estimator)
    frame, X = X, category_codes(X)
    categorical = X is not frame
    options = dict(
        accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
        ensure_all_finite="allow-nan" if tags.input_tags.allow_nan else True,
        multi_output=tags.target_tags.multi_output,
        y_numeric=not is_classifier,
        dtype=None if tags.input_tags.string else "numeric",
    )
    if schema is None:
        probe = _FeatureProbe()
        X, y = validate_data(probe, X, y, reset=True, **options)
        schema = Schema(
            probe.n_features_in_, getattr(probe, "feature_names_in_", None), None
        )
    elif fast and plain_arrays_ok(X, y, schema, tags, is_classifier):
        # Later streaming chunks of plain arrays: the checks validate_data
        # would make, without its per-call cost (it dominates small chunks).
        return GuardedRows(X, y, schema)
    else:
        X, y = validate_data(owner, X, y, reset=False, **options)
    if categorical:
        X = frame  # checked through its codes; the model reads the categories
    if not is_classifier:
        return GuardedRows(X, y, schema)
    check_classification_targets(y)
    known = check_classes(y, schema.classes, classes, grow=grow, method=method)
    if known is not schema.classes:
        schema = Schema(schema.n_features, schema.feature_names, known)
    return GuardedRows(X, y, schema)
