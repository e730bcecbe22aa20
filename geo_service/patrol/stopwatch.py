"""Milliseconds spent in each phase of a plan (`timings_ms`), for people tuning the planner."""

import time


class Stopwatch:
    """Started on creation; `lap(name)` records the time since the previous lap."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 1)
        self._last = now
