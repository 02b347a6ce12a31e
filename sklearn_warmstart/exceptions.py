"""The errors a run can end with; each says what went wrong and what to do."""

from __future__ import annotations

__all__ = ["ArchitectureChangedError", "DivergenceError", "UnsupportedStartError"]


class UnsupportedStartError(ValueError):
    """The model family cannot honour the requested start."""


class ArchitectureChangedError(ValueError):
    """The model's parameter shapes changed between runs, so it cannot inherit them."""


class DivergenceError(FloatingPointError):
    """A run produced non-finite parameters or loss; nothing was committed."""
