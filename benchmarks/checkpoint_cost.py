"""Cost of checkpoints: per-run save time as a fraction of fit time, and MB/s.

1. MLPClassifier on N x 20 inside WarmStartClassifier: each run's fit time
   against the time of the checkpoint the estimator writes after it (the same
   ``CheckpointStore.save`` call, timed on its own). Target: <= 5 %.
2. A skorch MLP on the same data (when torch and skorch are installed): epoch
   time against the checkpoint of its state dicts.
3. Save and load throughput of a 2M-parameter torch state dict, through the
   store (verified, fsynced) and raw (``torch.save``/``torch.load`` in memory).

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

from sklearn_warmstart import CheckpointStore, WarmStartClassifier  # noqa: E402


def _timed(fn):
    tic = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - tic


def mlp_cost(X, y, runs: int, tmp: Path) -> None:
    store = CheckpointStore(tmp / "mlp", keep_last=3)
    clf = WarmStartClassifier(
        MLPClassifier(hidden_layer_sizes=(100,), max_iter=20, tol=0.0),
        random_state=0,
    )
    half = len(y) // 2
    ratios, fits, saves = [], [], []
    for run in range(runs):
        rows = slice(0, half + (len(y) - half) * run // max(runs - 1, 1))
        _, fit_time = _timed(lambda rows=rows: clf.fit(X[rows], y[rows]))
        _, save_time = _timed(lambda rows=rows: store.save(clf, X[rows], y[rows]))
        fits.append(fit_time)
        saves.append(save_time)
        ratios.append(save_time / fit_time)
    size = sum(f["bytes"] for f in store.log().iloc[-1]["files"].values())
    print(
        f"MLPClassifier {X.shape[0]}x{X.shape[1]} (100 hidden, 20 epochs), "
        f"{runs} runs: fit median {statistics.median(fits):.2f} s, checkpoint "
        f"median {statistics.median(saves) * 1e3:.1f} ms ({size / 1e6:.2f} MB); "
        f"checkpoint/fit median {statistics.median(ratios):.2%} "
        f"(max {max(ratios):.2%}; target <= 5%)"
    )


def _holder(model, n_features: int):
    """A fitted WarmStartClassifier holding ``model`` (no skorch adapter needed)."""
    from sklearn_warmstart._buffer import RowBuffer
    from sklearn_warmstart.estimators import _State
    from sklearn_warmstart.history import History, RunRecord

    record = RunRecord(
        run=0,
        method="fit",
        start="cold",
        reason="benchmark",
        trigger=None,
        seed=0,
        n_samples=0,
        sample_start=0,
        n_iter=None,
        loss_curve=(),
        grad_norms=(),
        theta_start_norm=0.0,
        theta_end_norm=0.0,
        distance_from_start=0.0,
        distance_from_prev=0.0,
        prequential_score=float("nan"),
        train_score=float("nan"),
        fit_time=0.0,
        peak_memory=float("nan"),
    )
    est = WarmStartClassifier(model)
    est._commit(
        _State(
            model,
            History([record]),
            [],
            0,
            n_features,
            None,
            np.array([0, 1]),
            RowBuffer(0),
            0,
        )
    )
    return est


def skorch_cost(X, y, runs: int, tmp: Path) -> None:
    try:
        import torch
        from skorch import NeuralNetClassifier
    except ImportError:
        print("skorch MLP: skipped (torch/skorch not installed)")
        return
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], 100), torch.nn.ReLU(), torch.nn.Linear(100, 2)
    )
    net = NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        max_epochs=3,
        batch_size=256,
        train_split=None,
        verbose=0,
        warm_start=True,
    )
    store = CheckpointStore(tmp / "skorch", keep_last=3)
    Xf = X.astype(np.float32)
    ratios = []
    fits = []
    saves = []
    for _ in range(runs):
        _, fit_time = _timed(lambda: net.fit(Xf, y))
        est = _holder(net, X.shape[1])
        _, save_time = _timed(lambda est=est: store.save(est, Xf, y))
        fits.append(fit_time)
        saves.append(save_time)
        ratios.append(save_time / fit_time)
    print(
        f"skorch MLP {X.shape[0]}x{X.shape[1]} (100 hidden, 3 epochs), {runs} "
        f"runs: fit median {statistics.median(fits):.2f} s, checkpoint median "
        f"{statistics.median(saves) * 1e3:.1f} ms; checkpoint/fit median "
        f"{statistics.median(ratios):.2%} (max {max(ratios):.2%}; target <= 5%)"
    )


def torch_throughput(reps: int, tmp: Path) -> None:
    try:
        import torch
    except ImportError:
        print("torch state dict: skipped (torch not installed)")
        return
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(1000, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 1000)
    )
    state = module.state_dict()
    n_params = sum(t.numel() for t in state.values())
    mb = sum(t.numel() * t.element_size() for t in state.values()) / 1e6

    raw_save, raw_load = [], []
    for _ in range(reps):
        buffer = io.BytesIO()
        _, t = _timed(lambda buffer=buffer: torch.save(state, buffer))
        raw_save.append(t)
        data = buffer.getvalue()
        _, t = _timed(lambda data=data: torch.load(io.BytesIO(data), weights_only=True))
        raw_load.append(t)
    print(
        f"torch state dict {n_params / 1e6:.2f}M params ({mb:.1f} MB), in memory: "
        f"save {mb / statistics.median(raw_save):.0f} MB/s, load "
        f"{mb / statistics.median(raw_load):.0f} MB/s"
    )
    from sklearn_warmstart.checkpoints import atomic_write

    disk = []
    for i in range(reps):
        _, t = _timed(lambda i=i: atomic_write(tmp / f"raw{i}.pt", data))
        disk.append(t)
    print(
        f"reference, the disk alone: atomic write (temp file, fsync, replace, "
        f"directory fsync) of those {mb:.1f} MB: {mb / statistics.median(disk):.0f} "
        f"MB/s ({statistics.median(disk) * 1e3:.0f} ms)"
    )
    try:
        from skorch import NeuralNet
    except ImportError:
        print("store path for torch: skipped (skorch not installed)")
        return
    net = NeuralNet(
        module, criterion=torch.nn.MSELoss, optimizer=torch.optim.SGD, max_epochs=1
    )
    net.initialize()
    store = CheckpointStore(tmp / "torch", keep_last=2)
    est = _holder(net, 1000)
    saves, loads = [], []
    for _ in range(reps):
        _, t = _timed(lambda: store.save(est))
        saves.append(t)
        loaded, t = _timed(lambda: store.load_model(template=net))
        loads.append(t)
    same = all(
        torch.equal(a, b)
        for a, b in zip(state.values(), loaded.module_.state_dict().values())
    )
    print(
        f"torch state dict through CheckpointStore (sha256, fsync, lineage, "
        f"verify on load): save {mb / statistics.median(saves):.0f} MB/s "
        f"({statistics.median(saves) * 1e3:.0f} ms), load "
        f"{mb / statistics.median(loads):.0f} MB/s "
        f"({statistics.median(loads) * 1e3:.0f} ms); round trip exact: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100k rows (the issue)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
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
        skorch_cost(X, y, min(args.runs, 3), tmp)
        torch_throughput(max(args.runs, 5), tmp)


if __name__ == "__main__":
    main()
