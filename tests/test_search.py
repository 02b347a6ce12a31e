"""Warm chains of WarmGridSearchCV / WarmRandomizedSearchCV (what GridSearchCV lacks)."""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, SGDClassifier
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_warmstart import (
    WarmGridSearchCV,
    WarmRandomizedSearchCV,
    WarmStartClassifier,
)
from sklearn_warmstart import _compat as compat
from sklearn_warmstart.adapters import adapter_for
from sklearn_warmstart.search import plan_chains


class MockClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; no warm start of any kind."""

    def __init__(self, parameter=1):
        self.parameter = parameter

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(np.shape(X)[0], self.majority_)


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=300, n_features=8, n_informative=5, random_state=0
    )


def _same_scores(warm, cold):
    for key in cold.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank_")):
            np.testing.assert_array_equal(warm.cv_results_[key], cold.cv_results_[key])


# --------------------------------------------------------------------- the plan
def test_plan_chains_walks_from_most_constrained_in_snake_order():
    """Outer loop: the parameter with most values; inner loops reverse each step."""
    grid = list(ParameterGrid({"alpha": [1e-4, 1e-3, 1e-2], "tol": [1e-3, 1e-1]}))
    step = {"alpha": "decreasing", "tol": "decreasing"}.get
    (chain,) = plan_chains(grid, step)
    visited = [(grid[i]["alpha"], grid[i]["tol"]) for i in chain]
    assert visited == [
        (1e-2, 1e-1),
        (1e-2, 1e-3),
        (1e-3, 1e-3),
        (1e-3, 1e-1),
        (1e-4, 1e-1),
        (1e-4, 1e-3),
    ]


def test_plan_chains_splits_on_parameters_that_cannot_be_walked():
    """A parameter the adapter cannot walk starts a new chain per value."""
    grid = list(ParameterGrid({"C": [1.0, 0.1], "kernel": ["a", "b"]}))
    chains = plan_chains(grid, {"C": "increasing"}.get)
    assert [[grid[i] for i in chain] for chain in chains] == [
        [{"C": 0.1, "kernel": "a"}, {"C": 1.0, "kernel": "a"}],
        [{"C": 0.1, "kernel": "b"}, {"C": 1.0, "kernel": "b"}],
    ]


def test_plan_chains_grid_order_and_no_order():
    """order="grid" keeps the candidates' order; None makes every chain one long."""
    grid = list(ParameterGrid({"C": [1.0, 0.1, 10.0]}))
    assert plan_chains(grid, {"C": "increasing"}.get, "grid") == [[0, 1, 2]]
    assert plan_chains(grid, {"C": "increasing"}.get, None) == [[0], [1], [2]]


def test_plan_chains_needs_every_candidate_to_agree_and_numbers():
    """A parameter is walked only when all candidates' adapters agree on numbers."""
    grid = [{"C": 1.0}, {"C": 2.0}, {"C": "auto"}]
    assert len(plan_chains(grid, {"C": "increasing"}.get)) == 3
    steps = [{"C": "increasing"}.get, {"C": "increasing"}.get, lambda name: None]
    assert len(plan_chains(grid[:2] + [{"C": 3.0}], steps)) == 3


# --------------------------------------------------------------------- the families
def test_warm_grid_search_forest_grows_only_new_trees_with_equal_scores(data):
    """A forest chain over n_estimators trains only the new trees, scores as cold."""
    X, y = data
    grid = {"n_estimators": [20, 5, 10]}
    est = RandomForestClassifier(max_depth=4, random_state=0)
    cold = GridSearchCV(est, grid, cv=3).fit(X, y)
    warm = WarmGridSearchCV(est, grid, cv=3).fit(X, y)
    _same_scores(warm, cold)
    results = warm.cv_results_
    assert results["n_iter"].tolist() == [10.0, 5.0, 5.0]  # 5, then +5, then +10
    assert results["warm_from"].tolist() == [2, -1, 1]
    assert results["chain"].tolist() == [0, 0, 0]
    assert len(warm.best_estimator_.estimators_) == warm.best_params_["n_estimators"]


def test_warm_grid_search_forest_in_grid_order_falls_back_to_cold(data):
    """order="grid" walking to fewer trees fits that candidate cold."""
    X, y = data
    grid = {"n_estimators": [10, 5]}
    est = RandomForestClassifier(max_depth=3, random_state=0)
    warm = WarmGridSearchCV(est, grid, cv=3, order="grid").fit(X, y)
    assert warm.cv_results_["warm_from"].tolist() == [-1, -1]
    _same_scores(warm, GridSearchCV(est, grid, cv=3).fit(X, y))


def test_warm_grid_search_logistic_matches_logistic_regression_cv(data):
    """The best C is LogisticRegressionCV's, or one grid step away at equal score."""
    X, y = data
    Cs = np.logspace(-3, 2, 10)
    cv = StratifiedKFold(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lrcv = LogisticRegressionCV(Cs=Cs, cv=cv, scoring="accuracy").fit(X, y)
        lrcv_scores = np.mean(next(iter(lrcv.scores_.values())), axis=0).ravel()
    warm = WarmGridSearchCV(
        LogisticRegression(), {"C": Cs}, cv=cv, scoring="accuracy"
    ).fit(X, y)
    best = int(np.flatnonzero(Cs == warm.best_params_["C"])[0])
    expected = int(np.flatnonzero(Cs == lrcv.C_[0])[0])
    assert abs(best - expected) <= 1
    assert warm.best_score_ == pytest.approx(lrcv_scores[expected], abs=1e-4)
    # walked from the smallest C up: iterations fall along the path
    assert warm.cv_results_["warm_from"].tolist() == [-1, *range(9)]
    assert warm.cv_results_["n_iter"][-1] < warm.cv_results_["n_iter"][0]


def test_warm_grid_search_mlp_best_score_close_to_grid_search(data):
    """MLP over alpha x learning_rate_init: best score within 0.5 point, fewer epochs."""
    X, y = data
    X = StandardScaler().fit_transform(X)
    grid = {"alpha": [1e-4, 1e-2, 1.0], "learning_rate_init": [1e-3, 1e-2]}
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, tol=1e-3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cold = GridSearchCV(est, grid, cv=3).fit(X, y)
        warm = WarmGridSearchCV(est, grid, cv=3).fit(X, y)
    assert abs(warm.best_score_ - cold.best_score_) <= 0.005
    results = warm.cv_results_
    assert (results["warm_from"] >= 0).sum() == 5  # one chain of six
    refit_cold = clone(est).set_params(**warm.best_params_).fit(X, y)
    for got, expected in zip(warm.best_estimator_.coefs_, refit_cold.coefs_):
        np.testing.assert_array_equal(got, expected)  # refit is cold, on all rows
    warm_iters = results["n_iter"][results["warm_from"] >= 0]
    assert warm_iters.mean() < results["n_iter"][results["warm_from"] < 0].mean()


def test_warm_grid_search_pipeline_walks_only_the_final_step(data):
    """A transformer's parameter starts new chains; the final step's is walked."""
    X, y = data
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", SGDClassifier(random_state=0))]
    )
    grid = {"clf__alpha": [1e-4, 1e-3, 1e-2], "scale__with_mean": [True, False]}
    warm = WarmGridSearchCV(pipe, grid, cv=3).fit(X, y)
    results = warm.cv_results_
    assert len(set(results["chain"])) == 2
    for chain in set(results["chain"]):
        members = results["chain"] == chain
        assert len(set(results["param_scale__with_mean"][members])) == 1
        assert (results["warm_from"][members] >= 0).sum() == 2


def test_warm_randomized_search_samples_like_randomized_search_cv(data):
    """The candidates are RandomizedSearchCV's; same random_state, same results."""
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV

    X, y = data
    dist = {"alpha": loguniform(1e-5, 1e-1)}
    est = SGDClassifier(random_state=0)
    cold = RandomizedSearchCV(est, dist, n_iter=5, cv=3, random_state=3).fit(X, y)
    warm = WarmRandomizedSearchCV(est, dist, n_iter=5, cv=3, random_state=3).fit(X, y)
    again = WarmRandomizedSearchCV(est, dist, n_iter=5, cv=3, random_state=3).fit(X, y)
    assert warm.cv_results_["params"] == cold.cv_results_["params"]
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], again.cv_results_["mean_test_score"]
    )
    alphas = np.array([p["alpha"] for p in warm.cv_results_["params"]])
    order = [int(np.argmax(alphas))]  # the chain starts at the largest alpha
    assert warm.cv_results_["warm_from"][order[0]] == -1


# --------------------------------------------------------------------- drop-in
@pytest.mark.parametrize(
    "estimator, grid, name, why",
    [
        (SVC(random_state=0), {"C": [0.1, 1.0]}, "SVC", "no warm_start parameter"),
        (MockClassifier(), {"parameter": [1, 2]}, "MockClassifier", "no warm_start"),
        (
            HistGradientBoostingClassifier(max_iter=5, random_state=0),
            {"max_iter": [3, 5]},
            "HistGradientBoostingClassifier",
            "EnsembleAdapter supports only cold fits",
        ),
    ],
)
def test_warm_grid_search_without_warm_mechanism_is_grid_search_cv(
    data, estimator, grid, name, why
):
    """A family with no warm start is searched cold, exactly, with one warning."""
    X, y = data
    cold = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    with pytest.warns(UserWarning, match=rf"{name} cannot be warm-started.*{why}") as w:
        warm = WarmGridSearchCV(estimator, grid, cv=3).fit(X, y)
    assert len([m for m in w if "warm-started" in str(m.message)]) == 1
    _same_scores(warm, cold)
    assert warm.cv_results_["warm_from"].tolist() == [-1, -1]
    np.testing.assert_array_equal(warm.predict(X), cold.predict(X))


def test_warm_grid_search_unsupervised_cold_family_equals_grid_search(data):
    """KMeans (no warm start) scores exactly as in GridSearchCV."""
    X, _ = make_blobs(n_samples=150, centers=3, random_state=0)
    grid = {"n_clusters": [2, 3, 4]}
    est = KMeans(n_init=2, random_state=0)
    cold = GridSearchCV(est, grid, cv=3).fit(X)
    with pytest.warns(UserWarning, match="KMeans cannot be warm-started"):
        warm = WarmGridSearchCV(est, grid, cv=3).fit(X)
    _same_scores(warm, cold)


def test_warm_grid_search_order_none_is_grid_search_cv(data):
    """order=None fits every candidate cold: the scores are GridSearchCV's."""
    X, y = data
    grid = {"alpha": [1e-4, 1e-3, 1e-2]}
    est = SGDClassifier(random_state=0)
    warm = WarmGridSearchCV(est, grid, cv=3, order=None).fit(X, y)
    _same_scores(warm, GridSearchCV(est, grid, cv=3).fit(X, y))
    assert warm.cv_results_["chain"].tolist() == [0, 1, 2]
    assert warm.cv_results_["warm_from"].tolist() == [-1, -1, -1]


@pytest.mark.parametrize("order", ["best", 1, "GRID"])
def test_warm_grid_search_invalid_order_errors_like_sklearn(data, order):
    """An invalid order gets scikit-learn's parameter error."""
    X, y = data
    message = "The 'order' parameter of WarmGridSearchCV must be a str among"
    with pytest.raises(ValueError, match=re.escape(message)):
        WarmGridSearchCV(SGDClassifier(), {"alpha": [1e-3]}, order=order).fit(X, y)


def test_warm_grid_search_wrapped_estimator_walks_the_wrapped_model(data):
    """A wrapper's model is walked; its start is an ordinary (unwalked) parameter."""
    X, y = data
    est = WarmStartClassifier(SGDClassifier(random_state=0), random_state=0)
    grid = {"start": ["warm", "cold"], "estimator__alpha": [1e-4, 1e-3, 1e-2]}
    warm = WarmGridSearchCV(est, grid, cv=3).fit(X, y)
    results = warm.cv_results_
    assert len(set(results["chain"])) == 2  # one per start
    assert (results["warm_from"] >= 0).sum() == 4
    by_start = {
        start: results["mean_test_score"][results["param_start"] == start]
        for start in ("warm", "cold")
    }
    # one fit per candidate: the start cannot matter
    np.testing.assert_array_equal(by_start["warm"], by_start["cold"])
    assert isinstance(warm.best_estimator_, WarmStartClassifier)
    assert len(warm.best_estimator_.history_) == 1


def test_warm_grid_search_wrapper_with_schedule_is_searched_cold(data):
    """A wrapper whose fit is a schedule of runs is searched as GridSearchCV does."""
    X, y = data
    est = WarmStartClassifier(SGDClassifier(random_state=0), schedule=2, random_state=0)
    grid = {"estimator__alpha": [1e-4, 1e-3]}
    with pytest.warns(UserWarning, match="with a schedule or init"):
        warm = WarmGridSearchCV(est, grid, cv=3).fit(X, y)
    _same_scores(warm, GridSearchCV(est, grid, cv=3).fit(X, y))


def test_warm_grid_search_leaves_the_estimator_and_grid_untouched(data):
    """The user's estimator and grid are never modified."""
    X, y = data
    est = SGDClassifier(random_state=0)
    grid = {"alpha": [1e-2, 1e-4]}
    WarmGridSearchCV(est, grid, cv=3).fit(X, y)
    assert grid == {"alpha": [1e-2, 1e-4]}
    assert est.get_params() == SGDClassifier(random_state=0).get_params()
    assert not hasattr(est, "coef_")


def test_warm_grid_search_skorch_net_walks_learning_rate():
    """A skorch net's lr is walked warm, from the largest step to the smallest."""
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    module = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Linear(4, 2))
    net = skorch.NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        search = WarmGridSearchCV(net, {"lr": [1e-3, 1e-1]}, cv=2, refit=False)
        search.fit(X.astype(np.float32), y)
    finally:
        torch.set_num_threads(threads)
    assert search.cv_results_["warm_from"].tolist() == [1, -1]
    assert search.cv_results_["n_iter"].tolist() == [2.0, 2.0]


# ------------------------------------------------ LogisticRegression along its path
class _Subclass(LogisticRegression):
    """A LogisticRegression whose fit could differ from the path."""


def _warm_chain(estimator, Cs, X, y, **fit_params):
    """One LogisticRegression refitted warm C after C, as a user would do it."""
    model = clone(estimator).set_params(warm_start=True)
    fitted = []
    for C in Cs:
        model.set_params(C=C).fit(X, y, **fit_params)
        fitted.append(
            (model.coef_.copy(), model.intercept_.copy(), model.n_iter_.copy())
        )
    return fitted


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "newton-cholesky"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "settings, weighted",
    [
        ({}, False),
        ({"fit_intercept": False}, False),
        ({"class_weight": "balanced"}, True),
    ],
)
def test_linear_adapter_fit_path_equals_one_by_one_warm_fits(
    solver, n_classes, settings, weighted
):
    """Each path-built candidate is the LogisticRegression its own warm fit gives."""
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, n_classes=n_classes,
        random_state=0,
    )  # fmt: skip
    fit_params = {"sample_weight": np.linspace(0.5, 2.0, len(y))} if weighted else {}
    est = LogisticRegression(solver=solver, **settings)
    Cs = np.logspace(-3, 2, 6)
    expected = _warm_chain(est, Cs, X, y, **fit_params)
    adapter = adapter_for(est)
    models = adapter.fit_path(
        clone(est).set_params(C=Cs[0]), [{"C": C} for C in Cs], None, X, y, fit_params
    )
    assert [m.C for m in models] == list(Cs)
    for model, (coef, intercept, n_iter) in zip(models, expected):
        assert type(model) is LogisticRegression
        np.testing.assert_allclose(model.coef_, coef, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(model.n_iter_, n_iter)
        np.testing.assert_array_equal(model.classes_, np.unique(y))
        assert model.n_features_in_ == X.shape[1]
        assert model.coef_.shape == coef.shape and model.intercept_.shape == (
            intercept.shape
        )
    # the second half of the path, started from the first half's last model
    more = adapter.fit_path(
        clone(est).set_params(C=Cs[3]), [{"C": C} for C in Cs[3:]], models[2], X, y,
        fit_params,
    )  # fmt: skip
    for model, (coef, _, n_iter) in zip(more, expected[3:]):
        np.testing.assert_allclose(model.coef_, coef, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(model.n_iter_, n_iter)


def test_linear_adapter_fit_path_equals_logistic_regression_cv_paths(data):
    """On the same folds, the path-built candidates are LogisticRegressionCV's path."""
    X, y = data
    Cs = np.logspace(-3, 2, 8)
    folds = list(StratifiedKFold(4).split(X, y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lrcv = LogisticRegressionCV(Cs=Cs, cv=folds, refit=False).fit(X, y)
    paths = lrcv.coefs_paths_[lrcv.classes_[1]]
    est = LogisticRegression()
    for (train, _), path in zip(folds, paths):
        models = adapter_for(est).fit_path(
            clone(est).set_params(C=Cs[0]),
            [{"C": C} for C in Cs],
            None,
            X[train],
            y[train],
            {},
        )
        found = np.array([np.r_[m.coef_.ravel(), m.intercept_] for m in models])
        np.testing.assert_allclose(found, path, rtol=1e-10, atol=1e-12)


def test_linear_adapter_fit_path_keeps_feature_names(data):
    """A path fitted on a DataFrame records its feature names, as fit does."""
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = LogisticRegression()
    models = adapter_for(est).fit_path(
        clone(est), [{"C": 0.1}, {"C": 1.0}], None, frame, y, {}
    )
    expected = clone(est).fit(frame, y).feature_names_in_
    for model in models:
        np.testing.assert_array_equal(model.feature_names_in_, expected)


@pytest.mark.parametrize(
    "est, X_dtype, fit_params",
    [
        (LogisticRegression(solver="saga"), np.float64, {}),
        (LogisticRegression(solver="sag"), np.float64, {}),
        (LogisticRegression(solver="liblinear"), np.float64, {}),
        (LogisticRegression(penalty="l2"), np.float64, {}),
        (LogisticRegression(verbose=1), np.float64, {}),
        (LogisticRegression(), np.float32, {}),
        (_Subclass(), np.float64, {}),
        (LogisticRegression(), np.float64, {"sample_weight": None, "other": 1}),
        (SGDClassifier(), np.float64, {}),
    ],
    ids=[
        "saga",
        "sag",
        "liblinear",
        "penalty",
        "verbose",
        "float32",
        "subclass",
        "fit-param",
        "sgd",
    ],  # fmt: skip
)
def test_linear_adapter_fit_path_declines_settings_it_cannot_match(
    data, est, X_dtype, fit_params
):
    """Settings where a path is not exactly the warm fits: None, template untouched."""
    X, y = data
    template = clone(est)
    values = [{"C" if "C" in est.get_params() else "alpha": v} for v in (0.1, 1.0)]
    assert (
        adapter_for(est).fit_path(
            template, values, None, X.astype(X_dtype), y, fit_params
        )
        is None
    )
    assert not hasattr(template, "n_features_in_")


def test_linear_adapter_fit_path_stops_where_another_parameter_changes(data):
    """The path covers the leading run that differs only in C."""
    X, y = data
    est = LogisticRegression()
    values = [
        {"C": 0.01, "tol": 1e-4},
        {"C": 0.1, "tol": 1e-4},
        {"C": 0.1, "tol": 1e-2},
    ]
    models = adapter_for(est).fit_path(
        clone(est).set_params(**values[0]), values, None, X, y, {}
    )
    assert [m.C for m in models] == [0.01, 0.1]


def _path_search(X, y, **kwargs):
    return WarmGridSearchCV(
        LogisticRegression(), {"C": np.logspace(-3, 2, 6)}, cv=3, **kwargs
    ).fit(X, y)


def _fails(*args, **kwargs):
    raise RuntimeError("a moved private function")


@pytest.mark.parametrize("replacement", [None, _fails], ids=["gone", "broken"])
def test_warm_grid_search_logistic_without_the_private_path_fits_one_by_one(
    data, monkeypatch, replacement
):
    """If sklearn's path function moves or breaks, the same results come one by one."""
    X, y = data
    with_path = _path_search(X, y)
    # candidates fitted in one path call share each fold's fit time
    assert len(set(with_path.cv_results_["mean_fit_time"])) == 1
    monkeypatch.setattr(compat, "logistic_regression_path", replacement)
    one_by_one = _path_search(X, y)
    assert len(set(one_by_one.cv_results_["mean_fit_time"])) > 1
    _same_scores(one_by_one, with_path)
    for key in ("n_iter", "warm_from", "chain"):
        np.testing.assert_array_equal(
            one_by_one.cv_results_[key], with_path.cv_results_[key]
        )
    assert one_by_one.best_params_ == with_path.best_params_


def test_warm_grid_search_logistic_unsupported_settings_keep_warm_fits(data):
    """saga (no exact path) walks C warm one candidate at a time, as before."""
    X, y = data
    est = LogisticRegression(solver="saga", max_iter=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = WarmGridSearchCV(est, {"C": [0.01, 0.1, 1.0]}, cv=3).fit(X, y)
    assert len(set(search.cv_results_["mean_fit_time"])) > 1
    assert search.cv_results_["warm_from"].tolist() == [-1, 0, 1]


def test_warm_grid_search_logistic_path_reports_a_bad_candidate_as_its_own(data):
    """An invalid C in the path's run fails alone; its neighbours still score."""
    X, y = data
    search = WarmGridSearchCV(
        LogisticRegression(), {"C": [0.01, -1.0, 1.0]}, cv=3, order="grid"
    )
    with pytest.warns(FitFailedWarning, match="'C' parameter of LogisticRegression"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and np.isfinite(scores[[0, 2]]).all()
    assert search.cv_results_["warm_from"].tolist() == [-1, -1, -1]


# ------------------------------------------------------------------ Dask backend
def test_warm_grid_search_dask_backend_matches_local(data, dask_client):
    """Chains x folds run as Dask tasks give the same cv_results_ as n_jobs=1."""
    import joblib
    from dask.distributed import get_task_stream

    X, y = data
    grid = [
        {"C": np.logspace(-3, 2, 5)},
        {"C": [0.1, 1.0], "fit_intercept": [False]},
    ]
    local = WarmGridSearchCV(LogisticRegression(), grid, cv=3, n_jobs=1).fit(X, y)
    with get_task_stream(dask_client) as tasks, joblib.parallel_config(backend="dask"):
        remote = WarmGridSearchCV(LogisticRegression(), grid, cv=3, n_jobs=2)
        remote.fit(X, y)
    assert tasks.data  # the chains ran on the cluster
    _same_scores(remote, local)
    for key in ("n_iter", "warm_from", "chain"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
