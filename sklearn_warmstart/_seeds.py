"""Run seeds: ``SeedSequence([base_seed, run]).generate_state(1)[0]``, in blocks.

Every run draws its seed from numpy's :class:`~numpy.random.SeedSequence` of
the estimator's base seed and the run index. Building one ``SeedSequence``
per run costs about as much as a streaming chunk's whole bookkeeping, so the
seeds of 256 consecutive runs are computed at once here: numpy's own
algorithm (``SeedSequence.mix_entropy`` and ``generate_state``, whose
output numpy keeps stable across versions) on ``uint32`` arrays, whose
arithmetic wraps exactly as numpy's C code does. ``tests/test_seeds.py``
checks the results against ``SeedSequence`` itself.
"""

# Kept over SeedSequence because it matters in streaming: per call 1.3 us vs
# 18 us (13.8x); SeedSequence would add ~1.1% to a 1,000-row SEA partial_fit
# chunk, about three quarters of the wrapper's own per-chunk time (2 shared
# cores, under load):
#   PYTHONPATH=. python benchmarks/seeds.py

from __future__ import annotations

import functools

import numpy as np

__all__ = ["run_seed"]

_BLOCK = 256
_POOL_SIZE = 4
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = np.uint32(0xCA01F9DD)
_MIX_MULT_R = np.uint32(0x4973F715)
_XSHIFT = np.uint32(16)
_MASK = 0xFFFFFFFF


def _words(value: int) -> list[int]:
    """The ``uint32`` words numpy makes of a non-negative int (low word first)."""
    if value == 0:
        return [0]
    words = []
    while value:
        words.append(value & _MASK)
        value >>= 32
    return words


def _hashmix(value: np.ndarray, hash_const: list[int]) -> np.ndarray:
    value = value ^ np.uint32(hash_const[0])
    hash_const[0] = (hash_const[0] * _MULT_A) & _MASK
    value = value * np.uint32(hash_const[0])
    return value ^ (value >> _XSHIFT)


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result = _MIX_MULT_L * x - _MIX_MULT_R * y
    return result ^ (result >> _XSHIFT)


@functools.lru_cache(maxsize=64)
def _block(base_seed: int, block: int) -> list[int]:
    """Seeds of runs ``block * 256 ... block * 256 + 255`` for ``base_seed``."""
    runs = np.arange(block * _BLOCK, (block + 1) * _BLOCK, dtype=np.uint64)
    entropy = [np.full(_BLOCK, w, dtype=np.uint32) for w in _words(base_seed)]
    entropy.append(runs.astype(np.uint32))  # runs < 2**32: one word each
    hash_const = [_INIT_A]
    zero = np.zeros(_BLOCK, dtype=np.uint32)
    pool = [
        _hashmix(entropy[i] if i < len(entropy) else zero, hash_const)
        for i in range(_POOL_SIZE)
    ]
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                pool[i_dst] = _mix(pool[i_dst], _hashmix(pool[i_src], hash_const))
    for word in entropy[_POOL_SIZE:]:
        for i_dst in range(_POOL_SIZE):
            pool[i_dst] = _mix(pool[i_dst], _hashmix(word, hash_const))
    value = pool[0] ^ np.uint32(_INIT_B)
    value = value * np.uint32((_INIT_B * _MULT_B) & _MASK)
    return (value ^ (value >> _XSHIFT)).tolist()


def run_seed(base_seed: int, run: int) -> int:
    """``int(SeedSequence([base_seed, run]).generate_state(1)[0])``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart._seeds import run_seed
    >>> run_seed(0, 3) == int(np.random.SeedSequence([0, 3]).generate_state(1)[0])
    True
    """
    if (
        type(base_seed) is int
        and type(run) is int
        and base_seed >= 0
        and 0 <= run <= _MASK
    ):
        return _block(base_seed, run // _BLOCK)[run % _BLOCK]
    return int(np.random.SeedSequence([base_seed, run]).generate_state(1)[0])
