"""Rolling baselines for anomaly rules: a metric's last N samples, its mean/std and percentiles.

``RollingBaseline.add`` is O(1) for z-scores (running sums) and O(log n + n) worst case for
percentiles (a sorted list kept with ``bisect``; n is the baseline size, a few hundred).
The running sums are recomputed from the samples now and then to bound float drift.
"""

from __future__ import annotations

import bisect
import math
from collections import deque


class RollingBaseline:
    __slots__ = ("size", "samples", "_sum", "_sumsq", "_sorted", "_adds", "armed")

    def __init__(self, size: int, *, keep_sorted: bool = False) -> None:
        self.size = size
        self.samples: deque[float] = deque()
        self._sum = 0.0
        self._sumsq = 0.0
        self._sorted: list[float] | None = [] if keep_sorted else None
        self._adds = 0
        self.armed = True

    def __len__(self) -> int:
        return len(self.samples)

    def add(self, x: float) -> None:
        samples = self.samples
        samples.append(x)
        self._sum += x
        self._sumsq += x * x
        srt = self._sorted
        if srt is not None:
            bisect.insort(srt, x)
        if len(samples) > self.size:
            old = samples.popleft()
            self._sum -= old
            self._sumsq -= old * old
            if srt is not None:
                del srt[bisect.bisect_left(srt, old)]
        self._adds += 1
        if self._adds >= 10 * self.size:
            self._adds = 0
            self._sum = math.fsum(samples)
            self._sumsq = math.fsum(v * v for v in samples)

    @property
    def mean(self) -> float:
        n = len(self.samples)
        return self._sum / n if n else 0.0

    @property
    def std(self) -> float:
        """Sample standard deviation (n - 1)."""
        n = len(self.samples)
        if n < 2:
            return 0.0
        var = (self._sumsq - self._sum * self._sum / n) / (n - 1)
        return math.sqrt(var) if var > 0 else 0.0

    def zscore(self, x: float) -> float | None:
        """How many standard deviations ``x`` is from the mean; None when the baseline is flat.

        A flat baseline (std 0) with a different value gives +/-inf: anything new is anomalous."""
        n = len(self.samples)
        if n < 2:
            return None
        s = self._sum
        mean = s / n
        var = (self._sumsq - s * mean) / (n - 1)
        sd = math.sqrt(var) if var > 0 else 0.0
        if sd <= 1e-12 * max(1.0, abs(mean)):
            return math.copysign(math.inf, x - mean) if x != mean else None
        return (x - mean) / sd

    def percentile(self, p: float) -> float | None:
        """The p-th percentile (0..100, linear interpolation) of the samples."""
        data = self._sorted if self._sorted is not None else sorted(self.samples)
        n = len(data)
        if n == 0:
            return None
        if n == 1:
            return data[0]
        rank = (p / 100.0) * (n - 1)
        lo = int(math.floor(rank))
        hi = min(lo + 1, n - 1)
        return data[lo] + (data[hi] - data[lo]) * (rank - lo)
