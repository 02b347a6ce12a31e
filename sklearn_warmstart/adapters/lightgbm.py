"""LightGBM: ``LGBMClassifier`` / ``LGBMRegressor`` (lightgbm imported lazily)."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
from sklearn.preprocessing import LabelEncoder

from ._boosting import BoostingAdapter

__all__ = ["LightGBMAdapter"]

#: Objectives whose label is the sign (binary) or argmax (multiclass) of the raw score.
_CLASSIFY = frozenset({"binary", "multiclass", "multiclassova"})


def _lgb() -> Any:
    import lightgbm

    return lightgbm


class LightGBMAdapter(BoostingAdapter):
    """Adapter for LightGBM's scikit-learn models.

    Warm runs continue from the previous booster (``init_model``); Refresh is
    ``Booster.refit(decay_rate=decay)``, which re-estimates the leaves tree by
    tree on the run's rows; PartialReset keeps the first rounds of the model
    string. Checkpoints hold LightGBM's text model (it includes the feature
    names and the pandas categories) and the label encoding as JSON.
    Categorical columns whose levels differ from the first run's are refused:
    LightGBM itself would silently read the old trees against the new codes.
    The per-round training loss comes from evaluating the training set, which
    LightGBM does from the scores it keeps (no extra pass over the rows).

    Parameters
    ----------
    estimator : estimator
        The LightGBM model (classifier or regressor) the wrapper trains.
    max_rounds : int or None, default=None
        Cap on the total boosting rounds a warm run may reach; a run that
        would pass it starts cold, with the reason recorded. None means
        ``max_rounds_factor`` (4) times the model's ``n_estimators``.
    """

    library = "LightGBM"
    payload_kind = "lightgbm"
    package = "lightgbm"
    model_base = "LGBMModel"

    def n_rounds(self, model: Any) -> int:
        return int(model.booster_.current_iteration())

    def predict(self, model: Any, X: Any) -> Any:
        """The model's labels on validated rows, keeping a classifier's raw scores.

        The run loop first scores a run's rows with the previous model (the
        prequential evidence); a warm run on the same rows boosts from those
        scores instead of having LightGBM score every row with every old tree
        again (most of a warm run's time).
        """
        if not hasattr(model, "classes_") or model._objective not in _CLASSIFY:
            return model.predict(X)
        raw = model.booster_.predict(X, raw_score=True)
        if raw.ndim == 1:
            labels = model.classes_[(raw > 0).astype(int)]
        else:
            labels = model.classes_[np.argmax(raw, axis=1)]
        self._keep_scores(model.booster_, X, raw)
        return labels

    def boost(self, template, init, X, y, fit_params, extra):
        params = dict(fit_params)
        known = None if init is None else self._known_scores(init, X, fit_params)
        if known is not None and hasattr(_lgb().basic, "_LIB"):
            return self._boost_from_scores(template, init, X, y, params, known)
        with warnings.catch_warnings():
            if "eval_set" not in params and "eval_X" not in params:
                # The training set itself (the same objects) is evaluated from
                # the scores LightGBM keeps; eval_X would score a copy.
                params["eval_set"] = [(X, y)]
                warnings.filterwarnings(
                    "ignore", message="The argument 'eval_set' is deprecated"
                )
            return template.fit(X, y, init_model=init, **params)

    def _boost_from_scores(self, template, init, X, y, params, raw):
        """New rounds trained from known raw scores, appended to a copy of ``init``.

        Equal to ``fit(init_model=init)`` (the same trees, bit-identical
        scores) without scoring the rows with the old trees again.
        """
        lgb = _lgb()
        params["eval_set"] = [(X, y)]
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The argument 'eval_set' is deprecated"
            )
            model = template.fit(X, y, init_score=raw, **params)
        old = lgb.Booster(model_str=init.model_to_string())
        # LightGBM's Python API does not expose merging; the C API puts the
        # old trees first, then the new ones, into the new model's booster.
        lgb.basic._safe_call(
            lgb.basic._LIB.LGBM_BoosterMerge(model.booster_._handle, old._handle)
        )
        return model

    def init_of(self, model: Any) -> Any:
        return model.booster_

    def truncate(self, model: Any, n_rounds: int) -> Any:
        lgb = _lgb()
        return lgb.Booster(model_str=model.booster_.model_to_string(n_rounds))

    def refresh(self, model, X, y, decay, fit_params):
        refreshed = copy.deepcopy(model)
        if decay == 1.0:
            return refreshed
        labels = model._le.transform(y) if hasattr(model, "classes_") else y
        refreshed._Booster = model.booster_.refit(
            X, labels, decay_rate=decay, weight=fit_params.get("sample_weight")
        )
        return refreshed

    def loss_curve(self, model: Any) -> tuple[float, ...]:
        results = getattr(model, "evals_result_", None) or {}
        if not results:
            return ()
        name = "training" if "training" in results else next(iter(results))
        metrics = results[name]
        return tuple(float(v) for v in next(iter(metrics.values()), ()))

    # ---------------------------------------------------------------- checkpoints
    def native_bytes(self, model: Any) -> bytes:
        return model.booster_.model_to_string().encode()

    def fitted_state(self, model: Any) -> dict[str, Any]:
        state = {
            "n_features": int(model._n_features),
            "n_features_in": int(model._n_features_in),
            "fitted_with_feature_names": bool(model._fitted_with_feature_names),
            "objective": model._objective
            if isinstance(model._objective, str)
            else None,
            "best_iteration": int(model._best_iteration),
        }
        if hasattr(model, "classes_"):
            state["classes"] = model.classes_.tolist()
            state["classes_dtype"] = model.classes_.dtype.str
        return state

    def from_native(self, template, blob, state):
        lgb = _lgb()
        model = template
        model._Booster = lgb.Booster(model_str=blob.decode())
        model._n_features = state["n_features"]
        model._n_features_in = state["n_features_in"]
        model._fitted_with_feature_names = state["fitted_with_feature_names"]
        model._objective = state["objective"]
        model._best_iteration = state["best_iteration"]
        model._evals_result = {}
        model._best_score = {}
        if "classes" in state:
            classes = np.asarray(
                state["classes"], dtype=np.dtype(state["classes_dtype"])
            )
            encoder = LabelEncoder()
            encoder.classes_ = classes
            model._le = encoder
            model._classes = classes
            model._n_classes = len(classes)
        model.fitted_ = True
        return model
