"""Every use of river's private names, each with a fallback on river's public API.

The only private used today is ``ADWIN._helper``, the compiled core of river's
ADWIN (river 0.26: ``river._river_rust.drift.AdaptiveWindowing``). Driving it
directly costs about a tenth of a call to ``ADWIN.update`` per row, and copying
it directly a fifth of ``copy.deepcopy``. When a river release renames or
reshapes it, :func:`is_plain_adwin` is False: the drift monitor then feeds ADWIN
through ``update``/``drift_detected`` like any other detector and copies it with
``copy.deepcopy`` (slower, same results).

river is imported lazily, so importing :mod:`sklearn_warmstart` stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["adwin_updater", "copy_adwin", "is_plain_adwin"]

_CORE = "_helper"
_CORE_METHODS = ("update", "__getnewargs__", "__getstate__", "__setstate__")


def is_plain_adwin(detector: Any) -> bool:
    """Whether ``detector`` is a river ``ADWIN`` whose compiled core can be used.

    True only for exactly ``river.drift.ADWIN`` (a subclass may override
    ``update``) whose core has the methods used here and whose other attributes
    are immutable scalars, so that :func:`copy_adwin` may share them. Only then
    may :func:`adwin_updater` and :func:`copy_adwin` be called.

    Examples
    --------
    >>> from river import drift
    >>> from sklearn_warmstart._river_compat import is_plain_adwin
    >>> is_plain_adwin(drift.ADWIN()), is_plain_adwin(drift.PageHinkley())
    (True, False)
    """
    from river.drift import ADWIN

    if type(detector) is not ADWIN:
        return False
    core = vars(detector).get(_CORE)
    return all(callable(getattr(core, name, None)) for name in _CORE_METHODS) and all(
        type(value) in (bool, int, float)
        for key, value in vars(detector).items()
        if key != _CORE
    )


def adwin_updater(detector: Any) -> Callable[[float], bool]:
    """``update(x) -> bool`` of a plain ADWIN's core: whether it cut its window.

    river's ``ADWIN.update`` without its wrapper (see :func:`is_plain_adwin`).

    Examples
    --------
    >>> from river import drift
    >>> from sklearn_warmstart._river_compat import adwin_updater
    >>> update = adwin_updater(drift.ADWIN())
    >>> any(update(float(i >= 1000)) for i in range(2000))
    True
    """
    return getattr(detector, _CORE).update


def copy_adwin(detector: Any) -> Any:
    """A deep copy of a plain ADWIN, fed state included (see :func:`is_plain_adwin`).

    Its scalars are shared and its core rebuilt from ``__getnewargs__`` /
    ``__getstate__``, which is what ``copy.deepcopy`` does too, without its
    generic machinery.

    Examples
    --------
    >>> from river import drift
    >>> from sklearn_warmstart._river_compat import copy_adwin
    >>> detector = drift.ADWIN()
    >>> for i in range(100):
    ...     detector.update(i % 2)
    >>> twin = copy_adwin(detector)
    >>> twin is not detector and twin.width == detector.width
    True
    """
    core = getattr(detector, _CORE)
    new = object.__new__(type(detector))
    new.__dict__.update(detector.__dict__)
    twin = type(core).__new__(type(core), *core.__getnewargs__())
    twin.__setstate__(core.__getstate__())
    setattr(new, _CORE, twin)
    return new
