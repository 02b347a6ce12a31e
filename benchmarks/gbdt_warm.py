"""Gradient boosting: the cost of a warm run, and starts around a concept drift.

1. Cost. For LightGBM, XGBoost and CatBoost (``n_estimators`` rounds, one
   thread each): a model fitted on ``n`` base rows is retrained on the base
   rows plus 10% new rows from the same distribution, once warm (the default
   ``Warm()``: a tenth of ``n_estimators`` new rounds) and once cold (a full
   refit), in one process. Reported: the training step's wall time
   (``RunRecord.fit_time``) and the whole ``fit`` call's CPU time, medians
   over the repeats, their warm/cold ratios, and the accuracy on held-out rows
   of the same distribution.
2. Drift. SEA (abrupt) and Agrawal (function switch) streams with one change
   at half length, retrained by a ``Retrain`` schedule on sliding windows with
   LightGBM: warm, warm with ``OnDrift("adwin")`` resets, ``Refresh()`` and
   cold. Reported: mean prequential accuracy (the previous run's model on each
   run's new rows) of the runs before the change and of the runs after it.

Run: ``python benchmarks/gbdt_warm.py`` (quick: 20k x 20 base rows, 100
rounds, one repeat, 8k-row streams) or ``--full`` (100k x 20 base rows + 10%,
500 rounds, medians of 3, 20k-row streams).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import (  # noqa: E402
    OnDrift,
    Refresh,
    Retrain,
    Warm,
    WarmStartClassifier,
)
from sklearn_warmstart.datasets import load_scenario  # noqa: E402


def _lightgbm(n):
    import lightgbm

    return lightgbm.LGBMClassifier(n_estimators=n, n_jobs=1, verbose=-1)


def _xgboost(n):
    import xgboost

    return xgboost.XGBClassifier(n_estimators=n, n_jobs=1)


def _catboost(n):
    import catboost

    return catboost.CatBoostClassifier(
        iterations=n, thread_count=1, verbose=0, allow_writing_files=False
    )


LIBRARIES = {"LightGBM": _lightgbm, "XGBoost": _xgboost, "CatBoost": _catboost}


def _timed_fit(model, X, y):
    tic = time.process_time()
    model.fit(X, y)
    return model.history_[-1].fit_time, time.process_time() - tic


def cost(n_base, n_rounds, repeats, libraries):
    n_new, n_test = n_base // 10, max(n_base // 5, 2000)
    X, y = make_classification(
        n_base + n_new + n_test, 20, n_informative=10, random_state=0
    )
    base, more = slice(0, n_base), slice(0, n_base + n_new)
    test = slice(n_base + n_new, None)
    print(
        f"Cost: {n_base} base rows + {n_new} new, {n_rounds} rounds, medians of "
        f"{repeats}; holdout {n_test} rows"
    )
    header = (
        f"{'library':<9} {'start':<5} {'fit_time s':>10} {'ratio':>6} "
        f"{'CPU s':>7} {'ratio':>6} {'rounds':>7} {'acc %':>7}"
    )
    print(header)
    for name in libraries:
        make = LIBRARIES[name]
        fitted = WarmStartClassifier(make(n_rounds), start=Warm(), random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted.fit(X[base], y[base])
        rows = {}
        for start in ("cold", "warm"):
            walls, cpus = [], []
            for _ in range(repeats):
                model = copy.deepcopy(fitted)
                model.set_params(start="cold" if start == "cold" else Warm())
                wall, cpu = _timed_fit(model, X[more], y[more])
                walls.append(wall)
                cpus.append(cpu)
            rows[start] = (
                statistics.median(walls),
                statistics.median(cpus),
                model.history_[-1].n_iter,
                100 * model.score(X[test], y[test]),
            )
        cold_wall, cold_cpu = rows["cold"][:2]
        for start, (wall, cpu, rounds, acc) in rows.items():
            print(
                f"{name:<9} {start:<5} {wall:>10.2f} {wall / cold_wall:>5.2f}x "
                f"{cpu:>7.2f} {cpu / cold_cpu:>5.2f}x {rounds:>7} {acc:>7.2f}"
            )
        sys.stdout.flush()


POLICIES = {
    "warm": {"start": Warm()},
    "on_drift": {"start": Warm(), "reset": OnDrift("adwin")},
    "refresh": {"start": Refresh()},
    "cold": {"start": "cold"},
}


def _before_after(history, drift):
    before = [
        r.prequential_score
        for r in history
        if r.run > 0 and r.sample_start + r.n_samples <= drift
    ]
    after = [r.prequential_score for r in history if r.sample_start >= drift]
    return 100 * np.mean(before), 100 * np.mean(after)


def drift(n_samples, n_runs, n_rounds):
    print(
        f"\nDrift: LightGBM ({n_rounds} rounds), Retrain({n_runs}, sliding), "
        f"{n_samples} rows per stream; mean prequential accuracy % of the runs "
        "before / after the change"
    )
    print(
        f"{'stream':<11} {'policy':<9} {'before':>7} {'after':>7} {'resets':>6} "
        f"{'time s':>7}"
    )
    for scenario_name in ("sea_abrupt", "agrawal"):
        scenario = load_scenario(scenario_name, n_samples=n_samples, seed=0)
        position = scenario.drift_positions[0]
        for policy, params in POLICIES.items():
            model = WarmStartClassifier(
                _lightgbm(n_rounds),
                schedule=Retrain(n_runs, window="sliding"),
                random_state=0,
                **params,
            )
            tic = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(scenario.X, scenario.y)
            elapsed = time.perf_counter() - tic
            before, after = _before_after(model.history_, position)
            resets = sum(r.trigger is not None for r in model.history_)
            print(
                f"{scenario_name:<11} {policy:<9} {before:>7.2f} {after:>7.2f} "
                f"{resets:>6} {elapsed:>7.1f}"
            )
            sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument(
        "--libraries",
        default=",".join(LIBRARIES),
        help="comma-separated libraries for the cost table",
    )
    parser.add_argument("--skip-drift", action="store_true")
    args = parser.parse_args(argv)
    if args.full:
        n_base, n_rounds, repeats, n_stream = 100_000, 500, 3, 20_000
    else:
        n_base, n_rounds, repeats, n_stream = 20_000, 100, 1, 8_000
    if not args.skip_cost:
        cost(n_base, n_rounds, repeats, args.libraries.split(","))
    if not args.skip_drift:
        drift(n_stream, 10, 100)


if __name__ == "__main__":
    main()
