"""The one place that touches scikit-learn's private helpers and attributes.

When scikit-learn changes one of these, only this file changes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.utils.validation import _estimator_has, validate_data

try:
    from sklearn._config import _get_threadlocal_config
except ImportError:  # pragma: no cover - a future scikit-learn
    _get_threadlocal_config = None

__all__ = [
    "assume_finite",
    "estimator_has",
    "mlp_fresh_parameters",
    "sgd_fit_continuing",
    "validate_data",
]

estimator_has = _estimator_has


class _AssumeFinite:
    """``config_context(assume_finite=True)`` without its full set/restore."""

    __slots__ = ("_config", "_old")

    def __enter__(self) -> None:
        self._config = _get_threadlocal_config()
        self._old = self._config["assume_finite"]
        self._config["assume_finite"] = True

    def __exit__(self, *exc: Any) -> None:
        self._config["assume_finite"] = self._old


def assume_finite() -> AbstractContextManager:
    """A context in which scikit-learn skips its finiteness checks.

    The same as ``sklearn.config_context(assume_finite=True)`` (this thread
    only), at a fraction of its cost: it sets the one key in scikit-learn's
    thread-local configuration and restores it on exit.
    """
    if _get_threadlocal_config is None:  # pragma: no cover
        return config_context(assume_finite=True)
    return _AssumeFinite()


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
