"""Timings: percentiles and one row of results."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Timing:
    """Seconds of each call of one contender on one workload, and bytes answered."""

    label: str
    seconds: list[float] = field(default_factory=list)
    nbytes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, fn: Callable[[], bytes]) -> None:
        t0 = time.perf_counter()
        try:
            body = fn()
        except Exception as e:  # a failure is a result to report, not a crash of the suite
            self.errors.append(f"{type(e).__name__}: {str(e)[:200]}")
            return
        self.seconds.append(time.perf_counter() - t0)
        self.nbytes.append(len(body))

    @property
    def n(self) -> int:
        return len(self.seconds)

    def p(self, q: float) -> float | None:
        return percentile(self.seconds, q) if self.seconds else None

    @property
    def p50(self) -> float | None:
        return self.p(0.5)

    @property
    def p95(self) -> float | None:
        return self.p(0.95)

    @property
    def mean_bytes(self) -> float:
        return sum(self.nbytes) / len(self.nbytes) if self.nbytes else 0.0


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1e3:,.0f}" if seconds >= 0.1 else f"{seconds * 1e3:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}×"
