"""The meta-estimators: validation, the run loop, records and delegation."""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import time
import tracemalloc
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import r2_score
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import _tensors
from ._buffer import RowBuffer
from ._compat import assume_finite, estimator_has, validate_data
from ._seeds import run_seed
from .adapters import Adapter, adapter_for
from .challenger import Contest, rows_since, run_contest
from .exceptions import DivergenceError
from .history import History, RunRecord
from .policies import (
    Decision,
    Evidence,
    OnDrift,
    Start,
    Trigger,
    check_start,
    check_triggers,
    decide,
)
from .schedules import Retrain, check_schedule

__all__ = ["DivergenceError", "WarmStartClassifier", "WarmStartRegressor"]


@dataclass(frozen=True)
class _State:
    """Everything an estimator carries from one run to the next."""

    model: Any
    history: History
    policy_states: list[Any]
    base_seed: int
    n_features: int
    feature_names: np.ndarray | None
    classes: np.ndarray | None
    buffer: RowBuffer
    n_seen: int
    #: The adapter of ``estimator`` (reused while the estimator object is the same).
    adapter: Adapter | None = None


def _rows_of(value: Any, part: slice, n_samples: int) -> Any:
    """The rows ``part`` of a per-sample fit parameter; other values unchanged."""
    if hasattr(value, "__len__") and not isinstance(value, str | dict):
        if len(value) == n_samples:
            return np.asarray(value)[part]
    return value


class _FeatureProbe(BaseEstimator):
    """Receives ``validate_data``'s fitted attributes so a failed run sets none."""


_NO_CONTEXT = nullcontext()
_DIVERGED = re.compile(r"non-finite|overflow|NaN or infinity|infinity", re.IGNORECASE)
_NOTHING_COMMITTED = (
    "The previous model, history and checkpoints are unchanged; lower the "
    "learning rate, scale the features or use a cold start."
)


def _run_seed(base_seed: int, run: int) -> int:
    # == int(np.random.SeedSequence([base_seed, run]).generate_state(1)[0])
    return run_seed(base_seed, run)


def _base_seed(random_state: Any) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(copy.deepcopy(random_state).randint(np.iinfo(np.int32).max))
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState, got "
        f"{type(random_state).__name__}."
    )


def _plain_arrays_ok(
    X: Any, y: Any, state: _State, tags: Any, classifier: bool
) -> bool:
    """Whether ``X, y`` are plain arrays that pass ``validate_data`` unchanged.

    True only for a dense 2-D float ndarray with the known number of features
    (no feature names on either side), finite unless NaN is allowed, and a
    1-D target of the same length: integer, boolean or string labels whose
    values all are known classes (classifiers), finite floats (regressors).
    Anything else takes the full validation. With ``tags=None`` (the
    estimator's tags not computed yet) ``X`` must be finite.
    """
    if state.feature_names is not None or state.model is None:
        return False
    if type(X) is not np.ndarray or type(y) is not np.ndarray:
        return False
    if X.ndim != 2 or X.dtype not in (np.float64, np.float32) or y.ndim != 1:
        return False
    if X.shape[1] != state.n_features or len(X) != len(y) or len(y) == 0:
        return False
    if tags is not None and tags.input_tags.allow_nan:
        if np.isinf(X).any():
            return False
    elif not np.isfinite(X).all():
        return False
    if not classifier:
        return y.dtype.kind == "f" and bool(np.isfinite(y).all())
    known = state.classes
    return known is not None and _all_known(y, known)


def _all_known(y: np.ndarray, known: np.ndarray) -> bool:
    """Whether every label of ``y`` is in the sorted array ``known`` (cheaply)."""
    if y.dtype.kind not in "iubU" or known.dtype.kind != y.dtype.kind:
        return False
    if y.dtype.kind in "iu" and known[-1] - known[0] == len(known) - 1:
        return bool(y.min() >= known[0] and y.max() <= known[-1])  # 0..k-1 labels
    at = np.searchsorted(known, y)
    return bool(np.all(known[np.minimum(at, len(known) - 1)] == y))


def _plain_warm(start: Start) -> bool:
    return start.kind == "warm" and getattr(start, "grow", None) is None


def _seed_everything(estimator: Any, seed: int) -> None:
    """Give every ``random_state`` parameter (nested ones too) the run's seed."""
    keys = [
        k
        for k in estimator.get_params(deep=True)
        if k.split("__")[-1] == "random_state"
    ]
    if keys:
        estimator.set_params(**dict.fromkeys(keys, seed))


def _peak_memory(enabled: bool):
    """A context yielding a dict that gets ``peak`` (bytes at the peak) on exit."""
    if not enabled:
        return nullcontext({"peak": float("nan")})
    return _traced_peak()


@contextmanager
def _traced_peak():
    out = {"peak": float("nan")}
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    else:
        tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield out
    finally:
        out["peak"] = float(tracemalloc.get_traced_memory()[1] - base)
        if started:
            tracemalloc.stop()


def _supports_partial_fit(wrapper: Any) -> bool:
    adapter = getattr(getattr(wrapper, "_state", None), "adapter", None)
    if adapter is None or adapter.estimator is not wrapper.estimator:
        adapter = adapter_for(wrapper.estimator)  # checked at every partial_fit
    return adapter.supports_partial_fit()


class _BaseWarmStart(MetaEstimatorMixin, BaseEstimator):
    """Shared run loop of :class:`WarmStartClassifier` and :class:`WarmStartRegressor`."""

    def __init__(
        self,
        estimator: Any,
        *,
        start: Start | str = "warm",
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
        self, state: _State | None = None
    ) -> tuple[Adapter, Start, list[Trigger]]:
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
        if (
            not isinstance(self.buffer_size, Integral)
            or isinstance(self.buffer_size, bool)
            or self.buffer_size < 0
        ):
            raise ValueError(
                f"buffer_size must be an int >= 0, got {self.buffer_size!r}."
            )
        if not isinstance(self.verbose, Integral):
            raise ValueError(f"verbose must be an int, got {self.verbose!r}.")
        _base_seed(self.random_state)
        if self.checkpoint is not None:
            from .checkpoints import as_store

            as_store(self.checkpoint)
        adapter = getattr(state, "adapter", None)
        if adapter is None or adapter.estimator is not self.estimator:
            adapter = adapter_for(self.estimator)
        return adapter, check_start(self.start), check_triggers(self.reset)

    def _validate_run_data(
        self, X: Any, y: Any, state: _State | None
    ) -> tuple[Any, np.ndarray, int, np.ndarray | None]:
        """Check one run's data; return X, y, n_features, feature names."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        tags = get_tags(self.estimator)
        options = dict(
            accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
            ensure_all_finite="allow-nan" if tags.input_tags.allow_nan else True,
            multi_output=tags.target_tags.multi_output,
            y_numeric=not self._is_classifier,
            dtype=None if tags.input_tags.string else "numeric",
        )
        if state is None:
            probe = _FeatureProbe()
            X, y = validate_data(probe, X, y, reset=True, **options)
            names = getattr(probe, "feature_names_in_", None)
            n_features = probe.n_features_in_
        elif _plain_arrays_ok(X, y, state, tags, self._is_classifier):
            # Later streaming chunks of plain arrays: the checks validate_data
            # would make, without its per-call cost (it dominates small chunks).
            return X, y, state.n_features, None
        else:
            X, y = validate_data(self, X, y, reset=False, **options)
            names, n_features = state.feature_names, state.n_features
        if self._is_classifier:
            check_classification_targets(y)
        return X, y, n_features, names

    def _check_classes(
        self, y: np.ndarray, state: _State | None, classes: Any
    ) -> np.ndarray | None:
        if not self._is_classifier:
            return None
        if state is not None and state.classes is not None:
            known = state.classes
            if _all_known(y, known):
                return known
            new = np.setdiff1d(np.unique(y), known)
            if len(new):
                raise ValueError(
                    f"y contains class(es) {new.tolist()} never seen in earlier runs "
                    f"(classes_={known.tolist()}). Declare every class in the first "
                    "partial_fit(..., classes=...) call, or start a new estimator."
                )
            return known
        seen = np.unique(y)
        if classes is not None:
            known = np.unique(np.asarray(classes))
            missing = np.setdiff1d(seen, known)
            if len(missing):
                raise ValueError(
                    f"y contains class(es) {missing.tolist()} that are not in "
                    f"classes={known.tolist()}."
                )
        else:
            known = seen
        if len(known) < 2:
            raise ValueError(
                f"y has one class ({known.tolist()}); the first run needs at least "
                "two. Pass classes=[...] to partial_fit if later chunks bring the "
                "others."
            )
        return known

    def _init_model(self) -> Any:
        init = self.init
        if init is None:
            return None
        if isinstance(init, str) or hasattr(init, "__fspath__"):
            from .checkpoints import load_model

            return load_model(init, template=self.estimator)
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
        return init.estimator_ if isinstance(init, _BaseWarmStart) else init

    # ------------------------------------------------------------------ the run loop
    def _new_state(self, X: Any, n_features: int, names: Any, classes: Any, triggers):
        init_model = self._init_model()
        if init_model is not None:
            n_init = getattr(init_model, "n_features_in_", n_features)
            if n_init != n_features:
                raise ValueError(
                    f"init was fitted on {n_init} features, but X has {n_features}."
                )
        return _State(
            model=init_model,
            history=History(),
            policy_states=[t.init_state() for t in triggers],
            base_seed=_base_seed(self.random_state),
            n_features=n_features,
            feature_names=names,
            classes=classes,
            buffer=RowBuffer(self.buffer_size),
            n_seen=0,
        )

    def _evidence(
        self, state: _State, adapter: Adapter, X: Any, y: np.ndarray
    ) -> Evidence:
        run = len(state.history)
        if state.model is None:
            return Evidence(
                run, len(y), state.n_seen, None, float("nan"), self._is_classifier
            )
        y_pred = adapter.predict(state.model, X)
        if np.ndim(y_pred) == 2 and np.ndim(y) == 1 and np.shape(y_pred)[1] == 1:
            y_pred = np.ravel(y_pred)  # e.g. skorch regressors predict (n, 1)
        if self._is_classifier:
            wrong = y_pred != y
            errors = wrong.astype(np.float64)
            # == 1 - errors.mean(): the sum of 0/1 values is exact.
            score = float(1.0 - np.count_nonzero(wrong) / wrong.size)
        else:
            residual = np.abs(np.asarray(y, dtype=np.float64) - y_pred)
            errors = residual if residual.ndim == 1 else residual.mean(axis=1)
            score = float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")
        return Evidence(
            run, len(y), state.n_seen, errors, score, self._is_classifier, y_pred, y
        )

    def _train_score(
        self, adapter: Adapter, model: Any, X: Any, y: np.ndarray
    ) -> float:
        y_pred = adapter.predict(model, X)
        if self._is_classifier:
            hits = y_pred == y
            if isinstance(hits, np.ndarray) and hits.size:
                return np.count_nonzero(hits) / hits.size  # == np.mean(hits)
            return float(np.mean(hits))
        return float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")

    def _run(
        self,
        state: _State,
        adapter: Adapter,
        start: Start,
        triggers: list[Trigger],
        X: Any,
        y: np.ndarray,
        fit_params: dict[str, Any],
        method: str,
        *,
        new: tuple[Any, np.ndarray] | None = None,
        rows: Any = None,
        checked_finite: bool = False,
    ) -> _State:
        """Train one run from ``state`` and return the next state (``state`` untouched).

        ``new`` holds the rows that arrived with this run (default: ``X, y``):
        the previous model is evaluated on them. ``rows``, when given, is called
        with the decision and returns the ``(X, y, fit_params)`` to train on
        (schedules use it to drop the data before a detected drift).
        ``checked_finite`` says that ``X`` and ``y`` are proven finite, there
        are no fit parameters and the adapter's model checks only those, so a
        warm streaming step may skip the model's own finiteness checks.
        """
        run = len(state.history)
        incremental = method == "partial_fit"
        states = copy.deepcopy(state.policy_states) if state.policy_states else []
        X_new, y_new = (X, y) if new is None else new
        evidence = self._evidence(state, adapter, X_new, y_new)
        decision: Decision = decide(
            start, triggers, states, evidence, has_model=state.model is not None
        )
        previous = state.model
        contest = None
        if previous is not None and decision.source is not None:
            cold_seed = _run_seed(state.base_seed, 0)  # the challenger starts cold
            decision, contest = self._challenge(
                state,
                adapter,
                start,
                triggers,
                decision,
                evidence,
                X_new,
                y_new,
                cold_seed,
                incremental,
            )
        if rows is not None:
            X, y, fit_params = rows(decision)
        X_train, y_train = X, y
        # A cold run is what the bare estimator would do with this random_state:
        # the same seed at every cold start keeps cold refits idempotent.
        seed = _run_seed(state.base_seed, 0 if decision.start.kind == "cold" else run)
        if incremental and previous is not None and decision.start.kind == "cold":
            # A streaming reset trains to convergence on the recent rows: those
            # since the estimated start of the change when a detector gives it.
            X_train, y_train = self._reset_rows(state, decision, X, y)
            previous = None
        elif previous is not None and decision.start.kind != "cold":
            adapter.check_start(decision.start, "partial_fit" if incremental else "fit")

        theta_prev = (
            adapter.parameters(state.model) if state.model is not None else None
        )
        if not theta_prev:
            theta_prev = None
        elif not (incremental and previous is not None and _plain_warm(decision.start)):
            # A warm streaming step trains a snapshot of the model and leaves
            # the model (and so these arrays) alone; elsewhere keep a copy.
            theta_prev = _tensors.copy_params(theta_prev)
        with _peak_memory(self.track_memory) as memory, adapter.seeded(seed):
            tic = time.perf_counter()
            try:
                model, theta_start = self._train(
                    state,
                    adapter,
                    decision,
                    previous,
                    theta_prev,
                    X_train,
                    y_train,
                    seed,
                    fit_params,
                    incremental,
                    checked_finite=checked_finite,
                )
            except ValueError as error:
                # sklearn's own divergence checks (MLP, SGD) raise ValueError.
                if not _DIVERGED.search(str(error)):
                    raise
                raise DivergenceError(
                    f"Run {run} diverged: {error} {_NOTHING_COMMITTED}"
                ) from error
            fit_time = time.perf_counter() - tic
        theta_end = adapter.parameters(model)
        loss_curve = adapter.loss_curve(model)
        end_norm = _tensors.norm(theta_end)
        # A finite norm proves every parameter finite; only a non-finite one
        # (or an overflow of large values) needs the element-wise check.
        finite = math.isfinite(end_norm) or _tensors.all_finite(theta_end)
        if not finite or (len(loss_curve) and not np.all(np.isfinite(loss_curve))):
            raise DivergenceError(
                f"Run {run} diverged: its training produced non-finite "
                f"{'parameters' if not finite else 'loss'} "
                f"(start {decision.start.describe()}). {_NOTHING_COMMITTED}"
            )
        distance_from_prev = _tensors.distance(theta_end, theta_prev)
        record = RunRecord(
            run=run,
            method=method,
            start=decision.start.describe(),
            reason=decision.reason,
            trigger=decision.trigger,
            seed=seed,
            n_samples=len(y_train),
            sample_start=state.n_seen,
            n_iter=adapter.n_iter(model),
            loss_curve=loss_curve,
            grad_norms=adapter.grad_norms(model),
            valid_loss_curve=adapter.valid_loss_curve(model),
            theta_start_norm=_tensors.norm(theta_start),
            theta_end_norm=end_norm,
            distance_from_start=(
                distance_from_prev
                if theta_start is theta_prev
                else _tensors.distance(theta_end, theta_start)
            ),
            distance_from_prev=distance_from_prev,
            prequential_score=evidence.score,
            train_score=self._train_score(adapter, model, X, y),
            fit_time=fit_time,
            peak_memory=memory["peak"],
            drift_events=decision.events,
            challenger=None if contest is None else contest.summary,
        )
        if self.verbose:
            print(
                f"[{type(self).__name__}] run {run}: {record.start} ({record.reason}); "
                f"n_iter={record.n_iter}, prequential={record.prequential_score:.4f}, "
                f"train={record.train_score:.4f}, {fit_time:.3f}s"
            )
        buffer = state.buffer.add(X, y) if incremental else state.buffer
        return dataclasses.replace(
            state,
            model=model,
            history=state.history.append(record),
            policy_states=states,
            buffer=buffer,
            n_seen=state.n_seen + len(y_new),
            adapter=adapter,
        )

    def _train(
        self,
        state: _State,
        adapter: Adapter,
        decision: Decision,
        previous: Any,
        theta_prev: Any,
        X: Any,
        y: np.ndarray,
        seed: int,
        fit_params: dict[str, Any],
        incremental: bool,
        checked_finite: bool = False,
    ) -> tuple[Any, Any]:
        """The training step of a run: the new model and θ_start."""
        if incremental and previous is not None and _plain_warm(decision.start):
            # The hot path of streaming: continue a copy of the model, no template.
            # X and y proven finite need not be checked again by the model.
            with assume_finite() if checked_finite else _NO_CONTEXT:
                model = adapter.continue_stream(
                    previous, X, y, state.classes, fit_params
                )
            if model is not None:
                return model, theta_prev
        if incremental and state.model is None:
            return adapter.start_stream(
                self._template(seed),
                X,
                y,
                seed=seed,
                classes=state.classes,
                fit_params=fit_params,
            )
        return adapter.train(
            self._template(seed),
            previous,
            decision.start,
            X,
            y,
            seed=seed,
            fit_params=fit_params,
            incremental=incremental,
            classes=state.classes if incremental else None,
        )

    def _template(self, seed: int) -> Any:
        """An unfitted clone of ``estimator`` with every random_state set to ``seed``."""
        template = clone(self.estimator)
        _seed_everything(template, seed)
        return template

    def _reset_rows(
        self, state: _State, decision: Decision, X: Any, y: np.ndarray
    ) -> tuple[Any, np.ndarray]:
        """Rows a streaming reset trains on (at most ``buffer_size`` + the run's)."""
        X_all, y_all = state.buffer.with_rows(X, y)
        since = next(
            (e.change_start for e in decision.events if e.change_start is not None),
            None,
        )
        if since is None:
            return X_all, y_all
        n_keep = min(len(y_all), state.n_seen + len(y) - since)
        if n_keep < 2 or n_keep >= len(y_all):
            return X_all, y_all
        X_new, y_new = X_all[-n_keep:], y_all[-n_keep:]
        if self._is_classifier and len(np.unique(y_new)) < 2:
            return X_all, y_all
        return X_new, y_new

    def _challenge(
        self,
        state: _State,
        adapter: Adapter,
        start: Start,
        triggers: list[Trigger],
        decision: Decision,
        evidence: Evidence,
        X: Any,
        y: np.ndarray,
        seed: int,
        incremental: bool,
    ) -> tuple[Decision, Contest | None]:
        """Let a warning-zone challenger decide whether a drift resets."""
        trigger = triggers[decision.source]
        if not (isinstance(trigger, OnDrift) and trigger.uses_challenger()):
            return decision, None
        event = next(
            (
                e
                for e in decision.events
                if e.change_start is not None and e.detector == trigger.name
            ),
            None,
        )
        if event is None:
            return decision, Contest(False, "not run: the drift came without a warning")
        classifier = self._is_classifier
        earlier = (None, None)
        if incremental:
            earlier = rows_since(
                state.buffer.X, state.buffer.y, state.n_seen, event.change_start
            )

        def train(X_fit, y_fit):
            classes = state.classes if classifier else None
            return adapter.fit_cold(self._template(seed), X_fit, y_fit, {}, classes)

        contest = run_contest(
            since=event.change_start,
            X=X,
            y=y,
            sample_start=state.n_seen,
            incumbent_pred=evidence.y_pred,
            earlier=earlier,
            train=train,
            predict=adapter.predict,
            signal=lambda y_true, y_pred: trigger.signal_values(
                y_true, y_pred, classifier
            ),
            is_classifier=classifier,
        )
        if contest.promoted or not contest.compared:
            return decision, contest
        kept = dataclasses.replace(  # no reset: the trigger is overruled
            decision,
            start=start,
            trigger=None,
            reason=f"{decision.trigger} fired: {decision.reason}; warning-zone "
            "challenger lost, current model kept",
        )
        return kept, contest

    def _commit(self, state: _State) -> None:
        self._state = state
        self.estimator_ = state.model
        self.history_ = state.history
        self.n_runs_ = len(state.history)
        self.policy_state_ = state.policy_states
        self.n_features_in_ = state.n_features
        if state.feature_names is not None:
            self.feature_names_in_ = state.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if state.classes is not None:
            self.classes_ = state.classes

    def _current_state(self) -> _State | None:
        return getattr(self, "_state", None) if hasattr(self, "estimator_") else None

    def _fit_runs(self, X, y, fit_params, method, classes=None):
        state = self._current_state()
        adapter, start, triggers = self._check_params(state)
        if method == "partial_fit" and not adapter.supports_partial_fit():
            raise AttributeError(
                f"{type(self.estimator).__name__} has no partial_fit; use fit."
            )
        checked_finite = False
        if state is not None and _plain_arrays_ok(
            X, y, state, None, self._is_classifier
        ):
            # A later chunk of plain finite arrays with known labels: what
            # _validate_run_data and _check_classes would return, checked once.
            known = state.classes
            checked_finite = adapter.checks_only_given_rows and not fit_params
        else:
            X, y, n_features, names = self._validate_run_data(X, y, state)
            known = self._check_classes(y, state, classes)
        if state is None:
            state = self._new_state(X, n_features, names, known, triggers)
        elif len(state.policy_states) != len(triggers):
            raise ValueError(
                "reset changed since the first run; call fit on a fresh clone to "
                "use a different set of triggers."
            )
        with adapter.seeded():  # predictions must not advance a framework's RNG
            state = self._run(
                state,
                adapter,
                start,
                triggers,
                X,
                y,
                fit_params,
                method,
                checked_finite=checked_finite,
            )
        self._commit(state)
        if self.checkpoint is not None:
            self._write_checkpoint(X, y)
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
            dataclasses.replace(self._state, history=History((*history[:-1], last)))
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
        size = self.buffer_size
        if ckpt.buffer_y is None or size == 0:
            buffer = RowBuffer(size)
        else:
            buffer = RowBuffer(size, ckpt.buffer_X[-size:], ckpt.buffer_y[-size:])
        self._commit(
            _State(
                model=ckpt.model,
                history=ckpt.history,
                policy_states=states,
                base_seed=ckpt.base_seed,
                n_features=ckpt.n_features,
                feature_names=ckpt.feature_names,
                classes=ckpt.classes,
                buffer=buffer,
                n_seen=ckpt.n_seen,
            )
        )

    def _fit_schedule(self, X, y, fit_params):
        """Replay the whole schedule from a fresh state; commit once at the end."""
        adapter, start, triggers = self._check_params()
        schedule = check_schedule(self.schedule)
        X, y, n_features, names = self._validate_run_data(X, y, None)
        n_samples = len(y)
        steps = schedule.split(n_samples)
        known = self._check_classes(y, None, None)
        if known is not None:
            first = np.unique(y[steps[0].train])
            missing = np.setdiff1d(known, first)
            if len(missing) or len(first) < 2:
                raise ValueError(
                    f"The schedule's first slice ({steps[0].train.stop} rows) lacks "
                    f"class(es) {missing.tolist()} that later rows bring; every run "
                    "must know every class. Give the first run more rows with "
                    "Retrain(initial=...) or use fewer runs."
                )
        for candidate in (start, *(t.reset_start() for t in triggers)):
            if candidate.kind != "cold":
                adapter.check_start(candidate, "fit")
        state = self._new_state(X, n_features, names, known, triggers)
        restart, min_rows = None, steps[0].train.stop - steps[0].train.start

        def rows(decision, step):
            nonlocal restart
            row = schedule.restart_row(decision, step)
            restart = restart if row is None else row
            part = schedule.train_rows(step, restart, min_rows)
            params = {
                key: _rows_of(value, part, n_samples)
                for key, value in fit_params.items()
            }
            return X[part], y[part], params

        with adapter.seeded():  # predictions must not advance a framework's RNG
            for step in steps:
                state = self._run(
                    state,
                    adapter,
                    start,
                    triggers,
                    X[step.train],
                    y[step.train],
                    fit_params,
                    "schedule",
                    new=(X[step.new], y[step.new]),
                    rows=lambda decision, step=step: rows(decision, step),
                )
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
        resumed estimator keeps writing checkpoints to the same store; pass a
        :class:`~sklearn_warmstart.checkpoints.CheckpointStore` rather than a
        path to keep its retention settings (``keep_last``, ``keep_every``).

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

        store = as_store(path)
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
        column names are checked against ``feature_names_in_`` by the wrapper.
        """
        if not hasattr(X, "columns"):
            return X
        validate_data(self, X, reset=False, skip_check_array=True)
        return np.asarray(X)

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
        return self.estimator_.predict(self._inner_X(X))

    @available_if(estimator_has("score"))
    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Score of the current model (the wrapped estimator's ``score``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy for classifiers, R² for regressors, unless the wrapped
            estimator defines another.
        """
        self._check_fitted()
        if sample_weight is None:
            return self.estimator_.score(self._inner_X(X), y)
        return self.estimator_.score(self._inner_X(X), y, sample_weight=sample_weight)

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


_PARAMETERS_DOC = """
    Parameters
    ----------
    estimator : estimator
        The model to train at every run (never modified; each run trains a
        clone). scikit-learn linear models, MLPs, tree ensembles, pipelines,
        skorch nets and any estimator with ``warm_start`` are supported.
    start : {"warm", "cold"} or Start, default="warm"
        How each run after the first begins: ``"warm"``/:class:`Warm`,
        ``"cold"``/:class:`Cold`, :class:`ShrinkPerturb`, :class:`Perturb` or
        :class:`PartialReset`.
    reset : Trigger or list of Trigger, default=None
        Triggers that override ``start`` with a reset, e.g. ``Every(5)``.
    schedule : Retrain, int or None, default=None
        With a :class:`~sklearn_warmstart.schedules.Retrain` schedule (an int
        ``n`` means ``Retrain(n)``), one ``fit`` replays a whole retraining
        sequence over the time-ordered rows: run 1 on the first slice, each
        later run on the data so far (or the last window), all recorded with
        ``method="schedule"`` and committed together. ``partial_fit`` ignores
        it.
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
        Continue later with :meth:`resume`.
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
        One :class:`~sklearn_warmstart.history.RunRecord` per run;
        ``history_.to_frame()`` is a DataFrame.
    n_runs_ : int
        Number of committed runs.
    policy_state_ : list
        Mutable state of each reset trigger (detector windows, counters).
    n_features_in_ : int
        Number of features seen in the first run.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when the first run's X had string column names.
"""


class WarmStartClassifier(ClassifierMixin, _BaseWarmStart):
    __doc__ = (
        """Classifier whose every training run starts as a policy says.

    Each ``fit`` is one run; the first is cold, later ones start warm (by
    default), cold, shrink-and-perturbed or partially reset, and triggers can
    force resets. Every run leaves a record in ``history_``. A run that fails
    or diverges changes nothing.
"""
        + _PARAMETERS_DOC
        + """    classes_ : ndarray of shape (n_classes,)
        Classes known to the model.

    See Also
    --------
    WarmStartRegressor : The same for regressors.
    sklearn_warmstart.policies.ShrinkPerturb : Shrink-and-perturb start.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import WarmStartClassifier
    >>> X, y = make_classification(n_samples=600, random_state=0)
    >>> clf = WarmStartClassifier(SGDClassifier(), start="warm", random_state=0)
    >>> for rows in (slice(0, 200), slice(0, 400), slice(0, 600)):
    ...     clf = clf.fit(X[rows], y[rows])
    >>> clf.n_runs_
    3
    >>> [r.start for r in clf.history_]
    ['cold', 'warm', 'warm']
    """
    )

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
        return self.estimator_.predict_proba(self._inner_X(X))

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
        return self.estimator_.predict_log_proba(self._inner_X(X))

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
        return self.estimator_.decision_function(self._inner_X(X))


class WarmStartRegressor(RegressorMixin, _BaseWarmStart):
    __doc__ = (
        """Regressor whose every training run starts as a policy says.

    Each ``fit`` is one run; the first is cold, later ones start as ``start``
    says unless a trigger resets. Every run leaves a record in ``history_``.
    A run that fails or diverges changes nothing.
"""
        + _PARAMETERS_DOC
        + """
    See Also
    --------
    WarmStartClassifier : The same for classifiers.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import SGDRegressor
    >>> from sklearn_warmstart import WarmStartRegressor, ShrinkPerturb
    >>> X, y = make_regression(n_samples=400, n_features=5, random_state=0)
    >>> reg = WarmStartRegressor(SGDRegressor(), start=ShrinkPerturb(0.5, 0.1),
    ...                          random_state=0)
    >>> reg = reg.fit(X[:200], y[:200]).fit(X, y)
    >>> reg.history_[1].start
    'shrink_perturb(0.5, 0.1)'
    >>> round(reg.score(X, y), 2)
    1.0
    """
    )
