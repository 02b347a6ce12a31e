"""Tree ensembles: warm means keep the fitted members and grow new ones."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from sklearn.base import is_classifier, is_regressor
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
    - ``Refresh(decay=d)`` (random and extra-trees forests): keep every tree's
      structure and re-estimate its leaves from the run's rows that reach
      them (``apply``), ``d * old + (1 - d) * fitted``; leaves no row reaches
      keep their value. ``fitted`` is the mean target (regression) or the
      class proportions (classification).
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
        elif isinstance(estimator, BaseForest) and (
            is_classifier(estimator) or is_regressor(estimator)
        ):
            self.fit_starts = frozenset({"cold", "warm", "partial_reset", "refresh"})

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
        if start.kind == "refresh":
            return self._refresh(previous, X, y, start.decay)
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

    def chain_step(self, param):
        if param == "n_estimators" and "warm" in self.fit_starts:
            return "increasing"  # grow only the new members
        return None

    def fit_chain(self, template, previous, start, X, y, fit_params):
        """Grow a copy of ``previous`` to ``template.n_estimators`` members.

        Only the new members are trained; with the same ``random_state`` a
        forest grown this way equals a fresh forest of that size. None when
        ``template`` asks for fewer members than ``previous`` has.
        """
        if "warm" not in self.fit_starts:
            return None
        if template.n_estimators < self.n_iter(previous):
            return None
        model = copy.deepcopy(previous)
        set_params_like(model, template, warm_start=True)
        if template.n_estimators == self.n_iter(previous):
            return model  # nothing to grow
        return model.fit(X, y, **fit_params)

    def chain_n_iter(self, model, previous):
        if previous is None:
            return self.n_iter(model)
        return self.n_iter(model) - self.n_iter(previous)

    def n_iter(self, model):
        if isinstance(model, _BOOSTING):
            return int(model.n_estimators_)
        if isinstance(model, _HIST):
            return int(model.n_iter_)
        return len(model.estimators_)

    def _refresh(self, previous: Any, X: Any, y: Any, decay: float) -> Any:
        """A copy of the forest with leaf values re-estimated on ``X, y``."""
        model = copy.deepcopy(previous)
        if decay == 1.0:
            return model
        y = np.asarray(y)
        if y.ndim > 1 and y.shape[1] > 1:
            raise UnsupportedStartError(
                "Refresh on a forest supports one output; use a cold start."
            )
        y = y.reshape(-1)
        leaves = model.apply(X)
        if is_classifier(model):
            targets = np.eye(len(model.classes_))[np.searchsorted(model.classes_, y)]
        else:
            targets = y.astype(np.float64)[:, None]
        for t, tree in enumerate(model.estimators_):
            values = tree.tree_.value  # (n_nodes, 1, n_classes or 1), in place
            counts = np.bincount(leaves[:, t], minlength=len(values))
            reached = counts > 0
            sums = np.zeros((len(values), targets.shape[1]))
            np.add.at(sums, leaves[:, t], targets)
            fitted = sums[reached] / counts[reached, None]
            values[reached, 0, :] = decay * values[reached, 0, :] + (1 - decay) * fitted
        return model
