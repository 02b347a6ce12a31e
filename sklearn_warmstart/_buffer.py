"""A bounded buffer of the most recent streaming rows, for resets in ``partial_fit``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


def _stack(parts: list[Any]) -> Any:
    if any(sp.issparse(p) for p in parts):
        return sp.vstack(parts, format="csr")
    return np.concatenate(parts)


def _own_copy(X: Any) -> Any:
    return X.copy() if hasattr(X, "copy") else np.array(X, copy=True)


@dataclass(frozen=True)
class RowBuffer:
    """The last ``size`` rows seen, oldest first. Immutable: ``add`` returns a new one.

    Rows are kept as the chunks they came in (copies), so adding a chunk costs
    a copy of that chunk only, not of the whole buffer; ``X``/``y`` join them
    when a reset needs them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart._buffer import RowBuffer
    >>> buffer = RowBuffer(3).add(np.zeros((2, 1)), np.array([0, 1]))
    >>> buffer = buffer.add(np.ones((2, 1)), np.array([2, 3]))
    >>> len(buffer), buffer.y.tolist()
    (3, [1, 2, 3])
    """

    size: int
    chunks: tuple[tuple[Any, np.ndarray], ...] = ()
    #: Rows of the oldest chunk that are no longer part of the buffer.
    skip: int = 0

    def __len__(self) -> int:
        return sum(len(y) for _, y in self.chunks) - self.skip

    def _parts(self) -> tuple[list[Any], list[np.ndarray]]:
        Xs = [X for X, _ in self.chunks]
        ys = [y for _, y in self.chunks]
        if self.skip:
            Xs[0], ys[0] = Xs[0][self.skip :], ys[0][self.skip :]
        return Xs, ys

    @functools.cached_property
    def X(self) -> Any:
        """The buffered rows (None when empty)."""
        if not self.chunks:
            return None
        Xs, _ = self._parts()
        return Xs[0] if len(Xs) == 1 else _stack(Xs)

    @functools.cached_property
    def y(self) -> np.ndarray | None:
        """The buffered targets (None when empty)."""
        if not self.chunks:
            return None
        _, ys = self._parts()
        return ys[0] if len(ys) == 1 else np.concatenate(ys)

    def with_rows(self, X: Any, y: Any) -> tuple[Any, Any]:
        """The buffered rows followed by ``X, y``, cut to the last ``size`` rows."""
        if not self.chunks:
            return X[-self.size :], y[-self.size :]
        X_all, y_all = _stack([self.X, X]), np.concatenate([self.y, y])
        return X_all[-self.size :], y_all[-self.size :]

    def add(self, X: Any, y: Any) -> RowBuffer:
        """A buffer that also holds ``X, y`` (dropping the oldest rows)."""
        if self.size == 0:
            return self
        if len(y) >= self.size:
            return RowBuffer(
                self.size,
                ((_own_copy(X[-self.size :]), np.array(y[-self.size :])),),
            )
        chunks = [*self.chunks, (_own_copy(X), np.array(y, copy=True))]
        excess = sum(len(c[1]) for c in chunks) - self.skip - self.size
        skip = self.skip
        while excess > 0 and excess >= len(chunks[0][1]) - skip:
            excess -= len(chunks[0][1]) - skip
            chunks.pop(0)
            skip = 0
        return RowBuffer(self.size, tuple(chunks), skip + max(excess, 0))
