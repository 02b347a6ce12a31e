"""Any other estimator: warm through its ``warm_start`` flag, or cold only."""

from __future__ import annotations

import copy
from typing import Any

from .base import Adapter, set_params_like

__all__ = ["WarmStartFlagAdapter"]


class WarmStartFlagAdapter(Adapter):
    """Fallback adapter for estimators no family adapter knows.

    With a ``warm_start`` parameter, ``Warm`` refits a copy of the previous
    model with ``warm_start=True`` (what "warm" means is then the estimator's
    own definition). Without one, only ``Cold`` is supported in ``fit``.
    Streaming steps continue the previous model's ``partial_fit`` when it has
    one. Starts that need parameter arithmetic raise.

    Parameters
    ----------
    estimator : estimator
        The model of this family that the adapter reads, builds and trains.
    """

    def __init__(self, estimator: Any):
        super().__init__(estimator)
        if "warm_start" in estimator.get_params(deep=False):
            self.fit_starts = frozenset({"cold", "warm"})

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        return True

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        model = copy.deepcopy(previous)
        overrides = {"warm_start": True}
        if "random_state" in model.get_params(deep=False):
            overrides["random_state"] = template.random_state
        set_params_like(model, template, **overrides)
        return model.fit(X, y, **fit_params)
