"""Streaming runs: drift resets, the warning challenger, the fast chunk path."""

import copy
import re
import warnings

import numpy as np
import pytest
from river import base as river_base
from river import drift
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import Perceptron, SGDClassifier, SGDRegressor
from sklearn.naive_bayes import BernoulliNB, GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_array

from sklearn_warmstart import (
    Adaptive,
    Cold,
    OnDrift,
    Warm,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart._seeds import run_seed
from sklearn_warmstart.adapters import LinearAdapter
from sklearn_warmstart.adapters.base import copy_model
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.drift import DETECTOR_NAMES
from sklearn_warmstart.exceptions import DivergenceError


class ScriptedDetector(river_base.BinaryDriftAndWarningDetector):
    """Warns from update ``warn_at`` on and signals a drift at update ``drift_at``."""

    def __init__(self, warn_at: int = 100, drift_at: int = 200):
        super().__init__()
        self.warn_at = warn_at
        self.drift_at = drift_at
        self._n = 0

    def update(self, x):
        if self.drift_detected:
            self._reset()
            self._n = 0
        self._n += 1
        self._warning_detected = self.warn_at <= self._n < self.drift_at
        self._drift_detected = self._n == self.drift_at


def _sea(name, seed, n=20_000):
    """A SEA scenario with its features scaled to about unit range (fixed map)."""
    scenario = load_scenario(name, n_samples=n, seed=seed)
    return (scenario.X - 5.0) / 3.0, scenario.y


def _sgd():
    return SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05)


def _stream(clf, X, y, chunk=500):
    for start in range(0, len(y), chunk):
        clf.partial_fit(X[start : start + chunk], y[start : start + chunk], [0, 1])
    return clf


def _drifts(clf):
    return [e.sample_index for r in clf.history_ for e in r.drift_events]


def _mean_prequential(clf, first, last):
    return np.mean(
        [r.prequential_score for r in clf.history_ if first <= r.sample_start < last]
    )


def test_on_drift_sea_abrupt_detects_and_beats_warm_in_nine_of_ten_seeds():
    """SEA abrupt at row 10k: ADWIN fires only after it (within 1.5k rows) and
    the reset model beats Warm() over the 2k rows after the change, >= 9/10 seeds."""
    detected = better = 0
    for seed in range(10):
        X, y = _sea("sea_abrupt", seed)
        on_drift = _stream(
            WarmStartClassifier(_sgd(), reset=OnDrift("adwin"), random_state=seed),
            X,
            y,
        )
        warm = _stream(WarmStartClassifier(_sgd(), random_state=seed), X, y)
        found = _drifts(on_drift)
        detected += bool(found) and min(found) >= 10_000 and found[0] < 11_500
        better += _mean_prequential(on_drift, 10_000, 12_000) > _mean_prequential(
            warm, 10_000, 12_000
        )
    assert detected >= 9
    assert better >= 9


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_on_drift_stationary_sea_never_resets(name):
    """On SEA without drift, no named detector resets the model."""
    n = 5_000 if name == "kswin" else 20_000
    X, y = _sea("sea_stationary", seed=3, n=n)
    clf = _stream(
        WarmStartClassifier(_sgd(), reset=OnDrift(name), random_state=0), X, y
    )
    assert _drifts(clf) == []
    assert [r.start for r in clf.history_].count("cold") == 1


def test_streaming_reset_trains_on_rows_since_the_change():
    """After an ADWIN detection the reset trains on the rows after its window start."""
    X, y = _sea("sea_abrupt", seed=0)
    clf = _stream(
        WarmStartClassifier(_sgd(), reset=OnDrift("adwin"), random_state=0), X, y
    )
    (record,) = [r for r in clf.history_ if r.drift_events]
    (event,) = record.drift_events
    assert record.start == "cold" and record.trigger == "on_drift(adwin)"
    assert 10_000 - 500 <= event.change_start <= event.sample_index
    assert record.n_samples == record.sample_start + 500 - event.change_start
    assert record.n_samples < clf.buffer_size


def test_streaming_reset_uses_whole_buffer_without_a_change_estimate():
    """A detector that gives no change start resets on the last buffer_size rows."""
    X, y = _sea("sea_abrupt", seed=1)
    clf = _stream(
        WarmStartClassifier(
            _sgd(), reset=OnDrift("page_hinkley"), buffer_size=1500, random_state=0
        ),
        X,
        y,
    )
    resets = [r for r in clf.history_ if r.drift_events]
    assert resets and resets[0].drift_events[0].change_start is None
    assert resets[0].n_samples == 1500


def test_challenger_promoted_when_it_beats_the_current_model():
    """A warning at the change and a drift 300 rows later: the challenger wins."""
    X, y = _sea("sea_abrupt", seed=0)
    # The detector sees rows from 500 on: update k is global row 499 + k.
    detector = ScriptedDetector(warn_at=10_000 - 499, drift_at=10_300 - 499)
    clf = _stream(
        WarmStartClassifier(_sgd(), reset=OnDrift(detector), random_state=0), X, y
    )
    (record,) = [r for r in clf.history_ if r.drift_events]
    assert record.challenger.startswith("promoted: challenger error")
    assert "250 rows since the warning at row 10000" in record.challenger
    assert record.start == "cold" and record.n_samples == 500  # rows since 10000
    assert record.drift_events[0].change_start == 10_000
    assert _mean_prequential(clf, 10_500, 12_000) > 0.9


def test_challenger_kept_out_when_the_current_model_is_better():
    """On stationary data, a challenger from a short warning zone loses: no reset."""
    X, y = _sea("sea_stationary", seed=3)
    detector = ScriptedDetector(warn_at=10_440 - 499, drift_at=10_460 - 499)
    clf = _stream(
        WarmStartClassifier(_sgd(), reset=OnDrift(detector), random_state=0), X, y
    )
    (record,) = [r for r in clf.history_ if r.drift_events]
    assert record.challenger.startswith("kept current model: challenger error")
    found = re.search(r"error ([\d.]+) vs current model ([\d.]+)", record.challenger)
    assert float(found[1]) > float(found[2])
    assert record.start == "warm" and record.trigger is None
    assert record.reason.startswith("on_drift(scripteddetector) fired: ")
    assert record.reason.endswith("warning-zone challenger lost, current model kept")
    assert [r.start for r in clf.history_].count("cold") == 1


def test_challenger_in_fit_runs_uses_the_runs_rows_since_the_warning():
    """Batch fit runs hold the contest on the run's own rows since the warning."""
    X, y = _sea("sea_abrupt", seed=2, n=4000)
    detector = ScriptedDetector(warn_at=1000, drift_at=1200)
    clf = WarmStartClassifier(_sgd(), reset=OnDrift(detector), random_state=0)
    clf.fit(X[:1000], y[:1000]).fit(X[1000:], y[1000:])
    record = clf.history_[1]
    assert record.method == "fit" and record.drift_events
    assert "since the warning at row 1999" in record.challenger


@pytest.mark.parametrize(
    "estimator",
    [
        Perceptron(),
        GaussianNB(),
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01),
    ],
    ids=["perceptron", "gaussian_nb", "mlp"],
)
def test_on_drift_resets_other_partial_fit_models(estimator):
    """Perceptron, naive Bayes and MLP streams reset after a label flip."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6000, 2))
    y = (X[:, 0] > 0).astype(int)
    y[3000:] = 1 - y[3000:]
    clf = WarmStartClassifier(estimator, reset=OnDrift("adwin"), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _stream(clf, X, y)
    found = _drifts(clf)
    assert found and 3000 <= found[0] < 4000
    assert clf.score(X[5000:], y[5000:]) > 0.95


def test_partial_fit_fast_path_matches_full_validation():
    """Float arrays (fast checks) and lists (full validation) give the same runs."""
    X, y = _sea("sea_abrupt", seed=4, n=6000)
    a = _stream(WarmStartClassifier(_sgd(), reset=OnDrift(), random_state=0), X, y)
    b = WarmStartClassifier(_sgd(), reset=OnDrift(), random_state=0)
    for start in range(0, 6000, 500):
        rows = slice(start, start + 500)
        b.partial_fit(X[rows].tolist(), y[rows].tolist(), [0, 1])
    np.testing.assert_array_equal(
        [r.prequential_score for r in a.history_],
        [r.prequential_score for r in b.history_],
    )
    np.testing.assert_array_equal(a.estimator_.coef_, b.estimator_.coef_)


def test_partial_fit_fast_path_still_rejects_bad_chunks():
    """NaN rows, wrong widths and unknown classes fail and change nothing."""
    X, y = _sea("sea_abrupt", seed=5, n=1500)
    clf = _stream(WarmStartClassifier(_sgd(), random_state=0), X[:1000], y[:1000])
    bad_X = X[1000:].copy()
    bad_X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.partial_fit(bad_X, y[1000:])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[1000:, :2], y[1000:])
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] never seen"):
        clf.partial_fit(X[1000:], np.where(y[1000:] == 1, 2, 0))
    assert clf.n_runs_ == 2


def test_partial_fit_regressor_stream_with_adwin():
    """A regressor stream feeds absolute residuals and resets after a jump."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(6000, 3))
    y = X @ [1.0, -1.0, 0.5]
    y[3000:] += 5.0
    reg = WarmStartRegressor(SGDRegressor(), reset=OnDrift("adwin"), random_state=0)
    for start in range(0, 6000, 500):
        reg.partial_fit(X[start : start + 500], y[start : start + 500])
    found = _drifts(reg)
    assert found and 3000 <= found[0] < 3500


def test_linear_adapter_predict_equals_model_predict():
    """The validation-free linear prediction is bit-identical to predict()."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 4))
    for y in ((X[:, 0] > 0).astype(int), np.where(X[:, 1] > 0, "a", "b")):
        model = SGDClassifier(random_state=0).fit(X, y)
        out = LinearAdapter(model).predict(model, X)
        assert out.dtype == model.predict(X).dtype
        np.testing.assert_array_equal(out, model.predict(X))
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    model = Perceptron(random_state=0).fit(X, y3)
    np.testing.assert_array_equal(
        LinearAdapter(model).predict(model, X), model.predict(X)
    )
    reg = SGDRegressor(random_state=0).fit(X, X[:, 0])
    np.testing.assert_array_equal(LinearAdapter(reg).predict(reg, X), reg.predict(X))
    assert LinearAdapter(reg).predict(reg, X.astype(np.float32)).dtype == np.float64


def _attributes_equal(a, b):
    """Whether two fitted models hold equal attributes (arrays compared by value)."""
    assert vars(a).keys() == vars(b).keys()
    for key, value in vars(a).items():
        other = vars(b)[key]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other)
        elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            for x, z in zip(value, other):
                np.testing.assert_array_equal(x, z)
        elif isinstance(value, int | float | str | bool | type(None)):
            assert value == other or (value != value and other != other), key


@pytest.mark.parametrize(
    "estimator",
    [
        SGDClassifier(average=3, random_state=0),
        Perceptron(random_state=0),
        MLPClassifier((5,), random_state=0),
        GaussianNB(),
        BernoulliNB(),
    ],
)
def test_copy_model_trains_like_a_deepcopy(estimator):
    """A snapshot shares no array with the model and trains exactly like a deepcopy."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(int)
    model = estimator.partial_fit(X[:200], y[:200], classes=[0, 1])
    reference = copy.deepcopy(model)
    snapshot = copy_model(model)
    for key, value in vars(model).items():
        if isinstance(value, np.ndarray):
            assert not np.shares_memory(value, vars(snapshot)[key]), key
    snapshot.partial_fit(X[200:], y[200:])
    copy.deepcopy(model).partial_fit(X[200:], y[200:])  # deepcopy's twin, trained
    twin = copy.deepcopy(reference).partial_fit(X[200:], y[200:])
    _attributes_equal(snapshot, twin)
    _attributes_equal(model, reference)  # the original is untouched


def test_copy_model_keeps_shared_references_shared():
    """An array referenced twice (e.g. by an optimizer) is one array in the copy."""

    class Model(SGDClassifier):
        pass

    model = Model()
    model.coef_ = np.ones((1, 3))
    model.state_ = {"params": [model.coef_], "owner": model}
    copied = copy_model(model)
    assert copied.state_["params"][0] is copied.coef_
    assert copied.coef_ is not model.coef_ and copied.state_["owner"] is copied


def test_copy_model_falls_back_to_deepcopy_for_custom_copies():
    """Objects with their own copy protocol or container bases are deep-copied."""

    class Custom:
        def __init__(self):
            self.values = np.arange(3.0)

        def __deepcopy__(self, memo):
            new = Custom()
            new.values = self.values + 1.0
            return new

    class Bunch(dict):
        pass

    assert copy_model(Custom()).values.tolist() == [1.0, 2.0, 3.0]
    bunch = Bunch(a=np.zeros(2))
    copied = copy_model(bunch)
    assert copied.keys() == {"a"} and copied["a"] is not bunch["a"]


def test_partial_fit_failed_step_leaves_the_committed_state_exactly(monkeypatch):
    """A chunk whose training mutates the model's arrays, then fails, commits nothing."""
    X, y = _sea("sea_stationary", seed=6, n=2000)
    clf = _stream(
        WarmStartClassifier(_sgd(), reset=OnDrift("adwin"), random_state=0),
        X[:1500],
        y[:1500],
    )
    model, history, buffer = clf.estimator_, clf.history_, clf._state.buffer
    coef, t = model.coef_.copy(), model.t_
    monitor = clf.policy_state_[0]
    fed, width = monitor.n_fed, monitor.detector.width

    def mutate_then_fail(self, *args, **kwargs):
        self.coef_ *= 0.0  # in place, as SGD's own training does
        self.t_ = -1.0
        raise KeyboardInterrupt

    monkeypatch.setattr(SGDClassifier, "_partial_fit", mutate_then_fail)
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(X[1500:], y[1500:])
    assert clf.estimator_ is model and clf.history_ is history
    assert clf._state.buffer is buffer and clf.policy_state_[0] is monitor
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.t_ == t and monitor.n_fed == fed
    assert monitor.detector.width == width
    monkeypatch.undo()
    clf.partial_fit(X[1500:], y[1500:])  # and the stream goes on from there
    assert clf.n_runs_ == len(history) + 1 and clf.policy_state_[0].n_fed == fed + 500


def test_partial_fit_warm_chunk_records_keep_every_field():
    """Records of warm chunks hold the scores, norms and distances they describe."""
    X, y = _sea("sea_stationary", seed=7, n=3000)
    clf = WarmStartClassifier(_sgd(), reset=OnDrift("adwin"), random_state=0)
    models = []
    for start in range(0, 3000, 500):
        rows = slice(start, start + 500)
        previous = models[-1] if models else None
        clf.partial_fit(X[rows], y[rows], [0, 1])
        models.append(copy.deepcopy(clf.estimator_))
        record = clf.history_[-1]
        model = clf.estimator_
        assert record.train_score == model.score(X[rows], y[rows])
        assert record.theta_end_norm == pytest.approx(
            np.sqrt(np.sum(model.coef_**2) + np.sum(model.intercept_**2))
        )
        if previous is None:
            continue
        assert record.start == "warm" and record.sample_start == start
        assert record.prequential_score == previous.score(X[rows], y[rows])
        assert record.theta_start_norm == clf.history_[-2].theta_end_norm
        assert record.distance_from_start == record.distance_from_prev
        assert record.distance_from_prev == pytest.approx(
            np.sqrt(
                np.sum((model.coef_ - previous.coef_) ** 2)
                + np.sum((model.intercept_ - previous.intercept_) ** 2)
            )
        )


def test_partial_fit_checks_fit_params_of_clean_chunks():
    """Proven-finite chunks skip the model's own X checks, never its fit params'."""
    X, y = _sea("sea_abrupt", seed=8, n=1000)
    clf = _stream(WarmStartClassifier(_sgd(), random_state=0), X[:500], y[:500])
    with pytest.raises(ValueError, match="NaN"):
        clf.partial_fit(X[500:], y[500:], sample_weight=np.full(500, np.nan))
    assert clf.n_runs_ == 1


def test_run_seed_matches_seed_sequence():
    """Block-computed run seeds equal SeedSequence([base_seed, run]) exactly."""
    rng = np.random.default_rng(9)
    bases = [0, 1, 2**32 - 1, 2**32, 2**64 + 5, 2**130 + 7]
    bases += [int(b) for b in rng.integers(0, 2**62, size=6)]
    runs = [*range(0, 300, 7), 255, 256, 511, 65_536, 2**32 - 1, 2**32, 2**40]
    for base in bases:
        for run in runs:
            expected = np.random.SeedSequence([base, run]).generate_state(1)[0]
            assert run_seed(base, run) == int(expected), (base, run)
    with pytest.raises(ValueError, match="non-negative"):
        run_seed(-1, 0)


class _ChecksDerivedRows(ClassifierMixin, BaseEstimator):
    """Checks rows it derives from X (X**300 overflows for |x| > 11)."""

    def fit(self, X, y):
        return self.partial_fit(X, y, classes=np.unique(y))

    def partial_fit(self, X, y, classes=None):
        check_array(np.asarray(X) ** 300)
        self.classes_ = np.asarray(classes if classes is not None else self.classes_)
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_partial_fit_keeps_checks_of_rows_the_model_derives():
    """Finite chunks skip no check an unknown family makes on rows it derives."""
    X, y = _sea("sea_abrupt", seed=9, n=1000)
    clf = WarmStartClassifier(_ChecksDerivedRows(), random_state=0)
    clf.partial_fit(X[:500], y[:500], [0, 1]).partial_fit(X[:500], y[:500])
    with np.errstate(over="ignore"), pytest.raises(DivergenceError, match="infinity"):
        clf.partial_fit(X[500:] * 100.0, y[500:])  # its check fired (a divergence)
    assert clf.n_runs_ == 2


# ----------------------------------------------------------------- label-free drift
#: Documented in OnDrift: ADWIN on the inputs finds sea_covariate's shift (one
#: of three inputs moves by 0.7 standard deviations) within this many rows.
FEATURE_DRIFT_DELAY = 500


def _feature_drifts(name, seed, **kwargs):
    X, y = _sea(name, seed)
    reset = OnDrift("adwin", signal="features", **kwargs)
    return _drifts(_stream(WarmStartClassifier(_sgd(), reset=reset), X, y))


def test_on_drift_features_catch_covariate_shift_in_nine_of_ten_seeds():
    """Label-free drift finds sea_covariate's input shift within the documented
    delay; the error detector does not see it (the concept never moves)."""
    position = load_scenario("sea_covariate", n_samples=20_000).drift_positions[0]
    found = [_feature_drifts("sea_covariate", seed) for seed in range(10)]
    in_time = [
        any(position <= d < position + FEATURE_DRIFT_DELAY for d in drifts)
        for drifts in found
    ]
    assert sum(in_time) >= 9, found
    assert all(d >= position for drifts in found for d in drifts), found
    errors = [
        _drifts(
            _stream(
                WarmStartClassifier(_sgd(), reset=OnDrift("adwin")),
                *_sea("sea_covariate", seed),
            )
        )
        for seed in range(10)
    ]
    late = [
        any(position <= d < position + FEATURE_DRIFT_DELAY for d in e) for e in errors
    ]
    assert sum(late) <= 1, errors


@pytest.mark.parametrize("name", ["sea_abrupt", "sea_stationary"])
def test_on_drift_features_silent_while_inputs_never_shift(name):
    """20,000 rows of SEA, whose inputs never move (its concept may): no alarm
    in any of 10 seeds."""
    found = [_feature_drifts(name, seed) for seed in range(10)]
    assert found == [[]] * 10


def test_on_drift_features_silent_on_stationary_gaussian_inputs():
    """Twenty stationary Gaussian inputs, 10 seeds: no alarm over 20,000 rows."""
    for seed in range(10):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(20_000, 20)) * rng.uniform(0.1, 10, size=20)
        y = (X[:, 0] > 0).astype(int)
        reset = OnDrift("adwin", signal="features")
        clf = _stream(WarmStartClassifier(_sgd(), reset=reset), X, y)
        assert _drifts(clf) == [], seed


def test_on_drift_features_reason_names_the_column_and_resets():
    """The record names the shifted column (by position, and by name for a data
    frame) and the run starts cold."""
    import pandas as pd

    X, y = _sea("sea_covariate", 0)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = WarmStartClassifier(_sgd(), reset=OnDrift("adwin", signal="features"))
    for start in range(0, 20_000, 500):
        clf.partial_fit(frame[start : start + 500], y[start : start + 500], [0, 1])
    fired = [r for r in clf.history_ if r.drift_events]
    assert len(fired) == 1
    assert fired[0].start == "cold"
    assert re.search(
        r"adwin detected a shift of feature 0 \('a'\) at row 10\d\d\d",
        fired[0].reason,
    )


def test_on_drift_features_watch_an_adaptive_start_too():
    """An Adaptive start's served model is watched on its inputs like any model."""
    X, y = _sea("sea_covariate", 0)
    start = Adaptive([Warm(), Cold(window=1000)])
    reset = OnDrift("adwin", signal="features")
    clf = _stream(WarmStartClassifier(_sgd(), start=start, reset=reset), X, y)
    drifts = _drifts(clf)
    assert len(drifts) == 1 and 10_000 <= drifts[0] < 10_000 + FEATURE_DRIFT_DELAY


def test_on_drift_features_callable_statistic():
    """features=callable watches one statistic; PageHinkley applies to it."""
    X, y = _sea("sea_covariate", 1)
    reset = OnDrift("adwin", signal="features", features=lambda X: X[:, 0] + X[:, 1])
    drifts = _drifts(_stream(WarmStartClassifier(_sgd(), reset=reset), X, y))
    assert len(drifts) == 1 and 10_000 <= drifts[0] < 10_000 + FEATURE_DRIFT_DELAY
    blind = OnDrift("adwin", signal="features", features=lambda X: X[:, 2])
    assert _drifts(_stream(WarmStartClassifier(_sgd(), reset=blind), X, y)) == []
    hinkley = OnDrift(
        drift.PageHinkley(mode="both", threshold=100.0, delta=0.05, alpha=1.0),
        signal="features",
        features=lambda X: X[:, 0],
    )
    assert _drifts(_stream(WarmStartClassifier(_sgd(), reset=hinkley), X, y))


def test_on_drift_features_bad_configurations_fail_at_fit():
    """Binary or uncontrolled detectors, stray features= and bad statistics fail."""
    X, y = _sea("sea_stationary", 0, n=600)
    cases = [
        (OnDrift("ddm", signal="features"), ValueError, "false-alarm rate"),
        (OnDrift("page_hinkley", signal="features"), ValueError, "false-alarm rate"),
        (
            OnDrift("ddm", signal="features", features=np.sum),
            ValueError,
            "real-valued detector",
        ),
        (
            OnDrift(features=lambda X: X[:, 0]),
            ValueError,
            "used with signal='features'",
        ),
        (
            OnDrift(signal="features", features=lambda X: X[:3, 0]),
            ValueError,
            r"one value per sample, shape \(300,\)",
        ),
    ]
    for reset, error, message in cases:
        clf = WarmStartClassifier(_sgd(), reset=reset)
        with pytest.raises(error, match=message):
            _stream(clf, X, y, chunk=300)


# ----------------------------------------------------------------- bounded records
def test_partial_fit_long_stream_keeps_records_up_to_the_cap(monkeypatch, tmp_path):
    """Beyond MAX_RECORDS the oldest records are summarised: run numbers, seeds
    and checkpoints carry on, and a resumed estimator keeps the summary."""
    import sklearn_warmstart.records as records

    monkeypatch.setattr(records, "MAX_RECORDS", 40)
    X, y = _sea("sea_abrupt", 0, n=3000)
    clf = WarmStartClassifier(
        _sgd(), reset=OnDrift("adwin"), checkpoint=tmp_path, random_state=0
    )
    _stream(clf, X, y, chunk=20)
    history = clf.history_
    assert len(history) == 40 and clf.n_runs_ == history.n_runs == 150
    assert [r.run for r in history] == list(range(110, 150))
    assert history.summary.n_runs == 110 and history.summary.n_samples >= 2200
    assert history.summary.n_cold >= 1  # the first run at least
    assert "150 runs, the last 40 kept, 110 summarised" in repr(history)
    resumed = WarmStartClassifier.resume(tmp_path)
    assert resumed.history_ == history
    resumed.partial_fit(X[:20], y[:20])
    assert resumed.history_.summary.n_runs == 111  # the cap still holds
    assert resumed.history_[-1].run == 150 and resumed.n_runs_ == 151
