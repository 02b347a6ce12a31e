"""Streaming throughput: WarmStartClassifier.partial_fit vs bare SGDClassifier.

Chunks of 1,000 rows; every variant sees the same chunks in the same process,
repetitions interleaved, and the median time per row is reported with its
throughput ratio to bare ``SGDClassifier.partial_fit`` (1.0 = as fast).

Variants:
- ``bare``: ``SGDClassifier.partial_fit`` itself, ``classes`` passed on every call
  (the ratio base; the wrapper gets the same calls).
- ``bare, classes once``: ``classes`` only on the first call (sklearn then skips
  re-checking them, as the wrapper does after its own cheap label check).
- ``wrapped``: ``WarmStartClassifier(SGDClassifier())`` (records, checks, copies).
- ``on_drift(adwin)``: plus ``OnDrift("adwin")`` fed every row's 0/1 error.
- ``on_drift(ddm)``: plus ``OnDrift("ddm")`` (pure-Python detector).
- ``adwin feed only``: the cost of feeding the rows to ADWIN alone.

Two data sets: SEA (3 features; per-call overhead dominates) and a 50-feature
Gaussian problem (training dominates).

Run: ``python benchmarks/streaming_throughput.py`` (50k rows, 3 repeats) or
``--full`` (200k rows, 5 repeats, as in the issue).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import OnDrift, WarmStartClassifier  # noqa: E402
from sklearn_warmstart.datasets import load_scenario  # noqa: E402
from sklearn_warmstart.drift import DriftMonitor, make_detector  # noqa: E402

CHUNK = 1000


def _sea(n: int) -> tuple[np.ndarray, np.ndarray]:
    scenario = load_scenario("sea_stationary", n_samples=n, seed=0)
    return (scenario.X - 5.0) / 3.0, scenario.y


def _gaussian(n: int, n_features: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, n_features))
    w = rng.normal(size=n_features)
    y = (X @ w + rng.normal(size=n) > 0).astype(np.int64)
    return X, y


def _stream(model, X, y) -> float:
    tic = time.perf_counter()
    for start in range(0, len(y), CHUNK):
        model.partial_fit(X[start : start + CHUNK], y[start : start + CHUNK], [0, 1])
    return time.perf_counter() - tic


def _stream_classes_once(model, X, y) -> float:
    tic = time.perf_counter()
    model.partial_fit(X[:CHUNK], y[:CHUNK], [0, 1])
    for start in range(CHUNK, len(y), CHUNK):
        model.partial_fit(X[start : start + CHUNK], y[start : start + CHUNK])
    return time.perf_counter() - tic


def _adwin_feed(X, y) -> float:
    errors = (np.random.default_rng(1).random(len(y)) < 0.1).astype(np.float64)
    monitor = DriftMonitor(make_detector("adwin"))
    tic = time.perf_counter()
    for start in range(0, len(y), CHUNK):
        monitor.feed(errors[start : start + CHUNK], start)
    return time.perf_counter() - tic


VARIANTS = {
    "bare": lambda X, y: _stream(SGDClassifier(random_state=0), X, y),
    "bare, classes once": lambda X, y: _stream_classes_once(
        SGDClassifier(random_state=0), X, y
    ),
    "wrapped": lambda X, y: _stream(
        WarmStartClassifier(SGDClassifier(), random_state=0), X, y
    ),
    "on_drift(adwin)": lambda X, y: _stream(
        WarmStartClassifier(SGDClassifier(), reset=OnDrift("adwin"), random_state=0),
        X,
        y,
    ),
    "on_drift(ddm)": lambda X, y: _stream(
        WarmStartClassifier(
            SGDClassifier(), reset=OnDrift("ddm", challenger=False), random_state=0
        ),
        X,
        y,
    ),
    "adwin feed only": _adwin_feed,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="200k rows, 5 repeats")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    n = args.rows or (200_000 if args.full else 50_000)
    repeats = args.repeats or (5 if args.full else 3)
    datasets = {"SEA (3 features)": _sea(n), "Gaussian (50 features)": _gaussian(n)}
    print(f"{n:,} rows, chunks of {CHUNK:,}, median of {repeats} interleaved repeats")
    for label, (X, y) in datasets.items():
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(repeats):
            for name, run in VARIANTS.items():
                times[name].append(run(X, y))
        bare = np.median(times["bare"])
        print(f"\n{label}")
        print(f"{'variant':<20} {'us/row':>8} {'throughput vs bare':>20}")
        for name, values in times.items():
            median = np.median(values)
            ratio = "" if name == "adwin feed only" else f"{bare / median:.2f}x"
            print(f"{name:<20} {median / n * 1e6:8.3f} {ratio:>20}")


if __name__ == "__main__":
    main()
