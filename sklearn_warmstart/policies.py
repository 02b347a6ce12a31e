"""Starts, reset triggers and the decision of how each run begins.

A *start* says how a run's parameters are initialised; a *trigger* says when
to override the start with a reset. Policies decide; they never train and
never change their own parameters. Their mutable state (a counter, a drift
detector's window) lives in a separate object made by :meth:`Trigger.init_state`
and kept by the estimator.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from . import _tensors
from ._validation import check_choice, check_int, check_real
from .drift import check_detector, has_warning_level
from .records import DriftEvent

__all__ = [
    "Adaptive",
    "Challenge",
    "Cold",
    "Decision",
    "DriftEvent",
    "Every",
    "Evidence",
    "Fire",
    "OnDrift",
    "OnNewClasses",
    "OnPlateau",
    "PartialReset",
    "Perturb",
    "Refresh",
    "ShrinkPerturb",
    "Start",
    "Trigger",
    "Warm",
    "check_start",
    "check_triggers",
    "decide",
    "every_start",
    "largest_window",
]


class Start(BaseEstimator):
    """Base class of starts: how a run's parameters are initialised.

    Subclasses set ``kind`` and, when they combine parameters, implement
    :meth:`initial_parameters`.
    """

    kind: ClassVar[str] = "start"

    def initial_parameters(
        self, previous: Mapping[str, Any], fresh: Mapping[str, Any] | None, seed: int
    ) -> dict[str, Any]:
        """Return θ₀ for the run from θ_prev and θ_fresh (copies, same devices)."""
        return _tensors.copy_params(previous)

    def starts(self) -> list[Start]:
        """The starts its runs use: itself (an :class:`Adaptive`, its candidates)."""
        return [self]

    def describe(self) -> str:
        """Short label used in records and tables, e.g. ``shrink_perturb(0.4, 0.1)``."""
        values = ", ".join(f"{v}" for v in self.get_params(deep=False).values())
        return f"{self.kind}({values})" if values else self.kind

    def _validate(self) -> None:
        """Raise ``ValueError`` naming any invalid parameter."""


class Cold(Start):
    """Fresh initialisation from the run's seed; nothing is inherited.

    Parameters
    ----------
    window : int or None, default=None
        Train only on the most recent ``window`` rows available: the last
        ``window`` rows of ``X`` in ``fit`` (and of a schedule's training
        slice), the last ``window`` buffered rows in ``partial_fit``. The
        streaming buffer grows to hold the largest window in use. ``None``
        trains on all the run's rows (in ``partial_fit``, the whole buffer).

    Examples
    --------
    >>> from sklearn_warmstart.policies import Cold
    >>> Cold().describe()
    'cold'
    >>> Cold(window=2000).describe()
    'cold(window=2000)'
    """

    kind = "cold"

    def __init__(self, window: int | None = None):
        self.window = window

    def describe(self) -> str:
        return "cold" if self.window is None else f"cold(window={self.window})"

    def _validate(self) -> None:
        check_int(self.window, "Cold(window=...)", none_ok=True)


class Warm(Start):
    """Inherit the previous run's parameters and continue training.

    Parameters
    ----------
    grow : int or None, default=None
        For ensembles only: how many members each warm run adds, trained on the
        run's data. ``None`` adds a tenth of the ensemble's size (at least 1).

    Examples
    --------
    >>> from sklearn_warmstart.policies import Warm
    >>> Warm().describe()
    'warm'
    >>> Warm(grow=20).describe()
    'warm(20)'
    """

    kind = "warm"

    def __init__(self, grow: int | None = None):
        self.grow = grow

    def describe(self) -> str:
        return "warm" if self.grow is None else f"warm({self.grow})"

    def _validate(self) -> None:
        check_int(self.grow, "Warm(grow=...)", none_ok=True)


class ShrinkPerturb(Start):
    """θ₀ = shrink · θ_prev + noise · θ_fresh (Ash & Adams, 2020).

    ``θ_fresh`` is a fresh initialisation of the same model drawn from the run's
    seed. ``shrink=1, noise=0`` is a warm start; ``shrink=0, noise=1`` starts from
    exactly the fresh initialisation. For linear models, whose fresh
    initialisation is zero, the noise term vanishes and only the shrink acts.

    Parameters
    ----------
    shrink : float, default=0.4
        Factor λ in [0, 1] applied to the inherited parameters.
    noise : float, default=0.1
        Factor σ >= 0 applied to the fresh initialisation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.policies import ShrinkPerturb
    >>> start = ShrinkPerturb(shrink=0.5, noise=1.0)
    >>> start.initial_parameters({"w": np.array([2.0])}, {"w": np.array([1.0])}, seed=0)
    {'w': array([2.])}
    """

    kind = "shrink_perturb"

    def __init__(self, shrink: float = 0.4, noise: float = 0.1):
        self.shrink = shrink
        self.noise = noise

    def _validate(self) -> None:
        check_real(self.shrink, "shrink", low=0.0, high=1.0)
        check_real(self.noise, "noise", low=0.0)

    def describe(self) -> str:
        return f"shrink_perturb({self.shrink}, {self.noise})"

    def initial_parameters(self, previous, fresh, seed):
        return {
            name: self.shrink * value + self.noise * fresh[name]
            for name, value in previous.items()
        }


class Perturb(Start):
    """θ₀ = θ_prev + noise · rms(θ_prev) · ε with ε ~ N(0, 1), per parameter array.

    The noise is relative: ``noise=0.1`` adds Gaussian noise whose standard
    deviation is a tenth of each array's root mean square. Arrays that are all
    zero stay zero.

    Parameters
    ----------
    noise : float, default=0.01
        Relative standard deviation of the noise (>= 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.policies import Perturb
    >>> theta = Perturb(noise=0.0).initial_parameters({"w": np.ones(3)}, None, seed=0)
    >>> theta["w"]
    array([1., 1., 1.])
    """

    kind = "perturb"

    def __init__(self, noise: float = 0.01):
        self.noise = noise

    def _validate(self) -> None:
        check_real(self.noise, "noise", low=0.0)

    def initial_parameters(self, previous, fresh, seed):
        seeds = np.random.SeedSequence(seed).generate_state(max(len(previous), 1))
        out = {}
        for (name, value), sub_seed in zip(previous.items(), seeds):
            scale = self.noise * _tensors.rms(value)
            out[name] = value + scale * _tensors.standard_normal_like(value, sub_seed)
        return out


class PartialReset(Start):
    """Re-initialise part of the model and keep the rest.

    Parameters
    ----------
    layers : str or list of str, default=None
        Parameter-name patterns (``fnmatch`` style, e.g. ``"coefs_2"`` or
        ``"output.*"``) whose values are replaced by a fresh initialisation.
    dormant : float, default=None
        ReDo threshold τ: hidden units whose mean absolute activation on the
        run's data is at most τ times their layer's mean get fresh incoming
        weights and zero outgoing weights (networks only).
    fraction : float, default=None
        For ensembles: the fraction of members replaced by new ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.policies import PartialReset
    >>> prev = {"coefs_0": np.ones(2), "coefs_1": np.ones(2)}
    >>> fresh = {"coefs_0": np.zeros(2), "coefs_1": np.zeros(2)}
    >>> PartialReset(layers="coefs_1").initial_parameters(prev, fresh, seed=0)["coefs_1"]
    array([0., 0.])
    """

    kind = "partial_reset"

    def __init__(
        self,
        layers: str | Sequence[str] | None = None,
        dormant: float | None = None,
        fraction: float | None = None,
    ):
        self.layers = layers
        self.dormant = dormant
        self.fraction = fraction

    def _validate(self) -> None:
        if self.layers is None and self.dormant is None and self.fraction is None:
            raise ValueError(
                "PartialReset needs at least one of layers=, dormant= or fraction=."
            )
        if self.dormant is not None:
            check_real(self.dormant, "dormant", low=0.0)
        if self.fraction is not None:
            check_real(self.fraction, "fraction", low=0.0, high=1.0)

    def describe(self) -> str:
        parts = [
            f"{name}={value!r}"
            for name, value in (
                ("layers", self.layers),
                ("dormant", self.dormant),
                ("fraction", self.fraction),
            )
            if value is not None
        ]
        return f"partial_reset({', '.join(parts)})"

    def patterns(self) -> list[str]:
        """The layer patterns as a list."""
        if self.layers is None:
            return []
        return [self.layers] if isinstance(self.layers, str) else list(self.layers)

    def initial_parameters(self, previous, fresh, seed):
        patterns = self.patterns()
        out = _tensors.copy_params(previous)
        for name in previous:
            if any(fnmatch.fnmatchcase(name, p) for p in patterns):
                out[name] = _tensors.copy_params({name: fresh[name]})[name]
        return out


class Refresh(Start):
    """Keep the trees' structure; re-estimate their leaf values on the run's rows.

    Each leaf becomes ``decay * old + (1 - decay) * fitted``, where ``fitted``
    is the leaf value estimated from the run's rows that fall into it.
    ``decay=1`` keeps the model unchanged; ``decay=0`` refits every leaf.
    Supported by LightGBM (``Booster.refit``), XGBoost (the ``refresh``
    updater) and scikit-learn forests (leaf values re-estimated from
    ``apply``); other families refuse it.

    Parameters
    ----------
    decay : float, default=0.9
        Weight in [0, 1] of the old leaf values.

    Examples
    --------
    >>> from sklearn_warmstart.policies import Refresh
    >>> Refresh().describe()
    'refresh(0.9)'
    """

    kind = "refresh"

    def __init__(self, decay: float = 0.9):
        self.decay = decay

    def _validate(self) -> None:
        check_real(self.decay, "decay", low=0.0, high=1.0)

    def describe(self) -> str:
        return f"refresh({self.decay})"


class Adaptive(Start):
    """A portfolio of lineages, served by their recent prequential score.

    Each candidate start is a *lineage*: at every run, each lineage continues
    from its own previous model under its own start (a :class:`Warm` lineage
    keeps learning, a ``Cold(window=n)`` lineage refits on the last ``n``
    rows). Test, then train: before a run trains, every lineage's previous
    model is scored on the run's *new* rows, rows it has not trained on, and
    an exponentially decayed score is kept per lineage::

        score = decay * score + (1 - decay) * new_score

    The new rows are the chunk in ``partial_fit``, the schedule's new slice
    with ``schedule=Retrain(...)``, and in a plain ``fit`` the rows of ``X``
    beyond the count the previous run saw (time-ordered data with new rows
    appended, as a nightly job passes it); if there are none, the scores
    stay as they were.

    The wrapper then serves either the score-weighted vote of the lineages
    (weights ∝ ``exp(sharpness * score)``: averaged probabilities for
    classifiers that have them, weighted votes otherwise, the weighted mean
    for regressors) or the best lineage alone. A reset trigger restarts every
    lineage cold, each under its own window, so the lineages stay distinct
    (a warning-zone challenger is not run for a portfolio).

    Parameters
    ----------
    candidates : list of Start
        The lineages' starts, e.g. ``[Warm(), Cold(window=2000)]``. Not empty;
        no :class:`Adaptive` inside.
    serve : {"weighted", "best"}, default="weighted"
        What ``predict``, ``predict_proba`` and ``decision_function`` use.
    decay : float, default=0.5
        Weight in [0, 1) of a lineage's previous score against the newest one.
    sharpness : float, default=20.0
        How strongly the weights favour the best scores (>= 0; 0 is a plain
        average).
    budget : {None, "bandit"}, default=None
        ``None`` trains every lineage at every run (k times a single model's
        cost). ``"bandit"`` trains only the best lineage and one exploring
        lineage per run, chosen by an upper confidence bound on score per
        second of training, so the cost stays near twice a single model's;
        a lineage that is not trained keeps its model (a warm lineage skips
        those rows) and is still scored on every run's new rows.

    See Also
    --------
    Cold : Cold starts, with a window.
    sklearn_warmstart.serving.WeightedVoteClassifier : The served vote.

    Examples
    --------
    >>> from sklearn_warmstart.policies import Adaptive, Cold, Warm
    >>> Adaptive([Warm(), Cold(window=2000)]).describe()
    'adaptive(warm, cold(window=2000))'
    """

    kind = "adaptive"

    def __init__(
        self,
        candidates: Sequence[Start | str],
        *,
        serve: str = "weighted",
        decay: float = 0.5,
        sharpness: float = 20.0,
        budget: str | None = None,
    ):
        self.candidates = candidates
        self.serve = serve
        self.decay = decay
        self.sharpness = sharpness
        self.budget = budget

    def describe(self) -> str:
        if not isinstance(self.candidates, Sequence) or isinstance(
            self.candidates, str
        ):
            return "adaptive"
        names = ", ".join(
            c.describe() if isinstance(c, Start) else str(c) for c in self.candidates
        )
        return f"adaptive({names})"

    def starts(self) -> list[Start]:
        """The validated candidate starts, in order."""
        candidates = self.candidates
        if isinstance(candidates, str | Start) or not isinstance(candidates, Sequence):
            raise TypeError(
                "Adaptive(candidates) must be a list of starts, e.g. "
                f"[Warm(), Cold(window=2000)], got {type(candidates).__name__}."
            )
        if len(candidates) == 0:
            raise ValueError(
                "Adaptive(candidates) is empty; give at least one start, e.g. "
                "[Warm(), Cold(window=2000)]."
            )
        starts = [check_start(c, "Adaptive candidate") for c in candidates]
        if any(isinstance(s, Adaptive) for s in starts):
            raise TypeError("Adaptive candidates cannot be Adaptive themselves.")
        return starts

    def _validate(self) -> None:
        self.starts()
        check_choice(self.serve, "serve", ("weighted", "best"))
        check_real(self.decay, "decay", low=0.0, high=1.0)
        if self.decay >= 1.0:
            raise ValueError(f"decay must be in [0, 1), got {self.decay!r}.")
        check_real(self.sharpness, "sharpness", low=0.0)
        check_choice(self.budget, "budget", (None, "bandit"))

    def lineage_names(self) -> list[str]:
        """One unique label per candidate (its description, numbered if repeated)."""
        names = [s.describe() for s in self.starts()]
        return [
            f"{name}#{i}" if names.count(name) > 1 else name
            for i, name in enumerate(names)
        ]


def every_start(start: Start, triggers: Sequence[Trigger] = ()) -> list[Start]:
    """Every start a run could take: ``start`` (or its candidates) and each reset's."""
    return [*start.starts(), *(t.reset_start() for t in triggers)]


def largest_window(start: Start, triggers: Sequence[Trigger] = ()) -> int:
    """The largest ``Cold(window=...)`` among ``start`` (or its candidates) and the resets."""
    starts = every_start(start, triggers)
    return max((getattr(s, "window", None) or 0 for s in starts), default=0)


_START_NAMES = {"cold": Cold, "warm": Warm}


def check_start(start: Start | str, name: str = "start") -> Start:
    """Validate a start given as an object or as ``"cold"``/``"warm"``.

    Returns the start object (a new one for a string; the same object otherwise,
    never modified).
    """
    if isinstance(start, str):
        if start not in _START_NAMES:
            raise ValueError(
                f"{name}={start!r} is not a known start; use 'cold', 'warm' or a "
                "start object such as ShrinkPerturb(0.4, 0.1)."
            )
        return _START_NAMES[start]()
    if not isinstance(start, Start):
        raise TypeError(
            f"{name} must be 'cold', 'warm' or a Start (Cold, Warm, ShrinkPerturb, "
            f"Perturb, PartialReset, Refresh, Adaptive), got {type(start).__name__}."
        )
    start._validate()
    return start


# --------------------------------------------------------------------------- triggers


@dataclass(frozen=True)
class Evidence:
    """What a trigger may look at before a run trains.

    Attributes
    ----------
    run : int
        Index of the run about to train (0-based).
    n_samples : int
        Rows in the run's data.
    sample_start : int
        Global index of the run's first row in the stream of all rows seen.
    errors : ndarray or None
        Per-sample errors of the current model on the run's rows, in order
        (None on the first run).
    score : float
        Prequential score of the current model on the run's rows (NaN if none).
    is_classifier : bool
        Whether the wrapped model is a classifier.
    y_pred : ndarray or None
        The current model's predictions on the run's rows.
    y : ndarray or None
        The run's true targets.
    new_classes : tuple
        Classifiers: labels this run brings that no earlier run knew (only
        accepted when an :class:`OnNewClasses` trigger is set).
    classes : ndarray or None
        Classifiers: every class this run knows, new ones included.
    X : array-like or None
        The run's inputs (label-free drift watches them).
    feature_names : ndarray of str or None
        The inputs' column names, when the estimator was fitted on a
        DataFrame (a feature-drift reason names the column).
    """

    run: int
    n_samples: int
    sample_start: int
    errors: np.ndarray | None
    score: float
    is_classifier: bool
    y_pred: np.ndarray | None = None
    y: np.ndarray | None = None
    new_classes: tuple = ()
    classes: np.ndarray | None = None
    X: Any = None
    feature_names: np.ndarray | None = None


@dataclass(frozen=True)
class Fire:
    """A trigger's request to reset, with its reason.

    Parameters
    ----------
    trigger : str
        Name of the trigger that fired.
    start : Start
        The start of the reset it asks for.
    reason : str
        Why it fired (recorded in the run's record).
    events : tuple of DriftEvent, default=()
        The detections behind it, if any.
    """

    trigger: str
    start: Start
    reason: str
    events: tuple[DriftEvent, ...] = ()


@dataclass(frozen=True)
class Decision:
    """How one run starts and why.

    Parameters
    ----------
    start : Start
        The start the run uses.
    reason : str
        Why (recorded in the run's record).
    trigger : str or None, default=None
        Name of the trigger that chose the start, if one did.
    events : tuple of DriftEvent, default=()
        The detections behind the decision, if any.
    source : int or None, default=None
        Index (in the list of triggers) of the trigger that chose the start.
    """

    start: Start
    reason: str
    trigger: str | None = None
    events: tuple[DriftEvent, ...] = field(default_factory=tuple)
    #: Index (in the list of triggers) of the trigger that chose the start.
    source: int | None = None


@dataclass(frozen=True)
class Challenge:
    """A contest a trigger asks for before its reset goes ahead.

    Attributes
    ----------
    since : int or None
        Global index of the first row of the new concept (the warning); the
        challenger trains on rows from there. None: the contest cannot run.
    signal : callable
        ``signal(y_true, y_pred) -> ndarray`` of per-sample values (larger is
        worse) on which the challenger and the current model are compared.
    """

    since: int | None
    signal: Callable[[Any, Any], np.ndarray]


class Trigger(BaseEstimator):
    """Base class of reset triggers.

    A trigger looks at the :class:`Evidence` of each run and returns a
    :class:`Fire` when the run should begin with ``start`` instead of the
    policy's usual start. Its mutable state comes from :meth:`init_state`.
    """

    def init_state(self) -> Any:
        """A fresh mutable state for one estimator's sequence of runs."""
        return None

    def check(self, state: Any, evidence: Evidence) -> Fire | None:
        """Observe one run's evidence; return a :class:`Fire` to reset."""
        raise NotImplementedError

    def reset_start(self) -> Start:
        """The start used when this trigger fires."""
        return check_start(getattr(self, "start", "cold"), "start")

    def challenge(self, decision: Decision, is_classifier: bool) -> Challenge | None:
        """What a cold challenger must beat before this trigger's reset, or None.

        Called when this trigger chose the run's start; ``is_classifier``
        says what the estimator predicts. None (the default):
        the reset goes ahead without a contest.
        """
        return None

    def review(
        self, decision: Decision, promoted: bool, policy_start: Start
    ) -> Decision:
        """The run's decision after a challenger's verdict on this trigger's reset.

        A promoted challenger keeps the reset; a lost contest overrules the
        trigger and the run starts as the policy says.
        """
        if promoted:
            return decision
        return replace(
            decision,
            start=policy_start,
            trigger=None,
            reason=f"{decision.trigger} fired: {decision.reason}; warning-zone "
            "challenger lost, current model kept",
        )

    def _validate(self) -> None:
        if isinstance(self.reset_start(), Adaptive):
            raise TypeError(
                f"{type(self).__name__}(start=Adaptive(...)) is not supported: a "
                "reset restarts every lineage cold; give Adaptive as the "
                "estimator's start= instead."
            )


class Every(Trigger):
    """Reset every ``k`` runs: runs 0, k, 2k, … (0-based) begin with ``start``.

    Parameters
    ----------
    k : int
        Period in runs (>= 1). ``k=1`` resets every run.
    start : Start or str, default="cold"
        The start used when the trigger fires.

    Examples
    --------
    >>> from sklearn_warmstart.policies import Every, Evidence
    >>> trigger = Every(3)
    >>> [trigger.check(None, Evidence(r, 10, 0, None, float("nan"), True)) is not None
    ...  for r in range(1, 7)]
    [False, False, True, False, False, True]
    """

    def __init__(self, k: int, start: Start | str = "cold"):
        self.k = k
        self.start = start

    def _validate(self) -> None:
        check_int(self.k, "Every(k)")
        super()._validate()

    def check(self, state, evidence):
        if evidence.run % self.k == 0:
            return Fire(
                trigger=f"every({self.k})",
                start=self.reset_start(),
                reason=f"every {self.k} runs (run {evidence.run})",
            )
        return None


def check_triggers(reset: Trigger | Sequence[Trigger] | None) -> list[Trigger]:
    """Validate ``reset`` (one trigger, a list of them, or None) into a list."""
    if reset is None:
        return []
    triggers = [reset] if isinstance(reset, Trigger) else reset
    if isinstance(triggers, str) or not isinstance(triggers, Sequence):
        raise TypeError(
            "reset must be a trigger (Every, OnPlateau, OnDrift), a list of "
            f"triggers or None, got {type(reset).__name__}."
        )
    for trigger in triggers:
        if not isinstance(trigger, Trigger):
            raise TypeError(
                f"reset must contain triggers (Every, OnPlateau, OnDrift), got "
                f"{type(trigger).__name__}."
            )
        trigger._validate()
    return list(triggers)


def decide(
    start: Start,
    triggers: Sequence[Trigger],
    states: Sequence[Any],
    evidence: Evidence,
    *,
    has_model: bool,
) -> Decision:
    """Decide how the run described by ``evidence`` starts.

    Every trigger observes the evidence (so detectors see every row), then the
    first one that fired chooses the start; the reasons of all that fired are
    recorded. Without a model to start from, the run is cold.
    """
    checks = [t.check(s, evidence) for t, s in zip(triggers, states)]
    fired = [f for f in checks if f]
    events = tuple(e for f in fired for e in f.events)
    if not has_model:
        first = start if start.kind == "cold" else Cold()
        return Decision(first, "first run: no model to start from", None, events)
    if fired:
        reason = "; ".join(f.reason for f in fired)
        source = next(i for i, f in enumerate(checks) if f)
        return Decision(fired[0].start, reason, fired[0].trigger, events, source)
    return Decision(start, "policy start", None, events)


# --------------------------------------------------------------------------- drift and plateaus


class OnDrift(Trigger):
    """Reset when a drift detector sees the model's errors increase or its inputs move.

    Test, then train: before a run trains, the current model predicts the
    run's rows and their per-sample errors are fed, in order, to a river drift
    detector. A detection makes the run begin with ``start`` (cold by
    default). Only increases count: a detection that marks falling errors
    (ADWIN and KSWIN test both ways) restarts the detector without a reset.
    After a drift the rest of the run's rows are not fed (they measured the
    model being replaced) and the detector restarts.

    In ``partial_fit`` the reset model trains on the buffered rows since the
    estimated start of the change (ADWIN's window, the warning zone) when
    the detector gives one, else on the whole buffer.

    Parameters
    ----------
    detector : str or river drift detector, default="adwin"
        ``"adwin"``, ``"page_hinkley"``, ``"kswin"``, ``"ddm"``, ``"eddm"``,
        ``"hddm_a"``, ``"hddm_w"``, ``"fhddm"`` (defaults that do not
        false-alarm on stationary data, see :func:`sklearn_warmstart.drift.make_detector`)
        or any river detector object, e.g. ``river.drift.ADWIN(delta=0.001)``.
        An object is never fed: each estimator uses its own ``clone()``.
    signal : "error", "features" or callable, default="error"
        What is fed: ``"error"`` is 0/1 misclassification for classifiers and
        the absolute residual for regressors; a callable
        ``signal(y_true, y_pred) -> ndarray of shape (n_samples,)`` gives any
        per-sample loss (larger is worse). Binary detectors (DDM, EDDM, HDDM,
        FHDDM) need a 0/1 signal. ``"features"`` watches the inputs, no
        labels needed, so covariate shift is caught even before labels
        arrive: each column (or the ``features`` statistic) is standardised
        with the first run's mean and standard deviation and fed to its own
        detector, and a change of its mean in either direction is a drift
        (see :class:`~sklearn_warmstart.drift.FeatureMonitor`). With several
        columns the false-alarm rate is controlled across them (ADWIN's
        ``delta`` or KSWIN's ``alpha`` divided by the number of columns), so
        only ``"adwin"`` and ``"kswin"`` apply. The inputs must be dense,
        numeric and finite. A change of the inputs alone may not hurt the
        model: the reset is a precaution, recorded as such.
    features : callable or None, default=None
        With ``signal="features"``: ``features(X) -> ndarray of shape
        (n_samples,)``, one statistic per row watched instead of every
        column (e.g. a row norm, a key feature, an upstream model's score);
        any real-valued detector applies.
    start : Start or str, default="cold"
        The start of a run after a drift.
    challenger : {"auto", True, False}, default="auto"
        Warning-zone challenger (detectors with a warning level: DDM, EDDM,
        HDDM_A, HDDM_W). At a drift, a cold model trained on the rows since
        the warning competes with the current model on the most recent rows
        of the run; the reset happens only if the challenger's mean signal is
        lower, otherwise the current model is kept. ``"auto"`` uses one when
        the detector has a warning level; ``True`` requires one.

    See Also
    --------
    OnPlateau : Reset when the prequential score stops improving.
    sklearn_warmstart.drift.make_detector : The named detectors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.policies import Evidence, OnDrift
    >>> trigger = OnDrift("adwin")
    >>> state = trigger.init_state()
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.6].astype(float)
    >>> fire = trigger.check(state, Evidence(1, 4000, 500, errors, 0.5, True))
    >>> fire.events[0].sample_index > 2500
    True
    >>> fire.reason.startswith("adwin detected an increase of the errors at row")
    True
    """

    def __init__(
        self,
        detector: Any = "adwin",
        signal: Any = "error",
        start: Start | str = "cold",
        challenger: bool | str = "auto",
        features: Any = None,
    ):
        self.detector = detector
        self.signal = signal
        self.start = start
        self.challenger = challenger
        self.features = features

    @property
    def _on_features(self) -> bool:
        return isinstance(self.signal, str) and self.signal == "features"

    def _validate(self) -> None:
        check_detector(self.detector)
        if not (self.signal in ("error", "features") or callable(self.signal)):
            raise ValueError(
                f"signal must be 'error', 'features' or a callable(y_true, y_pred) "
                f"returning one value per sample, got {self.signal!r}."
            )
        if self.features is not None and not (
            callable(self.features) and self._on_features
        ):
            raise ValueError(
                "features must be None or a callable(X) returning one value per "
                f"sample, used with signal='features'; got features="
                f"{self.features!r} with signal={self.signal!r}."
            )
        if self._on_features:
            from .drift import feature_detector, is_binary_detector

            if self.features is None:
                feature_detector(self.detector, 2)  # raises for other detectors
            elif is_binary_detector(self.detector):
                raise ValueError(
                    f"signal='features' needs a real-valued detector; {self.name} "
                    "only accepts 0/1 inputs. Use 'adwin', 'page_hinkley' or "
                    "'kswin'."
                )
        if self.challenger not in ("auto", True, False):
            raise ValueError(
                f"challenger must be 'auto', True or False, got {self.challenger!r}."
            )
        if self.challenger is True and not has_warning_level(self.detector):
            raise ValueError(
                f"challenger=True needs a detector with a warning level ('ddm', "
                f"'eddm', 'hddm_a', 'hddm_w'); {self.name} has none."
            )
        super()._validate()

    @property
    def name(self) -> str:
        """Short label of the detector, e.g. ``"adwin"``."""
        from .drift import detector_name

        return detector_name(self.detector)

    def init_state(self) -> Any:
        """A :class:`~sklearn_warmstart.drift.DriftMonitor` on a fresh detector.

        A :class:`~sklearn_warmstart.drift.FeatureMonitor` with
        ``signal="features"``.
        """
        from .drift import DriftMonitor, FeatureMonitor, make_detector

        if self._on_features:
            return FeatureMonitor(self.detector)
        return DriftMonitor(make_detector(self.detector))

    def uses_challenger(self) -> bool:
        """Whether a warning-zone challenger competes at a drift."""
        from .drift import has_warning_level

        return (
            self.challenger is not False
            and not self._on_features
            and has_warning_level(self.detector)
        )

    def challenge(self, decision: Decision, is_classifier: bool) -> Challenge | None:
        """The warning-zone contest of this trigger's reset, when it uses one."""
        if not self.uses_challenger():
            return None
        since = next(
            (
                e.change_start
                for e in decision.events
                if e.change_start is not None and e.detector == self.name
            ),
            None,
        )
        return Challenge(
            since,
            lambda y_true, y_pred: self.signal_values(y_true, y_pred, is_classifier),
        )

    def signal_values(
        self, y_true: Any, y_pred: Any, is_classifier: bool
    ) -> np.ndarray:
        """The per-sample signal (larger is worse) for predictions ``y_pred``."""
        if callable(self.signal):
            values = np.asarray(self.signal(y_true, y_pred), dtype=np.float64)
            if values.shape != (len(y_true),):
                raise ValueError(
                    f"signal must return one value per sample, shape "
                    f"({len(y_true)},), got {values.shape}."
                )
            return values
        if is_classifier:
            return (np.asarray(y_pred) != np.asarray(y_true)).astype(np.float64)
        residual = np.abs(
            np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
        )
        return residual if residual.ndim == 1 else residual.mean(axis=1)

    def _watched_inputs(
        self, X: Any, names: np.ndarray | None = None
    ) -> tuple[np.ndarray, list[str]]:
        """The values a feature monitor is fed, and a label per column."""
        if self.features is not None:
            values = np.asarray(self.features(X), dtype=np.float64)
            n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
            if values.shape != (n_rows,):
                raise ValueError(
                    f"features must return one value per sample, shape "
                    f"({n_rows},), got {values.shape}."
                )
            return values[:, None], ["the features statistic"]
        if hasattr(X, "toarray") or hasattr(X, "tocsr"):
            raise TypeError(
                "OnDrift(signal='features') needs dense inputs, got a sparse "
                "matrix; pass features=callable to watch a statistic of it."
            )
        try:
            values = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                "OnDrift(signal='features') needs numeric inputs; pass "
                f"features=callable for other data ({error})."
            ) from error
        columns = range(values.shape[1]) if values.ndim == 2 else []
        if names is not None and len(names) == len(columns):
            return values, [f"feature {c} ('{names[c]}')" for c in columns]
        return values, [f"feature {c}" for c in columns]

    def _check_features(self, state, evidence):
        if evidence.X is None:
            return None
        values, labels = self._watched_inputs(evidence.X, evidence.feature_names)
        found = state.feed(values, evidence.sample_start)
        if found is None:
            return None
        return self._fire(found, evidence, f"a shift of {labels[state.last_column]}")

    def _fire(self, found, evidence, what: str) -> Fire:
        row = found.index - evidence.sample_start
        reason = (
            f"{self.name} detected {what} at row {found.index} "
            f"(row {row} of run {evidence.run})"
        )
        if found.change_start is not None:
            reason += f"; change estimated from row {found.change_start}"
        event = DriftEvent(
            detector=self.name,
            sample_index=found.index,
            run=evidence.run,
            level="drift",
            change_start=found.change_start,
        )
        return Fire(
            trigger=f"on_drift({self.name})",
            start=self.reset_start(),
            reason=reason,
            events=(event,),
        )

    def _check_task(self, state: Any, evidence: Evidence) -> None:
        if self.signal == "error" and not evidence.is_classifier and state.binary:
            raise ValueError(
                f"OnDrift({self.name!r}) only accepts 0/1 errors, but a regressor's "
                "error signal is the absolute residual. Use 'adwin', "
                "'page_hinkley' or 'kswin', or pass a 0/1 signal=callable."
            )

    def check(self, state, evidence):
        if self._on_features:
            return self._check_features(state, evidence)
        self._check_task(state, evidence)
        if evidence.errors is None:
            return None
        if self.signal == "error":
            values = evidence.errors
        else:
            values = self.signal_values(
                evidence.y, evidence.y_pred, evidence.is_classifier
            )
        found = state.feed(values, evidence.sample_start)
        if found is None:
            return None
        what = "errors" if self.signal == "error" else "signal"
        return self._fire(found, evidence, f"an increase of the {what}")


@dataclass
class PlateauState:
    """Mutable state of :class:`OnPlateau`: the best score and the runs since."""

    best: float = -np.inf
    best_run: int | None = None
    stale: int = 0


class OnPlateau(Trigger):
    """Reset when the monitored score has not improved for ``patience`` runs.

    After firing, the count starts again from the next run's score.

    Parameters
    ----------
    patience : int, default=3
        Runs without improvement before the trigger fires (>= 1).
    min_delta : float, default=0.0
        An improvement must exceed the best score so far by more than this.
    monitor : "prequential" or callable, default="prequential"
        ``"prequential"`` is the current model's score on each run's rows
        before training (accuracy or R²); a callable gets the run's
        :class:`Evidence` and returns a score (higher is better). NaN scores
        (the first run) are ignored.
    start : Start or str, default="cold"
        The start used when the trigger fires, e.g. ``ShrinkPerturb(0.4, 0.1)``
        to re-perturb instead of reset.

    See Also
    --------
    OnDrift : Reset when a detector sees the errors increase.

    Examples
    --------
    >>> from sklearn_warmstart.policies import Evidence, OnPlateau
    >>> trigger = OnPlateau(patience=2)
    >>> state = trigger.init_state()
    >>> [trigger.check(state, Evidence(r, 10, 0, None, s, True)) is not None
    ...  for r, s in enumerate([0.7, 0.8, 0.8, 0.79, 0.9])]
    [False, False, False, True, False]
    """

    def __init__(
        self,
        patience: int = 3,
        min_delta: float = 0.0,
        monitor: Any = "prequential",
        start: Start | str = "cold",
    ):
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.start = start

    def _validate(self) -> None:
        check_int(self.patience, "OnPlateau(patience)")
        check_real(self.min_delta, "min_delta", low=0.0)
        if not (self.monitor == "prequential" or callable(self.monitor)):
            raise ValueError(
                f"monitor must be 'prequential' or a callable(evidence) -> float, "
                f"got {self.monitor!r}."
            )
        super()._validate()

    def init_state(self) -> PlateauState:
        """A fresh best score and counter."""
        return PlateauState()

    def check(self, state, evidence):
        score = (
            evidence.score if self.monitor == "prequential" else self.monitor(evidence)
        )
        score = float(score)
        if np.isnan(score):
            return None
        if score > state.best + self.min_delta:
            state.best, state.best_run, state.stale = score, evidence.run, 0
            return None
        state.stale += 1
        if state.stale < self.patience:
            return None
        label = "prequential score" if self.monitor == "prequential" else "score"
        reason = (
            f"{label} {score:.4f} has not improved on {state.best:.4f} (run "
            f"{state.best_run}) by more than {self.min_delta} for {state.stale} "
            f"run{'s' if state.stale != 1 else ''} (run {evidence.run})"
        )
        state.best, state.best_run, state.stale = -np.inf, None, 0
        return Fire(
            trigger=f"on_plateau({self.patience})",
            start=self.reset_start(),
            reason=reason,
        )


class OnNewClasses(Trigger):
    """Reset when a run brings classes no earlier run knew.

    Without this trigger a label never seen before is an error, as in
    scikit-learn's ``partial_fit``. With it, a run whose labels (or whose
    ``partial_fit(classes=...)``, a superset of the known classes) add new
    classes starts cold and learns the union of the old and new classes;
    the record's reason names them. A run with only known labels is left to
    the policy's start.

    The reset is cold because a model's output layer has one row per class:
    no inherited parameters fit the larger set. In ``partial_fit`` the fresh
    model trains on the buffered recent rows, as every streaming reset does.

    See Also
    --------
    OnDrift : Reset when a detector sees the errors increase.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import OnNewClasses, WarmStartClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> y[150:][X[150:, 1] > 1] = 2  # class 2 only arrives later
    >>> clf = WarmStartClassifier(SGDClassifier(), start="warm",
    ...                           reset=OnNewClasses(), random_state=0)
    >>> clf = clf.partial_fit(X[:150], y[:150]).partial_fit(X[150:], y[150:])
    >>> clf.classes_.tolist(), clf.history_[1].start
    ([0, 1, 2], 'cold')
    >>> clf.history_[1].reason
    'new class(es) [2] (known [0, 1]): reset with the union [0, 1, 2]'
    """

    def check(self, state, evidence):
        if not evidence.new_classes:
            return None
        new = list(evidence.new_classes)
        union = np.asarray(evidence.classes).tolist()
        known = [c for c in union if c not in new]
        return Fire(
            trigger="on_new_classes",
            start=Cold(),
            reason=f"new class(es) {new} (known {known}): reset with the union {union}",
        )
