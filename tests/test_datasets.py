"""Built-in scenarios: determinism, drift positions, fresh copies, bad input."""

import numpy as np
import pytest

from sklearn_warmstart.datasets import Scenario, list_scenarios, load_scenario

SYNTHETIC = ["sea_abrupt", "sea_gradual", "sea_stationary", "agrawal", "hyperplane"]
SYNTHETIC += ["stagger", "friedman", "sea_covariate"]
REAL = {"phishing": 1250, "bananas": 5300, "image_segments": 2310, "shuttle": 49097}


def test_list_scenarios_names_every_scenario_with_a_description():
    """Every documented scenario is listed with a one-line description."""
    scenarios = list_scenarios()
    assert set(scenarios) == set(SYNTHETIC) | set(REAL)
    assert all(isinstance(d, str) and d for d in scenarios.values())


@pytest.mark.parametrize("name", SYNTHETIC)
def test_load_scenario_same_seed_same_rows(name):
    """A seed fixes the rows; another seed changes them."""
    a = load_scenario(name, n_samples=600, seed=3)
    b = load_scenario(name, n_samples=600, seed=3)
    c = load_scenario(name, n_samples=600, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.shape[0] == a.y.shape[0] == a.n_samples == 600
    assert a.X.shape[1] == len(a.feature_names)
    assert isinstance(a, Scenario) and a.name == name


def test_load_scenario_sea_abrupt_switches_concept_at_its_position():
    """SEA abrupt labels follow threshold 7 before the drift and 9.5 after it."""
    sea = load_scenario("sea_abrupt", n_samples=3000, seed=0)
    assert sea.drift_positions == (1500,) and sea.drift_width == 1
    total = sea.X[:, 0] + sea.X[:, 1]
    np.testing.assert_array_equal(sea.y[:1500], total[:1500] > 7)
    np.testing.assert_array_equal(sea.y[1500:], total[1500:] > 9.5)


def test_load_scenario_sea_stationary_has_one_concept():
    """SEA stationary keeps threshold 8 throughout and reports no drift."""
    sea = load_scenario("sea_stationary", n_samples=2000, seed=1)
    assert sea.drift_positions == () and sea.drift_width == 0
    np.testing.assert_array_equal(sea.y, sea.X[:, 0] + sea.X[:, 1] > 8)


def test_load_scenario_sea_covariate_moves_inputs_not_the_concept():
    """sea_covariate: the first input moves to U[4, 10] halfway, the labels keep
    SEA concept 0 (x0 + x1 > 8) throughout, the other inputs stay put."""
    sea = load_scenario("sea_covariate", n_samples=6000, seed=4)
    assert sea.drift_positions == (3000,) and sea.drift_width == 1
    np.testing.assert_array_equal(sea.y, sea.X[:, 0] + sea.X[:, 1] > 8)
    before, after = sea.X[:3000], sea.X[3000:]
    assert before[:, 0].min() < 1 and after[:, 0].min() >= 4
    assert abs(after[:, 0].mean() - 7) < 0.2 and abs(before[:, 0].mean() - 5) < 0.2
    np.testing.assert_allclose(before[:, 1:].mean(0), after[:, 1:].mean(0), atol=0.3)
    sea_stationary = load_scenario("sea_stationary", n_samples=6000, seed=4)
    np.testing.assert_array_equal(sea.X[:3000], sea_stationary.X[:3000])


def test_load_scenario_sea_gradual_mixes_concepts_around_its_position():
    """SEA gradual follows the old concept early, the new one late, both between."""
    sea = load_scenario("sea_gradual", n_samples=4000, seed=2)
    position, width = sea.drift_positions[0], sea.drift_width
    assert (position, width) == (2000, 400)
    total = sea.X[:, 0] + sea.X[:, 1]
    old, new = total > 7, total > 9.5
    early, late = slice(0, position - 3 * width), slice(position + 3 * width, None)
    np.testing.assert_array_equal(sea.y[early], old[early])
    np.testing.assert_array_equal(sea.y[late], new[late])
    middle = slice(position - width // 2, position + width // 2)
    follows_new = sea.y[middle] == new[middle]
    assert 0 < np.mean(follows_new[old[middle] != new[middle]]) < 1


def test_load_scenario_drift_positions_scale_with_size():
    """Drift positions of the other synthetic scenarios follow n_samples."""
    assert load_scenario("agrawal", n_samples=1000).drift_positions == (500,)
    assert load_scenario("stagger", n_samples=900).drift_positions == (300, 600)
    friedman = load_scenario("friedman", n_samples=900)
    assert friedman.drift_positions == (300, 600) and friedman.task == "regression"
    assert friedman.y.dtype.kind == "f"
    hyperplane = load_scenario("hyperplane", n_samples=500)
    assert hyperplane.drift_positions == () and hyperplane.drift_width == 500


def test_load_scenario_agrawal_changes_labelling_function():
    """Agrawal's labels change rule at its drift position (function 0 to 2)."""
    agrawal = load_scenario("agrawal", n_samples=2000, seed=0)
    age = agrawal.X[:, agrawal.feature_names.index("age")]
    rule0 = (age < 40) | (age >= 60)
    before, after = slice(0, 1000), slice(1000, None)
    assert np.mean(agrawal.y[before] == rule0[before]) == 1.0
    assert np.mean(agrawal.y[after] == rule0[after]) < 0.9


def test_load_scenario_returns_fresh_writable_copies():
    """Changing a returned array does not change what the next call returns."""
    a = load_scenario("sea_abrupt", n_samples=500, seed=5)
    assert a.X.flags.writeable and a.y.flags.writeable
    a.X[:] = -1.0
    a.y[:] = 7
    b = load_scenario("sea_abrupt", n_samples=500, seed=5)
    assert b.X.min() >= 0.0 and set(np.unique(b.y)) <= {0, 1}
    assert not np.shares_memory(a.X, b.X)


@pytest.mark.parametrize("name", ["phishing", "image_segments"])
def test_load_scenario_real_sets_have_their_full_size(name):
    """Bundled real sets load whole by default and cut to n_samples from the start."""
    full = load_scenario(name)
    assert full.n_samples == REAL[name] and full.drift_positions == ()
    head = load_scenario(name, n_samples=100)
    np.testing.assert_array_equal(head.X, full.X[:100])
    assert full.task == "classification"


def test_load_scenario_rejects_bad_input():
    """Unknown names list the choices; bad sizes and seeds are ValueErrors."""
    with pytest.raises(ValueError, match="Unknown scenario 'sea'.*sea_abrupt"):
        load_scenario("sea")
    for n_samples in (1, 2.5, "100"):
        with pytest.raises(ValueError, match="n_samples must be an int >= 2"):
            load_scenario("sea_abrupt", n_samples=n_samples)
    with pytest.raises(ValueError, match="seed must be an int"):
        load_scenario("sea_abrupt", n_samples=100, seed=1.5)
