"""Retrain a model over several runs with cold, warm and shrink-perturb starts.

Each run adds new rows from the same distribution; the table compares how many
epochs each policy spends and how well it scores on held-out data.

Run: ``python examples/quickstart.py`` (``--n-samples`` to change the size).
"""

import argparse
import warnings

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier


def main(n_samples: int = 6000, n_runs: int = 4) -> pd.DataFrame:
    X, y = make_classification(
        n_samples=n_samples, n_features=20, n_informative=10, random_state=0
    )
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    policies = {
        "cold": "cold",
        "warm": "warm",
        "shrink_perturb": ShrinkPerturb(0.4, 0.1),
    }
    rows = []
    for name, start in policies.items():
        model = WarmStartClassifier(
            MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, tol=1e-3),
            start=start,
            random_state=0,
        )
        for run in range(1, n_runs + 1):
            n = len(y) * run // n_runs  # the data grows by a slice every run
            model.fit(X[:n], y[:n])
        frame = model.history_.to_frame()
        rows.append(
            {
                "policy": name,
                "epochs after run 1": int(frame["n_iter"][1:].sum()),
                "fit time after run 1 (s)": round(frame["fit_time"][1:].sum(), 2),
                "test accuracy": round(model.score(X_test, y_test), 4),
            }
        )
    table = pd.DataFrame(rows).set_index("policy")
    print(table.to_string())
    return table


if __name__ == "__main__":
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    main(args.n_samples, args.runs)
