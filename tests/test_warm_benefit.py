"""Warm starts must save compute: fewer epochs to the cold model's accuracy.

Small versions of ``benchmarks/warm_benefit.py``: a model trained on ``n``
rows is retrained on them plus 10% new rows from the same distribution, warm
and cold; and the MLP concept-flip trap (a warm refit after every label
flips must relearn, not stop after one epoch).
"""

import copy

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier, WarmStartRegressor
from sklearn_warmstart._compat import mlp_inherited_optimizer, mlp_objective

ACCURACY_TOLERANCE = 0.02  # small data: SGD/MLP test accuracy moves ~1 point by seed


def _retraining_data(n_samples, seed=0, flip=False):
    """Run 0 rows, run 1 rows (+10% new, or the same rows with labels flipped), test."""
    n_new, n_test = n_samples // 10, 2000
    X, y = make_classification(
        n_samples=n_samples + n_new + n_test,
        n_features=20,
        n_informative=10,
        random_state=seed,
    )
    X = (X - X[:n_samples].mean(axis=0)) / X[:n_samples].std(axis=0)
    run0 = X[:n_samples], y[:n_samples]
    test = X[n_samples + n_new :], y[n_samples + n_new :]
    if flip:
        return run0, (run0[0], 1 - run0[1]), (test[0], 1 - test[1])
    return run0, (X[: n_samples + n_new], y[: n_samples + n_new]), test


def _warm_and_cold(estimator, data, random_state=0):
    """Wrappers after run 1 started warm and cold from the same run 0."""
    (X0, y0), (X1, y1), _ = data
    first = WarmStartClassifier(estimator, random_state=random_state).fit(X0, y0)
    warm = copy.deepcopy(first).fit(X1, y1)
    cold = copy.deepcopy(first).set_params(start="cold").fit(X1, y1)
    return first, warm, cold


def _small_mlp(**params):
    """An MLP that converges (by ``tol``) on a few thousand rows."""
    return MLPClassifier(
        **{"hidden_layer_sizes": (16,), "tol": 1e-3, "max_iter": 300, **params}
    )


@pytest.mark.parametrize(
    "estimator, n_samples, max_ratio",
    [
        (SGDClassifier(), 10_000, 0.5),
        (LogisticRegression(), 10_000, 0.8),
        (_small_mlp(), 3000, 0.25),
    ],
    ids=["sgd", "logistic_regression", "mlp"],
)
def test_warmstartclassifier_warm_run_reaches_cold_accuracy_in_fewer_iterations(
    estimator, n_samples, max_ratio
):
    """A warm retraining run matches the cold run's test accuracy in fewer epochs."""
    # Measured over data seeds 0-4, warm/cold epochs were 0.15-0.70 (SGD),
    # 0.36-0.67 (lbfgs) and 0.14-0.17 (MLP); seed 0 gives 0.25, 0.5, 0.14.
    data = _retraining_data(n_samples)
    _, warm, cold = _warm_and_cold(estimator, data)
    X_test, y_test = data[2]
    warm_iter, cold_iter = warm.history_[1].n_iter, cold.history_[1].n_iter
    assert warm.history_[1].start == "warm" and cold.history_[1].start == "cold"
    assert warm_iter <= max_ratio * cold_iter, (warm_iter, cold_iter)
    assert warm.score(X_test, y_test) >= cold.score(X_test, y_test) - ACCURACY_TOLERANCE


def test_sgd_warm_run_beats_sklearn_warm_start_refit():
    """SGD warm runs continue the learning-rate schedule; sklearn's refit restarts it."""
    data = _retraining_data(10_000)
    first, warm, _ = _warm_and_cold(SGDClassifier(), data)
    X1, y1 = data[1]
    bare = copy.deepcopy(first.estimator_).set_params(
        warm_start=True, random_state=warm.history_[1].seed
    )
    bare.fit(X1, y1)
    assert warm.estimator_.t_ > first.estimator_.t_ > bare.t_ - bare.n_iter_ * len(y1)
    assert 2 * warm.history_[1].n_iter < bare.n_iter_


@pytest.mark.parametrize("early_stopping", [False, True])
def test_mlp_warm_run_recovers_from_a_concept_flip(early_stopping):
    """After every label flips, a warm MLP run relearns instead of stopping at once."""
    data = _retraining_data(3000, flip=True)
    estimator = _small_mlp(early_stopping=early_stopping)
    first, warm, cold = _warm_and_cold(estimator, data)
    X_test, y_test = data[2]
    record = warm.history_[1]
    assert record.prequential_score < 0.2  # the old model is wrong on the new labels
    assert record.n_iter > estimator.n_iter_no_change + 1
    assert warm.score(X_test, y_test) > 0.85
    assert warm.score(X_test, y_test) >= cold.score(X_test, y_test) - ACCURACY_TOLERANCE
    # scikit-learn's own warm_start refit is the trap the adapter avoids.
    bare = copy.deepcopy(first.estimator_).set_params(warm_start=True)
    assert bare.fit(*data[1]).n_iter_ < record.n_iter


def test_sgd_warm_run_recovers_from_a_concept_flip():
    """A warm SGD run with its schedule continued still relearns flipped labels."""
    data = _retraining_data(10_000, flip=True)
    _, warm, cold = _warm_and_cold(SGDClassifier(), data)
    X_test, y_test = data[2]
    assert warm.history_[1].prequential_score < 0.35
    assert warm.score(X_test, y_test) >= cold.score(X_test, y_test) - ACCURACY_TOLERANCE


def test_mlp_warm_run_stops_relative_to_its_start():
    """A warm run whose start is already converged stops after n_iter_no_change + 1."""
    data = _retraining_data(3000)
    (X0, y0), _, _ = data
    clf = WarmStartClassifier(_small_mlp(), random_state=0).fit(X0, y0)
    clf.fit(X0, y0)  # the same data again: nothing left to gain beyond tol
    assert clf.history_[1].n_iter == clf.estimator.n_iter_no_change + 1
    assert len(clf.history_[1].loss_curve) == clf.history_[1].n_iter


def test_mlp_warm_run_continues_the_adam_optimizer():
    """A warm run keeps Adam's step count and moments; other starts get a fresh one."""
    data = _retraining_data(2000)
    first, warm, _ = _warm_and_cold(_small_mlp(), data)
    before, after = first.estimator_._optimizer, warm.estimator_._optimizer
    n_rows, batch = len(data[1][1]), 200
    steps = warm.history_[1].n_iter * -(-n_rows // batch)
    assert after.t == before.t + steps
    assert first.estimator_._optimizer is before  # the previous model is untouched
    (X0, y0), (X1, y1), _ = data
    perturbed = WarmStartClassifier(
        _small_mlp(), start=ShrinkPerturb(0.5, 0.1), random_state=0
    )
    perturbed.fit(X0, y0).fit(X1, y1)
    assert perturbed.estimator_._optimizer.t == perturbed.history_[1].n_iter * -(
        -n_rows // batch
    )


def test_mlp_warm_runs_are_reproducible():
    """The same random_state gives identical warm runs."""
    (X0, y0), (X1, y1), _ = _retraining_data(1000)
    warm_a, warm_b = (
        WarmStartClassifier(_small_mlp(max_iter=30), random_state=3)
        .fit(X0, y0)
        .fit(X1, y1)
        for _ in range(2)
    )
    for a, b in zip(warm_a.estimator_.coefs_, warm_b.estimator_.coefs_):
        np.testing.assert_array_equal(a, b)
    assert warm_a.history_[1].loss_curve == warm_b.history_[1].loss_curve


@pytest.mark.parametrize(
    "estimator",
    [SGDClassifier(), LogisticRegression(), _small_mlp()],
    ids=["sgd", "logistic_regression", "mlp"],
)
def test_warmstartclassifier_cold_run_is_the_bare_fit(estimator):
    """A cold run is exactly the bare estimator's fit with the run's seed."""
    data = _retraining_data(1000)
    _, _, cold = _warm_and_cold(estimator, data)
    X1, y1 = data[1]
    bare = clone(estimator).set_params(random_state=cold.history_[1].seed).fit(X1, y1)
    np.testing.assert_array_equal(cold.predict(data[2][0]), bare.predict(data[2][0]))
    assert cold.history_[1].n_iter == int(np.max(bare.n_iter_))


def test_mlpregressor_warm_run_saves_epochs():
    """MLPRegressor warm runs also stop early at the cold run's R^2."""
    X, y = make_regression(
        n_samples=3300 + 1000, n_features=10, noise=5.0, random_state=0
    )
    y = y / y.std()
    est = MLPRegressor(hidden_layer_sizes=(16,), tol=1e-3, max_iter=300)
    first = WarmStartRegressor(est, random_state=0).fit(X[:3000], y[:3000])
    warm = copy.deepcopy(first).fit(X[:3300], y[:3300])
    cold = copy.deepcopy(first).set_params(start="cold").fit(X[:3300], y[:3300])
    assert warm.history_[1].n_iter < cold.history_[1].n_iter / 2
    assert warm.score(X[3300:], y[3300:]) >= cold.score(X[3300:], y[3300:]) - 0.02


@pytest.mark.parametrize(
    "make_model",
    [
        lambda: MLPClassifier(hidden_layer_sizes=(7,), alpha=0.5, batch_size=64),
        lambda: MLPClassifier(hidden_layer_sizes=(7, 5), alpha=0.01),
        lambda: MLPRegressor(hidden_layer_sizes=(6,), alpha=0.3, batch_size=50),
    ],
    ids=["binary", "multiclass", "regressor"],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_mlp_objective_is_on_the_loss_curve_scale(make_model, weighted):
    """mlp_objective equals the epoch loss scikit-learn reports when weights stay put."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((530, 4))
    model = make_model()
    if isinstance(model, MLPClassifier):
        classes = 2 if model.hidden_layer_sizes == (7,) else 3
        y = rng.integers(0, classes, len(X))
    else:
        y = X @ rng.standard_normal(4)
    sample_weight = np.full(len(X), 2.5) if weighted else None
    model.set_params(max_iter=20, random_state=0).fit(X, y)
    expected = mlp_objective(model, X, y, sample_weight)
    # One epoch at a vanishing step size: the reported loss is the loss at the
    # current weights, averaged over minibatches as scikit-learn does.
    model.set_params(learning_rate_init=1e-12, shuffle=False)
    del model._optimizer  # partial_fit keeps an optimizer: make it build a new one
    model.partial_fit(X, y, sample_weight=sample_weight)
    assert model.loss_ == pytest.approx(expected, rel=1e-9)


def test_mlp_inherited_optimizer_restarts_only_what_stopped_the_run():
    """SGD 'adaptive' keeps its velocities but restarts the decayed step size."""
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    previous = MLPClassifier(
        hidden_layer_sizes=(5,),
        solver="sgd",
        learning_rate="adaptive",
        tol=1e-2,
        n_iter_no_change=2,
        random_state=0,
    ).fit(X, y)
    assert previous._optimizer.learning_rate < previous.learning_rate_init
    model = copy.deepcopy(previous)
    optimizer = mlp_inherited_optimizer(previous, model)
    assert optimizer is not previous._optimizer
    assert optimizer.learning_rate == previous.learning_rate_init
    for mine, theirs in zip(optimizer.velocities, previous._optimizer.velocities):
        np.testing.assert_array_equal(mine, theirs)
    model.set_params(solver="adam")
    assert mlp_inherited_optimizer(previous, model) is None


def test_mlp_warm_run_with_sample_weight_uses_the_weights():
    """sample_weight reaches the warm epochs (and the stopping reference)."""
    data = _retraining_data(1000)
    (X0, y0), (X1, y1), _ = data
    weights = np.where(y1 == 1, 5.0, 1.0)
    first = WarmStartClassifier(_small_mlp(), random_state=0).fit(X0, y0)
    plain = copy.deepcopy(first).fit(X1, y1)
    weighted = copy.deepcopy(first).fit(X1, y1, sample_weight=weights)
    assert weighted.history_[1].loss_curve != plain.history_[1].loss_curve
    assert (weighted.predict(X1) == 1).mean() > (plain.predict(X1) == 1).mean()


def test_mlpadapter_predict_in_chunks_equals_predict():
    """The records' chunked MLP predictions equal the model's own predict."""
    from sklearn_warmstart.adapters import MLPAdapter

    X, y = make_classification(n_samples=103, n_features=6, random_state=0)
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    model.fit(X, y)
    adapter = MLPAdapter(model)
    adapter.predict_chunk_rows = 10
    np.testing.assert_array_equal(adapter.predict(model, X), model.predict(X))
