"""Progress of long reads and counts on stderr, only when a person is watching (stderr is a
terminal): a tqdm bar per source read, per round of an archive and for the counting."""

from __future__ import annotations

from typing import Any, TextIO

from harvester.sources.progress import Progress

SHOWN_FROM = 50  # shorter work finishes before a bar would be worth drawing


class TerminalProgress:
    """Bars drawn with tqdm: "discourse …/t/x/1: 320/1000 messages", "counting: 120/773 votes"."""

    def __init__(self, stream: TextIO, refresh_seconds: float = 0.1) -> None:
        self._stream = stream
        self._enabled = _is_terminal(stream)
        self._refresh = refresh_seconds

    def for_source(self, label: str) -> Progress | None:
        return self.bar(label, "messages")

    def bar(self, label: str, unit: str) -> Progress | None:
        """A callback (done, total) that draws one bar, or None when nobody is watching."""
        if not self._enabled:
            return None
        drawn: list[Any] = []  # the bar, made at the first report worth drawing

        def report(done: int, total: int) -> None:
            if total < SHOWN_FROM:
                return
            if not drawn:
                from tqdm import tqdm  # only when a bar is drawn

                drawn.append(
                    tqdm(
                        total=total,
                        desc=label,
                        unit=f" {unit}",
                        file=self._stream,
                        leave=False,
                        mininterval=self._refresh,
                    )
                )
            bar = drawn[0]
            bar.total = total
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return report


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or wrapped stream
        return False
