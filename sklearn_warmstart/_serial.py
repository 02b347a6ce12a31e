"""Serialisation primitives of checkpoints: npz, JSON, skops (with the trust list).

A leaf: adapters build their checkpoint payloads with these, and the
checkpoint codec turns payloads into files with them. Nothing here knows a
store, an estimator or a model family.

Loading never unpickles arbitrary objects. scikit-learn models go through
skops with an explicit trust policy: besides skops' own defaults, only classes
defined in scikit-learn, numpy, scipy or this package (and type names the user
lists in ``trusted=``) are accepted, and only through skops' attribute-setting
loaders (never a loader that calls a constructor or a function with arguments
from the file). Arrays use ``.npz`` with ``allow_pickle=False``; torch state
dicts use ``torch.load(weights_only=True)``; everything else is JSON. Loaded
decision trees are bounds-checked before they are returned.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "CheckpointError",
    "Payload",
    "UnsafeCheckpointError",
    "check_trees",
    "pack",
    "payload_files",
    "payload_from_files",
    "plain_array",
    "plain_fitted_attributes",
    "skops_dumps",
    "skops_loads",
    "to_json",
    "unpack",
]

_ALLOWED_ROOTS = frozenset({"sklearn", "numpy", "scipy", "sklearn_warmstart"})
# skops loaders that only create an instance and set attributes. Others call
# a constructor or function with arguments read from the file.
_SAFE_LOADERS = frozenset({"ObjectNode", "TreeNode", "TypeNode"})
#: The file of a payload stored with skops (the name old stores use too).
SKOPS_FILE = "model.skops"


class CheckpointError(OSError):
    """A checkpoint could not be written or no verified checkpoint could be read."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint holds content the loader refuses to build (untrusted types)."""


@dataclass(frozen=True)
class Payload:
    """A model's state in safe formats: what an adapter hands the checkpoint codec.

    Every adapter provides ``state_payload(model) -> Payload`` and
    ``load_payload(payload, template) -> model``. By default the payload is
    the model itself, stored with skops under the store's trust list
    (``kind="skops"``). Families skops cannot store fill the other fields: the
    codec writes ``json`` as JSON, ``arrays`` as ``.npz``
    (``allow_pickle=False``) and ``tensors`` (nested dicts/lists of torch
    tensors and plain numbers, e.g. state dicts) with ``torch.save``, read
    back with ``torch.load(weights_only=True)``.

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
    skops : object or None
        An object stored with skops (``kind="skops"``), e.g. the whole model.
    """

    kind: str
    json: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    tensors: dict[str, Any] | None = None
    skops: Any = None


def plain_array(name: str, a: Any) -> tuple[np.ndarray, bool]:
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


def pack(arrays: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """Write arrays (dense, sparse or None) to ``.npz`` bytes plus a layout.

    A sparse matrix is stored under ``scipy.sparse.save_npz``'s key names
    (``data``, ``indices``, ``indptr``, ``shape``), prefixed by its name.
    ``save_npz`` itself is not used: it writes one matrix per file, while a
    checkpoint keeps the streaming buffer and the dense arrays in one
    ``arrays.npz``, and object-valued data needs the plain conversion below.
    """
    out: dict[str, np.ndarray] = {}
    layout: dict[str, Any] = {}
    for name, value in arrays.items():
        if value is None:
            layout[name] = {"kind": "none"}
        elif sp.issparse(value):
            csr = value.tocsr()
            data, was_object = plain_array(name, csr.data)
            out[f"{name}.data"] = data
            out[f"{name}.indices"] = csr.indices
            out[f"{name}.indptr"] = csr.indptr
            out[f"{name}.shape"] = np.asarray(csr.shape, dtype=np.int64)
            layout[name] = {"kind": "csr", "object": was_object}
        else:
            out[name], was_object = plain_array(name, value)
            layout[name] = {"kind": "dense", "object": was_object}
    buffer = io.BytesIO()
    np.savez(buffer, **out)
    return buffer.getvalue(), layout


def unpack(data: bytes, layout: Mapping[str, Any]) -> dict[str, Any]:
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


def json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(obj: Any) -> bytes:
    return json.dumps(obj, default=json_default, sort_keys=True).encode()


def _skops() -> Any:
    import skops.io

    return skops.io


def _test_part(part: str) -> bool:
    return part == "tests" or part.startswith("test_") or part == "conftest"


def name_refusal(name: str, extra: Sequence[str] = ()) -> str | None:
    """Why a type name from a skops schema is refused by its name alone, or None.

    Decided without importing anything: the name must be dotted identifiers
    under scikit-learn, numpy, scipy, this package or ``builtins`` (or listed
    in ``extra``), with no dunder part (``numpy.f2py.__main__`` would run a
    command-line tool when imported) and no test module.
    """
    if name in extra:
        return None
    module, _, attr = name.rpartition(".")
    parts = module.split(".")
    if (
        not module
        or not attr.isidentifier()
        or not all(p.isidentifier() for p in parts)
    ):
        return "not a dotted name"
    if parts[0] not in _ALLOWED_ROOTS | {"builtins"}:
        return "outside the trusted packages"
    if any(p.startswith("__") and p.endswith("__") for p in parts):
        return "a module that runs code when imported"
    if any(_test_part(p) for p in parts):
        return "a test module"
    return None


def is_trusted_class(name: str) -> bool:
    """Whether ``name`` is a class defined in scikit-learn, numpy, scipy or here.

    Only a name that :func:`name_refusal` accepts is imported, and any
    exception from the import (``SystemExit`` too) means "not trusted".
    """
    if name_refusal(name) is not None or name.startswith("builtins."):
        return False
    module, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), attr)
    except BaseException:  # noqa: BLE001 - an unknown name is simply not trusted
        return False
    return isinstance(obj, type) and str(obj.__module__).split(".")[0] in _ALLOWED_ROOTS


def schema_names(data: bytes) -> dict[str, set[str]]:
    """Every type or function name in a skops file's schema, with its loaders.

    Read from ``schema.json`` directly (nothing imported): the
    ``__module__``/``__class__`` pair of every node (loader ``""`` where a
    node has none) and the ``module_path``/``function`` pair of function
    nodes.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        schema = json.loads(zf.read("schema.json"))
    found: dict[str, set[str]] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            pairs = [("__module__", "__class__"), ("module_path", "function")]
            for module_key, name_key in pairs:
                if module_key in node or name_key in node:
                    name = f"{node.get(module_key)}.{node.get(name_key)}"
                    loader = node.get("__loader__", "") if module_key[0] == "_" else ""
                    found.setdefault(name, set()).add(str(loader))
            if "__loader__" in node and "__module__" not in node:
                found.setdefault(f"None.{node.get('__class__')}", set())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def vet_skops(data: bytes, what: str, extra: Sequence[str]) -> list[str]:
    """Check a skops file against the trust policy; return the types to trust.

    Trust is first decided from the names in the file's schema, before
    anything is imported (:func:`name_refusal`); only then may skops and the
    class check import the modules those names live in.

    Raises :class:`UnsafeCheckpointError` naming every refused type.
    """
    try:
        loaders = schema_names(data)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is refused
        raise UnsafeCheckpointError(
            f"{what} is not a valid skops file ({type(exc).__name__}: {exc}); "
            "it was not loaded. Checkpoints never unpickle: a pickle or other "
            "foreign file in a store is refused."
        ) from exc
    by_name = {name: name_refusal(name, extra) for name in sorted(loaders)}
    refused = [f"{name} ({why})" for name, why in by_name.items() if why]
    if refused:
        raise _untrusted(what, refused)
    try:
        names = _skops().get_untrusted_types(data=data)
    except BaseException as exc:  # noqa: BLE001 - SystemExit from an import too
        raise UnsafeCheckpointError(
            f"{what} is not a valid skops file ({type(exc).__name__}: {exc}); "
            "it was not loaded."
        ) from exc
    for name in names:
        if name in extra:
            continue
        if not is_trusted_class(name):
            refused.append(name)
            continue
        unsafe = loaders.get(name, set()) - _SAFE_LOADERS - {""}
        if unsafe:
            refused.append(f"{name} (via {', '.join(sorted(unsafe))})")
    if refused:
        raise _untrusted(what, refused)
    return list(names)


def _untrusted(what: str, refused: list[str]) -> UnsafeCheckpointError:
    return UnsafeCheckpointError(
        f"{what} contains types the checkpoint loader does not trust: "
        f"{refused}. Only classes from scikit-learn, numpy, scipy and "
        "sklearn_warmstart are trusted (built by setting attributes, never "
        "by calling code named in the file). If these are your own safe "
        "classes, list their exact names in CheckpointStore(trusted=[...])."
    )


def skops_dumps(obj: Any, what: str, extra: Sequence[str]) -> bytes:
    try:
        data = _skops().dumps(obj)
    except Exception as exc:  # noqa: BLE001
        raise CheckpointError(
            f"{what} cannot be stored safely by skops ({type(exc).__name__}: {exc})."
        ) from exc
    vet_skops(data, what, extra)
    return data


def skops_loads(data: bytes, what: str, extra: Sequence[str]) -> Any:
    trusted = vet_skops(data, what, extra)
    try:
        obj = _skops().loads(data, trusted=trusted)
    except BaseException as exc:  # noqa: BLE001 - SystemExit from an import too
        raise UnsafeCheckpointError(
            f"{what} could not be loaded safely ({type(exc).__name__}: {exc})."
        ) from exc
    check_trees(obj, what)
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


def check_trees(obj: Any, what: str) -> None:
    """Bounds-check decision trees so crafted node arrays cannot crash predict."""
    from ._compat import tree_classes

    Tree, TreePredictor = tree_classes()
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


def plain_fitted_attributes(model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
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
                plain_array(name, value)
            except CheckpointError:
                continue
            arrays[name] = value
    return values, arrays


def payload_files(payload: Payload, trusted: Sequence[str] = ()) -> dict[str, bytes]:
    """The files of a payload: ``model.skops`` for a skops payload, else
    ``payload.json`` with ``payload.npz`` and ``payload.pt`` when needed."""
    if payload.kind == "skops":
        return {SKOPS_FILE: skops_dumps(payload.skops, "The model", trusted)}
    meta: dict[str, Any] = {"kind": payload.kind, "json": payload.json}
    files = {}
    if payload.arrays:
        files["payload.npz"], meta["layout"] = pack(payload.arrays)
    files["payload.json"] = to_json(meta)
    if payload.tensors is not None:
        import torch

        buffer = io.BytesIO()
        torch.save(payload.tensors, buffer)
        files["payload.pt"] = buffer.getvalue()
    return files


def payload_from_files(
    blobs: Mapping[str, bytes], what: str, trusted: Sequence[str] = ()
) -> Payload:
    """Inverse of :func:`payload_files` (skops and torch files loaded safely)."""
    if "payload.json" not in blobs:
        model = skops_loads(blobs[SKOPS_FILE], f"{what} ({SKOPS_FILE})", trusted)
        return Payload("skops", skops=model)
    meta = json.loads(blobs["payload.json"])
    arrays = {}
    if "payload.npz" in blobs:
        arrays = unpack(blobs["payload.npz"], meta.get("layout", {}))
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
