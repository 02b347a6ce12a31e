"""Feeding river's drift detectors with a model's per-sample errors.

A detector is named (``"adwin"``, ``"page_hinkley"``, ``"kswin"``, ``"ddm"``,
``"eddm"``, ``"hddm_a"``, ``"hddm_w"``, ``"fhddm"``) or given as a river
detector object. Named detectors use defaults chosen so that they do not raise
false alarms on stationary streams (river's own defaults do for several of
them, see :func:`make_detector`). A given object is never fed: a fresh
``detector.clone()`` is.

:class:`DriftMonitor` holds one detector's mutable state and feeds it a signal
in which larger values are worse (0/1 errors, absolute residuals). It reports
only *increases*: a detection that marks an improvement (ADWIN and KSWIN test
both directions) restarts the detector but is not a drift.

river is imported lazily, so importing :mod:`sklearn_warmstart` stays light.
"""

from __future__ import annotations

import array
import copy
import functools
import math
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._river_compat import adwin_updater, copy_adwin, is_plain_adwin

__all__ = [
    "DETECTOR_NAMES",
    "DriftMonitor",
    "Detection",
    "FeatureMonitor",
    "check_detector",
    "detector_name",
    "has_warning_level",
    "is_binary_detector",
    "make_detector",
]

#: Detector names accepted by :func:`make_detector` and :class:`~sklearn_warmstart.policies.OnDrift`.
DETECTOR_NAMES: tuple[str, ...] = (
    "adwin",
    "page_hinkley",
    "kswin",
    "ddm",
    "eddm",
    "hddm_a",
    "hddm_w",
    "fhddm",
)


def _named(name: str) -> Any:
    """A new detector for ``name`` with defaults that hold on stationary data.

    Measured on 5 x 100k rows of N(0, 1), |N(0, 1)| and Bernoulli(0.05, 0.2)
    noise (KSWIN: 20k rows), each of these raised no false alarm; see
    ``tests/test_drift.py`` for the checks that guard them.
    """
    from river import drift
    from river.drift import binary

    if name == "adwin":
        # river's default; no false alarm in our measurements.
        return drift.ADWIN(delta=0.002)
    if name == "page_hinkley":
        # river's default (delta=0.005, threshold=50, alpha=0.9999, both ways)
        # raises 55-66 false alarms per 100k N(0, 1). Without forgetting and
        # with a larger allowance, only real increases pass.
        return drift.PageHinkley(
            min_instances=30, delta=0.05, threshold=75.0, alpha=1.0, mode="up"
        )
    if name == "kswin":
        # river's alpha=0.005 tests at every row: 20-26 false alarms per 20k.
        return drift.KSWIN(alpha=1e-5, window_size=100, stat_size=30, seed=0)
    if name == "ddm":
        # river's (30, 2, 3) alarms on low error rates and while a model
        # still learns; a longer warm-up and wider bands do not.
        return binary.DDM(warm_start=500, warning_threshold=2.5, drift_threshold=4.0)
    if name == "eddm":
        # river's (30, 0.95, 0.9): 15-80 false alarms per 100k at error rates
        # 0.05-0.2. EDDM is slow to confirm (thousands of rows) by design.
        return binary.EDDM(warm_start=300, alpha=0.8, beta=0.6)
    if name == "hddm_a":
        return binary.HDDMA(drift_confidence=1e-5, warning_confidence=1e-3)
    if name == "hddm_w":
        # river's (0.001, 0.005, 0.05): ~80 false alarms per 100k at error
        # rate 0.5. A slower average with a stricter bound keeps its power.
        return binary.HDDMW(
            drift_confidence=1e-7, warning_confidence=1e-4, lambda_val=0.01
        )
    if name == "fhddm":
        # Its running maximum of window accuracies only grows, so river's
        # (100, 1e-6) alarms 20-70 times per 100k; a longer window and a
        # stricter bound do not.
        return binary.FHDDM(sliding_window_size=500, confidence_level=1e-12)
    raise ValueError(
        f"Unknown drift detector {name!r}; use one of {', '.join(DETECTOR_NAMES)} "
        "or a river detector object such as river.drift.ADWIN(delta=0.001)."
    )


def _river_bases() -> tuple[type, ...]:
    from river import base

    return (base.DriftDetector, base.BinaryDriftDetector)


def check_detector(detector: Any, name: str = "detector") -> None:
    """Raise if ``detector`` is neither a known name nor a river drift detector.

    Parameters
    ----------
    detector : str or river drift detector
        What to check.
    name : str, default="detector"
        The parameter name used in error messages.

    Examples
    --------
    >>> from sklearn_warmstart.drift import check_detector
    >>> check_detector("adwin")
    >>> check_detector(object())
    Traceback (most recent call last):
    ...
    TypeError: detector must be a detector name ('adwin', 'page_hinkley', ...) or a river drift detector (river.drift.ADWIN(), river.drift.binary.DDM(), ...), got object.
    """
    if isinstance(detector, str):
        if detector not in DETECTOR_NAMES:
            _named(detector)  # raises the ValueError naming the choices
        return
    if not isinstance(detector, _river_bases()):
        raise TypeError(
            f"{name} must be a detector name ('adwin', 'page_hinkley', ...) or a "
            "river drift detector (river.drift.ADWIN(), river.drift.binary.DDM(), "
            f"...), got {type(detector).__name__}."
        )


def make_detector(detector: Any) -> Any:
    """A fresh, unfed river detector for a name or a detector object.

    Objects are copied with their own ``clone()`` (their parameters, none of
    their fed state), so the object passed in is never fed or changed.

    Parameters
    ----------
    detector : str or river drift detector
        A name from :data:`DETECTOR_NAMES` or a river detector.

    Returns
    -------
    detector : river drift detector
        A new detector.

    Examples
    --------
    >>> from sklearn_warmstart.drift import make_detector
    >>> make_detector("page_hinkley").mode
    'up'
    """
    check_detector(detector)
    if isinstance(detector, str):
        return _named(detector)
    return detector.clone()


def detector_name(detector: Any) -> str:
    """Short label of a detector: its name, or its class name in lower case."""
    return detector if isinstance(detector, str) else type(detector).__name__.lower()


def is_binary_detector(detector: Any) -> bool:
    """Whether the detector only accepts 0/1 inputs (DDM, EDDM, HDDM_A/W, FHDDM)."""
    from river import base

    if isinstance(detector, str):
        detector = _named(detector)
    return isinstance(detector, base.BinaryDriftDetector)


def has_warning_level(detector: Any) -> bool:
    """Whether the detector has a warning zone before a drift.

    river 0.26's FHDDM declares one but never enters it, so a challenger
    never starts with it.
    """
    from river import base

    if isinstance(detector, str):
        detector = _named(detector)
    return isinstance(
        detector, (base.DriftAndWarningDetector, base.BinaryDriftAndWarningDetector)
    )


def _feeds_success(detector: Any) -> bool:
    """FHDDM (as implemented in river) detects a *drop* in its input's mean.

    river documents 1 as an error, but its test ``u_max - u > epsilon`` fires
    when the mean falls, so it is fed correctness (1 - error) to see error
    increases.
    """
    from river.drift.binary import FHDDM

    return isinstance(detector, FHDDM)


def _position(iterator: Any, items: array.array) -> int:
    """How many items of ``items`` a stopped ``iter(items)`` has yielded."""
    state = iterator.__reduce__()  # (iter, (items,), index) while not exhausted
    if len(state) == 3 and isinstance(state[2], int):
        return state[2]
    return len(items) - operator.length_hint(iterator)


@dataclass(frozen=True)
class Detection:
    """An upward change found while feeding a monitor.

    Attributes
    ----------
    index : int
        Global index of the row at which the detector fired.
    change_start : int or None
        Global index where the change is estimated to begin: the start of the
        warning zone (detectors with warnings), the start of ADWIN's retained
        window, KSWIN's recent window; None when the detector does not say.
    """

    index: int
    change_start: int | None


def _open_zone(warning: np.ndarray) -> int | None:
    """Where the warning run open at the last row of ``warning`` began (None: none open)."""
    if not len(warning) or not warning[-1]:
        return None
    backwards = warning[::-1]
    calm = int(backwards.argmin())  # the last row out of warning, counted from the end
    return len(warning) - calm if not backwards[calm] else 0


def _last_minimum(values: np.ndarray, start: float, active: Any = True) -> Any:
    """Running minimum of ``start`` then the ``active`` ``values`` (a tie is a new
    minimum, as in river): per row, the offset of the latest new minimum so far
    (-1: none yet), and the final minimum; ``(None, start)`` if there is none."""
    if values.min() > start:  # the common case once a stream has settled
        return None, start
    running = np.minimum.accumulate(values)
    np.minimum(running, start, out=running)
    updated = values <= np.concatenate(([start], running[:-1]))
    if active is not True:
        updated &= active
    last = np.maximum.accumulate(np.where(updated, np.arange(len(values)), -1))
    return last, float(running[-1])


class _Chunked:
    """Base of the chunked equivalents: the river detector's parameters, copied.

    ``feed(x)`` returns ``(stop, zone)``: ``stop`` is the offset of the first
    drift in ``x`` (None: none, all of ``x`` was fed); ``zone`` is None if no
    warning is open at the last row fed before ``stop`` (or at the end of
    ``x``), else the offset where that warning run began (0: at ``x[0]`` or
    before it).
    """

    params: tuple[str, ...] = ()
    warns = False

    def __init__(self, detector: Any):
        for name in self.params:
            setattr(self, name, getattr(detector, name))
        self.n = 0


class _ChunkDDM(_Chunked):
    """river's ``binary.DDM``, fed a chunk at a time with array operations.

    Same decisions as river's per-row ``update``: the error rate ``p`` and its
    deviation ``s`` per row, the running minimum of ``p + s`` after the
    warm-up (ties update it, as in river), warning above ``p_min + w*s_min``,
    drift above ``p_min + d*s_min``. ``p`` is the exact ratio errors/rows
    where river accumulates a running mean, so the two can differ in the last
    bits and a decision only at an exact tie; ``tests/test_drift.py`` checks
    equal detection and warning indices on many random streams.
    """

    params = ("warm_start", "warning_threshold", "drift_threshold")
    warns = True

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.k = 0.0
        self.p_min = self.s_min = math.nan
        self.ps_min = math.inf

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        m = len(x)
        n = np.arange(self.n + 1, self.n + m + 1, dtype=np.float64)
        k = self.k + np.cumsum(x)
        p = k / n
        s = np.sqrt(p * (1 - p) / n)
        ps = p + s
        if self.n >= self.warm_start:
            active, candidates = True, ps
        else:
            active = n > self.warm_start
            candidates = np.where(active, ps, np.inf)
        last, ps_min = _last_minimum(candidates, self.ps_min, active)
        if last is None:
            p_min, s_min = self.p_min, self.s_min
        else:
            p_min = np.where(last >= 0, p[last], self.p_min)
            s_min = np.where(last >= 0, s[last], self.s_min)
        drift = active & (ps > p_min + self.drift_threshold * s_min)
        warning = active & (ps > p_min + self.warning_threshold * s_min)
        if drift.any():
            stop = int(drift.argmax())
            return stop, _open_zone(warning[:stop])
        self.n += m
        self.k = float(k[-1])
        if last is not None and last[-1] >= 0:
            self.p_min, self.s_min = float(p_min[-1]), float(s_min[-1])
            self.ps_min = ps_min
        return None, _open_zone(warning)


class _ChunkPageHinkley(_Chunked):
    """river's ``PageHinkley`` with ``alpha=1`` and ``mode="up"``, a chunk at a time.

    The sums are accumulated in river's order (``(sum + dev) - delta``, one
    addition after the other, which ``np.cumsum`` keeps); the running mean is
    the exact ratio where river updates it row by row, so decisions may
    differ only at an exact tie (checked in ``tests/test_drift.py``).
    """

    params = ("min_instances", "delta", "threshold")

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.total = 0.0
        self.sum = 0.0
        self.min = math.inf

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        m = len(x)
        n = np.arange(self.n + 1, self.n + m + 1, dtype=np.float64)
        mean = (self.total + np.cumsum(x)) / n
        steps = np.empty(2 * m + 1)
        steps[0] = self.sum
        steps[1::2] = x - mean
        steps[2::2] = -self.delta
        sums = np.cumsum(steps)[2::2]
        low = np.minimum.accumulate(np.r_[self.min, sums])[1:]
        drift = (n >= self.min_instances) & (sums - low > self.threshold)
        if drift.any():
            return int(drift.argmax()), None
        self.n += m
        self.total += float(x.sum())
        self.sum, self.min = float(sums[-1]), float(low[-1])
        return None, None


class _ChunkHDDMA(_Chunked):
    """river's one-sided ``binary.HDDMA``, fed a chunk at a time.

    The cut point (river's ``x_min``) is the running minimum, ties to the
    latest, of ``mean + eps(n)`` (a Hoeffding bound); a drift or warning is a
    mean above it by river's bound for the drift or warning confidence. The
    mean is the exact ratio where river keeps a running mean (see
    :class:`_ChunkDDM`).
    """

    params = ("drift_confidence", "warning_confidence")
    warns = True

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.k = 0.0
        self.n_min, self.mean_min, self.cut = 0.0, math.nan, math.inf
        # river evaluates these logarithms with math.log.
        self._log_bound = math.log(1.0 / self.drift_confidence)
        self._log_drift = math.log(2.0 / self.drift_confidence)
        self._log_warning = math.log(2.0 / self.warning_confidence)

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        m = len(x)
        n = np.arange(self.n + 1, self.n + m + 1, dtype=np.float64)
        k = self.k + np.cumsum(x)
        mean = k / n
        level = mean + np.sqrt(1.0 / (2 * n) * self._log_bound)
        last, cut = _last_minimum(level, self.cut)
        if last is None:
            n_min, mean_min = self.n_min, self.mean_min
        else:
            n_min = np.where(last >= 0, n[last], self.n_min)
            mean_min = np.where(last >= 0, mean[last], self.mean_min)
        apart = n_min != n
        spread = (n - n_min) / np.where(apart, n_min, 1.0) * (1.0 / n)
        rise = mean - mean_min
        drift = apart & (rise >= np.sqrt(spread / 2 * self._log_drift))
        warning = apart & ~drift & (rise >= np.sqrt(spread / 2 * self._log_warning))
        if drift.any():
            stop = int(drift.argmax())
            return stop, _open_zone(warning[:stop])
        self.n += m
        self.k = float(k[-1])
        if last is not None and last[-1] >= 0:
            self.n_min, self.mean_min = float(n_min[-1]), float(mean_min[-1])
            self.cut = cut
        return None, _open_zone(warning)


class _ChunkEDDM(_Chunked):
    """river's ``binary.EDDM``, fed a chunk at a time.

    Works on the distances between consecutive errors: their mean ``p`` and
    deviation ``s`` at each error, the running maximum of ``p + 2s`` once more
    than ``warm_start`` rows were seen, and, once more than ``warm_start``
    errors were seen, a drift where ``(p + 2s) / max`` falls below ``beta``
    and a warning (held until the next judged error) below ``alpha``. The
    distances are integers, so their sums are kept exactly as integers;
    river keeps Welford's running mean and variance, so the two can differ in
    the last bits and a decision only at an exact tie (see :class:`_ChunkDDM`).
    """

    params = ("warm_start", "alpha", "beta")
    warns = True
    #: Above this, the scaled variance could overflow int64: Python integers.
    int64_limit = 2**62

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.last = self.n_errors = 0
        self.sum = self.sum_sq = 0  # Python ints: exact however long the stream
        self.p2s_max = -1.0
        self.warning = False

    def _mean_std(
        self, d: np.ndarray, count: np.ndarray, n_end: int
    ) -> tuple[Any, ...]:
        """Sums of the distances, their mean and deviation after each error."""
        total = total_sq = None
        if int(n_end) < 2**31:  # distances below 2**31: the int64 sums fit
            total = self.sum + np.cumsum(d)
            total_sq = self.sum_sq + np.cumsum(d * d)
            if int(count[-1]) * int(total_sq[-1]) < self.int64_limit:
                scaled = count * total_sq - total * total
            else:
                total = None
        if total is None:  # a stream of billions of rows: exact Python integers
            total = self.sum + np.cumsum(d.astype(object))
            total_sq = self.sum_sq + np.cumsum((d * d).astype(object))
            scaled = count.astype(object) * total_sq - total * total
            total = np.array([float(t) for t in total])  # exact below 2**53
            scaled = np.array([float(t) for t in scaled])
        pairs = count * (count - 1.0)
        if count[0] == 1:
            pairs[0] = 1.0  # one distance: river's variance is 0 (its scaled is 0)
        return total, total / count, np.sqrt(scaled / pairs), total_sq

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        rows = np.flatnonzero(x)
        if not len(rows):
            self.n += len(x)
            return None, 0 if self.warning else None
        n = rows + (self.n + 1)
        d = np.empty_like(n)
        d[0] = n[0] - self.last
        np.subtract(n[1:], n[:-1], out=d[1:])
        count = np.arange(self.n_errors + 1, self.n_errors + len(rows) + 1)
        total, mean, std, total_sq = self._mean_std(d, count, n[-1])
        p2s = mean + 2 * std
        if self.n >= self.warm_start:
            candidates, active = p2s, True
        else:
            active = n > self.warm_start
            candidates = np.where(active, p2s, -np.inf)
        if active is True and p2s.max() <= self.p2s_max:  # no new maximum
            before = p2s_max = self.p2s_max
            judged = np.ones(len(rows), dtype=bool)
        else:
            running = np.maximum.accumulate(candidates)
            np.maximum(running, self.p2s_max, out=running)
            before = np.concatenate(([self.p2s_max], running[:-1]))
            judged = (p2s <= before) & active
            p2s_max = float(running[-1])
        if self.n_errors < self.warm_start:
            judged &= count > self.warm_start
        level = p2s / before  # used where judged: ``before`` is then >= 1
        drift = judged & (level < self.beta)
        stop = int(drift.argmax()) if drift.any() else len(rows)
        said = np.flatnonzero(judged[:stop])
        warning, zone = self.warning, 0 if self.warning else None
        if len(said):
            says = level[said] < self.alpha
            warning = bool(says[-1])
            if not warning:
                zone = None
            else:
                calm = np.flatnonzero(~says)
                if len(calm):
                    zone = int(rows[said[calm[-1] + 1]])
                elif not self.warning:
                    zone = int(rows[said[0]])
        if stop < len(rows):
            return int(rows[stop]), zone
        self.n += len(x)
        self.last, self.n_errors = int(n[-1]), int(count[-1])
        self.sum, self.sum_sq = int(total[-1]), int(total_sq[-1])
        self.p2s_max = p2s_max
        self.warning = warning
        return None, zone


@functools.lru_cache(maxsize=8)
def _ibc_table(lambda_val: float) -> np.ndarray:
    """river's HDDM_W bound term after 0, 1, 2, ... updates, up to its float fixed point."""
    table = [1.0]
    square, fading = lambda_val * lambda_val, (1 - lambda_val) ** 2
    while True:
        ibc = square + fading * table[-1]
        if ibc == table[-1]:
            return np.array(table)
        table.append(ibc)


class _ChunkHDDMW(_Chunked):
    """river's one-sided ``binary.HDDMW``, fed a chunk at a time.

    river's exponentially weighted means are first-order filters, which
    ``scipy.signal.lfilter`` runs with river's exact operations (the same
    products and sum per row; ``tests/test_drift.py`` checks the bits), so the
    total's mean, the McDiarmid bounds and the cut points (a running minimum
    of mean + bound) are river's own floats. The second sample's mean restarts
    at every cut; it is the total's mean plus a decaying offset, which is
    within ``tol`` of river's value, and a row whose decision lies within
    ``tol`` of a bound is decided again with river's exact recursion.
    """

    params = ("drift_confidence", "warning_confidence", "lambda_val")
    warns = True
    #: Distance to a bound within which a row is decided by river's recursion.
    slack = 1e-10

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.ewma = math.nan
        self.cut = math.inf
        self.s1_init, self.s1_ewma, self.s1_ibc = False, math.nan, 1.0
        self.s2_init, self.s2_n, self.s2_ewma = False, 0, math.nan
        self.fading = 1 - self.lambda_val
        self._filter = ([self.lambda_val], [1.0, -self.fading])
        self._log_drift = math.log(1 / self.drift_confidence)
        self._log_warning = math.log(1 / self.warning_confidence)
        self.tol = self.slack + 64 * np.finfo(float).eps / self.lambda_val
        self._powers = np.zeros(0)

    def _ewma(self, x: np.ndarray, previous: float | None) -> np.ndarray:
        """river's EWMean over ``x`` after ``previous`` (None: a fresh mean)."""
        from scipy.signal import lfilter

        if previous is None:
            if len(x) == 1:
                return x.copy()
            previous, head, x = float(x[0]), x[:1], x[1:]
        else:
            head = x[:0]
        out = lfilter(*self._filter, x, zi=[self.fading * previous])[0]
        return np.r_[head, out] if len(head) else out

    def _exact_s2(self, x: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """The second sample's mean per row by river's own recursion."""
        out = np.empty(len(x))
        ewma = self.s2_ewma if self.s2_init else None
        lam, fading = self.lambda_val, self.fading
        for i, (value, is_cut) in enumerate(zip(x.tolist(), cut.tolist())):
            if is_cut:
                ewma = None
            else:
                ewma = value if ewma is None else lam * value + fading * ewma
            out[i] = math.nan if ewma is None else ewma
        return out

    def _power(self, steps: np.ndarray) -> np.ndarray:
        """``fading ** steps`` from a table kept across chunks."""
        needed = int(steps.max()) + 1
        if len(self._powers) < needed:
            self._powers = self.fading ** np.arange(max(needed, 2048), dtype=float)
        return self._powers[steps]

    def _feed_steady(self, x: np.ndarray, table: np.ndarray) -> Any:
        """``feed`` for a chunk with no cut, once both samples run and the
        total's bound term is constant: both means by one exact filter pass.
        None (nothing changed) where the chunk has a cut."""
        from scipy.signal import lfilter

        top = len(table) - 1
        zi = [[self.fading * self.ewma], [self.fading * self.s2_ewma]]
        total, s2_ewma = lfilter(*self._filter, np.stack((x, x)), zi=zi)[0]
        if (total + math.sqrt(table[top] * self._log_drift / 2)).min() < self.cut:
            return None
        m = len(x)
        if self.s2_n + 1 >= top:
            spread = self.s1_ibc + table[top]
            drift_bound = math.sqrt(spread * self._log_drift / 2)
            warning_bound = math.sqrt(spread * self._log_warning / 2)
        else:
            s2_n = np.arange(self.s2_n + 1, self.s2_n + m + 1)
            spread = self.s1_ibc + table[np.minimum(s2_n, top)]
            drift_bound = np.sqrt(spread * self._log_drift / 2)
            warning_bound = np.sqrt(spread * self._log_warning / 2)
        rise = s2_ewma - self.s1_ewma
        drift = rise > drift_bound
        warning = ~drift & (rise > warning_bound)
        if drift.any():
            stop = int(drift.argmax())
            return stop, _open_zone(warning[:stop])
        zone = _open_zone(warning)
        self.n += m
        self.s2_n += m
        self.ewma, self.s2_ewma = float(total[-1]), float(s2_ewma[-1])
        return None, zone

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        m = len(x)
        table = _ibc_table(self.lambda_val)
        top = len(table) - 1
        if self.n >= top and self.s1_init and self.s2_init:
            done = self._feed_steady(x, table)
            if done is not None:
                return done
        ewma = self._ewma(x, None if self.n == 0 else self.ewma)
        if self.n >= top:  # the bound term has reached its fixed point
            ibc = table[top]
            level = ewma + math.sqrt(ibc * self._log_drift / 2)
        else:
            ibc = table[np.minimum(np.arange(self.n + 1, self.n + m + 1), top)]
            level = ewma + np.sqrt(ibc * self._log_drift / 2)
        running = np.minimum.accumulate(np.concatenate(([self.cut], level)))
        cut = level < running[:-1]
        i = np.arange(m)
        if cut.any():
            last = np.maximum.accumulate(np.where(cut, i, -1))
            after = last >= 0
            ibc = np.broadcast_to(ibc, (m,))
            s1_ewma = np.where(after, ewma[last], self.s1_ewma)
            s1_ibc = np.where(after, ibc[last], self.s1_ibc)
        else:
            last, after = np.full(m, -1), np.zeros(m, dtype=bool)
            s1_ewma, s1_ibc = self.s1_ewma, self.s1_ibc
        going_on = ~after & self.s2_init  # the second sample began before x
        start = np.minimum(last + 1, m - 1)
        offset = np.where(going_on, self.s2_ewma - self.ewma, x[start] - ewma[start])
        steps = np.where(going_on, i + 1, np.maximum(i - last - 1, 0))
        s2_ewma = ewma + self._power(steps) * offset
        s2_n = np.where(going_on, self.s2_n + i + 1, i - last)
        spread = s1_ibc + table[np.minimum(s2_n, top)]
        drift_bound = np.sqrt(spread * self._log_drift / 2)
        warning_bound = np.sqrt(spread * self._log_warning / 2)
        valid = ~cut & (after | self.s1_init)
        rise = s2_ewma - s1_ewma
        near = (np.abs(rise - drift_bound) < self.tol) | (
            np.abs(rise - warning_bound) < self.tol
        )
        if (valid & near).any():
            rise = self._exact_s2(x, cut) - s1_ewma
        drift = valid & (rise > drift_bound)
        warning = valid & ~drift & (rise > warning_bound)
        if drift.any():
            stop = int(drift.argmax())
            return stop, _open_zone(warning[:stop])
        self.n += m
        self.ewma, self.cut = float(ewma[-1]), float(running[-1])
        if after[-1]:
            self.s1_init = True
            self.s1_ewma, self.s1_ibc = float(ewma[last[-1]]), float(s1_ibc[-1])
        if cut[-1]:
            self.s2_init, self.s2_n, self.s2_ewma = False, 0, math.nan
        else:
            tail = x if going_on[-1] else x[int(start[-1]) :]
            previous = self.s2_ewma if going_on[-1] else None
            self.s2_init, self.s2_n = True, int(s2_n[-1])
            self.s2_ewma = float(self._ewma(tail, previous)[-1])
        return None, _open_zone(warning)


class _ChunkFHDDM(_Chunked):
    """river's ``binary.FHDDM`` (no short window), fed a chunk at a time.

    The window's count of ones is a difference of cumulative sums of 0/1
    values, exact in floating point, and its mean, running maximum and the
    drift test use river's own operations: the same decisions, bit for bit.
    """

    params = ("sliding_window_size", "confidence_level")

    def __init__(self, detector: Any):
        super().__init__(detector)
        self.tail = np.zeros(0)  # the window's last values before the next row
        self.u_max = 0.0
        self.epsilon = math.sqrt(
            math.log(1 / self.confidence_level) / (2 * self.sliding_window_size)
        )

    def feed(self, x: np.ndarray) -> tuple[int | None, int | None]:
        size, held, m = self.sliding_window_size, len(self.tail), len(x)
        sums = np.empty(held + m + 1)  # sums[j]: ones among the first j values
        sums[0] = 0.0
        sums[1 : held + 1] = self.tail
        sums[held + 1 :] = x
        np.cumsum(sums, out=sums)
        if held == size - 1:  # every row fills the window
            u = (sums[held + 1 :] - sums[: m + held + 1 - size]) / size
            full = True
        else:
            ends = held + 1 + np.arange(m)
            u = (sums[ends] - sums[np.maximum(ends - size, 0)]) / size
            full = ends >= size
            u = np.where(full, u, 0.0)  # river's maximum starts at 0 <= u
        u_max = np.maximum.accumulate(u)
        np.maximum(u_max, self.u_max, out=u_max)
        drift = (u_max - u > self.epsilon) & full
        if drift.any():
            return int(drift.argmax()), None
        self.n += m
        keep = size - 1
        if m >= keep:
            self.tail = x[m - keep :].copy()
        else:
            self.tail = np.concatenate((self.tail, x))[-keep:] if keep else self.tail
        self.u_max = float(u_max[-1])
        return None, None


def _chunk_equivalent(detector: Any) -> Any:
    """A chunked equivalent of a fresh river detector, or None where there is none."""
    from river import drift
    from river.drift import binary

    if type(detector) is binary.DDM:
        return _ChunkDDM(detector)
    if type(detector) is binary.HDDMA and not detector.two_sided_test:
        return _ChunkHDDMA(detector)
    if type(detector) is binary.EDDM:
        return _ChunkEDDM(detector)
    if (
        type(detector) is binary.HDDMW
        and not detector.two_sided_test
        and 0 < detector.lambda_val < 1
    ):
        return _ChunkHDDMW(detector)
    if type(detector) is binary.FHDDM and detector.short_window_size is None:
        return _ChunkFHDDM(detector)
    if (
        type(detector) is drift.PageHinkley
        and detector.alpha == 1.0
        and detector.mode == "up"
    ):
        return _ChunkPageHinkley(detector)
    return None


class DriftMonitor:
    """Mutable state of one detector fed with a larger-is-worse signal.

    Parameters
    ----------
    detector : river drift detector
        A fresh detector (see :func:`make_detector`); the monitor feeds and
        replaces it.
    two_sided : bool, default=False
        Report a change of the mean in either direction (inputs), not only an
        increase (errors).

    Attributes
    ----------
    detector : river drift detector
        The detector being fed.
    warning_since : int or None
        Global index where the current warning zone began (None outside one).
    n_fed : int
        Values fed in total.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.drift import DriftMonitor, make_detector
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(3000) < 0.1, rng.random(3000) < 0.5].astype(float)
    >>> monitor = DriftMonitor(make_detector("adwin"))
    >>> detection = monitor.feed(errors, start=0)
    >>> 3000 <= detection.index < 3300
    True
    """

    def __init__(self, detector: Any, two_sided: bool = False):
        self.detector = detector
        self.two_sided = two_sided
        self.binary = is_binary_detector(detector)
        self.warns = has_warning_level(detector)
        self.invert = _feeds_success(detector)
        self.warning_since: int | None = None
        self.n_fed = 0
        # Values fed and their sum since the detector last restarted.
        self._n = 0
        self._sum = 0.0
        # river's own ADWIN: fed through its compiled core (see _river_compat).
        self._adwin = is_plain_adwin(detector)
        # DDM, EDDM, HDDM_A, HDDM_W (one-sided), FHDDM and PageHinkley(alpha=1,
        # mode="up"): fed a chunk at a time by an array equivalent (see
        # _chunk_equivalent); ``detector`` then only holds the parameters.
        self._chunked = _chunk_equivalent(detector)

    def __deepcopy__(self, memo: dict) -> DriftMonitor:
        # The estimator copies trigger states before every run; only the
        # detector holds nested state.
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        if self._chunked is not None:
            new._chunked = copy.copy(self._chunked)  # scalars only
        elif self._adwin:
            new.detector = copy_adwin(self.detector)
        else:
            new.detector = copy.deepcopy(self.detector, memo)
        return new

    def _checked(self, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The validated signal as float64 and its sum."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(
                f"The drift signal must be one value per sample, got shape "
                f"{values.shape}."
            )
        total = float(values.sum())
        # A finite sum proves every value finite; an infinite one may be an
        # overflow of finite values, so only then look at each value.
        if not math.isfinite(total) and not np.isfinite(values).all():
            raise ValueError("The drift signal contains NaN or infinite values.")
        if self.binary and not np.all((values == 0.0) | (values == 1.0)):
            raise ValueError(
                f"{type(self.detector).__name__} only accepts 0/1 inputs "
                "(misclassifications), but the signal has other values. Use "
                "'adwin', 'page_hinkley' or 'kswin' for real-valued signals such "
                "as absolute residuals."
            )
        return values, total

    def _restart(self) -> None:
        self.detector = self.detector.clone()
        if self._chunked is not None:
            self._chunked = _chunk_equivalent(self.detector)
        self._n, self._sum = 0, 0.0
        self.warning_since = None

    def _is_increase(self, values: np.ndarray, stop: int) -> bool:
        """Whether the detection after ``values[:stop]`` marks a higher mean.

        Uses the detector's retained recent window where it exposes one
        (ADWIN, KSWIN); other detectors are one-sided by configuration.
        """
        window = None if self.two_sided else self._recent_window()
        if window is None:
            return True
        width, total = window
        n_since = self._n + stop
        sum_since = self._sum + float(values[:stop].sum())
        if width <= 0 or n_since <= width:
            return True
        return total / width > (sum_since - total) / (n_since - width)

    def _recent_window(self) -> tuple[int, float] | None:
        from river.drift import ADWIN, KSWIN

        if isinstance(self.detector, ADWIN):
            return int(self.detector.width), float(self.detector.total)
        if isinstance(self.detector, KSWIN):
            window = list(self.detector.window)
            return len(window), float(sum(window))
        return None

    def _change_start(self, index: int) -> int | None:
        if self.warns and self.warning_since is not None:
            return self.warning_since
        window = self._recent_window()
        if window is not None and window[0] > 0:
            return index - window[0] + 1
        return None

    def feed(self, values: np.ndarray, start: int) -> Detection | None:
        """Feed ``values`` (global rows ``start, start+1, …``) in order.

        Stops at the first upward drift and returns it (the rest of ``values``
        is not fed: it measured the model a reset replaces). Returns None if
        no upward drift was found. The detector restarts after every
        detection, as river's detectors do.
        """
        values, total = self._checked(values)
        fed = 1.0 - values if self.invert else values
        if self._chunked is not None:
            return self._feed_chunked(values, fed, start, total)
        if self._adwin:
            return self._feed_adwin(values, fed, start, total)
        return self._feed_generic(values, fed, start, total)

    def _feed_adwin(self, values, fed, start, total) -> Detection | None:
        # ADWIN's compiled core returns whether it cut its window; driving it with
        # map() keeps the per-row cost near the core's own (~0.06 us). An
        # array.array yields its floats one at a time (no list of them).
        items = array.array("d", np.ascontiguousarray(fed).tobytes())
        iterator = iter(items)
        offset = 0
        while True:
            update = adwin_updater(self.detector)
            if not any(map(update, iterator)):
                self._advance(values, offset, len(items), total)
                return None
            stop = _position(iterator, items)  # rows fed so far
            index = start + stop - 1
            increase = self._is_increase(values[offset:stop], stop - offset)
            change_start = self._change_start(index)
            self.n_fed += stop - offset
            self._restart()
            if increase:
                return Detection(index, change_start)
            offset = stop

    def _feed_chunked(self, values, fed, start, total) -> Detection | None:
        if not len(fed):
            return None
        stop, zone = self._chunked.feed(fed)
        if self.warns and stop != 0:
            if zone is None:
                self.warning_since = None
            elif zone or self.warning_since is None:
                self.warning_since = start + zone
        if stop is None:
            self._advance(values, 0, len(values), total)
            return None
        index = start + stop
        change_start = self._change_start(index)
        self.n_fed += stop + 1
        self._restart()
        return Detection(index, change_start)

    def _advance(self, values, offset: int, stop: int, total: float) -> None:
        """Count ``values[offset:stop]`` as fed (``total``: the sum of all values)."""
        self.n_fed += stop - offset
        self._n += stop - offset
        if offset or stop != len(values):
            total = float(values[offset:stop].sum())
        self._sum += total

    def _feed_generic(self, values, fed, start, total) -> Detection | None:
        detector = self.detector
        update = detector.update
        warns = self.warns
        offset = 0
        for i, value in enumerate(fed.tolist()):
            update(value)
            if detector.drift_detected:
                stop = i + 1
                index = start + i
                increase = self._is_increase(values[offset:stop], stop - offset)
                change_start = self._change_start(index)
                self.n_fed += stop - offset
                self._restart()
                if increase:
                    return Detection(index, change_start)
                detector = self.detector
                update = detector.update
                offset = stop
            elif warns:
                if detector.warning_detected:
                    if self.warning_since is None:
                        self.warning_since = start + i
                else:
                    self.warning_since = None
        self._advance(values, offset, len(values), total)
        return None


#: Detectors whose false-alarm rate is a parameter, and that parameter's name.
_RATE_PARAMETER = {"ADWIN": "delta", "KSWIN": "alpha"}


def feature_detector(detector: Any, n_features: int) -> Any:
    """A fresh detector for one of ``n_features`` inputs watched together.

    Its false-alarm parameter (ADWIN's ``delta``, KSWIN's ``alpha``) is divided
    by ``n_features`` (Bonferroni), so the chance of any false alarm among the
    features stays at most the single detector's.

    Examples
    --------
    >>> from sklearn_warmstart.drift import feature_detector
    >>> feature_detector("adwin", 4).delta
    0.0005
    """
    fresh = make_detector(detector)
    parameter = _RATE_PARAMETER.get(type(fresh).__name__)
    if parameter is None:
        raise ValueError(
            f"Watching each input feature needs a detector whose false-alarm rate "
            f"is a parameter ('adwin', 'kswin' or a river ADWIN/KSWIN object); "
            f"{detector_name(detector)} has none. Pass features=callable to watch "
            "one statistic of the inputs with any real-valued detector."
        )
    return fresh.clone({parameter: getattr(fresh, parameter) / n_features})


class FeatureMonitor:
    """Label-free drift: one two-sided detector per input column.

    Each column is standardised with the mean and standard deviation of the
    first rows fed (the first run), then fed to its own detector. With more
    than one column, each detector's false-alarm parameter is divided by the
    number of columns (:func:`feature_detector`). The first change found in
    any column is a drift; all detectors then restart, so one shift raises one
    alarm.

    Parameters
    ----------
    detector : str or river drift detector
        ``"adwin"``, ``"kswin"`` or a river ADWIN/KSWIN object for several
        columns; any real-valued detector for one column.

    Attributes
    ----------
    monitors : list of DriftMonitor
        One per column (empty before the first feed).
    center, scale : ndarray of shape (n_columns,) or None
        The standardisation learnt from the first rows.
    n_fed : int
        Rows fed in total.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_warmstart.drift import FeatureMonitor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4000, 3))
    >>> X[2000:, 1] += 1.0  # the second input moves
    >>> monitor = FeatureMonitor("adwin")
    >>> monitor.feed(X[:1000], start=0) is None
    True
    >>> detection = monitor.feed(X[1000:], start=1000)
    >>> 2000 <= detection.index < 2200, monitor.last_column
    (True, 1)
    """

    def __init__(self, detector: Any):
        self.detector = detector
        self.monitors: list[DriftMonitor] = []
        self.center: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.last_column: int | None = None
        self.n_fed = 0

    def __deepcopy__(self, memo: dict) -> FeatureMonitor:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.monitors = [copy.deepcopy(m, memo) for m in self.monitors]
        return new

    def _fresh(self, n_columns: int) -> DriftMonitor:
        if n_columns == 1:
            detector = make_detector(self.detector)
            if is_binary_detector(detector):
                raise ValueError(
                    f"{type(detector).__name__} only accepts 0/1 inputs; input "
                    "features need a real-valued detector such as 'adwin'."
                )
        else:
            detector = feature_detector(self.detector, n_columns)
        return DriftMonitor(detector, two_sided=True)

    def feed(self, values: np.ndarray, start: int) -> Detection | None:
        """Feed rows ``start, start+1, …`` of ``values`` (n_rows, n_columns).

        Returns the earliest change found in any column, or None. After a
        change every detector restarts; the rows after it are not fed.
        """
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                f"The watched inputs must be one row per sample, got shape "
                f"{values.shape}."
            )
        if not np.isfinite(values).all():
            raise ValueError(
                "The watched inputs contain NaN or infinite values; watching "
                "features needs finite numbers."
            )
        if self.center is None:
            self.center = values.mean(axis=0)
            spread = values.std(axis=0)
            self.scale = np.where(spread > 0, spread, 1.0)
            self.monitors = [self._fresh(values.shape[1]) for _ in self.center]
        if values.shape[1] != len(self.monitors):
            raise ValueError(
                f"The watched inputs have {values.shape[1]} columns; the first "
                f"run had {len(self.monitors)}."
            )
        scaled = (values - self.center) / self.scale
        found = [
            (detection, column)
            for column, monitor in enumerate(self.monitors)
            if (detection := monitor.feed(scaled[:, column], start)) is not None
        ]
        if not found:
            self.n_fed += len(values)
            return None
        detection, self.last_column = min(found, key=lambda f: f[0].index)
        self.n_fed += detection.index - start + 1
        for monitor in self.monitors:
            monitor._restart()
        return detection
