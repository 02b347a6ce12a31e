"""A bounded buffer of the most recent streaming rows, for resets in ``partial_fit``."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp


def _stack(parts: list[Any]) -> Any:
    if any(sp.issparse(p) for p in parts):
        return sp.vstack(parts, format="csr")
    return np.concatenate(parts)


def _own_copy(X: Any) -> Any:
    return X.copy() if hasattr(X, "copy") else np.array(X, copy=True)


class RowBuffer:
    """The last ``size`` rows seen, oldest first. Immutable: ``add`` returns a new one.

    Rows are kept as the chunks they came in (copies), so adding a chunk costs
    a copy of that chunk only, not of the whole buffer; ``X``/``y`` join them
    when a reset needs them.

    Parameters
    ----------
    size : int
        Capacity in rows.
    X, y : arrays, default=None
        Rows it starts with (e.g. restored from a checkpoint), at most ``size``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart._buffer import RowBuffer
    >>> buffer = RowBuffer(3).add(np.zeros((2, 1)), np.array([0, 1]))
    >>> buffer = buffer.add(np.ones((2, 1)), np.array([2, 3]))
    >>> len(buffer), buffer.y.tolist()
    (3, [1, 2, 3])
    """

    __slots__ = ("_X", "_chunks", "_skip", "_y", "size")

    def __init__(self, size: int, X: Any = None, y: Any = None):
        chunks = () if y is None or len(y) == 0 else ((X, np.asarray(y)),)
        self._set(size, chunks, 0)

    def _set(self, size: int, chunks: tuple, skip: int) -> None:
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "_chunks", chunks)
        object.__setattr__(self, "_skip", skip)
        object.__setattr__(self, "_X", None)
        object.__setattr__(self, "_y", None)

    @classmethod
    def _of(cls, size: int, chunks: tuple, skip: int = 0) -> RowBuffer:
        buffer = cls.__new__(cls)
        buffer._set(size, chunks, skip)
        return buffer

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RowBuffer is immutable; use add().")

    def __reduce__(self):
        return RowBuffer._of, (self.size, self._chunks, self._skip)

    def __repr__(self) -> str:
        return f"RowBuffer(size={self.size}, rows={len(self)})"

    def __len__(self) -> int:
        return sum(len(y) for _, y in self._chunks) - self._skip

    def _join(self) -> None:
        Xs = [X for X, _ in self._chunks]
        ys = [y for _, y in self._chunks]
        if self._skip:
            Xs[0], ys[0] = Xs[0][self._skip :], ys[0][self._skip :]
        object.__setattr__(self, "_X", Xs[0] if len(Xs) == 1 else _stack(Xs))
        object.__setattr__(self, "_y", ys[0] if len(ys) == 1 else np.concatenate(ys))

    @property
    def X(self) -> Any:
        """The buffered rows (None when empty)."""
        if self._chunks and self._X is None:
            self._join()
        return self._X

    @property
    def y(self) -> np.ndarray | None:
        """The buffered targets (None when empty)."""
        if self._chunks and self._y is None:
            self._join()
        return self._y

    def with_rows(self, X: Any, y: Any) -> tuple[Any, Any]:
        """The buffered rows followed by ``X, y``, cut to the last ``size`` rows."""
        if not self._chunks:
            return X[-self.size :], y[-self.size :]
        X_all, y_all = _stack([self.X, X]), np.concatenate([self.y, y])
        return X_all[-self.size :], y_all[-self.size :]

    def last(self, n: int) -> RowBuffer:
        """A buffer of only the last ``n`` rows (all of them if it holds fewer)."""
        excess = len(self) - max(n, 0)
        if excess <= 0:
            return self
        chunks, skip = list(self._chunks), self._skip
        while chunks and excess >= len(chunks[0][1]) - skip:
            excess -= len(chunks[0][1]) - skip
            chunks.pop(0)
            skip = 0
        return RowBuffer._of(self.size, tuple(chunks), skip + excess if chunks else 0)

    def add(self, X: Any, y: Any) -> RowBuffer:
        """A buffer that also holds ``X, y`` (dropping the oldest rows)."""
        if self.size == 0:
            return self
        if len(y) >= self.size:
            chunk = (_own_copy(X[-self.size :]), np.array(y[-self.size :]))
            return RowBuffer._of(self.size, (chunk,))
        chunks = [*self._chunks, (_own_copy(X), np.array(y, copy=True))]
        excess = sum(len(c[1]) for c in chunks) - self._skip - self.size
        skip = self._skip
        while excess > 0 and excess >= len(chunks[0][1]) - skip:
            excess -= len(chunks[0][1]) - skip
            chunks.pop(0)
            skip = 0
        return RowBuffer._of(self.size, tuple(chunks), skip + max(excess, 0))
