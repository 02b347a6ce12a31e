"""Clear errors for optional dependencies (imports nothing optional itself).

Each error names the extra that installs what is missing.
"""

from __future__ import annotations

__all__ = ["PLOT_EXTRA", "TORCH_EXTRA", "missing_extra", "missing_torch"]

TORCH_EXTRA = 'pip install "sklearn-warmstart[torch]"'
PLOT_EXTRA = 'pip install "sklearn-warmstart[plot]"'


def missing_extra(
    what: str, packages: str, install: str, exc: ImportError
) -> ImportError:
    """The error raised when ``what`` needs ``packages`` and they are missing.

    Parameters
    ----------
    what : str
        What the user asked for (the subject of the sentence, plural verb).
    packages : str
        The missing packages, as the user would install them.
    install : str
        The command that installs them, e.g. :data:`PLOT_EXTRA`.
    exc : ImportError
        The original import error (its message is kept).

    Examples
    --------
    >>> from sklearn_warmstart._optional import PLOT_EXTRA, missing_extra
    >>> print(missing_extra("Plots", "matplotlib", PLOT_EXTRA,
    ...                     ImportError("No module named 'matplotlib'")))
    Plots need matplotlib, which is not installed (No module named 'matplotlib'). Install it with: pip install "sklearn-warmstart[plot]"
    """
    verb = "are" if " and " in packages else "is"
    pronoun = "them" if " and " in packages else "it"
    return ImportError(
        f"{what} need {packages}, which {verb} not installed ({exc}). "
        f"Install {pronoun} with: {install}"
    )


def missing_torch(what: str, exc: ImportError) -> ImportError:
    """The error raised when ``what`` needs torch/skorch and they are missing.

    Examples
    --------
    >>> from sklearn_warmstart._optional import missing_torch
    >>> print(missing_torch("skorch nets", ImportError("No module named 'torch'")))
    skorch nets need torch and skorch, which are not installed (No module named 'torch'). Install them with: pip install "sklearn-warmstart[torch]"
    """
    return missing_extra(what, "torch and skorch", TORCH_EXTRA, exc)
