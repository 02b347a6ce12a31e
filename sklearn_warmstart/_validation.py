"""Validation helpers shared by the package.

Parameter checks: one int, real and choice check for every module. Every
message reads ``"<name> must be <what>, got <value>."`` so that a user sees
which parameter was wrong and what it accepts.

``sklearn.utils.check_scalar`` does the same job but raises ``TypeError`` for a
value of the wrong type (``n_runs=2.5``) where this package has always raised
``ValueError``, and accepts ``True`` as the int 1; using it would change both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

__all__ = ["check_choice", "check_int", "check_real", "is_int", "is_real"]

# Parameter checks
# ---------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (Python or numpy), booleans excluded."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a finite real number (ints included), booleans excluded."""
    if not isinstance(value, Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def _fail(name: str, what: str, value: Any, none_ok: bool, note: str) -> None:
    what = f"None or {what}" if none_ok else what
    raise ValueError(f"{name} must be {what}, got {value!r}.{note and ' ' + note}")


def check_int(
    value: Any,
    name: str,
    *,
    low: int | None = 1,
    none_ok: bool = False,
    note: str = "",
) -> int | None:
    """Return ``value`` as an int after checking it is one and ``>= low``.

    Parameters
    ----------
    value : object
        What the user passed.
    name : str
        How the message names the parameter, e.g. ``"Retrain(n_runs=...)"``.
    low : int or None, default=1
        Smallest accepted value; None for any int.
    none_ok : bool, default=False
        Whether None is accepted (and returned).
    note : str, default=""
        A sentence appended to the message.

    Raises
    ------
    ValueError
        ``"<name> must be [None or ]an int[ >= low], got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_int
    >>> check_int(3, "chunk_size")
    3
    >>> check_int(0, "chunk_size")
    Traceback (most recent call last):
    ...
    ValueError: chunk_size must be an int >= 1, got 0.
    """
    if value is None and none_ok:
        return None
    if not is_int(value) or (low is not None and value < low):
        what = "an int" if low is None else f"an int >= {low}"
        _fail(name, what, value, none_ok, note)
    return int(value)


def check_real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    none_ok: bool = False,
    note: str = "",
) -> float | None:
    """Return ``value`` as a float after checking it is finite and in ``[low, high]``.

    Parameters
    ----------
    value : object
        What the user passed.
    name : str
        How the message names the parameter.
    low, high : float or None, default=None
        Inclusive bounds; None for no bound.
    none_ok : bool, default=False
        Whether None is accepted (and returned).
    note : str, default=""
        A sentence appended to the message.

    Raises
    ------
    ValueError
        ``"<name> must be a finite number in [low, high], got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_real
    >>> check_real(0.4, "shrink", low=0.0, high=1.0)
    0.4
    >>> check_real(float("nan"), "noise", low=0.0)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a finite number >= 0.0, got nan.
    """
    if value is None and none_ok:
        return None
    ok = is_real(value)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        if low is not None and high is not None:
            bounds = f" in [{low}, {high}]"
        elif low is not None:
            bounds = f" >= {low}"
        elif high is not None:
            bounds = f" <= {high}"
        else:
            bounds = ""
        _fail(name, f"a finite number{bounds}", value, none_ok, note)
    return float(value)


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """Return ``value`` after checking it is one of ``choices``.

    Raises
    ------
    ValueError
        ``"<name> must be 'a', 'b' or 'c', got <value>."``

    Examples
    --------
    >>> from sklearn_warmstart._validation import check_choice
    >>> check_choice("sliding", "window", ("expanding", "sliding"))
    'sliding'
    >>> check_choice("growing", "window", ("expanding", "sliding"))
    Traceback (most recent call last):
    ...
    ValueError: window must be 'expanding' or 'sliding', got 'growing'.
    """
    if isinstance(value, str | int | float | bool | None) and value in choices:
        return value
    names = [repr(c) for c in choices]
    what = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    raise ValueError(f"{name} must be {what}, got {value!r}.")
