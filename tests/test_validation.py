"""Parameter errors name the parameter, what it accepts and what was given."""

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from sklearn_warmstart import Every, OnPlateau, WarmStartClassifier
from sklearn_warmstart._validation import check_choice, check_int, check_real
from sklearn_warmstart.datasets import load_scenario
from sklearn_warmstart.policies import ShrinkPerturb, Warm
from sklearn_warmstart.prequential import prequential_score
from sklearn_warmstart.schedules import Retrain

X = np.random.default_rng(0).normal(size=(60, 3))
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"reset": Every(0)}, r"Every\(k\) must be an int >= 1, got 0\."),
        ({"reset": Every(True)}, r"Every\(k\) must be an int >= 1, got True\."),
        (
            {"reset": OnPlateau(patience=2.0)},
            r"OnPlateau\(patience\) must be an int >= 1, got 2\.0\.",
        ),
        (
            {"reset": OnPlateau(min_delta=-0.1)},
            r"min_delta must be a finite number >= 0\.0, got -0\.1\.",
        ),
        (
            {"start": Warm(grow=0)},
            r"Warm\(grow=\.\.\.\) must be None or an int >= 1, got 0\.",
        ),
        (
            {"start": ShrinkPerturb(shrink=np.nan)},
            r"shrink must be a finite number in \[0\.0, 1\.0\], got nan\.",
        ),
        (
            {"schedule": Retrain(3, window="growing")},
            r"Retrain\(window=\.\.\.\) must be 'expanding' or 'sliding', "
            r"got 'growing'\.",
        ),
        (
            {"schedule": Retrain(3, restart="always")},
            r"Retrain\(restart=\.\.\.\) must be 'drift', 'reset' or 'never', "
            r"got 'always'\.",
        ),
        (
            {"schedule": Retrain(3, window_size=np.int64(-1))},
            r"Retrain\(window_size=\.\.\.\) must be None or an int >= 1, got .*-1",
        ),
    ],
)
def test_validation_fit_names_the_bad_parameter(params, message):
    """fit refuses a bad policy or schedule parameter with one sentence about it."""
    clf = WarmStartClassifier(SGDClassifier(random_state=0), random_state=0, **params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")


def test_validation_use_layer_messages():
    """prequential_score and load_scenario word their checks the same way."""
    with pytest.raises(ValueError, match=r"chunk_size must be an int >= 1, got 0\."):
        prequential_score(SGDClassifier(), X, y, chunk_size=0)
    with pytest.raises(
        ValueError, match=r"n_samples must be an int >= 2, got 1\. None gives"
    ):
        load_scenario("sea_abrupt", n_samples=1)
    with pytest.raises(ValueError, match=r"seed must be an int, got True\."):
        load_scenario("sea_abrupt", n_samples=100, seed=True)


def test_validation_helpers_return_plain_values_and_accept_numpy_numbers():
    """numpy ints and floats pass and come back as Python ints and floats."""
    assert type(check_int(np.int32(4), "n")) is int
    assert check_int(None, "n", none_ok=True) is None
    assert type(check_real(np.float32(0.5), "x", low=0.0, high=1.0)) is float
    assert check_real(3, "x", low=0.0) == 3.0
    assert check_choice("b", "mode", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"x must be a finite number <= 1\.0, got 2\."):
        check_real(2, "x", high=1.0)
    with pytest.raises(ValueError, match=r"mode must be 'a' or 'b', got array"):
        check_choice(np.array(["a"]), "mode", ("a", "b"))
    with pytest.raises(ValueError, match=r"x must be a finite number, got 1000"):
        check_real(10**400, "x")
    with pytest.raises(ValueError, match=r"n must be an int >= 1, got 2\.0\. Use"):
        check_int(2.0, "n", note="Use an int.")


def test_guard_keeps_the_fast_path_when_the_same_classes_are_passed_again():
    """A streaming loop that passes the first run's classes on every call skips re-validation."""
    from sklearn_warmstart._validation import Schema, guard_rows

    owner = WarmStartClassifier(SGDClassifier())
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, 50)
    schema = Schema(3, None, np.array([0, 1]))
    same = guard_rows(owner, X, y, schema, is_classifier=True, classes=[1, 0])
    assert same.proven_finite and same.X is X
    with pytest.raises(ValueError, match=r"`classes=\[0, 1, 2\]` is not the same"):
        guard_rows(owner, X, y, schema, is_classifier=True, classes=[0, 1, 2])
