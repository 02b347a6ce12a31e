"""What LightGBM, XGBoost and CatBoost share: a boosted ensemble's starts.

A boosted ensemble is a sequence of rounds, each fitted to the residuals of
the rounds before it. A prefix of the sequence is a valid model; a suffix is
not. So every start is a statement about rounds:

- cold: a fresh fit;
- ``Warm(grow=k)``: ``k`` new rounds on the run's rows, boosted from the
  previous model's scores (default: a tenth of ``n_estimators``);
- ``Refresh(decay=d)``: the same trees, their leaf values re-estimated on
  the run's rows and blended, ``d * old + (1 - d) * fitted``;
- ``PartialReset(fraction=f)``: the newest ``f`` of the rounds dropped and
  grown back on the run's rows;
- shrink-perturb and perturb have no meaning for trees and are refused.

The library modules (``lightgbm``, ``xgboost``, ``catboost``) supply the
library calls; this module holds the rules.
"""

from __future__ import annotations

import copy
import warnings
import weakref
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from .._serial import CheckpointError, Payload
from .base import Adapter, UnsupportedStartError

__all__ = ["BoostingAdapter", "category_levels"]

#: Attribute on a fitted model holding the categorical levels of its first run.
LEVELS = "_warmstart_levels"


def category_levels(X: Any) -> dict[str, list[Any]]:
    """The levels of each pandas ``category`` column of ``X`` ({} for arrays)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return {}
    return {
        str(name): X[name].cat.categories.tolist()
        for name, dtype in dtypes.items()
        if str(dtype) == "category"
    }


class BoostingAdapter(Adapter):
    """Shared rules of the gradient-boosting libraries' adapters.

    Parameters
    ----------
    estimator : estimator
        The configured LightGBM, XGBoost or CatBoost model.
    max_rounds : int or None, default=None
        Cap on the total boosting rounds a warm lineage may reach. A warm run
        that would pass it starts cold instead, with the reason recorded.
        ``None``: ``max_rounds_factor`` (4) times ``n_estimators``.
    """

    fit_starts = frozenset({"cold", "warm", "refresh", "partial_reset"})
    partial_fit_starts = fit_starts
    continues_streams = False
    #: The library's name, for messages.
    library: ClassVar[str] = "boosting"
    #: The constructor parameter that counts boosting rounds.
    size_param: ClassVar[str] = "n_estimators"
    #: Its default when the configured model leaves it None.
    default_size: ClassVar[int] = 100
    #: Default cap on total rounds, as a multiple of ``n_estimators``.
    max_rounds_factor: ClassVar[int] = 4
    #: The payload kind written by :meth:`state_payload`.
    payload_kind: ClassVar[str] = "boosting"
    #: The library's package and the base class of its models.
    package: ClassVar[str] = ""
    model_base: ClassVar[str] = ""

    def __init__(self, estimator: Any, max_rounds: int | None = None):
        super().__init__(estimator)
        self.max_rounds = max_rounds
        self._rounds_this_run: tuple[int, int] | None = None

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        """Whether ``estimator`` is one of the library's models (imports nothing)."""
        return any(
            c.__module__.split(".")[0] == cls.package and c.__name__ == cls.model_base
            for c in type(estimator).__mro__
        )

    # ---------------------------------------------------------------- library hooks
    def n_rounds(self, model: Any) -> int:
        """Boosting rounds the fitted model holds."""
        raise NotImplementedError

    def boost(
        self,
        template: Any,
        init: Any | None,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
        extra: Mapping[str, Any],
    ) -> Any:
        """``template.fit`` continuing from ``init`` (None: a fresh fit)."""
        raise NotImplementedError

    def init_of(self, model: Any) -> Any:
        """What the library continues boosting from."""
        raise NotImplementedError

    def truncate(self, model: Any, n_rounds: int) -> Any:
        """The first ``n_rounds`` rounds of ``model``, to continue from."""
        raise NotImplementedError

    def refresh(
        self, model: Any, X: Any, y: Any, decay: float, fit_params: Mapping[str, Any]
    ) -> Any:
        """A copy of ``model`` whose leaf values are re-estimated on ``X, y``."""
        raise UnsupportedStartError(f"{self.library} has no leaf refresh.")

    def warm_params(self, previous: Any) -> dict[str, Any]:
        """Constructor parameters a continuation must inherit from ``previous``."""
        return {}

    def native_bytes(self, model: Any) -> bytes:
        """The model in the library's own format."""
        raise NotImplementedError

    def from_native(self, template: Any, blob: bytes, state: dict[str, Any]) -> Any:
        """The model of ``native_bytes`` output, built on a clone of ``template``."""
        raise NotImplementedError

    def fitted_state(self, model: Any) -> dict[str, Any]:
        """JSON-able fitted state the native format does not keep."""
        return {}

    # ---------------------------------------------------------------- known scores
    def _keep_scores(self, booster: Any, X: Any, scores: Any) -> None:
        """Remember ``booster``'s raw scores on the rows ``X`` (these objects only)."""
        try:
            self._scores = (weakref.ref(booster), weakref.ref(X), scores)
        except TypeError:  # rows that cannot be referenced weakly are not kept
            self._scores = None

    def _known_scores(self, booster: Any, X: Any, fit_params: Any = ()) -> Any:
        """The kept raw scores of ``booster`` on ``X``, or None; forgotten either way.

        The run loop scores a run's rows with the previous model (the
        prequential evidence) just before training on them: a warm run on
        those very rows can boost from the scores instead of having the
        library score every row with every old tree again.
        """
        kept, self._scores = getattr(self, "_scores", None), None
        if kept is None or set(fit_params) - {"sample_weight"}:
            return None  # eval sets and callbacks would need their scores too
        if kept[0]() is not booster or kept[1]() is not X:
            return None
        return kept[2]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_scores", None)  # weak references; kept scores are a cache
        return state

    # ---------------------------------------------------------------- rules
    def supports_partial_fit(self) -> bool:
        return True

    def size(self, estimator: Any | None = None) -> int:
        """``n_estimators`` of the configured (or given) model."""
        estimator = self.estimator if estimator is None else estimator
        value = estimator.get_params().get(self.size_param)
        return self.default_size if value is None else int(value)

    def grow(self, start: Any) -> int:
        """Rounds a warm run adds: ``start.grow``, else a tenth of ``n_estimators``."""
        grow = getattr(start, "grow", None)
        return grow if grow is not None else max(1, self.size() // 10)

    def round_cap(self) -> int:
        """The cap on total rounds (see ``max_rounds``)."""
        if self.max_rounds is not None:
            return int(self.max_rounds)
        return self.max_rounds_factor * self.size()

    def cold_reason(self, model: Any, start: Any) -> str | None:
        """Why a warm run must start cold instead: its rounds would pass the cap."""
        if start.kind != "warm":
            return None
        total, grow, cap = self.n_rounds(model), self.grow(start), self.round_cap()
        if total + grow <= cap:
            return None
        return (
            f"bounded growth: {total} rounds + {grow} would pass the cap of {cap} "
            f"total rounds ({type(self.estimator).__name__}), so this run starts "
            "cold"
        )

    def check_start(self, start: Any, method: str = "fit") -> None:
        super().check_start(start, method)
        if start.kind == "partial_reset" and getattr(start, "fraction", None) is None:
            raise UnsupportedStartError(
                f"PartialReset on {type(self.estimator).__name__} needs fraction= "
                "(the share of the newest boosting rounds to drop and grow back); "
                "layers= and dormant= apply to networks."
            )

    def _unsupported(self, start: Any, method: str) -> str:
        message = super()._unsupported(start, method)
        if start.kind in ("shrink_perturb", "perturb"):
            message += (
                " Parameter arithmetic has no meaning for boosted trees: use "
                "Refresh(decay) to re-estimate the leaf values on new rows, or "
                "PartialReset(fraction) to regrow the newest rounds."
            )
        elif start.kind == "refresh":
            message += (
                f" {self.library} has no leaf refresh: use PartialReset(fraction) "
                "to regrow the newest rounds on the run's rows."
            )
        return message

    def n_iter(self, model: Any) -> int | None:
        """Boosting rounds trained by the last run (all of them for a cold fit)."""
        if self._rounds_this_run is not None and self._rounds_this_run[0] == id(model):
            return self._rounds_this_run[1]
        return self.n_rounds(model)

    def n_iter_total(self, model: Any) -> int | None:
        """Boosting rounds the model holds, over every run it inherited."""
        return self.n_rounds(model)

    # ---------------------------------------------------------------- training
    def _done(self, model: Any, levels: dict[str, list[Any]], trained: int) -> Any:
        setattr(model, LEVELS, levels)
        self._rounds_this_run = (id(model), trained)
        return model

    def _check_classes(self, y: Any, classes: Any, what: str) -> None:
        if classes is None:
            return
        missing = np.setdiff1d(np.asarray(classes), np.unique(y))
        if len(missing):
            raise ValueError(
                f"{type(self.estimator).__name__} {what} needs every class in the "
                f"run's rows, but class(es) {missing.tolist()} are missing: the "
                f"{self.library} model would re-encode its labels and mis-map the "
                "earlier trees' outputs. Give the run rows of every class, or use "
                "a cold start."
            )

    def _check_levels(self, previous: Any, X: Any) -> dict[str, list[Any]]:
        before = getattr(previous, LEVELS, None)
        now = category_levels(X)
        if before is None:
            return now
        for column in sorted(set(before) | set(now)):
            if before.get(column) != now.get(column):
                raise ValueError(
                    f"Categorical column {column!r} has levels {now.get(column)} in "
                    f"this run but {before.get(column)} when the model was first "
                    f"fitted; the earlier trees of {type(self.estimator).__name__} "
                    "would read the new codes as other levels. Keep the first run's "
                    "levels (pd.Categorical(values, categories=...)) or use a cold "
                    "start."
                )
        return before

    def fit_cold(self, template, X, y, fit_params, classes=None):
        if classes is not None:
            self._check_classes(y, classes, "trained on a subset of the classes")
        model = self.boost(template, None, X, y, fit_params, {})
        return self._done(model, category_levels(X), self.n_rounds(model))

    def start_stream(self, template, X, y, *, seed, classes, fit_params):
        return self.fit_cold(template, X, y, fit_params, classes), None

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        levels = self._check_levels(previous, X)
        classes = getattr(previous, "classes_", None)
        before = self.n_rounds(previous)
        if start.kind == "refresh":
            self._check_classes(y, classes, "Refresh")
            model = self.refresh(previous, X, y, start.decay, fit_params)
            return self._done(model, levels, 0)
        self._check_classes(y, classes, f"start {start.describe()!r}")
        if start.kind == "partial_reset":
            keep = before - int(round(start.fraction * before))
            if keep == before:
                return self._done(copy.deepcopy(previous), levels, 0)
            if keep <= 0:
                template.set_params(**{self.size_param: before})
                model = self.boost(template, None, X, y, fit_params, {})
                return self._done(model, levels, self.n_rounds(model))
            init, n_new = self.truncate(previous, keep), before - keep
        else:
            init, n_new = self.init_of(previous), self.grow(start)
        template.set_params(**{self.size_param: n_new}, **self.warm_params(previous))
        start_rounds = keep if start.kind == "partial_reset" else before
        model = self.boost(template, init, X, y, fit_params, {})
        return self._done(model, levels, self.n_rounds(model) - start_rounds)

    def partial_fit_from(
        self, template, previous, theta, start, X, y, classes, fit_params
    ):
        return self.fit_from(template, previous, theta, start, X, y, fit_params)

    # ---------------------------------------------------------------- checkpoints
    def state_payload(self, model: Any) -> Payload:
        """The fitted model in the library's native format, plus JSON state.

        ``arrays["model"]`` holds the native bytes (as ``uint8``); ``json``
        the fitted state the format does not keep (label encoding, feature
        names where needed) and the first run's categorical levels. No pickle.
        """
        blob = self.native_bytes(model)
        return Payload(
            self.payload_kind,
            json={
                "state": self.fitted_state(model),
                "levels": getattr(model, LEVELS, None),
            },
            arrays={"model": np.frombuffer(blob, dtype=np.uint8)},
        )

    def load_payload(self, payload: Payload, template: Any) -> Any:
        """The model of a :meth:`state_payload` payload (``template`` untouched)."""
        if payload.kind != self.payload_kind:
            raise CheckpointError(
                f"{type(self).__name__} cannot load a {payload.kind!r} payload; it "
                f"was written for another model family than "
                f"{type(template).__name__}. Pass the configured estimator the "
                "checkpoint was written with."
            )
        blob = np.asarray(payload.arrays["model"], dtype=np.uint8).tobytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model = self.from_native(clone(template), blob, payload.json["state"])
        levels = payload.json.get("levels")
        if levels is not None:
            setattr(model, LEVELS, levels)
        return model
