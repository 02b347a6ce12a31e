"""The one-call policy comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..schedules import Retrain
from .plan import StudyConfig
from .result import StudyResult

__all__ = ["compare_policies"]


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
    params: dict[str, Any] | None = None,
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
    params : dict, default=None
        Metadata for every fit, e.g. ``{"sample_weight": w}`` with one value
        per row of ``X``; :func:`~sklearn.model_selection.cross_validate`
        gives each fold its training rows' values and the schedule each run
        its own. With metadata routing enabled the model must request them
        (``estimator.set_fit_request(sample_weight=True)``).

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
    ``speedup`` (baseline / policy, in the compute verdict's unit: the
    geometric mean over seeds × folds of the paired ratios, so it agrees
    with the verdict), ``fit_time_speedup`` (the same in seconds) and
    ``epoch_speedup`` (ratio of mean epochs); ``variance_ratio``
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
    settings = {
        k: v for k, v in locals().items() if k not in ("estimator", "X", "y", "params")
    }
    return StudyConfig(**settings).plan(estimator, X, y, params=params).run()
