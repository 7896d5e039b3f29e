"""Progress goes to a terminal only, and only for reads long enough to be worth a line."""

from __future__ import annotations

import io

from harvester.app.progress import SHOWN_FROM, TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_messages_fetched_of_total() -> None:
    stream = Terminal()
    report = TerminalProgress(stream).for_source("discourse https://d.example/t/x/1")
    assert report is not None
    for done in (20, 520, 1000):
        report(done, 1000)
    assert stream.getvalue() == (
        "\rdiscourse https://d.example/t/x/1: 20/1000 messages"
        "\rdiscourse https://d.example/t/x/1: 520/1000 messages"
        "\rdiscourse https://d.example/t/x/1: 1000/1000 messages\n"
    )


def test_short_reads_draw_nothing() -> None:
    stream = Terminal()
    report = TerminalProgress(stream).for_source("github x")
    assert report is not None
    report(3, SHOWN_FROM - 1)
    assert stream.getvalue() == ""


def test_a_pipe_or_file_gets_no_progress_at_all() -> None:
    assert TerminalProgress(io.StringIO()).for_source("discourse x") is None
