"""Policy comparisons: tables, verdicts, determinism, scale-out and bad input."""

import dataclasses
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_warmstart import (
    Every,
    OnDrift,
    Retrain,
    RunRecord,
    UnsupportedStartError,
    Warm,
    WarmStartClassifier,
)
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.study import (
    StudyConfig,
    StudyResult,
    builtin_policies,
    compare_policies,
    perturbation_sensitivity,
)
from sklearn_warmstart.study.stats import paired_test, verdict

POLICIES = {
    "cold": "cold",
    "warm": "warm",
    "shrink_perturb": "shrink_perturb",
    "periodic": (Warm(), Every(2)),
}


def _sgd():
    return make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss"))


def _small_mlp():
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(
            (8,), learning_rate_init=0.01, max_iter=100, tol=1e-3, n_iter_no_change=5
        ),
    )


class _MustNotTrain(SGDClassifier):
    """An SGD classifier whose training is an error (proves validation comes first)."""

    def fit(self, X, y, **kwargs):
        raise AssertionError("training started")


@pytest.fixture(scope="module")
def sea():
    return load_scenario("sea_abrupt", n_samples=900, seed=0)


def _study(sea, **kwargs):
    options = dict(
        schedule=Retrain(3),
        seeds=2,
        cv=2,
        drift_positions=sea.drift_positions,
        perturbation=[0.0, 0.5],
        perturbation_draws=2,
        test="ttest",
    )
    options.update(kwargs)
    return compare_policies(_sgd(), sea.X, sea.y, POLICIES, **options)


@pytest.fixture(scope="module")
def serial(sea):
    return _study(sea)


def _assert_same(a: StudyResult, b: StudyResult):
    left, right = a.comparable(), b.comparable()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name])


def test_compare_policies_table_has_every_record_field(serial):
    """One row per (policy, seed, fold, run) with every record field."""
    fields = {f.name for f in dataclasses.fields(RunRecord)}
    assert fields - {"seed"} <= set(serial.table.columns)
    assert {"policy", "seed", "fold", "run", "run_seed"} <= set(serial.table.columns)
    assert len(serial.table) == 4 * 2 * 2 * 3
    counts = serial.table.groupby(["policy", "seed", "fold"], observed=True).size()
    assert (counts == 3).all()
    assert set(serial.table["method"]) == {"schedule"}


def test_compare_policies_folds_are_time_ordered(serial):
    """Each fold trains on the rows before its test block (last third held out)."""
    last_row = serial.table.groupby("fold")["new_stop"].max()
    assert last_row.tolist() == [600, 750]
    assert serial.config["n_folds"] == 2


def test_compare_policies_dict_policy_with_trigger(serial):
    """A (start, reset) policy resets as its trigger says, and records why."""
    periodic = serial.table[serial.table["policy"] == "periodic"]
    assert periodic.loc[periodic["run"] == 2, "trigger"].eq("every(2)").all()
    assert periodic.loc[periodic["run"] == 1, "start"].eq("warm").all()


def test_compare_policies_summary_against_baseline(serial):
    """The baseline's ratios are 1; the other measures are in range."""
    summary = serial.summary
    assert summary.loc["cold", "speedup"] == pytest.approx(1.0)
    assert summary.loc["cold", "variance_ratio"] == pytest.approx(1.0)
    assert summary["disagreement"].between(0, 1).all()
    assert summary["score_mean"].between(0, 1).all()
    assert "perturbation_drop" in summary
    assert summary["recovered"].notna().all()
    assert list(summary.index) == list(POLICIES)


def test_compare_policies_verdicts_cover_score_and_compute(serial):
    """Every policy gets a score and a compute verdict; the baseline is marked."""
    verdicts = serial.verdicts
    assert len(verdicts) == 2 * len(POLICIES)
    assert set(verdicts["aspect"]) == {"score", "compute"}
    assert set(verdicts.loc[verdicts["policy"] == "cold", "verdict"]) == {"baseline"}
    others = verdicts[verdicts["policy"] != "cold"]
    assert (others["n_pairs"] == 4).all()
    assert others["verdict"].tolist() == [
        _expected_verdict(row, alpha=0.05, score_tol=0.005, compute_tol=0.1)
        for row in others.itertuples()
    ]
    # The rule is exercised, not vacuous: a score effect beyond the tolerance
    # that is not significant must read neutral.
    large_but_unsure = others[
        (others["aspect"] == "score")
        & (others["effect"].abs() > 0.005)
        & (others["p_value"] >= 0.05)
    ]
    assert len(large_but_unsure) > 0
    assert (large_but_unsure["verdict"] == "neutral").all()


def _expected_verdict(row, *, alpha, score_tol, compute_tol):
    """The verdict rule of the compare_policies docstring, from a verdict row."""
    significant = row.p_value < alpha
    if row.aspect == "score":
        better, worse = row.effect > score_tol, row.effect < -score_tol
    else:
        better, worse = row.effect < 1 - compute_tol, row.effect > 1 + compute_tol
    if significant and better:
        return "beneficial"
    if significant and worse:
        return "detrimental"
    return "neutral"


def test_compare_policies_verdicts_follow_alpha_and_tolerances(sea, serial):
    """alpha, score_tol and compute_tol change the verdicts as documented."""
    options = dict(alpha=0.5, score_tol=0.02, compute_tol=0.3)
    loose = _study(sea, perturbation=None, **options)
    others = loose.verdicts[loose.verdicts["policy"] != "cold"]
    assert others["verdict"].tolist() == [
        _expected_verdict(row, **options) for row in others.itertuples()
    ]
    # Same fits, so the same effects and p-values as the default study.
    pd.testing.assert_frame_equal(
        others.drop(columns="verdict").reset_index(drop=True),
        serial.verdicts[serial.verdicts["policy"] != "cold"]
        .drop(columns="verdict")
        .reset_index(drop=True),
    )
    # Each setting decides at least one verdict the defaults decide otherwise.
    scores = others[others["aspect"] == "score"]
    computes = others[others["aspect"] == "compute"]
    assert (
        (scores["p_value"] < 0.5) & (scores["effect"].abs().between(0.005, 0.02))
    ).any()
    assert ((computes["p_value"] < 0.5) & computes["effect"].between(0.7, 0.9)).any()
    assert (loose.verdicts["verdict"] != serial.verdicts["verdict"]).any()


def test_compare_policies_same_seeds_same_tables(sea, serial):
    """Repeating a study (here with two joblib workers) gives identical results."""
    again = _study(sea, n_jobs=2)
    _assert_same(serial, again)


def test_compare_policies_dask_backend_matches_local(sea, serial, dask_client):
    """The study under joblib's Dask backend on a LocalCluster equals the local run."""
    import joblib

    with joblib.parallel_config(backend="dask"):
        remote = _study(sea)
    _assert_same(serial, remote)


def test_compare_policies_perturbation_table(serial):
    """Perturbation rows per (policy, seed, fold, noise, draw); no noise, no drop."""
    table = serial.perturbation
    assert len(table) == 4 * 2 * 2 * 2 * 2
    assert (table.loc[table["noise"] == 0.0, "drop"] == 0).all()


def test_compare_policies_warm_saves_compute_on_stationary_mlp():
    """Stationary data: warm is not worse than cold and beneficial in compute."""
    data = load_scenario("sea_stationary", n_samples=900, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = compare_policies(
            _small_mlp(), data.X, data.y, ["cold", "warm"], schedule=3, seeds=3, cv=3
        )
    verdict = result.verdicts.set_index(["policy", "aspect"])["verdict"]
    assert verdict["warm", "score"] in ("neutral", "beneficial")
    assert verdict["warm", "compute"] == "beneficial"
    assert result.config["compute"] == "epochs"
    assert result.summary.loc["warm", "epoch_speedup"] > 1.2


def test_compare_policies_drift_reset_beats_warm_after_drift():
    """SEA abrupt drift: resetting on drift beats warm on the post-drift folds."""
    data = load_scenario("sea_abrupt", n_samples=1800, seed=0)
    result = compare_policies(
        _sgd(),
        data.X,
        data.y,
        ["warm", "drift_reset"],
        baseline="warm",
        schedule=6,
        seeds=3,
        cv=3,
        drift_positions=data.drift_positions,
    )
    verdict = result.verdicts.set_index(["policy", "aspect"])["verdict"]
    assert verdict["drift_reset", "score"] == "beneficial"
    summary = result.summary
    assert summary.loc["drift_reset", "score_mean"] > summary.loc["warm", "score_mean"]
    resets = result.table[result.table["policy"] == "drift_reset"]["trigger"]
    assert resets.notna().any()


def test_builtin_policies_drift_reset_uses_ondrift():
    """'drift_reset' is warm with an OnDrift reset; every call gives fresh objects."""
    policies = builtin_policies()
    assert sorted(policies) == [
        "adaptive",
        "cold",
        "drift_reset",
        "shrink_perturb",
        "warm",
    ]
    start, reset = policies["drift_reset"]
    assert start.kind == "warm" and isinstance(reset, OnDrift)
    assert builtin_policies()["drift_reset"][1] is not reset


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"policies": ["cold", "lukewarm"]}, ValueError, "Unknown policy 'lukewarm'"),
        ({"policies": ["warm"], "baseline": "cold"}, ValueError, "baseline='cold'"),
        ({"schedule": 5000}, ValueError, "5000 runs but only n_samples="),
        ({"seeds": 0}, ValueError, "seeds must be >= 1"),
        ({"seeds": [1, 1]}, ValueError, "distinct"),
        ({"policies": {"odd": ("cold", "every")}}, TypeError, "Policy 'odd'"),
        ({"drift_positions": [10_000]}, ValueError, "outside"),
        ({"test": "anova"}, ValueError, "test must be"),
        ({"scoring": "no_such_metric"}, ValueError, "no_such_metric"),
        ({"policies": []}, ValueError, "policies is empty"),
    ],
)
def test_compare_policies_bad_input_raises_before_training(sea, kwargs, error, match):
    """Invalid studies fail with a clear error before any model is trained."""
    options = {"policies": ["cold", "warm"], **kwargs}
    policies = options.pop("policies")
    with pytest.raises(error, match=match):
        compare_policies(_MustNotTrain(), sea.X, sea.y, policies, **options)


def test_compare_policies_warns_when_pairs_cannot_be_significant(sea):
    """Too few seeds x folds for Wilcoxon to reach alpha is flagged before training."""
    with (
        pytest.warns(UserWarning, match="4 pairs, too few"),
        pytest.raises(AssertionError, match="training started"),
    ):
        compare_policies(_MustNotTrain(), sea.X, sea.y, ["cold", "warm"], seeds=2, cv=2)


def test_compare_policies_unsupported_start_raises_before_training(sea):
    """A policy the model family cannot follow is refused up front."""
    with pytest.raises(UnsupportedStartError, match="Policy 'shrink_perturb'"):
        compare_policies(
            RandomForestClassifier(n_estimators=2),
            sea.X,
            sea.y,
            ["cold", "shrink_perturb"],
        )


def test_compare_policies_warns_on_shuffled_cv(sea):
    """A splitter that tests on earlier rows than it trains on is flagged."""
    with pytest.warns(UserWarning, match="time-ordered splitter"):
        compare_policies(
            _sgd(),
            sea.X,
            sea.y,
            ["cold", "warm"],
            schedule=2,
            seeds=1,
            cv=KFold(2, shuffle=True, random_state=0),
            test="ttest",
        )


def test_compare_policies_keeps_wrapper_settings(sea):
    """A meta-estimator passed in keeps its own parameters (here buffer_size)."""
    wrapper = WarmStartClassifier(_sgd(), buffer_size=7)
    result = compare_policies(
        wrapper, sea.X, sea.y, ["cold", "warm"], schedule=2, seeds=1, cv=1, test="ttest"
    )
    assert "buffer_size" not in result.config["estimator"]
    assert wrapper.get_params()["schedule"] is None
    assert len(result.table) == 2 * 1 * 1 * 2


def test_paired_test_verdicts_follow_thresholds():
    """Consistent gains beyond the tolerance are beneficial; tiny or mixed are not."""
    gains = np.linspace(0.02, 0.05, 9)
    _, p, effect = paired_test(gains, "wilcoxon")
    assert p < 0.05 and effect == 1.0
    assert verdict(p, gains.mean(), -0.005, 0.005, 0.05) == "beneficial"
    assert verdict(p, -gains.mean(), -0.005, 0.005, 0.05) == "detrimental"
    assert verdict(p, 0.001, -0.005, 0.005, 0.05) == "neutral"
    # A large effect without significance is neutral, in either direction.
    assert verdict(0.2, 0.5, -0.005, 0.005, 0.05) == "neutral"
    assert verdict(0.2, -0.5, -0.005, 0.005, 0.05) == "neutral"
    assert verdict(0.05, 0.5, -0.005, 0.005, 0.05) == "neutral"
    assert paired_test(np.zeros(9), "wilcoxon")[1] == 1.0
    mixed = np.array([0.01, -0.01] * 4)
    assert paired_test(mixed, "ttest")[1] > 0.5


def test_perturbation_sensitivity_drop_grows_with_noise():
    """No noise changes nothing; large noise costs score; same seed, same curve."""
    data = load_scenario("sea_stationary", n_samples=600, seed=1)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    curve = perturbation_sensitivity(
        model, data.X, data.y, noise=[0.0, 3.0], draws=3, random_state=0
    )
    again = perturbation_sensitivity(
        model, data.X, data.y, noise=[0.0, 3.0], draws=3, random_state=0
    )
    pd.testing.assert_frame_equal(curve, again)
    drop = curve.groupby("noise")["drop"].mean()
    assert drop[0.0] == 0.0
    assert drop[3.0] > 0.05


def test_perturbation_sensitivity_rejects_models_without_parameters():
    """Tree ensembles have no parameter arrays to perturb."""
    data = load_scenario("sea_stationary", n_samples=200, seed=0)
    with pytest.raises(UnsupportedStartError, match="perturb"):
        perturbation_sensitivity(RandomForestClassifier(), data.X, data.y)


def _step_labels():
    """Labels a majority-class model scores by hand: drift from 0s to 1s at row 300.

    Six 100-row slices hold 10, 10, 10, 90, 89, 89 ones; the 300 test rows after
    them hold 240 ones.
    """
    y = np.zeros(900, dtype=int)
    for block, ones in enumerate((10, 10, 10, 90, 89, 89)):
        y[block * 100 : block * 100 + ones] = 1
    y[600:840] = 1
    return np.arange(900.0).reshape(-1, 1), y


def _majority_study(**kwargs):
    X, y = _step_labels()
    options = dict(
        schedule=Retrain(6, window="sliding"),
        seeds=1,
        cv=1,
        drift_positions=[300],
        test="ttest",
    )
    options.update(kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return compare_policies(
            DummyClassifier(), X, y, {"cold": "cold", "again": "cold"}, **options
        )


def test_compare_policies_lag_recovery_and_forgetting_by_hand():
    """Adaptation lag, recovery and forgetting equal the values worked out by hand.

    A majority-class model on 100-row sliding windows scores 0.9 before the
    drift at row 300, 0.1 on the run that meets it, then 0.89: back within
    epsilon=0.02 of 0.9 one run (100 rows) after the drift. The first model
    scored 0.9 on its slice, where the final (all-ones) model scores 0.1.
    """
    result = _majority_study()
    cold = result.table[result.table["policy"] == "cold"]
    np.testing.assert_allclose(
        cold["prequential_score"].to_numpy()[1:], [0.9, 0.9, 0.1, 0.89, 0.89]
    )
    summary = result.summary.loc["cold"]
    assert summary["recovered"] == 1.0
    assert summary["lag_runs"] == 1.0
    assert summary["lag_rows"] == 100.0
    assert summary["forgetting"] == pytest.approx(0.8)
    assert summary["prequential_mean"] == pytest.approx((0.9 * 2 + 0.1 + 0.89 * 2) / 5)
    assert summary["score_mean"] == pytest.approx(0.8)


def test_compare_policies_epsilon_sets_the_recovery_level():
    """With epsilon=0 a score of 0.89 is not back at 0.9: no recovery, no lag."""
    with warnings.catch_warnings():
        # No lag to average is an answer (NaN), not a numpy warning for the user.
        warnings.simplefilter("error", RuntimeWarning)
        result = _majority_study(epsilon=0.0)
    summary = result.summary.loc["cold"]
    assert summary["recovered"] == 0.0
    assert np.isnan(summary["lag_runs"]) and np.isnan(summary["lag_rows"])
    wide = _majority_study(epsilon=0.85).summary.loc["cold"]
    # 0.9 - 0.85 = 0.05 is met even by the run that meets the drift.
    assert (wide["recovered"], wide["lag_runs"], wide["lag_rows"]) == (1.0, 0.0, 0.0)


def test_compare_policies_scoring_scores_the_test_folds():
    """scoring= replaces the default accuracy of the final model on the test rows."""
    default = _majority_study().summary.loc["cold", "score_mean"]
    balanced = _majority_study(scoring="balanced_accuracy")
    assert default == pytest.approx(0.8)
    # All-ones predictions: recall 1 on the ones, 0 on the zeros.
    assert balanced.summary.loc["cold", "score_mean"] == pytest.approx(0.5)
    assert balanced.config["scoring"] == "'balanced_accuracy'"


def test_compare_policies_identical_policies_are_neutral():
    """A policy equal to the baseline gets a zero score effect and a neutral verdict."""
    verdicts = _majority_study().verdicts.set_index(["policy", "aspect"])
    assert verdicts.loc[("again", "score"), "verdict"] == "neutral"
    assert verdicts.loc[("again", "score"), "effect"] == 0.0
    assert verdicts.loc[("again", "score"), "p_value"] == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": 0.0}, "alpha must be in"),
        ({"alpha": 1.5}, "alpha must be in"),
        ({"compute_tol": 1.0}, "compute_tol must be in"),
        ({"score_tol": -0.1}, "score_tol must be a number >= 0"),
        ({"epsilon": float("nan")}, "epsilon must be a number >= 0"),
        ({"compute": "flops"}, "compute must be"),
        ({"perturbation": [-1.0]}, "perturbation must hold finite numbers"),
        ({"perturbation_draws": 0}, "perturbation_draws must be"),
    ],
)
def test_compare_policies_rejects_bad_thresholds(sea, kwargs, match):
    """Out-of-range thresholds are refused, by name, before training."""
    with pytest.raises(ValueError, match=match):
        compare_policies(_MustNotTrain(), sea.X, sea.y, ["cold", "warm"], **kwargs)


def test_study_config_takes_exactly_the_settings_of_compare_policies():
    """StudyConfig and compare_policies share one list of settings and defaults."""
    parameters = inspect.signature(compare_policies).parameters
    data = ("estimator", "X", "y", "params")  # what plan() takes
    settings = {name: p.default for name, p in parameters.items() if name not in data}
    fields = {f.name: f.default for f in dataclasses.fields(StudyConfig)}
    assert settings == fields


def test_study_config_plans_without_training(sea):
    """plan() validates and counts the fits; nothing trains until run()."""
    config = StudyConfig(["cold", "warm"], schedule=2, seeds=3, cv=2)
    plan = config.plan(_MustNotTrain(), sea.X, sea.y)
    assert plan.n_fits == 2 * 3 * 2
    with pytest.raises(AssertionError, match="training started"):
        plan.run()
    with pytest.raises(ValueError, match="baseline='warm'"):
        StudyConfig(["cold", "shrink_perturb"], baseline="warm").plan(
            _MustNotTrain(), sea.X, sea.y
        )


def test_compare_policies_speedup_agrees_with_the_compute_verdict():
    """speedup is in the compute verdict's unit and measure: they never disagree."""
    data = load_scenario("phishing")
    result = compare_policies(
        RandomForestClassifier(n_estimators=10, max_depth=6),
        data.X[:600],
        data.y[:600],
        ["cold", "warm"],
        schedule=3,
        seeds=2,
        cv=3,
        test="ttest",
    )
    assert result.config["compute"] == "epochs"
    compute = result.verdicts.set_index(["policy", "aspect"]).loc[("warm", "compute")]
    speedup = result.summary.loc["warm", "speedup"]
    assert speedup == pytest.approx(1 / compute["effect"])
    expected = {"beneficial": speedup > 1, "detrimental": speedup < 1}
    assert expected.get(compute["verdict"], True)
    assert "fit_time_speedup" in result.summary
    assert "speedup" in result.comparable()["summary"]


def test_unsupported_policies_names_each_with_its_reason():
    """unsupported_policies lists what a family cannot run, and why."""
    from sklearn_warmstart.study import unsupported_policies

    problems = unsupported_policies(
        RandomForestClassifier(), ["cold", "warm", "shrink_perturb", "drift_reset"]
    )
    assert list(problems) == ["shrink_perturb"]
    assert (
        "supported starts: cold, partial_reset, refresh, warm"
        in problems["shrink_perturb"]
    )
    assert unsupported_policies(SGDClassifier(), ["cold", "shrink_perturb"]) == {}
