"""Overhead of the wrapper over the bare estimator: ``fit``, a later run, ``predict``.

Compares ``WarmStartClassifier(est, start="cold")`` with ``est`` itself doing the
same computation (the bare estimator gets the seed the wrapper gives its run,
and the script checks that both train the same epochs to the same model), for
``SGDClassifier`` and ``MLPClassifier``. The core issue's target is a ratio
<= 1.05.

- ``fit``: the first run (cold) against ``clone(est).fit``.
- ``refit``: a later run with ``start="cold"``: the same training work as a bare
  ``fit``, plus what only the wrapper does (prequential evaluation of the
  previous model, records, parameter norms and distances).
- ``predict``: ``wrapper.predict`` against ``wrapper.estimator_.predict``.

What the wrapper adds per run: validating X and y once more, predicting
twice (the previous model's prequential score and the new model's training
score), cloning and seeding, parameter copies and norms. The MLP is capped at
``--mlp-epochs`` epochs (default 20) to keep the run short; the wrapper's
costs do not grow with epochs, so the capped ratio is an upper bound of the
ratio of a converged fit (scikit-learn's default stops after 100-200 epochs
on these rows).

Timing: the ratio is the median over interleaved repeats (alternating which
side goes first) of the per-repeat ratio of process CPU times
(``time.process_time``); the wall-clock ratio is printed next to it. BLAS is
limited to ``--blas-threads`` threads (default 1, 0 = no limit) for both
sides: on a busy machine a multi-threaded 100,000 x 20 mat-vec took 10-30x
longer than single-threaded, which makes whichever side hits the contention
look slow. ``extra`` is the wrapper's own time measured inside the same call
(wall time minus the training step recorded in ``history_``), the figure
least sensitive to noise, and ``extra %`` is it over the bare time.

Usage::

    python benchmarks/overhead.py            # 20,000 x 20, quick
    python benchmarks/overhead.py --full     # 100,000 x 20, the issue's size
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import WarmStartClassifier  # noqa: E402

TARGET = 1.05


def _timed(fn):
    """(CPU seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def compare(bare, wrapped, repeats, prepare=None):
    """Time two callables in interleaved repeats.

    ``prepare()`` (untimed) returns the arguments of both calls. Returns the
    medians ``{"ratio", "wall_ratio", "bare", "wrapped", "extra"}``: paired
    CPU-time ratio, paired wall-time ratio, bare and wrapped CPU seconds, and
    the wrapper's own wall seconds (when ``wrapped`` returns a fitted wrapper).
    """
    cpu, wall, extra = ([], []), ([], []), []
    for i in range(repeats):
        args = prepare() if prepare is not None else ()
        order = [(0, bare), (1, wrapped)]
        if i % 2:
            order.reverse()
        for side, fn in order:
            t_cpu, t_wall, result = _timed(lambda fn=fn, args=args: fn(*args))
            cpu[side].append(t_cpu)
            wall[side].append(t_wall)
            if side == 1 and hasattr(result, "history_"):
                extra.append(t_wall - result.history_[-1].fit_time)
    med = statistics.median
    return {
        "ratio": med(w / b for b, w in zip(*cpu)),
        "wall_ratio": med(w / b for b, w in zip(*wall)),
        "bare": med(cpu[0]),
        "wrapped": med(cpu[1]),
        "bare_wall": med(wall[0]),
        "extra": med(extra) if extra else float("nan"),
    }


def make_data(n_samples, seed=0):
    """Two batches of rows: run 0's and run 1's."""
    X, y = make_classification(
        n_samples=2 * n_samples, n_features=20, n_informative=10, random_state=seed
    )
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return (X[:n_samples], y[:n_samples]), (X[n_samples:], y[n_samples:])


def bench_model(estimator, data, repeats, predict_repeats):
    """[(operation, timing, note)] for one estimator."""
    (X1, y1), (X2, y2) = data
    wrapper = WarmStartClassifier(estimator, start="cold", random_state=0)
    fitted = clone(wrapper).fit(X1, y1).fit(X2, y2)
    seeds = [record.seed for record in fitted.history_]
    n_iter = [record.n_iter for record in fitted.history_]
    bare = [clone(estimator).set_params(random_state=seed) for seed in seeds]
    # The bare runs must do exactly the wrapper's training work.
    check = clone(bare[1]).fit(X2, y2)
    same = (
        int(np.max(check.n_iter_)) == n_iter[1]
        and np.array_equal(check.predict(X2), fitted.estimator_.predict(X2))
        and int(np.max(clone(bare[0]).fit(X1, y1).n_iter_)) == n_iter[0]
    )
    flag = "" if same else " (bare run differs from the wrapper's!)"
    rows = []
    timing = compare(
        lambda: clone(bare[0]).fit(X1, y1), lambda: clone(wrapper).fit(X1, y1), repeats
    )
    rows.append(("fit", timing, f"{n_iter[0]} epochs{flag}"))

    first = clone(wrapper).fit(X1, y1)
    timing = compare(
        lambda _: clone(bare[1]).fit(X2, y2),
        lambda w: w.fit(X2, y2),
        repeats,
        prepare=lambda: (copy.deepcopy(first),),
    )
    rows.append(("refit", timing, f"{n_iter[1]} epochs{flag}"))

    model = fitted.estimator_
    timing = compare(
        lambda: model.predict(X2), lambda: fitted.predict(X2), predict_repeats
    )
    rows.append(("predict", timing, f"{len(X2):,} rows"))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100,000 x 20 rows")
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None, help="fit repeats")
    parser.add_argument("--mlp-epochs", type=int, default=20)
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.n_samples or (100_000 if args.full else 20_000)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    limits = (
        threadpool_limits(args.blas_threads)
        if args.blas_threads > 0
        else contextlib.nullcontext()
    )
    # SGD fits take a fraction of a second: more repeats for the same time.
    models = [
        ("SGDClassifier", SGDClassifier(), args.repeats or 15),
        ("MLPClassifier", MLPClassifier(max_iter=args.mlp_epochs), args.repeats or 5),
    ]
    print(
        f"Wrapper overhead, {n:,} x 20 rows, BLAS threads: "
        f"{args.blas_threads or 'any'}, load average {os.getloadavg()[0]:.1f}; "
        f"target ratio <= {TARGET}"
    )
    header = (
        f"{'model':<15}{'op':<9}{'repeats':>8}{'bare cpu s':>11}{'wrap cpu s':>11}"
        f"{'ratio':>7}{'wall ratio':>11}{'extra s':>9}{'extra %':>8}  ok   note"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    data = make_data(n)
    with limits:
        for name, estimator, repeats in models:
            for op, t, note in bench_model(estimator, data, repeats, 5 * repeats):
                worst = max(worst, t["ratio"])
                ok = "yes" if t["ratio"] <= TARGET else "NO"
                extra_pct = 100 * t["extra"] / t["bare_wall"]
                print(
                    f"{name:<15}{op:<9}{(5 if op == 'predict' else 1) * repeats:>8}"
                    f"{t['bare']:>11.4f}{t['wrapped']:>11.4f}{t['ratio']:>7.3f}"
                    f"{t['wall_ratio']:>11.3f}{t['extra']:>9.4f}{extra_pct:>7.1f}%"
                    f"  {ok:<4} {note}"
                )
    print(f"worst ratio {worst:.3f} (target <= {TARGET})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
