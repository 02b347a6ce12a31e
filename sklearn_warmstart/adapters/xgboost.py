"""XGBoost: ``XGBClassifier`` / ``XGBRegressor`` (xgboost imported lazily)."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

from ._boosting import BoostingAdapter

__all__ = ["XGBoostAdapter"]


def _xgb() -> Any:
    import xgboost

    return xgboost


def _blend_leaves(old: Any, new: Any, decay: float) -> Any:
    """``new`` with every leaf value set to ``decay * old + (1 - decay) * new``."""
    xgb = _xgb()
    old_model = json.loads(old.save_raw(raw_format="json"))
    new_model = json.loads(new.save_raw(raw_format="json"))
    trees = zip(
        old_model["learner"]["gradient_booster"]["model"]["trees"],
        new_model["learner"]["gradient_booster"]["model"]["trees"],
    )
    for old_tree, new_tree in trees:
        for i, left in enumerate(new_tree["left_children"]):
            if left != -1:
                continue
            for key in ("split_conditions", "base_weights"):
                new_tree[key][i] = (
                    decay * old_tree[key][i] + (1.0 - decay) * new_tree[key][i]
                )
    blended = xgb.Booster()
    blended.load_model(bytearray(json.dumps(new_model).encode()))
    config = json.loads(new.save_config())["learner"]["generic_param"]
    blended.set_param({"device": config["device"], "nthread": config["nthread"]})
    return blended


class XGBoostAdapter(BoostingAdapter):
    """Adapter for XGBoost's scikit-learn models.

    Warm runs continue from the previous booster (``xgb_model``), cut to its
    best iteration when early stopping chose one (XGBoost would otherwise
    keep predicting with the old best iteration only). Refresh runs XGBoost's
    ``refresh`` updater with ``refresh_leaf`` (leaves re-estimated tree by
    tree on the run's rows); XGBoost has no decay, so for ``0 < decay < 1``
    each leaf is blended afterwards, ``decay * old + (1 - decay) * refreshed``.
    Checkpoints hold XGBoost's UBJSON model (classes, feature names and types,
    categories included). ``device="cuda"`` is kept for every start.

    Parameters
    ----------
    estimator : estimator
        The XGBoost model (classifier or regressor) the wrapper trains.
    max_rounds : int or None, default=None
        Cap on the total boosting rounds a warm run may reach; a run that
        would pass it starts cold, with the reason recorded. None means
        ``max_rounds_factor`` (4) times the model's ``n_estimators``.
    """

    library = "XGBoost"
    payload_kind = "xgboost"
    package = "xgboost"
    model_base = "XGBModel"

    def n_rounds(self, model: Any) -> int:
        return int(model.get_booster().num_boosted_rounds())

    def boost(self, template, init, X, y, fit_params, extra):
        params = dict(fit_params)
        if "eval_set" not in params:
            params["eval_set"] = [(X, y)]  # the training matrix itself
            params.setdefault("verbose", False)
        return template.fit(X, y, xgb_model=init, **params)

    def init_of(self, model: Any) -> Any:
        booster = model.get_booster()
        best = booster.attr("best_iteration")
        if best is not None and int(best) + 1 < booster.num_boosted_rounds():
            return booster[: int(best) + 1]
        return booster

    def truncate(self, model: Any, n_rounds: int) -> Any:
        return model.get_booster()[:n_rounds]

    def refresh(self, model, X, y, decay, fit_params):
        xgb = _xgb()
        refreshed = copy.deepcopy(model)
        if decay == 1.0:
            return refreshed
        booster = model.get_booster()
        params = {k: v for k, v in model.get_xgb_params().items() if v is not None}
        if getattr(model, "n_classes_", 2) > 2:
            params["num_class"] = model.n_classes_
        params.update(process_type="update", updater="refresh", refresh_leaf=True)
        params.pop("tree_method", None)
        data = xgb.DMatrix(
            X,
            label=y,
            weight=fit_params.get("sample_weight"),
            missing=model.missing,
            enable_categorical=bool(model.enable_categorical),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            new = xgb.train(
                params,
                data,
                num_boost_round=booster.num_boosted_rounds(),
                xgb_model=booster,
            )
        if decay > 0.0:
            new = _blend_leaves(booster, new, decay)
        refreshed._Booster = new
        return refreshed

    def loss_curve(self, model: Any) -> tuple[float, ...]:
        try:
            results = model.evals_result()
        except Exception:  # noqa: BLE001 - no evaluation was recorded
            return ()
        if not results:
            return ()
        metrics = next(iter(results.values()))
        return tuple(float(v) for v in next(iter(metrics.values()), ()))

    # ---------------------------------------------------------------- checkpoints
    def native_bytes(self, model: Any) -> bytes:
        return bytes(model.get_booster().save_raw(raw_format="ubj"))

    def from_native(self, template, blob, state):
        template.load_model(bytearray(blob))
        return template
