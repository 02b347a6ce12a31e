"""The one place that touches scikit-learn's private helpers and attributes.

When scikit-learn changes one of these, only this file changes.
"""

from __future__ import annotations

import copy
import warnings
from contextlib import AbstractContextManager
from itertools import pairwise
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import (
    _check_sample_weight,
    _estimator_has,
    validate_data,
)

try:
    from sklearn._config import _get_threadlocal_config
except ImportError:  # pragma: no cover - a future scikit-learn
    _get_threadlocal_config = None

__all__ = [
    "assume_finite",
    "estimator_has",
    "mlp_fit_continuing",
    "mlp_fresh_parameters",
    "mlp_inherited_optimizer",
    "mlp_objective",
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
    if (
        model.tol is not None
        and model.tol > -np.inf
        and model.n_iter_ == model.max_iter
    ):
        warnings.warn(  # as BaseSGD.fit does
            "Maximum number of iteration reached before convergence. Consider "
            "increasing max_iter to improve the fit.",
            ConvergenceWarning,
            stacklevel=2,
        )
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


_MLP_INTERRUPTED = "Training interrupted by user"


def _mlp_batch_size(model: Any, n_samples: int) -> int:
    """The minibatch size ``_fit_stochastic`` uses for ``n_samples`` rows."""
    if model.batch_size == "auto":
        return min(200, n_samples)
    return int(np.clip(model.batch_size, 1, n_samples))


def _mlp_objective_validated(
    model: Any,
    X: Any,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    chunk_size: int = 10_000,
) -> float:
    n_samples = X.shape[0]
    loss_name = model.loss
    if loss_name == "log_loss" and model.out_activation_ == "logistic":
        loss_name = "binary_log_loss"
    loss_fn = LOSS_FUNCTIONS[loss_name]
    total = 0.0
    for rows in gen_batches(n_samples, chunk_size):
        out = model._forward_pass_fast(X[rows], check_input=False)
        out = out.reshape(out.shape[0], -1)
        sw = None if sample_weight is None else sample_weight[rows]
        weight = (rows.stop - rows.start) if sw is None else float(np.sum(sw))
        if weight > 0:
            total += loss_fn(Y[rows], out, sw) * weight
    weight_sum = n_samples if sample_weight is None else float(np.sum(sample_weight))
    data_loss = total / weight_sum
    # _backprop adds 0.5 * alpha * ||W||^2 / (batch weight) to every batch's
    # loss and an epoch averages its batches weighted by their sizes: with
    # batch weight ~ batch size * mean weight, the penalty sums to
    # 0.5 * alpha * ||W||^2 * n_batches / total weight.
    n_batches = -(-n_samples // _mlp_batch_size(model, n_samples))
    squares = sum(float(np.dot(c.ravel(), c.ravel())) for c in model.coefs_)
    return float(data_loss + 0.5 * model.alpha * squares * n_batches / weight_sum)


def _mlp_validated(model: Any, X: Any, y: Any, sample_weight: Any):
    """X, 2-D targets (binarized for classifiers) and weights as ``_fit`` sees them."""
    X, Y = model._validate_input(X, y, incremental=True, reset=False)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X)
    if Y.ndim == 1:
        Y = Y.reshape((-1, 1))
    return X, Y, sample_weight


def mlp_objective(
    model: Any, X: Any, y: Any, sample_weight: np.ndarray | None = None
) -> float:
    """Training loss of a fitted MLP on ``X, y``, on the scale of ``loss_curve_``.

    The data loss plus the L2 penalty exactly as ``_backprop`` adds it to each
    minibatch, evaluated at the model's current weights (an epoch's reported
    loss is the average of its minibatch losses while the weights move).
    """
    X, Y, sample_weight = _mlp_validated(model, X, y, sample_weight)
    return _mlp_objective_validated(model, X, Y, sample_weight)


def mlp_inherited_optimizer(previous: Any, model: Any) -> Any | None:
    """A copy of ``previous``'s optimizer that ``model`` can continue, or None.

    Adam keeps its moments and step count; SGD keeps its velocities and
    continues an ``invscaling`` schedule. What ended the previous run is not
    inherited: the step size of the ``adaptive`` schedule (divided by 5 at
    every plateau until the run stopped) restarts at ``learning_rate_init``.
    The hyperparameters are ``model``'s (they may have changed with
    ``set_params``). None when ``previous`` has no optimizer of ``model``'s
    solver or its state does not fit ``model``'s parameter shapes.
    """
    optimizer = getattr(previous, "_optimizer", None)
    kind = {"adam": "AdamOptimizer", "sgd": "SGDOptimizer"}.get(model.solver)
    if optimizer is None or type(optimizer).__name__ != kind:
        return None
    shapes = [np.shape(p) for p in [*model.coefs_, *model.intercepts_]]
    state = optimizer.ms if kind == "AdamOptimizer" else optimizer.velocities
    if [np.shape(s) for s in state] != shapes:
        return None
    optimizer = copy.deepcopy(optimizer)
    optimizer.learning_rate_init = model.learning_rate_init
    if kind == "AdamOptimizer":
        optimizer.beta_1, optimizer.beta_2 = model.beta_1, model.beta_2
        optimizer.epsilon = model.epsilon
        return optimizer
    optimizer.lr_schedule = model.learning_rate
    optimizer.momentum, optimizer.nesterov = model.momentum, model.nesterovs_momentum
    optimizer.power_t = model.power_t
    if model.learning_rate == "invscaling":
        optimizer.learning_rate = (
            float(model.learning_rate_init)
            / (getattr(model, "t_", 0) + 1) ** model.power_t
        )
    else:
        optimizer.learning_rate = float(model.learning_rate_init)
    return optimizer


def mlp_fit_continuing(
    model: Any,
    X: Any,
    y: Any,
    sample_weight: np.ndarray | None = None,
    *,
    optimizer: Any | None = None,
    stop_reference: bool = True,
) -> Any:
    """``fit`` a warm MLP (stochastic solver) for up to ``max_iter`` epochs.

    The same epochs, minibatches and stopping rule as ``fit`` with
    ``warm_start=True``, with two differences ``fit`` does not offer:

    - ``optimizer`` (e.g. from :func:`mlp_inherited_optimizer`) continues
      instead of the fresh optimizer ``fit`` builds; None builds a fresh one.
    - ``stop_reference``: the stopping rule's best loss starts at the model's
      own loss on this data (:func:`mlp_objective`) instead of infinity, so
      epochs count as improvements only if they beat the starting point by
      ``tol``.

    The model's early-stopping bookkeeping (``_no_improvement_count``,
    ``loss_curve_``) must already be reset. ``early_stopping=True`` is not
    supported (scikit-learn's epoch step refuses it); use ``fit``.
    """
    if model.early_stopping or model.solver not in ("sgd", "adam"):
        raise ValueError(
            "mlp_fit_continuing needs solver='sgd' or 'adam' and early_stopping=False."
        )
    model._validate_params()
    X, Y, sample_weight = _mlp_validated(model, X, y, sample_weight)
    hidden = model.hidden_layer_sizes
    hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
    layer_units = [X.shape[1], *hidden, model.n_outputs_]
    model._random_state = check_random_state(model.random_state)
    if optimizer is not None:
        model._optimizer = optimizer
    elif hasattr(model, "_optimizer"):
        del model._optimizer
    if stop_reference:
        model.best_loss_ = _mlp_objective_validated(model, X, Y, sample_weight)
    activations = [X] + [None] * (len(layer_units) - 1)
    deltas = [None] * (len(activations) - 1)
    coef_grads = [np.empty((a, b), dtype=X.dtype) for a, b in pairwise(layer_units)]
    intercept_grads = [np.empty(b, dtype=X.dtype) for b in layer_units[1:]]
    n_iter = 0
    stopped = False
    pending: dict[tuple[type, str], warnings.WarningMessage] = {}
    for _ in range(model.max_iter):
        # One epoch: incremental=True keeps (or first builds) ``_optimizer``.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model._fit_stochastic(
                X,
                Y,
                sample_weight,
                activations,
                deltas,
                coef_grads,
                intercept_grads,
                layer_units,
                True,
            )
        n_iter += 1
        model.n_iter_ = n_iter
        for message in caught:
            if _MLP_INTERRUPTED in str(message.message):
                raise KeyboardInterrupt("MLP training was interrupted")
            if not issubclass(message.category, ConvergenceWarning):
                # Each epoch repeats the step's warnings: report each once.
                pending.setdefault((message.category, str(message.message)), message)
        # The epoch step asked its optimizer whether to stop and, for the
        # adaptive schedule, reset the counter when it only lowered the rate.
        if model._no_improvement_count > model.n_iter_no_change:
            stopped = True
            break
    for message in pending.values():
        warnings.warn_explicit(
            message.message, message.category, message.filename, message.lineno
        )
    if not stopped:  # once, as fit does
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({model.max_iter}) reached "
            "and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=2,
        )
    if not all(np.isfinite(w).all() for w in [*model.coefs_, *model.intercepts_]):
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may"
            " contain large values and need to be preprocessed."
        )
    return model


def tree_classes() -> tuple[type, type]:
    """scikit-learn's private tree classes a checkpoint loader bounds-checks.

    ``(sklearn.tree._tree.Tree, TreePredictor of hist gradient boosting)``,
    imported on first use (checkpoint loading only).
    """
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.tree._tree import Tree

    return Tree, TreePredictor


# Private scikit-learn bases the adapters recognise their families by (and
# whose own predict they compare against to take a shortcut).
from sklearn.ensemble._forest import BaseForest  # noqa: E402
from sklearn.linear_model._base import LinearClassifierMixin, LinearModel  # noqa: E402
from sklearn.linear_model._stochastic_gradient import (  # noqa: E402
    BaseSGD,
    BaseSGDRegressor,
)
from sklearn.neural_network._multilayer_perceptron import (  # noqa: E402
    BaseMultilayerPerceptron,
)

# The regularisation path LogisticRegressionCV walks per fold (and
# LogisticRegression.fit calls with one C): the linear adapter fits a search
# chain's consecutive C values through it. None if scikit-learn moves it; the
# search then fits those candidates one by one.
try:
    from sklearn.linear_model._logistic import (  # noqa: E402
        _logistic_regression_path as logistic_regression_path,
    )
except ImportError:  # pragma: no cover - a future scikit-learn
    logistic_regression_path = None


def validate_params(estimator: Any) -> None:
    """Check ``estimator``'s parameters against its constraints, as its ``fit`` does."""
    estimator._validate_params()


__all__ += [
    "logistic_regression_path",
    "validate_params",
    "BaseForest",
    "BaseMultilayerPerceptron",
    "BaseSGD",
    "BaseSGDRegressor",
    "LinearClassifierMixin",
    "LinearModel",
]

# Private scikit-learn pieces the warm search (search.py) builds on: the search
# base class, the parameter validation of its fit, and the steps of
# ``_fit_and_score`` (split, score, error scores) it repeats per chain step.
from sklearn.base import _fit_context  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.model_selection._search import BaseSearchCV  # noqa: E402
from sklearn.model_selection._validation import (  # noqa: E402
    _insert_error_scores,
    _score,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils._param_validation import StrOptions  # noqa: E402
from sklearn.utils.metaestimators import _safe_split  # noqa: E402
from sklearn.utils.validation import _check_method_params, _num_samples  # noqa: E402

fit_context = _fit_context
insert_error_scores = _insert_error_scores
score_fitted = _score
warn_or_raise_about_fit_failures = _warn_or_raise_about_fit_failures
safe_split = _safe_split
check_method_params = _check_method_params
num_samples = _num_samples


def multimetric_scorers(scorer: Any) -> dict[str, Any] | None:
    """The name -> scorer dict of a multi-metric scorer, None for a single one."""
    return getattr(scorer, "_scorers", None)


def scorer_names(scorer: Any) -> list[str] | None:
    """The metric names of a multi-metric scorer, None for a single one."""
    scorers = multimetric_scorers(scorer)
    return None if scorers is None else list(scorers)


#: The parameter constraints of GridSearchCV / RandomizedSearchCV.
GRID_SEARCH_CONSTRAINTS: dict = GridSearchCV._parameter_constraints
RANDOMIZED_SEARCH_CONSTRAINTS: dict = RandomizedSearchCV._parameter_constraints

__all__ += [
    "GRID_SEARCH_CONSTRAINTS",
    "RANDOMIZED_SEARCH_CONSTRAINTS",
    "BaseSearchCV",
    "StrOptions",
    "check_method_params",
    "fit_context",
    "insert_error_scores",
    "multimetric_scorers",
    "num_samples",
    "safe_split",
    "score_fitted",
    "scorer_names",
    "warn_or_raise_about_fit_failures",
]
