"""Frozen weighted votes of fitted models: what an ``Adaptive`` wrapper serves.

A leaf module (scikit-learn and numpy only): a vote holds fitted models and
their weights, and nothing of the policy that chose them, so it can be
pickled and deployed on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["WeightedVoteClassifier", "WeightedVoteRegressor"]


def _all_have(method: str):
    def check(vote: Any) -> bool:
        return all(hasattr(e, method) for e in vote.estimators)

    return check


class _WeightedVote(BaseEstimator):
    """What the classifier and regressor votes share."""

    def __init__(self, estimators: Sequence[Any], weights: Sequence[float]):
        self.estimators = estimators
        self.weights = weights

    def fit(self, X: Any = None, y: Any = None) -> _WeightedVote:
        """Freeze the vote of the already fitted ``estimators``; nothing is trained.

        Parameters
        ----------
        X, y : ignored
            Present for the scikit-learn API.

        Returns
        -------
        self : object
            The vote, ready to predict.
        """
        estimators = list(self.estimators)
        weights = np.asarray(self.weights, dtype=np.float64)
        if not estimators or weights.shape != (len(estimators),):
            raise ValueError(
                f"A weighted vote needs one weight per estimator, got "
                f"{len(estimators)} estimator(s) and weights of shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or weights.min() < 0 or weights.sum() <= 0:
            raise ValueError(
                f"weights must be finite, >= 0 and not all zero, got {weights}."
            )
        for estimator in estimators:
            check_is_fitted(estimator)
        self.estimators_ = estimators
        self.weights_ = weights / weights.sum()
        n_features = getattr(estimators[0], "n_features_in_", None)
        if n_features is not None:
            self.n_features_in_ = n_features
        return self

    def _mean(self, method: str, X: Any) -> np.ndarray:
        check_is_fitted(self, "weights_")
        total = None
        for weight, estimator in zip(self.weights_, self.estimators_):
            if weight == 0.0:
                continue
            part = weight * np.asarray(getattr(estimator, method)(X), dtype=np.float64)
            total = part if total is None else total + part
        return total


class WeightedVoteClassifier(ClassifierMixin, _WeightedVote):
    """The weighted vote of fitted classifiers sharing the same ``classes_``.

    ``predict_proba`` is the weighted mean of the members' probabilities and
    ``predict`` its most probable class when every member has
    ``predict_proba``; otherwise ``predict`` is the class with the largest
    sum of weights among the members' predictions (ties go to the first class
    in ``classes_``). ``decision_function`` is the weighted mean of the
    members' decision functions.

    Parameters
    ----------
    estimators : list of fitted classifiers
        The members; they are used as they are, never refitted.
    weights : list of float
        One weight >= 0 per member (normalised to sum to 1).

    Attributes
    ----------
    estimators_ : list
        The members.
    weights_ : ndarray of shape (n_estimators,)
        The normalised weights.
    classes_ : ndarray of shape (n_classes,)
        The members' classes.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_warmstart.serving import WeightedVoteClassifier
    >>> X, y = make_classification(n_samples=100, random_state=0)
    >>> a = LogisticRegression(C=0.01).fit(X, y)
    >>> b = LogisticRegression(C=1.0).fit(X, y)
    >>> vote = WeightedVoteClassifier([a, b], [0.25, 0.75]).fit()
    >>> proba = 0.25 * a.predict_proba(X) + 0.75 * b.predict_proba(X)
    >>> bool((vote.predict_proba(X) == proba).all())
    True
    """

    def fit(self, X: Any = None, y: Any = None) -> WeightedVoteClassifier:
        super().fit(X, y)
        classes = self.estimators_[0].classes_
        for estimator in self.estimators_[1:]:
            if not np.array_equal(estimator.classes_, classes):
                raise ValueError(
                    f"Every member must know the same classes; got {classes} and "
                    f"{estimator.classes_}."
                )
        self.classes_ = classes
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The vote's class for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        if _all_have("predict_proba")(self):
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        check_is_fitted(self, "weights_")
        votes = None
        for weight, estimator in zip(self.weights_, self.estimators_):
            hits = estimator.predict(X)[:, None] == self.classes_[None, :]
            part = weight * hits
            votes = part if votes is None else votes + part
        return self.classes_[np.argmax(votes, axis=1)]

    @available_if(_all_have("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Weighted mean of the members' probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return self._mean("predict_proba", X)

    @available_if(_all_have("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Weighted mean of the members' decision functions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The weighted decision scores.
        """
        return self._mean("decision_function", X)


class WeightedVoteRegressor(RegressorMixin, _WeightedVote):
    """The weighted mean of fitted regressors' predictions.

    Parameters
    ----------
    estimators : list of fitted regressors
        The members; they are used as they are, never refitted.
    weights : list of float
        One weight >= 0 per member (normalised to sum to 1).

    Attributes
    ----------
    estimators_ : list
        The members.
    weights_ : ndarray of shape (n_estimators,)
        The normalised weights.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_warmstart.serving import WeightedVoteRegressor
    >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    >>> a, b = Ridge(alpha=1.0).fit(X, y), Ridge(alpha=100.0).fit(X, y)
    >>> vote = WeightedVoteRegressor([a, b], [1.0, 1.0]).fit()
    >>> bool((vote.predict(X) == 0.5 * a.predict(X) + 0.5 * b.predict(X)).all())
    True
    """

    def predict(self, X: Any) -> np.ndarray:
        """Weighted mean of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The weighted mean prediction.
        """
        return self._mean("predict", X)
