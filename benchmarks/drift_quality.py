"""Drift quality: prequential accuracy around a concept change, one run per model.

Streams (``sklearn_warmstart.datasets``): SEA abrupt, SEA gradual and Agrawal
(function switch), each with one change at half length. Every model sees the
same rows in the same order:

- ours (scikit-learn SGD and MLP in ``WarmStartClassifier``), evaluated with
  ``prequential_score`` in chunks of 500 rows: ``warm`` (no reset), ``cold``
  (every chunk a reset on the last 2,000 rows), ``adwin`` (``OnDrift("adwin")``),
  ``ddm+chall`` (``OnDrift("ddm")`` with its warning-zone challenger);
- river, row by row (test-then-train): ``DriftRetrainingClassifier(
  HoeffdingTreeClassifier(), DDM())`` and ``ARFClassifier``.

Features are standardised with the mean and deviation of the first chunk
(nothing from the future). Reported per model: accuracy over the rows before
the change (after the first chunk), over the 2,000 rows after it, overall;
detections: the delay of the first one at or after the change, and false
alarms (detections before the change; for the gradual stream, before
``position - width``); wall time.

Run: ``python benchmarks/drift_quality.py`` (20k rows per stream) or
``--full`` (50k rows per stream).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn_warmstart import (  # noqa: E402
    OnDrift,
    WarmStartClassifier,
    prequential_score,
)
from sklearn_warmstart.datasets import load_scenario  # noqa: E402

CHUNK = 500
AFTER = 2000


def _sgd():
    return SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05)


def _mlp():
    return MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=30)


POLICIES = {
    "warm": {},
    "cold": {"start": "cold"},
    "adwin": {"reset": OnDrift("adwin")},
    "ddm+chall": {"reset": OnDrift("ddm", challenger=True)},
}


def _ours(make, policy, X, y):
    model = WarmStartClassifier(make(), random_state=0, **policy)
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = prequential_score(model, X, y, chunk_size=CHUNK)
    elapsed = time.perf_counter() - tic
    correct = np.r_[np.full(CHUNK, np.nan), result.y_pred == y[CHUNK:]]
    history = result.estimator.history_
    detections = [e.sample_index for r in history for e in r.drift_events]
    promoted = sum(1 for r in history if (r.challenger or "").startswith("promoted"))
    kept = sum(1 for r in history if (r.challenger or "").startswith("kept"))
    note = f"challenger {promoted} promoted/{kept} kept" if promoted + kept else ""
    return correct, detections, elapsed, note


def _river(model, X, y):
    from river import drift

    correct = np.empty(len(y))
    detections = []
    rows = [dict(enumerate(row)) for row in X.tolist()]
    targets = y.tolist()
    watch = isinstance(model, drift.DriftRetrainingClassifier)
    n_drifts = 0
    tic = time.perf_counter()
    for i, (x, target) in enumerate(zip(rows, targets)):
        correct[i] = model.predict_one(x) == target
        model.learn_one(x, target)
        if watch and model.drift_detector.drift_detected:
            detections.append(i)
        elif not watch:
            count = model.n_drifts_detected()
            if count > n_drifts:
                detections.append(i)
                n_drifts = count
    return correct, detections, time.perf_counter() - tic, ""


def _river_models():
    from river import drift, forest, tree

    return {
        "river DDM-retrain HT": lambda: drift.DriftRetrainingClassifier(
            tree.HoeffdingTreeClassifier(), drift.binary.DDM()
        ),
        "river ARF": lambda: forest.ARFClassifier(seed=0),
    }


def _summary(correct, detections, position, width):
    before = np.nanmean(correct[CHUNK:position])
    after = np.nanmean(correct[position : position + AFTER])
    overall = np.nanmean(correct[CHUNK:])
    alarm_limit = position - width if width > 1 else position
    false_alarms = sum(1 for d in detections if d < alarm_limit)
    later = [d for d in detections if d >= alarm_limit]
    delay = later[0] - position if later else None
    return before, after, overall, delay, false_alarms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="50k rows per stream")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--no-arf", action="store_true", help="skip river's ARF")
    args = parser.parse_args(argv)
    n = args.rows or (50_000 if args.full else 20_000)
    print(f"{n:,} rows per stream; ours in chunks of {CHUNK}; after = {AFTER:,} rows")
    header = (
        f"{'model':<22} {'policy':<10} {'before':>7} {'after':>7} {'overall':>8} "
        f"{'delay':>6} {'false':>6} {'time s':>7}  note"
    )
    for name in ("sea_abrupt", "sea_gradual", "agrawal"):
        scenario = load_scenario(name, n_samples=n, seed=0)
        mean = scenario.X[:CHUNK].mean(axis=0)
        std = scenario.X[:CHUNK].std(axis=0)
        X = (scenario.X - mean) / np.where(std > 0, std, 1.0)
        y = scenario.y
        position, width = scenario.drift_positions[0], scenario.drift_width
        print(f"\n{name} (change at row {position:,}, width {width:,})")
        print(header)
        rows = []
        for label, make in (("sklearn SGD", _sgd), ("sklearn MLP(32)", _mlp)):
            for policy, params in POLICIES.items():
                rows.append((label, policy, *_ours(make, params, X, y)))
        for label, make in _river_models().items():
            if args.no_arf and "ARF" in label:
                continue
            rows.append((label, "", *_river(make(), X, y)))
        for label, policy, correct, detections, elapsed, note in rows:
            before, after, overall, delay, false = _summary(
                correct, detections, position, width
            )
            shown_delay = "-" if delay is None else f"{delay:d}"
            print(
                f"{label:<22} {policy:<10} {before:7.4f} {after:7.4f} {overall:8.4f} "
                f"{shown_delay:>6} {false:6d} {elapsed:7.2f}  {note}"
            )


if __name__ == "__main__":
    main()
