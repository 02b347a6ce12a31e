"""The default study with n_jobs=2 vs n_jobs=1 (target: >= 1.7x on 2 cores).

The study is the one ``sklearn-warmstart study`` runs by default (MLP on SEA
abrupt, the built-in policies, 3 seeds x 3 folds x 8 runs); by default it is
shrunk to 2 seeds so the benchmark takes about a minute. ``--full`` runs the
default study itself, three times per setting. The first parallel call pays
for starting the joblib workers and is reported separately; the ratio uses the
medians of the calls after it (warm workers), and the tables of both settings
are checked to be identical.

Wall-clock ratios need an otherwise idle machine. The script also prints a
CPU-time estimate that other load barely moves: the serial run's CPU time
divided by (the busiest worker's CPU time + the main process's CPU time) of the
parallel run, i.e. the speed-up the parallel run would reach if each of its
processes had a core to itself.

Run: ``python benchmarks/study_parallel.py [--full] [--n-jobs 2]``.
"""

import argparse
import os
import statistics
import time
import warnings

import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from sklearn_warmstart import Retrain
from sklearn_warmstart.cli import (
    DEFAULT_MODEL,
    DEFAULT_N_SAMPLES,
    DEFAULT_POLICIES,
    DEFAULT_RUNS,
    DEFAULT_SCENARIO,
    models,
)
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.study import compare_policies


def _cpu_times() -> tuple[float, dict[int, float]]:
    """CPU seconds of this process and of each child (joblib's workers)."""
    import psutil

    me = psutil.Process()
    own = sum(me.cpu_times()[:2])
    children = {}
    for child in me.children(recursive=True):
        try:
            children[child.pid] = sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return own, children


def _study(data, n_jobs, seeds):
    estimator = models()[DEFAULT_MODEL][1](data.task)
    policies = list(DEFAULT_POLICIES)
    own_before, children_before = _cpu_times()
    tic = time.perf_counter()
    result = compare_policies(
        estimator,
        data.X,
        data.y,
        policies,
        schedule=Retrain(DEFAULT_RUNS),
        seeds=seeds,
        cv=3,
        n_jobs=n_jobs,
        drift_positions=data.drift_positions,
    )
    wall = time.perf_counter() - tic
    own_after, children_after = _cpu_times()
    workers = [
        after - children_before.get(pid, 0.0) for pid, after in children_after.items()
    ]
    busiest = max(workers, default=0.0)
    return wall, own_after - own_before, busiest, result


def main(full: bool = False, n_jobs: int = 2, repeats: int | None = None) -> float:
    warnings.simplefilter("ignore", ConvergenceWarning)
    seeds = 3 if full else 2
    repeats = repeats or (3 if full else 1)
    data = load_scenario(DEFAULT_SCENARIO, n_samples=DEFAULT_N_SAMPLES, seed=0)
    first, *_ = _study(data, n_jobs, seeds)  # starts the workers
    serial, parallel, estimates = [], [], []
    for _ in range(repeats):
        wall, cpu, _, serial_result = _study(data, 1, seeds)
        serial.append(wall)
        wall_p, main_cpu, busiest, parallel_result = _study(data, n_jobs, seeds)
        parallel.append(wall_p)
        estimates.append(cpu / (busiest + main_cpu))
    left, right = serial_result.comparable(), parallel_result.comparable()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name])
    ratio = statistics.median(serial) / statistics.median(parallel)
    n_fits = len(serial_result.folds)
    print(
        f"default study ({n_fits} fits, {seeds} seeds): n_jobs=1 median "
        f"{statistics.median(serial):.1f} s, n_jobs={n_jobs} median "
        f"{statistics.median(parallel):.1f} s (first call with worker start "
        f"{first:.1f} s); tables identical"
    )
    print(f"speed-up n_jobs={n_jobs} / n_jobs=1: {ratio:.2f}x (target >= 1.7x)")
    print(
        f"CPU-time estimate of the speed-up on idle cores: "
        f"{statistics.median(estimates):.2f}x"
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"({os.cpu_count()} CPUs; load average {load}: other work skews wall ratios)")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full default study")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    main(args.full, args.n_jobs, args.repeats)
