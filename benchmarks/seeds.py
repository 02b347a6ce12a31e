"""Run seeds: the block-computed ``run_seed`` vs numpy's ``SeedSequence`` per call.

Every run (every ``partial_fit`` chunk) draws one seed,
``int(SeedSequence([base_seed, run]).generate_state(1)[0])``.
``sklearn_warmstart._seeds.run_seed`` computes the same values 256 runs at a
time. This prints, per call (runs 0, 1, 2, ... as a stream draws them; medians
of interleaved repeats):

- the time of ``run_seed`` and of ``SeedSequence``, and their ratio;
- each as a share of one streaming chunk: ``WarmStartClassifier(SGDClassifier())
  .partial_fit`` on 1,000 SEA rows (3 features, where per-call overhead weighs
  most), with the chunk time measured in the same process, and as a share of
  the wrapper's own time (the chunk minus bare ``SGDClassifier.partial_fit``).

Run: ``python benchmarks/seeds.py`` (``--calls`` seeds per repeat, default 20,000).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import WarmStartClassifier  # noqa: E402
from sklearn_warmstart._seeds import _block, run_seed  # noqa: E402
from sklearn_warmstart.datasets import load_scenario  # noqa: E402

CHUNK = 1000


def _hand_written(base: int, n_calls: int) -> float:
    _block.cache_clear()
    tic = time.perf_counter()
    for run in range(n_calls):
        run_seed(base, run)
    return (time.perf_counter() - tic) / n_calls


def _seed_sequence(base: int, n_calls: int) -> float:
    seed_sequence = np.random.SeedSequence
    tic = time.perf_counter()
    for run in range(n_calls):
        int(seed_sequence([base, run]).generate_state(1)[0])
    return (time.perf_counter() - tic) / n_calls


def _chunk(n_chunks: int, wrapped: bool = True) -> float:
    sea = load_scenario("sea_stationary", n_samples=CHUNK * n_chunks, seed=0)
    X, y = (sea.X - 5.0) / 3.0, sea.y
    clf = SGDClassifier(random_state=0)
    if wrapped:
        clf = WarmStartClassifier(clf, random_state=0)
    clf.partial_fit(X[:CHUNK], y[:CHUNK], classes=[0, 1])
    tic = time.perf_counter()
    for start in range(CHUNK, len(y), CHUNK):
        clf.partial_fit(X[start : start + CHUNK], y[start : start + CHUNK])
    return (time.perf_counter() - tic) / (n_chunks - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {
        "run_seed": [],
        "SeedSequence": [],
        "chunk": [],
        "bare": [],
    }
    for repeat in range(args.repeats):
        times["run_seed"].append(_hand_written(repeat, args.calls))
        times["SeedSequence"].append(_seed_sequence(repeat, args.calls))
        times["chunk"].append(_chunk(50))
        times["bare"].append(_chunk(50, wrapped=False))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"one partial_fit chunk ({CHUNK} SEA rows): {med['chunk'] * 1e6:9.1f} us")
    overhead = med["chunk"] - med["bare"]
    print(f"  of which the wrapper's own (minus bare SGD): {overhead * 1e6:9.1f} us")
    for name in ("run_seed", "SeedSequence"):
        share, of_overhead = med[name] / med["chunk"], med[name] / overhead
        print(
            f"{name:>12} per call: {med[name] * 1e6:7.2f} us = {share:6.2%} of a "
            f"chunk, {of_overhead:6.2%} of the wrapper's own time"
        )
    print(f"SeedSequence / run_seed: {med['SeedSequence'] / med['run_seed']:.1f}x")


if __name__ == "__main__":
    main()
