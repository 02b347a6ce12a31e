"""scikit-learn's metadata routing through the meta-estimators.

With routing enabled, metadata such as ``sample_weight`` reaches the wrapped
estimator when it requests it (``set_fit_request``), through Pipeline,
GridSearchCV and cross_validate; with routing off every keyword is passed on
as before.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_warmstart import Retrain, WarmStartClassifier, compare_policies
from sklearn_warmstart.schedules import check_schedule


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=240, n_features=5, random_state=0)
    # Weights that change the fit: most rows of class 1 barely count.
    w = np.where((y == 1) & (np.arange(len(y)) % 3 > 0), 0.05, 1.0)
    return X, y, w


def _routing():
    return sklearn.config_context(enable_metadata_routing=True)


def _logistic(score=False):
    """A LogisticRegression requesting sample_weight in fit (and in score if asked)."""
    inner = LogisticRegression().set_fit_request(sample_weight=True)
    return inner.set_score_request(sample_weight=score)


def test_routing_fit_passes_requested_sample_weight(data):
    """fit routes sample_weight to a wrapped estimator that requests it."""
    X, y, w = data
    with _routing():
        clf = WarmStartClassifier(_logistic(), start="cold").fit(X, y, sample_weight=w)
    weighted = LogisticRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(clf.estimator_.coef_, weighted.coef_)
    assert not np.allclose(clf.estimator_.coef_, LogisticRegression().fit(X, y).coef_)


def test_routing_unrequested_metadata_is_refused(data):
    """With routing on, metadata the wrapped estimator did not request raises."""
    X, y, w = data
    with _routing():
        clf = WarmStartClassifier(LogisticRegression(), start="cold")
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            clf.fit(X, y, sample_weight=w)
    assert not hasattr(clf, "estimator_")


def test_routing_off_passes_fit_params_as_before(data):
    """With routing off, fit keywords reach the wrapped estimator unrequested."""
    X, y, w = data
    clf = WarmStartClassifier(LogisticRegression(), start="cold")
    clf.fit(X, y, sample_weight=w)
    weighted = LogisticRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(clf.estimator_.coef_, weighted.coef_)
    assert clf.score(X, y, sample_weight=w) == weighted.score(X, y, sample_weight=w)


def test_routing_partial_fit_passes_requested_sample_weight(data):
    """partial_fit routes sample_weight as routing off passes it; it changes the model."""
    X, y, w = data

    def stream(inner, weights):
        clf = WarmStartClassifier(inner, start="warm", random_state=0)
        for part in (slice(0, 120), slice(120, 240)):
            kwargs = {} if weights is None else {"sample_weight": weights[part]}
            clf.partial_fit(X[part], y[part], **kwargs)
        return clf.estimator_.coef_

    with _routing():
        routed = stream(SGDClassifier().set_partial_fit_request(sample_weight=True), w)
        with pytest.raises(UnsetMetadataPassedError, match="partial_fit"):
            stream(SGDClassifier(), w)
    np.testing.assert_array_equal(routed, stream(SGDClassifier(), w))
    assert not np.allclose(routed, stream(SGDClassifier(), None))


def test_routing_score_passes_requested_sample_weight(data):
    """score routes sample_weight to the wrapped estimator's score when requested."""
    X, y, w = data
    with _routing():
        clf = WarmStartClassifier(_logistic(score=True), start="cold")
        score = clf.fit(X, y, sample_weight=w).score(X, y, sample_weight=w)
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        unrequested = WarmStartClassifier(inner, start="cold")
        unrequested.fit(X, y, sample_weight=w)
        with pytest.raises(UnsetMetadataPassedError, match="score"):
            unrequested.score(X, y, sample_weight=w)
    assert score == clf.estimator_.score(X, y, sample_weight=w)
    assert score != clf.estimator_.score(X, y)


def test_routing_schedule_slices_metadata_per_run(data):
    """In a schedule each run gets the metadata of its own rows."""
    X, y, w = data
    schedule = Retrain(3)
    with _routing():
        clf = WarmStartClassifier(_logistic(), start="cold", schedule=schedule)
        clf.fit(X, y, sample_weight=w)
    off = WarmStartClassifier(LogisticRegression(), start="cold", schedule=schedule)
    off.fit(X, y, sample_weight=w)
    last = check_schedule(schedule).split(len(y))[-1].train
    expected = LogisticRegression().fit(X[last], y[last], sample_weight=w[last])
    np.testing.assert_allclose(clf.estimator_.coef_, expected.coef_)
    np.testing.assert_array_equal(clf.estimator_.coef_, off.estimator_.coef_)
    assert [r.n_samples for r in clf.history_] == [r.n_samples for r in off.history_]


def test_routing_through_pipeline(data):
    """A Pipeline routes sample_weight to the wrapper and on to its estimator."""
    X, y, w = data
    with _routing():
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            WarmStartClassifier(_logistic(), start="cold"),
        ).fit(X, y, sample_weight=w)
    bare = make_pipeline(StandardScaler(), LogisticRegression())
    bare.fit(X, y, logisticregression__sample_weight=w)
    np.testing.assert_allclose(pipe[-1].estimator_.coef_, bare[-1].coef_)


def test_routing_through_gridsearchcv(data):
    """GridSearchCV routes sample_weight to every candidate's wrapped estimator."""
    X, y, w = data
    with _routing():
        wrapper = WarmStartClassifier(_logistic(), schedule=Retrain(2), random_state=0)
        search = GridSearchCV(wrapper, {"start": ["cold", "warm"]}, cv=2)
        search.fit(X, y, sample_weight=w)
        direct = sklearn.clone(search.best_estimator_).fit(X, y, sample_weight=w)
        unweighted = sklearn.clone(direct).fit(X, y)
    np.testing.assert_allclose(
        search.best_estimator_.estimator_.coef_, direct.estimator_.coef_
    )
    assert not np.allclose(direct.estimator_.coef_, unweighted.estimator_.coef_)


def test_routing_through_cross_validate(data):
    """cross_validate routes sample_weight to fit (and to score when requested)."""
    X, y, w = data
    wrapper = WarmStartClassifier(LogisticRegression(), start="cold")
    off = cross_validate(wrapper, X, y, params={"sample_weight": w}, cv=2)
    unweighted = cross_validate(wrapper, X, y, cv=2)
    with _routing():
        routed_wrapper = WarmStartClassifier(_logistic(), start="cold")
        routed = cross_validate(routed_wrapper, X, y, params={"sample_weight": w}, cv=2)
        weighted_score = cross_validate(
            WarmStartClassifier(_logistic(score=True), start="cold"),
            X,
            y,
            params={"sample_weight": w},
            cv=2,
        )
    np.testing.assert_array_equal(routed["test_score"], off["test_score"])
    assert not np.array_equal(routed["test_score"], unweighted["test_score"])
    assert not np.array_equal(weighted_score["test_score"], routed["test_score"])


def test_get_metadata_routing_maps_fit_partial_fit_and_score():
    """The router maps fit, partial_fit and score to the same methods of estimator."""
    with _routing():
        inner = SGDClassifier().set_fit_request(sample_weight=True)
        routing = WarmStartClassifier(inner).get_metadata_routing()
        assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}
        assert routing.consumes("partial_fit", ["sample_weight"]) == set()
        inner.set_partial_fit_request(sample_weight=True)
        routing = WarmStartClassifier(inner).get_metadata_routing()
        assert routing.consumes("partial_fit", ["sample_weight"]) == {"sample_weight"}


def test_routing_through_compare_policies(data):
    """compare_policies(params=...) gives every fit its rows' metadata."""
    X, y, w = data
    settings = dict(policies=["cold", "warm"], schedule=2, seeds=1, cv=1, test="ttest")

    def scores(estimator, params):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # too few pairs for a verdict
            result = compare_policies(estimator, X, y, params=params, **settings)
        return result.folds.groupby("policy")["score"].first()

    with _routing():
        routed = scores(_logistic(), {"sample_weight": w})
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            scores(LogisticRegression(), {"sample_weight": w})
    off = scores(LogisticRegression(), {"sample_weight": w})
    pd.testing.assert_series_equal(routed, off)
    assert not routed.equals(scores(LogisticRegression(), None))
