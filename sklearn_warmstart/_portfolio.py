"""The runs of an ``Adaptive`` start: one lineage per candidate, served by score.

:class:`PortfolioRunner` is the :class:`~sklearn_warmstart._runloop.Runner`
of an :class:`~sklearn_warmstart.policies.Adaptive` start. One run: the
served model's evidence on the run's new rows feeds the triggers (test), every
lineage's previous model is scored on the same rows, the decayed scores are
updated, then each lineage trains (train) as an ordinary run of its own start,
and the weights and the served model follow from the scores.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._runloop import Runner, RunState
from .policies import Adaptive, Cold, Decision, Evidence, Fire, Start, Trigger, decide
from .records import History, LineageRun
from .serving import WeightedVoteClassifier, WeightedVoteRegressor

__all__ = [
    "Lineage",
    "Portfolio",
    "PortfolioRunner",
    "lineage_weights",
    "restore_portfolio",
    "served_model",
]


@dataclass(frozen=True)
class Lineage:
    """One candidate start's sequence of models.

    Attributes
    ----------
    name : str
        The lineage's label (its start's description).
    start : Start
        The start it continues under.
    model : estimator or None
        Its latest model.
    history : History
        Its own runs (a ``budget="bandit"`` lineage skips some).
    score : float
        Its exponentially decayed prequential score (NaN until scored).
    weight : float
        Its weight in the served vote.
    """

    name: str
    start: Start
    model: Any
    history: History
    score: float = float("nan")
    weight: float = float("nan")

    @property
    def fit_time(self) -> float:
        """Seconds this lineage has spent training, over all its runs."""
        return float(
            self.history.summary.fit_time + sum(r.fit_time for r in self.history)
        )


@dataclass(frozen=True)
class Portfolio:
    """The lineages of an ``Adaptive`` start and what the estimator serves."""

    lineages: tuple[Lineage, ...]
    best: int
    served: Any
    #: Rows of the previous plain ``fit``'s ``X`` (its later rows are new).
    rows_seen: int = 0


def lineage_weights(scores: Any, sharpness: float) -> np.ndarray:
    """Weights ∝ exp(sharpness · score); equal weights before any score.

    Unscored lineages (NaN) get no weight unless no lineage is scored.

    Examples
    --------
    >>> from sklearn_warmstart._portfolio import lineage_weights
    >>> lineage_weights([0.8, 0.7], sharpness=20.0).round(3).tolist()
    [0.881, 0.119]
    >>> lineage_weights([float("nan"), float("nan")], sharpness=20.0).tolist()
    [0.5, 0.5]
    """
    scores = np.asarray(scores, dtype=np.float64)
    if np.all(np.isnan(scores)):
        return np.full(len(scores), 1.0 / len(scores))
    z = sharpness * (scores - np.nanmax(scores))
    weights = np.where(np.isnan(z), 0.0, np.exp(np.nan_to_num(z, nan=-np.inf)))
    return weights / weights.sum()


def served_model(
    adaptive: Adaptive, models: list[Any], weights: Any, best: int, classifier: bool
) -> Any:
    """What the wrapper serves: the frozen weighted vote, or the best model."""
    if adaptive.serve == "best":
        return models[best]
    vote = WeightedVoteClassifier if classifier else WeightedVoteRegressor
    return vote(models, [float(w) for w in weights]).fit()


def restore_portfolio(
    adaptive: Adaptive, lineages: Any, shared: dict[str, Any], classifier: bool
) -> Portfolio:
    """The portfolio of a checkpoint's lineages (dicts of the codec's fields)."""
    starts = adaptive.starts()
    if len(starts) != len(lineages):
        raise ValueError(
            f"The checkpoint has {len(lineages)} lineage(s) but start has "
            f"{len(starts)} candidate(s); resume with the same start."
        )
    restored = tuple(
        Lineage(d["name"], s, d["model"], d["history"], d["score"], d["weight"])
        for d, s in zip(lineages, starts)
    )
    best = int(shared["best"])
    models = [lin.model for lin in restored]
    weights = [lin.weight for lin in restored]
    served = served_model(adaptive, models, weights, best, classifier)
    return Portfolio(restored, best, served, int(shared["rows_seen"]))


def _vote_predict(vote: Any, X: Any) -> Any:
    return vote.predict(X)


def _best(scores: list[float]) -> int:
    """The index of the best score (the first of equals; 0 before any score)."""
    values = np.asarray(scores, dtype=np.float64)
    return 0 if np.all(np.isnan(values)) else int(np.nanargmax(values))


def _decayed(old: float, new: float, decay: float) -> float:
    if math.isnan(new):
        return old
    if math.isnan(old):
        return new
    return decay * old + (1.0 - decay) * new


def _explorer(lineages: tuple[Lineage, ...], scores: list[float], best: int, run: int):
    """The lineage with the highest upper confidence bound on score per compute.

    Its index is ``max(score + sqrt(2 ln(run) / n_trained), 0)`` divided by the
    lineage's mean training time relative to the lineages' average.
    """
    others = [i for i in range(len(lineages)) if i != best]
    if not others:
        return None
    means = np.array(
        [lin.fit_time / max(lin.history.n_runs, 1) for lin in lineages], dtype=float
    )
    relative = means / max(float(means.mean()), 1e-12)

    def index(i: int) -> float:
        n = max(lineages[i].history.n_runs, 1)
        bound = scores[i] + math.sqrt(2.0 * math.log(max(run, 1)) / n)
        bound = 0.0 if math.isnan(bound) else max(bound, 0.0)
        return bound / max(relative[i], 1e-6)

    return max(others, key=index)


class _Replay(Trigger):
    """Fires the portfolio's reset in a lineage's run, with its drift events.

    The events let a streaming reset train on the rows since the estimated
    change, as the trigger's own reset would.
    """

    def __init__(self, fire: Fire):
        self.fire = fire

    def check(self, state: Any, evidence: Evidence) -> Fire:
        return self.fire


@dataclass(frozen=True)
class PortfolioRunner(Runner):
    """The runner of an ``Adaptive`` start: every run trains the lineages.

    ``start`` must be an :class:`~sklearn_warmstart.policies.Adaptive`.
    """

    def _lineage_runner(self, start: Start, decision: Decision) -> Runner:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(Runner)}
        triggers = []
        if decision.trigger is not None:
            fire = Fire(decision.trigger, start, decision.reason, decision.events)
            triggers = [_Replay(fire)]
        return Runner(**{**fields, "start": start, "triggers": triggers, "verbose": 0})

    def _portfolio(self, state: RunState, names: list[str], starts: list[Start]):
        if state.portfolio is not None:
            return state.portfolio
        method = "partial_fit" if self.incremental else "fit"
        for start in starts:
            if start.kind != "cold":
                self.adapter.check_start(start, method)
        lineages = tuple(
            Lineage(name, start, state.model, History())
            for name, start in zip(names, starts)
        )
        return Portfolio(lineages, 0, state.model)

    def _new_rows(self, portfolio: Portfolio, X: Any, y: Any, new: Any):
        if new is not None:
            return new
        if self.method == "fit":
            return X[portfolio.rows_seen :], y[portfolio.rows_seen :]
        return X, y

    def _evidence_on(self, state: RunState, model: Any, X: Any, y: Any, vote: bool):
        predict = _vote_predict if vote else self.adapter.predict
        return self._evidence_of(state, model, X, y, predict)

    def _lineage_start(self, start: Start, decision: Decision) -> Start:
        if decision.trigger is None:
            return start
        if decision.start.kind == "cold":
            # A reset restarts each lineage cold under its own window.
            return Cold(window=getattr(start, "window", None))
        return decision.start

    def _to_train(self, portfolio: Portfolio, scores: list[float], best: int, run):
        everyone = set(range(len(portfolio.lineages)))
        if self.start.budget != "bandit" or all(
            lin.model is None for lin in portfolio.lineages
        ):
            return everyone
        explorer = _explorer(portfolio.lineages, scores, best, run)
        return {best} if explorer is None else {best, explorer}

    def run(
        self,
        state: RunState,
        X: Any,
        y: np.ndarray,
        fit_params: dict[str, Any],
        *,
        new: tuple[Any, np.ndarray] | None = None,
        rows: Any = None,
        classes: np.ndarray | None = None,
    ) -> RunState:
        """Score, train and weigh every lineage for one run; ``state`` untouched."""
        if classes is not None and state.classes is not None:
            if len(np.setdiff1d(classes, state.classes)):
                raise ValueError(
                    f"Run {state.history.n_runs} brings new class(es) "
                    f"{np.setdiff1d(classes, state.classes).tolist()}, and an "
                    "Adaptive start cannot add classes to its lineages; refit a "
                    "fresh estimator on rows of every class."
                )
        adaptive: Adaptive = self.start
        starts, names = adaptive.starts(), adaptive.lineage_names()
        portfolio = self._portfolio(state, names, starts)
        run = state.history.n_runs
        X_new, y_new = self._new_rows(portfolio, X, y, new)
        served_vote = adaptive.serve == "weighted" and state.portfolio is not None
        evidence = self._evidence_on(state, portfolio.served, X_new, y_new, served_vote)
        policy_states = copy.deepcopy(state.policy_states)
        decision = decide(
            adaptive,
            self.triggers,
            policy_states,
            evidence,
            has_model=state.model is not None,
        )
        n_rows = len(y)
        if rows is not None:
            X, y, fit_params = rows(decision)
        # Test: every lineage's previous model on the new rows, before training.
        tested = [
            self._evidence_on(state, lin.model, X_new, y_new, False).score
            for lin in portfolio.lineages
        ]
        scores = [
            _decayed(lin.score, score, adaptive.decay)
            for lin, score in zip(portfolio.lineages, tested)
        ]
        best = _best(scores)
        reset = decision.trigger is not None
        train = set(range(len(starts))) if reset else None
        train = train or self._to_train(portfolio, scores, best, run)
        # Train: each chosen lineage is an ordinary run of its own start.
        lineages, records = [], {}
        buffer = state.buffer.add(X, y) if self.incremental else state.buffer
        for i, lin in enumerate(portfolio.lineages):
            if i not in train:
                lineages.append(dataclasses.replace(lin, score=scores[i]))
                continue
            start = self._lineage_start(lin.start, decision)
            runner = self._lineage_runner(start, decision)
            after = runner.run(
                dataclasses.replace(
                    state,
                    model=lin.model,
                    history=lin.history,
                    policy_states=[None] * len(runner.triggers),
                    portfolio=None,
                ),
                X,
                y,
                fit_params,
                new=(X_new[:0], y_new[:0]),
            )
            buffer = after.buffer  # after a reset, only the rows since the change
            record = dataclasses.replace(after.history[-1], prequential_score=tested[i])
            records[i] = record
            history = lin.history.append(record)
            lineages.append(
                dataclasses.replace(
                    lin, model=after.model, history=history, score=scores[i]
                )
            )
        weights = lineage_weights(scores, adaptive.sharpness)
        lineages = [
            dataclasses.replace(lin, weight=float(w))
            for lin, w in zip(lineages, weights)
        ]
        models = [lin.model for lin in lineages]
        served = served_model(adaptive, models, weights, best, self.is_classifier)
        record = self._record(
            state, decision, evidence, lineages, records, tested, best, n_rows, len(y)
        )
        if self.verbose:
            print(
                f"[{self.owner}] run {run}: {record.start} ({record.reason}); "
                f"prequential={record.prequential_score:.4f}, "
                f"{record.fit_time:.3f}s"
            )
        return dataclasses.replace(
            state,
            model=models[best],
            history=state.history.append(record),
            policy_states=policy_states,
            buffer=buffer,
            n_seen=state.n_seen + (n_rows if new is None else len(y_new)),
            adapter=self.adapter,
            portfolio=Portfolio(tuple(lineages), best, served, n_rows),
        )

    def _record(
        self, state, decision, evidence, lineages, records, tested, best, n_rows, n_fit
    ):
        adaptive: Adaptive = self.start
        weighted = adaptive.serve == "weighted"
        entries = tuple(
            LineageRun(
                name=lin.name,
                start=records[i].start if i in records else "not trained",
                prequential_score=tested[i],
                score=lin.score,
                weight=lin.weight,
                served=weighted or i == best,
                trained=i in records,
                fit_time=records[i].fit_time if i in records else 0.0,
                n_iter=records[i].n_iter if i in records else None,
            )
            for i, lin in enumerate(lineages)
        )
        if weighted:
            parts = ", ".join(f"{e.name} {e.weight:.3f}" for e in entries)
            serving = f"serving the weighted vote ({parts})"
        else:
            serving = (
                f"serving {lineages[best].name} (score {lineages[best].score:.4f})"
            )
        base = records[best]
        return dataclasses.replace(
            base,
            run=state.history.n_runs,
            method=self.method,
            start=decision.start.describe(),
            reason=f"{decision.reason}; {serving}",
            trigger=decision.trigger,
            n_samples=n_fit,
            sample_start=state.n_seen,
            prequential_score=evidence.score,
            fit_time=float(sum(r.fit_time for r in records.values())),
            peak_memory=float(max(r.peak_memory for r in records.values())),
            drift_events=decision.events,
            challenger=None,
            checkpoint=None,
            lineages=entries,
        )
