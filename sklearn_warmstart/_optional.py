"""Clear errors for optional dependencies (imports nothing optional itself)."""

from __future__ import annotations

__all__ = ["missing_torch"]

TORCH_EXTRA = 'pip install "sklearn-warmstart[torch]"'


def missing_torch(what: str, exc: ImportError) -> ImportError:
    """The error raised when ``what`` needs torch/skorch and they are missing.

    Examples
    --------
    >>> from sklearn_warmstart._optional import missing_torch
    >>> print(missing_torch("skorch nets", ImportError("No module named 'torch'")))
    skorch nets need torch and skorch, which are not installed (No module named 'torch'). Install them with: pip install "sklearn-warmstart[torch]"
    """
    return ImportError(
        f"{what} need torch and skorch, which are not installed ({exc}). "
        f"Install them with: {TORCH_EXTRA}"
    )
