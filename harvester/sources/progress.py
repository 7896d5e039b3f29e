"""How a source reports a long read: a callback given (messages fetched, messages in total)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]


class Tracker:
    """Adds up what concurrent requests fetched and tells the callback, if there is one."""

    def __init__(self, progress: Progress | None, total: int, done: int = 0) -> None:
        self._progress = progress
        self.total = total
        self.done = done
        self._report()

    def add(self, count: int) -> None:
        self.done += count
        self._report()

    def _report(self) -> None:
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)
