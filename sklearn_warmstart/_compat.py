"""The one place that touches scikit-learn's private helpers and attributes.

When scikit-learn changes one of these, only this file changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import _estimator_has, validate_data

__all__ = [
    "estimator_has",
    "mlp_fresh_parameters",
    "sgd_fit_continuing",
    "validate_data",
]

estimator_has = _estimator_has


def sgd_fit_continuing(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    coef_init: np.ndarray,
    intercept_init: np.ndarray,
    t: float,
    classes: np.ndarray | None,
    sample_weight: np.ndarray | None = None,
) -> Any:
    """``fit`` an SGD-family model from given weights without restarting ``t_``.

    ``BaseSGD.fit`` sets ``t_ = 1`` before training, which restarts the
    learning-rate schedule and wastes a warm start (warm = cold epochs). This
    runs the same training loop (``max_iter`` epochs, ``tol`` stopping) with the
    schedule continuing from ``t``.
    """
    model.t_ = float(t)
    kwargs = dict(
        alpha=model.alpha,
        loss=model.loss,
        learning_rate=model.learning_rate,
        max_iter=model.max_iter,
        sample_weight=sample_weight,
        coef_init=coef_init,
        intercept_init=intercept_init,
    )
    if hasattr(model, "classes_") or classes is not None:
        kwargs["classes"] = classes
    model._partial_fit(X, y, **kwargs)
    return model


def mlp_fresh_parameters(
    template: Any, layer_units: list[int], dtype: Any, seed: int
) -> dict[str, np.ndarray]:
    """Glorot-uniform weights exactly as ``BaseMultilayerPerceptron`` draws them."""
    probe = template.__class__(**template.get_params())
    probe._random_state = np.random.RandomState(seed)
    params: dict[str, np.ndarray] = {}
    for i, (fan_in, fan_out) in enumerate(zip(layer_units[:-1], layer_units[1:])):
        coef, intercept = probe._init_coef(fan_in, fan_out, dtype)
        params[f"coefs_{i}"] = coef
        params[f"intercepts_{i}"] = intercept
    return params
