"""Make the initialisation policy of repeated training runs a measurable choice."""

from typing import Any

from .checkpoints import CheckpointError, CheckpointStore
from .estimators import WarmStartClassifier, WarmStartRegressor
from .exceptions import (
    ArchitectureChangedError,
    DivergenceError,
    FirstRunStartWarning,
    UnsupportedStartError,
)
from .policies import (
    Adaptive,
    Cold,
    Every,
    OnDrift,
    OnNewClasses,
    OnPlateau,
    PartialReset,
    Perturb,
    Refresh,
    ShrinkPerturb,
    Warm,
)
from .prequential import PrequentialResult, prequential_score
from .records import History, RunRecord
from .schedules import Retrain

__version__ = "0.1.0"

# Names whose modules pull heavier imports (pandas, scipy.stats, joblib); they
# are imported on first access. matplotlib is only imported when plotting.
_LAZY = {
    "StudyResult": "study",
    "compare_policies": "study",
    "perturbation_sensitivity": "study",
    "WarmGridSearchCV": "search",
    "WarmRandomizedSearchCV": "search",
}

__all__ = [
    "Adaptive",
    "ArchitectureChangedError",
    "CheckpointError",
    "CheckpointStore",
    "Cold",
    "DivergenceError",
    "Every",
    "FirstRunStartWarning",
    "History",
    "OnDrift",
    "OnNewClasses",
    "OnPlateau",
    "PartialReset",
    "Perturb",
    "Refresh",
    "PrequentialResult",
    "Retrain",
    "RunRecord",
    "ShrinkPerturb",
    "StudyResult",
    "UnsupportedStartError",
    "Warm",
    "WarmGridSearchCV",
    "WarmRandomizedSearchCV",
    "WarmStartClassifier",
    "WarmStartRegressor",
    "__version__",
    "compare_policies",
    "perturbation_sensitivity",
    "prequential_score",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
