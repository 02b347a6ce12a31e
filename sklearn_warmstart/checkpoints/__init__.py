"""A safe, atomic, versioned checkpoint store with lineage.

Every committed run of a meta-estimator with ``checkpoint=`` writes one
checkpoint: a directory ``ckpt-NNNNNN`` holding the model, the run history and
everything else needed to continue, plus a ``manifest.json`` with the run's
lineage (run index, parent checkpoint, start decision, drift events, data
fingerprint, library versions, UTC time, format version) and the sha256 of
every file.

Two layers: :mod:`~sklearn_warmstart.checkpoints.store` writes, verifies and
reads files (bytes in, bytes out: it knows no models), and
:mod:`~sklearn_warmstart.checkpoints.codec` maps a meta-estimator's
:class:`~sklearn_warmstart.checkpoints.codec.CheckpointContent` to files, the
model through its adapter's payload hooks. The serialisation primitives (npz,
JSON, skops with the trust list) live in ``sklearn_warmstart._serial``.
"""

from .._serial import (
    CheckpointError,
    Payload,
    UnsafeCheckpointError,
)
from .codec import (
    Checkpoint,
    CheckpointContent,
    CheckpointStore,
    as_store,
    load_model,
    resume_estimator,
    torch_load_payload,
)
from .store import (
    FORMAT,
    CorruptCheckpointWarning,
    FileProblem,
    atomic_write,
    fingerprint,
)

__all__ = [
    "FORMAT",
    "Checkpoint",
    "CheckpointContent",
    "CheckpointError",
    "CheckpointStore",
    "CorruptCheckpointWarning",
    "FileProblem",
    "Payload",
    "UnsafeCheckpointError",
    "as_store",
    "atomic_write",
    "fingerprint",
    "load_model",
    "resume_estimator",
    "torch_load_payload",
]
