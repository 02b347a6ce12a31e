"""Checkpoint files on disk: hashes, manifests, lineage, lock, retention.

Bytes in, bytes out: this module writes and verifies the files it is given
and knows nothing of models, adapters or estimators (the codec does).

On disk::

    store/
      sklearn_warmstart_store.json  the store's marker (written at creation)
      .lock              serialises writers (and readers) across processes
      lineage.json       the retention settings and one entry per checkpoint
                         ever written, pruned ones too
      ckpt-000007/
        manifest.json    lineage + file hashes (a copy of its lineage entry)
        ...              the files the codec wrote

Writing is crash-safe: files go to a staging directory (each fsynced), which
is renamed into place, then ``lineage.json`` is replaced atomically (temp file
in the same directory, fsync, ``os.replace``, directory fsync). The lineage
replace is the commit point: a writer killed at any moment leaves either the
old or the new lineage.

The store deletes only what it wrote: staging directories and temporary
files of its own name patterns, checkpoints its retention rule prunes, and
the checkpoint of an interrupted write (a complete ``ckpt-*`` directory whose
manifest names it and whose sequence number is newer than the lineage's).
Every checkpoint is self-describing (its manifest holds id, seq, parent,
hashes and format), so a lost ``lineage.json`` is rebuilt from the manifests.
Ids and file names read from disk are checked against fixed patterns and
must resolve to real files inside the store; a bad one is a corrupt entry.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import stat
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from .._serial import CheckpointError, json_default, to_json

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMAT",
    "CorruptCheckpointWarning",
    "FileProblem",
    "FileStore",
    "atomic_write",
    "fingerprint",
]

#: Format of the lineage log and of every manifest (a manifest without one is
#: format 0; this version reads formats 0 and 1).
FORMAT = 1
_LINEAGE = "lineage.json"
_LOCK = ".lock"
_MANIFEST = "manifest.json"
_MARKER = "sklearn_warmstart_store.json"
_PREFIX = "ckpt-"
_STAGING = ".staging-"
_ID = re.compile(r"ckpt-(\d{6,9})")
_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_STAGING_NAME = re.compile(r"\.(staging|trash)-[0-9a-f]{32}")
_TMP_NAME = re.compile(
    r"\.(lineage\.json|sklearn_warmstart_store\.json)\.tmp-[0-9a-f]{32}"
)


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
        where = "/".join(part for part in (self.checkpoint, self.file) if part)
        return f"{where}: {self.problem}"


def entry_problem(entry: Any) -> str | None:
    """Why a lineage entry (or manifest) is malformed; None if it is sound.

    The id must be ``ckpt-`` and 6 to 9 digits equal to its ``seq``, and
    every file name a plain name (no separator, no leading dot), so nothing
    read from disk can name a path outside its checkpoint directory.
    """
    if not isinstance(entry, dict):
        return "not an object"
    checkpoint_id = entry.get("id")
    match = _ID.fullmatch(checkpoint_id) if isinstance(checkpoint_id, str) else None
    if match is None:
        return f"invalid id {checkpoint_id!r}"
    seq = entry.get("seq")
    if type(seq) is not int or seq != int(match[1]):
        return f"seq {seq!r} does not match id {checkpoint_id}"
    if entry.get("status") not in ("kept", "pruned"):
        return f"invalid status {entry.get('status')!r}"
    if not isinstance(entry.get("manifest_sha256"), str):
        return "no manifest hash"
    files = entry.get("files")
    if not isinstance(files, dict):
        return "no file list"
    for name, info in files.items():
        if not _FILE.fullmatch(name) or name == _MANIFEST:
            return f"invalid file name {name!r}"
        if not (
            isinstance(info, dict)
            and isinstance(info.get("sha256"), str)
            and type(info.get("bytes")) is int
        ):
            return f"invalid hash record for {name}"
    return None


def _regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file itself (not a symlink)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _real_dir(path: Path) -> bool:
    """Whether ``path`` is a directory itself (not a symlink to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


@dataclass(frozen=True)
class _Lineage:
    """What the store knows: entries (sound and corrupt) and its settings."""

    entries: list[Any]
    settings: dict[str, Any] | None
    #: "ok", "missing" (rebuilt from the manifests) or "unreadable" (rebuilt).
    state: str
    detail: str = ""

    @property
    def sound(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if entry_problem(e) is None]

    @property
    def corrupt(self) -> list[tuple[Any, str]]:
        found = ((e, entry_problem(e)) for e in self.entries)
        return [(e, why) for e, why in found if why is not None]


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


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="microseconds"
    )


def _check_optional_int(name: str, value: Any) -> None:
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or value < 1
    ):
        raise ValueError(f"{name} must be None or an int >= 1, got {value!r}.")


class FileStore:
    """A directory of atomic, verified checkpoints with a lineage log (bytes only).

    :class:`~sklearn_warmstart.checkpoints.CheckpointStore` adds saving and
    loading estimators through the codec; the parameters are described there.
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
        #: Take keep_last/keep_every from the store (a store opened by path).
        self._stored_settings = False

    def __repr__(self) -> str:
        return (
            f"CheckpointStore({os.fspath(self.path)!r}, keep_last={self.keep_last}, "
            f"keep_every={self.keep_every})"
        )

    # ------------------------------------------------------------------ ownership
    def _kind(self) -> str:
        """``"absent"``, ``"empty"``, ``"store"`` or ``"legacy"``; else refuse.

        A legacy store was written before the marker existed: it has a
        readable ``lineage.json`` whose kept checkpoints have manifests.
        """
        if not self.path.exists():
            return "absent"
        if not _real_dir(self.path) and not self.path.is_dir():
            raise CheckpointError(f"Checkpoint store {self.path} is not a directory.")
        if _regular_file(self.path / _MARKER):
            return "store"
        names = {p.name for p in self.path.iterdir()} - {_LOCK}
        if not names:
            return "empty"
        try:
            lineage = self._parse_lineage((self.path / _LINEAGE).read_bytes())
            legacy = all(
                _regular_file(self.path / e["id"] / _MANIFEST)
                for e in lineage.sound
                if e["status"] == "kept"
            )
        except (OSError, CheckpointError):
            legacy = False
        if legacy:
            return "legacy"
        raise CheckpointError(
            f"{self.path} is not a checkpoint store (it has no {_MARKER} and no "
            f"readable {_LINEAGE}) and is not empty; sklearn_warmstart neither "
            "writes into nor deletes from folders it did not create, so it was "
            "left untouched. Give an empty or new folder, or an existing store."
        )

    def check_writable(self) -> None:
        """Raise unless this folder is new, empty or a checkpoint store.

        The meta-estimators call it before their first run, so a folder that
        holds other files is refused before anything is trained or written.

        Raises
        ------
        CheckpointError
            If the folder is neither empty nor a checkpoint store.
        """
        self._kind()

    def _claim(self) -> None:
        """Write the store's marker if this store has none yet (under the lock)."""
        if self._kind() == "store":
            return
        atomic_write(
            self.path / _MARKER,
            to_json(
                {
                    "store": "sklearn_warmstart checkpoint store",
                    "format": FORMAT,
                    "created": _utc_now(),
                    "settings": self._settings(),
                }
            ),
        )

    def _settings(self) -> dict[str, Any]:
        return {"keep_last": self.keep_last, "keep_every": self.keep_every}

    def _adopt_settings(self, lineage: _Lineage | None = None) -> None:
        """Take keep_last/keep_every from the store (its lineage, else its marker)."""
        if lineage is None and self.path.is_dir():
            with contextlib.suppress(CheckpointError, OSError):
                lineage = self._load_lineage()
        settings = lineage.settings if lineage is not None else None
        if settings is None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                settings = json.loads((self.path / _MARKER).read_bytes()).get(
                    "settings"
                )
        if not isinstance(settings, dict):
            return
        keep_last, keep_every = settings.get("keep_last"), settings.get("keep_every")
        with contextlib.suppress(ValueError):
            _check_optional_int("keep_last", keep_last)
            _check_optional_int("keep_every", keep_every)
            self.keep_last, self.keep_every = keep_last, keep_every

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

    def _parse_lineage(self, raw: bytes) -> _Lineage:
        path = self.path / _LINEAGE
        try:
            doc = json.loads(raw)
            if doc.get("format") != FORMAT:
                raise ValueError(f"unknown format {doc.get('format')!r}")
            entries = doc["entries"]
            if not isinstance(entries, list):
                raise ValueError("entries is not a list")
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise CheckpointError(
                f"The lineage log {path} is unreadable ({exc}). It is written "
                "atomically, so it was damaged outside this library; restore it "
                "from a backup, or delete it: the next save rebuilds it from "
                "each checkpoint's manifest.json (pruned entries are then lost)."
            ) from exc
        settings = doc.get("settings")
        return _Lineage(entries, settings if isinstance(settings, dict) else None, "ok")

    def _load_lineage(self, *, tolerant: bool = False) -> _Lineage:
        """The lineage log; rebuilt from the manifests when it is missing.

        An unreadable log raises, unless ``tolerant`` (verify), which then
        reports it and checks the rebuilt entries.
        """
        try:
            raw = (self.path / _LINEAGE).read_bytes()
        except FileNotFoundError:
            return _Lineage(self._rebuild(), None, "missing")
        try:
            return self._parse_lineage(raw)
        except CheckpointError as exc:
            if not tolerant:
                raise
            return _Lineage(self._rebuild(), None, "unreadable", str(exc))

    def _read_lineage(self) -> list[dict[str, Any]]:
        """The sound lineage entries."""
        return self._load_lineage().sound

    def _rebuild(self) -> list[dict[str, Any]]:
        """Lineage entries rebuilt from every checkpoint directory's manifest."""
        if not self.path.is_dir():
            return []
        entries = []
        for child in self.path.iterdir():
            if _ID.fullmatch(child.name) and _real_dir(child):
                entry = self._manifest_entry(child)
                if entry is not None:
                    entries.append(entry)
        return sorted(entries, key=_seq)

    def _manifest_entry(self, folder: Path) -> dict[str, Any] | None:
        """A checkpoint directory's manifest as a kept lineage entry, if sound."""
        manifest = folder / _MANIFEST
        if not _regular_file(manifest):
            return None
        try:
            raw = manifest.read_bytes()
            doc = json.loads(raw)
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("id") != folder.name:
            return None
        entry = {**doc, "manifest_sha256": _sha256(raw), "status": "kept"}
        return entry if entry_problem(entry) is None else None

    def _write_lineage(self, entries: list[Any]) -> None:
        body = ",\n".join(
            json.dumps(e, default=json_default, sort_keys=True) for e in entries
        )
        settings = json.dumps(self._settings(), sort_keys=True)
        data = (
            f'{{"format": {FORMAT}, "settings": {settings}, "entries": [\n{body}\n]}}\n'
        ).encode()
        atomic_write(self.path / _LINEAGE, data)

    def _discard(self, folder: Path) -> None:
        """Delete a checkpoint directory: renamed to a trash name first, so a
        writer killed mid-delete leaves debris of a name only the store uses."""
        trash = self.path / f".trash-{uuid.uuid4().hex}"
        os.rename(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def _ours(self, folder: Path) -> bool:
        """Whether ``folder`` is a checkpoint directory this store wrote."""
        return _real_dir(folder) and self._manifest_entry(folder) is not None

    def _remove_orphans(self, entries: list[dict[str, Any]]) -> None:
        """Delete the debris of interrupted writes and failed prunes.

        Only names the store generates are touched: its staging and trash
        directories and temporary files, pruned checkpoints, and complete
        checkpoint directories newer than the lineage (a writer killed before
        its commit). Anything else stays, whatever its name.
        """
        listed = {e["id"]: e for e in entries}
        newest = max((e["seq"] for e in entries), default=-1)
        for child in self.path.iterdir():
            name = child.name
            if _STAGING_NAME.fullmatch(name) and _real_dir(child):
                shutil.rmtree(child, ignore_errors=True)
            elif _TMP_NAME.fullmatch(name) and _regular_file(child):
                with contextlib.suppress(OSError):
                    child.unlink()
            elif match := _ID.fullmatch(name):
                entry = listed.get(name)
                stale = (
                    entry["status"] == "pruned"
                    if entry is not None
                    else int(match[1]) > newest
                ) and self._ours(child)
                if stale:
                    with contextlib.suppress(OSError):  # retried by the next write
                        self._discard(child)

    # ------------------------------------------------------------------ writing
    def write(
        self,
        files: Mapping[str, bytes],
        meta: Mapping[str, Any],
        named: Callable[[str], Mapping[str, bytes]] | None = None,
    ) -> str:
        """Commit one checkpoint of ``files`` with manifest fields ``meta``.

        Takes the store's lock. ``named(checkpoint_id)`` returns the files
        that depend on the new id (called under the lock).

        Returns
        -------
        checkpoint_id : str
            Id of the new checkpoint.

        Raises
        ------
        CheckpointError
            If anything could not be written, or the folder is not a store
            and not empty; the store is then unchanged.
        """
        try:
            self._kind()  # refuse a foreign folder before creating the lock file
            with self._locked():
                return self._commit(files, meta, named)
        except CheckpointError:
            raise
        except OSError as exc:
            raise CheckpointError(
                f"Could not write a checkpoint to {self.path}: {exc}. The store is "
                "unchanged."
            ) from exc

    def _next_id(self, entries: list[dict[str, Any]]) -> tuple[int, str]:
        """The next sequence number whose name is free (nothing planted there)."""
        seq = max((e["seq"] for e in entries), default=-1) + 1
        while os.path.lexists(self.path / f"{_PREFIX}{seq:06d}"):
            seq += 1
        return seq, f"{_PREFIX}{seq:06d}"

    def _commit(
        self,
        files: Mapping[str, bytes],
        meta: Mapping[str, Any],
        named: Callable[[str], Mapping[str, bytes]] | None,
    ) -> str:
        self._claim()
        lineage = self._load_lineage()
        if self._stored_settings:
            self._adopt_settings(lineage)
        entries = lineage.sound
        self._remove_orphans(entries)
        seq, checkpoint_id = self._next_id(entries)
        files = {**files, **(named(checkpoint_id) if named else {})}
        bad = [name for name in files if not _FILE.fullmatch(name) or name == _MANIFEST]
        if bad:
            raise CheckpointError(f"Invalid checkpoint file name(s) {bad}.")

        manifest = {
            "id": checkpoint_id,
            "seq": seq,
            "created": _utc_now(),
            **meta,
            "format": FORMAT,
            "files": {
                name: {"sha256": _sha256(data), "bytes": len(data)}
                for name, data in sorted(files.items())
            },
        }
        manifest_bytes = to_json(manifest)
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
            # Corrupt entries stay in the log as they are, for a person to read.
            corrupt = [e for e, _ in lineage.corrupt]
            kept, doomed = self._retain([*entries, entry])
            self._write_lineage([*corrupt, *kept])  # the commit point (and pruning)
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
            keep |= {
                e["id"]
                for e in kept
                if type(e.get("run")) is int and e["run"] % self.keep_every == 0
            }
        doomed = [e["id"] for e in kept if e["id"] not in keep]
        when = _utc_now()
        updated = [
            {**e, "status": "pruned", "pruned": when} if e["id"] in doomed else e
            for e in entries
        ]
        return updated, doomed

    def _remove(self, doomed: list[str]) -> None:
        """Delete pruned checkpoint directories (a failure is retried later).

        Only a real directory whose manifest names it is removed.
        """
        try:
            for checkpoint_id in doomed:
                folder = self.path / checkpoint_id
                if self._ours(folder):
                    self._discard(folder)
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
        if not _real_dir(folder):
            problem = "not a directory" if os.path.lexists(folder) else "missing"
            return [FileProblem(checkpoint_id, "", problem)], {}
        problems, blobs = [], {}
        expected = {
            _MANIFEST: {"sha256": entry["manifest_sha256"], "bytes": None},
            **entry["files"],
        }
        for name, info in expected.items():
            path = folder / name
            if not _regular_file(path):
                problem = "not a regular file" if os.path.lexists(path) else "missing"
                problems.append(FileProblem(checkpoint_id, name, problem))
                continue
            data = path.read_bytes()
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

    def _readable(self) -> bool:
        """Whether there is a store to read (raises for a foreign folder)."""
        return self._kind() not in ("absent",)

    def verify(self) -> list[FileProblem]:
        """Check every kept checkpoint's files against their recorded sha256.

        Also reports a missing or unreadable ``lineage.json`` (the entries
        are then rebuilt from the manifests and checked) and lineage entries
        whose id or file names are malformed.

        Returns
        -------
        problems : list of FileProblem
            One entry per missing, truncated, altered or unexpected file;
            empty when the store is intact.
        """
        if not self._readable():
            return []
        with self._locked(reading=True):
            lineage = self._load_lineage(tolerant=True)
            problems = []
            if lineage.state == "unreadable":
                problems.append(FileProblem("", _LINEAGE, "unreadable"))
            elif lineage.state == "missing" and (
                lineage.entries or _regular_file(self.path / _MARKER)
            ):
                problems.append(FileProblem("", _LINEAGE, "missing"))
            problems.extend(
                FileProblem(
                    str(entry.get("id") if isinstance(entry, dict) else entry)[:80],
                    "",
                    f"corrupt lineage entry ({why})",
                )
                for entry, why in lineage.corrupt
            )
            for entry in lineage.sound:
                if entry["status"] != "kept":
                    continue
                found, _ = self._check_entry(entry, keep=False)
                problems.extend(found)
                folder = self.path / entry["id"]
                if _real_dir(folder):
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
        if not self._readable():
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
        if not self._readable():
            return []
        with self._locked(reading=True):
            entries = self._read_lineage()
        return [e["id"] for e in sorted(entries, key=_seq) if e["status"] == "kept"]

    def read(
        self, checkpoint_id: str | None = None, decode: Callable | None = None
    ) -> Any:
        """The newest verified checkpoint's files (or the named one's).

        A checkpoint whose files do not match their recorded sha256, or whose
        lineage entry is malformed, is skipped with a
        :class:`CorruptCheckpointWarning` naming it, and the previous one is
        tried.

        Parameters
        ----------
        checkpoint_id : str, default=None
            Load exactly this checkpoint (no fallback).
        decode : callable, default=None
            ``decode(entry, blobs)`` turns a verified checkpoint's lineage entry
            and files into the result (called under the lock); by default the
            pair ``(entry, blobs)`` is returned.

        Returns
        -------
        checkpoint : object
            What ``decode`` returned.

        Raises
        ------
        CheckpointError
            If no verified checkpoint is left (or the named one fails), or the
            folder is not a checkpoint store.
        """
        if not self._readable():
            raise CheckpointError(f"No checkpoint store at {self.path}.")
        with self._locked(reading=True):
            lineage = self._load_lineage()
            if checkpoint_id is None:
                for _entry, why in lineage.corrupt:
                    warnings.warn(
                        f"A lineage entry of {self.path} is corrupt ({why}); it "
                        "was skipped and nothing it names was read.",
                        CorruptCheckpointWarning,
                        stacklevel=2,
                    )
            entries = lineage.sound
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
                    _check_format(entry, self.path)
                    return (entry, blobs) if decode is None else decode(entry, blobs)
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


def _seq(entry: Mapping[str, Any]) -> int:
    return int(entry["seq"])


def _check_format(entry: Mapping[str, Any], where: Path) -> None:
    """Refuse a manifest of a newer format (format 0: written before formats)."""
    found = entry.get("format", 0)
    if not isinstance(found, int) or found > FORMAT:
        raise CheckpointError(
            f"Checkpoint {entry['id']} in {where} has format {found!r}; this "
            f"version of sklearn_warmstart reads formats 0 to {FORMAT}. Upgrade "
            "sklearn_warmstart to load it."
        )
