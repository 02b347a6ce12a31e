"""Run seeds equal numpy's SeedSequence on every input, fast path or not."""

import numpy as np
import pytest

from sklearn_warmstart._seeds import run_seed


def _expected(base, run):
    return int(np.random.SeedSequence([base, run]).generate_state(1)[0])


def test_run_seed_equals_seed_sequence_on_many_random_inputs():
    """2,000 random (base seed, run) pairs, from one-word to four-word bases."""
    rng = np.random.default_rng(40)
    for words in (1, 2, 3, 4):
        bases = rng.integers(0, 2**32, size=(500, words), dtype=np.uint64)
        runs = rng.integers(0, 2**32, size=500, dtype=np.uint64)
        for row, run in zip(bases, runs):
            base = sum(int(w) << (32 * i) for i, w in enumerate(row))
            assert run_seed(base, int(run)) == _expected(base, int(run)), (base, run)


def test_run_seed_equals_seed_sequence_across_block_boundaries():
    """Consecutive runs over three 256-run blocks, as a stream draws them."""
    for base in (0, 7, 2**32 - 1, 2**32, 2**96 + 3):
        seeds = [run_seed(base, run) for run in range(250, 1030)]
        assert seeds == [_expected(base, run) for run in range(250, 1030)]


@pytest.mark.parametrize(
    "base, run", [(np.int64(5), 3), (5, np.uint32(3)), (2**40, 2**32), (3, 2**40)]
)
def test_run_seed_outside_the_fast_path_still_equals_seed_sequence(base, run):
    """numpy integers and runs past 2**32 - 1 take SeedSequence itself."""
    assert run_seed(base, run) == _expected(base, run)
