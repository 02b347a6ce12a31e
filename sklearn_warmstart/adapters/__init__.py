"""Model-family adapters and the choice of one for an estimator.

torch and skorch are imported only when a skorch net is wrapped; lightgbm,
xgboost and catboost only when their models are trained or loaded.
"""

from __future__ import annotations

from typing import Any

from .base import Adapter, ArchitectureChangedError, UnsupportedStartError
from .catboost import CatBoostAdapter
from .ensemble import EnsembleAdapter
from .generic import WarmStartFlagAdapter
from .lightgbm import LightGBMAdapter
from .linear import LinearAdapter
from .mlp import MLPAdapter
from .pipeline import PipelineAdapter
from .xgboost import XGBoostAdapter

__all__ = [
    "Adapter",
    "ArchitectureChangedError",
    "CatBoostAdapter",
    "EnsembleAdapter",
    "LightGBMAdapter",
    "LinearAdapter",
    "MLPAdapter",
    "PipelineAdapter",
    "UnsupportedStartError",
    "WarmStartFlagAdapter",
    "XGBoostAdapter",
    "adapter_for",
]

_FAMILIES: tuple[type[Adapter], ...] = (
    LinearAdapter,
    MLPAdapter,
    EnsembleAdapter,
    LightGBMAdapter,
    XGBoostAdapter,
    CatBoostAdapter,
)


def _is_skorch_net(estimator: Any) -> bool:
    return any(cls.__module__.startswith("skorch") for cls in type(estimator).__mro__)


def adapter_for(estimator: Any) -> Adapter:
    """The adapter that knows ``estimator``'s family (the fallback otherwise)."""
    if isinstance(estimator, Adapter):
        return estimator
    if PipelineAdapter.handles(estimator):
        return PipelineAdapter(estimator, adapter_for(estimator._final_estimator))
    if _is_skorch_net(estimator):
        from .skorch import SkorchAdapter

        return SkorchAdapter(estimator)
    for family in _FAMILIES:
        if family.handles(estimator):
            return family(estimator)
    return WarmStartFlagAdapter(estimator)
