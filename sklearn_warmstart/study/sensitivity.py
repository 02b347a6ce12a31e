"""How steeply a trained model's score falls as its parameters are perturbed."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.metrics import check_scoring

from ..adapters import adapter_for
from ..policies import Perturb
from .fit import perturbed_scores
from .resolve import as_wrapper, check_noise, n_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["perturbation_sensitivity"]


def perturbation_sensitivity(
    estimator: Any,
    X: Any,
    y: Any,
    noise: Sequence[float] = (0.0, 0.01, 0.03, 0.1, 0.3),
    *,
    draws: int = 5,
    test_size: float = 0.25,
    scoring: Any = None,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Score drop as the trained parameters are perturbed (a sharp optimum is steep).

    The estimator is trained on the first rows (one run, or its whole
    ``schedule`` if it is a meta-estimator with one); its parameters are then
    perturbed as :class:`~sklearn_warmstart.policies.Perturb` would
    (``θ + σ·rms(θ)·ε`` per array) without further training, and each
    perturbed model is scored on the last ``test_size`` of the rows.

    Parameters
    ----------
    estimator : estimator
        A model with parameter arrays (linear, MLP, skorch), plain or wrapped.
    X : array-like of shape (n_samples, n_features)
        Rows in time order.
    y : array-like of shape (n_samples,)
        Targets.
    noise : list of float, default=(0.0, 0.01, 0.03, 0.1, 0.3)
        Relative noise levels σ.
    draws : int, default=5
        Perturbations per level.
    test_size : float, default=0.25
        Fraction of the rows, at the end, held out for scoring.
    scoring : str, callable or None, default=None
        Scorer (the model's ``score`` by default).
    random_state : int or None, default=None
        Seeds the training (when the meta-estimator has none) and the draws.

    Returns
    -------
    table : DataFrame
        One row per (noise, draw): ``noise``, ``draw``, ``seed``,
        ``base_score`` (unperturbed), ``score``, ``drop``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_warmstart.study import perturbation_sensitivity
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> curve = perturbation_sensitivity(LogisticRegression(), X, y, noise=[0, 1.0],
    ...                                  draws=3, random_state=0)
    >>> curve.groupby("noise")["drop"].mean().round(2).tolist()[0]
    0.0
    """
    levels = check_noise(noise, "noise")
    if not isinstance(draws, Integral) or draws < 1:
        raise ValueError(f"draws must be an int >= 1, got {draws!r}.")
    if not isinstance(test_size, Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
    if random_state is None:
        random_state = int(np.random.SeedSequence().generate_state(1)[0])
    wrapper = as_wrapper(estimator, None)
    if wrapper.random_state is None:
        wrapper.set_params(random_state=random_state)
    adapter = adapter_for(wrapper.estimator)
    adapter.check_start(Perturb(0.0), "fit")
    n_samples = n_rows(X)
    cut = n_samples - max(int(round(test_size * n_samples)), 1)
    if cut < 2:
        raise ValueError(f"{n_samples} rows are too few to train and hold out.")
    index = np.arange(n_samples)
    take = (
        (lambda A, rows: A.iloc[rows])
        if hasattr(X, "iloc")
        else (lambda A, rows: A[rows])
    )
    y_arr = np.asarray(y)
    fitted = wrapper.fit(take(X, index[:cut]), y_arr[:cut])
    model = fitted.estimator_
    rows = perturbed_scores(
        adapter,
        model,
        check_scoring(model, scoring),
        take(X, index[cut:]),
        y_arr[cut:],
        levels,
        int(draws),
        [int(random_state), 11],
    )
    import pandas as pd

    return pd.DataFrame(rows)
