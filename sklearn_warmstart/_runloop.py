"""One run of a meta-estimator, as a sequence of steps.

guard → evidence → decide → build start → train a copy → check finite →
record → commit. :class:`Runner` does the steps from *evidence* to *record*
and returns the next :class:`RunState`; the estimator guards the rows first
(:func:`sklearn_warmstart._validation.guard_rows`) and commits the state
last, so a run that raises anywhere in between changes nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import r2_score

from . import _tensors
from ._buffer import RowBuffer
from ._compat import assume_finite
from ._seeds import run_seed
from ._validation import Schema
from .adapters import Adapter
from .challenger import Contest, reset_rows, rows_since, run_contest
from .exceptions import DivergenceError
from .policies import Cold, Decision, Evidence, Start, Trigger, decide
from .records import History, RunRecord

__all__ = ["RunState", "Runner", "base_seed", "evidence_of", "new_state", "rows_of"]

_DIVERGED = re.compile(r"non-finite|overflow|NaN or infinity|infinity", re.IGNORECASE)
_NOTHING_COMMITTED = (
    "The previous model, history and checkpoints are unchanged; lower the "
    "learning rate, scale the features or use a cold start."
)


@dataclass(frozen=True)
class RunState:
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
    #: An ``Adaptive`` start's lineages (``_portfolio.Portfolio``), else None.
    portfolio: Any = None

    @property
    def schema(self) -> Schema | None:
        """What the guard checks later rows against (None before a model exists)."""
        if self.model is None:
            return None
        return Schema(self.n_features, self.feature_names, self.classes)


def base_seed(random_state: Any) -> int:
    """The root of every run's seed, drawn once from ``random_state``."""
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


def new_state(
    schema: Schema,
    triggers: Sequence[Trigger],
    *,
    init_model: Any,
    random_state: Any,
    buffer_size: int,
) -> RunState:
    """The state before the first run (the model of ``init``, if any)."""
    if init_model is not None:
        n_init = getattr(init_model, "n_features_in_", schema.n_features)
        if n_init != schema.n_features:
            raise ValueError(
                f"init was fitted on {n_init} features, but X has {schema.n_features}."
            )
    return RunState(
        model=init_model,
        history=History(),
        policy_states=[t.init_state() for t in triggers],
        base_seed=base_seed(random_state),
        n_features=schema.n_features,
        feature_names=schema.feature_names,
        classes=schema.classes,
        buffer=RowBuffer(buffer_size),
        n_seen=0,
    )


def rows_of(value: Any, part: slice, n_samples: int) -> Any:
    """The rows ``part`` of a per-sample fit parameter; other values unchanged."""
    if hasattr(value, "__len__") and not isinstance(value, str | dict):
        if len(value) == n_samples:
            return np.asarray(value)[part]
    return value


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


@contextmanager
def _divergence_is_an_error(run: int):
    """Turn scikit-learn's own divergence errors (MLP, SGD) into DivergenceError."""
    try:
        yield
    except ValueError as error:
        if not _DIVERGED.search(str(error)):
            raise
        raise DivergenceError(
            f"Run {run} diverged: {error} {_NOTHING_COMMITTED}"
        ) from error


def _check_two_classes(y: np.ndarray, run: int) -> None:
    """A warm ``fit`` run needs two classes, as the model's own cold ``fit`` does."""
    if np.ndim(y) == 1 and len(np.unique(y)) < 2:
        raise ValueError(
            f"The number of classes has to be greater than one; got 1 class "
            f"({np.unique(y).tolist()}) in the rows of run {run}. A fit run "
            "trains on rows of at least two classes, warm or cold; stream "
            "one-class chunks with partial_fit instead."
        )


def evidence_of(
    run: int,
    sample_start: int,
    y_pred: Any,
    y: np.ndarray,
    is_classifier: bool,
    X: Any = None,
    feature_names: np.ndarray | None = None,
) -> Evidence:
    """The per-sample errors and the score of predictions ``y_pred`` of ``y``."""
    if np.ndim(y_pred) == 2 and np.ndim(y) == 1 and np.shape(y_pred)[1] == 1:
        y_pred = np.ravel(y_pred)  # e.g. skorch regressors predict (n, 1)
    if is_classifier:
        wrong = y_pred != y
        errors = wrong.astype(np.float64)
        # == 1 - errors.mean(): the sum of 0/1 values is exact.
        score = float(1.0 - np.count_nonzero(wrong) / wrong.size)
    else:
        finite = np.isfinite(np.asarray(y_pred, dtype=np.float64))
        if not finite.all():
            bad = finite.size - np.count_nonzero(finite)
            source = f"the model of run {run - 1}" if run else "the init model"
            raise DivergenceError(
                f"Run {run} cannot start: {source} predicts "
                f"non-finite values (NaN or infinity) for {bad} of its "
                f"{finite.size} new values, so it can be neither scored nor "
                "continued. Nothing was committed; scale the features, or fit "
                "a fresh clone cold."
            )
        residual = np.abs(np.asarray(y, dtype=np.float64) - y_pred)
        errors = residual if residual.ndim == 1 else residual.mean(axis=1)
        score = float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")
    return Evidence(
        run, len(y), sample_start, errors, score, is_classifier, y_pred, y, X=X,
        feature_names=feature_names,
    )  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    """How the run trains: from which model, on which rows, with which seed."""

    previous: Any
    X: Any
    y: np.ndarray
    seed: int
    #: The rows of the run's ``X`` a windowed cold start keeps (None: as given).
    part: slice | None = None
    #: Rows the streaming buffer keeps after a reset that estimated where the
    #: change began (None: all): later windows never reach back across it.
    keep: int | None = None


@dataclass(frozen=True)
class Runner:
    """What stays the same over the runs of one ``fit`` or ``partial_fit`` call.

    ``method`` is ``"fit"``, ``"partial_fit"`` or ``"schedule"``.
    ``rows_proven_finite``: the guard proved the rows finite plain arrays,
    there are no fit parameters and the adapter's model checks only those, so
    a warm streaming step may skip the model's own finiteness checks.
    """

    estimator: Any
    adapter: Adapter
    start: Start
    triggers: list[Trigger]
    is_classifier: bool
    method: str
    owner: str
    track_memory: bool = False
    verbose: int = 0
    rows_proven_finite: bool = False
    #: Why ``start="auto"`` became ``start``, added to a policy start's reason.
    start_note: str | None = None

    @property
    def incremental(self) -> bool:
        return self.method == "partial_fit"

    def run(
        self,
        state: RunState,
        X: Any,
        y: np.ndarray,
        fit_params: dict[str, Any],
        *,
        new: tuple[Any, np.ndarray] | None = None,
        rows: Callable[[Decision], tuple[Any, np.ndarray, dict]] | None = None,
        classes: np.ndarray | None = None,
    ) -> RunState:
        """Train one run from ``state`` and return the next state (``state`` untouched).

        ``new`` holds the rows that arrived with this run (default: ``X, y``):
        the previous model is evaluated on them. ``rows``, when given, is called
        with the decision and returns the ``(X, y, fit_params)`` to train on
        (schedules use it to drop the data before a detected drift).
        ``classes``: the classes the guard let this run add to ``state``'s
        (an ``OnNewClasses`` trigger is set), which a reset must learn.
        """
        run = state.history.n_runs
        grown: tuple = ()
        if classes is not None and state.classes is not None:
            grown = tuple(np.setdiff1d(classes, state.classes).tolist())
            state = dataclasses.replace(state, classes=classes)
        policy_states = (
            copy.deepcopy(state.policy_states) if state.policy_states else []
        )
        X_new, y_new = (X, y) if new is None else new
        evidence = self._evidence(state, X_new, y_new)
        if grown:
            evidence = dataclasses.replace(
                evidence, new_classes=grown, classes=state.classes
            )
        decision = decide(
            self.start,
            self.triggers,
            policy_states,
            evidence,
            has_model=state.model is not None,
        )
        decision, contest = self._challenge(state, decision, evidence, X_new, y_new)
        decision = self._bounded(state, decision)
        if grown and decision.start.kind != "cold":
            raise ValueError(
                f"Run {run} brings new class(es) {list(grown)}, which only a cold "
                f"start can learn, but it starts {decision.start.describe()} "
                f"({decision.reason}); put OnNewClasses() first in reset."
            )
        if self.start_note and decision.start is self.start:
            decision = dataclasses.replace(
                decision, reason=f"{decision.reason} ({self.start_note})"
            )
        if rows is not None:
            X, y, fit_params = rows(decision)
        plan = self._plan(state, decision, X, y)
        if plan.part is not None:
            fit_params = {
                k: rows_of(v, plan.part, len(y)) for k, v in fit_params.items()
            }
        theta_prev = self._previous_parameters(state, plan, decision)
        with (
            _peak_memory(self.track_memory) as memory,
            self.adapter.seeded(plan.seed),
            _divergence_is_an_error(run),
        ):
            tic = time.perf_counter()
            model, theta_start = self._train(
                state, decision, plan, theta_prev, fit_params
            )
            fit_time = time.perf_counter() - tic
        theta_end, loss_curve, end_norm = self._check_finite(model, decision, run)
        distance_from_prev = _tensors.distance(theta_end, theta_prev)
        record = RunRecord(
            run=run,
            method=self.method,
            start=decision.start.describe(),
            reason=decision.reason,
            trigger=decision.trigger,
            seed=plan.seed,
            n_samples=len(plan.y),
            sample_start=state.n_seen,
            n_iter=self.adapter.n_iter(model),
            loss_curve=loss_curve,
            grad_norms=self.adapter.grad_norms(model),
            valid_loss_curve=self.adapter.valid_loss_curve(model),
            n_iter_total=self.adapter.n_iter_total(model),
            theta_start_norm=_tensors.norm(theta_start),
            theta_end_norm=end_norm,
            distance_from_start=(
                distance_from_prev
                if theta_start is theta_prev
                else _tensors.distance(theta_end, theta_start)
            ),
            distance_from_prev=distance_from_prev,
            prequential_score=evidence.score,
            train_score=self._train_score(model, X, y),
            fit_time=fit_time,
            peak_memory=memory["peak"],
            drift_events=decision.events,
            challenger=None if contest is None else contest.summary,
        )
        if self.verbose:
            print(
                f"[{self.owner}] run {run}: {record.start} ({record.reason}); "
                f"n_iter={record.n_iter}, prequential={record.prequential_score:.4f}, "
                f"train={record.train_score:.4f}, {fit_time:.3f}s"
            )
        return dataclasses.replace(
            state,
            model=model,
            history=state.history.append(record),
            policy_states=policy_states,
            buffer=self._next_buffer(state, plan, X, y),
            n_seen=state.n_seen + len(y_new),
            adapter=self.adapter,
            portfolio=None,
        )

    def _next_buffer(self, state: RunState, plan: _Plan, X: Any, y: Any) -> RowBuffer:
        if not self.incremental:
            return state.buffer
        buffer = state.buffer.add(X, y)
        return buffer if plan.keep is None else buffer.last(plan.keep)

    # ------------------------------------------------------------------ evidence
    def _evidence(self, state: RunState, X: Any, y: np.ndarray) -> Evidence:
        """How the previous model does on the run's new rows, before training."""
        return self._evidence_of(state, state.model, X, y, self.adapter.predict)

    def _evidence_of(
        self,
        state: RunState,
        model: Any,
        X: Any,
        y: np.ndarray,
        predict: Callable[[Any, Any], Any],
    ) -> Evidence:
        """How ``model`` (None: no model yet) predicts ``X``, through ``predict``."""
        run, names = state.history.n_runs, state.feature_names
        if model is None or len(y) == 0:
            nan = float("nan")
            return Evidence(
                run, len(y), state.n_seen, None, nan, self.is_classifier, X=X,
                feature_names=names,
            )  # fmt: skip
        y_pred = predict(model, X)
        return evidence_of(run, state.n_seen, y_pred, y, self.is_classifier, X, names)

    # ------------------------------------------------------------------ decide
    def _challenge(
        self,
        state: RunState,
        decision: Decision,
        evidence: Evidence,
        X: Any,
        y: np.ndarray,
    ) -> tuple[Decision, Contest | None]:
        """Let the trigger that chose a reset have it contested, if it asks to."""
        if state.model is None or decision.source is None:
            return decision, None
        trigger = self.triggers[decision.source]
        challenge = trigger.challenge(decision, self.is_classifier)
        if challenge is None:
            return decision, None
        if challenge.since is None:
            return decision, Contest(False, "not run: the drift came without a warning")
        earlier = (None, None)
        if self.incremental:
            earlier = rows_since(
                state.buffer.X, state.buffer.y, state.n_seen, challenge.since
            )
        cold_seed = run_seed(state.base_seed, 0)  # the challenger starts cold
        classes = state.classes if self.is_classifier else None

        def train(X_fit, y_fit):
            template = self._template(cold_seed)
            return self.adapter.fit_cold(template, X_fit, y_fit, {}, classes)

        contest = run_contest(
            since=challenge.since,
            X=X,
            y=y,
            sample_start=state.n_seen,
            incumbent_pred=evidence.y_pred,
            earlier=earlier,
            train=train,
            predict=self.adapter.predict,
            signal=challenge.signal,
            is_classifier=self.is_classifier,
        )
        if not contest.compared:
            return decision, contest
        return trigger.review(decision, contest.promoted, self.start), contest

    def _bounded(self, state: RunState, decision: Decision) -> Decision:
        """The decision, turned cold when the adapter says the model must not grow."""
        if state.model is None or decision.start.kind == "cold":
            return decision
        reason = self.adapter.cold_reason(state.model, decision.start)
        if reason is None:
            return decision
        return dataclasses.replace(
            decision, start=Cold(), reason=f"{decision.reason}; {reason}"
        )

    # ------------------------------------------------------------------ build start
    def _plan(
        self, state: RunState, decision: Decision, X: Any, y: np.ndarray
    ) -> _Plan:
        """The model a run starts from, the rows it trains on and its seed."""
        cold = decision.start.kind == "cold"
        # A cold run is what the bare estimator would do with this random_state:
        # the same seed at every cold start keeps cold refits idempotent.
        seed = run_seed(state.base_seed, 0 if cold else state.history.n_runs)
        window = getattr(decision.start, "window", None) if cold else None
        if window is not None and (state.model is None or not self.incremental):
            part = slice(max(len(y) - window, 0), len(y))
            return _Plan(None, X[part], y[part], seed, part)
        if state.model is None:
            return _Plan(None, X, y, seed)
        if cold and self.incremental:
            # A streaming reset trains to convergence on the recent rows.
            X_all, y_all = state.buffer.with_rows(X, y)
            X_reset, y_reset = reset_rows(
                X_all,
                y_all,
                state.n_seen + len(y),
                decision.events,
                self.is_classifier,
            )
            keep = len(y_reset) if len(y_reset) < len(y_all) else None
            if window is not None:
                X_reset, y_reset = X_reset[-window:], y_reset[-window:]
            return _Plan(None, X_reset, y_reset, seed, keep=keep)
        if not cold:
            self.adapter.check_start(
                decision.start, "partial_fit" if self.incremental else "fit"
            )
        if not cold and self.is_classifier and not self.incremental:
            _check_two_classes(y, state.history.n_runs)
        return _Plan(state.model, X, y, seed)

    def _continues_stream(self, plan: _Plan, decision: Decision) -> bool:
        """Whether the run is a plain warm streaming step (the hot path)."""
        return (
            self.incremental
            and plan.previous is not None
            and _plain_warm(decision.start)
        )

    def _previous_parameters(
        self, state: RunState, plan: _Plan, decision: Decision
    ) -> dict[str, Any] | None:
        """θ_prev, copied unless the run trains a snapshot and leaves them alone."""
        if state.model is None:
            return None
        theta_prev = self.adapter.parameters(state.model)
        if not theta_prev:
            return None
        if self._continues_stream(plan, decision):
            return theta_prev
        return _tensors.copy_params(theta_prev)

    def _template(self, seed: int) -> Any:
        """An unfitted clone of ``estimator`` with every random_state set to ``seed``."""
        template = clone(self.estimator)
        _seed_everything(template, seed)
        return template

    # ------------------------------------------------------------------ train a copy
    def _train(
        self,
        state: RunState,
        decision: Decision,
        plan: _Plan,
        theta_prev: Any,
        fit_params: dict[str, Any],
    ) -> tuple[Any, Any]:
        """Train a new model (the previous one is never modified); return it and θ_start."""
        adapter = self.adapter
        if self._continues_stream(plan, decision):
            # The hot path of streaming: continue a copy of the model, no template.
            with assume_finite() if self.rows_proven_finite else nullcontext():
                model = adapter.continue_stream(
                    plan.previous, plan.X, plan.y, state.classes, fit_params
                )
            if model is not None:
                return model, theta_prev
        if self.incremental and state.model is None:
            return adapter.start_stream(
                self._template(plan.seed),
                plan.X,
                plan.y,
                seed=plan.seed,
                classes=state.classes,
                fit_params=fit_params,
            )
        return adapter.train(
            self._template(plan.seed),
            plan.previous,
            decision.start,
            plan.X,
            plan.y,
            seed=plan.seed,
            fit_params=fit_params,
            incremental=self.incremental,
            classes=state.classes if self.incremental else None,
        )

    # ------------------------------------------------------------------ check finite
    def _check_finite(
        self, model: Any, decision: Decision, run: int
    ) -> tuple[dict[str, Any], tuple[float, ...], float]:
        """θ_end, the loss curve and ‖θ_end‖; a DivergenceError if any is non-finite."""
        theta_end = self.adapter.parameters(model)
        loss_curve = self.adapter.loss_curve(model)
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
        return theta_end, loss_curve, end_norm

    # ------------------------------------------------------------------ record
    def _train_score(self, model: Any, X: Any, y: np.ndarray) -> float:
        y_pred = self.adapter.predict(model, X)
        if self.is_classifier:
            hits = y_pred == y
            if isinstance(hits, np.ndarray) and hits.size:
                return np.count_nonzero(hits) / hits.size  # == np.mean(hits)
            return float(np.mean(hits))
        return float(r2_score(y, y_pred)) if len(y) > 1 else float("nan")

    # ------------------------------------------------------------------ schedules
    def run_schedule(
        self,
        state: RunState,
        schedule: Any,
        X: Any,
        y: np.ndarray,
        fit_params: dict[str, Any],
    ) -> RunState:
        """Every run of ``schedule`` over the time-ordered ``X, y``, from ``state``.

        Returns the state after the last run; the caller commits it once.
        """
        n_samples = len(y)
        steps = schedule.split(n_samples)
        restart, min_rows = None, steps[0].train.stop - steps[0].train.start

        def rows(decision, step):
            nonlocal restart
            row = schedule.restart_row(decision, step)
            restart = restart if row is None else row
            part = schedule.train_rows(step, restart, min_rows)
            params = {
                key: rows_of(value, part, n_samples)
                for key, value in fit_params.items()
            }
            return X[part], y[part], params

        for step in steps:
            state = self.run(
                state,
                X[step.train],
                y[step.train],
                fit_params,
                new=(X[step.new], y[step.new]),
                rows=lambda decision, step=step: rows(decision, step),
            )
        return state
