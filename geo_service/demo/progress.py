"""The load's progress bar (rich, on stderr), or nothing when disabled; times each stage."""

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class LoadProgress:
    """One bar over all rows to load, its label naming the current stage."""

    def __init__(self, enabled: bool) -> None:
        self._progress = (
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            if enabled
            else None
        )
        self._task: TaskID | None = None
        self.timings: dict[str, float] = {}  # stage → seconds
        self._current: tuple[str, float] | None = None

    def __enter__(self) -> "LoadProgress":
        if self._progress:
            self._progress.start()
            self._task = self._progress.add_task("", total=None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress:
            self._progress.stop()

    def stage(self, description: str) -> None:
        """Start a stage (ending the previous one); an empty description ends the last."""
        now = time.perf_counter()
        if self._current:
            name, since = self._current
            self.timings[name] = self.timings.get(name, 0.0) + now - since
        self._current = (description, now) if description else None
        if self._progress and self._task is not None:
            self._progress.update(self._task, description=description)

    def start_rows(self, total: int) -> None:
        if self._progress and self._task is not None:
            self._progress.update(self._task, total=total, completed=0)

    def advance(self, rows: int) -> None:
        if self._progress and self._task is not None:
            self._progress.advance(self._task, rows)
