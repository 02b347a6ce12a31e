"""What an attacker with write access to a checkpoint store can do (test helpers)."""

import hashlib
import json


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
