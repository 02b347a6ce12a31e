"""Run records and the history that collects them (see :mod:`sklearn_warmstart.records`).

Kept so that ``from sklearn_warmstart.history import History, RunRecord``
goes on working.
"""

from .records import DriftEvent, History, RunRecord

__all__ = ["DriftEvent", "History", "RunRecord"]
