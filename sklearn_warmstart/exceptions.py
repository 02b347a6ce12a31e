"""The errors a run can end with and the warnings it can give.

Each says what went wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "ArchitectureChangedError",
    "DivergenceError",
    "FirstRunStartWarning",
    "UnsupportedStartError",
]


class UnsupportedStartError(ValueError):
    """The model family cannot honour the requested start."""


class ArchitectureChangedError(ValueError):
    """The model's parameter shapes changed between runs, so it cannot inherit them."""


class DivergenceError(FloatingPointError):
    """A run produced non-finite parameters or loss; nothing was committed."""


class FirstRunStartWarning(UserWarning):
    """A start that cannot act yet: the first ``fit`` has no model to start from.

    Given once, at the first ``fit`` of a meta-estimator whose start is not
    cold and that has neither a ``schedule`` nor an ``init`` model. That
    run is cold whatever the start says; the start takes effect from the
    second run. A search over ``start`` that fits each candidate once (such
    as :class:`~sklearn.model_selection.GridSearchCV` without a schedule)
    therefore scores every start the same: give the meta-estimator
    ``schedule=Retrain(...)`` so one ``fit`` replays a sequence of runs.

    A nightly job that knows this filters the warning by its category.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_warmstart import FirstRunStartWarning, WarmStartClassifier
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FirstRunStartWarning)
    ...     clf = WarmStartClassifier(SGDClassifier(), random_state=0).fit(X, y)
    >>> clf.history_[0].start
    'cold'
    """
