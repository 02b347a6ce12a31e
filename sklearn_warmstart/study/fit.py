"""Fit and score one (policy, seed, fold), and dispatch every fit through joblib."""

from __future__ import annotations

import copy
import sys
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring, r2_score
from sklearn.model_selection import cross_validate

from ..adapters import adapter_for
from ..estimators import WarmStartClassifier, WarmStartRegressor
from ..policies import Perturb
from ..schedules import check_schedule


def _default_score(model: Any, X: Any, y: Any, classifier: bool) -> float:
    y_pred = model.predict(X)
    if classifier:
        return float(np.mean(y_pred == np.asarray(y)))
    return float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")


def perturbed_scores(
    adapter, model, scorer, X, y, noise, draws, seed
) -> list[dict[str, Any]]:
    """Score of ``model`` with its parameters perturbed, for each level and draw."""
    theta = adapter.parameters(model)
    if not theta:
        raise ValueError(
            f"{type(model).__name__} exposes no parameter arrays to perturb; "
            "perturbation sensitivity needs a linear model, an MLP or a skorch net."
        )
    base = float(scorer(model, X, y))
    seeds = np.random.SeedSequence(seed).generate_state(len(noise) * draws)
    rows = []
    for i, level in enumerate(noise):
        for draw in range(draws):
            sub_seed = int(seeds[i * draws + draw])
            perturbed = copy.deepcopy(model)
            adapter.write_parameters(
                perturbed, Perturb(level).initial_parameters(theta, None, sub_seed)
            )
            score = float(scorer(perturbed, X, y))
            rows.append(
                {
                    "noise": level,
                    "draw": draw,
                    "seed": sub_seed,
                    "base_score": base,
                    "score": score,
                    "drop": base - score,
                }
            )
    return rows


def fit_one(
    wrapper: WarmStartClassifier | WarmStartRegressor,
    params: dict[str, Any],
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    scoring: Any,
    noise: list[float] | None,
    draws: int,
    key: tuple[int, int, int],
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit and score one (policy, seed, fold) with ``cross_validate``.

    ``metadata`` goes to ``cross_validate(params=...)`` (sliced per fold).
    """
    estimator = clone(wrapper).set_params(**params)
    out = cross_validate(
        estimator,
        X,
        y,
        cv=[(train, test)],
        scoring={"score": check_scoring(estimator, scoring)},
        return_estimator=True,
        error_score="raise",
        n_jobs=1,
        params=metadata,
    )
    fitted = out["estimator"][0]
    X_test = X[test] if not hasattr(X, "iloc") else X.iloc[test]
    y_test = np.asarray(y)[test]
    X_train = X[train] if not hasattr(X, "iloc") else X.iloc[train]
    y_train = np.asarray(y)[train]
    classifier = is_classifier(fitted)
    steps = check_schedule(fitted.schedule).split(len(train))
    first = steps[0].train
    records = [r.to_dict() for r in fitted.history_]
    forgetting = records[0]["train_score"] - _default_score(
        fitted.estimator_,
        X_train[first] if not hasattr(X_train, "iloc") else X_train.iloc[first],
        y_train[first],
        classifier,
    )
    perturbation = []
    if noise is not None:
        adapter = adapter_for(fitted.estimator)
        perturbation = perturbed_scores(
            adapter,
            fitted.estimator_,
            check_scoring(fitted.estimator_, scoring),
            X_test,
            y_test,
            noise,
            draws,
            [params["random_state"], key[2], 7],
        )
    return {
        "key": key,
        "records": records,
        "steps": [
            (int(train[s.new.start]), int(train[s.new.stop - 1]) + 1) for s in steps
        ],
        "test_score": float(out["test_score"][0]),
        "y_pred": np.asarray(fitted.predict(X_test)),
        "y_test": y_test,
        "forgetting": float(forgetting),
        "perturbation": perturbation,
    }


def dispatch(tasks: list, n_jobs: Any, progress: bool) -> list[dict[str, Any]]:
    """Run the fits with joblib, showing a progress bar on stderr.

    The longest fits (most training rows) are dispatched first so parallel
    workers finish together; results are put back in task order.
    """
    tasks = sorted(tasks, key=lambda task: -len(task[4]))
    from sklearn.utils.parallel import Parallel, delayed
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="fits", file=sys.stderr, disable=not progress)
    try:
        try:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        except ValueError:  # a backend that cannot stream results
            parallel = Parallel(n_jobs=n_jobs)
        results = []
        # A task stays a flat tuple: joblib's Dask backend scatters (and reuses)
        # only top-level arguments, so X and y must not be wrapped in an object.
        for result in parallel(delayed(fit_one)(*task) for task in tasks):
            results.append(result)
            bar.update(1)
    finally:
        bar.close()
    return sorted(results, key=lambda r: r["key"])
