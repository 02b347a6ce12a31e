"""The adapter interface: what the run loop needs to know about a model family."""

from __future__ import annotations

import contextlib
import copy
import copyreg
import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from .. import _tensors
from .._serial import CheckpointError, Payload
from ..exceptions import ArchitectureChangedError, UnsupportedStartError
from ..policies import Start

__all__ = [
    "Adapter",
    "ArchitectureChangedError",
    "UnsupportedStartError",
    "copy_model",
]

#: Values ``copy.deepcopy`` returns unchanged (its "atomic" types).
_ATOMIC = frozenset({type(None), int, float, bool, complex, str, bytes, type, range})


@functools.cache
def _plain_state(cls: type) -> bool:
    """Whether ``copy.deepcopy`` of a ``cls`` instance just deep-copies its ``__dict__``.

    True for classes built by ``object.__new__`` (no builtin container
    base) that copy through ``object``'s reduce protocol, with ``object``'s
    or scikit-learn's ``__getstate__``/``__setstate__`` (which only add and
    drop a version tag) and no ``__slots__``: nearly every scikit-learn
    estimator.
    """
    getstate = getattr(cls, "__getstate__", object.__getstate__)
    setstate = getattr(cls, "__setstate__", None)
    return (
        getattr(cls, "__deepcopy__", None) is None
        and cls not in copyreg.dispatch_table
        and cls.__new__ is object.__new__
        and getattr(cls, "__getnewargs_ex__", None) is None
        and getattr(cls, "__getnewargs__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and getstate in (object.__getstate__, BaseEstimator.__getstate__)
        and setstate in (None, BaseEstimator.__setstate__)
        and not any(getattr(c, "__slots__", ()) for c in cls.__mro__)
        and "__dict__" in dir(cls)
    )


@functools.cache
def _reduces_plainly(cls: type) -> bool:
    """Whether ``copy.deepcopy`` of a ``cls`` instance goes through ``__reduce_ex__``."""
    return (
        getattr(cls, "__deepcopy__", None) is None
        and cls not in copyreg.dispatch_table
        and cls not in copy._deepcopy_dispatch
        and not issubclass(cls, type)
    )


def _copy_value(value: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(value, memo)``; directly for objects rebuilt from plain args.

    Extension objects such as scikit-learn's SGD loss functions reduce to
    ``(cls, args)`` with immutable ``args``: deepcopy would call
    ``cls(*args)``, and so does this, without its generic machinery.
    """
    if id(value) in memo:
        return memo[id(value)]
    if _reduces_plainly(type(value)):
        reduced = value.__reduce_ex__(4)
        if (
            type(reduced) is tuple
            and len(reduced) == 2
            and type(reduced[1]) is tuple
            and all(type(arg) in _ATOMIC for arg in reduced[1])
        ):
            copied = memo[id(value)] = reduced[0](*reduced[1])
            return copied
    return copy.deepcopy(value, memo)


def copy_model(model: Any) -> Any:
    """``copy.deepcopy(model)``, faster for plain estimators.

    For instances of classes whose deep copy is a deep copy of their
    ``__dict__`` (see :func:`_plain_state`), the attributes are copied one
    by one: immutable scalars and strings are shared, plain numeric arrays
    are copied with ``ndarray.copy(order="K")`` (as ``deepcopy`` does) and
    every other value goes through ``copy.deepcopy`` with one shared memo, so
    objects referenced twice (an optimizer holding the weight arrays) stay
    shared in the copy, exactly as with ``copy.deepcopy``. Any other object
    is deep-copied.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart.adapters.base import copy_model
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> model = SGDClassifier(random_state=0).fit(X, y)
    >>> copied = copy_model(model)
    >>> copied.coef_ is model.coef_, bool((copied.coef_ == model.coef_).all())
    (False, True)
    """
    cls = type(model)
    if not _plain_state(cls):
        return copy.deepcopy(model)
    new = cls.__new__(cls)
    memo: dict[int, Any] = {id(model): new}
    state = model.__dict__.copy()  # atomic values stay shared, as with deepcopy
    for key, value in state.items():  # replacing values, never adding keys
        kind = type(value)
        if kind in _ATOMIC:
            continue
        if kind is np.ndarray and not value.dtype.hasobject:
            copied = memo.get(id(value))
            if copied is None:
                # ``value`` stays alive in ``model`` while we run, so its id
                # cannot be reused for another object (deepcopy's keep-alive).
                copied = memo[id(value)] = value.copy(order="K")
            state[key] = copied
        else:
            state[key] = _copy_value(value, memo)
    new.__dict__.update(state)
    return new


class Adapter:
    """Knows one model family: reads, builds and trains from start states.

    Subclasses override the hooks below; :meth:`train` is the one entry point
    used by the estimators and is the same for every family. The warm
    searches ask four more: :meth:`chain_step` (which parameters a chain may
    walk), :meth:`fit_chain` (one candidate from its neighbour),
    :meth:`fit_path` (several consecutive candidates in one solver call, where
    the family has a path solver; by default none) and :meth:`chain_n_iter`.

    Parameters
    ----------
    estimator : estimator
        The (unfitted) estimator this adapter will handle.
    """

    #: Starts this family supports in ``fit`` runs.
    fit_starts: ClassVar[frozenset[str]] = frozenset({"cold"})
    #: Starts this family supports in ``partial_fit`` runs.
    partial_fit_starts: ClassVar[frozenset[str]] = frozenset({"cold", "warm"})
    #: Whether a pipeline must train this family's cold runs through
    #: :meth:`fit_cold` (which then does more than the model's own ``fit``).
    owns_cold_fit: ClassVar[bool] = False
    #: Whether the model's own finiteness checks in :meth:`continue_stream`
    #: look only at the rows, targets and fit parameters it is given. Then
    #: rows the estimator has proven finite are trained under scikit-learn's
    #: ``assume_finite`` (those checks would only repeat its own).
    checks_only_given_rows: ClassVar[bool] = False
    #: Whether a warm streaming step may continue a copy of the previous model
    #: directly (:meth:`continue_stream`): no template, no fresh parameters.
    continues_streams: ClassVar[bool] = True
    #: Parameters a warm search may walk, with their direction (:meth:`chain_step`).
    chain_params: ClassVar[Mapping[str, str]] = {}

    def __init__(self, estimator: Any):
        self.estimator = estimator

    # ---------------------------------------------------------------- family hooks
    @classmethod
    def handles(cls, estimator: Any) -> bool:
        """Whether this adapter knows the family of ``estimator``."""
        return False

    def parameters(self, model: Any) -> dict[str, Any]:
        """θ of a fitted model as a dict of arrays (may share memory with it)."""
        return {}

    def fresh_parameters(
        self, template: Any, X: Any, y: Any, seed: int, previous: Any | None
    ) -> dict[str, Any] | None:
        """θ of a fresh initialisation of ``template`` for this data, or None."""
        return None

    def fit_cold(
        self,
        template: Any,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
        classes: np.ndarray | None = None,
    ) -> Any:
        """Train a fresh model to convergence.

        ``classes`` (classifiers in streaming) lists every class the model must
        know even if ``y`` lacks some.
        """
        if classes is None or set(np.unique(y)) == set(classes):
            return template.fit(X, y, **fit_params)
        if hasattr(template, "partial_fit"):
            return template.partial_fit(X, y, classes=classes, **fit_params)
        return template.fit(X, y, **fit_params)

    def fit_from(
        self,
        template: Any,
        previous: Any,
        theta: Mapping[str, Any] | None,
        start: Start,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
    ) -> Any:
        """Train a new model for one ``fit`` run starting from ``theta``/``previous``."""
        raise UnsupportedStartError(self._unsupported(start, "fit"))

    def partial_fit_from(
        self,
        template: Any,
        previous: Any,
        theta: Mapping[str, Any] | None,
        start: Start,
        X: Any,
        y: Any,
        classes: np.ndarray | None,
        fit_params: Mapping[str, Any],
    ) -> Any:
        """One streaming step from ``previous`` (θ replaced by ``theta`` if given)."""
        model = self.snapshot(previous)
        if theta is not None:
            self.write_parameters(model, theta)
        return self.stream_step(model, X, y, fit_params)

    def stream_step(
        self, model: Any, X: Any, y: Any, fit_params: Mapping[str, Any]
    ) -> Any:
        """One ``partial_fit`` of ``model`` itself (a snapshot the step may change)."""
        return model.partial_fit(X, y, **fit_params)

    def continue_stream(
        self,
        previous: Any,
        X: Any,
        y: Any,
        classes: np.ndarray | None,
        fit_params: Mapping[str, Any],
    ) -> Any | None:
        """A warm streaming step on a copy of ``previous``, or None.

        The hot path of ``partial_fit``: no template, no fresh parameters, the
        previous model's :meth:`snapshot` takes one :meth:`stream_step`. A
        family whose warm steps need more (``continues_streams = False``)
        returns None and the step goes through :meth:`train`.
        """
        if not self.continues_streams:
            return None
        return self.stream_step(self.snapshot(previous), X, y, fit_params)

    def snapshot(self, model: Any) -> Any:
        """An independent copy of a fitted model, for a step to train on.

        Streaming steps train a snapshot so that the committed model stays
        exactly as it was if the step fails; the copy must share nothing that
        training mutates. The default is :func:`copy_model` (``deepcopy``
        semantics, cheaper for scikit-learn estimators); families whose models
        hold framework objects (tensors, optimizers) may override it.
        """
        return copy_model(model)

    def write_parameters(self, model: Any, theta: Mapping[str, Any]) -> None:
        """Write θ into a fitted model in place."""
        raise UnsupportedStartError(
            f"{type(self).__name__} cannot write parameters into "
            f"{type(model).__name__}."
        )

    def seeded(self, seed: int | None = None) -> contextlib.AbstractContextManager:
        """Context in which a run trains: the family's global RNG, isolated.

        Families whose framework draws from a global generator (torch) save it
        on entry, seed it with ``seed`` when one is given, and restore it on
        exit, so a run is reproducible and leaves the caller's RNG untouched.
        The default does nothing (scikit-learn models use ``random_state``).
        """
        return contextlib.nullcontext()

    def combine(
        self,
        start: Start,
        theta_prev: Mapping[str, Any],
        fresh: Mapping[str, Any] | None,
        seed: int,
    ) -> dict[str, Any]:
        """θ₀ of a shrink-perturb or perturb start (the start's own arithmetic).

        Families override it to do the arithmetic in place on the device.
        """
        return start.initial_parameters(theta_prev, fresh, seed)

    def partial_reset(
        self,
        start: Start,
        template: Any,
        previous: Any,
        theta_prev: Mapping[str, Any],
        fresh: Mapping[str, Any] | None,
        X: Any,
        y: Any,
        seed: int,
    ) -> dict[str, Any]:
        """θ₀ for a :class:`~sklearn_warmstart.policies.PartialReset`."""
        return start.initial_parameters(theta_prev, fresh, seed)

    def predict(self, model: Any, X: Any) -> Any:
        """Predictions of a fitted model on rows the estimator has validated.

        The default is the model's own ``predict``; a family may skip the
        repeated input validation when it can compute exactly the same values.
        """
        return model.predict(X)

    def n_iter(self, model: Any) -> int | None:
        """Iterations or epochs of the last training call, if the model says."""
        n_iter = getattr(model, "n_iter_", None)
        if n_iter is None:
            return None
        if type(n_iter) is int:
            return n_iter
        return int(np.max(n_iter))

    def loss_curve(self, model: Any) -> tuple[float, ...]:
        """Training loss per epoch of the last training call, if any."""
        return ()

    def n_iter_total(self, model: Any) -> int | None:
        """Iterations the model holds over every run it inherited, if counted.

        Boosted ensembles report their total rounds; others None.
        """
        return None

    def cold_reason(self, model: Any, start: Start) -> str | None:
        """Why a run from ``model`` must start cold instead of ``start``, or None.

        Boosted ensembles use it to bound their growth: a warm run that would
        pass the cap on total rounds starts cold, with this reason recorded.
        """
        return None

    def grad_norms(self, model: Any) -> tuple[float, ...]:
        """Gradient norm per epoch of the last training call, if measured."""
        return ()

    def valid_loss_curve(self, model: Any) -> tuple[float, ...]:
        """Validation loss per epoch of the last training call, if any."""
        return ()

    def supports_partial_fit(self) -> bool:
        """Whether the family can train in streaming steps."""
        return hasattr(self.estimator, "partial_fit")

    def start_stream(
        self,
        template: Any,
        X: Any,
        y: Any,
        *,
        seed: int,
        classes: np.ndarray | None,
        fit_params: Mapping[str, Any],
    ) -> tuple[Any, dict[str, Any] | None]:
        """The first streaming step: the model's own first ``partial_fit``."""
        theta0 = self.fresh_parameters(template, X, y, seed, None)
        if classes is not None:
            return template.partial_fit(X, y, classes=classes, **fit_params), theta0
        return template.partial_fit(X, y, **fit_params), theta0

    # ---------------------------------------------------------------- search chains
    def chain_step(self, param: str) -> str | None:
        """Whether a search may walk ``param`` warm, and in which direction.

        ``"increasing"`` or ``"decreasing"``: changing ``param`` keeps the
        model's parameter shapes and preprocessing, so a candidate can start
        from its neighbour's fitted model; a chain visits the values in that
        order, from the most constrained model to the least (strongest
        regularisation, fewest trees, largest tolerance first). None: a change
        of ``param`` starts a new chain, cold. The default answers from
        :attr:`chain_params` (None for any parameter not listed there).
        """
        return self.chain_params.get(param)

    def fit_chain(
        self,
        template: Any,
        previous: Any,
        start: Start,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
    ) -> Any | None:
        """Train ``template`` (a search candidate) from ``previous``'s fitted model.

        ``previous`` is the chain's preceding candidate fitted on the same
        rows; it is never modified. Returns None when this step cannot start
        warm (the search then fits ``template`` cold).
        """
        if start.kind not in self.fit_starts:
            return None
        model, _ = self.train(
            template, previous, start, X, y, seed=0, fit_params=fit_params
        )
        return model

    def fit_path(
        self,
        template: Any,
        values: Sequence[Mapping[str, Any]],
        previous: Any | None,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
    ) -> list[Any] | None:
        """Train consecutive candidates of one chain at once, along a path.

        ``values`` are the search parameters of a chain's next candidates, in
        the order it visits them; ``template`` is the first of them,
        configured and unfitted. The first starts from ``previous`` (cold if
        None), each later one from the model before it, as :meth:`fit_chain`
        would train them one by one. A family with a regularisation-path
        solver (``LogisticRegressionCV``'s) trains a leading run of them (at
        least two) in one call and returns their fitted models, in order:
        each must be the model :meth:`fit_chain` would give, a real fitted
        estimator with those parameters, which the search scores as any
        other. The search shares the call's time equally among them
        (``fit_time``) and asks again for the candidates after the run.
        Neither ``values`` nor ``previous`` may be modified.

        None (the default): no path here; ``template`` is left untouched and
        the search trains the first candidate through :meth:`fit_chain`. If
        this raises, the search does the same from a fresh template, so a
        candidate's own error is reported as its own.
        """
        return None

    def chain_n_iter(self, model: Any, previous: Any | None) -> int | None:
        """Epochs, iterations or members a chain step trained (``previous``: its start)."""
        return self.n_iter(model)

    # ---------------------------------------------------------------- checkpoints
    def state_payload(self, model: Any) -> Payload:
        """A fitted model as a checkpoint payload; by default the model, for skops.

        The checkpoint codec stores a ``kind="skops"`` payload's object with
        skops under the store's trust list. A family skops cannot store
        (a torch net) overrides this and :meth:`load_payload` with safe
        formats (JSON, ``.npz`` arrays, torch state dicts).
        """
        return Payload("skops", skops=model)

    def load_payload(self, payload: Payload, template: Any) -> Any:
        """The model of a checkpoint payload written by :meth:`state_payload`.

        ``template`` is the configured estimator (never modified).
        """
        if payload.kind != "skops":
            raise CheckpointError(
                f"{type(self).__name__} cannot load a {payload.kind!r} payload; "
                f"it was written for another model family than "
                f"{type(template).__name__}. Pass the configured estimator the "
                "checkpoint was written with."
            )
        return payload.skops

    # ---------------------------------------------------------------- the one entry point
    def check_start(self, start: Start, method: str = "fit") -> None:
        """Raise :class:`UnsupportedStartError` if ``start`` is not supported."""
        supported = self.fit_starts if method == "fit" else self.partial_fit_starts
        if start.kind not in supported:
            raise UnsupportedStartError(self._unsupported(start, method))

    def _unsupported(self, start: Start, method: str) -> str:
        supported = self.fit_starts if method == "fit" else self.partial_fit_starts
        return (
            f"{type(self.estimator).__name__} ({type(self).__name__}) cannot use "
            f"start {start.describe()!r} in {method}; supported starts: "
            f"{', '.join(sorted(supported))}."
        )

    def train(
        self,
        template: Any,
        previous: Any | None,
        start: Start,
        X: Any,
        y: Any,
        *,
        seed: int,
        fit_params: Mapping[str, Any],
        incremental: bool = False,
        classes: np.ndarray | None = None,
    ) -> tuple[Any, dict[str, Any] | None]:
        """Train one run; return the new model and θ_start (None if undefined).

        ``previous`` is never modified; ``template`` is an unfitted clone that
        may be consumed.
        """
        method = "partial_fit" if incremental else "fit"
        if previous is None or start.kind == "cold":
            theta0 = self.fresh_parameters(template, X, y, seed, None)
            model = self.fit_cold(template, X, y, fit_params, classes)
            return model, theta0
        self.check_start(start, method)
        theta_prev = self.parameters(previous)
        fresh = None
        if theta_prev:
            fresh = self.fresh_parameters(template, X, y, seed, previous)
            self._check_same_architecture(theta_prev, fresh)
        if start.kind in ("warm", "refresh"):
            # parameters() may share memory with ``previous``: never train on it.
            theta0 = _tensors.copy_params(theta_prev) if theta_prev else None
            write = None
        elif start.kind == "partial_reset":
            theta0 = self.partial_reset(
                start, template, previous, theta_prev, fresh, X, y, seed
            )
            write = theta0
        else:
            if not theta_prev:
                raise UnsupportedStartError(self._unsupported(start, method))
            theta0 = self.combine(start, theta_prev, fresh, seed)
            write = theta0
        # Training may update the arrays it is given in place: keep θ_start apart.
        start_copy = _tensors.copy_params(theta0) if theta0 is not None else None
        if incremental:
            model = self.partial_fit_from(
                template, previous, write, start, X, y, classes, fit_params
            )
        else:
            model = self.fit_from(template, previous, theta0, start, X, y, fit_params)
        return model, start_copy

    def _check_same_architecture(
        self, theta_prev: Mapping[str, Any], fresh: Mapping[str, Any] | None
    ) -> None:
        if fresh is None:
            return
        old, new = _tensors.shapes(theta_prev), _tensors.shapes(fresh)
        if old != new:
            changed = {
                k: (old.get(k), new.get(k))
                for k in sorted(set(old) | set(new))
                if old.get(k) != new.get(k)
            }
            raise ArchitectureChangedError(self._architecture_changed_message(changed))

    def _architecture_changed_message(self, changed: Mapping[str, Any]) -> str:
        """What to tell the user when parameter shapes changed between runs."""
        return (
            f"{type(self.estimator).__name__}'s parameter shapes changed since "
            f"the previous run ({changed}: previous -> now), so it cannot "
            "inherit them. Use start='cold' for this run, or keep the "
            "architecture (e.g. hidden_layer_sizes, classes) unchanged."
        )


def set_params_like(model: Any, template: Any, **overrides: Any) -> Any:
    """Give a copy of a fitted model the template's hyperparameters."""
    params = template.get_params(deep=False)
    params.update(overrides)
    return model.set_params(**params)
