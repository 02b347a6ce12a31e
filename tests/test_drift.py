"""Detectors by name, feeding, the OnDrift and OnPlateau triggers."""

import copy
import math

import numpy as np
import pytest
from river import drift, stats
from river.drift import binary
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier, SGDRegressor

from sklearn_warmstart import (
    OnDrift,
    OnPlateau,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.drift import (
    DETECTOR_NAMES,
    DriftMonitor,
    FeatureMonitor,
    check_detector,
    feature_detector,
    has_warning_level,
    is_binary_detector,
    make_detector,
)
from sklearn_warmstart.policies import Evidence

BINARY = ["ddm", "eddm", "hddm_a", "hddm_w", "fhddm"]
REAL = ["adwin", "page_hinkley"]


def _feed_all(name_or_detector, values):
    """Every upward detection over ``values`` (the monitor restarts after each)."""
    monitor = DriftMonitor(make_detector(name_or_detector))
    found, position = [], 0
    while position < len(values):
        detection = monitor.feed(values[position:], position)
        if detection is None:
            break
        found.append(detection.index)
        position = detection.index + 1
    return found


def _bernoulli(rng, p, n):
    return (rng.random(n) < p).astype(np.float64)


def test_make_detector_builds_every_named_detector():
    """Every advertised name builds a fresh river detector."""
    for name in DETECTOR_NAMES:
        detector = make_detector(name)
        check_detector(detector)
        assert not detector.drift_detected
    assert is_binary_detector("ddm") and not is_binary_detector("adwin")
    assert has_warning_level("hddm_a") and not has_warning_level("page_hinkley")


def test_make_detector_clones_without_fed_state():
    """A fed detector object gives an unfed clone and is itself left alone."""
    fed = drift.ADWIN(delta=0.01)
    for value in np.random.default_rng(0).random(500):
        fed.update(value)
    fresh = make_detector(fed)
    assert fresh is not fed and fresh.delta == 0.01
    assert fresh.width == 0 and fed.width == 500
    assert clone(OnDrift(fed)).detector.width == 500  # why we never use clone


def test_check_detector_rejects_unknown_name():
    """An unknown name says which names exist."""
    with pytest.raises(ValueError, match="Unknown drift detector 'adwn'.*adwin"):
        check_detector("adwn")


def test_check_detector_rejects_non_river_object():
    """An object that is not a river detector is a TypeError."""
    with pytest.raises(TypeError, match="river drift detector.*got dict"):
        check_detector({})


@pytest.mark.parametrize("name", REAL)
def test_named_real_detectors_silent_on_gaussian_noise(name):
    """ADWIN and Page-Hinkley raise no alarm on 100k rows of N(0,1) or |N(0,1)|."""
    rng = np.random.default_rng(11)
    assert _feed_all(name, rng.standard_normal(100_000)) == []
    assert _feed_all(name, np.abs(rng.standard_normal(100_000))) == []


@pytest.mark.parametrize("name", BINARY + REAL)
def test_named_detectors_silent_on_stationary_errors(name):
    """No named detector alarms on 50k stationary 0/1 errors at rates 0.05 and 0.2."""
    rng = np.random.default_rng(12)
    for p in (0.05, 0.2):
        assert _feed_all(name, _bernoulli(rng, p, 50_000)) == []


@pytest.mark.parametrize("name", BINARY + REAL)
def test_named_detectors_find_an_error_increase(name):
    """Every named detector finds errors rising from 0.1 to 0.4 after the change."""
    rng = np.random.default_rng(13)
    values = np.r_[_bernoulli(rng, 0.1, 5000), _bernoulli(rng, 0.4, 5000)]
    found = _feed_all(name, values)
    assert found and 5000 <= found[0] < 8000


def test_kswin_named_default_silent_on_noise():
    """KSWIN (slow: a KS test per row) by name raises no alarm on 3k N(0,1) rows."""
    values = np.random.default_rng(14).standard_normal(3000)
    assert _feed_all("kswin", values) == []
    river_default = drift.KSWIN(seed=0)
    for value in values.tolist():
        river_default.update(value)
        if river_default.drift_detected:
            break
    assert river_default.drift_detected  # river's default alarms on the same rows


def test_page_hinkley_river_defaults_false_alarm_unlike_ours():
    """river's PageHinkley() alarms dozens of times on noise; the named one never."""
    values = np.random.default_rng(15).standard_normal(100_000)
    detector, alarms = drift.PageHinkley(), 0
    for value in values.tolist():
        detector.update(value)
        alarms += detector.drift_detected
    assert alarms > 20
    assert _feed_all("page_hinkley", values) == []


def test_drift_monitor_adwin_fast_path_matches_plain_loop():
    """Feeding ADWIN's core directly finds exactly what river's update loop finds."""
    rng = np.random.default_rng(16)
    values = np.r_[
        _bernoulli(rng, 0.1, 3000),
        _bernoulli(rng, 0.5, 3000),
        _bernoulli(rng, 0.05, 3000),
        _bernoulli(rng, 0.6, 3000),
    ]
    fast = DriftMonitor(make_detector("adwin"))
    slow = DriftMonitor(make_detector("adwin"))
    slow._adwin = False
    assert fast._adwin
    for chunk_start in range(0, len(values), 700):
        chunk = values[chunk_start : chunk_start + 700]
        a, b = fast.feed(chunk, chunk_start), slow.feed(chunk, chunk_start)
        assert a == b
    river_detections = []
    detector = drift.ADWIN()
    for i, value in enumerate(values.tolist()):
        detector.update(value)
        if detector.drift_detected:
            river_detections.append(i)
    ups = _feed_all("adwin", values)
    assert set(ups) < set(river_detections)  # the fall at 6000 is not a drift
    assert [i for i in river_detections if 6000 <= i < 7000]
    assert not [i for i in ups if 6000 <= i < 7000]


def test_drift_monitor_ignores_falling_errors():
    """A detection of falling errors restarts the detector but is no drift."""
    rng = np.random.default_rng(17)
    values = np.r_[_bernoulli(rng, 0.5, 3000), _bernoulli(rng, 0.05, 3000)]
    monitor = DriftMonitor(make_detector("adwin"))
    assert monitor.feed(values, 0) is None
    assert monitor.detector.width < 3000  # it restarted after the fall


def test_drift_monitor_change_start_from_adwin_window_and_warning():
    """ADWIN's window and DDM's warning zone both place the change near its row."""
    rng = np.random.default_rng(18)
    values = np.r_[_bernoulli(rng, 0.1, 4000), _bernoulli(rng, 0.5, 2000)]
    for name in ("adwin", "ddm"):
        found = DriftMonitor(make_detector(name)).feed(values, 100)
        assert found.change_start is not None
        assert 4100 - 300 <= found.change_start <= found.index


def test_drift_monitor_rejects_non_binary_signal_for_binary_detector():
    """DDM fed a real-valued signal raises a clear error."""
    monitor = DriftMonitor(make_detector("ddm"))
    with pytest.raises(ValueError, match="only accepts 0/1 inputs"):
        monitor.feed(np.array([0.0, 0.5, 1.0]), 0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        DriftMonitor(make_detector("adwin")).feed(np.array([0.0, np.nan]), 0)


def test_on_drift_fire_reason_names_detector_and_rows():
    """A firing OnDrift says which detector fired, at which row of which run."""
    trigger = OnDrift("adwin")
    state = trigger.init_state()
    rng = np.random.default_rng(19)
    errors = np.r_[_bernoulli(rng, 0.05, 2000), _bernoulli(rng, 0.6, 2000)]
    fire = trigger.check(state, Evidence(7, 4000, 1000, errors, 0.6, True))
    event = fire.events[0]
    assert event.run == 7 and event.level == "drift" and event.detector == "adwin"
    assert fire.reason.startswith(
        f"adwin detected an increase of the errors at row {event.sample_index} "
        f"(row {event.sample_index - 1000} of run 7)"
    )
    assert f"change estimated from row {event.change_start}" in fire.reason
    assert fire.trigger == "on_drift(adwin)" and fire.start.kind == "cold"


def test_on_drift_never_feeds_the_users_detector():
    """The detector object given to OnDrift stays unfed; each fit feeds a clone."""
    user = drift.ADWIN()
    X = np.random.default_rng(0).normal(size=(3000, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = WarmStartClassifier(SGDClassifier(), reset=OnDrift(user), random_state=0)
    for start in range(0, 3000, 500):
        clf.partial_fit(X[start : start + 500], y[start : start + 500])
    monitor = clf.policy_state_[0]
    assert monitor.detector is not user and monitor.n_fed == 2500
    assert user.width == 0


def test_on_drift_state_is_not_advanced_by_a_failed_run():
    """A run that fails leaves the committed detector state as it was."""
    X = np.random.default_rng(1).normal(size=(1500, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = WarmStartClassifier(SGDClassifier(), reset=OnDrift(), random_state=0)
    clf.partial_fit(X[:500], y[:500]).partial_fit(X[500:1000], y[500:1000])
    before = copy.deepcopy(clf.policy_state_[0].n_fed)
    with pytest.raises(ValueError, match="never seen"):
        clf.partial_fit(X[1000:], np.full(500, 7))
    assert clf.policy_state_[0].n_fed == before == 500
    assert clf.n_runs_ == 2


def test_on_drift_unknown_name_raises_at_fit():
    """An unknown detector name is a clear ValueError when fitting."""
    clf = WarmStartClassifier(SGDClassifier(), reset=OnDrift("adwn"))
    with pytest.raises(ValueError, match="Unknown drift detector"):
        clf.fit(np.eye(4), [0, 1, 0, 1])
    assert not hasattr(clf, "estimator_")


def test_on_drift_non_river_detector_raises_at_fit():
    """A detector that is not river's is a clear TypeError when fitting."""
    clf = WarmStartClassifier(SGDClassifier(), reset=OnDrift(SGDClassifier()))
    with pytest.raises(TypeError, match="river drift detector.*got SGDClassifier"):
        clf.fit(np.eye(4), [0, 1, 0, 1])


@pytest.mark.parametrize("name", BINARY)
def test_on_drift_binary_detector_rejected_for_regressor(name):
    """A regressor with a 0/1-only detector fails at its first fit, naming why."""
    reg = WarmStartRegressor(SGDRegressor(), reset=OnDrift(name))
    with pytest.raises(ValueError, match="only accepts 0/1 errors.*regressor"):
        reg.partial_fit(np.eye(4), [0.0, 1.0, 2.0, 3.0])
    assert not hasattr(reg, "estimator_")


def test_on_drift_challenger_true_needs_warning_level():
    """challenger=True with a detector without warnings is rejected."""
    clf = WarmStartClassifier(SGDClassifier(), reset=OnDrift("adwin", challenger=True))
    with pytest.raises(ValueError, match="challenger=True needs a detector"):
        clf.fit(np.eye(4), [0, 1, 0, 1])
    assert OnDrift("ddm").uses_challenger()
    assert not OnDrift("ddm", challenger=False).uses_challenger()
    assert not OnDrift("adwin").uses_challenger()


def test_on_drift_callable_signal_for_regressor():
    """A regressor can feed ADWIN a custom per-sample loss and gets reset on a jump."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6000, 3))
    y = X @ [1.0, 2.0, 3.0]
    y[3000:] = X[3000:] @ [-3.0, 2.0, 1.0]
    reg = WarmStartRegressor(
        SGDRegressor(random_state=0),
        reset=OnDrift("adwin", signal=lambda t, p: (t - p) ** 2),
        random_state=0,
    )
    for start in range(0, 6000, 500):
        reg.partial_fit(X[start : start + 500], y[start : start + 500])
    events = [e for r in reg.history_ for e in r.drift_events]
    assert len(events) == 1 and 3000 <= events[0].sample_index < 3500
    bad = WarmStartRegressor(SGDRegressor(), reset=OnDrift(signal=lambda t, p: t[:1]))
    bad.partial_fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="one value per sample"):
        bad.partial_fit(X[100:200], y[100:200])


def test_on_drift_rejects_bad_signal_and_challenger():
    """signal and challenger are validated when fitting."""
    for trigger in (OnDrift(signal="loss"), OnDrift(challenger="yes")):
        with pytest.raises(ValueError, match="signal must|challenger must"):
            WarmStartClassifier(SGDClassifier(), reset=trigger).fit(
                np.eye(4), [0, 1, 0, 1]
            )


def test_on_plateau_fires_after_patience_runs_without_improvement():
    """OnPlateau fires once the score has not beaten its best for patience runs."""
    trigger = OnPlateau(patience=2, min_delta=0.01)
    state = trigger.init_state()
    scores = [float("nan"), 0.70, 0.80, 0.805, 0.79, 0.60, 0.65, 0.70]
    fired = [
        trigger.check(state, Evidence(r, 10, 0, None, s, True))
        for r, s in enumerate(scores)
    ]
    assert [f is not None for f in fired] == [
        False, False, False, False, True, False, False, False
    ]  # fmt: skip
    assert fired[4].reason == (
        "prequential score 0.7900 has not improved on 0.8000 (run 2) by more "
        "than 0.01 for 2 runs (run 4)"
    )


def test_on_plateau_resets_fit_runs_with_its_start():
    """In an estimator, OnPlateau's start replaces the policy start when it fires."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = WarmStartClassifier(
        SGDClassifier(random_state=0),
        reset=OnPlateau(patience=1, monitor=lambda evidence: -evidence.run),
        random_state=0,
    )
    for _ in range(4):
        clf.fit(X, y)
    assert [r.start for r in clf.history_] == ["cold", "cold", "warm", "cold"]
    assert clf.history_[1].trigger == "on_plateau(1)"
    assert clf.history_[1].reason == (
        "score -1.0000 has not improved on 0.0000 (run 0) by more than 0.0 for "
        "1 run (run 1)"
    )


def test_on_plateau_validates_parameters():
    """patience, min_delta and monitor are checked when fitting."""
    for trigger in (
        OnPlateau(patience=0),
        OnPlateau(min_delta=-1),
        OnPlateau(monitor="train"),
    ):
        with pytest.raises(ValueError, match="patience|min_delta|monitor"):
            WarmStartClassifier(SGDClassifier(), reset=trigger).fit(
                np.eye(4), [0, 1, 0, 1]
            )


def test_binary_detectors_accept_errors_from_any_river_detector_class():
    """River detector classes given as objects work with OnDrift (DDM here)."""
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(4000, 2))
    y = (X[:, 0] > 0.5).astype(int)
    y[2000:] = 1 - y[2000:]
    clf = WarmStartClassifier(
        SGDClassifier(random_state=0),
        reset=OnDrift(binary.DDM(warm_start=100), challenger=False),
        random_state=0,
    )
    for start in range(0, 4000, 250):
        clf.partial_fit(X[start : start + 250], y[start : start + 250])
    events = [e.sample_index for r in clf.history_ for e in r.drift_events]
    assert events and 2000 <= events[0] < 2500


def test_drift_monitor_copy_feeds_exactly_like_the_original():
    """A copied ADWIN monitor detects what the original would; the original is unfed."""
    rng = np.random.default_rng(20)
    values = np.r_[_bernoulli(rng, 0.1, 5000), _bernoulli(rng, 0.5, 3000)]
    original = DriftMonitor(make_detector("adwin"))
    assert original.feed(values[:4000], 0) is None
    width = original.detector.width
    copied = copy.deepcopy(original)
    assert copied.detector._helper is not original.detector._helper
    twin = DriftMonitor(make_detector("adwin"))
    twin.feed(values[:4000], 0)
    for start in range(4000, 8000, 500):
        a = copied.feed(values[start : start + 500], start)
        b = twin.feed(values[start : start + 500], start)
        assert a == b
        assert copied.detector.width == twin.detector.width
        assert copied.detector.variance == twin.detector.variance
    assert original.detector.width == width and original.n_fed == 4000


def test_feature_detector_divides_the_false_alarm_rate_by_the_columns():
    """Bonferroni across columns: ADWIN's delta and KSWIN's alpha over n; the
    user's object is cloned, not changed."""
    assert feature_detector("adwin", 4).delta == pytest.approx(0.002 / 4)
    assert feature_detector("kswin", 10).alpha == pytest.approx(1e-6)
    mine = drift.ADWIN(delta=0.01)
    assert feature_detector(mine, 5).delta == pytest.approx(0.002)
    assert mine.delta == 0.01
    with pytest.raises(ValueError, match="false-alarm rate is a parameter"):
        feature_detector("page_hinkley", 3)


def test_feature_monitor_finds_a_fall_as_well_as_a_rise():
    """Inputs drift both ways: a falling mean is a change too."""
    rng = np.random.default_rng(3)
    for shift in (-1.0, 1.0):
        X = rng.normal(size=(6000, 4)) * [1.0, 5.0, 0.1, 100.0]
        X[3000:, 2] += shift * 0.1
        monitor = FeatureMonitor("adwin")
        detection = monitor.feed(X, 0)
        assert 3000 <= detection.index < 3300 and monitor.last_column == 2


def test_feature_monitor_copy_feeds_exactly_like_the_original():
    """A deep copy (the run loop copies states each run) is independent."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(4000, 3))
    X[2500:, 0] += 1.0
    monitor = FeatureMonitor("adwin")
    assert monitor.feed(X[:1000], 0) is None
    twin = copy.deepcopy(monitor)
    assert twin.feed(X[1000:], 1000).index == monitor.feed(X[1000:], 1000).index
    assert twin.n_fed == monitor.n_fed < 4000


def test_feature_monitor_rejects_changed_width_and_non_finite_inputs():
    """The column count is fixed by the first run; NaN inputs are refused."""
    monitor = FeatureMonitor("adwin")
    monitor.feed(np.zeros((50, 3)), 0)
    with pytest.raises(ValueError, match="have 2 columns; the first run had 3"):
        monitor.feed(np.zeros((50, 2)), 50)
    with pytest.raises(ValueError, match="NaN or infinite"):
        monitor.feed(np.full((50, 3), np.nan), 50)


CHUNKED = {
    "ddm": lambda: make_detector("ddm"),
    "river's DDM": binary.DDM,
    "page_hinkley": lambda: make_detector("page_hinkley"),
    "river's PageHinkley, up": lambda: drift.PageHinkley(alpha=1.0, mode="up"),
    "hddm_a": lambda: make_detector("hddm_a"),
    "river's HDDM_A": binary.HDDMA,
    "eddm": lambda: make_detector("eddm"),
    "river's EDDM": binary.EDDM,
    "hddm_w": lambda: make_detector("hddm_w"),
    "river's HDDM_W": binary.HDDMW,
    "fhddm": lambda: make_detector("fhddm"),
    "river's FHDDM": binary.FHDDM,
}


def _river_row_by_row(detector, values):
    """river's own loop: detection indices, and for each the warning run before it.

    FHDDM is fed successes (it detects a falling mean), as the monitor feeds it.
    """
    if isinstance(detector, binary.FHDDM):
        values = 1.0 - values
    detections, warning = [], []
    for i, value in enumerate(values.tolist()):
        detector.update(value)
        if detector.drift_detected:
            since = i
            while since > 0 and warning[since - 1]:
                since -= 1
            detections.append((i, since if since < i else None))
        warning.append(bool(getattr(detector, "warning_detected", False)))
    return detections, warning


def _random_stream(rng, real):
    """Segments of random lengths and error rates (or Gaussian levels)."""
    parts = []
    for _ in range(rng.integers(1, 5)):
        size = int(rng.integers(200, 3000))
        if real:
            parts.append(rng.normal(rng.uniform(0, 3), rng.uniform(0.2, 2), size))
        else:
            parts.append((rng.random(size) < rng.uniform(0.0, 0.6)).astype(float))
    return np.concatenate(parts)


def _compare_chunked(make, rng, n_streams, real=False):
    """Feed ``n_streams`` random streams in random chunks to a monitor and to
    river row by row; assert the same detections, change starts and open
    warnings; return the counts of detections and of warning zones seen."""
    n_detections = n_zones = 0
    for _ in range(n_streams):
        values = _random_stream(rng, real)
        expected, warning = _river_row_by_row(make(), values)
        monitor = DriftMonitor(make())
        assert monitor._chunked is not None
        assert monitor.feed(values[:0], 0) is None  # an empty chunk changes nothing
        found, position = [], 0
        while position < len(values):
            size = int(rng.choice([1, 7, 100, 1000, int(rng.integers(1, 800))]))
            detection = monitor.feed(values[position : position + size], position)
            if detection is None:
                position += size
                open_since = monitor.warning_since
                last = min(position, len(values)) - 1
                assert (open_since is not None) == (warning[last] and monitor.warns)
                continue
            found.append((detection.index, detection.change_start))
            position = detection.index + 1
        assert found == expected
        assert monitor.n_fed == len(values)
        n_detections += len(found)
        n_zones += sum(since is not None for _, since in found)
    return n_detections, n_zones


@pytest.mark.parametrize("name", CHUNKED)
def test_chunked_detectors_give_rivers_exact_indices(name):
    """DDM, EDDM, HDDM_A, HDDM_W, FHDDM and PageHinkley fed a chunk at a time
    (array equivalents): on 150 random streams (400 for the slow-to-confirm
    named EDDM) and chunk sizes, river's exact detection indices, warning
    zones (change starts) and warnings left open at each chunk's end."""
    rng = np.random.default_rng(list(CHUNKED).index(name))
    real = "hinkley" in name.lower()
    n_streams = 400 if name == "eddm" else 150
    n_detections, n_zones = _compare_chunked(CHUNKED[name], rng, n_streams, real)
    assert n_detections > 50  # the comparison saw many decisions
    assert n_zones > 20 or real or "fhddm" in name.lower()  # FHDDM never warns


@pytest.mark.parametrize(
    ("name", "attribute", "value"),
    [("hddm_w", "slack", math.inf), ("eddm", "int64_limit", 0)],
)
def test_chunked_detectors_exact_fallbacks_give_rivers_indices(
    name, attribute, value, monkeypatch
):
    """The paths taken only near a tie (HDDM_W: river's own recursion) or on
    error-free stretches of billions of rows (EDDM: Python integers), forced
    on every chunk, give river's indices too."""
    chunked = type(DriftMonitor(make_detector(name))._chunked)
    monkeypatch.setattr(chunked, attribute, value)
    make = {"hddm_w": binary.HDDMW, "eddm": binary.EDDM}[name]
    n_detections, n_zones = _compare_chunked(make, np.random.default_rng(5), 40)
    assert n_detections > 20 and n_zones > 10


def test_hddm_w_chunked_means_are_rivers_bits():
    """The filter that runs HDDM_W's averages gives river's EWMean bit for bit."""
    rng = np.random.default_rng(6)
    for lam in (0.01, 0.05, 0.3, 0.123456):
        chunked = DriftMonitor(binary.HDDMW(lambda_val=lam))._chunked
        x = (rng.random(5000) < 0.3).astype(float)
        mean, expected = stats.EWMean(lam), []
        for value in x.tolist():
            mean.update(value)
            expected.append(mean.get())
        assert chunked._ewma(x, None).tolist() == expected
        head = chunked._ewma(x[:1234], None)
        assert chunked._ewma(x[1234:], head[-1]).tolist() == expected[1234:]
