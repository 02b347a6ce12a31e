"""The settings of a policy study, and the validated list of its fits."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid

from ..adapters import adapter_for
from ..policies import Perturb, check_triggers
from ..schedules import Retrain, check_schedule
from .assemble import assemble
from .fit import dispatch
from .resolve import (
    as_wrapper,
    check_noise,
    check_seeds,
    n_rows,
    resolve_policies,
    time_ordered_cv,
)
from .result import StudyResult

__all__ = ["StudyConfig", "StudyPlan"]


@dataclass(frozen=True)
class StudyConfig:
    """The settings of a policy study: everything :func:`compare_policies` takes but the data.

    ``compare_policies(estimator, X, y, policies, **settings)`` is
    ``StudyConfig(policies, **settings).plan(estimator, X, y).run()``. Planning
    first validates the whole study and counts its fits without training
    anything, so a caller (the command line, for one) can refuse bad settings
    or announce the work before it starts.

    Parameters
    ----------
    policies : list of str or dict, default=("cold", "warm", "shrink_perturb")
        As in :func:`compare_policies`; so are all the other parameters.
    schedule : Retrain or int, default=5
    seeds : int or list of int, default=3
    cv : int or splitter, default=3
    scoring : str, callable or None, default=None
    baseline : str, default="cold"
    n_jobs : int or None, default=None
    drift_positions : list of int, default=None
    perturbation : list of float, default=None
    perturbation_draws : int, default=5
    test : {"wilcoxon", "ttest"}, default="wilcoxon"
    alpha : float, default=0.05
    score_tol : float, default=0.005
    compute_tol : float, default=0.1
    compute : {"auto", "epochs", "fit_time"}, default="auto"
    epsilon : float, default=0.02
    progress : bool, default=False

    See Also
    --------
    compare_policies : Plans and runs a study in one call.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart.datasets import load_scenario
    >>> from sklearn_warmstart.study import StudyConfig
    >>> sea = load_scenario("sea_stationary", n_samples=900, seed=0)
    >>> plan = StudyConfig(["cold", "warm"], schedule=3, seeds=3, cv=2).plan(
    ...     SGDClassifier(), sea.X, sea.y)
    >>> plan.n_fits
    12
    >>> plan.run().summary.index.tolist()
    ['cold', 'warm']
    """

    policies: Any = ("cold", "warm", "shrink_perturb")
    schedule: Retrain | int = 5
    seeds: int | Sequence[int] = 3
    cv: Any = 3
    scoring: Any = None
    baseline: str = "cold"
    n_jobs: int | None = None
    drift_positions: Sequence[int] | None = None
    perturbation: Sequence[float] | None = None
    perturbation_draws: int = 5
    test: str = "wilcoxon"
    alpha: float = 0.05
    score_tol: float = 0.005
    compute_tol: float = 0.1
    compute: str = "auto"
    epsilon: float = 0.02
    progress: bool = False

    def plan(self, estimator: Any, X: Any, y: Any) -> StudyPlan:
        """Validate the study on this model and data, and list its fits.

        Nothing is trained. Warnings about the study (too few pairs for the
        test, a splitter that is not time-ordered) are issued here.

        Parameters
        ----------
        estimator : estimator
            The model, plain or wrapped, as in :func:`compare_policies`.
        X : array-like of shape (n_samples, n_features)
            Rows in time order.
        y : array-like of shape (n_samples,)
            Targets in time order.

        Returns
        -------
        plan : StudyPlan
            The fits, ready to :meth:`~StudyPlan.run`.

        Raises
        ------
        ValueError, TypeError
            When a setting is invalid for this model or data; the message
            names the setting.
        """
        policies, schedule, seeds, cv = (
            self.policies,
            self.schedule,
            self.seeds,
            self.cv,
        )
        scoring, baseline, test, compute = (
            self.scoring,
            self.baseline,
            self.test,
            self.compute,
        )
        alpha, score_tol, compute_tol, epsilon = (
            self.alpha,
            self.score_tol,
            self.compute_tol,
            self.epsilon,
        )
        drift_positions, perturbation = self.drift_positions, self.perturbation
        perturbation_draws = self.perturbation_draws
        resolved = resolve_policies(policies)
        names = [p.name for p in resolved]
        if baseline not in names:
            raise ValueError(
                f"baseline={baseline!r} is not among the policies {names}; add it to "
                "policies or choose one of them."
            )
        seed_list = check_seeds(seeds)
        schedule_obj = check_schedule(schedule)
        if schedule_obj is None:
            raise ValueError("schedule must be a Retrain or an int >= 1, not None.")
        wrapper = as_wrapper(estimator, schedule_obj)
        if test not in ("wilcoxon", "ttest"):
            raise ValueError(f"test must be 'wilcoxon' or 'ttest', got {test!r}.")
        if compute not in ("auto", "epochs", "fit_time"):
            raise ValueError(
                f"compute must be 'auto', 'epochs' or 'fit_time', got {compute!r}."
            )
        for name, value, low, high in (
            ("alpha", alpha, 0.0, 1.0),
            ("compute_tol", compute_tol, 0.0, 1.0),
        ):
            if not isinstance(value, Real) or not low < value < high:
                raise ValueError(f"{name} must be in ({low}, {high}), got {value!r}.")
        for name, value in (("score_tol", score_tol), ("epsilon", epsilon)):
            if not isinstance(value, Real) or not value >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
        n_samples = n_rows(X)
        if len(y) != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {len(y)}.")
        drifts = tuple(int(p) for p in (drift_positions or ()))
        for p in drifts:
            if not 0 <= p < n_samples:
                raise ValueError(f"drift position {p} is outside the {n_samples} rows.")
        noise = (
            None if perturbation is None else check_noise(perturbation, "perturbation")
        )
        if not isinstance(perturbation_draws, Integral) or perturbation_draws < 1:
            raise ValueError(
                f"perturbation_draws must be an int >= 1, got {perturbation_draws!r}."
            )
        splitter = time_ordered_cv(cv, n_samples) if isinstance(cv, Integral) else cv
        if not hasattr(splitter, "split"):
            raise TypeError(
                f"cv must be an int or a splitter with split(), got {cv!r}."
            )
        splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]
        if not splits:
            raise ValueError("cv produced no folds.")
        for fold, (train, test_rows) in enumerate(splits):
            try:
                schedule_obj.split(len(train))
            except ValueError as error:
                raise ValueError(
                    f"Fold {fold} ({len(train)} training rows): {error}"
                ) from None
            if len(train) and len(test_rows) and test_rows.min() <= train.max():
                warnings.warn(
                    f"Fold {fold} tests on rows that precede some of its training rows; "
                    "use a time-ordered splitter (e.g. TimeSeriesSplit) so each fold "
                    "is scored on data that comes after its training range.",
                    UserWarning,
                    stacklevel=3,
                )
        check_scoring(wrapper, scoring)
        n_pairs = len(seed_list) * len(splits)
        if test == "wilcoxon" and 2.0 / 2**n_pairs >= alpha:
            warnings.warn(
                f"{len(seed_list)} seeds x {len(splits)} folds give {n_pairs} pairs, too "
                f"few for the Wilcoxon test to reach p < {alpha}: every verdict will "
                "be neutral. Use more seeds or folds (6 pairs at least for 0.05), or "
                "test='ttest'.",
                UserWarning,
                stacklevel=3,
            )
        adapter = adapter_for(wrapper.estimator)
        for pol in resolved:
            triggers = check_triggers(pol.reset)
            for start in (*pol.start.starts(), *(t.reset_start() for t in triggers)):
                if start.kind != "cold":
                    try:
                        adapter.check_start(start, "fit")
                    except ValueError as error:
                        raise type(error)(f"Policy {pol.name!r}: {error}") from None
        if noise is not None:
            adapter.check_start(Perturb(0.0), "fit")

        # ---- the grid: one candidate per (policy, seed); one task per fold
        tasks = []
        for p_i, pol in enumerate(resolved):
            grid = ParameterGrid(
                {"start": [pol.start], "reset": [pol.reset], "random_state": seed_list}
            )
            for s_i, params in enumerate(grid):
                for fold, (train, test_rows) in enumerate(splits):
                    tasks.append(
                        (
                            wrapper,
                            params,
                            X,
                            y,
                            train,
                            test_rows,
                            scoring,
                            noise,
                            int(perturbation_draws),
                            (p_i, s_i, fold),
                        )
                    )
        config = {
            "estimator": " ".join(repr(wrapper.estimator).split()),
            "schedule": schedule_obj.describe(),
            "cv": repr(splitter),
            "n_folds": len(splits),
            "seeds": seed_list,
            "scoring": "default" if scoring is None else repr(scoring),
            "test": test,
            "alpha": alpha,
            "score_tol": score_tol,
            "compute_tol": compute_tol,
            "epsilon": epsilon,
            "n_samples": n_samples,
        }
        return StudyPlan(
            tasks,
            self.n_jobs,
            self.progress,
            dict(
                policies=resolved,
                seeds=seed_list,
                baseline=baseline,
                classifier=is_classifier(wrapper),
                drift_positions=drifts,
                epsilon=float(epsilon),
                test=test,
                alpha=float(alpha),
                score_tol=float(score_tol),
                compute_tol=float(compute_tol),
                compute=compute,
                config=config,
            ),
        )


class StudyPlan:
    """A validated study: the fits to run and how to assemble their results.

    Made by :meth:`StudyConfig.plan`; nothing has been trained yet.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart.datasets import load_scenario
    >>> from sklearn_warmstart.study import StudyConfig
    >>> sea = load_scenario("sea_stationary", n_samples=600, seed=0)
    >>> plan = StudyConfig(["cold", "warm"], schedule=2, seeds=1, cv=1,
    ...                    test="ttest").plan(SGDClassifier(), sea.X, sea.y)
    >>> plan.n_fits
    2
    """

    def __init__(
        self, tasks: list[tuple], n_jobs: Any, progress: bool, how: dict[str, Any]
    ):
        self._tasks = tasks
        self._n_jobs = n_jobs
        self._progress = progress
        self._how = how

    @property
    def n_fits(self) -> int:
        """Number of (policy, seed, fold) fits."""
        return len(self._tasks)

    def run(self) -> StudyResult:
        """Run the fits (through joblib) and assemble the result.

        Returns
        -------
        result : StudyResult
            As :func:`compare_policies` returns it.
        """
        results = dispatch(self._tasks, self._n_jobs, self._progress)
        return assemble(results, **self._how)

    def __repr__(self) -> str:
        return f"StudyPlan({self.n_fits} fits)"
