"""Linear models, GLMs and the SGD family: ``coef_`` and ``intercept_``."""

from __future__ import annotations

import copy
import functools
import inspect
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets

from .. import _compat
from .._compat import (
    BaseSGD,
    BaseSGDRegressor,
    LinearClassifierMixin,
    LinearModel,
    sgd_fit_continuing,
    validate_data,
    validate_params,
)
from .base import Adapter

__all__ = ["LinearAdapter"]


@functools.cache
def _init_params(cls: type) -> frozenset[str]:
    """The constructor parameters of a scikit-learn class (its ``get_params`` keys)."""
    return frozenset(inspect.signature(cls.__init__).parameters) - {"self"}


def _same(a: Any, b: Any) -> bool:
    """Whether two search values are the same setting (plain values by equality)."""
    plain = (str, bytes, numbers.Number, type(None))
    return a is b or (type(a) is type(b) and isinstance(a, plain) and a == b)


class LinearAdapter(Adapter):
    """Adapter for linear models that take ``warm_start``.

    Covers ``SGDClassifier``/``SGDRegressor``/``Perceptron``/``PassiveAggressive*``,
    ``LogisticRegression``, ``ElasticNet``/``Lasso``, ``HuberRegressor`` and the
    GLMs (``PoissonRegressor``, ``GammaRegressor``, ``TweedieRegressor``).

    θ is ``{"coef": coef_, "intercept": intercept_}``; a fresh initialisation
    is all zeros, as these estimators start. Cold runs are the estimator's own
    ``fit``.

    Runs from inherited parameters:

    - **SGD family** (``SGDClassifier``/``SGDRegressor``/``Perceptron``/
      ``PassiveAggressive*``): the same training loop as ``fit`` (``max_iter``
      epochs, ``tol``/``n_iter_no_change`` stopping) from the inherited
      ``coef_``/``intercept_``, with the learning-rate schedule *continuing*
      from the previous run's ``t_`` instead of restarting at 1, as
      ``partial_fit`` does. ``fit`` with ``warm_start=True`` resets ``t_``:
      its first epochs take a fresh model's large steps, and it costs as many
      epochs as a cold fit (measured: 19-34 against 19-28). With the schedule
      continued, a warm run whose start is already good stops after
      ``n_iter_no_change + 1`` epochs, the least scikit-learn's rule allows
      (100,000 rows + 10,000 new ones: 6 epochs against 19-28 cold, at the
      same test accuracy; ``benchmarks/warm_benefit.py --full``). A run on
      changed data still trains until it stops improving: after a label flip
      it reaches the cold run's accuracy.
    - **Other solvers** (``LogisticRegression``, ``ElasticNet``/``Lasso``,
      ``HuberRegressor``, the GLMs) get the inherited parameters through
      their own ``warm_start=True`` (``coef_``/``intercept_`` as the initial
      point; ``HuberRegressor`` also keeps its ``scale_``). On the same rows
      ``LogisticRegression`` (lbfgs) then needs 3 iterations instead of 8-10.
      ``liblinear`` ignores ``warm_start``: its warm runs cost what cold ones
      do.

    In a warm search, consecutive ``C`` values of one ``LogisticRegression``
    chain are fitted in one call of scikit-learn's regularisation path, the
    solver call ``LogisticRegressionCV`` makes per fold (:meth:`fit_path`):
    the same coefficients as the one-by-one warm fits, without each fit's
    validation and setup.

    Parameters
    ----------
    estimator : estimator
        The model of this family that the adapter reads, builds and trains.
    """

    fit_starts = frozenset({"cold", "warm", "shrink_perturb", "perturb"})
    partial_fit_starts = fit_starts
    checks_only_given_rows = True  # partial_fit validates X, y, sample_weight

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        linear = isinstance(estimator, (LinearModel, BaseSGD)) or type(
            estimator
        ).__module__.startswith("sklearn.linear_model")
        return linear and "warm_start" in _init_params(type(estimator))

    #: Parameters a search walks warm, in the direction of a weaker constraint.
    chain_params = {
        "alpha": "decreasing",
        "C": "increasing",
        "tol": "decreasing",
        "max_iter": "increasing",
    }

    #: ``LogisticRegression`` solvers whose path continues from the previous C's
    #: coefficients alone, exactly as a ``warm_start=True`` fit does (``sag``
    #: and ``saga`` carry gradient memory along the path; ``liblinear`` does
    #: not warm-start).
    _path_solvers = frozenset({"lbfgs", "newton-cg", "newton-cholesky"})

    def _is_sgd(self, model: Any) -> bool:
        return isinstance(model, BaseSGD)

    def parameters(self, model):
        return {
            "coef": np.asarray(model.coef_),
            "intercept": np.asarray(model.intercept_),
        }

    def fresh_parameters(self, template, X, y, seed, previous):
        if previous is not None:
            return {k: np.zeros_like(v) for k, v in self.parameters(previous).items()}
        n_features = np.shape(X)[1]
        y = np.asarray(y)
        if is_classifier(template):
            n_classes = len(np.unique(y))
            n_rows = 1 if n_classes <= 2 else n_classes
            return {
                "coef": np.zeros((n_rows, n_features)),
                "intercept": np.zeros(n_rows),
            }
        if y.ndim == 2:
            return {
                "coef": np.zeros((y.shape[1], n_features)),
                "intercept": np.zeros(y.shape[1]),
            }
        intercept = np.zeros(1) if self._is_sgd(template) else np.zeros(())
        return {"coef": np.zeros(n_features), "intercept": intercept}

    def predict(self, model, X):
        """``model.predict(X)`` computed without validating ``X`` again.

        Only for dense float64 rows and models whose ``predict`` is
        scikit-learn's own linear one (the same arithmetic, bit for bit);
        anything else goes through ``model.predict``. Validation costs more
        than the product for streaming chunks.
        """
        if not (type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2):
            return model.predict(X)
        cls = type(model)
        coef = getattr(model, "coef_", None)
        if (
            cls.predict is LinearClassifierMixin.predict
            and cls.decision_function is LinearClassifierMixin.decision_function
            and isinstance(coef, np.ndarray)
            and coef.ndim == 2
            and coef.shape[1] == X.shape[1]
        ):
            scores = X @ coef.T + model.intercept_
            if scores.shape[1] == 1:
                indices = (scores[:, 0] > 0).astype(np.intp)
            else:
                indices = np.argmax(scores, axis=1)
            return np.take(model.classes_, indices, axis=0)
        if (
            cls.predict is BaseSGDRegressor.predict
            and cls._decision_function is BaseSGDRegressor._decision_function
            and isinstance(coef, np.ndarray)
            and coef.shape[-1] == X.shape[1]
        ):
            return (X @ coef.T + model.intercept_).ravel()
        return model.predict(X)

    def write_parameters(self, model, theta):
        model.coef_ = np.array(theta["coef"], copy=True)
        intercept = np.array(theta["intercept"], copy=True)
        model.intercept_ = intercept if intercept.ndim else float(intercept)
        if self._is_sgd(model) and getattr(model, "average", 0):
            model._standard_coef = model.coef_
            model._standard_intercept = np.atleast_1d(model.intercept_)

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        if self._is_sgd(template):
            classes = getattr(previous, "classes_", None)
            return sgd_fit_continuing(
                template,
                X,
                y,
                coef_init=theta["coef"],
                intercept_init=theta["intercept"],
                t=getattr(previous, "t_", 1.0),
                classes=classes,
                sample_weight=fit_params.get("sample_weight"),
            )
        template.set_params(warm_start=True)
        self.write_parameters(template, theta)
        if hasattr(previous, "scale_"):  # HuberRegressor keeps a scale estimate
            template.scale_ = previous.scale_
        return template.fit(X, y, **fit_params)

    def fit_cold(self, template, X, y, fit_params, classes=None):
        if classes is not None and self._is_sgd(template):
            n_features = np.shape(X)[1]
            n_rows = 1 if len(classes) == 2 else len(classes)
            return sgd_fit_continuing(
                template,
                X,
                y,
                coef_init=np.zeros((n_rows, n_features)),
                intercept_init=np.zeros(n_rows),
                t=1.0,
                classes=np.asarray(classes),
                sample_weight=fit_params.get("sample_weight"),
            )
        return super().fit_cold(template, X, y, fit_params, classes)

    # ------------------------------------------------------------ search paths
    def _path_run(
        self,
        template: Any,
        values: Sequence[Mapping[str, Any]],
        fit_params: Mapping[str, Any],
    ) -> list[float]:
        """The values of ``C`` of the leading run of ``values`` a path fits as ``fit``.

        Only a plain ``LogisticRegression`` with an l2 penalty (the default
        ``penalty``, ``l1_ratio=0``), a solver in :attr:`_path_solvers`, no
        verbosity, callbacks or deprecated ``n_jobs``, no array API dispatch
        and no fit parameter but ``sample_weight``; the run lasts while the
        candidates differ from the first in nothing but a finite, positive
        ``C``. Empty when no run qualifies.
        """
        if (
            _compat.logistic_regression_path is None
            or type(template) is not LogisticRegression
            or getattr(template, "_skl_callbacks", None)
            or set(fit_params) - {"sample_weight"}
            or get_config()["array_api_dispatch"]
            or template.solver not in self._path_solvers
            or template.penalty != "deprecated"
            or not isinstance(template.l1_ratio, numbers.Real)
            or template.l1_ratio != 0
            or template.verbose != 0
            or template.n_jobs is not None
        ):
            return []
        first = values[0]
        Cs = []
        for params in values:
            C = params.get("C")
            if not (
                params.keys() == first.keys()
                and isinstance(C, numbers.Real)
                and not isinstance(C, bool)
                and 0 < C < np.inf
                and all(_same(v, first[k]) for k, v in params.items() if k != "C")
            ):
                break
            Cs.append(C)
        return Cs

    def fit_path(self, template, values, previous, X, y, fit_params):
        """``LogisticRegression`` candidates along ``C`` in one path call.

        scikit-learn's ``_logistic_regression_path`` with the candidates'
        values of ``C`` (the call ``LogisticRegressionCV`` makes per fold, and
        ``LogisticRegression.fit`` makes with one ``C``): each ``C`` starts
        from the previous one's coefficients, as a ``warm_start=True`` fit
        does, and the data is validated once. Each candidate comes back as a
        fitted ``LogisticRegression`` (``template`` with its ``C``:
        ``coef_``, ``intercept_``, ``classes_``, ``n_iter_``,
        ``n_features_in_``, ``feature_names_in_``) equal to the one its own
        warm ``fit`` gives. Other settings (see ``_path_run``) and float32
        data (the path carries float64 coefficients from one C to the next
        where a warm ``fit`` reads its float32 ``coef_``) return None: the
        candidates are fitted one by one.
        """
        Cs = self._path_run(template, values, fit_params)
        if len(Cs) < 2:
            return None
        validate_params(template)  # the others differ only in a checked C
        probe = copy.copy(template)  # validation sets attributes: not on template
        X, y = validate_data(
            probe,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
        )
        if X.dtype != np.float64:
            # float32: the path hands the next C float64 coefficients where a
            # warm fit reads its float32 coef_; the results differ in rounding
            return None
        if not (y.ndim == 1 and y.dtype.kind in "biu"):  # those always pass
            check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError("one class: each candidate's fit reports it")
        fit_intercept = template.fit_intercept
        coef = None
        if previous is not None:
            coef = np.asarray(previous.coef_)
            if fit_intercept:
                intercept = np.asarray(previous.intercept_)
                coef = np.concatenate([coef, intercept[:, None]], axis=1)
        coefs, _, n_iter = _compat.logistic_regression_path(
            X,
            y,
            classes=classes,
            Cs=Cs,
            l1_ratio=template.l1_ratio,
            fit_intercept=fit_intercept,
            tol=template.tol,
            solver=template.solver,
            max_iter=template.max_iter,
            class_weight=template.class_weight,
            check_input=False,
            random_state=template.random_state,
            coef=coef,
            penalty="l2",
            sample_weight=fit_params.get("sample_weight"),
            n_threads=1,
        )
        binary = len(classes) == 2
        models = []
        for i, C in enumerate(Cs):
            model = copy.copy(probe)
            model.C = C
            w = coefs[i].copy()
            if binary:
                w = w[None, :]
            if fit_intercept:
                model.coef_, model.intercept_ = w[:, :-1], w[:, -1]
            else:
                model.coef_ = w
                model.intercept_ = np.zeros(w.shape[0], dtype=X.dtype)
            model.classes_ = classes
            model.n_iter_ = np.asarray(n_iter[i : i + 1], dtype=np.int32)
            models.append(model)
        return models
