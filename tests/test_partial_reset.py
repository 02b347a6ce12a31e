"""PartialReset: dormant units of MLPs (ReDo) and a fraction of ensemble members."""

import numpy as np
import pytest
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_warmstart import (
    OnDrift,
    PartialReset,
    UnsupportedStartError,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.adapters import MLPAdapter
from sklearn_warmstart.adapters.mlp import dormant_units


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _net_with_dead_units(X, y):
    net = MLPClassifier(hidden_layer_sizes=(6, 5), max_iter=30, random_state=0)
    net.fit(X, y)
    net.coefs_[0][:, [1, 4]] = 0.0  # units 1 and 4 of layer 0 never fire
    net.intercepts_[0][[1, 4]] = -5.0
    return net


def test_dormant_units_finds_units_that_never_fire():
    """Units with no activation on the data are dormant; active ones are not."""
    X, y = _data()
    net = _net_with_dead_units(X, y)
    masks = dormant_units(net, X, tau=0.0)
    assert masks[0].tolist() == [False, True, False, False, True, False]
    assert len(masks) == 2 and masks[1].shape == (5,)
    assert dormant_units(net, X, tau=1e9)[0].all()


def test_mlp_partial_reset_dormant_reinitialises_incoming_and_zeroes_outgoing():
    """ReDo: dormant units get fresh incoming weights, zero outgoing, others kept."""
    X, y = _data()
    net = _net_with_dead_units(X, y)
    adapter = MLPAdapter(net)
    theta_prev = adapter.parameters(net)
    fresh = adapter.fresh_parameters(net, X, y, seed=7, previous=net)
    theta = adapter.partial_reset(
        PartialReset(dormant=0.1), net, net, theta_prev, fresh, X, y, seed=7
    )
    masks = dormant_units(net, X, tau=0.1)
    assert masks[0].tolist() == [False, True, False, False, True, False]
    expected = {name: value.copy() for name, value in theta_prev.items()}
    for layer, mask in enumerate(masks):
        expected[f"coefs_{layer}"][:, mask] = fresh[f"coefs_{layer}"][:, mask]
        expected[f"intercepts_{layer}"][mask] = fresh[f"intercepts_{layer}"][mask]
    for layer, mask in enumerate(masks):
        expected[f"coefs_{layer + 1}"][mask, :] = 0.0
    for name in theta_prev:
        np.testing.assert_array_equal(theta[name], expected[name])
    assert not np.array_equal(theta["coefs_0"], theta_prev["coefs_0"])
    assert net.intercepts_[0][1] == -5.0  # the fitted model is not modified
    dead_only = adapter.partial_reset(
        PartialReset(dormant=0.0), net, net, theta_prev, fresh, X, y, seed=7
    )
    proba = net.predict_proba(X)
    adapter.write_parameters(net, dead_only)
    np.testing.assert_allclose(net.predict_proba(X), proba)  # dead units: no change


def test_mlp_partial_reset_dormant_with_layers_pattern():
    """layers= and dormant= combine: the named layer is fresh, dormant units too."""
    X, y = _data()
    net = _net_with_dead_units(X, y)
    adapter = MLPAdapter(net)
    fresh = adapter.fresh_parameters(net, X, y, seed=3, previous=net)
    theta = adapter.partial_reset(
        PartialReset(layers="*_2", dormant=0.0),
        net,
        net,
        adapter.parameters(net),
        fresh,
        X,
        y,
        seed=3,
    )
    dead_1 = dormant_units(net, X, tau=0.0)[1]
    np.testing.assert_array_equal(theta["intercepts_2"], fresh["intercepts_2"])
    np.testing.assert_array_equal(theta["coefs_2"][~dead_1], fresh["coefs_2"][~dead_1])
    np.testing.assert_array_equal(theta["coefs_2"][dead_1], 0.0)  # zeroing wins
    np.testing.assert_array_equal(theta["coefs_1"][[1, 4], :], 0.0)
    np.testing.assert_array_equal(theta["coefs_0"][:, 0], net.coefs_[0][:, 0])


def test_partial_reset_dormant_as_start_and_trigger_start():
    """PartialReset(dormant=...) works as the policy start and as a drift start."""
    X, y = _data(600)
    clf = WarmStartClassifier(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=40),
        start=PartialReset(dormant=0.1),
        random_state=0,
    )
    clf.fit(X[:300], y[:300]).fit(X, y)
    assert clf.history_[1].start == "partial_reset(dormant=0.1)"
    assert clf.score(X, y) > 0.9

    y_flip = np.r_[y, 1 - y]
    X_flip = np.r_[X, X]
    stream = WarmStartClassifier(
        MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01),
        reset=OnDrift("adwin", start=PartialReset(dormant=0.5)),
        random_state=0,
    )
    for start in range(0, 1200, 100):
        stream.partial_fit(X_flip[start : start + 100], y_flip[start : start + 100])
    resets = [r for r in stream.history_ if r.drift_events]
    assert resets and resets[0].start == "partial_reset(dormant=0.5)"


def test_partial_reset_dormant_through_a_pipeline():
    """In a pipeline the activations are measured on the transformed rows."""
    X, y = _data(400)
    clf = WarmStartRegressor(
        make_pipeline(
            StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=30)
        ),
        start=PartialReset(dormant=0.2),
        random_state=0,
    )
    clf.fit(X[:200], X[:200, 0]).fit(X, X[:, 0])
    assert clf.history_[1].start == "partial_reset(dormant=0.2)"


def test_partial_reset_fraction_replaces_that_share_of_forest_trees():
    """fraction=0.4 keeps 60% of the trees and grows new ones to the same size."""
    X, y = _data(400)
    clf = WarmStartClassifier(
        RandomForestClassifier(n_estimators=10),
        start=PartialReset(fraction=0.4),
        random_state=0,
    )
    clf.fit(X[:200], y[:200])
    before = {tree.random_state for tree in clf.estimator_.estimators_}
    clf.fit(X, y)
    after = clf.estimator_.estimators_
    kept = [tree for tree in after if tree.random_state in before]
    assert len(after) == 10 and len(kept) == 6
    assert clf.history_[1].start == "partial_reset(fraction=0.4)"


def test_partial_reset_fraction_is_reproducible_and_works_for_bagging():
    """The replaced members follow the run seed; bagging keeps its feature lists."""
    X, y = _data(300)

    def kept_indices(seed):
        clf = WarmStartClassifier(
            BaggingClassifier(n_estimators=8),
            start=PartialReset(fraction=0.5),
            random_state=seed,
        )
        clf.fit(X[:150], y[:150])
        before = list(clf.estimator_.estimators_)
        clf.fit(X, y)
        model = clf.estimator_
        assert len(model.estimators_) == len(model.estimators_features_) == 8
        seeds = {tree.random_state for tree in model.estimators_}
        return [i for i, tree in enumerate(before) if tree.random_state in seeds]

    assert kept_indices(1) == kept_indices(1)
    assert len(kept_indices(1)) == 4
    reg = WarmStartRegressor(
        ExtraTreesRegressor(n_estimators=6), start=PartialReset(fraction=1.0)
    )
    reg.fit(X, X[:, 0]).fit(X, X[:, 0])
    assert len(reg.estimator_.estimators_) == 6


def test_partial_reset_wrong_kind_for_the_family_is_rejected():
    """fraction on an MLP, dormant on a forest, any on boosting: clear errors at the first fit."""
    X, y = _data(200)
    cases = [
        (MLPClassifier(max_iter=20), PartialReset(fraction=0.5), "fraction"),
        (
            RandomForestClassifier(n_estimators=3),
            PartialReset(dormant=0.1),
            "needs fraction",
        ),
        (
            GradientBoostingClassifier(n_estimators=3),
            PartialReset(fraction=0.5),
            "cannot use",
        ),
        (SGDClassifier(), PartialReset(fraction=0.5), "cannot use"),
    ]
    for estimator, start, message in cases:
        clf = WarmStartClassifier(estimator, start=start, random_state=0)
        with pytest.raises(UnsupportedStartError, match=message):
            clf.fit(X, y)  # refused at the first fit, before anything trains
        assert not hasattr(clf, "estimator_")
