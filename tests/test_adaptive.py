"""Adaptive starts: lineages, test-then-train scores, the served vote; windowed cold starts."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import SGDClassifier, SGDRegressor

from sklearn_warmstart import (
    Adaptive,
    Cold,
    Every,
    OnDrift,
    PartialReset,
    Retrain,
    UnsupportedStartError,
    Warm,
    WarmStartClassifier,
    WarmStartRegressor,
    prequential_score,
)
from sklearn_warmstart._portfolio import lineage_weights
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.serving import WeightedVoteClassifier


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=1200, n_features=8, random_state=0)


def _adaptive(**kwargs):
    return Adaptive([Warm(), Cold(window=300)], **kwargs)


def _stream(clf, X, y, chunk=200):
    """partial_fit chunk by chunk; the lineages' models before each chunk."""
    before = []
    for i in range(0, len(y), chunk):
        before.append(
            [lin.model for lin in clf.lineages_] if hasattr(clf, "lineages_") else None
        )
        clf.partial_fit(X[i : i + chunk], y[i : i + chunk], classes=[0, 1])
    return before


def _outcome(history):
    """What the runs decided and measured, without wall times (NaN equals NaN)."""
    return repr(
        [
            (
                r.start,
                r.seed,
                r.prequential_score,
                float(r.train_score),
                tuple(
                    (e.start, e.prequential_score, e.score, e.weight)
                    for e in r.lineages
                ),
            )
            for r in history
        ]
    )


# ----------------------------------------------------------------------- Cold(window)


def test_cold_window_fit_trains_on_the_last_rows(data):
    """Cold(window=n) in fit is the bare model fitted on the last n rows of X."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=Cold(window=300), random_state=0
    ).fit(X, y)
    clf.fit(X, y)
    seed = clf.history_[1].seed
    bare = SGDClassifier(random_state=seed).fit(X[-300:], y[-300:])
    np.testing.assert_array_equal(clf.estimator_.coef_, bare.coef_)
    assert [r.n_samples for r in clf.history_] == [300, 300]
    assert [r.start for r in clf.history_] == ["cold(window=300)"] * 2


def test_cold_window_slices_sample_weight(data):
    """A windowed cold run gets the sample weights of the rows it trains on."""
    X, y = data
    weights = np.linspace(0.1, 2.0, len(y))
    clf = WarmStartClassifier(SGDClassifier(), start=Cold(window=300), random_state=0)
    clf.fit(X, y, sample_weight=weights)
    bare = SGDClassifier(random_state=clf.history_[0].seed)
    bare.fit(X[-300:], y[-300:], sample_weight=weights[-300:])
    np.testing.assert_array_equal(clf.estimator_.coef_, bare.coef_)


def test_cold_window_partial_fit_grows_the_buffer(data):
    """In partial_fit the buffer grows to the window and resets train on its last rows."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=Cold(window=500), buffer_size=100, random_state=0
    )
    _stream(clf, X, y, chunk=200)
    assert clf._state.buffer.size == 500
    assert [r.n_samples for r in clf.history_] == [200, 400, 500, 500, 500, 500]


def _rows_after_a_drift_reset(start):
    """n_samples of the run after an ADWIN reset, and the rows since its change start."""
    scenario = load_scenario("sea_abrupt", n_samples=7000, seed=0)
    clf = WarmStartClassifier(
        SGDClassifier(), start=start, reset=OnDrift("adwin"), random_state=0
    )
    _stream(clf, scenario.X, scenario.y, chunk=500)
    reset = next(r for r in clf.history_ if r.trigger is not None)
    since = reset.drift_events[0].change_start
    after = clf.history_[reset.run + 1]
    end = after.sample_start + 500
    if hasattr(clf, "lineages_"):  # every lineage trains at every run here
        after = clf.lineages_[1].history[reset.run + 1]
    return after.n_samples, end - since


@pytest.mark.parametrize(
    "start",
    [Cold(window=3000), Adaptive([Warm(), Cold(window=3000)])],
    ids=["cold-window", "adaptive"],
)
def test_cold_window_never_reaches_back_across_a_detected_change(start):
    """After a drift reset, windowed cold runs train only on rows since the change."""
    trained, since_change = _rows_after_a_drift_reset(start)
    assert since_change < 3000  # a window of the last 3000 rows would reach back
    assert trained == since_change


def test_cold_window_refuses_a_bad_window(data):
    """Cold(window=0) is refused at fit with the parameter named."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=Cold(window=0))
    with pytest.raises(ValueError, match=r"Cold\(window=...\) must be"):
        clf.fit(X, y)


# ----------------------------------------------------------------------- scores


def test_adaptive_scores_each_lineage_before_it_trains(data):
    """Every lineage is scored on the chunk by its model from before the chunk."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    before = _stream(clf, X, y)
    for run, record in enumerate(clf.history_):
        chunk = slice(200 * run, 200 * run + 200)
        for i, entry in enumerate(record.lineages):
            if run == 0:
                assert np.isnan(entry.prequential_score)
                continue
            expected = before[run][i].score(X[chunk], y[chunk])
            assert entry.prequential_score == pytest.approx(expected)


def test_adaptive_serves_the_decayed_score_weights(data):
    """score = decay·old + (1-decay)·new; weights ∝ exp(sharpness·score)."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(loss="log_loss"),
        start=_adaptive(decay=0.3, sharpness=10.0),
        random_state=0,
    )
    _stream(clf, X, y)
    scores = np.full(2, np.nan)
    for record in clf.history_[1:]:
        new = np.array([e.prequential_score for e in record.lineages])
        scores = np.where(np.isnan(scores), new, 0.3 * scores + 0.7 * new)
        np.testing.assert_allclose([e.score for e in record.lineages], scores)
    weights = np.exp(10.0 * (scores - scores.max()))
    weights /= weights.sum()
    np.testing.assert_allclose([lin.weight for lin in clf.lineages_], weights)
    proba = sum(
        w * lin.model.predict_proba(X) for w, lin in zip(weights, clf.lineages_)
    )
    np.testing.assert_allclose(clf.predict_proba(X), proba)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert "serving the weighted vote (warm" in clf.history_[-1].reason


def test_adaptive_plain_fit_scores_only_the_appended_rows(data):
    """In fit, the rows beyond the previous run's count are the new rows."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    clf.fit(X[:600], y[:600])
    models = [lin.model for lin in clf.lineages_]
    clf.fit(X[:900], y[:900])
    for model, entry in zip(models, clf.history_[-1].lineages):
        assert entry.prequential_score == pytest.approx(
            model.score(X[600:900], y[600:900])
        )
    scores = [lin.score for lin in clf.lineages_]
    clf.fit(X[:900], y[:900])  # no new rows: the scores stay
    assert [lin.score for lin in clf.lineages_] == scores
    assert all(np.isnan(e.prequential_score) for e in clf.history_[-1].lineages)


def test_adaptive_never_scores_a_lineage_on_rows_it_trained_on(data):
    """A lineage's score changes only with rows it had not trained on."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    clf.fit(X[:600], y[:600])
    first = [lin.score for lin in clf.lineages_]
    clf.fit(X[:600], y[:600])  # the same rows again: nothing new to judge by
    assert [lin.score for lin in clf.lineages_] == first
    assert np.isnan(clf.history_[-1].prequential_score)


def test_adaptive_serve_best_uses_the_best_lineage(data):
    """serve='best': predictions are the best-scored lineage's, also estimator_."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=_adaptive(serve="best"), random_state=0
    )
    _stream(clf, X, y)
    scores = [lin.score for lin in clf.lineages_]
    best = clf.lineages_[int(np.argmax(scores))]
    assert clf.estimator_ is best.model
    assert clf.served_model_ is best.model
    np.testing.assert_array_equal(clf.predict(X), best.model.predict(X))
    served = [e.served for e in clf.history_[-1].lineages]
    assert served == [lin is best for lin in clf.lineages_]


def test_adaptive_votes_when_the_model_has_no_probabilities(data):
    """Hinge SGD: weighted votes of labels; decision_function is the weighted mean."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    _stream(clf, X, y)
    assert not hasattr(clf, "predict_proba")
    w = [lin.weight for lin in clf.lineages_]
    models = [lin.model for lin in clf.lineages_]
    votes = sum(
        wi * (m.predict(X)[:, None] == clf.classes_) for wi, m in zip(w, models)
    )
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[votes.argmax(axis=1)])
    decision = sum(wi * m.decision_function(X) for wi, m in zip(w, models))
    np.testing.assert_allclose(clf.decision_function(X), decision)


def test_adaptive_regressor_serves_the_weighted_mean():
    """Regressors: the weighted mean of the lineages' predictions."""
    X, y = make_regression(n_samples=800, n_features=5, noise=5.0, random_state=0)
    reg = WarmStartRegressor(SGDRegressor(), start=_adaptive(), random_state=0)
    for i in range(0, 800, 200):
        reg.partial_fit(X[i : i + 200], y[i : i + 200])
    mean = sum(lin.weight * lin.model.predict(X) for lin in reg.lineages_)
    np.testing.assert_allclose(reg.predict(X), mean)
    assert np.isfinite(reg.history_[-1].prequential_score)


def test_served_model_is_a_plain_estimator_that_predicts_as_served(data):
    """served_model_, pickled alone, predicts exactly as the wrapper."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(loss="log_loss"), start=_adaptive(), random_state=0
    )
    _stream(clf, X, y)
    served = pickle.loads(pickle.dumps(clf.served_model_))
    assert isinstance(served, WeightedVoteClassifier)
    np.testing.assert_array_equal(served.predict(X), clf.predict(X))
    np.testing.assert_array_equal(served.predict_proba(X), clf.predict_proba(X))
    assert served.score(X, y) == clf.score(X, y)


# ----------------------------------------------------------------------- records


def test_adaptive_records_name_served_lineages_and_compute(data):
    """Each record lists every lineage's score, weight, start and training time."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    _stream(clf, X, y)
    record = clf.history_[-1]
    assert [e.name for e in record.lineages] == ["warm", "cold(window=300)"]
    assert [e.start for e in record.lineages] == ["warm", "cold(window=300)"]
    assert record.start == "adaptive(warm, cold(window=300))"
    assert all(e.trained and e.fit_time > 0 for e in record.lineages)
    assert record.fit_time == pytest.approx(sum(e.fit_time for e in record.lineages))
    frame = clf.history_.to_frame()
    assert len(frame["lineages"].iloc[-1]) == 2
    assert [len(lin.history) for lin in clf.lineages_] == [6, 6]


def test_adaptive_same_random_state_same_runs(data):
    """Same random_state: same lineages, scores and predictions; clone and pickle work."""
    X, y = data
    make = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=3)
    a, b = clone(make), clone(make)
    _stream(a, X, y)
    _stream(b, X, y)
    assert _outcome(a.history_) == _outcome(b.history_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict(X), a.predict(X))
    restored.partial_fit(X[:200], y[:200])
    a.partial_fit(X[:200], y[:200])
    assert _outcome(restored.history_) == _outcome(a.history_)
    assert clone(make).get_params()["start"].describe() == make.start.describe()


@pytest.mark.parametrize(
    "candidates, error, match",
    [
        ([], ValueError, "is empty"),
        (["nope"], ValueError, "'nope' is not a known start"),
        ([object()], TypeError, "Adaptive candidate must be"),
        (Warm(), TypeError, "must be a list of starts"),
        ([Adaptive([Warm()])], TypeError, "cannot be Adaptive"),
    ],
)
def test_adaptive_refuses_bad_candidates(data, candidates, error, match):
    """Bad candidates are refused at the first fit with a clear message."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=Adaptive(candidates))
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")


@pytest.mark.parametrize("schedule", [None, Retrain(3)])
def test_adaptive_refuses_a_start_the_family_cannot_honour(data, schedule):
    """A candidate the model family cannot use fails the first fit, naming it."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(),
        start=Adaptive([Warm(), PartialReset(fraction=0.5)]),
        schedule=schedule,
    )
    with pytest.raises(UnsupportedStartError, match="partial_reset"):
        clf.fit(X, y)


# ----------------------------------------------------------------------- budget


def test_adaptive_bandit_trains_the_best_and_one_explorer(data):
    """budget='bandit': after the first run, exactly two lineages train per run."""
    X, y = data
    start = Adaptive([Warm(), Cold(window=300), Cold(window=600)], budget="bandit")
    clf = WarmStartClassifier(SGDClassifier(), start=start, random_state=0)
    _stream(clf, X, y)
    trained = [[e.trained for e in r.lineages] for r in clf.history_]
    assert trained[0] == [True, True, True]
    assert all(sum(t) == 2 for t in trained[1:])
    for record in clf.history_[1:]:
        best = int(np.argmax([e.score for e in record.lineages]))
        assert record.lineages[best].trained
        skipped = [e for e in record.lineages if not e.trained]
        assert all(e.fit_time == 0.0 and e.start == "not trained" for e in skipped)


# ----------------------------------------------------------------------- integration


def test_adaptive_reset_restarts_every_lineage_cold_under_its_window(data):
    """A reset trigger restarts each lineage cold, under its own window."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=_adaptive(), reset=Every(3), random_state=0
    )
    _stream(clf, X, y)
    fired = clf.history_[3]
    assert fired.trigger == "every(3)"
    assert [e.start for e in fired.lineages] == ["cold", "cold(window=300)"]
    assert [e.start for e in clf.history_[4].lineages] == ["warm", "cold(window=300)"]


def test_adaptive_with_a_schedule_scores_each_new_slice():
    """With a schedule, lineages are scored on each step's new slice."""
    X, y = make_classification(n_samples=1200, n_features=8, random_state=1)
    clf = WarmStartClassifier(
        SGDClassifier(), start=_adaptive(), schedule=Retrain(4), random_state=0
    ).fit(X, y)
    assert clf.n_runs_ == 4
    assert [r.method for r in clf.history_] == ["schedule"] * 4
    assert all(np.isfinite(e.prequential_score) for e in clf.history_[-1].lineages)
    again = clone(clf).fit(X, y)
    assert _outcome(again.history_) == _outcome(clf.history_)


def test_switching_away_from_adaptive_drops_the_lineages(data):
    """A later run under a plain start serves its own model again."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=_adaptive(), random_state=0)
    clf.fit(X[:600], y[:600])
    clf.set_params(start="warm").fit(X, y)
    assert not hasattr(clf, "lineages_")
    assert clf.served_model_ is clf.estimator_


def test_lineage_weights_favour_better_scores():
    """exp(sharpness·score) weights; equal before any score."""
    np.testing.assert_allclose(lineage_weights([0.5, 0.5], 20.0), [0.5, 0.5])
    weights = lineage_weights([0.9, 0.8, np.nan], 20.0)
    assert weights[2] == 0.0
    assert weights[0] / weights[1] == pytest.approx(np.exp(2.0))


# ----------------------------------------------------------------------- must hold


def _sea_hits(name, seed, start, reset=None, chunk=500):
    """Test-then-train hits on a 10,000-row SEA stream, standardised with the first
    chunk's mean and deviation (what a stream knows at its start; SGD needs
    scaled inputs), as ``benchmarks/adaptive.py`` does."""
    scenario = load_scenario(name, n_samples=10_000, seed=seed)
    X = scenario.X
    X = (X - X[:chunk].mean(axis=0)) / X[:chunk].std(axis=0)
    clf = WarmStartClassifier(
        SGDClassifier(loss="log_loss"), start=start, reset=reset, random_state=0
    )
    result = prequential_score(clf, X, scenario.y, chunk_size=chunk)
    return result.y_pred == scenario.y[chunk:]


def test_adaptive_on_stationary_sea_is_within_half_a_point_of_warm():
    """Stationary SEA: Adaptive's median accuracy (10 seeds) is >= Warm's - 0.005."""
    gaps = [
        _sea_hits("sea_stationary", seed, Adaptive([Warm(), Cold(window=2000)])).mean()
        - _sea_hits("sea_stationary", seed, "warm").mean()
        for seed in range(10)
    ]
    assert np.median(gaps) >= -0.005


def test_adaptive_recovers_from_an_abrupt_sea_drift_as_well_as_adwin_resets():
    """SEA abrupt: over the 2,000 rows after the drift, and over the whole stream,
    Adaptive([Warm(), Cold(window=2000)]) is at least as accurate as
    OnDrift('adwin') in >= 8 of 10 seeds."""
    drift = load_scenario("sea_abrupt", n_samples=10_000).drift_positions[0]
    after = slice(drift - 500, drift - 500 + 2000)  # hits start after the first chunk
    wins_after = wins_overall = 0
    for seed in range(10):
        adaptive = _sea_hits("sea_abrupt", seed, Adaptive([Warm(), Cold(window=2000)]))
        adwin = _sea_hits("sea_abrupt", seed, "warm", OnDrift("adwin"))
        wins_after += adaptive[after].mean() >= adwin[after].mean()
        wins_overall += adaptive.mean() >= adwin.mean()
    assert wins_after >= 8
    assert wins_overall >= 8


def test_adaptive_checkpoints_store_and_resume_every_lineage(tmp_path, data):
    """resume restores every lineage; the next run is the one it would have been."""
    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(loss="log_loss"),
        start=_adaptive(),
        checkpoint=tmp_path,
        random_state=0,
    )
    _stream(clf, X[:800], y[:800])
    resumed = WarmStartClassifier.resume(tmp_path)
    assert [lin.name for lin in resumed.lineages_] == ["warm", "cold(window=300)"]
    for a, b in zip(resumed.lineages_, clf.lineages_):
        np.testing.assert_array_equal(a.model.coef_, b.model.coef_)
        assert (a.score, a.weight, len(a.history)) == (
            b.score,
            b.weight,
            len(b.history),
        )
    np.testing.assert_array_equal(resumed.predict_proba(X), clf.predict_proba(X))
    for est in (clf, resumed):
        est.partial_fit(X[800:1000], y[800:1000])
    assert _outcome(resumed.history_) == _outcome(clf.history_)
    np.testing.assert_array_equal(resumed.predict_proba(X), clf.predict_proba(X))


def test_compare_policies_runs_the_builtin_adaptive_policy():
    """compare_policies accepts 'adaptive' by name and records its lineages."""
    from sklearn_warmstart import compare_policies

    scenario = load_scenario("sea_abrupt", n_samples=900, seed=0)
    result = compare_policies(
        WarmStartClassifier(SGDClassifier()),
        scenario.X,
        scenario.y,
        ["warm", "adaptive"],
        baseline="warm",
        schedule=3,
        cv=2,
        seeds=2,
        test="ttest",
    )
    assert set(result.table["policy"]) == {"warm", "adaptive"}
    rows = result.table[result.table["policy"] == "adaptive"]
    assert rows["start"].str.startswith("adaptive(warm, cold(window=2000))").any()


def test_cli_study_runs_the_adaptive_policy(capsys):
    """``sklearn-warmstart study --policies warm,adaptive`` prints both verdict rows."""
    from sklearn_warmstart.cli import main

    args = ["study", "--scenario", "sea_abrupt", "--model", "sgd"]
    args += ["--policies", "warm,adaptive", "--seeds", "2", "--runs", "3"]
    args += ["--folds", "2", "--n-samples", "600", "--baseline", "warm", "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    verdicts = out.split("Verdicts vs baseline")[1].split("Summary")[0]
    assert "adaptive" in verdicts and "warm" in verdicts


def test_adaptive_checkpoint_with_a_tampered_lineage_falls_back(tmp_path, data):
    """A rewritten lineage file fails verification; resume uses the checkpoint before."""
    from sklearn_warmstart.checkpoints import CorruptCheckpointWarning

    X, y = data
    clf = WarmStartClassifier(
        SGDClassifier(), start=_adaptive(), checkpoint=tmp_path, random_state=0
    )
    _stream(clf, X[:600], y[:600])
    lineage_files = sorted((tmp_path / "ckpt-000002").glob("lineage1-*"))
    assert lineage_files
    lineage_files[0].write_bytes(lineage_files[0].read_bytes()[:-8] + b"tampered")
    with pytest.warns(CorruptCheckpointWarning, match="ckpt-000002/lineage1-"):
        resumed = WarmStartClassifier.resume(tmp_path)
    assert resumed.n_runs_ == 2
    assert [len(lin.history) for lin in resumed.lineages_] == [2, 2]


def test_a_trigger_cannot_reset_to_an_adaptive_start(data):
    """Adaptive belongs in start=, not in a trigger's reset start."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), reset=Every(2, start=_adaptive()))
    with pytest.raises(TypeError, match=r"Every\(start=Adaptive\(...\)\) is not"):
        clf.fit(X, y)
