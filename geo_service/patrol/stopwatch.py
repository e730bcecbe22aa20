"""Milliseconds spent in each phase of a plan (`timings_ms`), for people tuning the planner."""

import time
from collections.abc import Callable


class Stopwatch:
    """Started on creation; `lap(name)` records the time since the previous lap and tells
    `on_lap` (the planning page's progress), if given."""

    def __init__(self, on_lap: Callable[[str, float], None] | None = None) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()
        self._on_lap = on_lap

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 1)
        self._last = now
        if self._on_lap is not None:
            self._on_lap(name, self.laps[name])
