"""Retraining schedules inside ``fit``."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.neural_network import MLPClassifier

from sklearn_warmstart import (
    Every,
    Retrain,
    ShrinkPerturb,
    UnsupportedStartError,
    WarmStartClassifier,
)
from sklearn_warmstart.policies import DriftEvent, Fire, Trigger

TIMINGS = ("fit_time", "peak_memory")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=600, n_features=6, random_state=0)


class _Counting(SGDClassifier):
    """SGDClassifier that counts its fits in a list passed as a parameter."""

    def __init__(self, calls=None, warm_start=False, random_state=None):
        super().__init__(warm_start=warm_start, random_state=random_state)
        self.calls = calls

    def fit(self, X, y, **kwargs):
        self.calls.append(len(y))
        return super().fit(X, y, **kwargs)


class _DriftAt(Trigger):
    """Fires at run ``run`` with a drift detected at row ``row``."""

    def __init__(self, run, row):
        self.run = run
        self.row = row

    def check(self, state, evidence):
        if evidence.run != self.run:
            return None
        event = DriftEvent("test", self.row, evidence.run)
        return Fire("drift_at", self.reset_start(), "test drift", (event,))


def _records(estimator):
    return estimator.history_.to_frame().drop(columns=list(TIMINGS))


def test_retrain_split_expanding_covers_every_row_once():
    """New-row slices tile the rows; expanding windows start at row 0."""
    steps = Retrain(4, initial=100).split(403)
    assert [s.new.start for s in steps] == [0, 100, 201, 302]
    assert [s.new.stop for s in steps] == [100, 201, 302, 403]
    assert all(s.train.start == 0 and s.train.stop == s.new.stop for s in steps)


def test_retrain_split_sliding_keeps_last_window():
    """Sliding windows train on the last window_size rows (the first slice by default)."""
    steps = Retrain(3, window="sliding").split(300)
    assert [(s.train.start, s.train.stop) for s in steps] == [
        (0, 100),
        (100, 200),
        (200, 300),
    ]
    steps = Retrain(3, window="sliding", window_size=250).split(300)
    assert [(s.train.start, s.train.stop) for s in steps] == [
        (0, 100),
        (0, 200),
        (50, 300),
    ]


def test_retrain_split_initial_fraction():
    """A float initial is a fraction of the rows."""
    steps = Retrain(3, initial=0.5).split(400)
    assert [s.new.stop for s in steps] == [200, 300, 400]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_runs": 0}, "n_runs"),
        ({"n_runs": 2.5}, "n_runs"),
        ({"window": "growing"}, "window"),
        ({"restart": "always"}, "restart"),
        ({"initial": 0}, "initial"),
        ({"initial": 1.5}, "initial"),
        ({"window_size": 0}, "window_size"),
    ],
)
def test_retrain_invalid_parameters_raise(params, match):
    """Invalid schedule parameters are named in the error."""
    with pytest.raises(ValueError, match=match):
        Retrain(**params).split(100)


def test_retrain_more_runs_than_rows_raises_before_training(data):
    """A schedule with more runs than rows fails before any fit."""
    X, y = data
    calls = []
    clf = WarmStartClassifier(_Counting(calls), schedule=Retrain(50), random_state=0)
    with pytest.raises(ValueError, match="50 runs but only n_samples=40 rows"):
        clf.fit(X[:40], y[:40])
    assert calls == []
    assert not hasattr(clf, "estimator_")
    with pytest.raises(ValueError, match="initial"):
        Retrain(3, initial=99).split(100)


def test_warmstart_schedule_records_every_run(data):
    """One fit replays the sequence: cold first run, then warm, all recorded."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), schedule=Retrain(3), random_state=0)
    clf.fit(X, y)
    history = clf.history_
    assert clf.n_runs_ == 3
    assert [r.method for r in history] == ["schedule"] * 3
    assert [r.start for r in history] == ["cold", "warm", "warm"]
    assert [r.n_samples for r in history] == [200, 400, 600]
    assert [r.sample_start for r in history] == [0, 200, 400]
    assert np.isnan(history[0].prequential_score)


def test_warmstart_schedule_prequential_score_uses_new_rows(data):
    """Run i's prequential score is run i-1's model scored on run i's new rows."""
    X, y = data
    scheduled = WarmStartClassifier(
        SGDClassifier(), schedule=Retrain(2), random_state=3
    ).fit(X, y)
    first_run = WarmStartClassifier(SGDClassifier(), random_state=3).fit(
        X[:300], y[:300]
    )
    expected = first_run.score(X[300:], y[300:])
    assert scheduled.history_[1].prequential_score == pytest.approx(expected)


def test_warmstart_schedule_fit_is_idempotent(data):
    """Fitting twice replays the same sequence from a fresh state."""
    X, y = data
    clf = WarmStartClassifier(
        MLPClassifier((8,), max_iter=30), schedule=Retrain(3), random_state=1
    )
    first = _records(clf.fit(X, y))
    coefs = [c.copy() for c in clf.estimator_.coefs_]
    second = _records(clf.fit(X, y))
    assert clf.n_runs_ == 3
    pd.testing.assert_frame_equal(first, second)
    for a, b in zip(coefs, clf.estimator_.coefs_):
        np.testing.assert_array_equal(a, b)


def test_warmstart_schedule_starts_from_init(data):
    """With init, the first run of the schedule starts from it as the policy says."""
    X, y = data
    init = SGDClassifier(random_state=0).fit(X, y)
    clf = WarmStartClassifier(
        SGDClassifier(), schedule=Retrain(2), init=init, random_state=0
    ).fit(X, y)
    assert [r.start for r in clf.history_] == ["warm", "warm"]
    assert np.isfinite(clf.history_[0].prequential_score)


def test_warmstart_schedule_every_trigger_resets(data):
    """Triggers act inside the schedule and their reasons are recorded."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), schedule=Retrain(5), reset=Every(2), random_state=0
    ).fit(X, y)
    assert [r.start for r in clf.history_] == ["cold", "warm", "cold", "warm", "cold"]
    assert clf.history_[2].trigger == "every(2)"


def test_warmstart_schedule_sliding_window_rows(data):
    """A sliding schedule trains each run on the last window only."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), schedule=Retrain(3, window="sliding"), random_state=0
    ).fit(X, y)
    assert [r.n_samples for r in clf.history_] == [200, 200, 200]


def test_warmstart_schedule_restart_on_reset(data):
    """restart='reset' makes a reset retrain only on data from its run on."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(),
        schedule=Retrain(3, restart="reset"),
        reset=Every(2),
        random_state=0,
    ).fit(X, y)
    assert [r.n_samples for r in clf.history_] == [200, 400, 200]
    keep = clone(clf).set_params(schedule=Retrain(3, restart="never")).fit(X, y)
    assert [r.n_samples for r in keep.history_] == [200, 400, 600]


def test_warmstart_schedule_restarts_at_detected_drift(data):
    """After a drift, the window restarts at the detection row (keeping min rows)."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(),
        schedule=Retrain(3, initial=150),
        reset=_DriftAt(run=2, row=400),
        random_state=0,
    ).fit(X[:450], y[:450])
    # run 2 (new rows 300-450) restarts at row 400, but keeps the 150 latest rows
    assert [r.n_samples for r in clf.history_] == [150, 300, 150]
    clf = WarmStartClassifier(
        SGDClassifier(),
        schedule=Retrain(4, initial=150),
        reset=_DriftAt(run=2, row=350),
        random_state=0,
    ).fit(X[:600], y[:600])
    # steps stop at 150, 300, 450, 600; run 3 trains on rows 350-600
    assert [r.n_samples for r in clf.history_] == [150, 300, 150, 250]
    assert clf.history_[2].drift_events[0].sample_index == 350


def test_warmstart_schedule_in_grid_search(data):
    """GridSearchCV searches policies and schedule parameters like any others."""
    X, y = data
    search = GridSearchCV(
        WarmStartClassifier(SGDClassifier(), schedule=Retrain(3), random_state=0),
        {"start": ["cold", "warm"], "schedule__window": ["expanding", "sliding"]},
        cv=TimeSeriesSplit(2),
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.n_runs_ == 3


def test_warmstart_schedule_in_cross_validate(data):
    """cross_validate fits an independent sequence per fold."""
    X, y = data
    out = cross_validate(
        WarmStartClassifier(
            SGDClassifier(), start=ShrinkPerturb(0.5, 0.1), schedule=3, random_state=0
        ),
        X,
        y,
        cv=TimeSeriesSplit(3),
        return_estimator=True,
    )
    assert [e.n_runs_ for e in out["estimator"]] == [3, 3, 3]
    assert [e.history_[-1].n_samples for e in out["estimator"]] == [150, 300, 450]


def test_warmstart_schedule_slices_sample_weight(data):
    """Per-sample fit parameters are cut to each run's rows."""
    X, y = data
    weight = np.ones(len(y))
    weight[:100] = 0.0
    clf = WarmStartClassifier(
        SGDClassifier(), schedule=Retrain(3), start="cold", random_state=0
    )
    clf.fit(X, y, sample_weight=weight)
    last = clf.history_[-1]
    alone = SGDClassifier(random_state=last.seed).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(clf.estimator_.coef_, alone.coef_)


def test_warmstart_schedule_first_slice_missing_class_raises():
    """Classes that only appear after the first slice are refused before training."""
    X = np.arange(30, dtype=float).reshape(-1, 1)
    y = np.array([0, 1] * 5 + [2] * 20)
    calls = []
    clf = WarmStartClassifier(_Counting(calls), schedule=Retrain(3))
    with pytest.raises(ValueError, match=r"lacks class\(es\) \[2\]"):
        clf.fit(X, y)
    assert calls == []


def test_warmstart_schedule_unsupported_start_raises_before_training(data):
    """A start the model family cannot honour fails before the first run."""
    X, y = data
    clf = WarmStartClassifier(
        RandomForestClassifier(n_estimators=3),
        start=ShrinkPerturb(),
        schedule=Retrain(2),
    )
    with pytest.raises(UnsupportedStartError, match="shrink_perturb"):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")


def test_warmstart_schedule_failure_keeps_previous_state(data):
    """A scheduled fit that fails leaves the committed model untouched."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X, y)
    model = clf.estimator_
    clf.set_params(schedule=Retrain(1000))
    with pytest.raises(ValueError, match="1000 runs"):
        clf.fit(X, y)
    assert clf.estimator_ is model and clf.n_runs_ == 1


def test_warmstart_schedule_rejects_bad_type(data):
    """schedule must be a Retrain, an int or None."""
    X, y = data
    with pytest.raises(TypeError, match="schedule must be"):
        WarmStartClassifier(SGDClassifier(), schedule="weekly").fit(X, y)


def test_warmstart_schedule_skorch_net_is_reproducible():
    """A skorch net replays the schedule; refitting gives the same records."""
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(6, 2)

        def forward(self, X):
            return self.layer(X.float())

    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    net = skorch.NeuralNetClassifier(
        Net,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=3,
        train_split=None,
        verbose=0,
    )
    clf = WarmStartClassifier(
        net, start=ShrinkPerturb(0.5, 0.1), schedule=Retrain(3), random_state=0
    )
    first = _records(clf.fit(X.astype(np.float32), y))
    second = _records(clf.fit(X.astype(np.float32), y))
    assert list(first["start"]) == ["cold"] + ["shrink_perturb(0.5, 0.1)"] * 2
    pd.testing.assert_frame_equal(first, second)


class _FailAt(Trigger):
    """Raises while observing run ``run`` (0-based)."""

    def __init__(self, run):
        self.run = run

    def check(self, state, evidence):
        if evidence.run == self.run:
            raise RuntimeError(f"planted failure at run {evidence.run}")
        return None


def test_warmstart_schedule_failure_at_third_run_commits_nothing(data):
    """A schedule that fails at run 3 leaves the estimator as before the fit."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), reset=_FailAt(2), random_state=0)
    clf.fit(X[:300], y[:300])
    before = (
        clf.estimator_,
        clf.history_,
        clf.n_runs_,
        clf.policy_state_,
        clf.classes_.copy(),
        clf.n_features_in_,
    )
    clf.set_params(schedule=Retrain(4))
    with pytest.raises(RuntimeError, match="planted failure at run 2"):
        clf.fit(X, y)
    after = (
        clf.estimator_,
        clf.history_,
        clf.n_runs_,
        clf.policy_state_,
        clf.classes_,
        clf.n_features_in_,
    )
    assert after[0] is before[0] and after[1] is before[1] and after[3] is before[3]
    assert after[2] == 1 and list(clf.history_.to_frame()["method"]) == ["fit"]
    np.testing.assert_array_equal(after[4], before[4])
    fresh = clone(clf)
    with pytest.raises(RuntimeError, match="planted failure at run 2"):
        fresh.fit(X, y)
    assert not hasattr(fresh, "estimator_") and not hasattr(fresh, "history_")
