"""Make the initialisation policy of repeated training runs a measurable choice."""

from .estimators import WarmStartClassifier, WarmStartRegressor
from .exceptions import ArchitectureChangedError, DivergenceError, UnsupportedStartError
from .history import History, RunRecord
from .policies import (
    Cold,
    Every,
    OnDrift,
    OnPlateau,
    PartialReset,
    Perturb,
    ShrinkPerturb,
    Warm,
)
from .prequential import PrequentialResult, prequential_score

__version__ = "0.1.0"

__all__ = [
    "ArchitectureChangedError",
    "Cold",
    "DivergenceError",
    "Every",
    "History",
    "OnDrift",
    "OnPlateau",
    "PartialReset",
    "Perturb",
    "PrequentialResult",
    "RunRecord",
    "ShrinkPerturb",
    "UnsupportedStartError",
    "Warm",
    "WarmStartClassifier",
    "WarmStartRegressor",
    "__version__",
    "prequential_score",
]
