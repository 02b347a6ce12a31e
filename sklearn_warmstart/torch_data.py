"""A device-resident data path for skorch: arrays moved once, batches formed there.

skorch's default data path builds every batch on the host, one row at a time
(``Dataset.__getitem__`` then ``default_collate``), and copies it to the
device. For tabular arrays that is most of an epoch's time on a GPU.
:class:`DeviceDataLoader` moves ``X`` and ``y`` to the net's device once per
training call (once per run) and forms each batch there with one gather of a
shuffled index, so the host stays out of the loop.

It is a drop-in skorch iterator (``iterator_train=DeviceDataLoader``). When the
data is not a plain array dataset (dicts, DataFrames, sparse matrices, custom
``Dataset`` subclasses) or would not fit in the device's free memory, it falls
back to torch's :class:`~torch.utils.data.DataLoader` with the same arguments.

Importing this module imports torch and skorch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ._optional import missing_torch

try:
    import torch
    from skorch.dataset import Dataset as SkorchDataset
    from torch.utils.data import DataLoader, Subset, TensorDataset
except ImportError as exc:  # pragma: no cover - exercised by a simulated import
    raise missing_torch("sklearn_warmstart.torch_data", exc) from exc

__all__ = ["DeviceDataLoader", "resident_arrays"]


def _is_dense_array(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.layout == torch.strided
    return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"


def resident_arrays(dataset: Any) -> tuple[Any, Any, np.ndarray | None] | None:
    """``(X, y, rows)`` behind a dataset whose rows are plain array rows, else None.

    Handles skorch's own ``Dataset`` (not subclasses, which may transform rows),
    ``TensorDataset`` with one or two tensors, and (nested) ``Subset`` s of those
    as skorch's ``ValidSplit`` makes them. ``rows`` is the subset's row index
    (None for all rows); ``y`` is None when the dataset has no target.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> X, y = np.zeros((4, 2), np.float32), np.arange(4)
    >>> Xr, yr, rows = resident_arrays(Dataset(X, y))
    >>> Xr is X, yr is y, rows
    (True, True, None)
    >>> resident_arrays(Dataset({"a": X}, y)) is None
    True
    """
    rows = None
    while isinstance(dataset, Subset):
        index = np.asarray(dataset.indices, dtype=np.int64)
        rows = index if rows is None else index[rows]
        dataset = dataset.dataset
    if type(dataset) is SkorchDataset:
        X, y = dataset.X, dataset.y
    elif isinstance(dataset, TensorDataset) and len(dataset.tensors) in (1, 2):
        X = dataset.tensors[0]
        y = dataset.tensors[1] if len(dataset.tensors) == 2 else None
    else:
        return None
    if not _is_dense_array(X) or (y is not None and not _is_dense_array(y)):
        return None
    if len(X) != len(dataset) or (y is not None and len(y) != len(X)):
        return None
    return X, y, rows


def _nbytes(value: Any, n_rows: int) -> int:
    if value is None or len(value) == 0:
        return 0
    per_row = (
        value.element_size() * value[0].numel()
        if isinstance(value, torch.Tensor)
        else value.itemsize * int(np.prod(value.shape[1:]))
    )
    return int(per_row) * n_rows


def _free_bytes(device: torch.device) -> float:
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return float(free)
    return float("inf")


def _to_device(value: Any, rows: np.ndarray | None, device: torch.device) -> Any:
    tensor = torch.as_tensor(value)
    if rows is not None:
        tensor = tensor[torch.as_tensor(rows, device=tensor.device)]
    return tensor.to(device)


class DeviceDataLoader:
    """skorch iterator whose batches are formed on the device from resident arrays.

    Parameters
    ----------
    dataset : skorch ``Dataset``, ``TensorDataset`` or ``Subset`` of one
        What skorch passes to its iterators.
    batch_size : int, default=128
        Rows per batch (skorch passes the net's ``batch_size``).
    shuffle : bool, default=False
        Draw a new permutation of the rows every epoch, on the device.
    drop_last : bool, default=False
        Drop the last incomplete batch.
    device : str, torch.device or None, default=None
        Where the data lives while the loader is used; ``None`` is the CPU.
        :class:`~sklearn_warmstart.adapters.skorch.SkorchAdapter` sets it to
        the net's ``device``.
    memory_fraction : float, default=0.5
        On CUDA, the data is kept on the device only if it takes at most this
        fraction of the device's free memory; otherwise the loader falls back.
    generator : torch.Generator, default=None
        Seeds the shuffling (one draw); by default one draw from torch's global
        generator, as ``DataLoader`` does.
    **fallback_kwargs : dict
        Passed to ``DataLoader`` when the loader falls back (e.g. ``num_workers``).

    Attributes
    ----------
    resident : bool
        Whether the batches come from device-resident tensors.
    fallback_reason : str or None
        Why the loader fell back to ``DataLoader``.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> from sklearn_warmstart.torch_data import DeviceDataLoader
    >>> X, y = np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5)
    >>> loader = DeviceDataLoader(Dataset(X, y), batch_size=2)
    >>> loader.resident, len(loader)
    (True, 3)
    >>> [yb.tolist() for _, yb in loader]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 128,
        shuffle: bool = False,
        drop_last: bool = False,
        device: Any = None,
        memory_fraction: float = 0.5,
        generator: torch.Generator | None = None,
        **fallback_kwargs: Any,
    ):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.device = torch.device("cpu" if device is None else device)
        if self.device.type == "cuda" and self.device.index is None:
            self.device = torch.device("cuda", torch.cuda.current_device())
        self.memory_fraction = memory_fraction
        self.resident = False
        self.fallback_reason: str | None = None
        arrays = resident_arrays(dataset)
        if arrays is None:
            self.fallback_reason = (
                f"{type(dataset).__name__} does not hold plain dense arrays"
            )
        else:
            X, y, rows = arrays
            n_rows = len(X) if rows is None else len(rows)
            needed = _nbytes(X, n_rows) + _nbytes(y, n_rows)
            free = _free_bytes(self.device)
            if needed > memory_fraction * free:
                self.fallback_reason = (
                    f"the data needs {needed / 2**20:.1f} MiB, more than "
                    f"{memory_fraction:g} of the {free / 2**20:.1f} MiB free on "
                    f"{self.device}"
                )
            else:
                self._X = _to_device(X, rows, self.device)
                self._y = None if y is None else _to_device(y, rows, self.device)
                self._n = n_rows
                self.resident = True
        if not self.resident:
            self._loader = DataLoader(
                dataset,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                drop_last=self.drop_last,
                generator=generator,
                **fallback_kwargs,
            )
            return
        self._generator = None
        if self.shuffle:
            if generator is None:
                seed = int(torch.empty((), dtype=torch.int64).random_().item())
            else:
                seed = int(
                    torch.empty((), dtype=torch.int64).random_(generator=generator)
                )
            self._generator = torch.Generator(device=self.device).manual_seed(seed)

    def __len__(self) -> int:
        if not self.resident:
            return len(self._loader)
        if self.drop_last:
            return self._n // self.batch_size
        return -(-self._n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if not self.resident:
            yield from self._loader
            return
        n, size = self._n, self.batch_size
        stop = n - n % size if self.drop_last else n
        order = None
        if self.shuffle:
            order = torch.randperm(n, device=self.device, generator=self._generator)
        for start in range(0, stop, size):
            if order is None:
                Xb = self._X[start : start + size]
                yb = None if self._y is None else self._y[start : start + size]
            else:
                index = order[start : start + size]
                Xb = self._X.index_select(0, index)
                yb = None if self._y is None else self._y.index_select(0, index)
            if yb is None:  # skorch's Dataset yields a dummy target per row
                yb = torch.zeros((len(Xb), 1), device=self.device)
            yield Xb, yb
