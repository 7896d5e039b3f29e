"""Progress goes to a terminal only (tqdm bars), and only for work long enough to be worth one:
source reads, the rounds of a large archive, the counting of many votes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from harvester.app import archive, harvest
from harvester.app.cli import main
from harvester.app.progress import SHOWN_FROM, TerminalProgress
from harvester.app.workers import Workers
from tests.app.test_streamed_archive import generated


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_messages_fetched_of_total() -> None:
    stream = Terminal()
    report = TerminalProgress(stream, refresh_seconds=0).for_source(
        "discourse https://d.example/t/x/1"
    )
    assert report is not None
    for done in (20, 520, 1000):
        report(done, 1000)
    drawn = stream.getvalue()
    assert "discourse https://d.example/t/x/1:" in drawn
    assert "520/1000 [" in drawn
    assert "1000/1000 [" in drawn
    assert "messages/s" in drawn


def test_short_work_draws_nothing() -> None:
    stream = Terminal()
    report = TerminalProgress(stream).for_source("github x")
    assert report is not None
    report(3, SHOWN_FROM - 1)
    assert stream.getvalue() == ""


def test_a_pipe_or_file_gets_no_progress_at_all() -> None:
    assert TerminalProgress(io.StringIO()).for_source("discourse x") is None
    assert TerminalProgress(io.StringIO()).bar("counting", "votes") is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_workers_tell_how_far_they_are(jobs: int) -> None:
    heard: list[tuple[int, int]] = []
    with Workers(jobs) as workers:
        workers.map(pow, [2] * 100, range(100), progress=lambda d, t: heard.append((d, t)))
    assert heard[-1] == (100, 100) or max(heard) == (100, 100)
    assert all(total == 100 for _, total in heard)
    assert sorted(done for done, _ in heard) == [done for done, _ in sorted(heard)]


def test_a_large_archive_shows_its_rounds_and_the_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generated(tmp_path, 3000)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)  # read in parts, as a large file is
    monkeypatch.setattr(archive, "PART_BYTES", path.stat().st_size // 60 + 1)
    monkeypatch.setattr(archive, "MB", 1)  # the small file counted in bytes, to pass SHOWN_FROM
    monkeypatch.setattr(harvest, "PARALLEL_TALLY_FROM", 0)
    err = Terminal()
    assert main(["--thread", str(path), "--jobs", "1"], out=io.StringIO(), err=err) == 0
    drawn = err.getvalue()
    assert f"reading {path.name} (round 1)" in drawn
    assert "counting:" in drawn
    assert " votes" in drawn
