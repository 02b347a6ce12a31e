"""Does a warm search save time? WarmGridSearchCV against the cold searches.

Issue 12's table: wall time of a whole search (``n_jobs=1``, one BLAS thread,
``refit=True``), median of ``--repeats`` runs, as a ratio warm / baseline, and
the best cross-validated score of each.

| search | against | goal |
|---|---|---|
| MLPClassifier, alpha (6) x learning_rate_init (2), 5 folds | GridSearchCV | <= 0.35x, best score within 0.5 pt |
| RandomForest, n_estimators 50/100/200/400 | GridSearchCV | <= 0.62x, identical scores |
| LogisticRegression, 10 values of C | LogisticRegressionCV | <= 1.0x |
| SGDClassifier, alpha x 8 | GridSearchCV | <= 0.5x |

Wall time, not CPU time: CPU time misleads on short multithreaded runs.
Data: ``make_classification(n_features=20, n_informative=10)``, standardised.

Usage::

    python benchmarks/search_chain.py            # quick: small data, one repeat
    python benchmarks/search_chain.py --full     # the issue's sizes, medians of 3
    python benchmarks/search_chain.py --full --repeats 1
    python benchmarks/search_chain.py --only rf  # one case (mlp, rf, logistic, sgd)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, SGDClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import WarmGridSearchCV  # noqa: E402

#: rows (quick, full) per case
ROWS = {"mlp": (1_000, 20_000), "rf": (500, 5_000), "logistic": (5_000, 20_000),
        "sgd": (5_000, 50_000)}  # fmt: skip
CV = StratifiedKFold(5)


def _data(n_rows: int, seed: int = 0):
    X, y = make_classification(
        n_samples=n_rows, n_features=20, n_informative=10, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


def _case(name: str):
    """(search label, baseline label, baseline search, warm search, goal ratio)."""
    if name == "mlp":
        grid = {
            "alpha": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0],
            "learning_rate_init": [1e-3, 1e-2],
        }
        est = MLPClassifier(hidden_layer_sizes=(32,), random_state=0)
        return (
            "MLPClassifier, alpha (6) x learning_rate_init (2)",
            "GridSearchCV",
            GridSearchCV(est, grid, cv=CV),
            WarmGridSearchCV(est, grid, cv=CV),
            0.35,
        )
    if name == "rf":
        grid = {"n_estimators": [50, 100, 200, 400]}
        est = RandomForestClassifier(random_state=0)
        return (
            "RandomForest, n_estimators 50/100/200/400",
            "GridSearchCV",
            GridSearchCV(est, grid, cv=CV),
            WarmGridSearchCV(est, grid, cv=CV),
            0.62,
        )
    if name == "logistic":
        Cs = np.logspace(-4, 4, 10)
        return (
            "LogisticRegression, 10 values of C",
            "LogisticRegressionCV",
            LogisticRegressionCV(Cs=Cs, cv=CV, scoring="accuracy"),
            WarmGridSearchCV(
                LogisticRegression(), {"C": Cs}, cv=CV, scoring="accuracy"
            ),
            1.0,
        )
    if name == "sgd":
        grid = {"alpha": np.logspace(-6, -1, 8)}
        est = SGDClassifier(random_state=0)
        return (
            "SGDClassifier, alpha x 8",
            "GridSearchCV",
            GridSearchCV(est, grid, cv=CV),
            WarmGridSearchCV(est, grid, cv=CV),
            0.5,
        )
    raise ValueError(f"unknown case {name!r}")


def _best_score(search) -> float:
    if isinstance(search, LogisticRegressionCV):
        scores = np.mean(next(iter(search.scores_.values())), axis=0)
        return float(np.max(scores))
    return float(search.best_score_)


def _timed(search, X, y) -> tuple[float, object]:
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search


def run(name: str, full: bool, repeats: int) -> dict:
    label, against, baseline, warm, goal = _case(name)
    n_rows = ROWS[name][int(full)]
    X, y = _data(n_rows)
    times_base, times_warm = [], []
    for _ in range(repeats):
        t, base_fit = _timed(baseline, X, y)
        times_base.append(t)
        t, warm_fit = _timed(warm, X, y)
        times_warm.append(t)
    base_t, warm_t = statistics.median(times_base), statistics.median(times_warm)
    row = {
        "search": label,
        "against": against,
        "rows": n_rows,
        "baseline_s": base_t,
        "warm_s": warm_t,
        "ratio": warm_t / base_t,
        "goal": goal,
        "best_baseline": _best_score(base_fit),
        "best_warm": _best_score(warm_fit),
    }
    if isinstance(base_fit, GridSearchCV):
        row["same_scores"] = bool(
            np.array_equal(
                base_fit.cv_results_["mean_test_score"],
                warm_fit.cv_results_["mean_test_score"],
            )
        )
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's data sizes")
    parser.add_argument(
        "--repeats", type=int, default=None, help="median of this many (3; quick: 1)"
    )
    parser.add_argument(
        "--only", action="append", choices=list(ROWS), help="run only these cases"
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.full else 1)
    print(
        "| search | against | rows | baseline s | warm s | ratio | goal "
        "| best score baseline | best score warm | scores identical |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence / future warnings of the fits
        for name in args.only or list(ROWS):
            r = run(name, args.full, repeats)
            same = {True: "yes", False: "no"}.get(r.get("same_scores"), "n/a")
            print(
                f"| {r['search']} | {r['against']} | {r['rows']:,} "
                f"| {r['baseline_s']:.2f} | {r['warm_s']:.2f} | {r['ratio']:.2f}x "
                f"| <= {r['goal']}x | {r['best_baseline']:.4f} "
                f"| {r['best_warm']:.4f} | {same} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
