"""Assemble the fits' raw results into a :class:`StudyResult`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..records import DriftEvent
from .resolve import NamedPolicy
from .result import StudyResult
from .stats import (
    adaptation_lag,
    finite_mean,
    paired_test,
    seed_disagreement,
    verdict,
)

if TYPE_CHECKING:
    import pandas as pd


def assemble(
    results: list[dict[str, Any]],
    *,
    policies: list[NamedPolicy],
    seeds: list[int],
    baseline: str,
    classifier: bool,
    drift_positions: tuple[int, ...],
    epsilon: float,
    test: str,
    alpha: float,
    score_tol: float,
    compute_tol: float,
    compute: str,
    config: dict[str, Any],
) -> StudyResult:
    import pandas as pd

    names = [p.name for p in policies]
    rows, fold_rows, perturb_rows = [], [], []
    preds: dict[tuple[str, int], list[np.ndarray]] = {}
    y_tests: dict[int, np.ndarray] = {}
    for res in results:
        p_i, s_i, fold = res["key"]
        policy, seed = names[p_i], seeds[s_i]
        for record, (new_start, new_stop) in zip(res["records"], res["steps"]):
            row = {"policy": policy, "seed": seed, "fold": fold}
            row.update(record)
            row["seed"], row["run_seed"] = seed, record["seed"]
            row["drift_events"] = tuple(DriftEvent(**e) for e in record["drift_events"])
            row["loss_curve"] = tuple(record["loss_curve"])
            row["grad_norms"] = tuple(record["grad_norms"])
            row["new_start"], row["new_stop"] = new_start, new_stop
            rows.append(row)
        for item in res["perturbation"]:
            perturb_rows.append({"policy": policy, "seed": seed, "fold": fold, **item})
        preds.setdefault((policy, fold), []).append(res["y_pred"])
        y_tests[fold] = res["y_test"]
        fold_rows.append(
            {
                "policy": policy,
                "seed": seed,
                "fold": fold,
                "score": res["test_score"],
                "forgetting": res["forgetting"],
            }
        )
    table = pd.DataFrame(rows)
    table["policy"] = pd.Categorical(table["policy"], categories=names, ordered=True)
    folds = pd.DataFrame(fold_rows)
    folds["policy"] = pd.Categorical(folds["policy"], categories=names, ordered=True)

    by_seq = table.groupby(["policy", "seed", "fold"], observed=True, sort=True)
    per_seq = by_seq.agg(
        fit_time=("fit_time", "sum"),
        epochs=("n_iter", lambda s: float(s.sum()) if s.notna().all() else np.nan),
        prequential=(
            "prequential_score",
            lambda s: float(np.nanmean(s.iloc[1:])) if len(s) > 1 else np.nan,
        ),
    )
    lag = by_seq.apply(
        lambda seq: pd.Series(
            adaptation_lag(seq, drift_positions, epsilon),
            index=["lag_runs", "lag_rows", "recovered"],
        ),
        include_groups=False,
    )
    folds = folds.set_index(["policy", "seed", "fold"]).join(per_seq).join(lag)
    folds = folds.reset_index().sort_values(["policy", "seed", "fold"], kind="stable")
    folds = folds.reset_index(drop=True)
    if compute == "auto":
        compute = "epochs" if folds["epochs"].notna().all() else "fit_time"
    config = {**config, "compute": compute}

    unit = "epochs" if compute == "epochs" else "fit_time"
    base = folds[folds["policy"] == baseline].set_index(["seed", "fold"])
    summary_rows, verdict_rows = [], []
    for name in names:
        mine = folds[folds["policy"] == name].set_index(["seed", "fold"])
        paired = mine.join(base.add_suffix("_base"), how="inner")
        var_mine = mine.groupby("fold")["score"].var(ddof=1).mean()
        var_base = base.groupby("fold")["score"].var(ddof=1).mean()
        disagreement = finite_mean(
            [
                seed_disagreement(preds[(name, f)], y_tests[f], classifier)
                for f in sorted(y_tests)
            ]
        )
        summary_rows.append(
            {
                "policy": name,
                "description": next(p.describe() for p in policies if p.name == name),
                "score_mean": float(mine["score"].mean()),
                "score_std": float(mine["score"].std(ddof=1))
                if len(mine) > 1
                else float("nan"),
                "prequential_mean": float(mine["prequential"].mean()),
                "fit_time_total": float(mine["fit_time"].mean()),
                "epochs_total": float(mine["epochs"].mean()),
                # In the compute verdict's unit and by its measure (the
                # geometric mean of the paired ratios), so the two cannot disagree.
                "speedup": _speedup(paired, unit),
                "fit_time_speedup": _speedup(paired, "fit_time"),
                "epoch_speedup": float(base["epochs"].mean() / mine["epochs"].mean()),
                "variance_ratio": float(var_mine / var_base)
                if var_base and np.isfinite(var_base)
                else float("nan"),
                "disagreement": float(disagreement),
                "lag_runs": float(mine["lag_runs"].mean()),
                "lag_rows": float(mine["lag_rows"].mean()),
                "recovered": float(mine["recovered"].mean()),
                "forgetting": float(mine["forgetting"].mean()),
            }
        )
        if name == baseline:
            for aspect in ("score", "compute"):
                verdict_rows.append(
                    {"policy": name, "aspect": aspect, "verdict": "baseline"}
                )
            continue
        diffs = (paired["score"] - paired["score_base"]).to_numpy()
        stat, p_value, effect_size = paired_test(diffs, test)
        mean_diff = float(np.mean(diffs))
        verdict_rows.append(
            {
                "policy": name,
                "aspect": "score",
                "verdict": verdict(p_value, mean_diff, -score_tol, score_tol, alpha),
                "n_pairs": len(diffs),
                "baseline_value": float(paired["score_base"].mean()),
                "value": float(paired["score"].mean()),
                "effect": mean_diff,
                "effect_size": effect_size,
                "statistic": stat,
                "p_value": p_value,
                "measure": "final score (difference)",
            }
        )
        column = unit
        log_ratio = _log_ratios(paired, column)
        stat, p_value, effect_size = paired_test(log_ratio, test)
        ratio = float(np.exp(finite_mean(log_ratio)))
        # Less compute is better: a ratio below 1 - tol is beneficial.
        verdict_rows.append(
            {
                "policy": name,
                "aspect": "compute",
                "verdict": verdict(
                    p_value,
                    -math.log(ratio),
                    -math.log1p(compute_tol),
                    -math.log1p(-compute_tol),
                    alpha,
                )
                if np.isfinite(ratio) and ratio > 0
                else "neutral",
                "n_pairs": len(log_ratio),
                "baseline_value": float(paired[f"{column}_base"].mean()),
                "value": float(paired[column].mean()),
                "effect": ratio,
                "effect_size": -effect_size,
                "statistic": stat,
                "p_value": p_value,
                "measure": f"{column} per sequence (ratio)",
            }
        )
    summary = pd.DataFrame(summary_rows).set_index("policy")
    perturbation = None
    if perturb_rows:
        perturbation = pd.DataFrame(perturb_rows)
        top = perturbation["noise"].max()
        drops = perturbation[perturbation["noise"] == top].groupby("policy")["drop"]
        summary["perturbation_drop"] = drops.mean().reindex(summary.index)
    columns = [
        "policy",
        "aspect",
        "verdict",
        "measure",
        "n_pairs",
        "baseline_value",
        "value",
        "effect",
        "effect_size",
        "statistic",
        "p_value",
    ]
    verdicts = pd.DataFrame(verdict_rows).reindex(columns=columns)
    return StudyResult(
        table=table,
        folds=folds,
        summary=summary,
        verdicts=verdicts,
        perturbation=perturbation,
        baseline=baseline,
        drift_positions=drift_positions,
        config=config,
    )


def _log_ratios(paired: pd.DataFrame, column: str) -> np.ndarray:
    """log(policy / baseline) of ``column`` for each paired (seed, fold)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(
            paired[column].to_numpy(dtype=float)
            / paired[f"{column}_base"].to_numpy(dtype=float)
        )


def _speedup(paired: pd.DataFrame, column: str) -> float:
    """Baseline / policy compute: the geometric mean over the paired units."""
    return float(np.exp(-finite_mean(_log_ratios(paired, column))))
