"""Policy comparisons as cross-validation, verdicts and perturbation sensitivity.

:func:`compare_policies` answers "for my model and my data updates, when does
warm-starting help, when is it neutral, when does it hurt?". Every policy and
seed becomes a candidate of an ordinary parameter grid on the meta-estimator's
``start``/``reset``/``random_state``; every (candidate, fold) pair is fitted and
scored by :func:`sklearn.model_selection.cross_validate` on a time-ordered
split, and the estimator's ``schedule`` makes each of those fits replay the
whole retraining sequence. Nothing is shared between fits, so the study runs
under any joblib backend.

Scaling out with Dask
---------------------
The fits are dispatched with :class:`joblib.Parallel`, so the same study runs
on a Dask cluster unchanged::

    import joblib
    from dask.distributed import Client

    client = Client("tcp://scheduler-address:8786")   # a running cluster
    with joblib.parallel_backend("dask", scatter=[X, y]):
        result = compare_policies(estimator, X, y, policies, n_jobs=-1)

Every worker needs the same versions of ``sklearn-warmstart``, scikit-learn
and the model's libraries (install them in the workers' environment, or use
``client.upload_file`` for a development checkout); ``scatter`` sends the
arrays to the workers once instead of with every task. ``n_jobs=-1`` (or
``None``) uses all the cluster's workers. Results do not depend on the
backend: each fit is seeded from its own seed, so a Dask run gives the same
tables as a local one (timings aside).

The work is split by job: :mod:`~sklearn_warmstart.study.resolve` validates
the inputs, :mod:`~sklearn_warmstart.study.plan` holds the settings
(:class:`StudyConfig`) and lists the fits (:class:`StudyPlan`),
:mod:`~sklearn_warmstart.study.fit` fits and scores them,
:mod:`~sklearn_warmstart.study.stats` tests and measures,
:mod:`~sklearn_warmstart.study.assemble` builds the :class:`StudyResult`, and
:mod:`~sklearn_warmstart.study.sensitivity` measures perturbation sensitivity.
"""

from .compare import compare_policies
from .plan import StudyConfig, StudyPlan
from .resolve import builtin_policies, time_ordered_cv, unsupported_policies
from .result import TIMING_COLUMNS as TIMING_COLUMNS
from .result import StudyResult
from .sensitivity import perturbation_sensitivity

__all__ = [
    "StudyConfig",
    "StudyPlan",
    "StudyResult",
    "builtin_policies",
    "compare_policies",
    "perturbation_sensitivity",
    "time_ordered_cv",
    "unsupported_policies",
]
