"""Policy comparisons as cross-validation, verdicts and perturbation sensitivity.

:func:`compare_policies` answers "for my model and my data updates, when does
warm-starting help, when is it neutral, when does it hurt?". Every policy and
seed becomes a candidate of an ordinary parameter grid on the meta-estimator's
``start``/``reset``/``random_state``; every (candidate, fold) pair is fitted and
scored by :func:`sklearn.model_selection.cross_validate` on a time-ordered
split, and the estimator's ``schedule`` makes each of those fits replay the
whole retraining sequence. Nothing is shared between fits, so the study runs
under any joblib backend.

Scaling out with Dask
---------------------
The fits are dispatched with :class:`joblib.Parallel`, so the same study runs
on a Dask cluster unchanged::

    import joblib
    from dask.distributed import Client

    client = Client("tcp://scheduler-address:8786")   # a running cluster
    with joblib.parallel_backend("dask", scatter=[X, y]):
        result = compare_policies(estimator, X, y, policies, n_jobs=-1)

Every worker needs the same versions of ``sklearn-warmstart``, scikit-learn
and the model's libraries (install them in the workers' environment, or use
``client.upload_file`` for a development checkout); ``scatter`` sends the
arrays to the workers once instead of with every task. ``n_jobs=-1`` (or
``None``) uses all the cluster's workers. Results do not depend on the
backend: each fit is seeded from its own seed, so a Dask run gives the same
tables as a local one (timings aside).
"""

from __future__ import annotations

import copy
import math
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import check_scoring, r2_score
from sklearn.model_selection import ParameterGrid, TimeSeriesSplit, cross_validate

from . import policies as _policies
from .adapters import adapter_for
from .estimators import WarmStartClassifier, WarmStartRegressor, _BaseWarmStart
from .policies import Cold, Perturb, ShrinkPerturb, Start, Trigger, Warm
from .schedules import Retrain, check_schedule

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "StudyResult",
    "builtin_policies",
    "compare_policies",
    "perturbation_sensitivity",
    "time_ordered_cv",
]

#: Columns of the tidy table that hold wall-clock measurements.
TIMING_COLUMNS = ("fit_time", "peak_memory")


# --------------------------------------------------------------------------- policies


def builtin_policies() -> dict[str, tuple[Start, Trigger | None]]:
    """The built-in policies by name: ``name -> (start, reset)``.

    ``"cold"`` retrains from scratch every run; ``"warm"`` inherits the last
    run's parameters; ``"shrink_perturb"`` starts from
    ``0.4·θ_prev + 0.1·θ_fresh`` (Ash & Adams, 2020); ``"drift_reset"`` is warm
    with a cold reset when :class:`~sklearn_warmstart.policies.OnDrift` (ADWIN
    on the model's errors) detects a drift. ``"drift_reset"`` is listed only
    when :mod:`sklearn_warmstart.policies` provides ``OnDrift``.

    Returns
    -------
    policies : dict
        A new dict on every call (fresh objects; changing it changes nothing
        elsewhere).

    Examples
    --------
    >>> from sklearn_warmstart.study import builtin_policies
    >>> {"cold", "warm", "shrink_perturb"} <= set(builtin_policies())
    True
    """
    out: dict[str, tuple[Start, Trigger | None]] = {
        "cold": (Cold(), None),
        "warm": (Warm(), None),
        "shrink_perturb": (ShrinkPerturb(0.4, 0.1), None),
    }
    on_drift = getattr(_policies, "OnDrift", None)
    if on_drift is not None:
        out["drift_reset"] = (Warm(), on_drift())
    return out


_NEEDS = {"drift_reset": "sklearn_warmstart.policies.OnDrift"}


@dataclass(frozen=True)
class _Policy:
    name: str
    start: Start
    reset: Trigger | Sequence[Trigger] | None

    def describe(self) -> str:
        text = self.start.describe() if isinstance(self.start, Start) else self.start
        if self.reset is None:
            return text
        triggers = [self.reset] if isinstance(self.reset, Trigger) else self.reset
        return f"{text} + reset on {', '.join(_label(t) for t in triggers)}"


def _label(trigger: Trigger) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in trigger.get_params(deep=False).items())
    return f"{type(trigger).__name__}({params})"


def _builtin(name: str) -> tuple[Start, Trigger | None]:
    available = builtin_policies()
    if name in available:
        return available[name]
    if name in _NEEDS:
        raise ValueError(
            f"Policy {name!r} needs {_NEEDS[name]}, which this installation of "
            "sklearn_warmstart does not provide; give it explicitly as "
            "name -> (start, reset)."
        )
    raise ValueError(
        f"Unknown policy {name!r}; built-in policies: "
        f"{', '.join(sorted(available))}. Give other policies as a dict "
        "name -> (start, reset)."
    )


def _resolve_policies(policies: Any) -> list[_Policy]:
    """Validate ``policies`` into named (start, reset) pairs, without training."""
    if isinstance(policies, str):
        policies = [p.strip() for p in policies.split(",") if p.strip()]
    if isinstance(policies, Mapping):
        items = list(policies.items())
    elif isinstance(policies, Sequence):
        items = [(name, name) for name in policies]
    else:
        raise TypeError(
            "policies must be a list of built-in names or a dict name -> "
            f"(start, reset), got {type(policies).__name__}."
        )
    if not items:
        raise ValueError("policies is empty; give at least two policies to compare.")
    out = []
    for name, spec in items:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Policy names must be non-empty strings, got {name!r}.")
        if isinstance(spec, str):
            start, reset = _builtin(spec)
        elif isinstance(spec, Start):
            start, reset = spec, None
        elif isinstance(spec, Mapping):
            unknown = set(spec) - {"start", "reset"}
            if unknown:
                raise ValueError(
                    f"Policy {name!r}: unknown key(s) {sorted(unknown)}; use "
                    "'start' and 'reset'."
                )
            start, reset = spec.get("start", "warm"), spec.get("reset")
        elif isinstance(spec, tuple) and len(spec) == 2:
            start, reset = spec
        else:
            raise TypeError(
                f"Policy {name!r} must be a built-in name, a Start, or a tuple "
                f"(start, reset), got {spec!r}."
            )
        try:
            start_obj = _policies.check_start(start)
            _policies.check_triggers(reset)
        except (TypeError, ValueError) as error:
            raise type(error)(f"Policy {name!r}: {error}") from error
        out.append(_Policy(name, start_obj, reset))
    names = [p.name for p in out]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"Policy names must be unique; repeated: {duplicated}.")
    return out


# --------------------------------------------------------------------------- inputs


def time_ordered_cv(n_splits: int, n_samples: int) -> TimeSeriesSplit:
    """The default time-ordered CV: the last third of the rows held out in blocks.

    Each of the ``n_splits`` folds tests on a block of ``n_samples // (3 *
    n_splits)`` consecutive rows and trains on every row before it, so the
    earliest fold trains on about two thirds of the rows.

    Parameters
    ----------
    n_splits : int
        Number of folds (>= 1).
    n_samples : int
        Number of rows.

    Returns
    -------
    cv : TimeSeriesSplit
        The splitter.

    Examples
    --------
    >>> from sklearn_warmstart.study import time_ordered_cv
    >>> import numpy as np
    >>> [(len(tr), len(te)) for tr, te in time_ordered_cv(3, 900).split(np.zeros(900))]
    [(600, 100), (700, 100), (800, 100)]
    """
    if not isinstance(n_splits, Integral) or n_splits < 1:
        raise ValueError(f"cv must be an int >= 1 or a splitter, got {n_splits!r}.")
    test_size = n_samples // (3 * int(n_splits))
    if test_size < 1:
        raise ValueError(
            f"{n_samples} rows are too few for {n_splits} time-ordered folds."
        )
    if n_splits == 1:
        # TimeSeriesSplit needs two splits; one fold is the last block.
        return _LastBlock(test_size)
    return TimeSeriesSplit(n_splits=int(n_splits), test_size=test_size)


class _LastBlock(TimeSeriesSplit):
    """One fold: train on every row before the last ``test_size`` rows."""

    def __init__(self, test_size: int):
        super().__init__(n_splits=2, test_size=test_size)

    def split(self, X, y=None, groups=None):
        *_, last = super().split(X, y, groups)
        yield last

    def get_n_splits(self, X=None, y=None, groups=None):
        return 1


def _as_wrapper(estimator: Any, schedule: Retrain | None) -> _BaseWarmStart:
    if isinstance(estimator, _BaseWarmStart):
        wrapper = clone(estimator)
    elif is_classifier(estimator):
        wrapper = WarmStartClassifier(estimator)
    elif is_regressor(estimator):
        wrapper = WarmStartRegressor(estimator)
    else:
        raise TypeError(
            "estimator must be a scikit-learn classifier or regressor, or a "
            f"WarmStartClassifier/WarmStartRegressor, got {type(estimator).__name__}."
        )
    if schedule is not None:
        wrapper.set_params(schedule=schedule)
    return wrapper


def _check_seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {seeds!r}.")
        return list(range(int(seeds)))
    if isinstance(seeds, Sequence) and not isinstance(seeds, str):
        out = []
        for seed in seeds:
            if not isinstance(seed, Integral) or isinstance(seed, bool):
                raise ValueError(f"seeds must be ints, got {seed!r}.")
            out.append(int(seed))
        if not out or len(set(out)) != len(out):
            raise ValueError(
                f"seeds must be distinct and non-empty, got {list(seeds)}."
            )
        return out
    raise TypeError(f"seeds must be an int or a list of ints, got {seeds!r}.")


def _check_noise(noise: Any, name: str) -> list[float]:
    values = [noise] if isinstance(noise, Real) else list(noise)
    if not values:
        raise ValueError(f"{name} must list at least one noise level.")
    for value in values:
        if not isinstance(value, Real) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must hold finite numbers >= 0, got {value!r}.")
    return [float(v) for v in values]


def _n_rows(X: Any) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)


# --------------------------------------------------------------------------- one fit


def _default_score(model: Any, X: Any, y: Any, classifier: bool) -> float:
    y_pred = model.predict(X)
    if classifier:
        return float(np.mean(y_pred == np.asarray(y)))
    return float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")


def _perturbed_scores(
    adapter, model, scorer, X, y, noise, draws, seed
) -> list[dict[str, Any]]:
    """Score of ``model`` with its parameters perturbed, for each level and draw."""
    theta = adapter.parameters(model)
    if not theta:
        raise ValueError(
            f"{type(model).__name__} exposes no parameter arrays to perturb; "
            "perturbation sensitivity needs a linear model, an MLP or a skorch net."
        )
    base = float(scorer(model, X, y))
    seeds = np.random.SeedSequence(seed).generate_state(len(noise) * draws)
    rows = []
    for i, level in enumerate(noise):
        for draw in range(draws):
            sub_seed = int(seeds[i * draws + draw])
            perturbed = copy.deepcopy(model)
            adapter.write_parameters(
                perturbed, Perturb(level).initial_parameters(theta, None, sub_seed)
            )
            score = float(scorer(perturbed, X, y))
            rows.append(
                {
                    "noise": level,
                    "draw": draw,
                    "seed": sub_seed,
                    "base_score": base,
                    "score": score,
                    "drop": base - score,
                }
            )
    return rows


def _fit_one(
    wrapper: _BaseWarmStart,
    params: dict[str, Any],
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    scoring: Any,
    noise: list[float] | None,
    draws: int,
    key: tuple[int, int, int],
) -> dict[str, Any]:
    """Fit and score one (policy, seed, fold) with ``cross_validate``."""
    estimator = clone(wrapper).set_params(**params)
    out = cross_validate(
        estimator,
        X,
        y,
        cv=[(train, test)],
        scoring={"score": check_scoring(estimator, scoring)},
        return_estimator=True,
        error_score="raise",
        n_jobs=1,
    )
    fitted = out["estimator"][0]
    X_test = X[test] if not hasattr(X, "iloc") else X.iloc[test]
    y_test = np.asarray(y)[test]
    X_train = X[train] if not hasattr(X, "iloc") else X.iloc[train]
    y_train = np.asarray(y)[train]
    classifier = is_classifier(fitted)
    steps = check_schedule(fitted.schedule).split(len(train))
    first = steps[0].train
    records = [r.to_dict() for r in fitted.history_]
    forgetting = records[0]["train_score"] - _default_score(
        fitted.estimator_,
        X_train[first] if not hasattr(X_train, "iloc") else X_train.iloc[first],
        y_train[first],
        classifier,
    )
    perturbation = []
    if noise is not None:
        adapter = adapter_for(fitted.estimator)
        perturbation = _perturbed_scores(
            adapter,
            fitted.estimator_,
            check_scoring(fitted.estimator_, scoring),
            X_test,
            y_test,
            noise,
            draws,
            [params["random_state"], key[2], 7],
        )
    return {
        "key": key,
        "records": records,
        "steps": [
            (int(train[s.new.start]), int(train[s.new.stop - 1]) + 1) for s in steps
        ],
        "test_score": float(out["test_score"][0]),
        "y_pred": np.asarray(fitted.predict(X_test)),
        "y_test": y_test,
        "forgetting": float(forgetting),
        "perturbation": perturbation,
    }


def _dispatch(tasks: list, n_jobs: Any, progress: bool) -> list[dict[str, Any]]:
    """Run the fits with joblib, showing a progress bar on stderr.

    The longest fits (most training rows) are dispatched first so parallel
    workers finish together; results are put back in task order.
    """
    tasks = sorted(tasks, key=lambda task: -len(task[4]))
    from sklearn.utils.parallel import Parallel, delayed
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="fits", file=sys.stderr, disable=not progress)
    try:
        try:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        except ValueError:  # a backend that cannot stream results
            parallel = Parallel(n_jobs=n_jobs)
        results = []
        for result in parallel(delayed(_fit_one)(*task) for task in tasks):
            results.append(result)
            bar.update(1)
    finally:
        bar.close()
    return sorted(results, key=lambda r: r["key"])


# --------------------------------------------------------------------------- statistics


def _paired_test(diffs: np.ndarray, test: str) -> tuple[float, float, float]:
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


def _verdict(
    p_value: float, effect: float, low: float, high: float, alpha: float
) -> str:
    if p_value < alpha and effect > high:
        return "beneficial"
    if p_value < alpha and effect < low:
        return "detrimental"
    return "neutral"


# --------------------------------------------------------------------------- result


@dataclass
class StudyResult:
    """Everything :func:`compare_policies` measured.

    Attributes
    ----------
    table : DataFrame
        One row per (policy, seed, fold, run) with every
        :class:`~sklearn_warmstart.history.RunRecord` field, plus ``policy``,
        ``seed`` (the study seed, the meta-estimator's ``random_state``; the
        record's own run seed is ``run_seed``), ``fold``, ``new_start`` /
        ``new_stop`` (global row range of the run's new rows).
    folds : DataFrame
        One row per (policy, seed, fold): the final model's test ``score``,
        ``fit_time`` and ``epochs`` summed over the runs, ``prequential`` (mean
        prequential score over runs after the first), ``forgetting``,
        adaptation lag (``lag_runs``, ``lag_rows``, ``recovered``).
    summary : DataFrame
        One row per policy; see :func:`compare_policies`.
    verdicts : DataFrame
        One row per (policy, aspect) with aspect ``"score"`` or ``"compute"``:
        the paired test against the baseline and the verdict.
    perturbation : DataFrame or None
        One row per (policy, seed, fold, noise, draw) when perturbation
        sensitivity was requested.
    baseline : str
        Name of the baseline policy.
    drift_positions : tuple of int
        Known drift rows.
    config : dict
        How the study was run (descriptions of estimator, schedule, cv, ...).
    """

    table: pd.DataFrame
    folds: pd.DataFrame
    summary: pd.DataFrame
    verdicts: pd.DataFrame
    perturbation: pd.DataFrame | None
    baseline: str
    drift_positions: tuple[int, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def policies(self) -> list[str]:
        """Policy names in the order given."""
        return list(self.summary.index)

    def plot(self, kinds: Sequence[str] | str | None = None):
        """Plot the study (matplotlib, Agg backend); returns one Figure.

        Parameters
        ----------
        kinds : str or list of str, default=None
            Panels among ``"loss"``, ``"score"``, ``"fit_time"``,
            ``"distance"``, ``"spread"``, ``"perturbation"``; ``None`` draws all
            that have data.

        Returns
        -------
        figure : matplotlib.figure.Figure
        """
        from .report import plot_study

        return plot_study(self, kinds)

    def report(self, path: Any, format: str | None = None) -> Any:
        """Write the report: one self-contained HTML file, or Markdown.

        Parameters
        ----------
        path : str or path-like
            Output file; ``.md`` writes Markdown (figures as PNG files next to
            it), anything else HTML with the figures embedded.
        format : {"html", "markdown"}, default=None
            Overrides the choice made from the suffix.

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        from .report import write_report

        return write_report(self, path, format=format)

    def comparable(self) -> dict[str, pd.DataFrame]:
        """The tables without wall-clock columns (equal across repeated runs)."""
        table = self.table.drop(columns=list(TIMING_COLUMNS))
        folds = self.folds.drop(columns=["fit_time"])
        summary = self.summary.drop(
            columns=[c for c in self.summary if "fit_time" in c or c == "speedup"]
        )
        verdicts = self.verdicts
        if self.config.get("compute") == "fit_time":
            verdicts = verdicts[verdicts["aspect"] != "compute"]
        return {
            "table": table,
            "folds": folds,
            "summary": summary,
            "verdicts": verdicts,
        }

    def __repr__(self) -> str:
        return (
            f"StudyResult({len(self.policies)} policies, baseline={self.baseline!r}, "
            f"{self.table['seed'].nunique()} seeds, {self.table['fold'].nunique()} "
            f"folds, {len(self.table)} runs)"
        )


def _lags(
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
    return _nanmean(lag_runs), _nanmean(lag_rows), float(np.mean(recovered))


def _nanmean(values: Sequence[float]) -> float:
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else float("nan")


def _disagreement(
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


def _assemble(
    results: list[dict[str, Any]],
    *,
    policies: list[_Policy],
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
            row["drift_events"] = tuple(
                _policies.DriftEvent(**e) for e in record["drift_events"]
            )
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
            _lags(seq, drift_positions, epsilon),
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

    base = folds[folds["policy"] == baseline].set_index(["seed", "fold"])
    summary_rows, verdict_rows = [], []
    for name in names:
        mine = folds[folds["policy"] == name].set_index(["seed", "fold"])
        paired = mine.join(base.add_suffix("_base"), how="inner")
        var_mine = mine.groupby("fold")["score"].var(ddof=1).mean()
        var_base = base.groupby("fold")["score"].var(ddof=1).mean()
        disagreement = _nanmean(
            [
                _disagreement(preds[(name, f)], y_tests[f], classifier)
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
                "speedup": float(base["fit_time"].mean() / mine["fit_time"].mean()),
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
        stat, p_value, effect_size = _paired_test(diffs, test)
        mean_diff = float(np.mean(diffs))
        verdict_rows.append(
            {
                "policy": name,
                "aspect": "score",
                "verdict": _verdict(p_value, mean_diff, -score_tol, score_tol, alpha),
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
        column = "epochs" if compute == "epochs" else "fit_time"
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(
                paired[column].to_numpy(dtype=float)
                / paired[f"{column}_base"].to_numpy(dtype=float)
            )
        stat, p_value, effect_size = _paired_test(log_ratio, test)
        ratio = float(np.exp(_nanmean(log_ratio)))
        # Less compute is better: a ratio below 1 - tol is beneficial.
        verdict_rows.append(
            {
                "policy": name,
                "aspect": "compute",
                "verdict": _verdict(
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


# --------------------------------------------------------------------------- public API


@dataclass
class _Plan:
    """A validated study: the fits to run and how to assemble their results."""

    tasks: list[tuple]
    n_jobs: Any
    progress: bool
    assemble: dict[str, Any]

    @property
    def n_fits(self) -> int:
        """Number of (policy, seed, fold) fits."""
        return len(self.tasks)

    def run(self) -> StudyResult:
        """Run the fits and assemble the result."""
        results = _dispatch(self.tasks, self.n_jobs, self.progress)
        return _assemble(results, **self.assemble)


def compare_policies(
    estimator: Any,
    X: Any,
    y: Any,
    policies: Any = ("cold", "warm", "shrink_perturb"),
    *,
    schedule: Retrain | int = 5,
    seeds: int | Sequence[int] = 3,
    cv: Any = 3,
    scoring: Any = None,
    baseline: str = "cold",
    n_jobs: int | None = None,
    drift_positions: Sequence[int] | None = None,
    perturbation: Sequence[float] | None = None,
    perturbation_draws: int = 5,
    test: str = "wilcoxon",
    alpha: float = 0.05,
    score_tol: float = 0.005,
    compute_tol: float = 0.1,
    compute: str = "auto",
    epsilon: float = 0.02,
    progress: bool = False,
) -> StudyResult:
    """Compare initialisation policies by time-ordered cross-validation.

    Each policy is a (start, reset) pair of the meta-estimator; with each seed
    it becomes one candidate of a parameter grid on ``start``, ``reset`` and
    ``random_state`` (:class:`~sklearn.model_selection.ParameterGrid`). Every
    (candidate, fold) is fitted and scored by
    :func:`~sklearn.model_selection.cross_validate`; the ``schedule`` makes
    that fit replay the whole retraining sequence on the fold's training rows,
    and the final model is scored on the fold's test rows, which come after
    them in time. Everything is validated before any training starts.

    Parameters
    ----------
    estimator : estimator
        The model (a classifier or regressor, wrapped for you) or a
        :class:`~sklearn_warmstart.WarmStartClassifier` /
        :class:`~sklearn_warmstart.WarmStartRegressor` whose other parameters
        are kept.
    X : array-like of shape (n_samples, n_features)
        Rows in time order.
    y : array-like of shape (n_samples,)
        Targets in time order.
    policies : list of str or dict, default=("cold", "warm", "shrink_perturb")
        Built-in names (see :func:`builtin_policies`: ``"cold"``, ``"warm"``,
        ``"shrink_perturb"``, ``"drift_reset"``) or a dict ``name -> (start,
        reset)`` (a value may also be a built-in name or a lone start).
    schedule : Retrain or int, default=5
        The retraining sequence each fit replays; an int is ``Retrain(n)``.
    seeds : int or list of int, default=3
        Seeds (``random_state`` of the meta-estimator); an int ``n`` means
        ``0 .. n-1``. Seeds × folds are the paired units of the tests.
    cv : int or splitter, default=3
        Time-ordered splitter, or an int (:func:`time_ordered_cv`: the last
        third of the rows held out in ``cv`` blocks). Use only splitters whose
        test rows follow their training rows, such as
        :class:`~sklearn.model_selection.TimeSeriesSplit`.
    scoring : str, callable or None, default=None
        Scorer of the final model on each test fold (the estimator's
        ``score`` by default).
    baseline : str, default="cold"
        The policy every other one is compared with; must be among
        ``policies``.
    n_jobs : int or None, default=None
        Parallel fits through joblib (``None`` means 1 unless inside a
        :func:`joblib.parallel_backend` context). See the module docstring for
        Dask.
    drift_positions : list of int, default=None
        Known drift rows (e.g. ``Scenario.drift_positions``), for the
        adaptation lag and the drift markers of the plots.
    perturbation : list of float, default=None
        Relative noise levels (:class:`~sklearn_warmstart.policies.Perturb`)
        at which to measure each final model's score drop on its test fold.
    perturbation_draws : int, default=5
        Draws per noise level.
    test : {"wilcoxon", "ttest"}, default="wilcoxon"
        Paired two-sided test over seeds × folds: Wilcoxon signed-rank
        (effect size: matched-pairs rank-biserial correlation) or Student's
        paired t-test (effect size: Cohen's d_z). With Wilcoxon, at least 6
        pairs are needed for a p-value below 0.05.
    alpha : float, default=0.05
        Significance level of the verdicts.
    score_tol : float, default=0.005
        Smallest mean score difference that counts (in score units).
    compute_tol : float, default=0.1
        Smallest relative compute change that counts (0.1 = 10 %).
    compute : {"auto", "epochs", "fit_time"}, default="auto"
        The compute measure: total epochs per sequence (deterministic; used
        by ``"auto"`` when every run reports its epochs) or total fit time.
    epsilon : float, default=0.02
        Recovery tolerance of the adaptation lag (score units).
    progress : bool, default=False
        Show a progress bar (tqdm, on stderr).

    Returns
    -------
    result : StudyResult
        ``table`` (one row per policy, seed, fold and run), ``folds``,
        ``summary``, ``verdicts``, ``perturbation``; ``plot()`` and
        ``report(path)``.

    Notes
    -----
    Summary columns (one row per policy; means over seeds × folds):
    ``score_mean``/``score_std`` of the final model on the test folds;
    ``prequential_mean`` (each run's previous model scored on the run's new
    rows); ``fit_time_total`` (s) and ``epochs_total`` per sequence;
    ``speedup`` and ``epoch_speedup`` (baseline / policy); ``variance_ratio``
    (variance of the final score across seeds, policy / baseline, averaged
    over folds); ``disagreement`` (fraction of test rows on which two seeds'
    final models predict differently, or for regressors their RMS difference
    over the targets' standard deviation); ``lag_runs`` / ``lag_rows`` (runs
    and post-drift rows until the prequential score is back within
    ``epsilon`` of its mean before the drift, over sequences that recover)
    and ``recovered`` (fraction that do); ``forgetting`` (score of the first
    run's model on the first slice minus the final model's score there:
    positive means the final model lost some of what the first run learnt);
    ``perturbation_drop`` (mean score drop at the largest noise level).

    Verdicts (per policy, for score and compute separately): a paired test
    over seeds × folds against the baseline. **beneficial** if
    ``p < alpha`` and the mean score difference exceeds ``score_tol`` (score),
    or the geometric-mean compute ratio (policy / baseline) is below
    ``1 - compute_tol`` (compute; tested on log ratios); **detrimental** if
    ``p < alpha`` and the effect goes the other way (score difference below
    ``-score_tol``, compute ratio above ``1 + compute_tol``); **neutral**
    otherwise. In the verdict table ``effect`` is the mean score difference
    or the compute ratio, and ``effect_size`` is positive when it favours the
    policy.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart.datasets import load_scenario
    >>> from sklearn_warmstart.study import compare_policies
    >>> sea = load_scenario("sea_stationary", n_samples=900, seed=0)
    >>> result = compare_policies(SGDClassifier(), sea.X, sea.y, ["cold", "warm"],
    ...                           schedule=3, seeds=3, cv=2)
    >>> result.summary.index.tolist()
    ['cold', 'warm']
    >>> result.verdicts[["policy", "aspect", "verdict"]].shape
    (4, 3)
    """
    return _plan_study(
        estimator,
        X,
        y,
        policies,
        schedule=schedule,
        seeds=seeds,
        cv=cv,
        scoring=scoring,
        baseline=baseline,
        n_jobs=n_jobs,
        drift_positions=drift_positions,
        perturbation=perturbation,
        perturbation_draws=perturbation_draws,
        test=test,
        alpha=alpha,
        score_tol=score_tol,
        compute_tol=compute_tol,
        compute=compute,
        epsilon=epsilon,
        progress=progress,
    ).run()


def _plan_study(
    estimator: Any,
    X: Any,
    y: Any,
    policies: Any = ("cold", "warm", "shrink_perturb"),
    *,
    schedule: Retrain | int = 5,
    seeds: int | Sequence[int] = 3,
    cv: Any = 3,
    scoring: Any = None,
    baseline: str = "cold",
    n_jobs: int | None = None,
    drift_positions: Sequence[int] | None = None,
    perturbation: Sequence[float] | None = None,
    perturbation_draws: int = 5,
    test: str = "wilcoxon",
    alpha: float = 0.05,
    score_tol: float = 0.005,
    compute_tol: float = 0.1,
    compute: str = "auto",
    epsilon: float = 0.02,
    progress: bool = False,
) -> _Plan:
    """Validate a study and list its fits; nothing is trained."""
    resolved = _resolve_policies(policies)
    names = [p.name for p in resolved]
    if baseline not in names:
        raise ValueError(
            f"baseline={baseline!r} is not among the policies {names}; add it to "
            "policies or choose one of them."
        )
    seed_list = _check_seeds(seeds)
    schedule_obj = check_schedule(schedule)
    if schedule_obj is None:
        raise ValueError("schedule must be a Retrain or an int >= 1, not None.")
    wrapper = _as_wrapper(estimator, schedule_obj)
    if test not in ("wilcoxon", "ttest"):
        raise ValueError(f"test must be 'wilcoxon' or 'ttest', got {test!r}.")
    if compute not in ("auto", "epochs", "fit_time"):
        raise ValueError(
            f"compute must be 'auto', 'epochs' or 'fit_time', got {compute!r}."
        )
    for name, value, low, high in (
        ("alpha", alpha, 0.0, 1.0),
        ("compute_tol", compute_tol, 0.0, 1.0),
    ):
        if not isinstance(value, Real) or not low < value < high:
            raise ValueError(f"{name} must be in ({low}, {high}), got {value!r}.")
    for name, value in (("score_tol", score_tol), ("epsilon", epsilon)):
        if not isinstance(value, Real) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
    n_samples = _n_rows(X)
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {len(y)}.")
    drifts = tuple(int(p) for p in (drift_positions or ()))
    for p in drifts:
        if not 0 <= p < n_samples:
            raise ValueError(f"drift position {p} is outside the {n_samples} rows.")
    noise = None if perturbation is None else _check_noise(perturbation, "perturbation")
    if not isinstance(perturbation_draws, Integral) or perturbation_draws < 1:
        raise ValueError(
            f"perturbation_draws must be an int >= 1, got {perturbation_draws!r}."
        )
    splitter = time_ordered_cv(cv, n_samples) if isinstance(cv, Integral) else cv
    if not hasattr(splitter, "split"):
        raise TypeError(f"cv must be an int or a splitter with split(), got {cv!r}.")
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]
    if not splits:
        raise ValueError("cv produced no folds.")
    for fold, (train, test_rows) in enumerate(splits):
        try:
            schedule_obj.split(len(train))
        except ValueError as error:
            raise ValueError(
                f"Fold {fold} ({len(train)} training rows): {error}"
            ) from None
        if len(train) and len(test_rows) and test_rows.min() <= train.max():
            warnings.warn(
                f"Fold {fold} tests on rows that precede some of its training rows; "
                "use a time-ordered splitter (e.g. TimeSeriesSplit) so each fold "
                "is scored on data that comes after its training range.",
                UserWarning,
                stacklevel=3,
            )
    check_scoring(wrapper, scoring)
    n_pairs = len(seed_list) * len(splits)
    if test == "wilcoxon" and 2.0 / 2**n_pairs >= alpha:
        warnings.warn(
            f"{len(seed_list)} seeds x {len(splits)} folds give {n_pairs} pairs, too "
            f"few for the Wilcoxon test to reach p < {alpha}: every verdict will "
            "be neutral. Use more seeds or folds (6 pairs at least for 0.05), or "
            "test='ttest'.",
            UserWarning,
            stacklevel=3,
        )
    adapter = adapter_for(wrapper.estimator)
    for pol in resolved:
        triggers = _policies.check_triggers(pol.reset)
        for start in (pol.start, *(t.reset_start() for t in triggers)):
            if start.kind != "cold":
                try:
                    adapter.check_start(start, "fit")
                except ValueError as error:
                    raise type(error)(f"Policy {pol.name!r}: {error}") from None
    if noise is not None:
        adapter.check_start(Perturb(0.0), "fit")

    # ---- the grid: one candidate per (policy, seed); one task per fold
    tasks = []
    for p_i, pol in enumerate(resolved):
        grid = ParameterGrid(
            {"start": [pol.start], "reset": [pol.reset], "random_state": seed_list}
        )
        for s_i, params in enumerate(grid):
            for fold, (train, test_rows) in enumerate(splits):
                tasks.append(
                    (
                        wrapper,
                        params,
                        X,
                        y,
                        train,
                        test_rows,
                        scoring,
                        noise,
                        int(perturbation_draws),
                        (p_i, s_i, fold),
                    )
                )
    config = {
        "estimator": " ".join(repr(wrapper.estimator).split()),
        "schedule": schedule_obj.describe(),
        "cv": repr(splitter),
        "n_folds": len(splits),
        "seeds": seed_list,
        "scoring": "default" if scoring is None else repr(scoring),
        "test": test,
        "alpha": alpha,
        "score_tol": score_tol,
        "compute_tol": compute_tol,
        "epsilon": epsilon,
        "n_samples": n_samples,
    }
    return _Plan(
        tasks,
        n_jobs,
        progress,
        dict(
            policies=resolved,
            seeds=seed_list,
            baseline=baseline,
            classifier=is_classifier(wrapper),
            drift_positions=drifts,
            epsilon=float(epsilon),
            test=test,
            alpha=float(alpha),
            score_tol=float(score_tol),
            compute_tol=float(compute_tol),
            compute=compute,
            config=config,
        ),
    )


def perturbation_sensitivity(
    estimator: Any,
    X: Any,
    y: Any,
    noise: Sequence[float] = (0.0, 0.01, 0.03, 0.1, 0.3),
    *,
    draws: int = 5,
    test_size: float = 0.25,
    scoring: Any = None,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Score drop as the trained parameters are perturbed (a sharp optimum is steep).

    The estimator is trained on the first rows (one run, or its whole
    ``schedule`` if it is a meta-estimator with one); its parameters are then
    perturbed as :class:`~sklearn_warmstart.policies.Perturb` would
    (``θ + σ·rms(θ)·ε`` per array) without further training, and each
    perturbed model is scored on the last ``test_size`` of the rows.

    Parameters
    ----------
    estimator : estimator
        A model with parameter arrays (linear, MLP, skorch), plain or wrapped.
    X : array-like of shape (n_samples, n_features)
        Rows in time order.
    y : array-like of shape (n_samples,)
        Targets.
    noise : list of float, default=(0.0, 0.01, 0.03, 0.1, 0.3)
        Relative noise levels σ.
    draws : int, default=5
        Perturbations per level.
    test_size : float, default=0.25
        Fraction of the rows, at the end, held out for scoring.
    scoring : str, callable or None, default=None
        Scorer (the model's ``score`` by default).
    random_state : int or None, default=None
        Seeds the training (when the meta-estimator has none) and the draws.

    Returns
    -------
    table : DataFrame
        One row per (noise, draw): ``noise``, ``draw``, ``seed``,
        ``base_score`` (unperturbed), ``score``, ``drop``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_warmstart.study import perturbation_sensitivity
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> curve = perturbation_sensitivity(LogisticRegression(), X, y, noise=[0, 1.0],
    ...                                  draws=3, random_state=0)
    >>> curve.groupby("noise")["drop"].mean().round(2).tolist()[0]
    0.0
    """
    levels = _check_noise(noise, "noise")
    if not isinstance(draws, Integral) or draws < 1:
        raise ValueError(f"draws must be an int >= 1, got {draws!r}.")
    if not isinstance(test_size, Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
    if random_state is None:
        random_state = int(np.random.SeedSequence().generate_state(1)[0])
    wrapper = _as_wrapper(estimator, None)
    if wrapper.random_state is None:
        wrapper.set_params(random_state=random_state)
    adapter = adapter_for(wrapper.estimator)
    adapter.check_start(Perturb(0.0), "fit")
    n_samples = _n_rows(X)
    cut = n_samples - max(int(round(test_size * n_samples)), 1)
    if cut < 2:
        raise ValueError(f"{n_samples} rows are too few to train and hold out.")
    index = np.arange(n_samples)
    take = (
        (lambda A, rows: A.iloc[rows])
        if hasattr(X, "iloc")
        else (lambda A, rows: A[rows])
    )
    y_arr = np.asarray(y)
    fitted = wrapper.fit(take(X, index[:cut]), y_arr[:cut])
    model = fitted.estimator_
    rows = _perturbed_scores(
        adapter,
        model,
        check_scoring(model, scoring),
        take(X, index[cut:]),
        y_arr[cut:],
        levels,
        int(draws),
        [int(random_state), 11],
    )
    import pandas as pd

    return pd.DataFrame(rows)
