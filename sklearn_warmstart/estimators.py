"""The meta-estimators: parameters, the fit/partial_fit templates, delegation, tags.

One run itself (evidence, decision, training, record) is
:class:`sklearn_warmstart._runloop.Runner`'s; the rows are guarded by
:func:`sklearn_warmstart._validation.guard_rows` first and the run is
committed here last.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from ._buffer import RowBuffer
from ._compat import estimator_has, validate_data
from ._portfolio import PortfolioRunner, restore_portfolio
from ._runloop import Runner, RunState, base_seed, new_state
from ._validation import category_codes, check_int, guard_rows
from .adapters import Adapter, adapter_for
from .exceptions import DivergenceError, FirstRunStartWarning
from .policies import (
    Adaptive,
    Cold,
    OnNewClasses,
    Start,
    Trigger,
    Warm,
    check_start,
    check_triggers,
    every_start,
    largest_window,
)
from .schedules import Retrain, check_schedule

__all__ = ["DivergenceError", "WarmStartClassifier", "WarmStartRegressor"]


def _supports_partial_fit(wrapper: Any) -> bool:
    adapter = getattr(getattr(wrapper, "_state", None), "adapter", None)
    if adapter is None or adapter.estimator is not wrapper.estimator:
        adapter = adapter_for(wrapper.estimator)  # checked at every partial_fit
    return adapter.supports_partial_fit()


def _lineage_content(portfolio: Any) -> dict[str, Any]:
    """The checkpoint content of an ``Adaptive`` start's lineages."""
    if portfolio is None:
        return {}
    shared = {"best": portfolio.best, "rows_seen": portfolio.rows_seen}
    return {"lineages": portfolio.lineages, "portfolio": shared}


def _model_kind(model: Any) -> tuple[Any, ...]:
    """Class, family (adapter) and kind of a model; of a pipeline's steps too."""
    steps = getattr(model, "steps", None)
    classes = tuple(type(step).__name__ for _, step in steps) if steps else ()
    try:
        family = type(adapter_for(model)).__name__
    except (TypeError, ValueError):
        family = "no"
    return (
        type(model).__name__,
        classes,
        family,
        "classifier" if is_classifier(model) else "regressor",
    )


def _check_same_model(model: Any, estimator: Any, source: str) -> None:
    """Refuse a start model of another class, family or kind than ``estimator``."""
    have, want = _model_kind(model), _model_kind(estimator)
    if have != want:

        def text(kind):
            steps = f" ({', '.join(kind[1])})" if kind[1] else ""
            return f"{kind[0]}{steps}, {kind[2]} family, {kind[3]}"

        raise ValueError(
            f"{source} holds a {text(have)}, but the estimator is a {text(want)}; "
            "a run can only continue a model of the same class. Pass the "
            "estimator the model was fitted with."
        )


class _BaseWarmStart(MetaEstimatorMixin, BaseEstimator):
    """What :class:`WarmStartClassifier` and :class:`WarmStartRegressor` share."""

    def __init__(
        self,
        estimator: Any,
        *,
        start: Start | str = "auto",
        reset: Trigger | Sequence[Trigger] | None = None,
        schedule: Retrain | int | None = None,
        init: Any = None,
        checkpoint: Any = None,
        buffer_size: int = 2000,
        track_memory: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ):
        self.estimator = estimator
        self.start = start
        self.reset = reset
        self.schedule = schedule
        self.init = init
        self.checkpoint = checkpoint
        self.buffer_size = buffer_size
        self.track_memory = track_memory
        self.random_state = random_state
        self.verbose = verbose

    @property
    def _is_classifier(self) -> bool:
        return isinstance(self, ClassifierMixin)

    # ------------------------------------------------------------------ validation
    def _check_params(
        self, state: RunState | None = None, method: str = "fit"
    ) -> tuple[Adapter, Start, list[Trigger], str | None]:
        """The adapter, the start (``"auto"`` resolved), the triggers and why.

        The fourth value says why ``start="auto"`` became cold (None otherwise).
        """
        if not (
            hasattr(self.estimator, "fit") and hasattr(self.estimator, "get_params")
        ):
            raise TypeError(
                f"estimator must be a scikit-learn estimator (with fit and get_params), "
                f"got {type(self.estimator).__name__}."
            )
        wants_classifier = isinstance(self, ClassifierMixin)
        if is_classifier(self.estimator) != wants_classifier:
            kind = "classifier" if wants_classifier else "regressor"
            raise ValueError(
                f"{type(self).__name__} needs a {kind}, got "
                f"{type(self.estimator).__name__}; use "
                f"{'WarmStartRegressor' if wants_classifier else 'WarmStartClassifier'}."
            )
        check_int(self.buffer_size, "buffer_size", low=0)
        if not isinstance(self.verbose, Integral):
            raise ValueError(f"verbose must be an int, got {self.verbose!r}.")
        if not isinstance(self.track_memory, bool | np.bool_):
            raise ValueError(
                f"track_memory must be True or False, got {self.track_memory!r}."
            )
        base_seed(self.random_state)
        if self.checkpoint is not None:
            self._check_own_store()
        adapter = getattr(state, "adapter", None)
        if adapter is None or adapter.estimator is not self.estimator:
            adapter = adapter_for(self.estimator)
        if isinstance(self.start, str) and self.start not in ("auto", "cold", "warm"):
            raise ValueError(
                f"start={self.start!r} is not a known start; use 'auto', 'cold', "
                "'warm' or a start object such as ShrinkPerturb(0.4, 0.1)."
            )
        if self.start != "auto":
            return adapter, check_start(self.start), check_triggers(self.reset), None
        supported = (
            adapter.partial_fit_starts
            if method == "partial_fit"
            else adapter.fit_starts
        )
        if "warm" in supported:
            return adapter, Warm(), check_triggers(self.reset), None
        note = (
            f"start='auto': {type(self.estimator).__name__} supports only "
            f"{', '.join(sorted(supported))} in {method}"
        )
        return adapter, Cold(), check_triggers(self.reset), note

    def _check_first_run(
        self,
        adapter: Adapter,
        start: Start,
        triggers: list[Trigger],
        method: str,
        note: str | None,
    ) -> None:
        """Refuse, before anything trains, a start the family cannot honour; warn once.

        Every start a run could take (the policy's and each trigger's reset
        start) is checked at the first run, not when it first acts.
        """
        check = "partial_fit" if method == "partial_fit" else "fit"
        for candidate in every_start(start, triggers):
            if candidate.kind != "cold":
                adapter.check_start(candidate, check)
        if note is not None:
            warnings.warn(
                f"{note}, so every run of {type(self).__name__} is cold. Pass "
                "start='cold' to say so, or wrap a model family that can start "
                "warm.",
                UserWarning,
                stacklevel=4,
            )
        elif method == "fit" and start.kind != "cold" and self.init is None:
            warnings.warn(
                f"{type(self).__name__}'s first fit has no model to start from, "
                f"so it is cold: start={start.describe()!r} takes effect from "
                "the second run. A search over start that fits each candidate "
                "once (GridSearchCV, cross_validate) scores every start the "
                "same; give the estimator schedule=Retrain(...) so that one fit "
                "replays a sequence of runs.",
                FirstRunStartWarning,
                stacklevel=4,
            )

    def __sklearn_clone__(self) -> _BaseWarmStart:
        twin = super().__sklearn_clone__()
        if self.checkpoint is not None:
            from .checkpoints import as_store

            twin._clone_of_store = os.path.abspath(as_store(self.checkpoint).path)
        return twin

    def _check_own_store(self) -> None:
        """Refuse to fit a clone that would write into its original's store."""
        from .checkpoints import as_store

        store = as_store(self.checkpoint)
        path = os.path.abspath(store.path)
        if getattr(self, "_clone_of_store", None) == path:
            raise ValueError(
                f"This {type(self).__name__} is a clone (GridSearchCV, "
                "cross_validate and sklearn.base.clone make one per candidate "
                f"and fold) and would write into {path}, the checkpoint store of "
                "the estimator it was cloned from: every clone would add to one "
                "lineage. Use checkpoint=None in searches and cross-validation "
                "and fit the chosen model with a checkpoint, or give the clone "
                "its own store: clone.set_params(checkpoint=<another folder>)."
            )
        store.check_writable()

    def _init_model(self) -> Any:
        init = self.init
        if init is None:
            return None
        if isinstance(init, str) or hasattr(init, "__fspath__"):
            from .checkpoints import load_model

            model = load_model(init, template=self.estimator)
            _check_same_model(model, self.estimator, f"init={init!s}")
            return model
        if isinstance(init, FrozenEstimator):
            init = init.estimator
        try:
            check_is_fitted(init)
        except NotFittedError as error:
            raise NotFittedError(
                f"init must be a fitted estimator, but this {type(init).__name__} "
                "is not fitted. clone (and so GridSearchCV and cross_validate) "
                "refits nothing but drops fitted state from estimator parameters: "
                "pass init=FrozenEstimator(model) (sklearn.frozen) or a "
                "checkpoint path to keep it."
            ) from error
        model = init.estimator_ if isinstance(init, _BaseWarmStart) else init
        _check_same_model(model, self.estimator, "init")
        return model

    def _runner(
        self,
        adapter: Adapter,
        start: Start,
        triggers: list[Trigger],
        method: str,
        rows_proven_finite: bool = False,
        start_note: str | None = None,
    ) -> Runner:
        runner = PortfolioRunner if isinstance(start, Adaptive) else Runner
        return runner(
            estimator=self.estimator,
            adapter=adapter,
            start=start,
            triggers=triggers,
            is_classifier=self._is_classifier,
            method=method,
            owner=type(self).__name__,
            track_memory=self.track_memory,
            verbose=self.verbose,
            rows_proven_finite=rows_proven_finite,
            start_note=start_note,
        )

    def _new_state(self, schema, triggers) -> RunState:
        return new_state(
            schema,
            triggers,
            init_model=self._init_model(),
            random_state=self.random_state,
            buffer_size=self._buffer_size(triggers),
        )

    def _buffer_size(self, triggers: list[Trigger]) -> int:
        """``buffer_size``, grown to hold the largest ``Cold(window=...)`` in use."""
        start = (
            "warm"
            if isinstance(self.start, str) and self.start == "auto"
            else self.start
        )
        return max(self.buffer_size, largest_window(check_start(start), triggers))

    def _commit(self, state: RunState) -> None:
        self._state = state
        self.estimator_ = state.model
        if state.portfolio is None:
            self.served_model_ = state.model
            if hasattr(self, "lineages_"):
                del self.lineages_
        else:
            self.served_model_ = state.portfolio.served
            self.lineages_ = state.portfolio.lineages
        self.history_ = state.history
        self.n_runs_ = state.history.n_runs
        self.policy_state_ = state.policy_states
        self.n_features_in_ = state.n_features
        if state.feature_names is not None:
            self.feature_names_in_ = state.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if state.classes is not None:
            self.classes_ = state.classes

    def _current_state(self) -> RunState | None:
        return getattr(self, "_state", None) if hasattr(self, "estimator_") else None

    def _fit_runs(self, X, y, fit_params, method, classes=None):
        """One run: guard, run, commit, checkpoint."""
        state = self._current_state()
        adapter, start, triggers, note = self._check_params(state, method)
        if method == "partial_fit" and not adapter.supports_partial_fit():
            raise AttributeError(
                f"{type(self.estimator).__name__} has no partial_fit; use fit."
            )
        fit_params = self._routed(method, fit_params)
        if state is None:
            self._check_first_run(adapter, start, triggers, method, note)
        rows = guard_rows(
            self,
            X,
            y,
            None if state is None else state.schema,
            is_classifier=self._is_classifier,
            classes=classes,
            grow=any(isinstance(t, OnNewClasses) for t in triggers),
            method=method,
        )
        if state is None:
            state = self._new_state(rows.schema, triggers)
        elif len(state.policy_states) != len(triggers):
            raise ValueError(
                "reset changed since the first run; call fit on a fresh clone to "
                "use a different set of triggers."
            )
        # Classes the guard let this run add (OnNewClasses): the run learns them.
        grown = None if rows.schema.classes is state.classes else rows.schema.classes
        runner = self._runner(
            adapter,
            start,
            triggers,
            method,
            rows_proven_finite=(
                rows.proven_finite and adapter.checks_only_given_rows and not fit_params
            ),
            start_note=note,
        )
        with adapter.seeded():  # predictions must not advance a framework's RNG
            state = runner.run(state, rows.X, rows.y, fit_params, classes=grown)
        self._commit(state)
        if self.checkpoint is not None:
            self._write_checkpoint(rows.X, rows.y)
        return self

    def _write_checkpoint(self, X: Any, y: Any) -> None:
        """Checkpoint the committed run and record the checkpoint id.

        Raises ``CheckpointError`` if the save fails; the run stays committed.
        """
        from .checkpoints import CheckpointError, as_store

        try:
            checkpoint_id = as_store(self.checkpoint).save(
                self._checkpoint_content(), X, y
            )
        except CheckpointError as error:
            raise type(error)(
                f"{error} Run {self.n_runs_ - 1} is committed in memory "
                "(estimator_, history_); its record has checkpoint=None and the "
                "next successful save stores the whole history."
            ) from error
        history = self._state.history
        last = dataclasses.replace(history[-1], checkpoint=checkpoint_id)
        self._commit(
            dataclasses.replace(self._state, history=history.replace_last(last))
        )

    def _checkpoint_content(self) -> Any:
        """The committed state as the checkpoint codec's content (None if unfitted)."""
        import os

        from .checkpoints import CheckpointContent

        state = self._current_state()
        if state is None:
            return None
        adapter = state.adapter
        if adapter is None or adapter.estimator is not self.estimator:
            adapter = adapter_for(self.estimator)
        init = self.init
        if init is None:
            init_text = None
        elif isinstance(init, str) or hasattr(init, "__fspath__"):
            init_text = f"checkpoint:{os.fspath(init)}"
        else:
            init_text = f"estimator:{type(init).__name__}"
        return CheckpointContent(
            model=state.model,
            adapter=adapter,
            history=state.history,
            policy_states=tuple(state.policy_states),
            triggers=tuple(repr(t) for t in check_triggers(self.reset)),
            base_seed=state.base_seed,
            n_features=state.n_features,
            n_seen=state.n_seen,
            feature_names=state.feature_names,
            classes=state.classes,
            buffer_X=state.buffer.X,
            buffer_y=state.buffer.y,
            buffer_size=state.buffer.size,
            estimator_class=type(self).__name__,
            params=self.get_params(deep=False),
            init=init_text,
            **_lineage_content(state.portfolio),
        )

    def _restore_checkpoint(self, ckpt: Any) -> None:
        """Commit the state of a loaded checkpoint (``resume``'s last step)."""
        import warnings

        triggers = check_triggers(self.reset)
        if len(triggers) != len(ckpt.policy_states):
            raise ValueError(
                f"Checkpoint {ckpt.id} has {len(ckpt.policy_states)} trigger "
                f"state(s) but reset has {len(triggers)} trigger(s); resume with "
                "the same reset."
            )
        states = []
        for trigger, value, stored in zip(
            triggers, ckpt.policy_states, ckpt.policy_states_stored
        ):
            if not stored:
                warnings.warn(
                    f"The state of {trigger!r} could not be stored without pickle "
                    f"(e.g. a river detector's window) and restarts fresh.",
                    UserWarning,
                    stacklevel=3,
                )
                value = trigger.init_state()
            states.append(value)
        size = self._buffer_size(triggers)
        if ckpt.buffer_y is None or size == 0:
            buffer = RowBuffer(size)
        else:
            buffer = RowBuffer(size, ckpt.buffer_X[-size:], ckpt.buffer_y[-size:])
        portfolio = None
        if ckpt.lineages:
            portfolio = restore_portfolio(
                check_start(self.start),
                ckpt.lineages,
                ckpt.portfolio,
                self._is_classifier,
            )
        self._commit(
            RunState(
                model=ckpt.model,
                history=ckpt.history,
                policy_states=states,
                base_seed=ckpt.base_seed,
                n_features=ckpt.n_features,
                feature_names=ckpt.feature_names,
                classes=ckpt.classes,
                buffer=buffer,
                n_seen=ckpt.n_seen,
                portfolio=portfolio,
            )
        )

    def _fit_schedule(self, X, y, fit_params):
        """Replay the whole schedule from a fresh state; commit once at the end."""
        adapter, start, triggers, note = self._check_params()
        schedule = check_schedule(self.schedule)
        fit_params = self._routed("fit", fit_params)
        rows = guard_rows(self, X, y, None, is_classifier=self._is_classifier)
        X, y = rows.X, rows.y
        first = schedule.split(len(y))[0].train
        if rows.schema.classes is not None:
            seen = np.unique(y[first])
            missing = np.setdiff1d(rows.schema.classes, seen)
            if len(missing) or len(seen) < 2:
                raise ValueError(
                    f"The schedule's first slice ({first.stop} rows) lacks "
                    f"class(es) {missing.tolist()} that later rows bring; every run "
                    "must know every class. Give the first run more rows with "
                    "Retrain(initial=...) or use fewer runs."
                )
        self._check_first_run(adapter, start, triggers, "schedule", note)
        state = self._new_state(rows.schema, triggers)
        runner = self._runner(adapter, start, triggers, "schedule", start_note=note)
        with adapter.seeded():  # predictions must not advance a framework's RNG
            state = runner.run_schedule(state, schedule, X, y, fit_params)
        self._commit(state)
        if self.checkpoint is not None:
            self._write_checkpoint(X, y)
        return self

    # ------------------------------------------------------------------ public API
    @classmethod
    def resume(cls, path: Any, **params: Any) -> _BaseWarmStart:
        """Rebuild a fitted estimator from a store's newest verified checkpoint.

        The model, the run history, the run-seed root, the streaming buffer and
        the trigger states that could be stored safely are restored, so the
        next ``fit`` or ``partial_fit`` is the next run, with the seed it would
        have had without the interruption. River detectors cannot be stored
        without pickle: their states restart fresh (with a warning). The
        resumed estimator keeps writing checkpoints to the same store, with
        the retention settings (``keep_last``, ``keep_every``) stored in it
        unless ``path`` is a
        :class:`~sklearn_warmstart.checkpoints.CheckpointStore` with its own.

        Parameters
        ----------
        path : str, path-like or CheckpointStore
            The checkpoint store.
        **params : dict
            Constructor parameters that override the stored ones. Parameters
            that could not be stored safely (e.g. a skorch net, a trigger
            holding a river detector) must be given again.

        Returns
        -------
        estimator : object
            A fitted estimator of this class.

        Raises
        ------
        CheckpointError
            If the store has no verified checkpoint or a required parameter
            is missing.
        ValueError
            If the stored model's class, family or kind (classifier or
            regressor) differs from the given ``estimator``'s.

        Examples
        --------
        >>> import tempfile
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import SGDClassifier
        >>> from sklearn_warmstart import WarmStartClassifier
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     clf = WarmStartClassifier(SGDClassifier(), checkpoint=tmp,
        ...                               random_state=0)
        ...     clf = clf.fit(X[:100], y[:100]).fit(X, y)
        ...     resumed = WarmStartClassifier.resume(tmp).fit(X, y)
        >>> resumed.n_runs_, resumed.history_[2].checkpoint
        (3, 'ckpt-000002')
        """
        from .checkpoints import CheckpointError, as_store

        store = as_store(path, read_settings=True)
        ckpt = store.load(template=params.get("estimator"))
        if ckpt.estimator_class != cls.__name__:
            raise ValueError(
                f"Checkpoint {ckpt.id} in {store.path} was written by "
                f"{ckpt.estimator_class}; use {ckpt.estimator_class}.resume."
            )
        missing = [name for name in ckpt.missing_params if name not in params]
        if missing:
            raise CheckpointError(
                f"Checkpoint {ckpt.id} could not store parameter(s) {missing} "
                f"safely (they hold types outside the trusted list); pass them "
                f"again: {cls.__name__}.resume(path, {missing[0]}=...)."
            )
        estimator = cls(**{**ckpt.params, "init": None, "checkpoint": store, **params})
        _check_same_model(
            ckpt.model, estimator.estimator, f"Checkpoint {ckpt.id} in {store.path}"
        )
        estimator._restore_checkpoint(ckpt)
        return estimator

    def fit(self, X: Any, y: Any, **fit_params: Any) -> _BaseWarmStart:
        """Train one run on ``X, y``, started as the policy says.

        The first run on an unfitted estimator is cold (or starts from
        ``init``); each later call is the next run. Nothing changes if the run
        fails. With a ``schedule``, one call replays the schedule's whole
        sequence of runs over the time-ordered rows from a fresh state and
        commits them together (so ``fit`` is idempotent).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The run's training rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The run's targets.
        **fit_params : dict
            Passed to the wrapped estimator's ``fit`` (e.g. ``sample_weight``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.schedule is not None:
            return self._fit_schedule(X, y, fit_params)
        return self._fit_runs(X, y, fit_params, "fit")

    @available_if(_supports_partial_fit)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, **fit_params: Any
    ) -> _BaseWarmStart:
        """Train one streaming run (one chunk) under the same policy.

        A warm chunk continues the model's own ``partial_fit``; a reset trains
        a fresh model to convergence on the last ``buffer_size`` rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The chunk's rows.
        y : array-like of shape (n_samples,)
            The chunk's targets.
        classes : array-like, default=None
            Classifiers: every class the stream will bring, required on the
            first call if that chunk lacks some.
        **fit_params : dict
            Passed to the wrapped estimator's ``partial_fit``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_runs(X, y, fit_params, "partial_fit", classes)

    def _check_fitted(self):
        check_is_fitted(self, "estimator_")

    def _inner_X(self, X: Any) -> Any:
        """X as the wrapped model saw it in training: names checked here, then dropped.

        Runs train the wrapped model on validated arrays, so a DataFrame's
        column names are checked against ``feature_names_in_`` by the wrapper
        (and rows without names after a fit with names warn, as in sklearn).
        """
        if not hasattr(X, "columns"):
            if hasattr(self, "feature_names_in_"):
                validate_data(self, X, reset=False, skip_check_array=True)
            if type(X) is np.ndarray:
                # Some models (XGBoost) would read a wrong shape as other rows.
                if X.ndim == 1:
                    check_array(X, ensure_all_finite=False, dtype=None)  # raises
                if X.ndim == 2 and X.shape[1] != self.n_features_in_:
                    raise ValueError(
                        f"X has {X.shape[1]} features, but {type(self).__name__} "
                        f"is expecting {self.n_features_in_} features as input."
                    )
            return X
        validate_data(self, X, reset=False, skip_check_array=True)
        if category_codes(X) is not X:
            return X  # the model was trained on the frame's categories
        return np.asarray(X)

    def _routed(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The metadata for the wrapped estimator's ``method``.

        With scikit-learn's metadata routing enabled, only what the wrapped
        estimator requested (``set_fit_request``, ...) is passed on, and
        unrequested metadata raises; otherwise every parameter is passed.
        """
        if not get_config()["enable_metadata_routing"]:
            return params
        return process_routing(self, method, **params).estimator[method]

    def get_metadata_routing(self) -> MetadataRouter:
        """How metadata reaches the wrapped estimator (scikit-learn's routing).

        ``fit``, ``partial_fit`` and ``score`` pass the metadata the wrapped
        estimator requests for the method of the same name; with a
        ``schedule``, per-sample metadata is sliced like the rows of each run.

        Returns
        -------
        routing : MetadataRouter
            The routing of ``fit``, ``partial_fit`` and ``score`` to
            ``estimator``.

        Examples
        --------
        >>> import numpy as np
        >>> import sklearn
        >>> from sklearn.linear_model import SGDClassifier
        >>> from sklearn_warmstart import WarmStartClassifier
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> y, w = np.array([0, 0, 1, 1]), np.array([1.0, 2.0, 1.0, 2.0])
        >>> with sklearn.config_context(enable_metadata_routing=True):
        ...     inner = SGDClassifier(random_state=0).set_fit_request(
        ...         sample_weight=True)
        ...     clf = WarmStartClassifier(inner, start="cold").fit(
        ...         X, y, sample_weight=w)
        >>> clf.n_runs_
        1
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        mapping.add(caller="score", callee="score")
        if hasattr(self.estimator, "partial_fit"):
            mapping.add(caller="partial_fit", callee="partial_fit")
        return MetadataRouter(owner=self).add(
            estimator=self.estimator, method_mapping=mapping
        )

    @available_if(estimator_has("predict"))
    def predict(self, X: Any) -> np.ndarray:
        """Predict with the current model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions of ``estimator_``.
        """
        self._check_fitted()
        return self.served_model_.predict(self._inner_X(X))

    def _score(self, X: Any, y: Any, params: dict[str, Any]) -> float:
        """The wrapped model's own ``score``, with the (routed) metadata."""
        self._check_fitted()
        params = {k: v for k, v in params.items() if v is not None}
        params = self._routed("score", params)
        return self.served_model_.score(self._inner_X(X), y, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.non_deterministic = inner.non_deterministic
        if tags.classifier_tags is not None and inner.classifier_tags is not None:
            tags.classifier_tags.multi_class = inner.classifier_tags.multi_class
            tags.classifier_tags.poor_score = inner.classifier_tags.poor_score
        if tags.regressor_tags is not None and inner.regressor_tags is not None:
            tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        return tags


class WarmStartClassifier(ClassifierMixin, _BaseWarmStart):
    """Classifier whose every training run starts as a policy says.

    Each ``fit`` is one run (or, with a ``schedule``, a whole sequence of
    runs); the first is cold, later ones start warm (where the family can),
    cold, shrink-and-perturbed or partially reset, and triggers can force
    resets. Every run leaves a record in ``history_``. A run that fails or
    diverges changes nothing.

    Parameters
    ----------
    estimator : estimator
        The model to train at every run (never modified; each run trains a
        clone). scikit-learn linear models, MLPs, tree ensembles, pipelines,
        skorch nets and any estimator with ``warm_start`` are supported.
    start : {"auto", "warm", "cold"} or Start, default="auto"
        How each run after the first begins: ``"warm"``/:class:`Warm`,
        ``"cold"``/:class:`Cold` (``Cold(window=n)``: the last ``n`` rows
        only), :class:`ShrinkPerturb`, :class:`Perturb`,
        :class:`PartialReset`, or :class:`Adaptive` (a portfolio of lineages
        served by their recent score; see ``lineages_``, ``served_model_``).
        ``"auto"`` is warm when the model family can start warm and cold
        otherwise (e.g. ``Ridge``, which has no ``warm_start``); then the
        first fit warns once and each record's reason says why. A start the
        family cannot honour, given explicitly here or as a trigger's reset
        start, raises :class:`~sklearn_warmstart.UnsupportedStartError` at the
        first ``fit``, naming the starts the family supports. The first
        ``fit`` has no model to start from and is cold: without a ``schedule``
        or an ``init`` it says so once with a
        :class:`~sklearn_warmstart.FirstRunStartWarning`.
    reset : Trigger or list of Trigger, default=None
        Triggers that override ``start`` with a reset, e.g. ``Every(5)``,
        ``OnDrift()`` or :class:`~sklearn_warmstart.OnNewClasses`, without
        which a label never seen before is an error.
    schedule : Retrain, int or None, default=None
        With a :class:`~sklearn_warmstart.schedules.Retrain` schedule (an int
        ``n`` means ``Retrain(n)``), one ``fit`` replays a whole retraining
        sequence over the time-ordered rows: run 1 on the first slice, each
        later run on the data so far (or the last window), all recorded with
        ``method="schedule"`` and committed together. This is how a search
        over ``start`` compares starts. ``partial_fit`` ignores it.
    init : fitted estimator, FrozenEstimator or path, default=None
        A model the first run starts from (with ``start``); without it the
        first run is cold. A path loads the model of a checkpoint store's
        newest verified checkpoint (or of a ``store/ckpt-NNNNNN`` directory).
    checkpoint : CheckpointStore, path or None, default=None
        Where every committed run writes one checkpoint (see
        :class:`~sklearn_warmstart.checkpoints.CheckpointStore`); the run's
        record gets the checkpoint id. A failed run writes nothing. If the
        save itself fails (disk full, permission denied), the run stays
        committed in memory, the store is unchanged and ``CheckpointError``
        is raised; the next successful save holds the whole history again.
        Continue later with :meth:`resume`. A clone (``GridSearchCV``,
        ``cross_validate``, ``sklearn.base.clone``) whose ``checkpoint`` is
        still its original's store raises ``ValueError`` at ``fit``: one
        store holds one lineage.
    buffer_size : int, default=2000
        Rows kept for streaming resets: a reset in ``partial_fit`` trains a
        fresh model on the most recent ``buffer_size`` rows.
    track_memory : bool, default=False
        Record each run's peak allocated memory with :mod:`tracemalloc`
        (slows pure-Python training loops noticeably).
    random_state : int, RandomState or None, default=None
        Seeds every run: run ``i`` uses a seed drawn from ``random_state`` and
        ``i``, given to every ``random_state`` of the wrapped model. Cold runs
        all use the seed of run 0, so a cold run is exactly what the bare
        estimator does with that seed and cold refits are idempotent. A
        RandomState passed here is copied, never advanced.
    verbose : int, default=0
        Print one line per run when positive.

    Attributes
    ----------
    estimator_ : estimator
        The model of the last committed run (with an
        :class:`~sklearn_warmstart.policies.Adaptive` start, the best lineage's).
    served_model_ : estimator
        What ``predict``, ``predict_proba``, ``decision_function`` and
        ``score`` use: ``estimator_``, or with an ``Adaptive`` start the
        frozen weighted vote of the lineages
        (:class:`~sklearn_warmstart.serving.WeightedVoteClassifier`) or the
        best lineage's model. A plain scikit-learn estimator: pickle it to
        deploy exactly what is served, without the policy state.
    lineages_ : tuple of Lineage
        With an ``Adaptive`` start only: every lineage's model, decayed
        score, weight and own run history.
    history_ : History
        One :class:`~sklearn_warmstart.records.RunRecord` per run;
        ``history_.to_frame()`` is a DataFrame.
    n_runs_ : int
        Number of committed runs.
    policy_state_ : list
        Mutable state of each reset trigger (detector windows, counters).
    n_features_in_ : int
        Number of features seen in the first run.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when the first run's X had string column names.
    classes_ : ndarray of shape (n_classes,)
        Classes known to the model.

    See Also
    --------
    WarmStartRegressor : The same for regressors.
    sklearn_warmstart.schedules.Retrain : A retraining sequence inside one fit.
    sklearn_warmstart.policies.ShrinkPerturb : Shrink-and-perturb start.

    Notes
    -----
    A *run* is one ``fit`` call, one step of a ``schedule`` inside ``fit``, or
    one ``partial_fit`` chunk. ``partial_fit`` gives no
    :class:`~sklearn_warmstart.FirstRunStartWarning`: its chunks are the runs,
    so the start acts from the second chunk on.

    With scikit-learn's metadata routing enabled
    (``sklearn.set_config(enable_metadata_routing=True)``), ``fit``,
    ``partial_fit`` and ``score`` pass the wrapped estimator the metadata it
    requests (``estimator.set_fit_request(sample_weight=True)``), through
    :class:`~sklearn.pipeline.Pipeline`,
    :class:`~sklearn.model_selection.GridSearchCV` and
    :func:`~sklearn.model_selection.cross_validate`; with routing off every
    keyword argument is passed on.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import FirstRunStartWarning, WarmStartClassifier
    >>> X, y = make_classification(n_samples=600, random_state=0)
    >>> clf = WarmStartClassifier(SGDClassifier(), random_state=0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     for rows in (slice(0, 200), slice(0, 400), slice(0, 600)):
    ...         clf = clf.fit(X[rows], y[rows])
    >>> [w.category.__name__ for w in caught]
    ['FirstRunStartWarning']
    >>> clf.n_runs_, [r.start for r in clf.history_]
    (3, ['cold', 'warm', 'warm'])

    A schedule replays a sequence of runs in one ``fit``, so a search over
    ``start`` compares starts:

    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_warmstart import Retrain
    >>> search = GridSearchCV(
    ...     WarmStartClassifier(SGDClassifier(), schedule=Retrain(3), random_state=0),
    ...     {"start": ["cold", "warm"]}, cv=2).fit(X, y)
    >>> [r.start for r in search.best_estimator_.history_][1:]
    ['warm', 'warm']
    """

    @available_if(estimator_has("score"))
    def score(self, X: Any, y: Any, sample_weight: Any = None, **params: Any) -> float:
        """Score of the current model: the wrapped estimator's ``score``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        **params : dict
            Other metadata for the wrapped estimator's ``score`` (with
            metadata routing enabled, only what it requests).

        Returns
        -------
        score : float
            Mean accuracy unless the wrapped estimator's ``score`` says
            otherwise.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_warmstart import WarmStartClassifier
        >>> X, y = make_classification(n_samples=100, random_state=0)
        >>> clf = WarmStartClassifier(LogisticRegression(), start="cold").fit(X, y)
        >>> clf.score(X, y) == clf.estimator_.score(X, y)
        True
        """
        return self._score(X, y, {"sample_weight": sample_weight, **params})

    @available_if(estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the current model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        self._check_fitted()
        return self.served_model_.predict_proba(self._inner_X(X))

    @available_if(estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities of the current model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        self._check_fitted()
        return self.served_model_.predict_log_proba(self._inner_X(X))

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision function of the current model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The wrapped model's decision scores.
        """
        self._check_fitted()
        return self.served_model_.decision_function(self._inner_X(X))


class WarmStartRegressor(RegressorMixin, _BaseWarmStart):
    """Regressor whose every training run starts as a policy says.

    Each ``fit`` is one run (or, with a ``schedule``, a whole sequence of
    runs); the first is cold, later ones start as ``start`` says unless a
    trigger resets. Every run leaves a record in ``history_``. A run that
    fails or diverges changes nothing.

    Parameters
    ----------
    estimator : estimator
        The model to train at every run (never modified; each run trains a
        clone). scikit-learn linear models, MLPs, tree ensembles, pipelines,
        skorch nets and any estimator with ``warm_start`` are supported.
    start : {"auto", "warm", "cold"} or Start, default="auto"
        How each run after the first begins: ``"warm"``/:class:`Warm`,
        ``"cold"``/:class:`Cold` (``Cold(window=n)``: the last ``n`` rows
        only), :class:`ShrinkPerturb`, :class:`Perturb`,
        :class:`PartialReset`, or :class:`Adaptive` (a portfolio of lineages
        served by their recent score; see ``lineages_``, ``served_model_``).
        ``"auto"`` is warm when the model family can start warm and cold
        otherwise (e.g. ``Ridge``, which has no ``warm_start``); then the
        first fit warns once and each record's reason says why. A start the
        family cannot honour, given explicitly here or as a trigger's reset
        start, raises :class:`~sklearn_warmstart.UnsupportedStartError` at the
        first ``fit``, naming the starts the family supports. The first
        ``fit`` has no model to start from and is cold: without a ``schedule``
        or an ``init`` it says so once with a
        :class:`~sklearn_warmstart.FirstRunStartWarning`.
    reset : Trigger or list of Trigger, default=None
        Triggers that override ``start`` with a reset, e.g. ``Every(5)``,
        ``OnDrift()`` or :class:`~sklearn_warmstart.OnNewClasses`, without
        which a label never seen before is an error.
    schedule : Retrain, int or None, default=None
        With a :class:`~sklearn_warmstart.schedules.Retrain` schedule (an int
        ``n`` means ``Retrain(n)``), one ``fit`` replays a whole retraining
        sequence over the time-ordered rows: run 1 on the first slice, each
        later run on the data so far (or the last window), all recorded with
        ``method="schedule"`` and committed together. This is how a search
        over ``start`` compares starts. ``partial_fit`` ignores it.
    init : fitted estimator, FrozenEstimator or path, default=None
        A model the first run starts from (with ``start``); without it the
        first run is cold. A path loads the model of a checkpoint store's
        newest verified checkpoint (or of a ``store/ckpt-NNNNNN`` directory).
    checkpoint : CheckpointStore, path or None, default=None
        Where every committed run writes one checkpoint (see
        :class:`~sklearn_warmstart.checkpoints.CheckpointStore`); the run's
        record gets the checkpoint id. A failed run writes nothing. If the
        save itself fails (disk full, permission denied), the run stays
        committed in memory, the store is unchanged and ``CheckpointError``
        is raised; the next successful save holds the whole history again.
        Continue later with :meth:`resume`. A clone (``GridSearchCV``,
        ``cross_validate``, ``sklearn.base.clone``) whose ``checkpoint`` is
        still its original's store raises ``ValueError`` at ``fit``: one
        store holds one lineage.
    buffer_size : int, default=2000
        Rows kept for streaming resets: a reset in ``partial_fit`` trains a
        fresh model on the most recent ``buffer_size`` rows.
    track_memory : bool, default=False
        Record each run's peak allocated memory with :mod:`tracemalloc`
        (slows pure-Python training loops noticeably).
    random_state : int, RandomState or None, default=None
        Seeds every run: run ``i`` uses a seed drawn from ``random_state`` and
        ``i``, given to every ``random_state`` of the wrapped model. Cold runs
        all use the seed of run 0, so a cold run is exactly what the bare
        estimator does with that seed and cold refits are idempotent. A
        RandomState passed here is copied, never advanced.
    verbose : int, default=0
        Print one line per run when positive.

    Attributes
    ----------
    estimator_ : estimator
        The model of the last committed run.
    history_ : History
        One :class:`~sklearn_warmstart.records.RunRecord` per run;
        ``history_.to_frame()`` is a DataFrame.
    n_runs_ : int
        Number of committed runs.
    policy_state_ : list
        Mutable state of each reset trigger (detector windows, counters).
    n_features_in_ : int
        Number of features seen in the first run.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when the first run's X had string column names.

    See Also
    --------
    WarmStartClassifier : The same for classifiers.
    sklearn_warmstart.schedules.Retrain : A retraining sequence inside one fit.

    Notes
    -----
    A *run* is one ``fit`` call, one step of a ``schedule`` inside ``fit``, or
    one ``partial_fit`` chunk. ``partial_fit`` gives no
    :class:`~sklearn_warmstart.FirstRunStartWarning`: its chunks are the runs,
    so the start acts from the second chunk on.

    With scikit-learn's metadata routing enabled
    (``sklearn.set_config(enable_metadata_routing=True)``), ``fit``,
    ``partial_fit`` and ``score`` pass the wrapped estimator the metadata it
    requests (``estimator.set_fit_request(sample_weight=True)``), through
    :class:`~sklearn.pipeline.Pipeline`,
    :class:`~sklearn.model_selection.GridSearchCV` and
    :func:`~sklearn.model_selection.cross_validate`; with routing off every
    keyword argument is passed on.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import Ridge, SGDRegressor
    >>> from sklearn_warmstart import ShrinkPerturb, WarmStartRegressor
    >>> X, y = make_regression(n_samples=400, n_features=5, random_state=0)
    >>> reg = WarmStartRegressor(SGDRegressor(), start=ShrinkPerturb(0.5, 0.1),
    ...                          schedule=2, random_state=0).fit(X, y)
    >>> reg.history_[1].start
    'shrink_perturb(0.5, 0.1)'
    >>> round(reg.score(X, y), 2)
    1.0

    ``Ridge`` cannot start warm, so ``start="auto"`` is cold (with one
    warning) and the records say why:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ridge = WarmStartRegressor(Ridge()).fit(X, y).fit(X, y)
    >>> ridge.history_[1].reason
    "policy start (start='auto': Ridge supports only cold in fit)"
    """

    @available_if(estimator_has("score"))
    def score(self, X: Any, y: Any, sample_weight: Any = None, **params: Any) -> float:
        """Score of the current model: the wrapped estimator's ``score``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        **params : dict
            Other metadata for the wrapped estimator's ``score`` (with
            metadata routing enabled, only what it requests).

        Returns
        -------
        score : float
            R² unless the wrapped estimator's ``score`` says otherwise.

        Examples
        --------
        >>> from sklearn.datasets import make_regression
        >>> from sklearn.linear_model import Ridge
        >>> from sklearn_warmstart import WarmStartRegressor
        >>> X, y = make_regression(n_samples=100, random_state=0)
        >>> reg = WarmStartRegressor(Ridge(), start="cold").fit(X, y)
        >>> reg.score(X, y) == reg.estimator_.score(X, y)
        True
        """
        return self._score(X, y, {"sample_weight": sample_weight, **params})
