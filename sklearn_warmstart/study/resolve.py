"""Turn a study's inputs into validated objects: policies, seeds, folds, the wrapper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import TimeSeriesSplit

from ..adapters import adapter_for
from ..estimators import WarmStartClassifier, WarmStartRegressor
from ..policies import (
    Adaptive,
    Cold,
    OnDrift,
    ShrinkPerturb,
    Start,
    Trigger,
    Warm,
    check_start,
    check_triggers,
    every_start,
)
from ..schedules import Retrain

__all__ = ["builtin_policies", "time_ordered_cv"]


def builtin_policies() -> dict[str, tuple[Start, Trigger | None]]:
    """The built-in policies by name: ``name -> (start, reset)``.

    ``"cold"`` retrains from scratch every run; ``"warm"`` inherits the last
    run's parameters; ``"shrink_perturb"`` starts from
    ``0.4·θ_prev + 0.1·θ_fresh`` (Ash & Adams, 2020); ``"drift_reset"`` is warm
    with a cold reset when :class:`~sklearn_warmstart.policies.OnDrift` (ADWIN
    on the model's errors) detects a drift; ``"adaptive"`` keeps a warm and a
    ``Cold(window=2000)`` lineage and serves their score-weighted vote
    (:class:`~sklearn_warmstart.policies.Adaptive`).

    Returns
    -------
    policies : dict
        A new dict on every call (fresh objects; changing it changes nothing
        elsewhere).

    Examples
    --------
    >>> from sklearn_warmstart.study import builtin_policies
    >>> sorted(builtin_policies())
    ['adaptive', 'cold', 'drift_reset', 'shrink_perturb', 'warm']
    """
    return {
        "cold": (Cold(), None),
        "warm": (Warm(), None),
        "shrink_perturb": (ShrinkPerturb(0.4, 0.1), None),
        "drift_reset": (Warm(), OnDrift()),
        "adaptive": (Adaptive([Warm(), Cold(window=2000)]), None),
    }


@dataclass(frozen=True)
class NamedPolicy:
    """A policy of a study: its name, start and reset triggers."""

    name: str
    start: Start
    reset: Trigger | Sequence[Trigger] | None

    def describe(self) -> str:
        text = self.start.describe() if isinstance(self.start, Start) else self.start
        if self.reset is None:
            return text
        triggers = [self.reset] if isinstance(self.reset, Trigger) else self.reset
        return f"{text} + reset on {', '.join(_label(t) for t in triggers)}"


def _label(trigger: Trigger) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in trigger.get_params(deep=False).items())
    return f"{type(trigger).__name__}({params})"


def _builtin(name: str) -> tuple[Start, Trigger | None]:
    available = builtin_policies()
    if name in available:
        return available[name]
    raise ValueError(
        f"Unknown policy {name!r}; built-in policies: "
        f"{', '.join(sorted(available))}. Give other policies as a dict "
        "name -> (start, reset)."
    )


def resolve_policies(policies: Any) -> list[NamedPolicy]:
    """Validate ``policies`` into named (start, reset) pairs, without training."""
    if isinstance(policies, str):
        policies = [p.strip() for p in policies.split(",") if p.strip()]
    if isinstance(policies, Mapping):
        items = list(policies.items())
    elif isinstance(policies, Sequence):
        items = [(name, name) for name in policies]
    else:
        raise TypeError(
            "policies must be a list of built-in names or a dict name -> "
            f"(start, reset), got {type(policies).__name__}."
        )
    if not items:
        raise ValueError("policies is empty; give at least two policies to compare.")
    out = []
    for name, spec in items:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Policy names must be non-empty strings, got {name!r}.")
        if isinstance(spec, str):
            start, reset = _builtin(spec)
        elif isinstance(spec, Start):
            start, reset = spec, None
        elif isinstance(spec, Mapping):
            unknown = set(spec) - {"start", "reset"}
            if unknown:
                raise ValueError(
                    f"Policy {name!r}: unknown key(s) {sorted(unknown)}; use "
                    "'start' and 'reset'."
                )
            start, reset = spec.get("start", "warm"), spec.get("reset")
        elif isinstance(spec, tuple) and len(spec) == 2:
            start, reset = spec
        else:
            raise TypeError(
                f"Policy {name!r} must be a built-in name, a Start, or a tuple "
                f"(start, reset), got {spec!r}."
            )
        try:
            start_obj = check_start(start)
            check_triggers(reset)
        except (TypeError, ValueError) as error:
            raise type(error)(f"Policy {name!r}: {error}") from error
        out.append(NamedPolicy(name, start_obj, reset))
    names = [p.name for p in out]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"Policy names must be unique; repeated: {duplicated}.")
    return out


# --------------------------------------------------------------------------- inputs


def unsupported_policies(estimator: Any, policies: Any) -> dict[str, str]:
    """The policies a model's family cannot run in ``fit``, with the reason.

    Parameters
    ----------
    estimator : estimator
        The model (or pipeline) a study would wrap.
    policies : list of str or dict
        As :func:`compare_policies` takes them.

    Returns
    -------
    problems : dict
        ``policy name -> reason`` for every policy whose start (or a trigger's
        reset start) the family cannot honour; empty when all can run.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn_warmstart.study import unsupported_policies
    >>> sorted(unsupported_policies(RandomForestClassifier(), ["cold", "warm",
    ...                                                       "shrink_perturb"]))
    ['shrink_perturb']
    """
    if isinstance(estimator, WarmStartClassifier | WarmStartRegressor):
        estimator = estimator.estimator
    adapter = adapter_for(estimator)
    problems = {}
    for pol in resolve_policies(policies):
        for start in every_start(pol.start, check_triggers(pol.reset)):
            if start.kind == "cold":
                continue
            try:
                adapter.check_start(start, "fit")
            except ValueError as error:
                problems[pol.name] = str(error)
                break
    return problems


def time_ordered_cv(n_splits: int, n_samples: int) -> TimeSeriesSplit:
    """The default time-ordered CV: the last third of the rows held out in blocks.

    Each of the ``n_splits`` folds tests on a block of ``n_samples // (3 *
    n_splits)`` consecutive rows and trains on every row before it, so the
    earliest fold trains on about two thirds of the rows.

    Parameters
    ----------
    n_splits : int
        Number of folds (>= 1).
    n_samples : int
        Number of rows.

    Returns
    -------
    cv : TimeSeriesSplit
        The splitter.

    Examples
    --------
    >>> from sklearn_warmstart.study import time_ordered_cv
    >>> import numpy as np
    >>> [(len(tr), len(te)) for tr, te in time_ordered_cv(3, 900).split(np.zeros(900))]
    [(600, 100), (700, 100), (800, 100)]
    """
    if not isinstance(n_splits, Integral) or n_splits < 1:
        raise ValueError(f"cv must be an int >= 1 or a splitter, got {n_splits!r}.")
    test_size = n_samples // (3 * int(n_splits))
    if test_size < 1:
        raise ValueError(
            f"{n_samples} rows are too few for {n_splits} time-ordered folds."
        )
    if n_splits == 1:
        # TimeSeriesSplit needs two splits; one fold is the last block.
        return _LastBlock(test_size)
    return TimeSeriesSplit(n_splits=int(n_splits), test_size=test_size)


class _LastBlock(TimeSeriesSplit):
    """One fold: train on every row before the last ``test_size`` rows."""

    def __init__(self, test_size: int):
        super().__init__(n_splits=2, test_size=test_size)

    def split(self, X, y=None, groups=None):
        *_, last = super().split(X, y, groups)
        yield last

    def get_n_splits(self, X=None, y=None, groups=None):
        return 1


def as_wrapper(
    estimator: Any, schedule: Retrain | None
) -> WarmStartClassifier | WarmStartRegressor:
    if isinstance(estimator, WarmStartClassifier | WarmStartRegressor):
        wrapper = clone(estimator)
    elif is_classifier(estimator):
        wrapper = WarmStartClassifier(estimator)
    elif is_regressor(estimator):
        wrapper = WarmStartRegressor(estimator)
    else:
        raise TypeError(
            "estimator must be a scikit-learn classifier or regressor, or a "
            f"WarmStartClassifier/WarmStartRegressor, got {type(estimator).__name__}."
        )
    if schedule is not None:
        wrapper.set_params(schedule=schedule)
    return wrapper


def check_seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {seeds!r}.")
        return list(range(int(seeds)))
    if isinstance(seeds, Sequence) and not isinstance(seeds, str):
        out = []
        for seed in seeds:
            if not isinstance(seed, Integral) or isinstance(seed, bool):
                raise ValueError(f"seeds must be ints, got {seed!r}.")
            out.append(int(seed))
        if not out or len(set(out)) != len(out):
            raise ValueError(
                f"seeds must be distinct and non-empty, got {list(seeds)}."
            )
        return out
    raise TypeError(f"seeds must be an int or a list of ints, got {seeds!r}.")


def check_noise(noise: Any, name: str) -> list[float]:
    values = [noise] if isinstance(noise, Real) else list(noise)
    if not values:
        raise ValueError(f"{name} must list at least one noise level.")
    for value in values:
        if not isinstance(value, Real) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must hold finite numbers >= 0, got {value!r}.")
    return [float(v) for v in values]


def n_rows(X: Any) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)
