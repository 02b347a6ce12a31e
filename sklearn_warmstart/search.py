"""Hyperparameter searches that warm-start each candidate from a fitted neighbour.

:class:`WarmGridSearchCV` and :class:`WarmRandomizedSearchCV` are scikit-learn's
``GridSearchCV`` and ``RandomizedSearchCV`` (the same ``BaseSearchCV``
machinery: ``cv_results_``, ``best_*``, ``refit``, scoring, ``error_score``,
delegation) with one change: within each CV fold, candidates are visited along
*chains*, and each candidate of a chain starts from its predecessor's model
fitted on the same training rows. Each chain x fold is one joblib task.

Which parameter a chain may walk, and in which direction, is family knowledge:
the adapters answer it (:meth:`~sklearn_warmstart.adapters.Adapter.chain_step`).
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from traceback import format_exc
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import ParameterGrid, ParameterSampler, check_cv
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import indexable

from ._compat import (
    GRID_SEARCH_CONSTRAINTS,
    RANDOMIZED_SEARCH_CONSTRAINTS,
    BaseSearchCV,
    StrOptions,
    check_method_params,
    fit_context,
    insert_error_scores,
    multimetric_scorers,
    num_samples,
    safe_split,
    score_fitted,
    scorer_names,
    warn_or_raise_about_fit_failures,
)
from .adapters import Adapter, WarmStartFlagAdapter, adapter_for
from .estimators import WarmStartClassifier, WarmStartRegressor
from .policies import Warm

__all__ = ["WarmGridSearchCV", "WarmRandomizedSearchCV", "plan_chains"]


# ----------------------------------------------------------------------------- chains
def _is_number(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and bool(np.isfinite(value))
    )


def _group_value(value: Any) -> Any:
    """A hashable stand-in for a parameter value: itself if plain, else its id."""
    plain = (str, bytes, numbers.Number, type(None))
    if isinstance(value, plain):
        return (type(value).__name__, value)
    if isinstance(value, tuple) and all(isinstance(v, plain) for v in value):
        return ("tuple", value)
    return ("object", id(value))


def _walkable(
    candidates: Sequence[Mapping[str, Any]],
    steps: Sequence[Callable[[str], str | None]],
) -> dict[str, str]:
    """Parameter -> direction for the parameters every candidate can walk warm."""
    names = {name for params in candidates for name in params}
    walk = {}
    for name in sorted(names):
        answers = {
            steps[i](name) if _is_number(params[name]) else None
            for i, params in enumerate(candidates)
            if name in params
        }
        if len(answers) == 1 and None not in answers:
            walk[name] = answers.pop()
    return walk


def _snake(
    members: list[int],
    names: list[str],
    candidates: Sequence[Mapping[str, Any]],
    walk: Mapping[str, str],
    turns: list[int],
    level: int = 0,
) -> list[int]:
    """``members`` in nested-loop order, each inner loop reversed at every step."""
    if level == len(names) or len(members) <= 1:
        return members
    name = names[level]
    by_value: dict[Any, list[int]] = defaultdict(list)
    for i in members:
        by_value[candidates[i][name]].append(i)
    values = sorted(by_value, reverse=walk[name] == "decreasing")
    if turns[level] % 2:
        values.reverse()
    turns[level] += 1
    out: list[int] = []
    for value in values:
        out += _snake(by_value[value], names, candidates, walk, turns, level + 1)
    return out


def plan_chains(
    candidates: Sequence[Mapping[str, Any]],
    chain_step: Callable[[str], str | None] | Sequence[Callable[[str], str | None]],
    order: str | None = "auto",
) -> list[list[int]]:
    """Chains of candidate indices, each in the order a warm search visits it.

    Parameters
    ----------
    candidates : sequence of dict
        Parameter settings, as ``ParameterGrid`` or ``ParameterSampler`` lists them.
    chain_step : callable or sequence of callables
        ``chain_step(param) -> "increasing" | "decreasing" | None``: whether a
        parameter may be walked warm and from which end (the adapter's
        :meth:`~sklearn_warmstart.adapters.Adapter.chain_step`); one per
        candidate, or one for all. A parameter is walked only if every
        candidate's answer agrees and its values are finite numbers.
    order : {"auto", "grid"} or None, default="auto"
        ``"auto"``: candidates that differ only in walkable parameters form one
        chain, visited in nested loops from the most constrained model to the
        least; the walkable parameter with the most values is the outer loop
        (ties by name) and every inner loop is reversed at each step of the
        loop around it, so consecutive candidates differ in one parameter.
        ``"grid"``: the candidates' own order; a new chain starts wherever a
        parameter that cannot be walked changes. None: every candidate is a
        chain of its own (cold).

    Returns
    -------
    chains : list of list of int
        Indices into ``candidates``; every index appears exactly once.

    Examples
    --------
    >>> from sklearn.model_selection import ParameterGrid
    >>> from sklearn_warmstart.search import plan_chains
    >>> grid = list(ParameterGrid({"alpha": [1e-4, 1e-2], "tol": [1e-3, 1e-1]}))
    >>> step = {"alpha": "decreasing", "tol": "decreasing"}.get
    >>> [[(grid[i]["alpha"], grid[i]["tol"]) for i in c] for c in plan_chains(grid, step)]
    [[(0.01, 0.1), (0.01, 0.001), (0.0001, 0.001), (0.0001, 0.1)]]
    >>> plan_chains(grid, step, order=None)
    [[0], [1], [2], [3]]
    """
    n = len(candidates)
    if order is None:
        return [[i] for i in range(n)]
    steps = [chain_step] * n if callable(chain_step) else list(chain_step)
    walk = _walkable(candidates, steps)

    def group(params: Mapping[str, Any]) -> tuple:
        fixed = tuple(
            sorted((k, _group_value(v)) for k, v in params.items() if k not in walk)
        )
        return fixed, tuple(sorted(k for k in params if k in walk))

    keys = [group(params) for params in candidates]
    if order == "grid":
        chains: list[list[int]] = []
        for i in range(n):
            if chains and keys[chains[-1][-1]] == keys[i]:
                chains[-1].append(i)
            else:
                chains.append([i])
        return chains
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    chains = []
    for (_, names), members in groups.items():
        count = {m: len({candidates[i][m] for i in members}) for m in names}
        loops = sorted(names, key=lambda m: (-count[m], m))
        chains.append(_snake(members, loops, candidates, walk, [0] * len(loops)))
    return chains


# ----------------------------------------------------------------------------- families
_WRAPPERS = (WarmStartClassifier, WarmStartRegressor)
_INNER = "estimator__"


def _inner(estimator: Any) -> Any | None:
    """The model a chain walks inside one of our wrappers, or None.

    A wrapper without a schedule or ``init`` fits its model once, cold: its
    fold fits can be the model's chain steps. With a schedule (a sequence of
    runs) or ``init`` (a warm first run), every candidate goes through the
    wrapper's own ``fit``.
    """
    if isinstance(estimator, _WRAPPERS):
        if estimator.schedule is None and estimator.init is None:
            return estimator.estimator
    return None


def _adapter(estimator: Any) -> Adapter:
    """The adapter of the model a chain walks (inside a wrapper, the wrapped one)."""
    inner = _inner(estimator)
    return adapter_for(estimator if inner is None else inner)


def _chain_step(estimator: Any) -> Callable[[str], str | None]:
    """``chain_step`` of a configured candidate, in the search's parameter names."""
    if isinstance(estimator, _WRAPPERS):
        if _inner(estimator) is None:
            return lambda name: None
        step = adapter_for(estimator.estimator).chain_step
        return lambda name: (
            step(name[len(_INNER) :]) if name.startswith(_INNER) else None
        )
    return adapter_for(estimator).chain_step


# ----------------------------------------------------------------------------- one task
def _fit_warm(
    adapter: Adapter,
    template: Any,
    previous: Any,
    X: Any,
    y: Any,
    fit_params: Mapping[str, Any],
) -> Any | None:
    """``template`` trained from ``previous`` by its adapter; None to fit it cold.

    A warm step that fails is retried cold (as ``GridSearchCV`` would fit
    it): only the cold fit's own failure counts as the candidate's.
    """
    try:
        return adapter.fit_chain(template, previous, Warm(), X, y, fit_params)
    except Exception:
        return None


class _Fitted(NamedTuple):
    """One chain step's fit: the model (None if it failed) and how it was trained."""

    model: Any
    adapter: Adapter
    warm: bool
    fit_time: float
    error: str | None = None


def _configured(base_estimator: Any, parameters: Mapping[str, Any]) -> Any:
    return clone(base_estimator).set_params(**clone(parameters, safe=False))


def _fit_step(
    base_estimator: Any,
    estimator: Any,
    parameters: Mapping[str, Any],
    previous: Any | None,
    X: Any,
    y: Any,
    fit_params: Mapping[str, Any],
    error_score: Any,
) -> _Fitted:
    """One candidate: warm from ``previous`` if given and possible, else cold."""
    inner = _inner(estimator)
    adapter = adapter_for(estimator if inner is None else inner)
    start_time = time.time()
    model = None
    try:
        attempted = previous is not None
        if attempted:
            model = _fit_warm(
                adapter,
                estimator if inner is None else inner,
                previous,
                X,
                y,
                fit_params,
            )
        warm = model is not None
        if model is None:
            if attempted:  # the warm attempt may have consumed the template
                estimator = _configured(base_estimator, parameters)
            if y is None:
                model = estimator.fit(X, **fit_params)
            else:
                model = estimator.fit(X, y, **fit_params)
    except Exception:
        if error_score == "raise":
            raise
        return _Fitted(None, adapter, False, time.time() - start_time, format_exc())
    return _Fitted(model, adapter, warm, time.time() - start_time)


def _fit_path(
    template: Any,
    values: list[dict[str, Any]],
    previous: Any | None,
    X: Any,
    y: Any,
    fit_params: Any,
) -> list[_Fitted] | None:
    """A leading run of a chain's next candidates fitted at once, or None.

    :meth:`Adapter.fit_path <sklearn_warmstart.adapters.Adapter.fit_path>`;
    the run's time is shared equally among its candidates.
    """
    if len(values) < 2 or _inner(template) is not None:
        return None
    adapter = adapter_for(template)
    start_time = time.time()
    models = adapter.fit_path(template, values, previous, X, y, fit_params)
    if not models:
        return None
    fit_time = (time.time() - start_time) / len(models)
    return [
        _Fitted(model, adapter, k > 0 or previous is not None, fit_time)
        for k, model in enumerate(models)
    ]


def _fit_chain_fold(
    base_estimator: Any,
    X: Any,
    y: Any,
    *,
    train: np.ndarray,
    test: np.ndarray,
    steps: Sequence[tuple[int, dict[str, Any], bool]],
    scorer: Any,
    fit_params: Mapping[str, Any] | None,
    score_params: Mapping[str, Any] | None,
    return_train_score: bool,
    error_score: Any,
    verbose: int,
    split_progress: tuple[int, int],
) -> list[tuple[int, dict[str, Any]]]:
    """Fit and score one chain on one fold, as ``_fit_and_score`` does per candidate.

    ``steps`` lists ``(candidate index, parameters, warm)``; a warm step starts
    from the previous step's fitted model (cold if that step failed or its
    adapter cannot continue it). Consecutive warm steps are offered to the
    adapter's :meth:`~sklearn_warmstart.adapters.Adapter.fit_path` first.
    Returns ``(candidate index, result)`` pairs whose results carry
    ``_fit_and_score``'s keys plus ``n_iter`` and ``warm``.
    """
    fit_params = check_method_params(X, params=fit_params or {}, indices=train)
    score_params = score_params or {}
    score_train = check_method_params(X, params=score_params, indices=train)
    score_test = check_method_params(X, params=score_params, indices=test)
    X_train, y_train = safe_split(base_estimator, X, y, train)
    X_test, y_test = safe_split(base_estimator, X, y, test, train)
    names = scorer_names(scorer)
    out = []
    previous = None
    position = 0
    while position < len(steps):
        _, parameters, warm = steps[position]
        start = previous if warm else None
        run_end = position + 1
        while run_end < len(steps) and steps[run_end][2]:
            run_end += 1
        template = _configured(base_estimator, parameters)
        try:
            fitted = _fit_path(
                template,
                [p for _, p, _ in steps[position:run_end]],
                start,
                X_train,
                y_train,
                fit_params,
            )
        except Exception:  # the candidate then reports its own error
            fitted = None
            template = _configured(base_estimator, parameters)
        if fitted is None:
            fitted = [
                _fit_step(
                    base_estimator,
                    template,
                    parameters,
                    start,
                    X_train,
                    y_train,
                    fit_params,
                    error_score,
                )
            ]
        for step in fitted:
            index, parameters, _ = steps[position]
            position += 1
            result: dict[str, Any] = {"fit_error": step.error}
            if step.model is None:
                score_time = 0.0
                if names is not None:
                    test_scores = dict.fromkeys(names, error_score)
                else:
                    test_scores = error_score
                train_scores = (
                    test_scores.copy() if isinstance(test_scores, dict) else test_scores
                )
                n_iter = None
                previous = None
            else:
                model = step.model
                score_start = time.time()
                test_scores = score_fitted(
                    model, X_test, y_test, scorer, score_test, error_score
                )
                score_time = time.time() - score_start
                if return_train_score:
                    train_scores = score_fitted(
                        model, X_train, y_train, scorer, score_train, error_score
                    )
                # a wrapper's chain continues (and counts) the model it wraps
                walked = model.estimator_ if isinstance(model, _WRAPPERS) else model
                n_iter = step.adapter.chain_n_iter(
                    walked, previous if step.warm else None
                )
                previous = walked
            if verbose > 1:
                _print_end(
                    parameters, split_progress, test_scores, step.fit_time + score_time
                )
            result["test_scores"] = test_scores
            if return_train_score:
                result["train_scores"] = train_scores
            result["n_test_samples"] = num_samples(X_test)
            result["fit_time"] = step.fit_time
            result["score_time"] = score_time
            result["n_iter"] = np.nan if n_iter is None else float(n_iter)
            result["warm"] = step.warm
            out.append((index, result))
    return out


def _print_end(
    parameters: Mapping[str, Any],
    split_progress: tuple[int, int],
    test_scores: Any,
    total_time: float,
) -> None:
    params = ", ".join(f"{k}={parameters[k]}" for k in sorted(parameters))
    if isinstance(test_scores, dict):
        scores = " ".join(f"{k}={v:.3f}" for k, v in sorted(test_scores.items()))
    else:
        scores = f"score={test_scores:.3f}"
    split = f"{split_progress[0] + 1}/{split_progress[1]}"
    print(f"[CV {split}] END {params}; {scores} total time={total_time:.1f}s")


# ----------------------------------------------------------------------------- the search
class _WarmSearch(BaseSearchCV):
    """BaseSearchCV whose evaluation runs chains x folds instead of candidates x folds."""

    def _no_warm_warning(self, base_estimator: Any) -> None:
        if self.order is None:
            return
        if isinstance(base_estimator, _WRAPPERS) and _inner(base_estimator) is None:
            family = base_estimator
            why = "with a schedule or init, each fit is the wrapper's own runs"
        else:
            adapter = _adapter(base_estimator)
            if "warm" in adapter.fit_starts:
                return
            adapter = getattr(adapter, "final", adapter)  # a pipeline's final step
            family = adapter.estimator
            if isinstance(adapter, WarmStartFlagAdapter):
                why = "it has no warm_start parameter and no adapter knows its family"
            else:
                why = f"{type(adapter).__name__} supports only cold fits for it"
        warnings.warn(
            f"{type(family).__name__} cannot be warm-started ({why}): "
            f"{type(self).__name__} fits every candidate cold, as GridSearchCV does.",
            UserWarning,
            stacklevel=4,
        )

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None, **params: Any) -> _WarmSearch:
        """Run fit with all sets of parameters, along warm chains.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training vectors (or a precomputed kernel or distance matrix).
        y : array-like of shape (n_samples,) or (n_samples, n_output), default=None
            Targets; None for unsupervised learning.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter (``groups``), exactly as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = check_method_params(X, params=params)
        routed_params = self._get_routed_params_for_fit(params)
        self._checked_cv_orig = check_cv(
            self.cv, y, classifier=is_classifier(self.estimator)
        )
        self.n_splits_ = self._checked_cv_orig.get_n_splits(
            X, y, **routed_params.splitter.split
        )
        base_estimator = clone(self.estimator)
        self._no_warm_warning(base_estimator)
        parallel = Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch)
        task_kwargs = dict(
            scorer=scorers,
            fit_params=routed_params.estimator.fit,
            score_params=routed_params.scorer.score,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            verbose=self.verbose,
        )
        all_candidates: list[dict[str, Any]] = []
        all_out: list[dict[str, Any]] = []
        all_more: dict[str, list] = defaultdict(list)
        results: dict[str, Any] = {}

        def evaluate_candidates(candidate_params, cv=None, more_results=None, **_):
            nonlocal results
            cv = cv or self._checked_cv_orig
            candidates = list(candidate_params)
            n_splits = self.n_splits_
            splits = list(cv.split(X, y, **routed_params.splitter.split))
            if len(splits) != n_splits:
                raise ValueError(
                    "cv.split and cv.get_n_splits return inconsistent results. "
                    f"Expected {n_splits} splits, got {len(splits)}"
                )
            chains = self._plan(base_estimator, candidates)
            if self.verbose > 0:
                print(
                    f"Fitting {n_splits} folds for each of {len(candidates)} "
                    f"candidates along {len(chains)} chains, totalling "
                    f"{len(candidates) * n_splits} fits"
                )
            tasks = [
                [(i, candidates[i], k > 0) for k, i in enumerate(chain)]
                for chain in chains
            ]
            out = parallel(
                delayed(_fit_chain_fold)(
                    base_estimator,  # a task fits only its own clones of it
                    X,
                    y,
                    train=train,
                    test=test,
                    steps=steps,
                    split_progress=(split_idx, n_splits),
                    **task_kwargs,
                )
                for steps in tasks
                for split_idx, (train, test) in enumerate(splits)
            )
            if not candidates or not splits:
                raise ValueError(
                    "No fits were performed. Was the CV iterator empty? "
                    "Were there no candidates?"
                )
            # back to candidate x split order, as _format_results reads it
            by_cell = {}
            for task_index, task_out in enumerate(out):
                for index, result in task_out:
                    by_cell[index, task_index % n_splits] = result
            ordered = [
                by_cell[i, s] for i in range(len(candidates)) for s in range(n_splits)
            ]
            warn_or_raise_about_fit_failures(ordered, self.error_score)
            if callable(self.scoring):
                insert_error_scores(ordered, self.error_score)
            more = self._chain_columns(chains, ordered, len(candidates), n_splits)
            offset = len(all_candidates)
            more["warm_from"] = [
                w + offset if w >= 0 else -1 for w in more["warm_from"]
            ]
            first_chain = max(all_more["chain"], default=-1) + 1
            more["chain"] = [c + first_chain for c in more["chain"]]
            all_candidates.extend(candidates)
            all_out.extend(
                {k: v for k, v in r.items() if k not in ("n_iter", "warm")}
                for r in ordered
            )
            for key, value in {**more, **(more_results or {})}.items():
                all_more[key].extend(value)
            results = self._format_results(all_candidates, n_splits, all_out, all_more)
            return results

        with parallel:
            self._run_search(evaluate_candidates)
        first_test_score = all_out[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_test_score)
            refit_metric = self.refit

        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]

        if self.refit:
            self.best_estimator_ = clone(base_estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            refit_start_time = time.time()
            if y is not None:
                self.best_estimator_.fit(X, y, **routed_params.estimator.fit)
            else:
                self.best_estimator_.fit(X, **routed_params.estimator.fit)
            self.refit_time_ = time.time() - refit_start_time
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_

        names = scorer_names(scorers)
        self.scorer_ = scorers if names is None else multimetric_scorers(scorers)
        self.cv_results_ = results
        return self

    def _plan(self, base_estimator: Any, candidates: list[dict]) -> list[list[int]]:
        if self.order is None:
            return plan_chains(candidates, lambda name: None, None)
        # chain_step answers by parameter name and family, and no numeric value
        # changes a family: one configured candidate per pattern of the others
        asked: dict[tuple, Callable[[str], str | None]] = {}
        steps = []
        for params in candidates:
            key = tuple(
                sorted(
                    (k, None if _is_number(v) else _group_value(v))
                    for k, v in params.items()
                )
            )
            if key not in asked:
                asked[key] = _chain_step(_configured(base_estimator, params))
            steps.append(asked[key])
        return plan_chains(candidates, steps, self.order)

    @staticmethod
    def _chain_columns(
        chains: list[list[int]], ordered: list[dict], n_candidates: int, n_splits: int
    ) -> dict[str, list]:
        """``chain``, ``warm_from`` and ``n_iter`` per candidate."""
        chain_of = [0] * n_candidates
        warm_from = [-1] * n_candidates
        for chain_id, chain in enumerate(chains):
            for k, i in enumerate(chain):
                chain_of[i] = chain_id
                warm = all(ordered[i * n_splits + s]["warm"] for s in range(n_splits))
                warm_from[i] = chain[k - 1] if k > 0 and warm else -1
        n_iter = [
            float(
                np.mean([ordered[i * n_splits + s]["n_iter"] for s in range(n_splits)])
            )
            for i in range(n_candidates)
        ]
        return {"chain": chain_of, "warm_from": warm_from, "n_iter": n_iter}


_ORDER = {"order": [StrOptions({"auto", "grid"}), None]}


class WarmGridSearchCV(_WarmSearch):
    """``GridSearchCV`` that warm-starts each candidate from a fitted neighbour.

    Everything ``GridSearchCV`` does, it does the same way (``cv_results_``,
    ``best_params_``, ``best_score_``, ``best_estimator_``, ``refit``,
    multi-metric scoring, ``error_score``, ``groups``, delegation of
    ``predict``/``score``, ``n_jobs``), except how the candidates of one CV
    fold are fitted: along *chains*. A parameter whose change keeps the
    model's parameter shapes and preprocessing (regularisation, learning
    rate, tolerance, a forest's ``n_estimators``) can be walked warm; the
    estimator's adapter says which (:meth:`Adapter.chain_step
    <sklearn_warmstart.adapters.Adapter.chain_step>`). Any other parameter
    (hidden layer sizes, a transformer's parameters, the loss, a parameter no
    adapter knows) starts a new chain, cold. Each chain x fold is one joblib
    task, so ``n_jobs`` and a Dask backend scale it out.

    Parameters
    ----------
    estimator : estimator object
        Any estimator: a linear model, an ``MLPClassifier``, a forest, a
        ``Pipeline`` (only the final step's parameters are walked), a skorch
        net. An estimator with no warm start (``SVC``, ``KMeans``) is searched
        cold, exactly as ``GridSearchCV`` does, with one warning.
    param_grid : dict or list of dicts
        As in ``GridSearchCV``.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in ``GridSearchCV``.
    order : {"auto", "grid"} or None, default="auto"
        How candidates are chained (:func:`plan_chains`). ``"auto"``: from the
        most constrained model to the least (strongest regularisation, fewest
        trees first), in nested loops over the walkable parameters, the one
        with the most values outermost, every inner loop reversed at each
        step so that neighbours stay adjacent. ``"grid"``: the grid's own
        order. None: every candidate cold, as ``GridSearchCV``.

    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``GridSearchCV`` (rows in ``ParameterGrid`` order), plus
        ``chain`` (the chain id), ``warm_from`` (the index of the candidate it
        started from, -1 for cold; -1 also when a fold had to start cold
        because its predecessor failed) and ``n_iter`` (epochs, iterations or
        members trained for that candidate, mean over the folds; NaN when the
        model does not say).
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in ``GridSearchCV``. ``refit=True`` refits the best candidate cold
        on all rows.

    See Also
    --------
    WarmRandomizedSearchCV : the same over sampled candidates.
    sklearn.model_selection.GridSearchCV : every candidate cold.

    Notes
    -----
    For non-convex models (networks) a warm chain's result depends on the
    order it walks: compare with ``GridSearchCV`` on a subsample; ``order``
    and the ``chain`` column make a search reproducible, and the same
    ``random_state`` gives the same ``cv_results_``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import WarmGridSearchCV
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> search = WarmGridSearchCV(
    ...     SGDClassifier(random_state=0), {"alpha": [1e-4, 1e-3, 1e-2]}, cv=3
    ... ).fit(X, y)
    >>> search.cv_results_["warm_from"].tolist()  # alpha walked from 1e-2 down
    [1, 2, -1]
    >>> sorted(search.best_params_)
    ['alpha']
    """

    _parameter_constraints: dict = {**GRID_SEARCH_CONSTRAINTS, **_ORDER}

    def __init__(
        self,
        estimator: Any,
        param_grid: Mapping[str, Iterable] | Sequence[Mapping[str, Iterable]],
        *,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        error_score: Any = np.nan,
        return_train_score: bool = False,
        order: str | None = "auto",
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_grid = param_grid
        self.order = order

    def _run_search(self, evaluate_candidates, **_):
        evaluate_candidates(ParameterGrid(self.param_grid))


class WarmRandomizedSearchCV(_WarmSearch):
    """``RandomizedSearchCV`` that warm-starts each candidate from a fitted neighbour.

    The candidates are ``RandomizedSearchCV``'s (``ParameterSampler`` with the
    same ``n_iter`` and ``random_state``); they are fitted along chains as in
    :class:`WarmGridSearchCV`: sampled values of a walkable parameter are
    visited from the most constrained to the least.

    Parameters
    ----------
    estimator : estimator object
        As in :class:`WarmGridSearchCV`.
    param_distributions : dict or list of dicts
        As in ``RandomizedSearchCV``.
    n_iter : int, default=10
        Number of sampled candidates.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in ``RandomizedSearchCV``.
    random_state : int, RandomState instance or None, default=None
        Sampling of the candidates, as in ``RandomizedSearchCV``.
    order : {"auto", "grid"} or None, default="auto"
        As in :class:`WarmGridSearchCV` (``"grid"``: the sampling order).

    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``RandomizedSearchCV``, plus ``chain``, ``warm_from`` and
        ``n_iter`` (see :class:`WarmGridSearchCV`).
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in ``RandomizedSearchCV``.

    See Also
    --------
    WarmGridSearchCV : the same over a grid.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_warmstart import WarmRandomizedSearchCV
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> search = WarmRandomizedSearchCV(
    ...     LogisticRegression(), {"C": loguniform(1e-3, 1e2)}, n_iter=4, cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> int((search.cv_results_["warm_from"] >= 0).sum())  # one chain: 3 warm
    3
    """

    _parameter_constraints: dict = {**RANDOMIZED_SEARCH_CONSTRAINTS, **_ORDER}

    def __init__(
        self,
        estimator: Any,
        param_distributions: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        n_iter: int = 10,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        order: str | None = "auto",
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.order = order

    def _run_search(self, evaluate_candidates, **_):
        evaluate_candidates(
            ParameterSampler(
                self.param_distributions, self.n_iter, random_state=self.random_state
            )
        )
