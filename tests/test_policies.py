"""Starts, triggers and decisions."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from sklearn_warmstart import (
    Cold,
    Every,
    PartialReset,
    Perturb,
    ShrinkPerturb,
    Warm,
    WarmStartClassifier,
)
from sklearn_warmstart.adapters import MLPAdapter
from sklearn_warmstart.policies import (
    Challenge,
    DriftEvent,
    Evidence,
    Fire,
    Trigger,
    check_start,
    decide,
)


def _evidence(run):
    return Evidence(run, 10, 0, None, float("nan"), True)


def test_shrinkperturb_combines_previous_and_fresh():
    """θ₀ = λ·θ_prev + σ·θ_fresh, array by array."""
    prev = {"a": np.array([2.0, 4.0]), "b": np.array([1.0])}
    fresh = {"a": np.array([1.0, 1.0]), "b": np.array([-1.0])}
    theta = ShrinkPerturb(0.5, 0.25).initial_parameters(prev, fresh, seed=0)
    np.testing.assert_allclose(theta["a"], [1.25, 2.25])
    np.testing.assert_allclose(theta["b"], [0.25])
    np.testing.assert_allclose(prev["a"], [2.0, 4.0])


def test_perturb_is_relative_and_seeded():
    """Perturb adds noise scaled to each array's RMS, reproducibly from the seed."""
    prev = {"w": np.full(10_000, 3.0), "z": np.zeros(5)}
    a = Perturb(0.1).initial_parameters(prev, None, seed=4)
    b = Perturb(0.1).initial_parameters(prev, None, seed=4)
    np.testing.assert_array_equal(a["w"], b["w"])
    assert np.std(a["w"] - 3.0) == pytest.approx(0.3, rel=0.05)
    np.testing.assert_array_equal(a["z"], 0.0)
    c = Perturb(0.1).initial_parameters(prev, None, seed=5)
    assert not np.array_equal(a["w"], c["w"])


def test_partialreset_replaces_matching_layers_only():
    """PartialReset(layers=...) takes fresh values for matching names only."""
    prev = {"coefs_0": np.ones(2), "coefs_1": np.ones(2), "intercepts_1": np.ones(1)}
    fresh = {k: np.zeros_like(v) for k, v in prev.items()}
    theta = PartialReset(layers="*_1").initial_parameters(prev, fresh, seed=0)
    np.testing.assert_array_equal(theta["coefs_0"], 1.0)
    np.testing.assert_array_equal(theta["coefs_1"], 0.0)
    np.testing.assert_array_equal(theta["intercepts_1"], 0.0)


@pytest.mark.parametrize(
    "bad, match",
    [
        (PartialReset(), "layers=.*dormant=.*fraction="),
        (Warm(grow=0), "grow"),
        (ShrinkPerturb(noise=np.nan), "noise"),
    ],
)
def test_check_start_rejects_invalid(bad, match):
    """Invalid starts raise ValueError naming the parameter."""
    with pytest.raises(ValueError, match=match):
        check_start(bad)


def test_every_fires_on_multiples_of_k():
    """Every(k) fires at runs k, 2k, … and says why."""
    trigger = Every(2, start=ShrinkPerturb(0.1, 0.9))
    fired = [trigger.check(None, _evidence(r)) for r in range(1, 6)]
    assert [f is not None for f in fired] == [False, True, False, True, False]
    assert isinstance(fired[1].start, ShrinkPerturb)
    assert "every 2 runs" in fired[1].reason


def test_decide_first_run_is_cold_and_trigger_overrides():
    """Without a model the run is cold; a firing trigger overrides the start."""
    first = decide(Warm(), [Every(2)], [None], _evidence(0), has_model=False)
    assert isinstance(first.start, Cold) and "first run" in first.reason
    fired = decide(Warm(), [Every(2)], [None], _evidence(2), has_model=True)
    assert isinstance(fired.start, Cold) and fired.trigger == "every(2)"
    quiet = decide(Warm(), [Every(2)], [None], _evidence(3), has_model=True)
    assert isinstance(quiet.start, Warm) and quiet.trigger is None


def test_starts_are_estimators_with_nested_params():
    """Starts clone, repr and take nested set_params through the wrapper."""
    clf = WarmStartClassifier(MLPClassifier(), start=ShrinkPerturb(0.4, 0.1))
    clf.set_params(start__shrink=0.7)
    assert clf.start.shrink == 0.7
    assert clone(clf).start.shrink == 0.7
    assert repr(ShrinkPerturb(0.3, 0.1)) == "ShrinkPerturb(shrink=0.3)"
    assert Warm(grow=3).describe() == "warm(3)"


@pytest.fixture(scope="module")
def mlp_and_data():
    X, y = make_classification(n_samples=300, n_features=6, random_state=1)
    prev = MLPClassifier((7,), max_iter=20, random_state=0).fit(X, y)
    return prev, X, y


def test_shrinkperturb_extremes_equal_warm_and_fresh(mlp_and_data):
    """ShrinkPerturb(1, 0) starts at θ_prev; ShrinkPerturb(0, 1) at the fresh init."""
    prev, X, y = mlp_and_data
    adapter = MLPAdapter(prev)
    theta_prev = adapter.parameters(prev)
    fresh = adapter.fresh_parameters(clone(prev), X, y, seed=11, previous=prev)
    warmish = ShrinkPerturb(1.0, 0.0).initial_parameters(theta_prev, fresh, seed=11)
    coldish = ShrinkPerturb(0.0, 1.0).initial_parameters(theta_prev, fresh, seed=11)
    for name in theta_prev:
        np.testing.assert_array_equal(warmish[name], theta_prev[name])
        np.testing.assert_array_equal(coldish[name], fresh[name])


def test_mlp_fresh_parameters_match_sklearn_initialisation(mlp_and_data):
    """The fresh init is exactly the one MLPClassifier draws from the same seed."""
    prev, X, y = mlp_and_data
    fresh = MLPAdapter(prev).fresh_parameters(clone(prev), X, y, seed=5, previous=None)
    reference = MLPClassifier((7,), max_iter=1, random_state=5)
    reference._random_state = np.random.RandomState(5)
    reference.activation = "relu"
    coef, intercept = reference._init_coef(6, 7, np.float64)
    np.testing.assert_array_equal(fresh["coefs_0"], coef)
    np.testing.assert_array_equal(fresh["intercepts_0"], intercept)


class _ContestedAt(Trigger):
    """Fires at run ``run`` and asks a challenger to train on the last 20 rows."""

    def __init__(self, run=2, overrule=False):
        self.run = run
        self.overrule = overrule

    def check(self, state, evidence):
        if evidence.run != self.run:
            return None
        since = evidence.sample_start + evidence.n_samples - 20
        event = DriftEvent("probe", since + 19, evidence.run, change_start=since)
        return Fire("probe", self.reset_start(), "probe fired", (event,))

    def challenge(self, decision, is_classifier):
        since = decision.events[0].change_start
        return Challenge(since, lambda y_true, y_pred: (y_true != y_pred) * 1.0)

    def review(self, decision, promoted, policy_start):
        if self.overrule:
            return decision  # this trigger resets whatever the verdict
        return super().review(decision, promoted, policy_start)


def _contested(trigger):
    X, y = make_classification(n_samples=900, n_features=6, random_state=3)
    clf = WarmStartClassifier(LogisticRegression(), reset=trigger, random_state=0)
    return clf.fit(X[:300], y[:300]).fit(X[:600], y[:600]).fit(X, y)


def test_trigger_challenge_hook_lets_a_lost_contest_keep_the_model():
    """Any trigger can ask for a challenger; a lost contest keeps the policy start."""
    record = _contested(_ContestedAt()).history_[2]
    assert record.start == "warm" and record.trigger is None
    assert record.reason == (
        "probe fired: probe fired; warning-zone challenger lost, current model kept"
    )
    assert record.challenger.startswith("kept current model: challenger error")
    assert "challenger trained on 10 rows since the warning at row 1780" in (
        record.challenger
    )


def test_trigger_review_hook_decides_after_the_verdict():
    """The trigger, not the run loop, reviews the challenger's verdict."""
    record = _contested(_ContestedAt(overrule=True)).history_[2]
    assert record.start == "cold" and record.trigger == "probe"
    assert record.challenger.startswith("kept current model:")


def test_trigger_without_challenge_resets_without_a_contest():
    """The base trigger asks for no challenger: its reset goes ahead."""
    trigger = Every(2)
    decision = decide(Warm(), [trigger], [None], _evidence(2), has_model=True)
    assert trigger.challenge(decision, True) is None
    kept = trigger.review(decision, False, Warm())
    assert kept.start.kind == "warm" and kept.trigger is None
    assert decision.start.kind == "cold" and decision.trigger == "every(2)"
    assert trigger.review(decision, True, Warm()) is decision
