"""Tree ensembles: warm means keep the fitted members and grow new ones."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from .._compat import BaseForest
from .base import Adapter, UnsupportedStartError, set_params_like

__all__ = ["EnsembleAdapter"]

_BAGGING = (BaggingClassifier, BaggingRegressor)
_BOOSTING = (GradientBoostingClassifier, GradientBoostingRegressor)
_HIST = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)


class EnsembleAdapter(Adapter):
    """Adapter for forests, bagging and gradient boosting.

    - ``Warm(grow=k)``: keep every fitted member and train ``k`` new ones on the
      run's data (``None``: a tenth of ``n_estimators``, at least 1). Gradient
      boosting adds ``k`` stages fitted to the residuals of the run's data.
    - ``PartialReset(fraction=f)`` (forests and bagging): replace a random
      fraction ``f`` of the members by new ones trained on the run's data, as
      an adaptive random forest replaces trees.
    - Parameter arithmetic (shrink-perturb, perturb) has no meaning for trees
      and raises.

    ``HistGradientBoosting*`` supports cold starts only: it re-bins the data at
    every ``fit``, and its earlier trees' split bins would be read against the
    new bins (scikit-learn documents its warm start as same-data only).

    Parameters
    ----------
    estimator : estimator
        The model of this family that the adapter reads, builds and trains.
    """

    fit_starts = frozenset({"cold", "warm", "partial_reset"})
    partial_fit_starts = frozenset()

    def __init__(self, estimator: Any):
        super().__init__(estimator)
        if isinstance(estimator, _HIST):
            self.fit_starts = frozenset({"cold"})
        elif isinstance(estimator, _BOOSTING):
            self.fit_starts = frozenset({"cold", "warm"})

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        return isinstance(estimator, (BaseForest, *_BAGGING, *_BOOSTING, *_HIST))

    def supports_partial_fit(self) -> bool:
        return False

    def check_start(self, start, method="fit"):
        super().check_start(start, method)
        if start.kind == "partial_reset" and start.fraction is None:
            raise UnsupportedStartError(
                "PartialReset on an ensemble needs fraction= (the share of members "
                "to replace); layers= and dormant= apply to networks."
            )

    def _grow(self, template: Any, start: Any) -> int:
        grow = getattr(start, "grow", None)
        return grow if grow is not None else max(1, template.n_estimators // 10)

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        model = copy.deepcopy(previous)
        n_members = len(model.estimators_)
        if start.kind == "partial_reset":
            n_drop = int(round(start.fraction * n_members))
            rng = np.random.default_rng(template.random_state)
            drop = set(rng.choice(n_members, size=n_drop, replace=False).tolist())
            keep = [i for i in range(n_members) if i not in drop]
            model.estimators_ = [model.estimators_[i] for i in keep]
            if isinstance(model, _BAGGING):
                model.estimators_features_ = [
                    model.estimators_features_[i] for i in keep
                ]
            n_total = n_members
        else:
            n_total = n_members + self._grow(template, start)
        if isinstance(model, _BOOSTING):
            n_total = model.n_estimators_ + self._grow(template, start)
        set_params_like(
            model,
            template,
            warm_start=True,
            n_estimators=n_total,
            random_state=template.random_state,
        )
        if n_total == len(model.estimators_):  # nothing to grow
            return model
        return model.fit(X, y, **fit_params)

    def n_iter(self, model):
        if isinstance(model, _BOOSTING):
            return int(model.n_estimators_)
        if isinstance(model, _HIST):
            return int(model.n_iter_)
        return len(model.estimators_)
