"""Warm benefit for a skorch MLP: epochs to reach the cold run's validation loss.

Run 0 trains cold on ``n`` rows. Run 1 gets those rows plus 10% new rows of
the same distribution and is trained, from copies of the same run-0 state,
with each start: cold (``max_epochs`` epochs from scratch), warm, warm with the
optimizer state kept (the net's ``warm_start=True``) and shrink-perturb. The
cold run's final validation loss (on a fixed held-out set) is the bar; for
every other start the script prints the first epoch whose validation loss is
at or below it, and that epoch count divided by the cold epochs (target:
<= 0.2). Medians over ``--seeds``.

Defaults are CPU-sized (10k rows); ``--full`` is the issue's size (100k x 20)::

    python benchmarks/skorch_warm_benefit.py
    python benchmarks/skorch_warm_benefit.py --full
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np
import torch
from _torch_mlp import MLP
from sklearn.datasets import make_classification
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from torch import nn

from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier
from sklearn_warmstart.torch_data import DeviceDataLoader


def epochs_to_reach(curve: tuple[float, ...], bar: float) -> float:
    """1-based first epoch with validation loss <= bar (inf if never)."""
    for epoch, loss in enumerate(curve, start=1):
        if loss <= bar:
            return float(epoch)
    return float("inf")


def one_seed(seed: int, args) -> dict[str, tuple[float, float]]:
    n_new = args.rows // 10
    n_valid = max(args.rows // 10, 2000)
    X, y = make_classification(
        n_samples=args.rows + n_new + n_valid,
        n_features=20,
        n_informative=10,
        n_redundant=4,
        flip_y=0.05,
        class_sep=0.8,
        random_state=seed,
    )
    X = X.astype(np.float32)
    X_old, y_old = X[: args.rows], y[: args.rows]
    X_all, y_all = X[: args.rows + n_new], y[: args.rows + n_new]
    valid = Dataset(X[args.rows + n_new :], y[args.rows + n_new :])
    net = NeuralNetClassifier(
        MLP,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=256,
        max_epochs=args.epochs,
        train_split=predefined_split(valid),
        iterator_train=DeviceDataLoader,
        iterator_train__shuffle=True,
        verbose=0,
    )
    run0 = WarmStartClassifier(net, random_state=seed).fit(X_old, y_old)
    starts = {
        "cold": ("cold", {}),
        "warm": ("warm", {}),
        "warm, optimizer kept": ("warm", {"estimator__warm_start": True}),
        "shrink_perturb(0.4, 0.1)": (ShrinkPerturb(0.4, 0.1), {}),
    }
    out = {}
    for label, (start, params) in starts.items():
        est = copy.deepcopy(run0).set_params(start=start, **params)
        tic = time.perf_counter()
        est.fit(X_all, y_all)
        seconds = time.perf_counter() - tic
        out[label] = (est.history_[-1].valid_loss_curve, seconds)
    bar = out["cold"][0][-1]
    return {
        label: (epochs_to_reach(curve, bar), curve[-1], seconds)
        for label, (curve, seconds) in out.items()
    } | {"_bar": (bar, float(run0.history_[0].valid_loss_curve[-1]), 0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100k x 20 rows")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    args.rows = args.rows or (100_000 if args.full else 10_000)
    torch.set_num_threads(args.threads)
    print(
        f"rows={args.rows} (+{args.rows // 10} new), 20 features, MLP 20-64-64-2, "
        f"Adam lr=1e-3, batch 256, {args.epochs} epochs per run, "
        f"median over {args.seeds} seeds, torch threads={args.threads}"
    )
    results = [one_seed(seed, args) for seed in range(args.seeds)]
    bars = [r["_bar"] for r in results]
    print(
        f"cold run's final valid loss (the bar): "
        f"{statistics.median(b[0] for b in bars):.4f}; run 0's final valid loss: "
        f"{statistics.median(b[1] for b in bars):.4f}"
    )
    print(
        f"{'start':26s} {'epochs to bar':>13s} {'x cold epochs':>13s} "
        f"{'final valid':>11s} {'seconds':>8s}"
    )
    for label in results[0]:
        if label.startswith("_"):
            continue
        if label == "cold":
            epochs = float(args.epochs)
        else:
            epochs = statistics.median(r[label][0] for r in results)
        final = statistics.median(r[label][1] for r in results)
        seconds = statistics.median(r[label][2] for r in results)
        print(
            f"{label:26s} {epochs:13.1f} {epochs / args.epochs:13.2f} "
            f"{final:11.4f} {seconds:8.2f}"
        )
    below = sum(b[1] <= b[0] for b in bars)
    if below:
        print(
            f"note: in {below} of {len(bars)} seeds run 0's model was already at or "
            "below the bar before run 1 trained (1 epoch is the floor here)"
        )
    warm = statistics.median(r["warm"][0] for r in results) / args.epochs
    verdict = "OK" if warm <= 0.2 else "MISSED"
    print(f"warm / cold epochs = {warm:.2f} (target <= 0.2): {verdict}")


if __name__ == "__main__":
    main()
