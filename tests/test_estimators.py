"""The meta-estimators: runs, records, delegation, composition and failures."""

import inspect
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_warmstart
from sklearn_warmstart import (
    ArchitectureChangedError,
    Cold,
    DivergenceError,
    Every,
    FirstRunStartWarning,
    OnNewClasses,
    PartialReset,
    Perturb,
    ShrinkPerturb,
    UnsupportedStartError,
    Warm,
    WarmStartClassifier,
    WarmStartRegressor,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=900, n_features=8, n_informative=5, random_state=0
    )
    return X, y


def _fitted_state(est):
    return (
        est.estimator_,
        est.history_,
        est.n_runs_,
        {k: v for k, v in vars(est).items() if k.endswith("_")},
    )


def test_warmstartclassifier_first_run_cold_then_policy(data):
    """The first run is cold; later runs start as ``start`` says."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=ShrinkPerturb(0.5, 0.1), random_state=0
    )
    for n in (300, 600, 900):
        clf.fit(X[:n], y[:n])
    starts = [r.start for r in clf.history_]
    assert starts == ["cold", "shrink_perturb(0.5, 0.1)", "shrink_perturb(0.5, 0.1)"]
    assert clf.n_runs_ == 3
    assert clf.history_[0].reason.startswith("first run")
    assert np.isnan(clf.history_[0].prequential_score)
    assert 0.5 < clf.history_[1].prequential_score <= 1.0


def test_warmstartclassifier_warm_starts_from_previous_parameters(data):
    """A warm SGD run starts at the previous coefficients (θ_start = θ_prev)."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X[:450], y[:450])
    prev = np.concatenate([clf.estimator_.coef_.ravel(), clf.estimator_.intercept_])
    clf.fit(X, y)
    record = clf.history_[1]
    assert record.start == "warm"
    assert record.theta_start_norm == pytest.approx(np.linalg.norm(prev))
    assert record.distance_from_prev == pytest.approx(record.distance_from_start)


def test_warmstartclassifier_cold_equals_bare_estimator(data):
    """A cold run is the bare estimator fitted with the run-0 seed."""
    X, y = data
    clf = WarmStartClassifier(MLPClassifier(max_iter=30), start="cold", random_state=3)
    clf.fit(X[:400], y[:400]).fit(X, y)
    bare = MLPClassifier(max_iter=30, random_state=clf.history_[1].seed).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), bare.predict_proba(X))
    assert clf.history_[0].seed == clf.history_[1].seed


def test_warmstartclassifier_same_random_state_same_results(data):
    """The same random_state gives identical predictions and records."""
    X, y = data

    def run():
        clf = WarmStartClassifier(
            MLPClassifier(hidden_layer_sizes=(8,), max_iter=30),
            start=Perturb(0.1),
            reset=Every(3),
            random_state=7,
        )
        for n in (300, 500, 700, 900):
            clf.fit(X[:n], y[:n])
        return clf

    a, b = run(), run()
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    frame_a = a.history_.to_frame().drop(columns=["fit_time", "peak_memory"])
    frame_b = b.history_.to_frame().drop(columns=["fit_time", "peak_memory"])
    pd.testing.assert_frame_equal(frame_a, frame_b)
    assert [r.start for r in a.history_] == [
        "cold",
        "perturb(0.1)",
        "perturb(0.1)",
        "cold",
    ]


def test_warmstartclassifier_every_k_resets(data):
    """Every(2) makes runs 0, 2, 4 cold and records the trigger."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), reset=Every(2), random_state=0)
    for n in range(300, 901, 150):
        clf.fit(X[:n], y[:n])
    assert [r.start for r in clf.history_] == ["cold", "warm", "cold", "warm", "cold"]
    assert clf.history_[2].trigger == "every(2)"
    assert "every 2 runs" in clf.history_[2].reason


def test_warmstartclassifier_history_to_frame(data):
    """history_.to_frame() has one row per run and every record field."""
    X, y = data
    clf = WarmStartClassifier(
        MLPClassifier(max_iter=20), random_state=0, track_memory=True
    )
    clf.fit(X[:400], y[:400]).fit(X, y)
    frame = clf.history_.to_frame()
    assert list(frame["run"]) == [0, 1]
    for column in (
        "start",
        "reason",
        "seed",
        "n_samples",
        "n_iter",
        "loss_curve",
        "theta_start_norm",
        "theta_end_norm",
        "distance_from_start",
        "distance_from_prev",
        "prequential_score",
        "train_score",
        "fit_time",
        "peak_memory",
    ):
        assert column in frame
    assert frame["n_samples"].tolist() == [400, 900]
    assert len(frame["loss_curve"][1]) == frame["n_iter"][1]
    assert (frame["peak_memory"] > 0).all()
    assert frame["fit_time"].gt(0).all()
    assert np.isnan(frame["distance_from_prev"][0])
    assert frame["distance_from_prev"][1] > 0


def test_warmstartclassifier_does_not_mutate_inputs(data):
    """The user's estimator, start and triggers are never modified."""
    X, y = data
    estimator, start, trigger = SGDClassifier(), ShrinkPerturb(0.3, 0.2), Every(2)
    before = (
        repr(estimator.get_params()),
        repr(start.get_params()),
        repr(trigger.get_params()),
    )
    clf = WarmStartClassifier(estimator, start=start, reset=[trigger], random_state=0)
    clf.fit(X[:400], y[:400]).fit(X, y)
    after = (
        repr(estimator.get_params()),
        repr(start.get_params()),
        repr(trigger.get_params()),
    )
    assert before == after
    assert not hasattr(estimator, "coef_")
    assert clf.estimator is estimator and clf.start is start


def test_warmstartclassifier_delegates_methods_only_when_present(data):
    """predict_proba exists only when the wrapped model has it."""
    X, y = data
    assert hasattr(WarmStartClassifier(LogisticRegression()), "predict_proba")
    assert not hasattr(WarmStartClassifier(SGDClassifier()), "predict_proba")
    assert hasattr(WarmStartClassifier(SGDClassifier()), "decision_function")
    assert not hasattr(WarmStartClassifier(RandomForestClassifier()), "partial_fit")
    clf = WarmStartClassifier(LogisticRegression(), random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    np.testing.assert_allclose(
        clf.predict_log_proba(X), clf.estimator_.predict_log_proba(X)
    )
    assert clf.score(X, y) == clf.estimator_.score(X, y)


def test_warmstart_is_classifier_and_regressor():
    """is_classifier/is_regressor see the right type."""
    assert is_classifier(WarmStartClassifier(SGDClassifier()))
    assert is_regressor(WarmStartRegressor(Ridge()))


def test_warmstartclassifier_rejects_regressor():
    """Wrapping a regressor in the classifier says which wrapper to use."""
    X, y = make_regression(n_samples=50, random_state=0)
    with pytest.raises(ValueError, match="use WarmStartRegressor"):
        WarmStartClassifier(Ridge()).fit(X, y)


def test_warmstartclassifier_in_pipeline_gridsearch_cross_validate(data):
    """Works inside Pipeline, GridSearchCV (start, start__shrink) and cross_validate."""
    X, y = data
    pipe = make_pipeline(
        StandardScaler(), WarmStartClassifier(SGDClassifier(), random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {
            "warmstartclassifier__start": [Cold(), Warm(), ShrinkPerturb(0.4, 0.1)],
            "warmstartclassifier__estimator__alpha": [1e-4, 1e-3],
        },
        cv=3,
        n_jobs=2,
    )
    search.fit(X, y)
    labels = [str(p) for p in search.cv_results_["param_warmstartclassifier__start"]]
    assert "ShrinkPerturb()" in labels and "Cold()" in labels
    search = GridSearchCV(
        WarmStartClassifier(SGDClassifier(), start=ShrinkPerturb(), random_state=0),
        {"start__shrink": [0.2, 0.8], "reset": [None, Every(2)]},
        cv=3,
    ).fit(X, y)
    assert search.best_estimator_.start.shrink in (0.2, 0.8)
    scores = cross_validate(
        WarmStartClassifier(LogisticRegression(), random_state=0), X, y, cv=3
    )
    bare = cross_validate(LogisticRegression(), X, y, cv=3)  # one cold run each
    np.testing.assert_allclose(scores["test_score"], bare["test_score"])
    assert scores["test_score"].mean() > 0.83


def test_warmstartclassifier_gridsearch_deterministic_with_n_jobs(data):
    """The same random_state gives the same search results with n_jobs=1 and 2."""
    X, y = data
    grid = {"start": [Cold(), ShrinkPerturb(0.5, 0.5)]}
    est = WarmStartClassifier(MLPClassifier(max_iter=20), random_state=0)
    one = GridSearchCV(est, grid, cv=2, n_jobs=1).fit(X, y).cv_results_
    two = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y).cv_results_
    np.testing.assert_array_equal(one["mean_test_score"], two["mean_test_score"])


def test_warmstartclassifier_clone_and_pickle(data):
    """clone drops fitted state; pickle keeps the model and history."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=Perturb(0.05), random_state=0)
    clf.fit(X[:500], y[:500]).fit(X, y)
    cloned = clone(clf)
    assert not hasattr(cloned, "estimator_")
    assert cloned.get_params()["start"].noise == 0.05
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    assert restored.history_ == clf.history_
    restored.fit(X, y)
    assert restored.n_runs_ == 3 and clf.n_runs_ == 2


@pytest.mark.parametrize(
    "make_bad, match",
    [
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X),
                y,
            ),
            "NaN",
        ),
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 3, np.inf, X),
                y,
            ),
            "infinity",
        ),
        (lambda X, y: (X[:, :5], y), "features"),
        (lambda X, y: (X[:0], y[:0]), "0 sample"),
        (
            lambda X, y: (X, np.where(np.arange(len(y)) == 0, 7, y)),
            r"class\(es\) \[7\] never seen",
        ),
        (lambda X, y: (X, None), "requires y"),
    ],
)
def test_warmstartclassifier_bad_input_leaves_model_unchanged(data, make_bad, match):
    """Bad data in a later run raises a clear error and commits nothing."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X, y)
    before = _fitted_state(clf)
    prediction = clf.predict(X)
    X_bad, y_bad = make_bad(X.copy(), y.copy())
    with pytest.raises(ValueError, match=match):
        clf.fit(X_bad, y_bad)
    after = _fitted_state(clf)
    assert after[0] is before[0] and after[1] is before[1] and after[2] == before[2]
    np.testing.assert_array_equal(clf.predict(X), prediction)


def test_warmstartclassifier_one_class_first_run():
    """One class in the first run is refused unless classes= declares more."""
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match="one class"):
        WarmStartClassifier(SGDClassifier()).fit(X, np.zeros(10))
    clf = WarmStartClassifier(SGDClassifier(), random_state=0)
    clf.partial_fit(X, np.zeros(10), classes=[0, 1])
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    clf.partial_fit(X, np.ones(10))
    assert clf.n_runs_ == 2


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"start": "lukewarm"}, ValueError, "not a known start"),
        ({"start": 3}, TypeError, "start must be"),
        ({"start": ShrinkPerturb(shrink=1.5)}, ValueError, "shrink must be"),
        ({"start": Perturb(noise=-1)}, ValueError, "noise must be"),
        ({"reset": "every"}, TypeError, "reset must be"),
        ({"reset": [Every(0)]}, ValueError, "Every"),
        ({"buffer_size": -1}, ValueError, "buffer_size"),
        ({"random_state": "seed"}, ValueError, "random_state"),
        ({"estimator": "sgd"}, TypeError, "scikit-learn estimator"),
    ],
)
def test_warmstartclassifier_invalid_parameters(data, params, error, match):
    """Invalid parameter values raise clear errors at fit."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier()).set_params(**params)
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")


@pytest.mark.parametrize("exception", [RuntimeError("boom"), KeyboardInterrupt()])
def test_warmstartclassifier_failed_run_commits_nothing(data, exception, monkeypatch):
    """A run that raises (KeyboardInterrupt too) leaves model and history as they were."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X, y)
    before = _fitted_state(clf)

    def explode(self, *args, **kwargs):
        raise exception

    monkeypatch.setattr(SGDClassifier, "_partial_fit", explode)
    with pytest.raises(type(exception)):
        clf.fit(X, y)
    after = _fitted_state(clf)
    assert after[0] is before[0] and after[1] is before[1] and after[2] == 1


def test_warmstartregressor_divergence_commits_nothing(monkeypatch):
    """Non-finite parameters raise DivergenceError and keep the last good model."""
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    reg = WarmStartRegressor(SGDRegressor(), random_state=0).fit(X, y)
    good = reg.predict(X)
    original = SGDRegressor._partial_fit

    def poisoned(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.coef_[0] = np.nan
        return self

    monkeypatch.setattr(SGDRegressor, "_partial_fit", poisoned)
    with pytest.raises(DivergenceError, match="non-finite parameters"):
        reg.fit(X, y)
    assert reg.n_runs_ == 1
    np.testing.assert_array_equal(reg.predict(X), good)


def test_warmstartregressor_solver_divergence_is_a_divergence_error():
    """sklearn's own overflow errors become DivergenceError, nothing committed."""
    X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    reg = WarmStartRegressor(
        MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50),
        random_state=0,
    )
    with (
        np.errstate(all="ignore"),
        pytest.raises(DivergenceError, match="Run 0 diverged"),
    ):
        reg.fit(X * 1e3, y * 1e3)
    assert not hasattr(reg, "estimator_")


def test_warmstartclassifier_mlp_interrupt_is_not_swallowed(data, monkeypatch):
    """MLP turns Ctrl-C into a warning; the wrapper re-raises and commits nothing."""
    X, y = data
    clf = WarmStartClassifier(MLPClassifier(max_iter=10), random_state=0).fit(X, y)
    from sklearn.neural_network import _multilayer_perceptron as mlp_module

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(mlp_module.BaseMultilayerPerceptron, "_backprop", interrupted)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert clf.n_runs_ == 1


def test_warmstartclassifier_architecture_change_is_an_error(data):
    """Changing hidden_layer_sizes between runs makes warm starts fail clearly."""
    X, y = data
    clf = WarmStartClassifier(MLPClassifier((6,), max_iter=10), random_state=0).fit(
        X, y
    )
    clf.set_params(estimator__hidden_layer_sizes=(9,))
    with pytest.raises(ArchitectureChangedError, match="coefs_0"):
        clf.fit(X, y)
    assert clf.n_runs_ == 1
    clf.set_params(start="cold").fit(X, y)
    assert clf.estimator_.coefs_[0].shape == (8, 9)


@pytest.mark.parametrize(
    "estimator, start",
    [
        (Ridge(), "warm"),
        (RandomForestClassifier(5), ShrinkPerturb()),
        (HistGradientBoostingClassifier(max_iter=5), "warm"),
        (GaussianNB(), Perturb()),
    ],
)
def test_warmstart_unsupported_start_names_supported_ones(estimator, start):
    """A start the family cannot honour is refused at the first fit, naming the
    supported starts; nothing is fitted."""
    X, y = make_classification(n_samples=100, random_state=0)
    wrapper = (
        WarmStartRegressor if isinstance(estimator, Ridge) else WarmStartClassifier
    )(estimator, start=start, random_state=0)
    with pytest.raises(UnsupportedStartError, match="supported starts: cold"):
        wrapper.fit(X, y)
    assert not hasattr(wrapper, "estimator_")


def test_warmstartclassifier_forest_warm_grows_members(data):
    """Warm(grow=3) keeps the trees and adds three per run."""
    X, y = data
    clf = WarmStartClassifier(
        RandomForestClassifier(10), start=Warm(grow=3), random_state=0
    )
    clf.fit(X[:450], y[:450])
    first_trees = list(clf.estimator_.estimators_)
    clf.fit(X, y)
    trees = clf.estimator_.estimators_
    assert len(trees) == 13
    for kept, original in zip(trees[:10], first_trees):
        np.testing.assert_array_equal(kept.tree_.threshold, original.tree_.threshold)
    gb = WarmStartClassifier(
        GradientBoostingClassifier(n_estimators=10), random_state=0
    )
    gb.fit(X[:450], y[:450]).fit(X, y)
    assert gb.estimator_.n_estimators_ == 11


def test_warmstartclassifier_pipeline_keeps_transformers_frozen(data):
    """Warm pipelines keep the first run's scaler; cold runs refit it."""
    X, y = data
    X = X * 10 + 3
    clf = WarmStartClassifier(
        make_pipeline(StandardScaler(), SGDClassifier()), random_state=0
    )
    clf.fit(X[:300], y[:300])
    mean = clf.estimator_[0].mean_.copy()
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.estimator_[0].mean_, mean)
    assert clf.history_[1].start == "warm"
    clf.set_params(start="cold").fit(X, y)
    np.testing.assert_allclose(clf.estimator_[0].mean_, X.mean(axis=0))


def test_warmstartclassifier_partial_fit_streams_and_resets_on_buffer(data):
    """partial_fit records one run per chunk; a reset trains on the buffered rows."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), reset=Every(3), buffer_size=250, random_state=0
    )
    for i in range(0, 900, 150):
        clf.partial_fit(X[i : i + 150], y[i : i + 150], classes=[0, 1])
    records = clf.history_
    assert [r.start for r in records] == [
        "cold",
        "warm",
        "warm",
        "cold",
        "warm",
        "warm",
    ]
    assert [r.n_samples for r in records] == [150, 150, 150, 250, 150, 150]
    assert [r.sample_start for r in records] == [0, 150, 300, 450, 600, 750]
    assert all(r.method == "partial_fit" for r in records)
    assert clf.score(X, y) > 0.8


def test_warmstartclassifier_partial_fit_warm_matches_bare_partial_fit(data):
    """Warm streaming steps are exactly the bare model's partial_fit."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0)
    for i in range(0, 900, 300):
        clf.partial_fit(X[i : i + 300], y[i : i + 300], classes=[0, 1])
    bare = SGDClassifier(random_state=clf.history_[0].seed)
    for i in range(0, 900, 300):
        bare.partial_fit(X[i : i + 300], y[i : i + 300], classes=[0, 1])
    np.testing.assert_allclose(clf.estimator_.coef_, bare.coef_)


def test_warmstartclassifier_init_starts_from_fitted_model(data):
    """init= makes the first run start (warm) from a fitted estimator."""
    X, y = data
    pre = LogisticRegression().fit(X, y)
    clf = WarmStartClassifier(LogisticRegression(), init=pre, random_state=0).fit(X, y)
    record = clf.history_[0]
    assert record.start == "warm"
    assert record.prequential_score == pytest.approx(pre.score(X, y))
    assert record.n_iter < LogisticRegression().fit(X, y).n_iter_[0]
    assert not hasattr(WarmStartClassifier(SGDClassifier()), "estimator_")


def test_warmstartclassifier_init_survives_clone_when_frozen(data):
    """init=FrozenEstimator(model) keeps its fitted state through GridSearchCV."""
    from sklearn.frozen import FrozenEstimator

    X, y = data
    pre = LogisticRegression().fit(X, y)
    est = WarmStartClassifier(LogisticRegression(), init=pre, random_state=0)
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        clone(est).fit(X, y)
    est.set_params(init=FrozenEstimator(pre))
    search = GridSearchCV(est, {"estimator__C": [0.5, 1.0]}, cv=2).fit(X, y)
    assert search.best_estimator_.history_[0].start == "warm"


def test_warmstartclassifier_feature_names(data):
    """feature_names_in_ follows sklearn: set from DataFrames, checked later."""
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_name = clf.predict(frame)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_array_equal(by_name, clf.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame.rename(columns={"f0": "other"}))
    renamed = frame.rename(columns={"f0": "other"})
    with pytest.raises(ValueError, match="feature names"):
        clf.fit(renamed, y)
    assert clf.n_runs_ == 1


def test_warmstartclassifier_decision_function_delegates(data):
    """decision_function is the current model's, and checks column names."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X[:300], y[:300])
    clf.fit(X, y)
    np.testing.assert_array_equal(
        clf.decision_function(X), clf.estimator_.decision_function(X)
    )
    assert clf.decision_function(X).shape == (len(X),)
    assert not hasattr(WarmStartClassifier(GaussianNB()), "decision_function")
    names = [f"f{i}" for i in range(X.shape[1])]
    framed = WarmStartClassifier(SGDClassifier(), random_state=0).fit(
        pd.DataFrame(X, columns=names), y
    )
    np.testing.assert_allclose(
        framed.decision_function(pd.DataFrame(X, columns=names)),
        framed.estimator_.decision_function(X),
    )
    with pytest.raises(ValueError, match="feature names"):
        framed.decision_function(pd.DataFrame(X, columns=names[::-1]))
    with pytest.raises(NotFittedError):
        WarmStartClassifier(SGDClassifier()).decision_function(X)


def test_warmstartclassifier_verbose_prints_one_line_per_run(data, capsys):
    """verbose=True prints the start, reason and scores of every run."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), verbose=True, random_state=0)
    clf.fit(X[:300], y[:300]).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "[WarmStartClassifier] run 0: cold (first run: no model to start from); n_iter="
    )
    assert lines[1].startswith("[WarmStartClassifier] run 1: warm (policy start); ")
    train = clf.history_[1].train_score
    assert f"train={train:.4f}" in lines[1]
    assert f"prequential={clf.history_[1].prequential_score:.4f}" in lines[1]
    WarmStartClassifier(SGDClassifier(), random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- issue 10


def _parameters_section(cls):
    doc = cls.__doc__
    return doc[doc.index("    Parameters\n") : doc.index("    Attributes\n")]


@pytest.mark.parametrize("cls", [WarmStartClassifier, WarmStartRegressor])
def test_warmstart_docstring_lists_every_parameter(cls):
    """The class docstring documents each constructor parameter, in order."""
    section = _parameters_section(cls)
    names = re.findall(r"^    (\w+) :", section, flags=re.MULTILINE)
    assert names == list(inspect.signature(cls).parameters)
    for heading in ("Attributes", "See Also", "Notes", "Examples"):
        assert f"    {heading}\n" in cls.__doc__


def test_warmstart_docstrings_share_parameters():
    """Classifier and regressor document their shared parameters identically."""
    assert _parameters_section(WarmStartClassifier) == _parameters_section(
        WarmStartRegressor
    )


def test_firstrunstartwarning_is_a_filterable_userwarning():
    """FirstRunStartWarning is exported and is a UserWarning subclass."""
    assert issubclass(FirstRunStartWarning, UserWarning)
    assert sklearn_warmstart.FirstRunStartWarning is FirstRunStartWarning


def test_warmstartclassifier_first_fit_warns_once(data):
    """The first fit of a non-cold start warns once; later fits say nothing."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=ShrinkPerturb(), random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X[:450], y[:450])
    assert [w.category for w in caught] == [FirstRunStartWarning]
    message = str(caught[0].message)
    assert "second run" in message and "schedule=Retrain(" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)
    assert clf.history_[1].start == "shrink_perturb(0.4, 0.1)"


@pytest.mark.parametrize(
    "params",
    [
        {"start": "cold"},
        {"start": Cold()},
        {"start": "warm", "schedule": 3},
        {"start": "warm", "init": "model"},
    ],
    ids=["cold", "Cold()", "schedule", "init"],
)
def test_warmstartclassifier_first_fit_silent_when_start_acts(data, params):
    """A cold start, a schedule or an init model give no FirstRunStartWarning."""
    X, y = data
    if params.get("init") == "model":
        params = {**params, "init": SGDClassifier(random_state=0).fit(X, y)}
    clf = WarmStartClassifier(SGDClassifier(), random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)


def test_warmstartclassifier_partial_fit_does_not_warn(data):
    """partial_fit chunks are runs: the start acts from the second chunk, silently."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start="warm", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.partial_fit(X[:300], y[:300]).partial_fit(X[300:], y[300:])
    assert [r.start for r in clf.history_] == ["cold", "warm"]


def test_gridsearchcv_over_starts_warns_for_each_clone(data):
    """A search over starts without a schedule warns at every clone's first fit."""
    X, y = data
    search = GridSearchCV(
        WarmStartClassifier(SGDClassifier(), random_state=0),
        {"start": [Warm(), ShrinkPerturb(0.4, 0.1)]},
        cv=2,
    )
    with pytest.warns(FirstRunStartWarning, match="schedule=Retrain") as caught:
        search.fit(X, y)
    firsts = [w for w in caught if w.category is FirstRunStartWarning]
    assert len(firsts) == 2 * 2 + 1  # candidates x folds, and the refit


def test_warmstartregressor_auto_start_is_cold_without_warm_support():
    """start='auto' on Ridge is cold, says why once, and keeps working."""
    X, y = make_regression(n_samples=120, n_features=4, random_state=0)
    reg = WarmStartRegressor(Ridge(), random_state=0)
    assert reg.start == "auto"
    with pytest.warns(UserWarning, match="start='auto'") as caught:
        reg.fit(X, y)
    assert len(caught) == 1 and "supports only cold" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.fit(X, y).fit(X, y)
    assert [r.start for r in reg.history_] == ["cold", "cold", "cold"]
    assert "start='auto': Ridge supports only cold" in reg.history_[2].reason


def test_warmstartclassifier_auto_start_is_warm_where_supported(data):
    """start='auto' is warm for families that can start warm."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0)
    with pytest.warns(FirstRunStartWarning):
        clf.fit(X[:450], y[:450])
    clf.fit(X, y)
    assert clf.history_[1].start == "warm"
    assert clf.history_[1].reason == "policy start"


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (
            lambda: WarmStartClassifier(
                SGDClassifier(), start=PartialReset(layers="x")
            ),
            {},
            "supported starts: cold, perturb, shrink_perturb, warm",
        ),
        (
            lambda: WarmStartRegressor(Ridge(), reset=Every(2, start=ShrinkPerturb())),
            {},
            "supported starts: cold",
        ),
        (
            lambda: WarmStartClassifier(
                RandomForestClassifier(5), reset=Every(2, start=Perturb())
            ),
            {},
            "supported starts: cold, partial_reset, refresh, warm",
        ),
        (
            lambda: WarmStartClassifier(
                SGDClassifier(), reset=Every(3, start=PartialReset(layers="x"))
            ),
            {"partial": True},
            "in partial_fit; supported starts: cold",
        ),
    ],
    ids=["start", "trigger", "forest-trigger", "partial_fit-trigger"],
)
def test_warmstart_unsupported_starts_refused_at_first_run(make, kwargs, match):
    """Explicit and trigger starts a family cannot honour raise before run 0 trains."""
    X, y = make_classification(n_samples=100, random_state=0)
    wrapper = make()
    call = wrapper.partial_fit if kwargs.get("partial") else wrapper.fit
    with pytest.raises(UnsupportedStartError, match=match):
        call(X, y)
    assert not hasattr(wrapper, "estimator_")


@pytest.mark.parametrize(
    "estimator", [SGDClassifier(), MLPClassifier((4,), max_iter=20)], ids=["sgd", "mlp"]
)
def test_warmstartclassifier_warm_fit_refuses_one_class(data, estimator):
    """A warm fit on one-class rows is refused as a cold fit is; nothing changes."""
    X, y = data
    clf = WarmStartClassifier(estimator, start="warm", random_state=0)
    clf.fit(X, y)
    before = clf.estimator_
    with pytest.raises(
        ValueError, match="number of classes has to be greater than one"
    ):
        clf.fit(X[y == 1], y[y == 1])
    assert clf.n_runs_ == 1 and clf.estimator_ is before
    cold = WarmStartClassifier(SGDClassifier(), start="cold", random_state=0).fit(X, y)
    with pytest.raises(
        ValueError, match="number of classes has to be greater than one"
    ):
        cold.fit(X[y == 1], y[y == 1])


def test_warmstartclassifier_partial_fit_other_classes_raises(data):
    """A later partial_fit(classes=...) with another set raises, as sklearn does."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start="warm", random_state=0)
    clf.partial_fit(X[:300], y[:300], classes=[0, 1])
    clf.partial_fit(X[300:600], y[300:600], classes=[1, 0])  # the same set
    with pytest.raises(ValueError, match=r"`classes=\[0, 1, 2\]` is not the same"):
        clf.partial_fit(X[600:], y[600:], classes=[0, 1, 2])
    assert clf.n_runs_ == 2


def _three_class_data():
    X, y = make_classification(
        n_samples=600, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    first = y[:300] != 2
    return X[:300][first], y[:300][first], X[300:], y[300:]


def test_warmstartclassifier_fit_new_class_message_names_fit():
    """A class never seen on a warm fit run: the message is about fit, not partial_fit."""
    X1, y1, X2, y2 = _three_class_data()
    clf = WarmStartClassifier(SGDClassifier(), start="warm", random_state=0)
    clf.fit(X1, y1)
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] never seen") as error:
        clf.fit(X2, y2)
    assert "partial_fit" not in str(error.value)
    assert "OnNewClasses()" in str(error.value)
    assert clf.n_runs_ == 1


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_onnewclasses_resets_with_the_union(method):
    """OnNewClasses: a run bringing a new class starts cold and learns the union."""
    X1, y1, X2, y2 = _three_class_data()
    clf = WarmStartClassifier(
        SGDClassifier(), start="warm", reset=OnNewClasses(), random_state=0
    )
    train = getattr(clf, method)
    train(X1, y1)
    train(X2, y2)
    train(X2, y2)
    assert clf.classes_.tolist() == [0, 1, 2]
    assert clf.estimator_.classes_.tolist() == [0, 1, 2]
    assert [r.start for r in clf.history_] == ["cold", "cold", "warm"]
    assert clf.history_[1].trigger == "on_new_classes"
    assert clf.history_[1].reason == (
        "new class(es) [2] (known [0, 1]): reset with the union [0, 1, 2]"
    )
    assert set(clf.predict(X2)) <= {0, 1, 2}


def test_onnewclasses_partial_fit_declared_superset_resets():
    """partial_fit(classes=superset) with OnNewClasses resets; a subset still raises."""
    X1, y1, X2, y2 = _three_class_data()
    clf = WarmStartClassifier(
        SGDClassifier(), start="warm", reset=OnNewClasses(), random_state=0
    )
    clf.partial_fit(X1, y1, classes=[0, 1])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X1, y1, classes=[0])
    clf.partial_fit(X1, y1, classes=[0, 1, 2])  # the chunk itself lacks class 2
    assert clf.classes_.tolist() == [0, 1, 2]
    assert clf.estimator_.classes_.tolist() == [0, 1, 2]
    assert clf.history_[1].start == "cold"


def test_warmstartclassifier_dataframe_fit_ndarray_predict_warns_as_sklearn(data):
    """Fitted on a DataFrame, predicting on an ndarray warns with sklearn's text."""
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    bare = LogisticRegression().fit(frame, y)
    with pytest.warns(UserWarning) as expected:
        bare.predict(X)
    clf = WarmStartClassifier(LogisticRegression(), start="cold").fit(frame, y)
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.warns(UserWarning) as caught:
            getattr(clf, method)(X)
        assert [str(w.message) for w in caught] == [
            str(expected[0].message).replace(
                "LogisticRegression", "WarmStartClassifier"
            )
        ]


@pytest.mark.parametrize("value", [1, 0, "yes", None])
def test_warmstartclassifier_track_memory_accepts_booleans_only(data, value):
    """track_memory must be True or False; the message names the parameter."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start="cold", track_memory=value)
    with pytest.raises(ValueError, match="track_memory must be True or False"):
        clf.fit(X, y)


def test_warmstartclassifier_unknown_start_name_lists_the_names(data):
    """An unknown start name is refused with the names that exist, 'auto' included."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start="hot")
    with pytest.raises(
        ValueError, match="start='hot' is not a known start; use 'auto'"
    ):
        clf.fit(X, y)
