"""Progress of long reads on stderr, only when a person is watching (stderr is a terminal)."""

from __future__ import annotations

from typing import TextIO

from harvester.sources.progress import Progress

SHOWN_FROM = 50  # shorter reads finish before a line would be worth drawing


class TerminalProgress:
    """One line per source, redrawn in place: "discourse …/t/x/1: 320/1000 messages"."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._enabled = _is_terminal(stream)

    def for_source(self, label: str) -> Progress | None:
        if not self._enabled:
            return None

        def report(done: int, total: int) -> None:
            if total < SHOWN_FROM:
                return
            end = "\n" if done >= total else ""
            self._stream.write(f"\r{label}: {done}/{total} messages{end}")
            self._stream.flush()

        return report


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or wrapped stream
        return False
