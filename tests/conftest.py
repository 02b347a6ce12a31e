import warnings

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _no_global_random_state_use():
    """Tests must not depend on (or leak) numpy's global random state."""
    state = np.random.get_state()  # noqa: NPY002
    yield
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0] and np.array_equal(state[1], after[1]), (
        "numpy's global random state was used"
    )


def pytest_configure(config):
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="river")
