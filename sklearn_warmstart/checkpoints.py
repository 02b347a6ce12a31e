"""A safe, atomic, versioned checkpoint store with lineage.

Every committed run of a meta-estimator with ``checkpoint=`` writes one
checkpoint: a directory ``ckpt-NNNNNN`` holding the model, the run history and
everything else needed to continue, plus a ``manifest.json`` with the run's
lineage (run index, parent checkpoint, start decision, drift events, data
fingerprint, library versions, UTC time) and the sha256 of every file.

On disk::

    store/
      .lock              serialises writers (and readers) across processes
      lineage.json       one entry per checkpoint ever written, pruned ones too
      ckpt-000007/
        manifest.json    lineage + file hashes (a copy of its lineage entry)
        state.json       history, run count, seed, feature count, trigger flags
        arrays.npz       classes, feature names, streaming buffer
        estimator.skops  the meta-estimator's parameters and trigger states
        model.skops      scikit-learn models (or payload.json/.npz/.pt)

Writing is crash-safe: files go to a staging directory (each fsynced), which
is renamed into place, then ``lineage.json`` is replaced atomically (temp file
in the same directory, fsync, ``os.replace``, directory fsync). The lineage
replace is the commit point: a writer killed at any moment leaves either the
old or the new lineage, and directories the lineage does not list are removed
by the next writer.

Loading never unpickles arbitrary objects. scikit-learn models go through
skops with an explicit trust policy: besides skops' own defaults, only classes
defined in scikit-learn, numpy, scipy or this package (and type names the user
lists in ``trusted=``) are accepted, and only through skops' attribute-setting
loaders (never a loader that calls a constructor or a function with arguments
from the file). Arrays use ``.npz`` with ``allow_pickle=False``; torch state
dicts use ``torch.load(weights_only=True)``; everything else is JSON. Loaded
decision trees are bounds-checked before they are returned.

River drift detectors cannot be serialised without pickle; their states are
not stored and restart fresh on resume (with a warning). States skops can
store safely (counters, plain numbers) are restored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import importlib
import importlib.metadata
import io
import json
import os
import platform
import shutil
import sys
import uuid
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from .history import History, RunRecord

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "CheckpointStore",
    "CorruptCheckpointWarning",
    "FileProblem",
    "Payload",
    "UnsafeCheckpointError",
    "fingerprint",
    "load_model",
    "torch_load_payload",
    "torch_state_payload",
]

FORMAT = 1
_LINEAGE = "lineage.json"
_LOCK = ".lock"
_MANIFEST = "manifest.json"
_PREFIX = "ckpt-"
_STAGING = ".staging-"
_ALLOWED_ROOTS = frozenset({"sklearn", "numpy", "scipy", "sklearn_warmstart"})
# skops loaders that only create an instance and set attributes. Others call
# a constructor or function with arguments read from the file.
_SAFE_LOADERS = frozenset({"ObjectNode", "TreeNode", "TypeNode"})


class CheckpointError(OSError):
    """A checkpoint could not be written or no verified checkpoint could be read."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint holds content the loader refuses to build (untrusted types)."""


class CorruptCheckpointWarning(UserWarning):
    """A checkpoint failed verification; an older one was loaded instead."""


@dataclass(frozen=True)
class FileProblem:
    """One file of a checkpoint that does not match its recorded hash.

    Attributes
    ----------
    checkpoint : str
        Id of the checkpoint.
    file : str
        File name inside the checkpoint directory ("" for the directory).
    problem : str
        ``"missing"``, ``"size mismatch"``, ``"hash mismatch"`` or
        ``"unexpected file"``.
    expected, actual : str or None
        Recorded and found sha256 (or sizes for a size mismatch).
    """

    checkpoint: str
    file: str
    problem: str
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        where = f"{self.checkpoint}/{self.file}" if self.file else self.checkpoint
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Payload:
    """A model's state in safe formats, for families skops cannot store.

    An adapter provides ``state_payload(model) -> Payload`` and
    ``load_payload(payload, template) -> model``; the store writes ``json`` as
    JSON, ``arrays`` as ``.npz`` (``allow_pickle=False``) and ``tensors``
    (nested dicts/lists of torch tensors and plain numbers, e.g. state dicts)
    with ``torch.save``, read back with ``torch.load(weights_only=True)``.

    Attributes
    ----------
    kind : str
        A label recorded in the manifest, e.g. ``"torch-net"``.
    json : dict
        JSON-serialisable configuration and small values.
    arrays : dict of str to ndarray
        Numeric or string arrays.
    tensors : dict or None
        torch state (imported only when present).
    """

    kind: str
    json: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    tensors: dict[str, Any] | None = None


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


# ----------------------------------------------------------------------------- disk


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` (must not exist), write ``data`` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file.

    Writes a temporary file in the same directory, fsyncs it, renames it over
    ``path`` with :func:`os.replace` and fsyncs the directory.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex}")
    try:
        _write_new_file(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- data


def _hash_array(h: Any, a: Any) -> None:
    if a is None:
        h.update(b"none")
        return
    if sp.issparse(a):
        a = a.tocsr()
        h.update(f"csr{a.shape}{a.dtype.str}".encode())
        for part in (a.data, a.indices, a.indptr):
            h.update(np.ascontiguousarray(part))
        return
    a = np.asarray(a)
    h.update(f"dense{a.shape}{a.dtype.str}".encode())
    if a.dtype == object:
        h.update(repr(a.tolist()).encode())
    else:
        h.update(np.ascontiguousarray(a).view(np.uint8))


def fingerprint(X: Any, y: Any = None) -> dict[str, str]:
    """sha256 of a run's training data: of ``X``, of ``y`` and of both.

    The hash covers shape, dtype and content (sparse matrices as CSR), so two
    runs on equal data have equal fingerprints.

    Parameters
    ----------
    X : array-like or sparse matrix
        The run's rows.
    y : array-like, default=None
        The run's targets.

    Returns
    -------
    fingerprint : dict
        ``{"X": hex, "y": hex, "sha256": hex}``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.checkpoints import fingerprint
    >>> a = fingerprint(np.zeros((2, 2)), np.array([0, 1]))
    >>> a == fingerprint(np.zeros((2, 2)), np.array([0, 1]))
    True
    >>> a["sha256"] == fingerprint(np.ones((2, 2)), np.array([0, 1]))["sha256"]
    False
    """
    hx, hy = hashlib.sha256(), hashlib.sha256()
    _hash_array(hx, X)
    _hash_array(hy, y)
    out = {"X": hx.hexdigest(), "y": hy.hexdigest()}
    out["sha256"] = _sha256(f"{out['X']}:{out['y']}".encode())
    return out


def _plain_array(name: str, a: Any) -> tuple[np.ndarray, bool]:
    """An array ``np.save`` can write without pickle; flag if it was object."""
    a = np.asarray(a)
    if a.dtype != object:
        return a, False
    plain = np.asarray(a.tolist())
    if (
        plain.dtype.kind not in "biufcUS"
        or plain.shape != a.shape
        or plain.astype(object).tolist() != a.tolist()
    ):
        raise CheckpointError(
            f"{name} holds Python objects of mixed or unsupported types "
            f"({sorted({type(v).__name__ for v in a.ravel()[:100]})}), which "
            "cannot be stored without pickle. Use numeric or string values."
        )
    return plain, True


def _pack(arrays: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Write arrays (dense, sparse or None) to ``.npz`` bytes plus a layout."""
    out: dict[str, np.ndarray] = {}
    layout: dict[str, Any] = {}
    for name, value in arrays.items():
        if value is None:
            layout[name] = {"kind": "none"}
        elif sp.issparse(value):
            csr = value.tocsr()
            data, was_object = _plain_array(name, csr.data)
            out[f"{name}.data"] = data
            out[f"{name}.indices"] = csr.indices
            out[f"{name}.indptr"] = csr.indptr
            out[f"{name}.shape"] = np.asarray(csr.shape, dtype=np.int64)
            layout[name] = {"kind": "csr", "object": was_object}
        else:
            out[name], was_object = _plain_array(name, value)
            layout[name] = {"kind": "dense", "object": was_object}
    buffer = io.BytesIO()
    np.savez(buffer, **out)
    return buffer.getvalue(), layout


def _unpack(data: bytes, layout: Mapping[str, Any]) -> dict[str, Any]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        out: dict[str, Any] = {}
        for name, info in layout.items():
            if info["kind"] == "none":
                out[name] = None
            elif info["kind"] == "csr":
                values = npz[f"{name}.data"]
                if info["object"]:
                    values = values.astype(object)
                out[name] = sp.csr_matrix(
                    (values, npz[f"{name}.indices"], npz[f"{name}.indptr"]),
                    shape=tuple(int(s) for s in npz[f"{name}.shape"]),
                )
            else:
                value = npz[name]
                out[name] = value.astype(object) if info["object"] else value
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _to_json(obj: Any) -> bytes:
    return json.dumps(obj, default=_json_default, sort_keys=True).encode()


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="microseconds"
    )


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


# ----------------------------------------------------------------------------- trust


def _skops() -> Any:
    import skops.io

    return skops.io


def _is_trusted_class(name: str) -> bool:
    """Whether ``name`` is a class defined in scikit-learn, numpy, scipy or here."""
    module, _, attr = name.rpartition(".")
    parts = module.split(".")
    if parts[0] not in _ALLOWED_ROOTS or any(
        p == "tests" or p.startswith("test_") or p == "conftest" for p in parts
    ):
        return False
    try:
        obj = getattr(importlib.import_module(module), attr)
    except Exception:  # noqa: BLE001 - an unknown name is simply not trusted
        return False
    return isinstance(obj, type) and str(obj.__module__).split(".")[0] in _ALLOWED_ROOTS


def _schema_loaders(data: bytes) -> dict[str, set[str]]:
    """Loader names used for each type in a skops file's schema."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        schema = json.loads(zf.read("schema.json"))
    found: dict[str, set[str]] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__loader__" in node:
                name = f"{node.get('__module__')}.{node.get('__class__')}"
                found.setdefault(name, set()).add(str(node["__loader__"]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _vet_skops(data: bytes, what: str, extra: Sequence[str]) -> list[str]:
    """Check a skops file against the trust policy; return the types to trust.

    Raises :class:`UnsafeCheckpointError` naming every refused type.
    """
    sio = _skops()
    try:
        names = sio.get_untrusted_types(data=data)
        loaders = _schema_loaders(data)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is refused
        raise UnsafeCheckpointError(
            f"{what} is not a valid skops file ({type(exc).__name__}: {exc}); "
            "it was not loaded. Checkpoints never unpickle: a pickle or other "
            "foreign file in a store is refused."
        ) from exc
    refused = []
    for name in names:
        if name in extra:
            continue
        if not _is_trusted_class(name):
            refused.append(name)
            continue
        unsafe = loaders.get(name, set()) - _SAFE_LOADERS
        if unsafe:
            refused.append(f"{name} (via {', '.join(sorted(unsafe))})")
    if refused:
        raise UnsafeCheckpointError(
            f"{what} contains types the checkpoint loader does not trust: "
            f"{refused}. Only classes from scikit-learn, numpy, scipy and "
            "sklearn_warmstart are trusted (built by setting attributes, never "
            "by calling code named in the file). If these are your own safe "
            "classes, list their exact names in CheckpointStore(trusted=[...])."
        )
    return list(names)


def _skops_dumps(obj: Any, what: str, extra: Sequence[str]) -> bytes:
    try:
        data = _skops().dumps(obj)
    except Exception as exc:  # noqa: BLE001
        raise CheckpointError(
            f"{what} cannot be stored safely by skops ({type(exc).__name__}: {exc})."
        ) from exc
    _vet_skops(data, what, extra)
    return data


def _skops_loads(data: bytes, what: str, extra: Sequence[str]) -> Any:
    trusted = _vet_skops(data, what, extra)
    try:
        obj = _skops().loads(data, trusted=trusted)
    except Exception as exc:  # noqa: BLE001
        raise UnsafeCheckpointError(
            f"{what} could not be loaded safely ({type(exc).__name__}: {exc})."
        ) from exc
    _check_trees(obj, what)
    return obj


def _iter_objects(obj: Any, depth: int = 0, seen: set[int] | None = None) -> Iterator:
    """Every object reachable through attributes, lists, tuples and dicts."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 50:
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, dict):
        children: Any = obj.values()
    elif isinstance(obj, list | tuple):
        children = obj
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        children = obj.ravel()
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        children = vars(obj).values()
    else:
        return
    for child in children:
        yield from _iter_objects(child, depth + 1, seen)


def _check_trees(obj: Any, what: str) -> None:
    """Bounds-check decision trees so crafted node arrays cannot crash predict."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.tree._tree import Tree

    for item in _iter_objects(obj):
        if isinstance(item, Tree):
            n = item.node_count
            left, right, feature = (
                item.children_left,
                item.children_right,
                item.feature,
            )
            index = np.arange(n)
            internal = left != -1
            ok = (
                len(left) == len(right) == len(feature) == n
                and np.array_equal(internal, right != -1)
                and np.all(left[internal] > index[internal])
                and np.all(right[internal] > index[internal])
                and np.all(left[internal] < n)
                and np.all(right[internal] < n)
                and np.all(feature[internal] >= 0)
                and np.all(feature[internal] < item.n_features)
            )
        elif isinstance(item, TreePredictor):
            nodes = item.nodes
            n = len(nodes)
            index = np.arange(n)
            internal = ~nodes["is_leaf"].astype(bool)
            ok = bool(
                np.all(nodes["left"][internal] > index[internal])
                and np.all(nodes["right"][internal] > index[internal])
                and np.all(nodes["left"][internal] < n)
                and np.all(nodes["right"][internal] < n)
            )
        else:
            continue
        if not ok:
            raise UnsafeCheckpointError(
                f"{what} contains a decision tree whose node indices are out of "
                "range or cyclic; it was refused (a crafted tree could crash "
                "the process at predict time)."
            )


# ----------------------------------------------------------------------------- payloads


def _is_torch_net(model: Any) -> bool:
    return hasattr(model, "module_") and hasattr(model, "initialize")


def _adapter_for(template: Any) -> Any:
    """The template's adapter, or None when it cannot be built (e.g. not merged)."""
    if template is None:
        return None
    from .adapters import adapter_for

    try:
        return adapter_for(template)
    except ImportError:
        return None


def _has_payload_hooks(adapter: Any) -> bool:
    return callable(getattr(adapter, "state_payload", None)) and callable(
        getattr(adapter, "load_payload", None)
    )


def _plain_fitted_attributes(model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Public fitted attributes that are plain values or plain arrays."""
    values: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    for name, value in vars(model).items():
        if not name.endswith("_") or name.startswith("_") or name == "initialized_":
            continue
        if value is None or isinstance(value, bool | int | float | str):
            values[name] = value
        elif isinstance(value, np.ndarray):
            try:
                _plain_array(name, value)
            except CheckpointError:
                continue
            arrays[name] = value
    return values, arrays


def torch_state_payload(model: Any) -> Payload:
    """The state of a torch net (skorch-like) as a :class:`Payload`.

    Saves ``module_.state_dict()``, ``optimizer_.state_dict()`` when present,
    and public fitted attributes that are plain values or arrays (e.g.
    ``classes_inferred_``). :func:`torch_load_payload` restores it into a
    freshly initialised clone of the configured net.

    Parameters
    ----------
    model : object
        A fitted net with ``module_`` and ``initialize``.

    Returns
    -------
    payload : Payload
        ``kind="torch-net"``.
    """
    tensors = {"module": model.module_.state_dict()}
    optimizer = getattr(model, "optimizer_", None)
    if optimizer is not None and callable(getattr(optimizer, "state_dict", None)):
        tensors["optimizer"] = optimizer.state_dict()
    values, arrays = _plain_fitted_attributes(model)
    plain, layout = {}, {}
    for name, value in arrays.items():
        plain[name], was_object = _plain_array(name, value)
        layout[name] = {"object": was_object}
    return Payload(
        kind="torch-net",
        json={
            "class": f"{type(model).__module__}.{type(model).__qualname__}",
            "attributes": values,
            "array_attributes": sorted(plain),
            "array_layout": layout,
        },
        arrays=plain,
        tensors=tensors,
    )


def torch_load_payload(payload: Payload, template: Any) -> Any:
    """Rebuild a torch net from :func:`torch_state_payload` output.

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


def _encode_payload(payload: Payload) -> dict[str, bytes]:
    files = {"payload.json": _to_json({"kind": payload.kind, "json": payload.json})}
    if payload.arrays:
        files["payload.npz"], layout = _pack(payload.arrays)
        files["payload.json"] = _to_json(
            {"kind": payload.kind, "json": payload.json, "layout": layout}
        )
    if payload.tensors is not None:
        import torch

        buffer = io.BytesIO()
        torch.save(payload.tensors, buffer)
        files["payload.pt"] = buffer.getvalue()
    return files


def _decode_payload(blobs: Mapping[str, bytes], what: str) -> Payload:
    meta = json.loads(blobs["payload.json"])
    arrays = {}
    if "payload.npz" in blobs:
        arrays = _unpack(blobs["payload.npz"], meta.get("layout", {}))
    tensors = None
    if "payload.pt" in blobs:
        import pickle

        import torch

        try:
            tensors = torch.load(
                io.BytesIO(blobs["payload.pt"]), weights_only=True, map_location="cpu"
            )
        except (pickle.UnpicklingError, RuntimeError, ValueError, EOFError) as exc:
            raise UnsafeCheckpointError(
                f"{what}: payload.pt was refused by torch.load(weights_only=True) "
                f"({type(exc).__name__}); it holds objects other than tensors and "
                "plain containers and was not executed."
            ) from exc
    return Payload(meta["kind"], meta.get("json", {}), arrays, tensors)


# ----------------------------------------------------------------------------- store


def as_store(checkpoint: Any) -> CheckpointStore:
    """``checkpoint`` as a :class:`CheckpointStore` (a path makes a new one)."""
    if isinstance(checkpoint, CheckpointStore):
        return checkpoint
    if isinstance(checkpoint, str) or hasattr(checkpoint, "__fspath__"):
        return CheckpointStore(checkpoint)
    raise TypeError(
        f"checkpoint must be None, a path or a CheckpointStore, got "
        f"{type(checkpoint).__name__}."
    )


def _check_optional_int(name: str, value: Any) -> None:
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or value < 1
    ):
        raise ValueError(f"{name} must be None or an int >= 1, got {value!r}.")


class CheckpointStore:
    """A directory of atomic, verified checkpoints with a lineage log.

    Give it to a meta-estimator as ``checkpoint=store`` (or give the path):
    every committed run then writes one checkpoint. Writers in several
    processes are serialised by a lock file; a writer killed at any point
    leaves the store loadable at its last complete checkpoint.

    Parameters
    ----------
    path : str or path-like
        The store's directory (created on the first write).
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
    of many thousands of runs pays a few milliseconds per run for it. Several
    estimators may share a store; ``load`` and ``resume`` use the newest
    checkpoint of the store, so one lineage per store is the clear layout.

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

    def __init__(
        self,
        path: str | os.PathLike,
        keep_last: int | None = None,
        keep_every: int | None = None,
        *,
        trusted: Sequence[str] = (),
        timeout: float = 60.0,
    ):
        _check_optional_int("keep_last", keep_last)
        _check_optional_int("keep_every", keep_every)
        if isinstance(trusted, str):
            raise TypeError("trusted must be a list of type names, not a string.")
        self.path = Path(path)
        self.keep_last = keep_last
        self.keep_every = keep_every
        self.trusted = tuple(trusted)
        self.timeout = timeout

    def __repr__(self) -> str:
        return (
            f"CheckpointStore({os.fspath(self.path)!r}, keep_last={self.keep_last}, "
            f"keep_every={self.keep_every})"
        )

    # ------------------------------------------------------------------ lock, lineage
    @contextlib.contextmanager
    def _locked(self, *, reading: bool = False) -> Iterator[None]:
        """Hold the store's lock; readers of a read-only store go unlocked."""
        from filelock import FileLock, Timeout

        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = FileLock(os.fspath(self.path / _LOCK), timeout=self.timeout)
            lock.acquire()
        except Timeout as exc:
            raise CheckpointError(
                f"Could not lock checkpoint store {self.path} within "
                f"{self.timeout} s: another process holds it."
            ) from exc
        except OSError:
            if not reading:
                raise
            yield  # a read-only store has no writers to wait for
            return
        try:
            yield
        finally:
            lock.release()

    def _read_lineage(self) -> list[dict[str, Any]]:
        path = self.path / _LINEAGE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            doc = json.loads(raw)
            if doc.get("format") != FORMAT:
                raise ValueError(f"unknown format {doc.get('format')!r}")
            return list(doc["entries"])
        except (ValueError, KeyError, AttributeError) as exc:
            raise CheckpointError(
                f"The lineage log {path} is unreadable ({exc}). It is written "
                "atomically, so it was damaged outside this library; restore it "
                "from a backup (each checkpoint's manifest.json holds its entry)."
            ) from exc

    def _write_lineage(self, entries: list[dict[str, Any]]) -> None:
        body = ",\n".join(
            json.dumps(e, default=_json_default, sort_keys=True) for e in entries
        )
        data = f'{{"format": {FORMAT}, "entries": [\n{body}\n]}}\n'.encode()
        atomic_write(self.path / _LINEAGE, data)

    def _remove_orphans(self, entries: list[dict[str, Any]]) -> None:
        """Delete staging and checkpoint directories the lineage does not keep."""
        kept = {e["id"] for e in entries if e["status"] == "kept"}
        for child in self.path.iterdir():
            stale = child.name.startswith(_STAGING) or (
                child.name.startswith(_PREFIX) and child.name not in kept
            )
            if stale and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(f".{_LINEAGE}.tmp-"):
                with contextlib.suppress(OSError):
                    child.unlink()

    # ------------------------------------------------------------------ writing
    def save(self, estimator: Any, X: Any = None, y: Any = None) -> str:
        """Write a checkpoint of a fitted meta-estimator's last run.

        The meta-estimators call this after every committed run when given
        ``checkpoint=``. The estimator is not modified.

        Parameters
        ----------
        estimator : WarmStartClassifier or WarmStartRegressor
            A fitted meta-estimator.
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
        state = getattr(estimator, "_state", None)
        if state is None or not hasattr(estimator, "estimator_"):
            raise ValueError(
                f"{type(estimator).__name__} is not fitted; only fitted "
                "meta-estimators can be checkpointed."
            )
        try:
            files, meta = self._encode(estimator, state, X, y)
        except CheckpointError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CheckpointError(
                f"Could not serialise {type(estimator).__name__} for a checkpoint "
                f"({type(exc).__name__}: {exc}). The store is unchanged."
            ) from exc
        try:
            with self._locked():
                return self._commit(files, meta, state.history)
        except CheckpointError:
            raise
        except OSError as exc:
            raise CheckpointError(
                f"Could not write a checkpoint to {self.path}: {exc}. The store is "
                "unchanged."
            ) from exc

    def _encode(
        self, estimator: Any, state: Any, X: Any, y: Any
    ) -> tuple[dict[str, bytes], dict[str, Any]]:
        """Everything but the id-dependent files, built before taking the lock."""
        from .policies import check_triggers

        files: dict[str, bytes] = {}
        model = state.model
        adapter = _adapter_for(estimator.estimator)
        torch_used = False
        if _has_payload_hooks(adapter):
            payload = adapter.state_payload(model)
            hook = f"adapter:{type(adapter).__name__}"
        elif _is_torch_net(model):
            payload = torch_state_payload(model)
            hook = "torch-net"
        else:
            payload, hook = None, "skops"
        if payload is not None:
            files.update(_encode_payload(payload))
            torch_used = payload.tensors is not None
        else:
            files["model.skops"] = _skops_dumps(model, "The model", self.trusted)

        arrays, layout = _pack(
            {
                "classes": state.classes,
                "feature_names": state.feature_names,
                "buffer_X": state.buffer.X,
                "buffer_y": state.buffer.y,
            }
        )
        files["arrays.npz"] = arrays

        files["estimator.skops"], missing, stored = self._encode_config(
            estimator, state.policy_states
        )

        record: RunRecord = state.history[-1]
        triggers = [repr(t) for t in check_triggers(estimator.reset)]
        parent = next(
            (r.checkpoint for r in reversed(state.history[:-1]) if r.checkpoint),
            None,
        )
        init = estimator.init
        if init is None:
            init_text = None
        elif isinstance(init, str) or hasattr(init, "__fspath__"):
            init_text = f"checkpoint:{os.fspath(init)}"
        else:
            init_text = f"estimator:{type(init).__name__}"
        data_info = None
        if X is not None:
            data_info = fingerprint(X, y)
            data_info["n_rows"] = int(X.shape[0] if hasattr(X, "shape") else len(X))
        meta = {
            "format": FORMAT,
            "estimator": type(estimator).__name__,
            "model": f"{type(model).__module__}.{type(model).__qualname__}",
            "run": record.run,
            "n_runs": len(state.history),
            "parent": parent,
            "init": init_text,
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
                {"trigger": t, "state_stored": s} for t, s in zip(triggers, stored)
            ],
            "missing_params": missing,
            "params": {
                k: repr(v)[:300] for k, v in estimator.get_params(deep=False).items()
            },
            "versions": _versions(torch_used),
            "host": platform.node(),
            "_state": {
                "estimator_class": type(estimator).__name__,
                "base_seed": state.base_seed,
                "n_features": state.n_features,
                "n_seen": state.n_seen,
                "buffer_size": state.buffer.size,
                "layout": layout,
                "missing_params": missing,
                "policy_states_stored": stored,
            },
        }
        return files, meta

    def _encode_config(
        self, estimator: Any, policy_states: Sequence[Any]
    ) -> tuple[bytes, list[str], list[bool]]:
        """The meta-estimator's parameters and trigger states as one skops file.

        Items that skops cannot store within the trust policy are left out:
        their names (parameters) or flags (trigger states) are returned.
        """
        what = "The estimator configuration"
        params = {
            k: v
            for k, v in estimator.get_params(deep=False).items()
            if k not in ("checkpoint", "init")
        }
        # Values of foreign classes (a skorch net, a river detector) are not
        # even tried: skops would pickle some of them just to refuse them.
        foreign = [k for k, v in params.items() if self._foreign(v)]
        params = {k: v for k, v in params.items() if k not in foreign}
        stored = [not self._foreign(v) for v in policy_states]
        states = [v if ok else None for v, ok in zip(policy_states, stored)]
        try:
            data = _skops_dumps(
                {"params": params, "policy_states": states}, what, self.trusted
            )
            return data, foreign, stored
        except CheckpointError:
            pass  # find the items that cannot be stored, one by one

        def storable(value: Any, label: str) -> bool:
            try:
                _skops_dumps(value, label, self.trusted)
            except CheckpointError:
                return False
            return True

        missing = [k for k, v in params.items() if not storable(v, f"parameter {k}")]
        stored = [
            ok and storable(v, "a trigger state") for v, ok in zip(states, stored)
        ]
        params = {k: v for k, v in params.items() if k not in missing}
        states = [v if ok else None for v, ok in zip(states, stored)]
        data = _skops_dumps(
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

    def _commit(
        self, files: dict[str, bytes], meta: dict[str, Any], history: History
    ) -> str:
        entries = self._read_lineage()
        self._remove_orphans(entries)
        seq = max((e["seq"] for e in entries), default=-1) + 1
        checkpoint_id = f"{_PREFIX}{seq:06d}"
        records = [r.to_dict() for r in history]
        records[-1]["checkpoint"] = checkpoint_id
        state_doc = dict(meta.pop("_state"))
        state_doc["format"] = FORMAT
        state_doc["history"] = records
        files = {**files, "state.json": _to_json(state_doc)}

        manifest = {
            "id": checkpoint_id,
            "seq": seq,
            "created": _utc_now(),
            **meta,
            "files": {
                name: {"sha256": _sha256(data), "bytes": len(data)}
                for name, data in sorted(files.items())
            },
        }
        manifest_bytes = _to_json(manifest)
        staging = self.path / f"{_STAGING}{uuid.uuid4().hex}"
        final = self.path / checkpoint_id
        renamed = False
        try:
            staging.mkdir()
            for name, data in files.items():
                _write_new_file(staging / name, data)
            _write_new_file(staging / _MANIFEST, manifest_bytes)
            _fsync_dir(staging)
            os.rename(staging, final)
            renamed = True
            _fsync_dir(self.path)
            entry = {
                **manifest,
                "manifest_sha256": _sha256(manifest_bytes),
                "status": "kept",
            }
            entries, doomed = self._retain([*entries, entry])
            self._write_lineage(entries)  # the commit point (and the pruning)
        except BaseException as exc:
            if renamed and self._committed(checkpoint_id):
                # os.replace happened; only the directory fsync after it failed.
                warnings.warn(
                    f"Checkpoint {checkpoint_id} is committed in {self.path}, but "
                    f"syncing the directory failed ({exc}); it may not survive a "
                    "power loss.",
                    RuntimeWarning,
                    stacklevel=4,
                )
                return checkpoint_id
            shutil.rmtree(final if renamed else staging, ignore_errors=True)
            raise
        self._remove(doomed)
        return checkpoint_id

    def _committed(self, checkpoint_id: str) -> bool:
        try:
            return any(e["id"] == checkpoint_id for e in self._read_lineage())
        except CheckpointError:
            return False

    def _retain(
        self, entries: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Mark the checkpoints retention drops as pruned; return them too."""
        if self.keep_last is None:
            return entries, []
        kept = sorted((e for e in entries if e["status"] == "kept"), key=_seq)
        keep = {e["id"] for e in kept[-self.keep_last :]}
        if self.keep_every is not None:
            keep |= {e["id"] for e in kept if e["run"] % self.keep_every == 0}
        doomed = [e["id"] for e in kept if e["id"] not in keep]
        when = _utc_now()
        updated = [
            {**e, "status": "pruned", "pruned": when} if e["id"] in doomed else e
            for e in entries
        ]
        return updated, doomed

    def _remove(self, doomed: list[str]) -> None:
        """Delete pruned checkpoint directories (a failure is retried later)."""
        try:
            for checkpoint_id in doomed:
                shutil.rmtree(self.path / checkpoint_id)
        except OSError as exc:
            warnings.warn(
                f"Removing pruned checkpoints in {self.path} failed ({exc}); the "
                "new checkpoint is committed and the next write retries.",
                RuntimeWarning,
                stacklevel=4,
            )

    # ------------------------------------------------------------------ reading
    def _check_entry(
        self, entry: Mapping[str, Any], keep: bool
    ) -> tuple[list[FileProblem], dict[str, bytes]]:
        """Read a checkpoint's files and compare them with the lineage entry."""
        checkpoint_id = entry["id"]
        folder = self.path / checkpoint_id
        if not folder.is_dir():
            return [FileProblem(checkpoint_id, "", "missing")], {}
        problems, blobs = [], {}
        expected = {
            _MANIFEST: {"sha256": entry["manifest_sha256"], "bytes": None},
            **entry["files"],
        }
        for name, info in expected.items():
            try:
                data = (folder / name).read_bytes()
            except FileNotFoundError:
                problems.append(FileProblem(checkpoint_id, name, "missing"))
                continue
            if info["bytes"] is not None and len(data) != info["bytes"]:
                problems.append(
                    FileProblem(
                        checkpoint_id,
                        name,
                        "size mismatch",
                        str(info["bytes"]),
                        str(len(data)),
                    )
                )
                continue
            digest = _sha256(data)
            if digest != info["sha256"]:
                problems.append(
                    FileProblem(
                        checkpoint_id, name, "hash mismatch", info["sha256"], digest
                    )
                )
            elif keep:
                blobs[name] = data
        return problems, blobs

    def verify(self) -> list[FileProblem]:
        """Check every kept checkpoint's files against their recorded sha256.

        Returns
        -------
        problems : list of FileProblem
            One entry per missing, truncated, altered or unexpected file;
            empty when the store is intact.
        """
        if not self.path.exists():
            return []
        with self._locked(reading=True):
            problems = []
            for entry in self._read_lineage():
                if entry["status"] != "kept":
                    continue
                found, _ = self._check_entry(entry, keep=False)
                problems.extend(found)
                folder = self.path / entry["id"]
                if folder.is_dir():
                    known = {_MANIFEST, *entry["files"]}
                    problems.extend(
                        FileProblem(entry["id"], p.name, "unexpected file")
                        for p in sorted(folder.iterdir())
                        if p.name not in known
                    )
            return problems

    def log(self) -> pd.DataFrame:
        """The lineage of every checkpoint ever written, pruned ones included.

        Returns
        -------
        log : DataFrame
            One row per checkpoint, oldest first: id, run, parent, status,
            created, start, reason, trigger, drift events, data fingerprint,
            payload, model, library versions and file hashes.
        """
        import pandas as pd

        columns = [
            "id",
            "seq",
            "run",
            "n_runs",
            "parent",
            "status",
            "created",
            "estimator",
            "model",
            "method",
            "start",
            "reason",
            "trigger",
            "drift_events",
            "n_samples",
            "data_sha256",
            "init",
            "payload",
            "bytes",
            "versions",
            "files",
            "pruned",
        ]
        if not self.path.exists():
            return pd.DataFrame(columns=columns)
        with self._locked(reading=True):
            entries = self._read_lineage()
        rows = []
        for e in entries:
            row = {c: e.get(c) for c in columns}
            row["data_sha256"] = (e.get("data") or {}).get("sha256")
            row["bytes"] = sum(f["bytes"] for f in e["files"].values())
            rows.append(row)
        return pd.DataFrame(rows, columns=columns)

    def ids(self) -> list[str]:
        """Ids of the kept checkpoints, oldest first."""
        if not self.path.exists():
            return []
        with self._locked(reading=True):
            entries = self._read_lineage()
        return [e["id"] for e in sorted(entries, key=_seq) if e["status"] == "kept"]

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
        if not self.path.exists():
            raise CheckpointError(f"No checkpoint store at {self.path}.")
        with self._locked(reading=True):
            entries = self._read_lineage()
            kept = [e for e in entries if e["status"] == "kept"]
            if checkpoint_id is not None:
                kept = [e for e in kept if e["id"] == checkpoint_id]
                if not kept:
                    known = [e["id"] for e in entries if e["status"] == "kept"]
                    raise CheckpointError(
                        f"No kept checkpoint {checkpoint_id!r} in {self.path}; "
                        f"kept: {known}."
                    )
            failures = []
            for entry in sorted(kept, key=_seq, reverse=True):
                problems, blobs = self._check_entry(entry, keep=True)
                if not problems:
                    return self._decode(entry, blobs, template)
                text = "; ".join(str(p) for p in problems)
                failures.append(text)
                if checkpoint_id is None:
                    warnings.warn(
                        f"Checkpoint {entry['id']} in {self.path} failed "
                        f"verification ({text}); trying the previous checkpoint.",
                        CorruptCheckpointWarning,
                        stacklevel=2,
                    )
        if checkpoint_id is not None:
            raise CheckpointError(
                f"Checkpoint {checkpoint_id} in {self.path} failed verification: "
                f"{failures[0]}."
            )
        detail = f" Failures: {' | '.join(failures)}." if failures else ""
        raise CheckpointError(f"No verified checkpoint left in {self.path}.{detail}")

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
            config = _skops_loads(
                blobs["estimator.skops"], f"{what} (estimator.skops)", self.trusted
            )
            params = dict(config["params"])
            template = template if template is not None else params.get("estimator")
            hook = entry["payload"]
            if hook == "skops":
                model = _skops_loads(
                    blobs["model.skops"], f"{what} (model.skops)", self.trusted
                )
            else:
                payload = _decode_payload(blobs, what)
                if hook == "torch-net":
                    model = torch_load_payload(payload, template)
                else:
                    adapter = _adapter_for(template)
                    if template is None:
                        raise CheckpointError(
                            f"{what} holds a {hook} payload (safe formats, not a "
                            "pickled model); restoring it needs the configured "
                            "estimator. Pass it: resume(path, estimator=...) or "
                            "load_model(path, template=...)."
                        )
                    if not _has_payload_hooks(adapter):
                        raise CheckpointError(
                            f"{what} was written by {hook}, which cannot be "
                            f"loaded here: pass the configured estimator whose "
                            "adapter provides load_payload."
                        )
                    model = adapter.load_payload(payload, template)
            arrays = _unpack(blobs["arrays.npz"], state_doc["layout"])
        except CheckpointError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CheckpointError(
                f"{what} passed verification but could not be decoded "
                f"({type(exc).__name__}: {exc})."
            ) from exc
        history = History([RunRecord.from_dict(r) for r in state_doc["history"]])
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


def _seq(entry: Mapping[str, Any]) -> int:
    return int(entry["seq"])


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
    if (path / _LINEAGE).exists():
        return CheckpointStore(path).load_model(template=template)
    if path.name.startswith(_PREFIX) and (path.parent / _LINEAGE).exists():
        return CheckpointStore(path.parent).load_model(path.name, template=template)
    raise CheckpointError(
        f"{path} is neither a checkpoint store (no {_LINEAGE}) nor a checkpoint "
        "directory inside one."
    )


def resume_estimator(cls: type, path: Any, params: dict[str, Any]) -> Any:
    """Rebuild a meta-estimator of class ``cls`` from a store (see ``resume``)."""
    from ._buffer import RowBuffer
    from .estimators import _State
    from .policies import check_triggers

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
            f"Checkpoint {ckpt.id} could not store parameter(s) {missing} safely "
            f"(they hold types outside the trusted list); pass them again: "
            f"{cls.__name__}.resume(path, {missing[0]}=...)."
        )
    config = {**ckpt.params, "init": None, "checkpoint": store, **params}
    estimator = cls(**config)
    triggers = check_triggers(estimator.reset)
    if len(triggers) != len(ckpt.policy_states):
        raise ValueError(
            f"Checkpoint {ckpt.id} has {len(ckpt.policy_states)} trigger state(s) "
            f"but reset has {len(triggers)} trigger(s); resume with the same reset."
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
    size = estimator.buffer_size
    if ckpt.buffer_y is None or size == 0:
        buffer = RowBuffer(size)
    else:
        buffer = RowBuffer(size, ckpt.buffer_X[-size:], ckpt.buffer_y[-size:])
    state = _State(
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
    estimator._commit(state)
    return estimator
