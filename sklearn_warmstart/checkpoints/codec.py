"""The checkpoint codec: an estimator's checkpoint content <-> a store's files.

A meta-estimator hands :class:`CheckpointContent` (its model, history, trigger
states, seed root, streaming buffer, parameters) to
:meth:`CheckpointStore.save`; the model goes through its adapter's payload
hooks (``state_payload`` / ``load_payload``, skops by default) and the rest
through safe formats:

    ckpt-000007/
      manifest.json    lineage + file hashes (written by the store)
      state.json       history, run count, seed, feature count, trigger flags
      arrays.npz       classes, feature names, streaming buffer
      estimator.skops  the meta-estimator's parameters and trigger states
      model.skops      scikit-learn models (or payload.json/.npz/.pt)

River drift detectors cannot be serialised without pickle; their states are
not stored and restart fresh on resume (with a warning). States skops can
store safely (counters, plain numbers) are restored.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._serial import (
    _ALLOWED_ROOTS,
    CheckpointError,
    Payload,
    pack,
    payload_files,
    payload_from_files,
    skops_dumps,
    skops_loads,
    to_json,
    unpack,
)
from ..adapters import Adapter, adapter_for
from ..records import History, HistorySummary, RunRecord
from .store import _ID, _LINEAGE, _MARKER, FORMAT, FileStore, fingerprint

__all__ = [
    "Checkpoint",
    "CheckpointContent",
    "CheckpointStore",
    "as_store",
    "load_model",
    "torch_load_payload",
]


@dataclass(frozen=True)
class CheckpointContent:
    """What a meta-estimator hands the store to checkpoint its last committed run.

    The meta-estimators build it (``resume`` rebuilds their state from the
    loaded :class:`Checkpoint`); the codec never reads an estimator.

    Attributes
    ----------
    model : estimator
        The committed run's model.
    adapter : Adapter
        The model family's adapter; its ``state_payload`` stores the model.
    history : History
        The run records up to and including the committed run.
    policy_states : tuple
        One state per trigger of ``reset``.
    triggers : tuple of str
        The triggers' reprs, for the manifest.
    base_seed, n_features, n_seen : int
        Run-seed root, features per row and rows seen so far.
    feature_names, classes : ndarray or None
        As in ``feature_names_in_`` and ``classes_``.
    buffer_X, buffer_y : array or None
        The streaming buffer's rows.
    buffer_size : int
        The buffer's capacity.
    estimator_class : str
        Name of the meta-estimator class.
    params : dict
        The meta-estimator's ``get_params(deep=False)``.
    init : str or None
        What the first run started from, for the manifest.
    """

    model: Any
    adapter: Adapter
    history: History
    policy_states: tuple[Any, ...]
    triggers: tuple[str, ...]
    base_seed: int
    n_features: int
    n_seen: int
    feature_names: np.ndarray | None
    classes: np.ndarray | None
    buffer_X: Any
    buffer_y: Any
    buffer_size: int
    estimator_class: str
    params: dict[str, Any]
    init: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """A loaded, verified checkpoint: everything needed to continue.

    Attributes
    ----------
    id : str
        Checkpoint id, e.g. ``"ckpt-000007"``.
    manifest : dict
        The checkpoint's manifest (lineage, hashes, versions).
    model : estimator
        The model of the checkpointed run.
    history : History
        The run records up to and including the checkpointed run.
    estimator_class : str
        Name of the meta-estimator class that wrote it.
    params : dict
        The meta-estimator parameters that could be stored safely.
    missing_params : tuple of str
        Parameters that could not be stored safely (pass them to ``resume``).
    policy_states : tuple
        Trigger states; entries whose flag in ``policy_states_stored`` is False
        could not be stored and are None.
    policy_states_stored : tuple of bool
        Whether each trigger state was stored.
    base_seed, n_features, n_seen : int
        Run-seed root, features per row and rows seen so far.
    feature_names, classes : ndarray or None
        As in ``feature_names_in_`` and ``classes_``.
    buffer_X, buffer_y : array or None
        The streaming buffer's rows.
    buffer_size : int
        The buffer's capacity when written.
    """

    id: str
    manifest: dict[str, Any]
    model: Any
    history: History
    estimator_class: str
    params: dict[str, Any]
    missing_params: tuple[str, ...]
    policy_states: tuple[Any, ...]
    policy_states_stored: tuple[bool, ...]
    base_seed: int
    n_features: int
    n_seen: int
    feature_names: np.ndarray | None
    classes: np.ndarray | None
    buffer_X: Any
    buffer_y: Any
    buffer_size: int


@cache
def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _versions(torch_used: bool) -> dict[str, str | None]:
    package = sys.modules.get(__package__)
    out = {
        "python": platform.python_version(),
        "sklearn_warmstart": getattr(package, "__version__", None),
    }
    for dist in ("scikit-learn", "numpy", "scipy", "skops"):
        out[dist] = _dist_version(dist)
    if torch_used or "torch" in sys.modules:
        out["torch"] = _dist_version("torch")
    if "skorch" in sys.modules:
        out["skorch"] = _dist_version("skorch")
    return out


def _content_of(estimator: Any) -> CheckpointContent:
    """The checkpoint content a fitted meta-estimator hands over."""
    if isinstance(estimator, CheckpointContent):
        return estimator
    make = getattr(estimator, "_checkpoint_content", None)
    content = make() if callable(make) else None
    if content is None:
        raise ValueError(
            f"{type(estimator).__name__} is not fitted; only fitted "
            "meta-estimators can be checkpointed."
        )
    return content


def as_store(checkpoint: Any, *, read_settings: bool = False) -> CheckpointStore:
    """``checkpoint`` as a :class:`CheckpointStore`.

    A path opens the store there with the retention settings stored in it
    (``keep_last``/``keep_every`` of the store's last writer; none for a new
    store), applied at its next write, or at once with ``read_settings``.
    A :class:`CheckpointStore` is used as given.
    """
    if isinstance(checkpoint, CheckpointStore):
        return checkpoint
    if isinstance(checkpoint, str) or hasattr(checkpoint, "__fspath__"):
        store = CheckpointStore(checkpoint)
        store._stored_settings = True
        if read_settings:
            store._adopt_settings()
        return store
    raise TypeError(
        f"checkpoint must be None, a path or a CheckpointStore, got "
        f"{type(checkpoint).__name__}."
    )


class CheckpointStore(FileStore):
    """A directory of atomic, verified checkpoints with a lineage log.

    Give it to a meta-estimator as ``checkpoint=store`` (or give the path):
    every committed run then writes one checkpoint. Writers in several
    processes are serialised by a lock file; a writer killed at any point
    leaves the store loadable at its last complete checkpoint.

    Parameters
    ----------
    path : str or path-like
        The store's directory (created on the first write). An existing
        folder must be empty or a checkpoint store.
    keep_last : int or None, default=None
        Keep the newest ``keep_last`` checkpoints and prune older ones
        (their lineage entries stay, marked ``"pruned"``). None keeps all.
    keep_every : int or None, default=None
        With ``keep_last``, also keep every checkpoint whose run index is a
        multiple of ``keep_every``.
    trusted : sequence of str, default=()
        Extra fully qualified type names the loader may build (your own
        estimator classes). Everything else outside scikit-learn, numpy, scipy
        and sklearn_warmstart is refused.
    timeout : float, default=60.0
        Seconds to wait for the lock before raising :class:`CheckpointError`.

    See Also
    --------
    load_model : The model of a store's newest verified checkpoint.

    Notes
    -----
    ``lineage.json`` is rewritten (atomically) at every checkpoint, so a store
    of many thousands of runs pays a few milliseconds per run for it. It also
    records ``keep_last`` and ``keep_every``: a store opened by path (for
    example ``resume(path)``) prunes as its last writer did.

    The store writes only into a new or empty folder or into a store (marked
    by ``sklearn_warmstart_store.json``), and deletes only what it wrote. Ids
    and file names read from disk are validated; a lost ``lineage.json`` is
    rebuilt from the checkpoints' manifests. ``load`` and ``resume`` use the
    newest checkpoint of the store, so one lineage per store is the clear
    layout: a clone of a meta-estimator (``GridSearchCV``, ``cross_validate``)
    refuses to write into its original's store.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import WarmStartClassifier
    >>> from sklearn_warmstart.checkpoints import CheckpointStore
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = CheckpointStore(tmp, keep_last=2)
    ...     clf = WarmStartClassifier(SGDClassifier(), checkpoint=store,
    ...                               random_state=0)
    ...     for _ in range(3):
    ...         clf = clf.fit(X, y)
    ...     log = store.log()
    ...     problems = store.verify()
    ...     resumed = WarmStartClassifier.resume(store)
    >>> [r.checkpoint for r in clf.history_]
    ['ckpt-000000', 'ckpt-000001', 'ckpt-000002']
    >>> log["status"].tolist()
    ['pruned', 'kept', 'kept']
    >>> problems, resumed.n_runs_
    ([], 3)
    """

    # ------------------------------------------------------------------ writing
    def save(self, estimator: Any, X: Any = None, y: Any = None) -> str:
        """Write a checkpoint of a fitted meta-estimator's last run.

        The meta-estimators call this after every committed run when given
        ``checkpoint=``. The estimator is not modified.

        Parameters
        ----------
        estimator : WarmStartClassifier, WarmStartRegressor or CheckpointContent
            A fitted meta-estimator (or the content it hands over).
        X, y : array-like, default=None
            The last run's data, for the manifest's fingerprint.

        Returns
        -------
        checkpoint_id : str
            Id of the new checkpoint.

        Raises
        ------
        CheckpointError
            If anything could not be written; the store is then unchanged.
        """
        content = _content_of(estimator)
        try:
            files, meta, state_doc = self._encode(content, X, y)
        except CheckpointError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CheckpointError(
                f"Could not serialise {content.estimator_class} for a checkpoint "
                f"({type(exc).__name__}: {exc}). The store is unchanged."
            ) from exc

        def named(checkpoint_id: str) -> dict[str, bytes]:
            records = [r.to_dict() for r in content.history]
            records[-1]["checkpoint"] = checkpoint_id
            summary = dataclasses.asdict(content.history.summary)
            doc = {**state_doc, "history": records, "history_summary": summary}
            return {"state.json": to_json(doc)}

        return self.write(files, meta, named)

    def _encode(
        self, content: CheckpointContent, X: Any, y: Any
    ) -> tuple[dict[str, bytes], dict[str, Any], dict[str, Any]]:
        """Everything but the id-dependent files, built before taking the lock."""
        model, adapter = content.model, content.adapter
        payload = adapter.state_payload(model)
        files = payload_files(payload, self.trusted)
        hook = (
            "skops" if payload.kind == "skops" else f"adapter:{type(adapter).__name__}"
        )
        files["arrays.npz"], layout = pack(
            {
                "classes": content.classes,
                "feature_names": content.feature_names,
                "buffer_X": content.buffer_X,
                "buffer_y": content.buffer_y,
            }
        )
        files["estimator.skops"], missing, stored = self._encode_config(
            content.params, content.policy_states
        )
        history = content.history
        record: RunRecord = history[-1]
        parent = next(
            (r.checkpoint for r in reversed(history[:-1]) if r.checkpoint),
            history.summary.last_checkpoint,
        )
        data_info = None
        if X is not None:
            data_info = fingerprint(X, y)
            data_info["n_rows"] = int(X.shape[0] if hasattr(X, "shape") else len(X))
        meta = {
            "estimator": content.estimator_class,
            "model": f"{type(model).__module__}.{type(model).__qualname__}",
            "run": record.run,
            "n_runs": history.n_runs,
            "parent": parent,
            "init": content.init,
            "method": record.method,
            "start": record.start,
            "reason": record.reason,
            "trigger": record.trigger,
            "drift_events": [dataclasses.asdict(e) for e in record.drift_events],
            "n_samples": record.n_samples,
            "sample_start": record.sample_start,
            "data": data_info,
            "payload": hook,
            "triggers": [
                {"trigger": t, "state_stored": s}
                for t, s in zip(content.triggers, stored)
            ],
            "missing_params": missing,
            "params": {k: repr(v)[:300] for k, v in content.params.items()},
            "versions": _versions(payload.tensors is not None),
            "host": platform.node(),
        }
        state_doc = {
            "format": FORMAT,
            "estimator_class": content.estimator_class,
            "base_seed": content.base_seed,
            "n_features": content.n_features,
            "n_seen": content.n_seen,
            "buffer_size": content.buffer_size,
            "layout": layout,
            "missing_params": missing,
            "policy_states_stored": stored,
        }
        return files, meta, state_doc

    def _encode_config(
        self, params: Mapping[str, Any], policy_states: Sequence[Any]
    ) -> tuple[bytes, list[str], list[bool]]:
        """The meta-estimator's parameters and trigger states as one skops file.

        Items that skops cannot store within the trust policy are left out:
        their names (parameters) or flags (trigger states) are returned.
        """
        what = "The estimator configuration"
        params = {k: v for k, v in params.items() if k not in ("checkpoint", "init")}
        # Values of foreign classes (a skorch net, a river detector) are not
        # even tried: skops would pickle some of them just to refuse them.
        foreign = [k for k, v in params.items() if self._foreign(v)]
        params = {k: v for k, v in params.items() if k not in foreign}
        stored = [not self._foreign(v) for v in policy_states]
        states = [v if ok else None for v, ok in zip(policy_states, stored)]
        try:
            data = skops_dumps(
                {"params": params, "policy_states": states}, what, self.trusted
            )
            return data, foreign, stored
        except CheckpointError:
            pass  # find the items that cannot be stored, one by one

        def storable(value: Any, label: str) -> bool:
            try:
                skops_dumps(value, label, self.trusted)
            except CheckpointError:
                return False
            return True

        missing = [k for k, v in params.items() if not storable(v, f"parameter {k}")]
        stored = [
            ok and storable(v, "a trigger state") for v, ok in zip(states, stored)
        ]
        params = {k: v for k, v in params.items() if k not in missing}
        states = [v if ok else None for v, ok in zip(states, stored)]
        data = skops_dumps(
            {"params": params, "policy_states": states}, what, self.trusted
        )
        return data, foreign + missing, stored

    def _foreign(self, value: Any) -> bool:
        """Whether ``value`` or a direct item of it has a class outside the trust list."""
        if isinstance(value, dict):
            items = [value, *value.values()]
        elif isinstance(value, list | tuple):
            items = [value, *value]
        else:
            items = [value]
        for item in items:
            cls = type(item)
            root = str(cls.__module__).split(".")[0]
            name = f"{cls.__module__}.{cls.__qualname__}"
            if root not in _ALLOWED_ROOTS | {"builtins"} and name not in self.trusted:
                return True
        return False

    # ------------------------------------------------------------------ reading
    def load(self, checkpoint_id: str | None = None, *, template: Any = None):
        """Load the newest verified checkpoint (or the one named).

        A checkpoint whose files do not match their recorded sha256 is skipped
        with a :class:`CorruptCheckpointWarning` naming it, and the previous
        one is tried.

        Parameters
        ----------
        checkpoint_id : str, default=None
            Load exactly this checkpoint (no fallback).
        template : estimator, default=None
            The configured model, needed for torch payloads when the stored
            configuration does not hold it.

        Returns
        -------
        checkpoint : Checkpoint
            The loaded checkpoint.

        Raises
        ------
        CheckpointError
            If no verified checkpoint is left (or the named one fails).
        UnsafeCheckpointError
            If a verified checkpoint holds content the loader does not trust.
        """
        return self.read(
            checkpoint_id, lambda entry, blobs: self._decode(entry, blobs, template)
        )

    def load_model(self, checkpoint_id: str | None = None, *, template: Any = None):
        """The model of the newest verified checkpoint (or of the one named).

        Parameters
        ----------
        checkpoint_id : str, default=None
            Load exactly this checkpoint.
        template : estimator, default=None
            The configured model, for torch payloads.

        Returns
        -------
        model : estimator
            The checkpointed run's model.
        """
        return self.load(checkpoint_id, template=template).model

    def _decode(
        self, entry: Mapping[str, Any], blobs: Mapping[str, bytes], template: Any
    ) -> Checkpoint:
        what = f"Checkpoint {entry['id']} in {self.path}"
        try:
            state_doc = json.loads(blobs["state.json"])
            config = skops_loads(
                blobs["estimator.skops"], f"{what} (estimator.skops)", self.trusted
            )
            params = dict(config["params"])
            template = template if template is not None else params.get("estimator")
            payload = payload_from_files(blobs, what, self.trusted)
            model = _model_from(payload, entry["payload"], template, what)
            arrays = unpack(blobs["arrays.npz"], state_doc["layout"])
        except CheckpointError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CheckpointError(
                f"{what} passed verification but could not be decoded "
                f"({type(exc).__name__}: {exc})."
            ) from exc
        history = History(
            [RunRecord.from_dict(r) for r in state_doc["history"]],
            HistorySummary(**state_doc.get("history_summary", {})),
        )
        return Checkpoint(
            id=entry["id"],
            manifest=dict(entry),
            model=model,
            history=history,
            estimator_class=state_doc["estimator_class"],
            params=params,
            missing_params=tuple(state_doc["missing_params"]),
            policy_states=tuple(config["policy_states"]),
            policy_states_stored=tuple(state_doc["policy_states_stored"]),
            base_seed=int(state_doc["base_seed"]),
            n_features=int(state_doc["n_features"]),
            n_seen=int(state_doc["n_seen"]),
            feature_names=arrays["feature_names"],
            classes=arrays["classes"],
            buffer_X=arrays["buffer_X"],
            buffer_y=arrays["buffer_y"],
            buffer_size=int(state_doc["buffer_size"]),
        )


def _model_from(payload: Payload, hook: str, template: Any, what: str) -> Any:
    """The fitted model of a decoded payload, rebuilt by the template's adapter."""
    if payload.kind == "torch-net":  # written before adapters owned their payloads
        model = torch_load_payload(payload, template)
    elif template is None:
        if payload.kind != "skops":
            raise CheckpointError(
                f"{what} holds a {hook} payload (safe formats, not a "
                "pickled model); restoring it needs the configured "
                "estimator. Pass it: resume(path, estimator=...) or "
                "load_model(path, template=...)."
            )
        model = payload.skops
    else:
        model = adapter_for(template).load_payload(payload, template)
    try:
        check_is_fitted(model)
    except (NotFittedError, TypeError) as exc:
        raise CheckpointError(
            f"{what} holds a {type(model).__name__} that is not fitted; every "
            "checkpoint is written from a fitted model, so the file was tampered "
            "with and was refused."
        ) from exc
    return model


def torch_load_payload(payload: Payload, template: Any) -> Any:
    """Rebuild a torch net from a ``"torch-net"`` payload of an older store.

    Stores written before adapters owned their payloads saved a skorch-like
    net's ``module_`` and ``optimizer_`` state dicts this way; nets are now
    written by :meth:`~sklearn_warmstart.adapters.skorch.SkorchAdapter.state_payload`.

    Parameters
    ----------
    payload : Payload
        The stored state.
    template : object
        The configured (unfitted) net; it is cloned, never modified.

    Returns
    -------
    net : object
        A freshly initialised clone with the stored weights, optimizer state
        and plain fitted attributes.
    """
    from sklearn.base import clone

    if template is None:
        raise CheckpointError(
            "This checkpoint holds a torch state dict; restoring it needs the "
            "configured net. Pass it: resume(path, estimator=net) or "
            "load_model(path, template=net)."
        )
    net = clone(template)
    net.initialize()
    tensors = payload.tensors or {}
    try:
        net.module_.load_state_dict(tensors["module"])
        if "optimizer" in tensors and getattr(net, "optimizer_", None) is not None:
            net.optimizer_.load_state_dict(tensors["optimizer"])
    except (KeyError, RuntimeError, ValueError) as exc:
        raise CheckpointError(
            f"The checkpoint's state dict does not fit the given net "
            f"{type(template).__name__} ({exc}). Pass the net configured as "
            "when the checkpoint was written."
        ) from exc
    for name, value in payload.json.get("attributes", {}).items():
        setattr(net, name, value)
    layout = payload.json.get("array_layout", {})
    for name in payload.json.get("array_attributes", []):
        value = payload.arrays[name]
        if layout.get(name, {}).get("object"):
            value = value.astype(object)
        setattr(net, name, value)
    return net


def load_model(path: str | os.PathLike, template: Any = None) -> Any:
    """The model of the newest verified checkpoint in a store.

    ``path`` is a store directory, or a checkpoint directory inside one
    (``store/ckpt-000007``) to load exactly that checkpoint. The
    meta-estimators call this for ``init=path``.

    Parameters
    ----------
    path : str or path-like
        Store or checkpoint directory.
    template : estimator, default=None
        The configured model, needed for torch payloads.

    Returns
    -------
    model : estimator
        The checkpointed model.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import WarmStartClassifier
    >>> from sklearn_warmstart.checkpoints import load_model
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     clf = WarmStartClassifier(SGDClassifier(), checkpoint=tmp,
    ...                               random_state=0).fit(X, y)
    ...     model = load_model(tmp)
    ...     child = WarmStartClassifier(SGDClassifier(), init=tmp).fit(X, y)
    >>> (model.coef_ == clf.estimator_.coef_).all()
    np.True_
    >>> child.history_[0].start
    'warm'
    """
    path = Path(path)

    def is_store(folder: Path) -> bool:
        return (folder / _LINEAGE).exists() or (folder / _MARKER).exists()

    if is_store(path):
        return CheckpointStore(path).load_model(template=template)
    if _ID.fullmatch(path.name) and is_store(path.parent):
        return CheckpointStore(path.parent).load_model(path.name, template=template)
    raise CheckpointError(
        f"{path} is neither a checkpoint store (no {_LINEAGE}) nor a checkpoint "
        "directory inside one."
    )


def resume_estimator(cls: type, path: Any, params: dict[str, Any]) -> Any:
    """Rebuild a meta-estimator of class ``cls`` from a store (see ``resume``)."""
    return cls.resume(path, **params)
