"""The paper's comparison: cold vs warm vs shrink-perturb vs drift reset, end to end.

A small MLP is retrained over a time-ordered stream with an abrupt concept drift
halfway (SEA, built in). Every policy replays the same retraining schedule in
each fold of a time-ordered cross-validation, for several seeds; a paired test
over seeds x folds says whether each policy is beneficial, neutral or
detrimental against cold retraining, for score and for compute separately.

Run: ``python examples/compare_policies.py`` (about 30 s on 2 cores);
``--out report.html`` also writes the report with its plots.
"""

import argparse
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_warmstart import Retrain
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.report import summary_table, verdict_table
from sklearn_warmstart.study import compare_policies


def main(
    scenario: str = "sea_abrupt",
    n_samples: int = 4000,
    n_seeds: int = 3,
    n_runs: int = 8,
    out: str | None = None,
):
    data = load_scenario(scenario, n_samples=n_samples, seed=0)
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            (16,), learning_rate_init=0.01, max_iter=100, tol=1e-3, n_iter_no_change=5
        ),
    )
    # cold, warm, shrink-perturb (0.4, 0.1) and warm with a cold reset (on
    # data since the detection) when ADWIN fires.
    policies = ["cold", "warm", "shrink_perturb", "drift_reset"]
    result = compare_policies(
        model,
        data.X,
        data.y,
        policies,
        schedule=Retrain(n_runs),
        seeds=n_seeds,
        cv=3,
        baseline="cold",
        n_jobs=-1,
        drift_positions=data.drift_positions,
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(f"{scenario}: {data.description}")
        print("\nVerdicts against cold retraining:")
        print(verdict_table(result).round(4).to_string())
        print("\nSummary:")
        print(summary_table(result).to_string())
    if out:
        print(f"\nReport: {result.report(out)}")
    return result


if __name__ == "__main__":
    warnings.simplefilter("ignore", ConvergenceWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="sea_abrupt")
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--out", default=None, help="write the report here")
    args = parser.parse_args()
    main(args.scenario, args.n_samples, args.seeds, args.runs, args.out)
