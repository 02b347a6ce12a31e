"""XGBoost: ``XGBClassifier`` / ``XGBRegressor`` (xgboost imported lazily)."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier

from ._boosting import BoostingAdapter, category_levels

__all__ = ["XGBoostAdapter"]

#: Objectives whose prediction follows from the margin by a rule applied here:
#: the sign (binary), the argmax (multiclass), the margin itself (squared error).
_CLASSIFY = frozenset({"binary:logistic", "multi:softprob"})
_REGRESS = frozenset({"reg:squarederror"})
#: Margins closer than this to a decision boundary are labelled by XGBoost
#: itself: its float32 sigmoid or softmax may round them onto the boundary.
_TIE = 1e-5


def _xgb() -> Any:
    import xgboost

    return xgboost


def _blend_leaves(old: Any, new: Any, decay: float) -> Any:
    """``new`` with every leaf value set to ``decay * old + (1 - decay) * new``."""
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
    return _load_json(new_model, like=new)


def _load_json(model: dict[str, Any], like: Any) -> Any:
    """The booster of a JSON model, on the device and threads of ``like``."""
    xgb = _xgb()
    booster = xgb.Booster()
    booster.load_model(bytearray(json.dumps(model).encode()))
    config = json.loads(like.save_config())["learner"]["generic_param"]
    booster.set_param({"device": config["device"], "nthread": config["nthread"]})
    return booster


def _append_trees(old: Any, new: Any) -> Any:
    """One booster: the rounds of ``old``, then those of ``new``."""
    merged = json.loads(old.save_raw(raw_format="json"))
    model = merged["learner"]["gradient_booster"]["model"]
    added = json.loads(new.save_raw(raw_format="json"))
    added = added["learner"]["gradient_booster"]["model"]
    n_trees, offset = len(model["trees"]), model["iteration_indptr"][-1]
    for i, tree in enumerate(added["trees"]):
        tree["id"] = n_trees + i
    model["trees"] += added["trees"]
    model["tree_info"] += added["tree_info"]
    model["iteration_indptr"] += [offset + i for i in added["iteration_indptr"][1:]]
    model["gbtree_model_param"]["num_trees"] = str(len(model["trees"]))
    return _load_json(merged, like=new)


def _from_margin(model: Any, objective: Any) -> bool:
    """Whether ``model``'s predictions follow from its margins by :func:`_labels`."""
    allowed = _CLASSIFY if is_classifier(model) else _REGRESS
    return objective in allowed and model.get_params().get("booster") in (
        None,
        "gbtree",
    )


def _labels(margin: Any) -> Any:
    """XGBoost's labels of binary or softprob margins; None near a boundary."""
    if margin.ndim == 1:
        if np.any(np.abs(margin) < _TIE):
            return None
        labels = np.repeat(0, margin.shape[0])
        labels[margin > 0] = 1
        return labels
    top = np.partition(margin, -2, axis=1)[:, -2:]
    if np.any(top[:, 1] - top[:, 0] < _TIE):
        return None
    return np.argmax(margin, axis=1)


class XGBoostAdapter(BoostingAdapter):
    """Adapter for XGBoost's scikit-learn models.

    Warm runs continue from the previous booster (``xgb_model``), cut to its
    best iteration when early stopping chose one (XGBoost would otherwise
    keep predicting with the old best iteration only). When a warm run trains
    on the very rows the run loop has just scored with the previous model,
    its new rounds grow from those margins (``base_margin`` on a ``DMatrix``)
    and are appended to the old trees: the trees XGBoost's continuation grows
    on a ``DMatrix``, without scoring every row with every old tree again.
    (With the default ``hist`` method, ``fit(xgb_model=...)`` scores the old
    trees on quantized rows instead, so its new trees differ slightly.) Eval
    sets, early stopping, callbacks, categorical data, objectives other than
    ``binary:logistic``, ``multi:softprob`` and ``reg:squarederror``, and
    boosters other than ``gbtree`` take the ``xgb_model`` path.

    Refresh runs XGBoost's ``refresh`` updater with ``refresh_leaf`` (leaves
    re-estimated tree by tree on the run's rows); XGBoost has no decay, so for
    ``0 < decay < 1`` each leaf is blended afterwards,
    ``decay * old + (1 - decay) * refreshed``. Checkpoints hold XGBoost's
    UBJSON model (classes, feature names and types, categories included).
    ``device="cuda"`` is kept for every start.

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

    def predict(self, model: Any, X: Any) -> Any:
        """The model's predictions on validated rows, keeping its margins.

        The run loop first scores a run's rows with the previous model (the
        prequential evidence); a warm run on the same rows boosts from those
        margins instead of having XGBoost score every row with every old tree
        again, and keeps the new model's margins for its training score.
        """
        if not _from_margin(model, model.objective):
            return model.predict(X)
        booster = model.get_booster()
        margin = self._known_scores(booster, X)
        if margin is None:
            margin = model.predict(X, output_margin=True)
        if not is_classifier(model):
            self._keep_scores(booster, X, margin)
            return margin  # its prediction is the margin, bit for bit
        if margin.ndim != (2 if model.objective == "multi:softprob" else 1):
            return model.predict(X)  # multi-label: a threshold per column
        self._keep_scores(booster, X, margin)
        labels = _labels(margin)
        return model.predict(X) if labels is None else labels

    def _boosts_from_margins(self, template: Any, X: Any, margin: Any) -> bool:
        """Whether new rounds grown from ``margin`` equal XGBoost's continuation."""
        params = template.get_params()
        metric = params.get("eval_metric")
        return (
            _from_margin(template, params.get("objective"))
            and template.get_xgb_params().get("num_parallel_tree") in (None, 1)
            and params.get("early_stopping_rounds") is None
            and not params.get("callbacks")
            and (metric is None or isinstance(metric, str))
            and not params.get("enable_categorical")
            and not category_levels(X)
            and (margin.ndim == 1 or is_classifier(template))
        )

    def boost(self, template, init, X, y, fit_params, extra):
        params = dict(fit_params)
        margin = None if init is None else self._known_scores(init, X, fit_params)
        # Weighted rows stay on fit(): its recorded training loss is unweighted.
        if (
            margin is not None
            and "sample_weight" not in params
            and self._boosts_from_margins(template, X, margin)
        ):
            model = self._boost_from_margins(template, init, X, y, margin)
            if model is not None:
                return model
        if "eval_set" not in params:
            params["eval_set"] = [(X, y)]  # the training matrix itself
            params.setdefault("verbose", False)
        return template.fit(X, y, xgb_model=init, **params)

    def _boost_from_margins(self, template, init, X, y, margin):
        """New rounds grown from known margins, appended to ``init``'s rounds.

        The same trees as XGBoost's continuation from ``init`` on a
        ``DMatrix`` (bit-identical margins), without scoring the rows with the
        old trees again. None when the labels are not the model's classes
        (the ordinary path then raises XGBoost's own error).
        """
        xgb = _xgb()
        params = template.get_xgb_params()
        classifier = is_classifier(template)
        if classifier:
            n_classes = 2 if margin.ndim == 1 else margin.shape[1]
            if np.ndim(y) != 1 or not np.array_equal(
                np.unique(np.asarray(y)), np.arange(n_classes)
            ):
                return None
            if n_classes > 2:
                params.update(objective="multi:softprob", num_class=n_classes)
        if template.eval_metric is not None:
            params["eval_metric"] = template.eval_metric
        data = xgb.DMatrix(
            X,
            label=y,
            base_margin=margin,
            missing=template.missing,
            nthread=template.n_jobs,
            feature_types=template.feature_types,
            feature_weights=template.feature_weights,
        )
        evals_result: dict[str, Any] = {}
        new = xgb.train(
            params,
            data,
            template.get_num_boosting_rounds(),
            evals=[(data, "validation_0")],
            evals_result=evals_result,
            verbose_eval=False,
        )
        model = template
        model._Booster = _append_trees(init, new)
        model.objective = params["objective"]
        if classifier:
            model.n_classes_ = n_classes
        model.evals_result_ = evals_result
        # The new model's margins on these rows, for the run's training score.
        self._keep_scores(model._Booster, X, new.predict(data, output_margin=True))
        return model

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
