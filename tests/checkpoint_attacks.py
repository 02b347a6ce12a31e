"""What an attacker with write access to a checkpoint store can do (test helpers)."""

import hashlib
import io
import json
import os
import zipfile


def forge(store, checkpoint_id: str, name: str, data: bytes) -> None:
    """Replace a file and rewrite its hashes, as an attacker with write access."""
    folder = store.path / checkpoint_id
    (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_bytes())
    manifest["files"][name] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    manifest_bytes = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(manifest_bytes)
    doc = json.loads((store.path / "lineage.json").read_bytes())
    for entry in doc["entries"]:
        if entry["id"] == checkpoint_id:
            entry["files"] = manifest["files"]
            entry["manifest_sha256"] = hashlib.sha256(manifest_bytes).hexdigest()
    (store.path / "lineage.json").write_text(json.dumps(doc))


class Evil:
    """Unpickling this creates ``marker``: proof that a payload ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def rewrite_lineage(store, change) -> None:
    """Edit ``lineage.json``'s entries in place, as an attacker with write access.

    ``change(entries)`` mutates the list of entry dicts.
    """
    path = store.path / "lineage.json"
    doc = json.loads(path.read_bytes())
    change(doc["entries"])
    path.write_text(json.dumps(doc))


def renamed_skops(data: bytes, module: str, name: str) -> bytes:
    """A skops file whose top-level object claims to be ``module.name``.

    The rest of the file is left as skops wrote it, so only the trust check
    stands between the name and an import of ``module``.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(members["schema.json"])
    schema["__module__"], schema["__class__"] = module, name
    members["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, blob in members.items():
            zf.writestr(member, blob)
    return buffer.getvalue()


def plant_module(folder, name: str, marker) -> None:
    """A module ``name`` in ``folder`` that creates ``marker`` and exits on import."""
    (folder / f"{name}.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "raise SystemExit(0)\n"
        "class Thing:\n"
        "    pass\n"
    )


def snapshot(path) -> dict[str, str]:
    """Every file and link under ``path`` with its sha256 (or link target)."""
    out = {}
    for p in sorted(path.rglob("*")):
        key = str(p.relative_to(path))
        if p.is_symlink():
            out[key] = f"-> {os.readlink(p)}"
        elif p.is_file():
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
