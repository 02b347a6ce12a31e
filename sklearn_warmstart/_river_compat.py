"""Every use of river's private names, each with a fallback on river's public API.

The only private used today is ``ADWIN._helper``, the compiled core of river's
ADWIN (river 0.26: ``river._river_rust.drift.AdaptiveWindowing``). Driving it
directly costs about a tenth of a call to ``ADWIN.update`` per row, and copying
it directly a fifth of ``copy.deepcopy``. When a river release renames or
reshapes it, :func:`adwin_core` returns None: the drift monitor then feeds ADWIN
through ``update``/``drift_detected`` like any other detector, and
:func:`copy_detector` uses ``copy.deepcopy``: slower, same results.

river is imported lazily, so importing :mod:`sklearn_warmstart` stays light.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["adwin_core", "copy_detector"]

_CORE = "_helper"
_CORE_METHODS = ("update", "__getnewargs__", "__getstate__", "__setstate__")


def adwin_core(detector: Any) -> Any | None:
    """The compiled core of a plain river ``ADWIN``, or None.

    None unless ``detector`` is exactly ``river.drift.ADWIN`` (no subclass),
    its core has the methods used here, and every other attribute is an
    immutable scalar, so that :func:`copy_detector` may copy it field by field.
    The core's ``update(x)`` feeds one value and returns whether ADWIN cut its
    window (a drift): river's ``ADWIN.update`` without its wrapper.

    Examples
    --------
    >>> from river import drift
    >>> from sklearn_warmstart._river_compat import adwin_core
    >>> adwin_core(drift.ADWIN()) is not None
    True
    >>> adwin_core(drift.PageHinkley()) is None
    True
    """
    from river.drift import ADWIN

    if type(detector) is not ADWIN:
        return None
    core = vars(detector).get(_CORE)
    if core is None or not all(
        callable(getattr(core, name, None)) for name in _CORE_METHODS
    ):
        return None
    if not all(
        type(value) in (bool, int, float)
        for key, value in vars(detector).items()
        if key != _CORE
    ):
        return None
    return core


def copy_detector(detector: Any, memo: dict | None = None) -> Any:
    """A deep copy of a river detector, fed state included.

    A plain ``ADWIN`` is copied field by field and its core rebuilt from its
    ``__getnewargs__``/``__getstate__``, which is what ``copy.deepcopy`` does
    too, without its generic machinery. Anything else goes through
    ``copy.deepcopy``.

    Examples
    --------
    >>> from river import drift
    >>> from sklearn_warmstart._river_compat import copy_detector
    >>> detector = drift.ADWIN()
    >>> for i in range(100):
    ...     detector.update(i % 2)
    >>> twin = copy_detector(detector)
    >>> twin is not detector and twin.width == detector.width
    True
    """
    core = adwin_core(detector)
    if core is None:
        return copy.deepcopy(detector, memo)
    new = object.__new__(type(detector))
    new.__dict__.update(detector.__dict__)
    twin = type(core).__new__(type(core), *core.__getnewargs__())
    twin.__setstate__(core.__getstate__())
    setattr(new, _CORE, twin)
    return new
