"""Pipelines: warm-start the final step on features scaled as before."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from .._serial import Payload, skops_dumps, skops_loads
from .base import Adapter

__all__ = ["PipelineAdapter"]

_TRANSFORMERS = "pipeline_transformers.skops"


def _split_params(final_name: str, fit_params: dict[str, Any]) -> dict[str, Any]:
    prefix = f"{final_name}__"
    return {k[len(prefix) :]: v for k, v in fit_params.items() if k.startswith(prefix)}


class PipelineAdapter(Adapter):
    """Adapter for a :class:`~sklearn.pipeline.Pipeline`.

    The rule for the transformers (scikit-learn has no answer of its own yet,
    see its enhancement proposal on warm-starting pipelines):

    - a **cold** run refits the whole pipeline, transformers included;
    - every other start keeps the previous run's fitted transformers
      **frozen** and starts only the final step as the policy says, so the
      final step never inherits weights learned on differently scaled features.
      Streaming steps (``partial_fit``) do the same: frozen transformers, the
      final step updated with its own ``partial_fit``.

    Fit parameters for the final step are passed as ``<step>__<param>``.

    Parameters
    ----------
    estimator : Pipeline
        The pipeline.
    final_adapter : Adapter
        The adapter of the pipeline's last step, which acts on the final model.
    """

    def __init__(self, estimator: Pipeline, final_adapter: Adapter):
        super().__init__(estimator)
        self.final = final_adapter
        self.fit_starts = final_adapter.fit_starts
        self.partial_fit_starts = final_adapter.partial_fit_starts

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        return isinstance(estimator, Pipeline)

    def supports_partial_fit(self) -> bool:
        return self.final.supports_partial_fit()

    def check_start(self, start, method="fit"):
        self.final.check_start(start, method)

    def state_payload(self, model: Pipeline) -> Payload:
        """The fitted pipeline as a checkpoint payload.

        When the final step's payload is not skops, the fitted transformers go
        through skops (trusted scikit-learn types only) and the final step
        through its own adapter's payload, so a pipeline ending in a skorch
        net is stored without pickling the net. Otherwise the whole pipeline
        is one skops payload.
        """
        final = self.final.state_payload(model._final_estimator)
        if final.kind == "skops":
            return super().state_payload(model)
        blob = skops_dumps(
            Pipeline(model.steps[:-1]), "The pipeline's transformers", ()
        )
        arrays = {**final.arrays, _TRANSFORMERS: np.frombuffer(blob, dtype=np.uint8)}
        config = {"final_kind": final.kind, "final": final.json}
        return Payload("pipeline", config, arrays, final.tensors)

    def load_payload(self, payload: Payload, template: Pipeline) -> Pipeline:
        """Rebuild what :meth:`state_payload` stored."""
        if payload.kind != "pipeline":
            return super().load_payload(payload, template)
        arrays = dict(payload.arrays)
        blob = np.asarray(arrays.pop(_TRANSFORMERS), dtype=np.uint8).tobytes()
        transformers = skops_loads(blob, "The pipeline's transformers", ())
        final = self.final.load_payload(
            Payload(
                payload.json["final_kind"],
                payload.json["final"],
                arrays,
                payload.tensors,
            ),
            template._final_estimator,
        )
        model = clone(template)
        model.steps = [*transformers.steps, (self._final_name(template), final)]
        return model

    @staticmethod
    def _final_name(pipeline: Pipeline) -> str:
        return pipeline.steps[-1][0]

    def parameters(self, model):
        return self.final.parameters(model._final_estimator)

    def fresh_parameters(self, template, X, y, seed, previous):
        if previous is None:
            return None
        Xt = previous[:-1].transform(X)
        return self.final.fresh_parameters(
            template._final_estimator, Xt, y, seed, previous._final_estimator
        )

    def write_parameters(self, model, theta):
        self.final.write_parameters(model._final_estimator, theta)

    def _assemble(self, template, previous, final_model):
        steps = [(name, step) for name, step in copy.deepcopy(previous.steps[:-1])]
        template.steps = [*steps, (self._final_name(template), final_model)]
        return template

    def fit_cold(self, template, X, y, fit_params, classes=None):
        if classes is None and not self.final.owns_cold_fit:
            return template.fit(X, y, **fit_params)
        transformers = template[:-1].fit(X, y)
        Xt = transformers.transform(X)
        final = self.final.fit_cold(
            template._final_estimator,
            Xt,
            y,
            _split_params(self._final_name(template), fit_params),
            classes,
        )
        template.steps = [*transformers.steps, (self._final_name(template), final)]
        return template

    def start_stream(self, template, X, y, *, seed, classes, fit_params):
        transformers = template[:-1].fit(X, y)
        final, theta0 = self.final.start_stream(
            template._final_estimator,
            transformers.transform(X),
            y,
            seed=seed,
            classes=classes,
            fit_params=_split_params(self._final_name(template), fit_params),
        )
        template.steps = [*transformers.steps, (self._final_name(template), final)]
        return template, theta0

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        Xt = previous[:-1].transform(X)
        final = self.final.fit_from(
            template._final_estimator,
            previous._final_estimator,
            theta,
            start,
            Xt,
            y,
            _split_params(self._final_name(template), fit_params),
        )
        return self._assemble(template, previous, final)

    def chain_step(self, param):
        """Only the final step's parameters are walked; a transformer's starts cold."""
        prefix = f"{self._final_name(self.estimator)}__"
        if param.startswith(prefix):
            return self.final.chain_step(param[len(prefix) :])
        return None

    def fit_chain(self, template, previous, start, X, y, fit_params):
        final = self.final.fit_chain(
            template._final_estimator,
            previous._final_estimator,
            start,
            previous[:-1].transform(X),
            y,
            _split_params(self._final_name(template), fit_params),
        )
        return None if final is None else self._assemble(template, previous, final)

    def chain_n_iter(self, model, previous):
        return self.final.chain_n_iter(
            model._final_estimator,
            None if previous is None else previous._final_estimator,
        )

    def partial_fit_from(
        self, template, previous, theta, start, X, y, classes, fit_params
    ):
        Xt = previous[:-1].transform(X)
        final = self.final.partial_fit_from(
            template._final_estimator,
            previous._final_estimator,
            theta,
            start,
            Xt,
            y,
            classes,
            _split_params(self._final_name(template), fit_params),
        )
        return self._assemble(template, previous, final)

    def continue_stream(self, previous, X, y, classes, fit_params):
        name = self._final_name(previous)
        final = self.final.continue_stream(
            previous._final_estimator,
            previous[:-1].transform(X),
            y,
            classes,
            _split_params(name, fit_params),
        )
        if final is None:
            return None
        model = copy.copy(previous)
        model.steps = [*copy.deepcopy(previous.steps[:-1]), (name, final)]
        return model

    def partial_reset(self, start, template, previous, theta_prev, fresh, X, y, seed):
        return self.final.partial_reset(
            start,
            template._final_estimator,
            previous._final_estimator,
            theta_prev,
            fresh,
            previous[:-1].transform(X),
            y,
            seed,
        )

    def seeded(self, seed=None):
        return self.final.seeded(seed)

    def combine(self, start, theta_prev, fresh, seed):
        return self.final.combine(start, theta_prev, fresh, seed)

    def valid_loss_curve(self, model):
        return self.final.valid_loss_curve(model._final_estimator)

    def n_iter(self, model):
        return self.final.n_iter(model._final_estimator)

    def loss_curve(self, model):
        return self.final.loss_curve(model._final_estimator)

    def grad_norms(self, model):
        return self.final.grad_norms(model._final_estimator)
