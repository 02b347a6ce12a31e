import warnings

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _no_global_random_state_use(request):
    """Our code and tests must not use (or leak) numpy's global random state.

    scikit-learn's own estimator checks draw from it, so test_common is exempt.
    """
    if request.node.path.name == "test_common.py":
        yield
        return
    state = np.random.get_state()  # noqa: NPY002
    yield
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0] and np.array_equal(state[1], after[1]), (
        "numpy's global random state was used"
    )


@pytest.fixture
def dask_client():
    """A two-worker in-process Dask cluster that joblib's "dask" backend uses."""
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def pytest_configure(config):
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="river")
