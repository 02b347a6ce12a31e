"""What scikit-learn's own search tests expect, run against both GridSearchCV and ours.

Every test here takes the search class as a parameter: the warm searches must
behave exactly as scikit-learn's on everything a user calls or reads, whatever
the estimator family.
"""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_warmstart import WarmGridSearchCV, WarmRandomizedSearchCV

GRID = [GridSearchCV, WarmGridSearchCV]
RANDOM = [RandomizedSearchCV, WarmRandomizedSearchCV]
BOTH = GRID + RANDOM


class MockClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; ``fit`` fails when ``parameter == "fail"``."""

    def __init__(self, parameter=1):
        self.parameter = parameter

    def fit(self, X, y, sample_weight=None):
        if self.parameter == "fail":
            raise ValueError("Failing classifier failed as required")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(np.shape(X)[0], self.majority_)


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=150, n_features=6, random_state=0)


def _search(cls, estimator, grid, **kwargs):
    """A grid search, or a randomized one over the same lists (all candidates)."""
    if cls in RANDOM:
        n = int(np.prod([len(v) for v in grid.values()]))
        kwargs.setdefault("n_iter", n)
        kwargs.setdefault("random_state", 0)
    return cls(estimator, grid, **kwargs)


def _quiet(search, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return search.fit(*args, **kwargs)


@pytest.mark.parametrize("cls", BOTH)
def test_search_cv_results_have_sklearn_keys_and_shapes(cls, data):
    """cv_results_ holds GridSearchCV's keys, one row per candidate, ranks from 1."""
    X, y = data
    grid = {"C": [0.01, 0.1, 1.0], "fit_intercept": [True, False]}
    search = _search(cls, LogisticRegression(), grid, cv=3).fit(X, y)
    results = search.cv_results_
    expected = {
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
        "param_C",
        "param_fit_intercept",
        "params",
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
    }
    assert expected <= set(results)
    assert all(len(results[k]) == 6 for k in expected)
    assert results["rank_test_score"].min() == 1
    assert search.n_splits_ == 3
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_score_ == results["mean_test_score"][search.best_index_]


@pytest.mark.parametrize("cls", GRID)
def test_search_rows_follow_parameter_grid_with_masked_params(cls, data):
    """A list of grids gives rows in ParameterGrid order and masked param_ columns."""
    X, y = data
    grid = [
        {"kernel": ["linear"], "C": [0.1, 1.0]},
        {"kernel": ["rbf"], "gamma": [0.1]},
    ]
    search = _quiet(cls(SVC(random_state=0), grid, cv=3), X, y)
    results = search.cv_results_
    assert results["params"] == [
        {"C": 0.1, "kernel": "linear"},
        {"C": 1.0, "kernel": "linear"},
        {"gamma": 0.1, "kernel": "rbf"},
    ]
    assert results["param_gamma"].mask.tolist() == [True, True, False]
    assert results["param_C"].mask.tolist() == [False, False, True]


@pytest.mark.parametrize("cls", BOTH)
def test_search_delegates_to_the_refitted_best_estimator(cls, data):
    """predict, predict_proba, decision_function and score are best_estimator_'s."""
    X, y = data
    search = _search(cls, LogisticRegression(), {"C": [0.01, 1.0]}, cv=3).fit(X, y)
    best = search.best_estimator_
    assert best.get_params()["C"] == search.best_params_["C"]
    np.testing.assert_array_equal(search.predict(X), best.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), best.predict_proba(X))
    np.testing.assert_allclose(search.decision_function(X), best.decision_function(X))
    assert search.score(X, y) == pytest.approx(best.score(X, y))
    np.testing.assert_array_equal(search.classes_, np.unique(y))
    assert search.n_features_in_ == X.shape[1]
    assert search.refit_time_ >= 0


@pytest.mark.parametrize("cls", BOTH)
def test_search_refit_false_has_no_predict(cls, data):
    """Without refit, predict is unavailable and says why."""
    X, y = data
    search = _search(cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, refit=False)
    search.fit(X, y)
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="has no attribute 'predict'"):
        search.predict(X)


@pytest.mark.parametrize("cls", BOTH)
def test_search_unfitted_predict_raises_not_fitted(cls, data):
    """predict before fit raises NotFittedError, as scikit-learn's search does."""
    X, _ = data
    search = _search(cls, LogisticRegression(), {"C": [0.1, 1.0]})
    with pytest.raises(NotFittedError, match="not fitted yet"):
        search.predict(X)


@pytest.mark.parametrize("cls", BOTH)
def test_search_multimetric_refit_by_name(cls, data):
    """Several metrics: ranks per metric, best_* for the metric named by refit."""
    X, y = data
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    search = _search(
        cls,
        LogisticRegression(),
        {"C": [0.01, 1.0]},
        cv=3,
        scoring=scoring,
        refit="bal",
    ).fit(X, y)
    results = search.cv_results_
    assert {"mean_test_acc", "rank_test_acc", "mean_test_bal", "rank_test_bal"} <= set(
        results
    )
    assert search.best_index_ == results["rank_test_bal"].argmin()
    assert search.best_score_ == results["mean_test_bal"][search.best_index_]
    assert search.multimetric_ and set(search.scorer_) == {"acc", "bal"}


@pytest.mark.parametrize("cls", BOTH)
def test_search_multimetric_refit_true_is_refused(cls, data):
    """Several metrics with refit=True raise scikit-learn's message."""
    X, y = data
    search = _search(
        cls,
        LogisticRegression(),
        {"C": [0.1, 1.0]},
        scoring=["accuracy", "balanced_accuracy"],
    )
    with pytest.raises(
        ValueError, match="For multi-metric scoring, the parameter refit"
    ):
        search.fit(X, y)


@pytest.mark.parametrize("cls", BOTH)
def test_search_callable_scoring_and_callable_refit(cls, data):
    """A callable scorer returning a dict, and refit choosing the index."""
    X, y = data

    def scorer(estimator, X, y):
        pred = estimator.predict(X)
        return {"acc": accuracy_score(y, pred), "err": 1 - accuracy_score(y, pred)}

    def pick_last(results):
        return len(results["params"]) - 1

    search = _search(
        cls,
        LogisticRegression(),
        {"C": [0.01, 1.0]},
        cv=3,
        scoring=scorer,
        refit=pick_last,
    ).fit(X, y)
    assert search.best_index_ == 1
    assert not hasattr(search, "best_score_")
    np.testing.assert_allclose(
        search.cv_results_["mean_test_acc"] + search.cv_results_["mean_test_err"], 1.0
    )


@pytest.mark.parametrize("cls", BOTH)
def test_search_make_scorer(cls, data):
    """A make_scorer object scores the candidates."""
    X, y = data
    search = _search(
        cls,
        LogisticRegression(),
        {"C": [0.01, 1.0]},
        cv=3,
        scoring=make_scorer(accuracy_score),
    ).fit(X, y)
    assert 0.5 < search.best_score_ <= 1.0


@pytest.mark.parametrize("cls", GRID)
def test_search_error_score_nan_warns_and_ranks_last(cls, data):
    """A failing fit scores error_score, warns FitFailedWarning, ranks last."""
    X, y = data
    search = cls(MockClassifier(), {"parameter": [1, "fail", 2]}, cv=3)
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 9"):
        _quiet_fit = search.fit(X, y)
    results = _quiet_fit.cv_results_
    assert np.isnan(results["mean_test_score"][1])
    assert results["rank_test_score"][1] == 3


@pytest.mark.parametrize("cls", GRID)
def test_search_error_score_number_and_raise(cls, data):
    """A numeric error_score is used as the score; "raise" re-raises the fit error."""
    X, y = data
    search = cls(MockClassifier(), {"parameter": [1, "fail"]}, cv=3, error_score=-1)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert search.cv_results_["mean_test_score"][1] == -1
    search.set_params(error_score="raise")
    with pytest.raises(ValueError, match="Failing classifier failed as required"):
        _quiet(search, X, y)


@pytest.mark.parametrize("cls", GRID)
def test_search_all_fits_failing_raises(cls, data):
    """When every fit fails, the search raises scikit-learn's message."""
    X, y = data
    search = cls(MockClassifier(), {"parameter": ["fail"]}, cv=3)
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        _quiet(search, X, y)


@pytest.mark.parametrize("cls", BOTH)
def test_search_groups_reach_the_splitter(cls, data):
    """groups are passed to a group splitter; without them it refuses."""
    X, y = data
    groups = np.arange(len(y)) % 5
    search = _search(cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=GroupKFold(5))
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 5
    with pytest.raises(ValueError, match="The 'groups' parameter should not be None"):
        search.fit(X, y)


@pytest.mark.parametrize("cls", BOTH)
def test_search_return_train_score(cls, data):
    """return_train_score adds the train score columns."""
    X, y = data
    search = _search(
        cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, return_train_score=True
    ).fit(X, y)
    assert {"split0_train_score", "mean_train_score", "std_train_score"} <= set(
        search.cv_results_
    )
    assert np.all(search.cv_results_["mean_train_score"] > 0.5)


@pytest.mark.parametrize("cls", BOTH)
def test_search_pandas_input_keeps_feature_names(cls, data):
    """A DataFrame and Series are accepted; feature names reach the search."""
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    search = _search(cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)
    search.fit(frame, pd.Series(y))
    assert list(search.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(search.predict(frame), search.predict(X))


@pytest.mark.parametrize("cls", BOTH)
def test_search_sparse_input_scores_as_dense(cls, data):
    """Sparse X is accepted and scores as the dense rows do."""
    X, y = data
    grid = {"C": [0.01, 1.0]}
    dense = _search(cls, LogisticRegression(), grid, cv=3).fit(X, y)
    sparse = _search(cls, LogisticRegression(), grid, cv=3)
    sparse.fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(
        sparse.cv_results_["mean_test_score"],
        dense.cv_results_["mean_test_score"],
        atol=0.015,
    )


@pytest.mark.parametrize("cls", BOTH)
def test_search_unsupervised_estimator(cls):
    """An unsupervised estimator is searched with y=None and its own score."""
    X, _ = make_blobs(n_samples=120, centers=3, random_state=0)
    search = _search(cls, KMeans(n_init=2, random_state=0), {"n_clusters": [2, 3]})
    _quiet(search, X)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.predict(X).shape == (120,)


@pytest.mark.parametrize("cls", BOTH)
def test_search_sample_weight_reaches_fit(cls, data):
    """fit parameters are split by the folds and reach the estimator's fit."""
    X, y = data
    weights = np.ones(len(y))
    weights[y == 1] = 1e-6  # nearly ignore one class in fit and in the score
    plain = _search(cls, LogisticRegression(), {"C": [1.0]}, cv=3).fit(X, y)
    weighted = _search(cls, LogisticRegression(), {"C": [1.0]}, cv=3)
    weighted.fit(X, y, sample_weight=weights)
    assert plain.best_score_ < 0.95
    assert weighted.best_score_ > 0.99


@pytest.mark.parametrize("cls", [WarmGridSearchCV, WarmRandomizedSearchCV])
def test_search_n_jobs_gives_the_same_results(cls, data):
    """Two workers give exactly the scores of one (chain x fold tasks)."""
    X, y = data
    grid = {"alpha": [1e-4, 1e-3, 1e-2]}
    one = _search(cls, SGDClassifier(random_state=0), grid, cv=3).fit(X, y)
    two = _search(cls, SGDClassifier(random_state=0), grid, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("cls", BOTH)
def test_search_pipeline_and_pickle(cls, data):
    """A pipeline is searched through step__param names; the result pickles."""
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"clf__C": [0.1, 1.0], "scale__with_mean": [True, False]}
    search = _search(cls, pipe, grid, cv=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert set(search.best_params_) == set(grid)


@pytest.mark.parametrize("cls", BOTH)
def test_search_clone_keeps_params_and_drops_fit(cls, data):
    """clone gives an unfitted search with the same parameters."""
    X, y = data
    search = _search(cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    copy = clone(search)
    assert copy.get_params().keys() == search.get_params().keys()
    assert not hasattr(copy, "cv_results_")


@pytest.mark.parametrize("cls", GRID)
@pytest.mark.parametrize(
    "grid, error, message",
    [
        ({"C": 1.0}, TypeError, "Parameter grid for parameter 'C' needs to be"),
        ({"C": []}, ValueError, "Parameter grid for parameter 'C' need to be"),
        ([{"C": [1.0]}, 3], TypeError, "Parameter grid is not a dict"),
        ("C", ValueError, "The 'param_grid' parameter of"),
    ],
)
def test_search_invalid_param_grid_errors_like_sklearn(cls, data, grid, error, message):
    """An invalid param_grid raises GridSearchCV's error."""
    X, y = data
    with pytest.raises(error, match=re.escape(message)):
        cls(LogisticRegression(), grid).fit(X, y)


@pytest.mark.parametrize("cls", RANDOM)
def test_search_invalid_n_iter_errors_like_sklearn(cls, data):
    """An invalid n_iter raises RandomizedSearchCV's parameter error."""
    X, y = data
    with pytest.raises(ValueError, match="The 'n_iter' parameter of"):
        cls(LogisticRegression(), {"C": [1.0]}, n_iter=0).fit(X, y)


@pytest.mark.parametrize("cls", RANDOM)
def test_search_randomized_same_random_state_same_results(cls, data):
    """The same random_state samples the same candidates and the same scores."""
    X, y = data
    dist = {"C": loguniform(1e-3, 1e2)}
    a = cls(LogisticRegression(), dist, n_iter=4, cv=3, random_state=1).fit(X, y)
    b = cls(LogisticRegression(), dist, n_iter=4, cv=3, random_state=1).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("cls", BOTH)
def test_search_verbose_prints_the_plan(cls, data, capsys):
    """verbose=1 announces folds, candidates and fits as GridSearchCV does."""
    X, y = data
    _search(cls, LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(
        r"Fitting 3 folds for each of 2 candidates.* totalling 6 fits", out
    )
