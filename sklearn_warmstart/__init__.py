"""Make the initialisation policy of repeated training runs a measurable choice."""

from .checkpoints import CheckpointError, CheckpointStore
from .estimators import WarmStartClassifier, WarmStartRegressor
from .exceptions import ArchitectureChangedError, DivergenceError, UnsupportedStartError
from .history import History, RunRecord
from .policies import Cold, Every, PartialReset, Perturb, ShrinkPerturb, Warm

__version__ = "0.1.0"

__all__ = [
    "ArchitectureChangedError",
    "CheckpointError",
    "CheckpointStore",
    "Cold",
    "DivergenceError",
    "Every",
    "History",
    "PartialReset",
    "Perturb",
    "RunRecord",
    "ShrinkPerturb",
    "UnsupportedStartError",
    "Warm",
    "WarmStartClassifier",
    "WarmStartRegressor",
    "__version__",
]
