"""prequential_score: test-then-train semantics, checked against river."""

import numpy as np
import pytest
from river import compat, datasets, evaluate, metrics, preprocessing
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.metrics import mean_absolute_error

from sklearn_warmstart import OnDrift, WarmStartClassifier, prequential_score
from sklearn_warmstart.datasets import load_scenario


def _river_sgd():
    return SGDClassifier(
        loss="log_loss",
        learning_rate="constant",
        eta0=0.005,
        penalty=None,
        random_state=0,
    )


class _RiverScaledClassifier(ClassifierMixin, BaseEstimator):
    """river's ``StandardScaler() | model`` as an sklearn estimator, row by row.

    ``partial_fit`` updates the running means and variances with river's
    formulas, then trains the classifier on the scaled rows; ``predict`` scales
    with the current statistics (river's pipelines do not learn in predict).
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def _scale(self, row):
        out = np.zeros_like(row)
        has_var = self.var_ != 0
        out[has_var] = (row[has_var] - self.mean_[has_var]) / self.var_[has_var] ** 0.5
        return out

    def partial_fit(self, X, y, classes=None):
        X = np.asarray(X, dtype=np.float64)
        if not hasattr(self, "count_"):
            self.count_, self.mean_ = 0, np.zeros(X.shape[1])
            self.var_ = np.zeros(X.shape[1])
            self.estimator_ = clone(self.estimator)
            self.classes_ = np.asarray(classes)
        for row, target in zip(X, y):
            self.count_ += 1
            old = self.mean_.copy()
            self.mean_ = self.mean_ + (row - old) / self.count_
            self.var_ = self.var_ + ((row - old) * (row - self.mean_) - self.var_) / (
                self.count_
            )
            self.estimator_.partial_fit(
                [self._scale(row)], [target], classes=self.classes_
            )
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=np.float64)
        return self.estimator_.predict(np.array([self._scale(row) for row in X]))


def _river_predictions(model, delay=None):
    steps = evaluate.iter_progressive_val_score(
        datasets.Phishing(),
        model,
        metrics.Accuracy(),
        step=1,
        yield_predictions=True,
        delay=delay,
    )
    return np.array([step["Prediction"] for step in steps], dtype=int)


def test_prequential_score_matches_river_progressive_val_score_on_phishing():
    """Phishing, one row at a time: the same predictions and accuracy as river
    (river's published .8896 for scaled SGD through river.compat)."""
    river_model = preprocessing.StandardScaler() | compat.convert_sklearn_to_river(
        _river_sgd(), classes=[False, True]
    )
    river_pred = _river_predictions(river_model)
    phishing = load_scenario("phishing")
    result = prequential_score(
        _RiverScaledClassifier(_river_sgd()), phishing.X, phishing.y, chunk_size=1
    )
    # river also scores its untrained first guess (class False); we start at row 1.
    assert round(float(np.mean(river_pred == phishing.y)), 4) == 0.8896
    np.testing.assert_array_equal(result.y_pred, river_pred[1:])
    assert result.score == pytest.approx(np.mean(river_pred[1:] == phishing.y[1:]))
    assert result.n_evaluated == 1249


def test_prequential_score_matches_river_without_scaler():
    """The bare sklearn model through river.compat predicts exactly as ours."""
    river_pred = _river_predictions(
        compat.convert_sklearn_to_river(_river_sgd(), classes=[False, True])
    )
    phishing = load_scenario("phishing")
    result = prequential_score(_river_sgd(), phishing.X, phishing.y)
    np.testing.assert_array_equal(result.y_pred, river_pred[1:])


@pytest.mark.parametrize("delay", [2, 25, 300])
def test_prequential_score_delay_matches_river_on_phishing(delay):
    """Labels arriving ``delay`` rows late: river's predictions, row for row."""
    river_model = preprocessing.StandardScaler() | compat.convert_sklearn_to_river(
        _river_sgd(), classes=[False, True]
    )
    river_pred = _river_predictions(river_model, delay=delay)
    phishing = load_scenario("phishing")
    result = prequential_score(
        _RiverScaledClassifier(_river_sgd()), phishing.X, phishing.y, delay=delay
    )
    # river scores its untrained guesses for the first ``delay`` rows; we do not.
    assert result.n_evaluated == 1250 - delay
    np.testing.assert_array_equal(result.y_pred, river_pred[delay:])
    assert result.score == pytest.approx(
        np.mean(river_pred[delay:] == phishing.y[delay:])
    )
    assert result.estimator.count_ == 1250  # the pending labels are learned too


def test_prequential_score_delay_zero_and_one_mean_no_delay():
    """As in river, delay 0 and 1 both give the previous row's label in time."""
    X, y = load_scenario("phishing").X, load_scenario("phishing").y
    plain = prequential_score(_river_sgd(), X, y, 50)
    for delay in (0, 1):
        late = prequential_score(_river_sgd(), X, y, 50, delay=delay)
        np.testing.assert_array_equal(late.y_pred, plain.y_pred)
        np.testing.assert_array_equal(late.chunk_scores, plain.chunk_scores)


def test_prequential_score_delay_in_chunks_sees_only_arrived_labels():
    """A chunk is predicted by a model fitted on the labels arrived by its first row."""
    scenario = load_scenario("sea_abrupt", n_samples=3000, seed=0)
    X, y = (scenario.X - 5) / 3, scenario.y
    late = prequential_score(SGDClassifier(random_state=0), X, y, 200, delay=450)
    assert late.n_evaluated == 3000 - 600  # chunks from row 600 on
    assert np.isnan(late.chunk_scores[:3]).all()
    assert not np.isnan(late.chunk_scores[3:]).any()
    # The chunk at row 1000 is predicted after learning rows 0..550 exactly.
    manual = SGDClassifier(random_state=0)
    manual.partial_fit(X[:151], y[:151], classes=[0, 1])
    for a, b in [(151, 351), (351, 551)]:
        manual.partial_fit(X[a:b], y[a:b])
    np.testing.assert_array_equal(late.y_pred[400:600], manual.predict(X[1000:1200]))


def test_prequential_score_delay_longer_than_the_stream_is_refused():
    """A delay that leaves no row to predict says so."""
    X = np.zeros((100, 2))
    y = np.arange(100) % 2
    with pytest.raises(ValueError, match="No row can be predicted"):
        prequential_score(SGDClassifier(), X, y, 10, delay=95)
    with pytest.raises(ValueError, match="delay must be an int >= 0"):
        prequential_score(SGDClassifier(), X, y, 10, delay=-1)


def test_prequential_score_wrapped_warm_equals_bare_partial_fit():
    """A wrapped estimator with the warm policy scores exactly as the bare one."""
    scenario = load_scenario("sea_abrupt", n_samples=4000, seed=0)
    X, y = (scenario.X - 5) / 3, scenario.y
    sgd = SGDClassifier(
        shuffle=False, learning_rate="invscaling", eta0=0.05, random_state=0
    )
    bare = prequential_score(sgd, X, y, chunk_size=250)
    wrapped = prequential_score(WarmStartClassifier(sgd), X, y, chunk_size=250)
    np.testing.assert_array_equal(bare.y_pred, wrapped.y_pred)
    assert bare.score == wrapped.score
    assert wrapped.estimator.n_runs_ == 16


def test_prequential_score_chunk_scores_are_per_chunk_accuracies():
    """Chunk scores are each chunk's accuracy before learning it; the first is NaN."""
    scenario = load_scenario("sea_abrupt", n_samples=2000, seed=1)
    X, y = (scenario.X - 5) / 3, scenario.y
    result = prequential_score(SGDClassifier(random_state=0), X, y, 300)
    assert np.isnan(result.chunk_scores[0])
    np.testing.assert_array_equal(result.chunk_starts, np.arange(0, 2000, 300))
    manual = [
        np.mean(result.y_pred[a - 300 : a] == y[a : a + 300])
        for a in result.chunk_starts[1:]
    ]
    np.testing.assert_allclose(result.chunk_scores[1:], manual)
    assert result.score == pytest.approx(np.mean(result.y_pred == y[300:]))
    assert "accuracy=" in repr(result)


def test_prequential_score_regression_and_callable_metric():
    """Regressors default to R²; a callable metric is used as given."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 3))
    y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=1000)
    r2 = prequential_score(SGDRegressor(random_state=0), X, y, 100)
    assert r2.scoring == "r2" and r2.score > 0.8
    mae = prequential_score(
        SGDRegressor(random_state=0), X, y, 100, mean_absolute_error
    )
    assert mae.scoring == "custom"
    assert mae.score == pytest.approx(mean_absolute_error(y[100:], mae.y_pred))
    named = prequential_score(
        SGDRegressor(random_state=0), X, y, 100, "mean_absolute_error"
    )
    assert named.score == mae.score


def test_prequential_score_with_drift_reset_policy():
    """A drift-reset policy evaluated prequentially beats warm after SEA's change."""
    scenario = load_scenario("sea_abrupt", n_samples=20_000, seed=0)
    X, y = (scenario.X - 5) / 3, scenario.y
    sgd = SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05)
    warm = prequential_score(WarmStartClassifier(sgd, random_state=0), X, y, 500)
    reset = prequential_score(
        WarmStartClassifier(sgd, reset=OnDrift(), random_state=0), X, y, 500
    )
    after = slice(20, 24)  # chunks covering rows 10,000-11,999
    assert reset.chunk_scores[after].mean() > warm.chunk_scores[after].mean()


def test_prequential_score_does_not_touch_the_estimator():
    """The estimator passed in stays unfitted; the result holds the fitted clone."""
    X = np.random.default_rng(2).normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    sgd = SGDClassifier(random_state=0)
    result = prequential_score(sgd, X, y, 50)
    assert not hasattr(sgd, "coef_") and hasattr(result.estimator, "coef_")


def test_prequential_score_rejects_bad_input():
    """Bad chunk sizes, too few rows, mismatched lengths, metrics and models fail."""
    X = np.zeros((10, 2))
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="chunk_size must be an int >= 1"):
        prequential_score(SGDClassifier(), X, y, 0)
    with pytest.raises(ValueError, match="at least two chunks"):
        prequential_score(SGDClassifier(), X, y, 10)
    with pytest.raises(ValueError, match="different numbers of rows"):
        prequential_score(SGDClassifier(), X, y[:5])
    with pytest.raises(ValueError, match="scoring must be"):
        prequential_score(SGDClassifier(), X, y, 2, "auc")
    with pytest.raises(TypeError, match="partial_fit and predict"):
        prequential_score(BaseEstimator(), X, y)
