"""Cost of checkpoints: per-run save time as a fraction of fit time, and MB/s.

Every measurement goes through the meta-estimators' ``checkpoint=`` path: the
store is a :class:`CheckpointStore` that times each ``save`` the estimator
makes after a committed run.

1. MLPClassifier on N x 20 inside WarmStartClassifier: each run's checkpoint
   time against the run's training time (``history_[-1].fit_time``) and
   against the whole ``fit`` call. Target: <= 5 %.
2. A skorch MLP (20-100-100-2, Adam, ``warm_start=True`` so the optimizer
   moments are stored too) inside WarmStartClassifier on the same data: the
   same ratios. Its payload is the state dicts read back with
   ``torch.load(weights_only=True)``.
3. Save and load throughput of a 2M-parameter torch state dict: raw
   (``torch.save``/``torch.load`` in memory), the disk alone (atomic write),
   and through the store (a WarmStartRegressor around a skorch net of that
   size: sha256, fsync, lineage on save; verification and rebuilding the net
   on load).

Prints medians. Small by default; ``--full`` uses the issue's 100k rows.

    python benchmarks/checkpoint_cost.py [--full] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sklearn_warmstart import (  # noqa: E402
    CheckpointStore,
    WarmStartClassifier,
    WarmStartRegressor,
)


def _timed(fn):
    tic = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - tic


class TimedStore(CheckpointStore):
    """A checkpoint store that records how long each save takes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.save_times: list[float] = []

    def save(self, estimator, X=None, y=None):
        checkpoint_id, elapsed = _timed(
            lambda: super(TimedStore, self).save(estimator, X, y)
        )
        self.save_times.append(elapsed)
        return checkpoint_id


def _runs(clf, store, X, y, runs: int) -> dict[str, list[float]]:
    """Fit ``runs`` growing runs; per run: training, whole fit() and save times."""
    half = len(y) // 2
    out: dict[str, list[float]] = {"train": [], "call": [], "save": []}
    for run in range(runs):
        rows = slice(0, half + (len(y) - half) * run // max(runs - 1, 1))
        _, call = _timed(lambda rows=rows: clf.fit(X[rows], y[rows]))
        out["train"].append(clf.history_[-1].fit_time)
        out["call"].append(call)
        out["save"].append(store.save_times[-1])
    assert [r.checkpoint for r in clf.history_][-1] == store.ids()[-1]
    return out


def _report(label: str, t: dict[str, list[float]], store: CheckpointStore) -> None:
    size = sum(f["bytes"] for f in store.log().iloc[-1]["files"].values())
    to_train = [s / f for s, f in zip(t["save"], t["train"])]
    to_call = [s / (c - s) for s, c in zip(t["save"], t["call"])]
    med = statistics.median
    print(
        f"{label}, {len(to_train)} runs: training median {med(t['train']):.2f} s, "
        f"checkpoint median {med(t['save']) * 1e3:.1f} ms ({size / 1e6:.2f} MB); "
        f"checkpoint/training median {med(to_train):.2%} (max {max(to_train):.2%}), "
        f"checkpoint/fit() median {med(to_call):.2%}; target <= 5%"
    )


def mlp_cost(X, y, runs: int, tmp: Path) -> None:
    store = TimedStore(tmp / "mlp", keep_last=3)
    clf = WarmStartClassifier(
        MLPClassifier(hidden_layer_sizes=(100,), max_iter=20, tol=0.0),
        checkpoint=store,
        random_state=0,
    )
    times = _runs(clf, store, X, y, runs)
    _report(
        f"MLPClassifier {X.shape[0]}x{X.shape[1]} (100 hidden, 20 epochs)", times, store
    )


def _mlp_module():
    from _torch_mlp import MLP

    return MLP


def skorch_cost(X, y, runs: int, epochs: int, tmp: Path) -> None:
    try:
        import torch
        from skorch import NeuralNetClassifier
    except ImportError:
        print("skorch MLP: skipped (torch/skorch not installed)")
        return
    net = NeuralNetClassifier(
        _mlp_module(),
        module__n_in=X.shape[1],
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        max_epochs=epochs,
        batch_size=256,
        train_split=None,
        verbose=0,
        warm_start=True,
    )
    store = TimedStore(tmp / "skorch", keep_last=3)
    clf = WarmStartClassifier(net, checkpoint=store, random_state=0)
    times = _runs(clf, store, X.astype(np.float32), y, runs)
    assert store.log()["payload"].iloc[-1] == "adapter:SkorchAdapter"
    _report(
        f"skorch MLP {X.shape[0]}x{X.shape[1]} (20-100-100-2, Adam, {epochs} epochs)",
        times,
        store,
    )


def torch_throughput(reps: int, tmp: Path) -> None:
    try:
        import torch
        from skorch import NeuralNetRegressor
    except ImportError:
        print("torch state dict: skipped (torch/skorch not installed)")
        return
    from torch import nn

    from sklearn_warmstart.checkpoints import atomic_write

    def module():
        return nn.Sequential(
            nn.Linear(1000, 1000),
            nn.ReLU(),
            nn.Linear(1000, 1000),
            nn.ReLU(),
            nn.Linear(1000, 1),
        )

    net = NeuralNetRegressor(
        module,
        criterion=nn.MSELoss,
        optimizer=torch.optim.SGD,
        lr=1e-4,
        max_epochs=1,
        batch_size=64,
        train_split=None,
        verbose=0,
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 1000)).astype(np.float32)
    y = rng.normal(size=64).astype(np.float32)
    store = TimedStore(tmp / "torch", keep_last=2)
    est = WarmStartRegressor(net, checkpoint=store, random_state=0)
    loads = []
    for _ in range(reps):
        est.fit(X, y)  # one committed run, one checkpoint through checkpoint=
        loaded, t = _timed(lambda: store.load_model(template=net))
        loads.append(t)
    state = est.estimator_.module_.state_dict()
    n_params = sum(t.numel() for t in state.values())
    mb = sum(t.numel() * t.element_size() for t in state.values()) / 1e6
    payload_mb = (store.path / store.ids()[-1] / "payload.pt").stat().st_size / 1e6
    same = all(
        torch.equal(a, b)
        for a, b in zip(state.values(), loaded.module_.state_dict().values())
    )

    raw_save, raw_load = [], []
    for _ in range(reps):
        buffer = io.BytesIO()
        _, t = _timed(lambda buffer=buffer: torch.save(state, buffer))
        raw_save.append(t)
        data = buffer.getvalue()
        _, t = _timed(lambda data=data: torch.load(io.BytesIO(data), weights_only=True))
        raw_load.append(t)
    med = statistics.median
    print(
        f"torch state dict {n_params / 1e6:.2f}M params ({mb:.1f} MB), in memory: "
        f"save {mb / med(raw_save):.0f} MB/s, load {mb / med(raw_load):.0f} MB/s"
    )
    disk = []
    for i in range(reps):
        _, t = _timed(lambda i=i: atomic_write(tmp / f"raw{i}.pt", data))
        disk.append(t)
    print(
        f"reference, the disk alone: atomic write (temp file, fsync, replace, "
        f"directory fsync) of those {mb:.1f} MB: {mb / med(disk):.0f} "
        f"MB/s ({med(disk) * 1e3:.0f} ms)"
    )
    print(
        f"torch state dict through WarmStartRegressor(checkpoint=store) "
        f"(payload.pt {payload_mb:.1f} MB; sha256, fsync, lineage on save; verify "
        f"and rebuild the net on load), {reps} runs: save "
        f"{mb / med(store.save_times):.0f} MB/s ({med(store.save_times) * 1e3:.0f} "
        f"ms), load {mb / med(loads):.0f} MB/s ({med(loads) * 1e3:.0f} ms); "
        f"round trip exact: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100k rows (the issue)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--epochs", type=int, default=3, help="skorch MLP epochs per run"
    )
    args = parser.parse_args()
    n_rows = args.rows or (100_000 if args.full else 20_000)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = make_classification(
        n_samples=n_rows, n_features=20, n_informative=10, random_state=0
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # First checkpoint in a process imports skops (and, through it, torch).
        warm = WarmStartClassifier(MLPClassifier(max_iter=1), random_state=0)
        warm.fit(X[:100], y[:100])
        _, first = _timed(lambda: CheckpointStore(tmp / "warmup").save(warm))
        print(f"one-time cost of the first checkpoint in a process: {first:.2f} s")
        mlp_cost(X, y, args.runs, tmp)
        skorch_cost(X, y, min(args.runs, 3), args.epochs, tmp)
        torch_throughput(max(args.runs, 5), tmp)


if __name__ == "__main__":
    main()
