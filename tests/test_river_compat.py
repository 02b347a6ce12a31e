"""river's private ADWIN core is optional: without it the drift monitor finds the same drifts."""

import copy

import numpy as np
from river import drift

from sklearn_warmstart import _river_compat
from sklearn_warmstart.drift import DriftMonitor, make_detector


def _errors(seed):
    rng = np.random.default_rng(seed)
    rates = (0.1, 0.5, 0.05, 0.6)
    return np.concatenate([(rng.random(3000) < p).astype(float) for p in rates])


def _detections(values, chunk=700):
    monitor = DriftMonitor(make_detector("adwin"))
    found = []
    for start in range(0, len(values), chunk):
        detection = monitor.feed(values[start : start + chunk], start)
        if detection is not None:
            found.append(detection)
        monitor = copy.deepcopy(monitor)  # as the estimator does before every run
    return monitor, found


def test_river_compat_public_fallback_finds_the_same_drifts(monkeypatch):
    """A river without ADWIN's core (renamed) gives the same detections through its public API."""
    values = _errors(30)
    _, fast = _detections(values)
    assert fast and all(3000 <= d.index < 3600 or d.index >= 9000 for d in fast)
    monkeypatch.setattr(_river_compat, "_CORE", "_renamed_in_a_later_river")
    assert not _river_compat.is_plain_adwin(drift.ADWIN())
    monitor, slow = _detections(values)
    assert not monitor._adwin
    assert slow == fast
    before = (monitor.n_fed, monitor.detector.width, monitor.detector.total)
    twin = copy.deepcopy(monitor)
    twin.feed(values[-1000:], len(values))
    assert twin.detector.width > before[1]
    assert (monitor.n_fed, monitor.detector.width, monitor.detector.total) == before


def test_river_compat_copy_adwin_leaves_the_original_unfed():
    """Feeding a copy of a fed ADWIN changes neither the original nor its window."""
    detector = drift.ADWIN()
    for value in _errors(31)[:2000]:
        detector.update(value)
    width, total = detector.width, detector.total
    twin = _river_compat.copy_adwin(detector)
    assert (twin.width, twin.total) == (width, total)
    for _ in range(500):
        twin.update(1.0)
    assert (detector.width, detector.total) == (width, total)
    assert twin.total > total


def test_river_compat_plain_adwin_refuses_subclasses():
    """A subclass of ADWIN may override update, so it is fed through its public API."""

    class LoudADWIN(drift.ADWIN):
        pass

    assert not _river_compat.is_plain_adwin(LoudADWIN())
    assert _river_compat.is_plain_adwin(drift.ADWIN())
