"""scikit-learn's multilayer perceptrons: ``coefs_`` and ``intercepts_``."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.extmath import safe_sparse_dot

from .._compat import (
    BaseMultilayerPerceptron,
    mlp_fit_continuing,
    mlp_fresh_parameters,
    mlp_inherited_optimizer,
)
from .base import Adapter, UnsupportedStartError

__all__ = ["MLPAdapter", "dormant_units"]


_ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
}


def _hidden_scores(
    coefs: list[np.ndarray], intercepts: list[np.ndarray], activation: str, X: Any
) -> list[np.ndarray]:
    """Mean |activation| of every hidden unit on ``X``, one array per layer."""
    act = _ACTIVATIONS[activation]
    h = X
    scores = []
    for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
        h = act(np.asarray(safe_sparse_dot(h, coef, dense_output=True)) + intercept)
        scores.append(np.mean(np.abs(h), axis=0))
    return scores


def dormant_units(model: Any, X: Any, tau: float) -> list[np.ndarray]:
    """τ-dormant hidden units of a fitted MLP on ``X`` (Sokar et al., 2023).

    A unit is dormant when its mean absolute activation on ``X`` is at most
    ``tau`` times the mean of that over its layer (all units of a layer
    whose mean is 0 are dormant).

    Parameters
    ----------
    model : MLPClassifier or MLPRegressor
        A fitted network.
    X : array-like of shape (n_samples, n_features)
        Rows to measure the activations on.
    tau : float
        Threshold τ >= 0.

    Returns
    -------
    masks : list of ndarray of bool
        One mask per hidden layer, True for dormant units.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from sklearn_warmstart.adapters.mlp import dormant_units
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> net = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    >>> net = net.fit(X, X[:, 0])
    >>> net.coefs_[0][:, 1] = -10.0; net.intercepts_[0][1] = -100.0  # a dead ReLU
    >>> dormant_units(net, X, tau=0.1)[0].tolist()
    [False, True, False, False]
    """
    scores = _hidden_scores(
        list(model.coefs_), list(model.intercepts_), model.activation, X
    )
    return [score <= tau * score.mean() for score in scores]


_FITTED_STRUCTURE = (
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "classes_",
    "_label_binarizer",
    "n_features_in_",
    "feature_names_in_",
    "t_",
)


def _raise_if_interrupted(caught: list[warnings.WarningMessage]) -> None:
    """MLP swallows KeyboardInterrupt and only warns; make it an interrupt again."""
    for message in caught:
        if "Training interrupted by user" in str(message.message):
            raise KeyboardInterrupt("MLP training was interrupted")
    for message in caught:
        warnings.warn_explicit(
            message.message, message.category, message.filename, message.lineno
        )


class MLPAdapter(Adapter):
    """Adapter for ``MLPClassifier`` and ``MLPRegressor``.

    θ is ``{"coefs_0": …, "intercepts_0": …, …}``; a fresh initialisation is
    drawn exactly as scikit-learn's Glorot-uniform initialisation, from the
    run's seed.

    Cold runs are scikit-learn's own ``fit``. A ``fit`` run from inherited
    parameters (warm, shrink-perturb, perturb, partial reset) continues the
    optimisation instead of restarting it, by three rules:

    1. **Fresh stopping bookkeeping.** scikit-learn's ``warm_start`` carries
       ``best_loss_`` and ``_no_improvement_count`` over from the previous
       fit, so a warm refit stops after one epoch whatever the new data says
       (after a label flip it keeps the old, now wrong, model). They are reset
       every run, with the loss curve.
    2. **The start is the stopping reference** (stochastic solvers without
       ``early_stopping``). ``best_loss_`` starts at the inherited model's
       training loss on this run's data (data loss plus L2 penalty, on the
       scale of ``loss_curve_``) instead of infinity: an epoch is an
       improvement only if it beats where the run started by ``tol``. A run
       whose start is already as good as ``tol`` can tell stops after
       ``n_iter_no_change + 1`` epochs, the least the rule allows; a run whose
       data changed (drift, a label flip) trains until it stops improving.
    3. **Warm runs continue the optimizer** (``solver="adam"`` or ``"sgd"``,
       without ``early_stopping``). ``fit`` builds a fresh optimizer, whose
       bias-corrected first Adam steps move every weight by about
       ``learning_rate_init`` however small its gradient: a converged model is
       shaken off its minimum and must settle again. A warm run keeps the
       previous run's Adam moments and step count (SGD: velocities and an
       ``invscaling`` schedule), as ``partial_fit`` does; the ``adaptive``
       schedule's decayed step, part of what stopped the previous run,
       restarts at ``learning_rate_init``.
       Starts that move the parameters (shrink-perturb, perturb, partial
       reset) get a fresh optimizer: old moments do not describe new weights.

    The epochs are scikit-learn's own epoch step (same minibatches, updates,
    ``tol``/``n_iter_no_change`` rule, ``max_iter``), driven one epoch at a
    time (``_compat.mlp_fit_continuing``). ``solver="lbfgs"`` warm-starts
    through ``fit`` (rule 1 only); with ``early_stopping=True`` a run uses
    ``fit`` with rule 1 (its validation split is drawn inside ``fit``, so
    neither the start's validation score nor the optimizer can be carried
    in). ``partial_fit`` runs keep the optimizer as scikit-learn does.

    Measured (``benchmarks/warm_benefit.py --full``: 100,000 x 20 rows, then
    those plus 10,000 new ones, default ``MLPClassifier``): warm runs took 11
    epochs against 134-200 cold (median ratio 0.08) at the same test accuracy
    (within 0.08 point); ``warm_start=True`` stopped after 1 epoch. After
    every label flipped, the warm run relearned (165 epochs, 98.9% test
    accuracy; cold: 200 epochs, 98.8%) where ``warm_start=True`` stopped
    after 1 epoch at 88.3%.

    Parameters
    ----------
    estimator : estimator
        The model of this family that the adapter reads, builds and trains.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklearn_warmstart import WarmStartClassifier
    >>> X, y = make_classification(n_samples=1100, random_state=0)
    >>> clf = WarmStartClassifier(
    ...     MLPClassifier(hidden_layer_sizes=(8,), tol=1e-3, max_iter=300),
    ...     random_state=0,
    ... )
    >>> clf = clf.fit(X[:1000], y[:1000]).fit(X, y)
    >>> cold, warm = clf.history_[0].n_iter, clf.history_[1].n_iter
    >>> warm < cold
    True
    """

    fit_starts = frozenset(
        {"cold", "warm", "shrink_perturb", "perturb", "partial_reset"}
    )
    partial_fit_starts = fit_starts

    #: Parameters a search walks warm: weaker regularisation, finer steps and
    #: tolerance, more epochs last.
    chain_params = {
        "alpha": "decreasing",
        "learning_rate_init": "decreasing",
        "tol": "decreasing",
        "max_iter": "increasing",
        "n_iter_no_change": "increasing",
    }

    def check_start(self, start, method="fit"):
        super().check_start(start, method)
        if start.kind == "partial_reset" and start.fraction is not None:
            raise UnsupportedStartError(
                "PartialReset(fraction=...) replaces ensemble members; for an MLP "
                "use layers= (e.g. 'coefs_2') or dormant=."
            )

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        return isinstance(estimator, BaseMultilayerPerceptron)

    def parameters(self, model):
        params = {}
        for i, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
            params[f"coefs_{i}"] = coef
            params[f"intercepts_{i}"] = intercept
        return params

    def fresh_parameters(self, template, X, y, seed, previous):
        hidden = template.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        y = np.asarray(y)
        if previous is not None:
            n_outputs = previous.n_outputs_
        elif is_classifier(template):
            n_classes = len(np.unique(y)) if y.ndim == 1 else y.shape[1]
            n_outputs = 1 if (y.ndim == 1 and n_classes <= 2) else n_classes
        else:
            n_outputs = 1 if y.ndim == 1 else y.shape[1]
        dtype = np.float32 if np.asarray(X).dtype == np.float32 else np.float64
        units = [np.shape(X)[1], *hidden, n_outputs]
        return mlp_fresh_parameters(template, units, dtype, seed)

    def partial_reset(self, start, template, previous, theta_prev, fresh, X, y, seed):
        """``layers=`` patterns, then ReDo on ``dormant=τ``.

        Dormant units (measured with the previous model on the run's rows) get
        fresh incoming weights and bias and zero outgoing weights (also where
        ``layers=`` made those fresh), so units that were dead leave the
        network's output unchanged until they learn again.
        """
        theta = start.initial_parameters(theta_prev, fresh, seed)
        if start.dormant is None:
            return theta
        n_layers = len(theta_prev) // 2
        coefs = [theta_prev[f"coefs_{i}"] for i in range(n_layers)]
        intercepts = [theta_prev[f"intercepts_{i}"] for i in range(n_layers)]
        scores = _hidden_scores(coefs, intercepts, previous.activation, X)
        masks = [score <= start.dormant * score.mean() for score in scores]
        for layer, dormant in enumerate(masks):
            incoming, bias = f"coefs_{layer}", f"intercepts_{layer}"
            theta[incoming][:, dormant] = fresh[incoming][:, dormant]
            theta[bias][dormant] = fresh[bias][dormant]
        # Zero outgoing weights last: a weight between two reset units stays 0.
        for layer, dormant in enumerate(masks):
            theta[f"coefs_{layer + 1}"][dormant, :] = 0.0
        return theta

    def write_parameters(self, model, theta):
        n_layers = len(theta) // 2
        model.coefs_ = [np.array(theta[f"coefs_{i}"]) for i in range(n_layers)]
        model.intercepts_ = [
            np.array(theta[f"intercepts_{i}"]) for i in range(n_layers)
        ]

    def _reset_bookkeeping(self, model):
        model.n_iter_ = 0
        model._best_coefs = [c.copy() for c in model.coefs_]
        model._best_intercepts = [b.copy() for b in model.intercepts_]
        model.loss_curve_ = []
        model._no_improvement_count = 0
        if model.early_stopping:
            model.validation_scores_ = []
            model.best_validation_score_ = -np.inf
            model.best_loss_ = None
        else:
            model.validation_scores_ = None
            model.best_validation_score_ = None
            model.best_loss_ = np.inf

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        model = template.set_params(warm_start=True)
        for name in _FITTED_STRUCTURE:
            if hasattr(previous, name):
                setattr(model, name, copy.deepcopy(getattr(previous, name)))
        self.write_parameters(model, theta)
        self._reset_bookkeeping(model)
        if model.solver == "lbfgs" or model.early_stopping:
            return self._guarded(model.fit, X, y, **fit_params)
        optimizer = (
            mlp_inherited_optimizer(previous, model) if start.kind == "warm" else None
        )
        return self._guarded(
            mlp_fit_continuing, model, X, y, optimizer=optimizer, **fit_params
        )

    def fit_cold(self, template, X, y, fit_params, classes=None):
        if classes is None or set(np.unique(y)) == set(classes):
            return self._guarded(template.fit, X, y, **fit_params)
        # y lacks some classes the model must know: epochs of partial_fit.
        model = self._guarded(template.partial_fit, X, y, classes=classes)
        best, stale = model.loss_, 0
        for _ in range(model.max_iter - 1):
            self._guarded(model.partial_fit, X, y)
            stale = stale + 1 if model.loss_ > best - model.tol else 0
            best = min(best, model.loss_)
            if stale > model.n_iter_no_change:
                break
        return model

    def stream_step(self, model, X, y, fit_params):
        return self._guarded(model.partial_fit, X, y, **fit_params)

    #: Rows per chunk when the estimator predicts for its records.
    predict_chunk_rows = 20_000

    def predict(self, model, X):
        """``model.predict(X)`` in chunks of ``predict_chunk_rows`` dense rows.

        The records' two predictions per run (prequential and training score)
        allocate one hidden-activation array per layer for all the rows at
        once; in chunks they stay small, which bounds their memory and is
        faster (100,000 x 20 rows, 100 hidden units: 43 ms whole, 26 ms in
        chunks). Row by row, the values are the same.
        """
        rows = self.predict_chunk_rows
        if not isinstance(X, np.ndarray) or len(X) <= rows:
            return model.predict(X)
        return np.concatenate(
            [model.predict(X[i : i + rows]) for i in range(0, len(X), rows)]
        )

    @staticmethod
    def _guarded(method, *args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = method(*args, **kwargs)
        _raise_if_interrupted(caught)
        return result

    def loss_curve(self, model):
        return tuple(float(v) for v in getattr(model, "loss_curve_", None) or ())
