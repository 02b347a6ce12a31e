"""Paired tests, verdicts, adaptation lag and seed disagreement."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def paired_test(diffs: np.ndarray, test: str) -> tuple[float, float, float]:
    """Statistic, two-sided p-value and effect size of paired differences."""
    from scipy import stats

    diffs = np.asarray(diffs, dtype=np.float64)
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) == 0 or np.all(diffs == 0):
        return 0.0, 1.0, 0.0
    if test == "ttest":
        sd = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0
        if sd == 0.0:  # every pair differs by the same amount
            signed_inf = float(np.copysign(np.inf, diffs.mean()))
            return signed_inf, 0.0 if len(diffs) > 1 else 1.0, signed_inf
        res = stats.ttest_1samp(diffs, 0.0)
        return float(res.statistic), float(res.pvalue), float(diffs.mean() / sd)
    nonzero = diffs[diffs != 0]
    ranks = stats.rankdata(np.abs(nonzero))
    w_plus, w_minus = ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()
    effect = float((w_plus - w_minus) / (w_plus + w_minus))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.wilcoxon(nonzero)
    return float(res.statistic), float(res.pvalue), effect


def verdict(
    p_value: float, effect: float, low: float, high: float, alpha: float
) -> str:
    if p_value < alpha and effect > high:
        return "beneficial"
    if p_value < alpha and effect < low:
        return "detrimental"
    return "neutral"


def adaptation_lag(
    seq: pd.DataFrame, drifts: Sequence[int], epsilon: float
) -> tuple[float, float, float]:
    """Adaptation lag of one sequence: runs and rows until the score is back."""
    starts, stops = seq["new_start"].to_numpy(), seq["new_stop"].to_numpy()
    scores = seq["prequential_score"].to_numpy()
    lag_runs, lag_rows, recovered = [], [], []
    for p in drifts:
        hit = np.nonzero(stops > p)[0]
        if len(hit) == 0 or starts[0] > p or hit[0] == 0 or p < stops[0]:
            continue
        r_d = int(hit[0])
        pre = scores[1:r_d]
        pre = pre[np.isfinite(pre)]
        if len(pre) == 0:
            continue
        level = float(pre.mean()) - epsilon
        back = [r for r in range(r_d, len(scores)) if scores[r] >= level]
        if back:
            lag_runs.append(back[0] - r_d)
            lag_rows.append(max(int(starts[back[0]]) - p, 0))
            recovered.append(1.0)
        else:
            recovered.append(0.0)
    if not recovered:
        return float("nan"), float("nan"), float("nan")
    return finite_mean(lag_runs), finite_mean(lag_rows), float(np.mean(recovered))


def finite_mean(values: Sequence[float]) -> float:
    """Mean of the finite values (NaN, silently, when there are none)."""
    values = np.asarray(values, dtype=np.float64)
    # Infinite log ratios (a zero compute) are left out like NaN, and an all-NaN
    # mean is an expected outcome here, not a warning for the user.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(np.where(np.isfinite(values), values, np.nan)))


def seed_disagreement(
    preds: list[np.ndarray], y_test: np.ndarray, classifier: bool
) -> float:
    if len(preds) < 2:
        return float("nan")
    values = []
    for a, b in combinations(preds, 2):
        if classifier:
            values.append(float(np.mean(a != b)))
        else:
            scale = float(np.std(y_test))
            rms = float(np.sqrt(np.mean((np.asarray(a) - b) ** 2)))
            values.append(rms / scale if scale > 0 else float("nan"))
    return float(np.mean(values))
