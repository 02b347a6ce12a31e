"""skorch nets (PyTorch): the module's state dict, on its device.

Imported only when a skorch net is wrapped; importing it imports torch.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import math
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from sklearn.base import is_regressor

from .._optional import missing_torch
from .._serial import (
    CheckpointError,
    Payload,
    plain_array,
    plain_fitted_attributes,
)
from .base import Adapter, ArchitectureChangedError, UnsupportedStartError

try:
    import torch
    from skorch import NeuralNet
    from skorch.callbacks import Callback
    from skorch.dataset import unpack_data
    from skorch.history import History as NetHistory
    from skorch.utils import to_tensor
    from torch.utils.data import DataLoader
except ImportError as exc:  # pragma: no cover - exercised by a simulated import
    raise missing_torch("skorch nets", exc) from exc

from ..torch_data import DeviceDataLoader

__all__ = ["EpochGradNorm", "SkorchAdapter"]

#: Name of the callback the adapter adds to every net it trains.
STATS_CALLBACK = "warmstart_grad_norm"
#: ``iterator_train__*`` options the device path understands; any other one
#: (``num_workers``, ``collate_fn``, …) keeps skorch's own loader in auto mode.
_DEVICE_LOADER_OPTIONS = frozenset({"batch_size", "shuffle", "drop_last", "generator"})


class EpochGradNorm(Callback):
    """Record the mean gradient norm of each epoch in the net's history.

    After every training batch (skorch's ``on_grad_computed``) the global L2
    norm of all gradients is added to a running sum that stays on the device;
    at the end of the epoch the mean over batches is recorded as
    ``history[-1, "grad_norm"]`` (one device synchronisation per epoch). It
    also remembers the epoch at which the current training call began, so
    the adapter reads only the current run's epochs.

    Examples
    --------
    >>> from sklearn_warmstart.adapters.skorch import EpochGradNorm
    >>> EpochGradNorm().initialize().first_epoch_
    0
    """

    def initialize(self) -> EpochGradNorm:
        self.first_epoch_ = 0
        self.total_ = None
        self.count_ = 0
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.first_epoch_ = len(net.history)

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.total_, self.count_ = None, 0

    def on_grad_computed(
        self, net, named_parameters, X=None, y=None, training=None, **kwargs
    ):
        if not training:
            return
        grads = [p.grad.detach() for _, p in named_parameters if p.grad is not None]
        if not grads:
            return
        device = grads[0].device
        norms = [n.to(device) for n in torch._foreach_norm(grads)]
        norm = torch.linalg.vector_norm(torch.stack(norms).float())
        self.total_ = norm if self.total_ is None else self.total_ + norm
        self.count_ += 1

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        if self.count_:
            net.history.record("grad_norm", float(self.total_) / self.count_)
        self.total_, self.count_ = None, 0


@contextlib.contextmanager
def torch_rng(device: Any, seed: int | None = None) -> Iterator[None]:
    """Isolate torch's global generators (CPU and the CUDA devices in use).

    Inside, the CPU generator and those of every visible CUDA device (when
    ``device`` is CUDA) are seeded with ``seed`` if one is given; on exit all
    of them are restored, so nothing leaks to the caller.

    Examples
    --------
    >>> import torch
    >>> from sklearn_warmstart.adapters.skorch import torch_rng
    >>> with torch_rng("cpu", seed=0):
    ...     a = torch.rand(2)
    >>> with torch_rng("cpu", seed=0):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
    dev = torch.device(device if device is not None else "cpu")
    devices: list[int] = []
    if dev.type == "cuda" and torch.cuda.is_available():
        devices = list(range(torch.cuda.device_count()))
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        if seed is not None:
            torch.random.default_generator.manual_seed(int(seed))
            for index in devices:
                with torch.cuda.device(index):
                    torch.cuda.manual_seed(int(seed))
        yield


def _named_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return dict(module.state_dict())


def _clone_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: t.detach().clone() for name, t in module.state_dict().items()}


def _floating(theta: Mapping[str, torch.Tensor]) -> list[str]:
    return [name for name, t in theta.items() if t.is_floating_point()]


#: Version of the checkpoint payload written by :meth:`SkorchAdapter.state_payload`.
PAYLOAD_FORMAT = 1
#: Marker of a tuple in the payload's JSON (JSON has only lists).
_TUPLE = "__tuple__"


class _NotPlain(Exception):
    """A value that JSON cannot hold as it is."""


def _to_plain(value: Any) -> Any:
    """``value`` as JSON (tuples tagged), or raise :class:`_NotPlain`."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    if isinstance(value, tuple):
        return {_TUPLE: [_to_plain(v) for v in value]}
    if isinstance(value, dict) and _TUPLE not in value:
        if not all(isinstance(k, str) for k in value):
            raise _NotPlain
        return {k: _to_plain(v) for k, v in value.items()}
    raise _NotPlain


def _from_plain(value: Any) -> Any:
    """Inverse of :func:`_to_plain`."""
    if isinstance(value, list):
        return [_from_plain(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_TUPLE}:
            return tuple(_from_plain(v) for v in value[_TUPLE])
        return {k: _from_plain(v) for k, v in value.items()}
    return value


def _is_plain(value: Any) -> bool:
    try:
        _to_plain(value)
    except _NotPlain:
        return False
    return True


def _restorable(name: str) -> bool:
    """Whether a stored net parameter may be written into the loaded net.

    Placement (``device``, ``iterator_*__device``) always comes from the net
    given at load time, so a checkpoint moves between machines.
    """
    return not (name.startswith("_") or name == "device" or name.endswith("__device"))


def _stateful(net: Any, names: list[str]) -> dict[str, Any]:
    """``{name: net.<name>_}`` for components that have a ``state_dict``."""
    out = {}
    for name in names:
        component = getattr(net, name + "_", None)
        if callable(getattr(component, "state_dict", None)):
            out[name] = component
    return out


class SkorchAdapter(Adapter):
    """Adapter for skorch's ``NeuralNet``, ``NeuralNetClassifier`` and ``NeuralNetRegressor``.

    θ is the state dict of ``module_`` (parameters and buffers), left on the
    net's device; a fresh initialisation is the module skorch builds under
    ``torch.manual_seed(run seed)``. All arithmetic between state dicts runs on
    the device with ``torch._foreach_*`` kernels.

    Training and initialisation run inside :func:`torch_rng` seeded with the
    run's seed, so the same ``random_state`` gives the same weights, and
    torch's global generators are left as they were.

    - **Cold**: ``initialize()`` from the run's seed, ``max_epochs`` epochs.
    - **Warm / ShrinkPerturb / Perturb / PartialReset** in ``fit``: a fresh
      clone with the run's hyperparameters, θ₀ loaded into it (strictly: a
      changed architecture raises
      :class:`~sklearn_warmstart.adapters.ArchitectureChangedError`),
      ``max_epochs`` epochs.
    - **Optimizer state** (Adam's moments, step counts): the net's own
      ``warm_start`` flag decides. skorch's ``warm_start=True`` means "the next
      fit continues the module *and* the optimizer"; here the start decides the
      module, so the flag keeps only its optimizer half: with
      ``warm_start=True`` every non-cold ``fit`` run continues the previous
      run's optimizer state (hyperparameters such as ``lr`` come from the new
      run), with the default ``False`` each run starts a fresh optimizer, as
      scikit-learn's MLPs do. Grid-searchable as ``estimator__warm_start``.
    - **partial_fit** chunks continue the previous net (module, optimizer,
      callbacks) with exactly one pass over the chunk (skorch's own
      ``partial_fit`` would run ``max_epochs``); a reset trains a fresh net on
      the buffered rows for ``max_epochs``.
    - **PartialReset**: ``layers=`` patterns match state-dict names with
      ``fnmatch`` (``"output.*"``, ``"hidden.0.weight"``); ``dormant=τ``
      applies ReDo to stacks of ``nn.Linear`` layers (each feeding the next in
      registration order): a hidden unit whose mean absolute activation on the
      run's data is at most τ times its layer's mean gets fresh incoming
      weights and zero outgoing weights.
    - **Records**: epochs, ``train_loss`` and ``valid_loss`` per epoch from the
      net's history, and the mean gradient norm per epoch (see
      :class:`EpochGradNorm`). Per-batch history entries of earlier runs are
      dropped so a streaming net's history stays small.
    - **Data path**: regressors get a 1-D ``y`` as a column (skorch's
      convention for regression targets). With ``iterator_train=DeviceDataLoader``
      (:mod:`sklearn_warmstart.torch_data`), or by default when the net's
      ``device`` is CUDA and it uses skorch's default loaders, batches are
      formed on the device from arrays moved there once per run; data that
      does not fit falls back to ``DataLoader``.
    - **Checkpoints** (``checkpoint=`` of the meta-estimators): the payload is
      the state dicts of the net's modules, criteria and optimizers (read back
      with ``torch.load(weights_only=True)``), the per-epoch history and the
      net's plain parameters and fitted attributes as JSON; never a pickled
      net. Loading needs the configured net (``resume(path, estimator=net)``,
      ``load_model(path, template=net)``), see :meth:`load_payload`.

    Parameters
    ----------
    estimator : skorch.NeuralNet
        The (unfitted) net.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier
    >>> X = np.random.default_rng(0).normal(size=(200, 4)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> net = NeuralNetClassifier(torch.nn.Linear, module__in_features=4,
    ...     module__out_features=2, criterion=torch.nn.CrossEntropyLoss,
    ...     max_epochs=3, train_split=None, verbose=0)
    >>> clf = WarmStartClassifier(net, start=ShrinkPerturb(0.5, 0.1), random_state=0)
    >>> clf = clf.fit(X[:100], y[:100]).fit(X, y)
    >>> [(r.start, r.n_iter, len(r.grad_norms)) for r in clf.history_]
    [('cold', 3, 3), ('shrink_perturb(0.5, 0.1)', 3, 3)]
    """

    fit_starts = frozenset(
        {"cold", "warm", "shrink_perturb", "perturb", "partial_reset"}
    )
    partial_fit_starts = fit_starts
    owns_cold_fit = True
    continues_streams = False  # warm steps check the architecture in train()

    @classmethod
    def handles(cls, estimator: Any) -> bool:
        return isinstance(estimator, NeuralNet)

    def supports_partial_fit(self) -> bool:
        return True

    def check_start(self, start, method="fit"):
        super().check_start(start, method)
        if start.kind == "partial_reset" and start.fraction is not None:
            raise UnsupportedStartError(
                "PartialReset(fraction=...) replaces ensemble members; for a skorch "
                "net use layers= (state-dict name patterns, e.g. 'output.*') or "
                "dormant=."
            )

    # ---------------------------------------------------------------- RNG
    def seeded(self, seed=None):
        return torch_rng(self.estimator.device, seed)

    def _initialize(self, net: Any, seed: int | None) -> Any:
        """``net.initialize()``; from ``seed`` in an isolated RNG when given."""
        self._use_device_data(net)  # iterator params cannot change once initialised
        if seed is None:
            return net.initialize()
        with torch_rng(net.device, seed):
            return net.initialize()

    # ---------------------------------------------------------------- parameters
    def parameters(self, model):
        return _named_state(model.module_)

    def fresh_parameters(self, template, X, y, seed, previous):
        # The template itself is initialised (it is the run's net): its initial
        # state is θ_fresh, and the run's own RNG stream stays untouched.
        self._initialize(template, seed)
        return _clone_state(template.module_)

    def write_parameters(self, model, theta):
        self._load(model, theta)

    def _load(self, net: Any, theta: Mapping[str, Any]) -> None:
        try:
            net.module_.load_state_dict(dict(theta), strict=True)
        except RuntimeError as exc:  # missing/unexpected keys or shapes
            raise ArchitectureChangedError(
                f"Cannot load the start parameters into {type(net.module_).__name__}: "
                f"{exc}"
            ) from exc

    def _architecture_changed_message(self, changed):
        return (
            f"{type(self.estimator).__name__}'s module changed since the previous "
            f"run; parameter shapes (previous, now): {changed}. A warm, "
            "shrink-perturb, perturb or partial-reset start cannot inherit weights "
            "of another architecture: keep the module__* parameters unchanged "
            "between runs, or use start='cold' for this run."
        )

    def combine(self, start, theta_prev, fresh, seed):
        if start.kind == "shrink_perturb":
            return self._shrink_perturb(start.shrink, start.noise, theta_prev, fresh)
        if start.kind == "perturb":
            return self._perturb(start.noise, theta_prev, seed)
        return super().combine(start, theta_prev, fresh, seed)

    @staticmethod
    def _shrink_perturb(shrink, noise, theta_prev, fresh):
        """θ = shrink·θ_prev + noise·θ_fresh, written into ``fresh`` (our copy).

        Integer buffers (e.g. BatchNorm's ``num_batches_tracked``) are inherited.
        """
        out = dict(fresh)
        names = _floating(fresh)
        target = [out[n] for n in names]
        prev = [theta_prev[n].to(out[n].device) for n in names]
        if target:
            torch._foreach_mul_(target, float(noise))
            torch._foreach_add_(target, prev, alpha=float(shrink))
        for name, value in theta_prev.items():
            if name not in names:
                out[name] = value.detach().clone()
        return out

    @staticmethod
    def _perturb(noise, theta_prev, seed):
        """θ = θ_prev + noise·rms(θ_prev)·ε per tensor, ε from a seeded device generator."""
        out = {name: t.detach().clone() for name, t in theta_prev.items()}
        names = [n for n in _floating(out) if out[n].numel()]
        by_device: dict[torch.device, list[str]] = {}
        for name in names:
            by_device.setdefault(out[name].device, []).append(name)
        for device, group in by_device.items():
            tensors = [out[n] for n in group]
            scales = torch._foreach_norm(tensors)
            torch._foreach_mul_(
                scales, [float(noise) / math.sqrt(t.numel()) for t in tensors]
            )
            generator = torch.Generator(device=device).manual_seed(int(seed))
            eps = [
                torch.randn(t.shape, generator=generator, dtype=t.dtype, device=device)
                for t in tensors
            ]
            torch._foreach_mul_(eps, scales)
            torch._foreach_add_(tensors, eps)
        return out

    # ---------------------------------------------------------------- partial reset
    def partial_reset(self, start, template, previous, theta_prev, fresh, X, y, seed):
        out = {name: t.detach().clone() for name, t in theta_prev.items()}
        patterns = start.patterns()
        matched = [n for n in out if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
        if patterns and not matched:
            raise ValueError(
                f"PartialReset(layers={start.layers!r}) matches no parameter of "
                f"{type(previous.module_).__name__}; its parameters are "
                f"{sorted(out)}."
            )
        for name in matched:
            out[name] = fresh[name].detach().clone()
        if start.dormant is not None:
            self._reset_dormant(previous, out, fresh, X, float(start.dormant))
        return out

    def _linear_pairs(self, module: torch.nn.Module) -> list[tuple[str, str]]:
        linears = [
            (name, m)
            for name, m in module.named_modules()
            if isinstance(m, torch.nn.Linear)
        ]
        return [
            (a_name, b_name)
            for (a_name, a), (b_name, b) in zip(linears, linears[1:])
            if b.in_features == a.out_features
        ]

    def _unit_activity(self, net: Any, pairs, X) -> dict[str, torch.Tensor]:
        """Mean |activation| of each hidden unit: the input of each pair's second layer."""
        module = copy.deepcopy(net.module_).eval()
        modules = dict(module.named_modules())
        sums: dict[str, torch.Tensor] = {}
        counts: dict[str, int] = {}

        def hook(name):
            def record(_, inputs):
                h = inputs[0].detach().abs()
                h = h.reshape(-1, h.shape[-1])
                sums[name] = h.sum(0) + sums[name] if name in sums else h.sum(0)
                counts[name] = counts.get(name, 0) + h.shape[0]

            return record

        handles = [modules[b].register_forward_pre_hook(hook(b)) for _, b in pairs]
        try:
            iterator = net.get_iterator(net.get_dataset(X), training=False)
            with torch.no_grad():
                for batch in iterator:
                    Xi, _ = unpack_data(batch)
                    x = to_tensor(Xi, device=net.device)
                    if isinstance(x, Mapping):
                        module(**x)
                    else:
                        module(x)
        finally:
            for handle in handles:
                handle.remove()
        return {name: sums[name] / counts[name] for name in sums}

    def _reset_dormant(self, previous, theta, fresh, X, tau):
        pairs = self._linear_pairs(previous.module_)
        if not pairs:
            raise UnsupportedStartError(
                "PartialReset(dormant=...) needs a stack of torch.nn.Linear layers "
                f"(each feeding the next); {type(previous.module_).__name__} has none. "
                "Use layers= patterns instead."
            )
        activity = self._unit_activity(previous, pairs, X)

        def key(module_name, param):
            return f"{module_name}.{param}" if module_name else param

        for a, b in pairs:
            if b not in activity:
                continue
            act = activity[b]
            dormant = act <= tau * act.mean()
            w_in = key(a, "weight")
            theta[w_in] = torch.where(dormant[:, None], fresh[w_in], theta[w_in])
            if key(a, "bias") in theta:
                bias = key(a, "bias")
                theta[bias] = torch.where(dormant, fresh[bias], theta[bias])
            w_out = key(b, "weight")
            theta[w_out] = theta[w_out].masked_fill(dormant[None, :], 0.0)

    # ---------------------------------------------------------------- training
    def fit_cold(self, template, X, y, fit_params, classes=None):
        net = template
        self._set_classes(net, classes)
        if not net.initialized_:
            self._initialize(net, None)  # inside the run's seeded RNG
        return self._train(net, X, y, fit_params, epochs=None)

    def fit_from(self, template, previous, theta, start, X, y, fit_params):
        net = template
        if not net.initialized_:
            self._initialize(net, None)
        if theta is not None:
            self._load(net, theta)
        if net.warm_start:
            self._carry_optimizer(previous, net)
        return self._train(net, X, y, fit_params, epochs=None)

    def start_stream(self, template, X, y, *, seed, classes, fit_params):
        theta0 = self.fresh_parameters(template, X, y, seed, None)
        self._set_classes(template, classes)
        return self._train(template, X, y, fit_params, epochs=1), theta0

    def partial_fit_from(
        self, template, previous, theta, start, X, y, classes, fit_params
    ):
        net = copy.deepcopy(previous)
        if theta is not None:
            self._load(net, theta)
        return self._train(net, X, y, fit_params, epochs=1)

    @staticmethod
    def _set_classes(net: Any, classes: np.ndarray | None) -> None:
        if classes is not None and getattr(net, "classes", "n/a") is None:
            net.set_params(classes=list(np.asarray(classes).tolist()))

    @staticmethod
    def _carry_optimizer(previous: Any, net: Any) -> None:
        """Continue ``previous``'s optimizer state (moments, steps) in ``net``.

        Only the per-parameter state is carried; the param groups (``lr``, …)
        stay those of the new run.
        """
        for name in net._optimizers:
            old = getattr(previous, name + "_", None)
            new = getattr(net, name + "_")
            if old is None or type(old) is not type(new):
                warnings.warn(
                    f"warm_start=True but the optimizer changed "
                    f"({type(old).__name__} -> {type(new).__name__}); the run starts "
                    "with a fresh optimizer state.",
                    UserWarning,
                    stacklevel=4,
                )
                continue
            old_state, new_state = old.state_dict(), new.state_dict()
            if [len(g["params"]) for g in old_state["param_groups"]] != [
                len(g["params"]) for g in new_state["param_groups"]
            ]:
                warnings.warn(
                    "warm_start=True but the optimizer's parameter groups changed; "
                    "the run starts with a fresh optimizer state.",
                    UserWarning,
                    stacklevel=4,
                )
                continue
            new_state["state"] = copy.deepcopy(old_state["state"])
            new.load_state_dict(new_state)

    def _use_device_data(self, net: Any) -> None:
        """Select the device-resident data path (explicitly chosen, or auto on CUDA)."""
        train_it, valid_it = net.iterator_train, net.iterator_valid
        if train_it is DataLoader:
            options = set(net.get_params_for("iterator_train")) | set(
                net.get_params_for("iterator_valid")
            )
            on_cuda = torch.device(net.device or "cpu").type == "cuda"
            if not (
                on_cuda and valid_it is DataLoader and options <= _DEVICE_LOADER_OPTIONS
            ):
                return
        elif train_it is not DeviceDataLoader:
            return
        params = {"iterator_train": DeviceDataLoader}
        if valid_it is DataLoader:
            params["iterator_valid"] = DeviceDataLoader
        for prefix in ("iterator_train", "iterator_valid"):
            if params.get(prefix, getattr(net, prefix)) is DeviceDataLoader:
                if "device" not in net.get_params_for(prefix):
                    params[f"{prefix}__device"] = net.device
        if any(getattr(net, k, None) is not v for k, v in params.items()):
            net.set_params(**params)

    @staticmethod
    def _ensure_stats_callback(net: Any) -> None:
        callbacks = net.callbacks_
        if any(name == STATS_CALLBACK for name, _ in callbacks):
            return
        names = [name for name, _ in callbacks]
        at = names.index("print_log") if "print_log" in names else len(callbacks)
        callbacks.insert(at, (STATS_CALLBACK, EpochGradNorm().initialize()))

    @staticmethod
    def _target(net: Any, y: Any) -> Any:
        if y is not None and is_regressor(net) and np.ndim(y) == 1:
            return np.asarray(y).reshape(-1, 1)
        return y

    def _train(self, net: Any, X: Any, y: Any, fit_params: Mapping[str, Any], epochs):
        self._ensure_stats_callback(net)
        net.partial_fit(X, self._target(net, y), epochs=epochs, **fit_params)
        self._compact_history(net)
        return net

    def _compact_history(self, net: Any) -> None:
        first = self._first_epoch(net)
        for row in net.history[:first]:
            if row.get("batches"):
                row["batches"] = []

    # ---------------------------------------------------------------- records
    @staticmethod
    def _first_epoch(model: Any) -> int:
        for name, callback in getattr(model, "callbacks_", ()):
            if name == STATS_CALLBACK:
                return int(callback.first_epoch_)
        return 0

    def _column(self, model: Any, key: str) -> tuple[float, ...]:
        rows = model.history[self._first_epoch(model) :]
        return tuple(float(row[key]) for row in rows if key in row)

    def n_iter(self, model):
        return len(model.history) - self._first_epoch(model)

    def loss_curve(self, model):
        return self._column(model, "train_loss")

    def valid_loss_curve(self, model):
        return self._column(model, "valid_loss")

    def grad_norms(self, model):
        return self._column(model, "grad_norm")

    # ---------------------------------------------------------------- checkpoints
    def state_payload(self, model: Any) -> Payload:
        """The fitted net as a checkpoint payload: state dicts and JSON, no pickle.

        ``tensors`` holds the state dicts of every module, criterion and
        optimizer skorch registered (``module_``, ``criterion_``,
        ``optimizer_`` and any others), as they are on the net's device (the
        store reads them back on the CPU with ``torch.load(weights_only=True)``).
        ``json`` holds the net's parameters that are plain values (``lr``,
        ``module__hidden``, ``classes`` as set for a stream, ...), its plain
        fitted attributes, its per-epoch history without per-batch entries
        and the first epoch of its last training call. ``arrays`` holds
        array attributes such as ``classes_inferred_``.

        Callback states (an LR scheduler's step count, early-stopping
        counters), non-persistent module buffers and the Python objects of a
        net's parameters (the module class, callbacks, ``train_split``) are
        not stored; the net given at load time provides them.

        Parameters
        ----------
        model : skorch.NeuralNet
            A fitted (initialised) net.

        Returns
        -------
        payload : Payload
            ``kind="skorch-net"``.
        """
        tensors = {
            group: {
                name: component.state_dict()
                for name, component in _stateful(model, list(names)).items()
            }
            for group, names in (
                ("modules", model._modules),
                ("criteria", model._criteria),
                ("optimizers", model._optimizers),
            )
        }
        params, from_net = {}, []
        for name, value in model.get_params(deep=False).items():
            if not _restorable(name):
                continue
            try:
                params[name] = _to_plain(value)
            except _NotPlain:
                from_net.append(name)
        attributes, array_attributes = plain_fitted_attributes(model)
        arrays, layout = {}, {}
        for name, value in array_attributes.items():
            arrays[name], was_object = plain_array(name, value)
            layout[name] = {"object": was_object}
        history, dropped = [], set()
        for row in model.history or ():
            kept = {}
            for key, value in row.items():
                if key == "batches":
                    kept[key] = []
                    continue
                try:
                    kept[key] = _to_plain(value)
                except _NotPlain:
                    dropped.add(key)
            history.append(kept)
        return Payload(
            kind="skorch-net",
            json={
                "format": PAYLOAD_FORMAT,
                "class": f"{type(model).__module__}.{type(model).__qualname__}",
                "device": str(model.device),
                "params": params,
                "params_from_net": sorted(from_net),
                "attributes": {k: _to_plain(v) for k, v in attributes.items()},
                "array_attributes": layout,
                "history": history,
                "history_dropped_keys": sorted(dropped),
                "first_epoch": self._first_epoch(model),
            },
            arrays=arrays,
            tensors=tensors,
        )

    def load_payload(self, payload: Payload, template: Any) -> Any:
        """Rebuild the net of a checkpoint from :meth:`state_payload` output.

        A clone of ``template`` gets the stored plain parameters (where the
        template's own value is a plain value too: classes and callables
        always come from ``template``, and placement, ``device`` and the
        device data path, from the template's ``device``), is initialised in
        an isolated, seeded RNG (torch's global generators are untouched),
        and receives the stored state dicts (moved to its device), fitted
        attributes and per-epoch history.

        Parameters
        ----------
        payload : Payload
            What :meth:`state_payload` wrote.
        template : skorch.NeuralNet
            The configured net (never modified); its class, module, criterion,
            optimizer, callbacks and device are used.

        Returns
        -------
        net : skorch.NeuralNet
            The checkpointed net, ready to predict or to continue training.

        Raises
        ------
        CheckpointError
            If the payload was not written by this adapter or its state dicts
            do not fit ``template``'s components.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np, torch
        >>> from skorch import NeuralNetClassifier
        >>> from sklearn_warmstart import WarmStartClassifier
        >>> X = np.random.default_rng(0).normal(size=(100, 4)).astype(np.float32)
        >>> y = (X[:, 0] > 0).astype(np.int64)
        >>> net = NeuralNetClassifier(torch.nn.Linear, module__in_features=4,
        ...     module__out_features=2, criterion=torch.nn.CrossEntropyLoss,
        ...     max_epochs=2, train_split=None, verbose=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     clf = WarmStartClassifier(net, checkpoint=tmp, random_state=0)
        ...     clf = clf.fit(X, y).fit(X, y)
        ...     files = {p.name for p in Path(tmp, "ckpt-000001").iterdir()}
        ...     resumed = WarmStartClassifier.resume(tmp, estimator=net)
        >>> "payload.pt" in files, "model.skops" in files
        (True, False)
        >>> bool((resumed.predict_proba(X) == clf.predict_proba(X)).all())
        True
        """
        from sklearn.base import clone

        if payload.kind != "skorch-net":
            raise CheckpointError(
                f"{type(self).__name__} cannot load a {payload.kind!r} payload; "
                "it was written for another model family."
            )
        doc = payload.json
        if doc.get("format") != PAYLOAD_FORMAT:
            raise CheckpointError(
                f"The skorch checkpoint payload has format {doc.get('format')!r}; "
                f"this version reads format {PAYLOAD_FORMAT}."
            )
        net = clone(template)
        current = net.get_params(deep=False)
        restore = {
            name: _from_plain(value)
            for name, value in doc.get("params", {}).items()
            if name in current and _restorable(name) and _is_plain(current[name])
        }
        if restore:
            net.set_params(**restore)
        self._initialize(net, 0)
        tensors = payload.tensors if isinstance(payload.tensors, dict) else {}
        what = f"The checkpoint of {doc.get('class')}"
        for group, names in (
            ("modules", net._modules),
            ("criteria", net._criteria),
            ("optimizers", net._optimizers),
        ):
            stored = tensors.get(group)
            stored = stored if isinstance(stored, dict) else {}
            components = _stateful(net, list(names))
            if set(stored) - set(components):
                raise CheckpointError(
                    f"{what} holds {group} {sorted(stored)} but the given "
                    f"{type(template).__name__} has {sorted(components)}. Pass the "
                    "net configured as when the checkpoint was written."
                )
            lacking = sorted(set(components) - set(stored))
            if lacking:
                raise CheckpointError(
                    f"{what} lacks the state of {group} {lacking}, which every "
                    "checkpoint of this adapter holds; the payload is incomplete "
                    "(tampered with or truncated) and was refused."
                )
            for name, state in stored.items():
                try:
                    components[name].load_state_dict(state)
                except (KeyError, RuntimeError, ValueError, TypeError) as exc:
                    raise CheckpointError(
                        f"{what}: the stored state of {name}_ does not fit the given "
                        f"{type(template).__name__} ({exc}). Pass the net "
                        "configured as when the checkpoint was written (same "
                        "module class and module__* parameters)."
                    ) from exc
        attributes = {k: _from_plain(v) for k, v in doc.get("attributes", {}).items()}
        for name, info in doc.get("array_attributes", {}).items():
            value = payload.arrays[name]
            attributes[name] = value.astype(object) if info["object"] else value
        for name, value in attributes.items():
            # Only plain fitted attributes, never a component or a private name.
            current = vars(net).get(name)
            if not (
                name.endswith("_")
                and not name.startswith("_")
                and (current is None or _is_plain(current))
            ):
                raise CheckpointError(
                    f"{what} would set {name!r} on the net, which is not a plain "
                    "fitted attribute; the payload was not written by this "
                    "library and was refused."
                )
            setattr(net, name, value)
        net.history = NetHistory(_from_plain(doc.get("history", [])))
        self._ensure_stats_callback(net)
        for name, callback in net.callbacks_:
            if name == STATS_CALLBACK:
                callback.first_epoch_ = int(doc.get("first_epoch", 0))
        return net
