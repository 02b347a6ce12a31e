"""Adaptive starts against fixed policies on drifting built-in scenarios.

Test-then-train in chunks (``prequential_score``) with ``SGDClassifier``
(log-loss) wrapped in ``WarmStartClassifier`` under each policy; accuracy
before the drift, after it (all rows, and the first 2,000), overall, medians
over seeds, and the training
compute (sum of the runs' fit times) relative to warm ``partial_fit``. The
features are standardised with the first chunk's mean and deviation (what a
stream knows at its start). Then the prediction cost of the served vote of
k lineages against one bare model. On ``sea_abrupt`` it also counts the seeds
where each Adaptive variant is at least as accurate as ``OnDrift('adwin')``
over the first 2,000 rows after the drift.

    PYTHONPATH=$PWD python benchmarks/adaptive.py [--seeds 5] [--n 10000] [--raw]

``--raw`` leaves the inputs unscaled.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from sklearn.linear_model import SGDClassifier

from sklearn_warmstart import (
    Adaptive,
    Cold,
    OnDrift,
    Warm,
    WarmStartClassifier,
    prequential_score,
)
from sklearn_warmstart.datasets import load_scenario

SCENARIOS = ("sea_abrupt", "sea_gradual", "agrawal", "hyperplane")
#: Rows right after the drift scored separately ("first 2000 after").
FIRST_AFTER = 2000


def policies(n: int) -> dict[str, dict]:
    lineages = [Warm(), Cold(window=500), Cold(window=2000)]
    return {
        "warm partial_fit": {"start": "warm"},
        "OnDrift('adwin')": {"start": "warm", "reset": OnDrift("adwin")},
        "cold, last 500 rows": {"start": Cold(window=500)},
        "cold, last 2000 rows": {"start": Cold(window=2000)},
        "cold, all past rows": {"start": Cold(), "buffer_size": n},
        "Adaptive best": {"start": Adaptive(lineages, serve="best")},
        "Adaptive weighted": {"start": Adaptive(lineages)},
        "Adaptive weighted, bandit": {"start": Adaptive(lineages, budget="bandit")},
        "Adaptive([Warm(), Cold(window=2000)])": {
            "start": Adaptive([Warm(), Cold(window=2000)])
        },
        "Adaptive([Warm(), Cold(window=2000)]) + OnDrift('adwin')": {
            "start": Adaptive([Warm(), Cold(window=2000)]),
            "reset": OnDrift("adwin"),
        },
    }


def run_one(scenario, params, chunk, raw=False):
    X = scenario.X
    if not raw:
        mean, std = X[:chunk].mean(axis=0), X[:chunk].std(axis=0) + 1e-12
        X = (X - mean) / std
    clf = WarmStartClassifier(SGDClassifier(loss="log_loss"), random_state=0, **params)
    result = prequential_score(clf, X, scenario.y, chunk_size=chunk)
    hits = result.y_pred == scenario.y[chunk:]
    drift = scenario.drift_positions[0] if scenario.drift_positions else len(hits) // 2
    split = drift - chunk
    compute = sum(r.fit_time for r in result.estimator.history_)
    first = hits[split : split + FIRST_AFTER].mean()
    return hits[:split].mean(), hits[split:].mean(), first, hits.mean(), compute


def accuracy_table(seeds: int, n: int, chunk: int, raw: bool = False) -> pd.DataFrame:
    rows = []
    for name in SCENARIOS:
        for seed in range(seeds):
            scenario = load_scenario(name, n_samples=n, seed=seed)
            for policy, params in policies(n).items():
                before, after, first, overall, compute = run_one(
                    scenario, params, chunk, raw
                )
                rows.append(
                    (name, seed, policy, before, after, first, overall, compute)
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "seed",
            "policy",
            "before",
            "after",
            "first 2000 after",
            "overall",
            "compute",
        ],
    )
    warm = frame[frame["policy"] == "warm partial_fit"].set_index(["scenario", "seed"])
    frame["compute_vs_warm"] = (
        frame["compute"].to_numpy()
        / warm.loc[list(zip(frame["scenario"], frame["seed"])), "compute"].to_numpy()
    )
    frame.attrs["wins"] = _wins_after_abrupt_drift(frame)
    order = list(policies(n))
    table = (
        frame.groupby(["scenario", "policy"])[
            ["before", "after", "first 2000 after", "overall", "compute_vs_warm"]
        ]
        .median()
        .reset_index()
    )
    table["policy"] = pd.Categorical(table["policy"], order, ordered=True)
    table = table.sort_values(["scenario", "policy"]).round(3)
    table.attrs["wins"] = frame.attrs["wins"]
    return table


def _wins_after_abrupt_drift(frame: pd.DataFrame) -> dict[str, str]:
    sea = frame[frame["scenario"] == "sea_abrupt"]
    first = sea.pivot(index="seed", columns="policy", values="first 2000 after")
    adwin = first["OnDrift('adwin')"]
    return {
        policy: f"{int((first[policy] >= adwin).sum())} of {len(adwin)} seeds"
        for policy in first.columns
        if policy.startswith("Adaptive")
    }


def prediction_cost(n: int, chunk: int, repeats: int = 20) -> pd.DataFrame:
    """Seconds per predict call on n rows: the served vote of k lineages vs one model."""
    scenario = load_scenario("sea_abrupt", n_samples=n, seed=0)
    X, y = scenario.X, scenario.y
    rows = []
    for k in (1, 2, 3, 5):
        start = Adaptive([Warm(), *[Cold(window=500 * (i + 1)) for i in range(k - 1)]])
        clf = WarmStartClassifier(SGDClassifier(loss="log_loss"), start=start)
        for i in range(0, n, chunk):
            clf.partial_fit(X[i : i + chunk], y[i : i + chunk], classes=[0, 1])
        bare = clf.lineages_[0].model
        for label, model in (("bare model", bare), ("served vote", clf.served_model_)):
            model.predict_proba(X)
            tic = time.perf_counter()
            for _ in range(repeats):
                model.predict_proba(X)
            rows.append((k, label, (time.perf_counter() - tic) / repeats))
    frame = pd.DataFrame(rows, columns=["lineages", "model", "seconds"])
    wide = frame.pivot(index="lineages", columns="model", values="seconds")
    wide["ratio"] = wide["served vote"] / wide["bare model"]
    return wide.round(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument(
        "--raw", action="store_true", help="do not standardise the inputs"
    )
    args = parser.parse_args()
    table = accuracy_table(args.seeds, args.n, args.chunk, args.raw)
    print(
        f"Accuracy (medians of {args.seeds} seeds, {args.n} rows, chunks of "
        f"{args.chunk}) and compute relative to warm partial_fit"
    )
    print(table.to_markdown(index=False))
    print("\nsea_abrupt, first 2000 rows after the drift, >= OnDrift('adwin'):")
    for policy, wins in table.attrs["wins"].items():
        print(f"  {policy}: {wins}")
    print("\nPredict cost on", args.n, "rows (predict_proba, seconds per call)")
    print(prediction_cost(args.n, args.chunk).to_markdown())


if __name__ == "__main__":
    main()
