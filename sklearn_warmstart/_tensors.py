"""Arithmetic on parameter dicts whose values are numpy arrays or torch tensors.

Every helper keeps tensors on their device: nothing here moves data to the host
except the final scalar of a norm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

Params = Mapping[str, Any]


def is_torch(value: Any) -> bool:
    """Whether ``value`` is a torch tensor, without importing torch."""
    return type(value).__module__.startswith("torch")


def _sum_of_squares(value: Any) -> float:
    if type(value) is np.ndarray and value.dtype == np.float64:
        flat = value.ravel()  # the common case, without the conversions below
        return float(np.dot(flat, flat))
    if is_torch(value):
        return float(value.detach().double().pow(2).sum())
    arr = np.asarray(value, dtype=np.float64)
    return float(np.dot(arr.ravel(), arr.ravel()))


def norm(params: Params | None) -> float:
    """Euclidean norm of all parameters together; NaN when there are none."""
    if not params:
        return math.nan
    return math.sqrt(sum(_sum_of_squares(v) for v in params.values()))


def distance(a: Params | None, b: Params | None) -> float:
    """Euclidean distance between two parameter dicts of the same shapes.

    NaN when either is missing or their names or shapes differ (a reset to a
    new architecture has no distance to the old one).
    """
    if not a or not b or a.keys() != b.keys():
        return math.nan
    total = 0.0
    for name, value in a.items():
        other = b[name]
        if tuple(value.shape) != tuple(other.shape):
            return math.nan
        if (
            type(value) is np.ndarray
            and type(other) is np.ndarray
            and value.dtype == np.float64
            and other.dtype == np.float64
        ):
            diff = (value - other).ravel()
            total += float(np.dot(diff, diff))
        elif is_torch(value):
            total += float(
                (value.detach().double() - other.detach().double()).pow(2).sum()
            )
        else:
            diff = np.asarray(value, dtype=np.float64) - np.asarray(other, np.float64)
            total += float(np.dot(diff.ravel(), diff.ravel()))
    return math.sqrt(total)


def all_finite(params: Params | None) -> bool:
    """Whether every parameter value is finite."""
    if not params:
        return True
    for value in params.values():
        if is_torch(value):
            import torch

            if not bool(torch.isfinite(value).all()):
                return False
        elif not np.all(np.isfinite(value)):
            return False
    return True


def copy_params(params: Params) -> dict[str, Any]:
    """Independent copies of every parameter (tensors stay on their device)."""
    return {
        name: value.detach().clone() if is_torch(value) else np.array(value, copy=True)
        for name, value in params.items()
    }


def shapes(params: Params) -> dict[str, tuple[int, ...]]:
    """Shape of every parameter, for architecture checks."""
    return {name: tuple(value.shape) for name, value in params.items()}


def rms(value: Any) -> float:
    """Root mean square of one array or tensor (0 for an empty one)."""
    size = int(np.prod(value.shape)) if len(value.shape) else 1
    if size == 0:
        return 0.0
    return math.sqrt(_sum_of_squares(value) / size)


def standard_normal_like(value: Any, seed: int) -> Any:
    """Standard normal draws with the shape, dtype and device of ``value``."""
    if is_torch(value):
        import torch

        generator = torch.Generator(device=value.device).manual_seed(int(seed))
        return torch.randn(
            value.shape, generator=generator, dtype=value.dtype, device=value.device
        )
    rng = np.random.default_rng(seed)
    return rng.standard_normal(np.shape(value)).astype(np.asarray(value).dtype)
