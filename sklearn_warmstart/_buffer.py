"""A bounded buffer of the most recent streaming rows, for resets in ``partial_fit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


def _stack(parts: list[Any]) -> Any:
    if any(sp.issparse(p) for p in parts):
        return sp.vstack(parts, format="csr")
    return np.concatenate(parts)


@dataclass(frozen=True)
class RowBuffer:
    """The last ``size`` rows seen, oldest first. Immutable: ``add`` returns a new one."""

    size: int
    X: Any = None
    y: Any = None

    def __len__(self) -> int:
        return 0 if self.y is None else len(self.y)

    def with_rows(self, X: Any, y: Any) -> tuple[Any, Any]:
        """The buffered rows followed by ``X, y``, cut to the last ``size`` rows."""
        if self.y is None:
            return X[-self.size :], y[-self.size :]
        X_all, y_all = _stack([self.X, X]), np.concatenate([self.y, y])
        return X_all[-self.size :], y_all[-self.size :]

    def add(self, X: Any, y: Any) -> RowBuffer:
        """A buffer that also holds ``X, y`` (dropping the oldest rows)."""
        if self.size == 0:
            return self
        X_new, y_new = self.with_rows(X, y)
        if X_new is X or (not sp.issparse(X_new) and np.shares_memory(X_new, X)):
            X_new = X_new.copy()
            y_new = np.array(y_new, copy=True)
        return RowBuffer(self.size, X_new, y_new)
