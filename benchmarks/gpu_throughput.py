"""Training throughput: a raw on-device loop vs skorch vs the wrapper's warm run.

Prints rows/s (median of ``--repeats``) for

- ``raw loop``: a hand-written loop with X, y already on the device, batches
  gathered there from a shuffled index (the ceiling);
- ``skorch default``: ``NeuralNetClassifier.fit`` with skorch's numpy data path;
- ``skorch + DeviceDataLoader``: the same net with ``iterator_train=DeviceDataLoader``;
- ``wrapper warm``: the second (warm) ``fit`` of a ``WarmStartClassifier``
  around the default net (on CUDA the device path is then the default), both
  as training-only rows/s (the record's ``fit_time``) and for the whole run
  (including the prequential and train-score predictions);
- ``wrapper warm + DeviceDataLoader``: the same with the device path chosen
  explicitly (what the default does on CUDA; on CPU it is opt-in),

and the ratios to the raw loop, with each path's final training loss.

Defaults are small enough for a CPU (20k rows); ``--full`` is the issue's
size (1M x 64 rows, MLP 64-256-256-2, batch 4096, Adam), meant for a GPU::

    python benchmarks/gpu_throughput.py            # CPU-sized
    python benchmarks/gpu_throughput.py --full     # H100-sized, device=cuda
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from _torch_mlp import MLP
from skorch import NeuralNetClassifier
from torch import nn

from sklearn_warmstart import WarmStartClassifier
from sklearn_warmstart.adapters.skorch import torch_rng
from sklearn_warmstart.torch_data import DeviceDataLoader


def make_data(n_rows: int, n_features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features)).astype(np.float32)
    w = rng.normal(size=n_features).astype(np.float32)
    y = (X @ w + 0.5 * rng.normal(size=n_rows) > 0).astype(np.int64)
    return X, y


def sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def raw_loop(X, y, args) -> tuple[float, float]:
    """Seconds and final epoch loss of a hand-written on-device loop."""
    device = torch.device(args.device)
    with torch_rng(args.device, seed=0):
        module = MLP(args.n_features, args.hidden).to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=args.lr)
        loss_fn = nn.CrossEntropyLoss()
        Xd, yd = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
        sync(args.device)
        tic = time.perf_counter()
        for _ in range(args.epochs):
            order = torch.randperm(len(Xd), device=device)
            total = torch.zeros((), device=device)
            for start in range(0, len(Xd), args.batch_size):
                index = order[start : start + args.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(module(Xd[index]), yd[index])
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(index)
            final = float(total) / len(Xd)
        sync(args.device)
        return time.perf_counter() - tic, final


def make_net(args, **params) -> NeuralNetClassifier:
    return NeuralNetClassifier(
        MLP,
        module__n_in=args.n_features,
        module__hidden=args.hidden,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=args.lr,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        train_split=None,
        iterator_train__shuffle=True,
        device=args.device,
        verbose=0,
        **params,
    )


def skorch_fit(X, y, args, **params) -> tuple[float, float]:
    net = make_net(args, **params)
    with torch_rng(args.device, seed=0):
        tic = time.perf_counter()
        net.fit(X, y)
        sync(args.device)
        seconds = time.perf_counter() - tic
    return seconds, float(net.history[-1, "train_loss"])


def wrapper_warm(X, y, args, **params) -> tuple[float, float, float]:
    """(training seconds, whole-run seconds, final loss) of the warm second run."""
    est = WarmStartClassifier(make_net(args, **params), start="warm", random_state=0)
    est.fit(X, y)
    sync(args.device)
    tic = time.perf_counter()
    est.fit(X, y)
    sync(args.device)
    seconds = time.perf_counter() - tic
    record = est.history_[-1]
    return record.fit_time, seconds, record.loss_curve[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="1M x 64, batch 4096")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--n-features", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--device", default="cuda" if torch.cuda.is_available() else "cpu"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: 1 on CPU, torch's default on CUDA)",
    )
    args = parser.parse_args()
    args.rows = args.rows or (1_000_000 if args.full else 20_000)
    args.batch_size = args.batch_size or (4096 if args.full else 512)
    threads = args.threads or (1 if args.device == "cpu" else torch.get_num_threads())
    torch.set_num_threads(threads)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(
        f"device={args.device} ({name}), torch threads={threads}, rows={args.rows}, "
        f"features={args.n_features}, MLP {args.n_features}-{args.hidden}-"
        f"{args.hidden}-2, batch={args.batch_size}, epochs={args.epochs}, Adam, "
        f"median of {args.repeats}"
    )
    X, y = make_data(args.rows, args.n_features)
    rows = args.rows * args.epochs
    paths = {
        "raw loop (data on device)": lambda: raw_loop(X, y, args),
        "skorch default": lambda: skorch_fit(X, y, args),
        "skorch + DeviceDataLoader": lambda: skorch_fit(
            X,
            y,
            args,
            iterator_train=DeviceDataLoader,
            iterator_train__device=args.device,
        ),
        "wrapper warm (default path)": lambda: wrapper_warm(X, y, args),
        "wrapper warm + DeviceDataLoader": lambda: wrapper_warm(
            X, y, args, iterator_train=DeviceDataLoader
        ),
    }
    results = {}
    for label, fn in paths.items():
        runs = [fn() for _ in range(args.repeats)]
        results[label] = [statistics.median(col) for col in zip(*runs)]
    raw = rows / results["raw loop (data on device)"][0]
    print(
        f"{'path':34s} {'rows/s':>12s} {'x raw':>7s} {'run rows/s':>12s} {'loss':>7s}"
    )
    for label, values in results.items():
        train_rate = rows / values[0]
        run_rate = f"{rows / values[1]:12.0f}" if len(values) == 3 else f"{'':12s}"
        print(
            f"{label:34s} {train_rate:12.0f} {train_rate / raw:7.3f} {run_rate} "
            f"{values[-1]:7.4f}"
        )
    print("(wrapper losses are after its second run: 2x the epochs of the others)")
    default = rows / results["skorch default"][0]
    for label in ("wrapper warm (default path)", "wrapper warm + DeviceDataLoader"):
        ratio = rows / results[label][0] / default
        print(f"{label} vs skorch default: {ratio:.2f}x")


if __name__ == "__main__":
    main()
