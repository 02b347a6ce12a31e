"""Overhead of the wrapper over the bare estimator: ``fit``, a later run, ``predict``.

Compares ``WarmStartClassifier(est, start="cold")`` with ``est`` itself doing the
same computation (the bare estimator gets the seed the wrapper gives its run,
so both train the same number of epochs), for ``SGDClassifier`` and
``MLPClassifier``. Prints medians of interleaved repeats and their ratios; the
core issue's target is a ratio <= 1.05.

- ``fit``: the first run (cold) against ``clone(est).fit``.
- ``refit``: a later run with ``start="cold"``: the same training work as a bare
  ``fit``, plus what only the wrapper does (prequential evaluation of the
  previous model, records, parameter norms and distances).
- ``predict``: ``wrapper.predict`` against ``wrapper.estimator_.predict``.

The MLP is capped at ``--mlp-epochs`` epochs (default 10) to keep the run short;
the wrapper's costs do not grow with epochs, so the capped ratio is an upper
bound of the ratio at convergence.

Timing: each figure is the median over interleaved repeats of the process CPU
time (``time.process_time``; wall-clock ratios are printed next to them).
BLAS is limited to ``--blas-threads`` threads (default 1, 0 = no limit) for
both sides: on a busy machine a multi-threaded 100,000 x 20 mat-vec takes
10-30x longer than single-threaded, which makes whichever side hits the
contention look slow. ``extra`` is the wrapper's own time measured inside the
same call (total minus the training step recorded in ``history_``), the
figure least sensitive to noise.

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


def _median_pair(bare, wrapped, repeats, prepare=None):
    """Interleaved medians (alternating which goes first) of two callables.

    Returns ``{"cpu": (bare, wrapped), "wall": (bare, wrapped), "extra": s}``
    where ``extra`` is the median of ``wrapped``'s own time when it returns a
    fitted wrapper (wall time minus its last run's recorded training time).
    """
    cpu = ([], [])
    wall = ([], [])
    extra = []
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
        "cpu": (med(cpu[0]), med(cpu[1])),
        "wall": (med(wall[0]), med(wall[1])),
        "extra": med(extra) if extra else float("nan"),
    }


def _data(n_samples, seed=0):
    X, y = make_classification(
        n_samples=2 * n_samples, n_features=20, n_informative=10, random_state=seed
    )
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return (X[:n_samples], y[:n_samples]), (X[n_samples:], y[n_samples:])


def bench_model(name, estimator, data, repeats, predict_repeats):
    """Rows (model, operation, bare s, wrapper s, ratio, note) for one estimator."""
    (X1, y1), (X2, y2) = data
    wrapper = WarmStartClassifier(estimator, start="cold", random_state=0)
    fitted = clone(wrapper).fit(X1, y1).fit(X2, y2)
    seed0, seed1 = fitted.history_[0].seed, fitted.history_[1].seed
    n_iter = [fitted.history_[0].n_iter, fitted.history_[1].n_iter]
    bare0 = clone(estimator).set_params(random_state=seed0)
    bare1 = clone(estimator).set_params(random_state=seed1)
    check0, check1 = clone(bare0).fit(X1, y1), clone(bare1).fit(X2, y2)
    # The bare runs must do exactly the wrapper's training work.
    same = [
        int(np.max(check0.n_iter_)) == n_iter[0],
        int(np.max(check1.n_iter_)) == n_iter[1]
        and np.array_equal(check1.predict(X2), fitted.estimator_.predict(X2)),
    ]
    flag = ["" if ok else " (bare run differs!)" for ok in same]
    rows = []
    timing = _median_pair(
        lambda: clone(bare0).fit(X1, y1), lambda: clone(wrapper).fit(X1, y1), repeats
    )
    rows.append((name, "fit", timing, f"{n_iter[0]} epochs{flag[0]}"))

    first = clone(wrapper).fit(X1, y1)
    timing = _median_pair(
        lambda _: clone(bare1).fit(X2, y2),
        lambda w: w.fit(X2, y2),
        repeats,
        prepare=lambda: (copy.deepcopy(first),),
    )
    rows.append((name, "refit", timing, f"{n_iter[1]} epochs{flag[1]}"))

    model = fitted.estimator_
    timing = _median_pair(
        lambda: model.predict(X2), lambda: fitted.predict(X2), predict_repeats
    )
    rows.append((name, "predict", timing, f"{len(X2):,} rows"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100,000 x 20 rows")
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--mlp-epochs", type=int, default=10)
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.n_samples or (100_000 if args.full else 20_000)
    repeats = args.repeats or (7 if args.full else 5)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    limits = (
        threadpool_limits(args.blas_threads)
        if args.blas_threads > 0
        else contextlib.nullcontext()
    )
    data = _data(n)
    models = [
        ("SGDClassifier", SGDClassifier()),
        ("MLPClassifier", MLPClassifier(max_iter=args.mlp_epochs)),
    ]
    print(
        f"Wrapper overhead, {n:,} x 20 rows, median of {repeats} repeats "
        f"(predict: {5 * repeats}), BLAS threads: {args.blas_threads or 'any'}, "
        f"load average {os.getloadavg()[0]:.1f}; target ratio <= {TARGET}"
    )
    header = (
        f"{'model':<15}{'op':<9}{'bare cpu s':>11}{'wrap cpu s':>11}{'ratio':>7}"
        f"{'wall ratio':>11}{'extra s':>9}{'extra %':>8}  ok   note"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    with limits:
        for name, est in models:
            for model, op, timing, note in bench_model(
                name, est, data, repeats, 5 * repeats
            ):
                (c_bare, c_wrap), (w_bare, w_wrap) = timing["cpu"], timing["wall"]
                ratio = c_wrap / c_bare
                extra = timing["extra"]
                worst = max(worst, ratio)
                ok = "yes" if ratio <= TARGET else "NO"
                print(
                    f"{model:<15}{op:<9}{c_bare:>11.4f}{c_wrap:>11.4f}{ratio:>7.3f}"
                    f"{w_wrap / w_bare:>11.3f}{extra:>9.4f}"
                    f"{100 * extra / w_bare:>7.1f}%  {ok:<4} {note}"
                )
    print(f"worst CPU-time ratio {worst:.3f} (target <= {TARGET})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
