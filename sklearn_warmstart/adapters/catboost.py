"""CatBoost: ``CatBoostClassifier`` / ``CatBoostRegressor`` (catboost imported lazily)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from ._boosting import BoostingAdapter

__all__ = ["CatBoostAdapter"]


class CatBoostAdapter(BoostingAdapter):
    """Adapter for CatBoost's scikit-learn style models.

    Warm runs continue from the previous model (``init_model``) with its
    learning rate pinned: CatBoost would otherwise choose a new automatic
    rate for the smaller continuation. PartialReset keeps a shrunk copy of
    the first rounds. CatBoost has no leaf refresh, so ``Refresh`` is
    refused. Checkpoints hold CatBoost's ``cbm`` model (classes and feature
    names included).

    Parameters
    ----------
    estimator : estimator
        The CatBoost model (classifier or regressor) the wrapper trains.
    max_rounds : int or None, default=None
        Cap on the total boosting rounds a warm run may reach; a run that
        would pass it starts cold, with the reason recorded. None means
        ``max_rounds_factor`` (4) times the model's ``n_estimators``.
    """

    fit_starts = frozenset({"cold", "warm", "partial_reset"})
    partial_fit_starts = fit_starts
    library = "CatBoost"
    size_param = "iterations"
    default_size = 1000
    payload_kind = "catboost"
    package = "catboost"
    model_base = "CatBoost"

    def n_rounds(self, model: Any) -> int:
        return int(model.tree_count_)

    def boost(self, template, init, X, y, fit_params, extra):
        return template.fit(X, y, init_model=init, **fit_params)

    def init_of(self, model: Any) -> Any:
        return model

    def warm_params(self, previous: Any) -> dict[str, Any]:
        if self.estimator.get_params().get("learning_rate") is None:
            return {"learning_rate": previous.learning_rate_}
        return {}

    def truncate(self, model: Any, n_rounds: int) -> Any:
        prefix = model.copy()
        prefix.shrink(ntree_end=n_rounds)
        return prefix

    def loss_curve(self, model: Any) -> tuple[float, ...]:
        learn = (getattr(model, "evals_result_", None) or {}).get("learn", {})
        return tuple(float(v) for v in next(iter(learn.values()), ()))

    # ---------------------------------------------------------------- checkpoints
    def native_bytes(self, model: Any) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.cbm")
            model.save_model(path, format="cbm")
            with open(path, "rb") as file:
                return file.read()

    def fitted_state(self, model: Any) -> dict[str, Any]:
        return {"n_features_in": int(model.n_features_in_)}

    def from_native(self, template, blob, state):
        template.load_model(blob=blob)
        template._n_features_in = state["n_features_in"]
        return template
