"""Built-in scenarios: time-ordered arrays with known drift positions.

Synthetic streams come from :mod:`river.datasets.synth` and are generated on
demand from a seed; the real data sets are the ones river ships inside its
package (nothing is downloaded). Generated arrays are cached in memory and a
fresh copy is returned on every call.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_int

__all__ = ["Scenario", "list_scenarios", "load_scenario"]


@dataclass(frozen=True)
class Scenario:
    """A time-ordered data set and what is known about its drifts.

    Attributes
    ----------
    name : str
        The scenario's name, as given to :func:`load_scenario`.
    X : ndarray of shape (n_samples, n_features)
        Rows in time order.
    y : ndarray of shape (n_samples,)
        Targets in time order.
    drift_positions : tuple of int
        Row indices where a change begins (empty when none is known): of the
        concept, or of the inputs alone in ``"sea_covariate"``.
    drift_width : int
        Rows over which each change is spread (1 for abrupt, 0 without drift).
    task : {"classification", "regression"}
        The learning task.
    feature_names : tuple of str
        Column names.
    description : str
        One sentence on what the scenario simulates.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    drift_positions: tuple[int, ...]
    drift_width: int
    task: str
    feature_names: tuple[str, ...]
    description: str

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return len(self.y)


@dataclass(frozen=True)
class _Spec:
    make: Callable[[int, int], tuple[Iterable, tuple[int, ...], int]]
    task: str
    default_size: int
    description: str
    fixed_size: bool = False


def _synth():
    from river.datasets import synth

    return synth


def _chain(first, second, position: int) -> Iterable:
    """An abrupt switch: ``position`` rows of ``first``, then ``second``.

    river's ``ConceptDriftStream(width=1)`` overflows for positions beyond
    about 178 rows, so abrupt changes are built by chaining.
    """
    return itertools.chain(itertools.islice(first, position), second)


def _sea_abrupt(n: int, seed: int):
    synth = _synth()
    position = n // 2
    stream = _chain(
        synth.SEA(variant=2, seed=seed), synth.SEA(variant=3, seed=seed + 1), position
    )
    return stream, (position,), 1


def _sea_gradual(n: int, seed: int):
    synth = _synth()
    position, width = n // 2, max(n // 10, 1)
    stream = synth.ConceptDriftStream(
        synth.SEA(variant=2, seed=seed),
        synth.SEA(variant=3, seed=seed + 1),
        position=position,
        width=width,
        seed=seed + 2,
    )
    return stream, (position,), width


def _sea_stationary(n: int, seed: int):
    return _synth().SEA(variant=0, seed=seed), (), 0


def _covariate_shift(rows: Iterable, position: int) -> Iterable:
    """SEA concept 0 rows whose first input moves from U[0, 10] to U[4, 10]."""
    for i, (x, y) in enumerate(rows):
        if i >= position:
            x = {**x, 0: 4.0 + 0.6 * x[0]}
            y = x[0] + x[1] > 8.0  # SEA concept 0: the concept itself never moves
        yield x, y


def _sea_covariate(n: int, seed: int):
    position = n // 2
    return (
        _covariate_shift(_synth().SEA(variant=0, seed=seed), position),
        (position,),
        1,
    )


def _agrawal(n: int, seed: int):
    synth = _synth()
    position = n // 2
    stream = _chain(
        synth.Agrawal(classification_function=0, seed=seed),
        synth.Agrawal(classification_function=2, seed=seed + 1),
        position,
    )
    return stream, (position,), 1


def _hyperplane(n: int, seed: int):
    stream = _synth().Hyperplane(
        seed=seed, n_features=10, n_drift_features=5, mag_change=0.001, sigma=0.1
    )
    return stream, (), n


def _stagger(n: int, seed: int):
    synth = _synth()
    first, second = n // 3, 2 * n // 3
    stream = itertools.chain(
        itertools.islice(synth.STAGGER(classification_function=0, seed=seed), first),
        itertools.islice(
            synth.STAGGER(classification_function=1, seed=seed + 1), second - first
        ),
        synth.STAGGER(classification_function=2, seed=seed + 2),
    )
    return stream, (first, second), 1


def _friedman(n: int, seed: int):
    positions = (n // 3, 2 * n // 3)
    stream = _synth().FriedmanDrift(drift_type="gra", position=positions, seed=seed)
    return stream, positions, 1


def _offline(name: str):
    def make(n: int, seed: int):
        from river import datasets

        return getattr(datasets, name)(), (), 0

    return make


_SCENARIOS: dict[str, _Spec] = {
    "sea_abrupt": _Spec(
        _sea_abrupt,
        "classification",
        20_000,
        "SEA concepts: the threshold jumps from 7 to 9.5 halfway (abrupt drift).",
    ),
    "sea_gradual": _Spec(
        _sea_gradual,
        "classification",
        20_000,
        "SEA concepts: threshold 7 to 9.5 over a sigmoid of n/10 rows (gradual drift).",
    ),
    "sea_stationary": _Spec(
        _sea_stationary,
        "classification",
        20_000,
        "SEA concept 0 throughout (no drift).",
    ),
    "sea_covariate": _Spec(
        _sea_covariate,
        "classification",
        20_000,
        "SEA concept 0 throughout; halfway the first input moves from U[0, 10] to "
        "U[4, 10] (covariate shift, no concept change).",
    ),
    "agrawal": _Spec(
        _agrawal,
        "classification",
        20_000,
        "Agrawal loan data: the labelling function switches from 0 to 2 halfway.",
    ),
    "hyperplane": _Spec(
        _hyperplane,
        "classification",
        20_000,
        "Rotating hyperplane: five weights drift a little at every row (incremental).",
    ),
    "stagger": _Spec(
        _stagger,
        "classification",
        9_000,
        "STAGGER concepts 0, 1, 2 in thirds (two abrupt drifts).",
    ),
    "friedman": _Spec(
        _friedman,
        "regression",
        20_000,
        "Friedman #1 regression with a global recurring abrupt drift at n/3, 2n/3.",
    ),
    "phishing": _Spec(
        _offline("Phishing"),
        "classification",
        1_250,
        "Phishing web pages (river).",
        True,
    ),
    "bananas": _Spec(
        _offline("Bananas"),
        "classification",
        5_300,
        "Bananas 2-D shapes (river).",
        True,
    ),
    "image_segments": _Spec(
        _offline("ImageSegments"),
        "classification",
        2_310,
        "Image segments, 7 classes (river).",
        True,
    ),
    "shuttle": _Spec(
        _offline("Shuttle"),
        "classification",
        49_097,
        "NASA shuttle, 7 classes (river).",
        True,
    ),
}


def list_scenarios() -> dict[str, str]:
    """Names of the built-in scenarios with their one-line descriptions.

    Examples
    --------
    >>> from sklearn_warmstart.datasets import list_scenarios
    >>> "sea_abrupt" in list_scenarios()
    True
    """
    return {name: spec.description for name, spec in _SCENARIOS.items()}


def _to_arrays(rows: Iterable[tuple[dict, Any]], n: int | None):
    rows = list(rows if n is None else itertools.islice(rows, n))
    names = tuple(str(k) for k in rows[0][0])
    keys = list(rows[0][0])
    X = np.array([[x[k] for k in keys] for x, _ in rows], dtype=np.float64)
    y = np.array([target for _, target in rows])
    if y.dtype == bool:
        y = y.astype(np.int64)
    return X, y, names


@functools.lru_cache(maxsize=16)
def _generate(name: str, n_samples: int | None, seed: int):
    spec = _SCENARIOS[name]
    n = spec.default_size if n_samples is None else n_samples
    stream, positions, width = spec.make(n, seed)
    X, y, names = _to_arrays(stream, None if spec.fixed_size else n)
    if spec.fixed_size and n_samples is not None:
        X, y = X[:n_samples], y[:n_samples]
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y, positions, width, names


def load_scenario(name: str, n_samples: int | None = None, seed: int = 0) -> Scenario:
    """Generate (or read) a built-in scenario as arrays.

    Parameters
    ----------
    name : str
        One of :func:`list_scenarios`.
    n_samples : int, default=None
        Rows to generate (synthetic) or to keep from the start (real data
        sets). ``None`` uses the scenario's default size. Drift positions scale
        with it.
    seed : int, default=0
        Seed of the synthetic generators; the same seed gives the same rows.

    Returns
    -------
    scenario : Scenario
        Arrays (fresh copies) with drift positions and metadata.

    Examples
    --------
    >>> from sklearn_warmstart.datasets import load_scenario
    >>> sea = load_scenario("sea_abrupt", n_samples=2000, seed=1)
    >>> sea.X.shape, sea.drift_positions
    ((2000, 3), (1000,))
    """
    if name not in _SCENARIOS:
        raise ValueError(
            f"Unknown scenario {name!r}; available: {', '.join(sorted(_SCENARIOS))}."
        )
    if n_samples is not None:
        check_int(
            n_samples, "n_samples", low=2, note="None gives the scenario's own length."
        )
    check_int(seed, "seed", low=None)
    spec = _SCENARIOS[name]
    X, y, positions, width, names = _generate(
        name, None if n_samples is None else int(n_samples), int(seed)
    )
    return Scenario(
        name=name,
        X=X.copy(),
        y=y.copy(),
        drift_positions=positions,
        drift_width=width,
        task=spec.task,
        feature_names=names,
        description=spec.description,
    )
