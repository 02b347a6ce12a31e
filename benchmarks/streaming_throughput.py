"""Streaming throughput: WarmStartClassifier.partial_fit with each detector vs bare SGD.

``make_classification`` rows with 20 features, chunks of 1,000, ``classes``
passed on every call (bare and wrapped alike). Every variant sees the same
chunks in the same process, repetitions interleaved; the median time per row
is reported with its throughput ratio to bare ``SGDClassifier.partial_fit``
(1.0 = as fast).

Variants:
- ``bare``: ``SGDClassifier.partial_fit`` itself (the ratio base).
- ``wrapped``: ``WarmStartClassifier(SGDClassifier())`` (records, checks, copies).
- ``on_drift(<name>)``: plus ``OnDrift(<name>, challenger=False)`` fed every
  row's 0/1 error, for every named detector.
- ``on_drift(ddm), challenger``: DDM with its warning-zone challenger on.
- ``feed only``: the cost of feeding each detector 0/1 errors (15% error rate)
  through the library's monitor in chunks of 1,000, per row and as a share of
  bare SGD's per-row cost, and how it is fed (a chunked equivalent, ADWIN's
  compiled core, or river row by row).
- ``on_drift(kswin)``: one KS test per row by design; timed on the first
  2,000 rows only (10,000 with ``--full``; its ratio is against bare SGD on
  the same rows).

Run: ``python benchmarks/streaming_throughput.py`` (50k rows, 3 repeats) or
``--full`` (200k rows, 5 repeats, as in the issue).

``--memory`` instead streams 1,000,000 rows in chunks of 50 (20,000 runs,
twice ``records.MAX_RECORDS``) through ``OnDrift("ddm")`` and prints, every
2,500 runs, the records kept, the runs counted, the pickled size of the
history and of the whole estimator, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import pickle
import resource
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import OnDrift, WarmStartClassifier  # noqa: E402
from sklearn_warmstart.drift import DriftMonitor, make_detector  # noqa: E402

CHUNK = 1000
DETECTORS = ("adwin", "page_hinkley", "ddm", "eddm", "hddm_a", "hddm_w", "fhddm")


def _stream(model, X, y) -> float:
    tic = time.perf_counter()
    for start in range(0, len(y), CHUNK):
        model.partial_fit(X[start : start + CHUNK], y[start : start + CHUNK], [0, 1])
    return time.perf_counter() - tic


def _wrapped(reset=None):
    return WarmStartClassifier(SGDClassifier(), reset=reset, random_state=0)


VARIANTS = {
    "bare": lambda: SGDClassifier(random_state=0),
    "wrapped": _wrapped,
    **{
        f"on_drift({name})": (
            lambda name=name: _wrapped(OnDrift(name, challenger=False))
        )
        for name in DETECTORS
    },
    "on_drift(ddm), challenger": lambda: _wrapped(OnDrift("ddm", challenger=True)),
}


def _path(monitor: DriftMonitor) -> str:
    """How the monitor feeds its detector."""
    if monitor._chunked is not None:
        return "chunked equivalent"
    return "river's compiled core" if monitor._adwin else "river, row by row"


def _table(times: dict[str, list[float]], n: int) -> None:
    bare = np.median(times["bare"])
    print(f"{'variant':<28} {'us/row':>8} {'throughput vs bare':>20}")
    for name, values in times.items():
        if name == "bare":
            continue
        median = np.median(values)
        print(f"{name:<28} {median / n * 1e6:8.3f} {bare / median:19.2f}x")
    print(f"{'bare':<28} {bare / n * 1e6:8.3f} {1:19.2f}x")


def memory(n: int = 1_000_000, chunk: int = 50, every: int = 2500) -> None:
    """History and estimator size along a long stream of small chunks."""
    X, y = make_classification(n_samples=n, n_features=20, random_state=0)
    clf = _wrapped(OnDrift("ddm"))
    print(f"make_classification {n:,} x 20 in chunks of {chunk}: OnDrift('ddm')")
    print(
        f"{'rows':>10} {'runs':>7} {'records kept':>13} {'history KB':>11} "
        f"{'estimator KB':>13} {'peak RSS MB':>12}"
    )
    for run, start in enumerate(range(0, n, chunk), 1):
        clf.partial_fit(X[start : start + chunk], y[start : start + chunk], [0, 1])
        if run % every == 0:
            history = clf.history_
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{start + chunk:>10,} {history.n_runs:>7,} {len(history):>13,} "
                f"{len(pickle.dumps(history)) / 1024:>11,.0f} "
                f"{len(pickle.dumps(clf)) / 1024:>13,.0f} {peak:>12,.0f}"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="200k rows, 5 repeats")
    parser.add_argument("--memory", action="store_true", help="1M rows, records cap")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    if args.memory:
        memory()
        return
    n = args.rows or (200_000 if args.full else 50_000)
    repeats = args.repeats or (5 if args.full else 3)
    X, y = make_classification(n_samples=n, n_features=20, random_state=0)
    print(
        f"make_classification {n:,} x 20, chunks of {CHUNK:,}, classes on every "
        f"call, median of {repeats} interleaved repeats"
    )
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(repeats):
        for name, make in VARIANTS.items():
            times[name].append(_stream(make(), X, y))
    _table(times, n)

    errors = (np.random.default_rng(1).random(n) < 0.15).astype(np.float64)
    bare = np.median(times["bare"])
    print("\nfeed only (the detector alone, same rows)")
    print(f"{'detector':<28} {'us/row':>8} {'share of bare SGD':>20}  path")
    for name in DETECTORS:
        feed = []
        for _ in range(repeats):
            monitor = DriftMonitor(make_detector(name))
            tic = time.perf_counter()
            for start in range(0, n, CHUNK):
                monitor.feed(errors[start : start + CHUNK], start)
            feed.append(time.perf_counter() - tic)
        median = np.median(feed)
        print(
            f"{name:<28} {median / n * 1e6:8.3f} {median / bare:19.1%}  {_path(monitor)}"
        )

    rows = min(10_000 if args.full else 2_000, n)
    kswin = {"bare": [], "on_drift(kswin)": []}
    for _ in range(repeats):
        kswin["bare"].append(_stream(VARIANTS["bare"](), X[:rows], y[:rows]))
        kswin["on_drift(kswin)"].append(
            _stream(_wrapped(OnDrift("kswin")), X[:rows], y[:rows])
        )
    print(f"\nKSWIN (a KS test per row), first {rows:,} rows")
    _table(kswin, rows)


if __name__ == "__main__":
    main()
