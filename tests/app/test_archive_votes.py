"""`harvest --thread FILE.mbox` counts an archive a vote at a time (issue 13): its vote mails are
noted by their header, each vote is read whole, counted and printed by a worker, a chunk of votes
at a time, and the output is exactly what holding every vote mail at once gave."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from harvester.app import archive, archive_votes, oneoff
from harvester.app.cli import main
from harvester.app.harvest import HarvestRequest, tally_vote
from harvester.app.mail_files import mail_threads, with_cut_warning
from harvester.app.mail_votes import split_vote_url
from harvester.app.vote_index import VoteIndex
from harvester.app.workers import Workers
from harvester.config import Settings
from harvester.core.clean import clean_thread
from harvester.errors import SelectionError
from harvester.model import Message
from harvester.sources.limits import DEFAULT_LIMITS
from harvester.sources.mbox import file_ends_mid_message, read_mail_file
from tests.app.test_streamed_archive import generated

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent.parent
ROSTER = str(ROOT / "examples" / "roster.toml")


def held(request: HarvestRequest, fmt: str) -> str:
    """The reference: the whole file read in one pass, every mail held, no stub and no mail read
    again, each vote counted as harvest() counts it."""
    spec = request.threads[0]
    path = split_vote_url(spec)[0]
    mails = list(read_mail_file(path))
    threads = mail_threads(spec, mails)
    if file_ends_mid_message(path):
        threads = with_cut_warning(threads, mails[-1])
    match = (request.match or "").casefold()
    chosen = [t for t in map(clean_thread, threads) if match in t.title.casefold()]
    roster = asyncio.run(oneoff._roster(request, Settings(), io.StringIO()))
    counted = [tally_vote([t], roster, Settings(), NOW, rule=request.rule) for t in chosen]
    results = [replace(result, sources=()) for result in counted]
    return "".join(oneoff.render(results, fmt, Settings(), NOW))


def streamed(request: HarvestRequest, fmt: str) -> str:
    return "".join(oneoff._archive_lines(request, fmt, Settings(), NOW, io.StringIO()))


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("archive"), 2500)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_vote_at_a_time_prints_what_holding_them_all_printed(
    archive_file: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = HarvestRequest(threads=(str(archive_file),), roster=(ROSTER,), keep_sources=False)
    expected = held(request, fmt)
    assert expected.count("[VOTE]") >= 10
    assert streamed(request, fmt) == expected
    # Several processes, chunks of three votes, every size counted apart: the same again.
    monkeypatch.setattr(archive_votes, "VOTES_A_CHUNK", 3)
    monkeypatch.setattr(archive_votes, "PARALLEL_FROM", 0)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    two = HarvestRequest(threads=request.threads, roster=request.roster, jobs=2)
    assert streamed(two, fmt) == expected


def test_a_match_or_a_vote_of_the_file_picks_the_same(archive_file: Path) -> None:
    whole = HarvestRequest(threads=(str(archive_file),), keep_sources=False)
    first = held(whole, "json").splitlines()[0]
    url = json.loads(first)["sources"][0]["url"]
    assert "#mid:" in url
    one = HarvestRequest(threads=(url,), keep_sources=False)
    assert oneoff.is_one_archive(one, "json")
    assert streamed(one, "json") == held(one, "json") == first + "\n"
    title = json.loads(first)["title"].removeprefix("[VOTE] ")
    matched = HarvestRequest(threads=(str(archive_file),), match=title, keep_sources=False)
    assert streamed(matched, "json") == held(matched, "json")


def test_an_archive_with_no_vote_is_one_error_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quiet.mbox"
    path.write_text(
        "From a@x Mon Jan  5 10:00:00 2026\nSubject: lunch\nMessage-ID: <l@x>\n\nhi\n\n"
    )
    request = HarvestRequest(threads=(str(path),), match="nothing", keep_sources=False)
    with pytest.raises(SelectionError):
        streamed(request, "json")
    assert main(["--thread", str(path), "--format", "json"]) == 2  # what was asked is not there
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"harvest: error: {path}: no [VOTE] thread found\n"


def test_a_file_cut_short_warns_the_vote_it_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.mbox"
    path.write_text(
        "From a@x Mon Jan  5 10:00:00 2026\nSubject: [VOTE] Adopt\nMessage-ID: <c@x>\n"
        "Date: Mon, 05 Jan 2026 10:00:00 +0000\n\nPlease vote.\n\n"
        "From b@x Mon Jan  5 11:00:00 2026\nSubject: Re: [VOTE] Adopt\nMessage-ID: <r@x>\n"
        "In-Reply-To: <c@x>\nDate: Mon, 05 Jan 2026 11:00:00 +0000\n\n+1 and the rest is mis"
    )
    request = HarvestRequest(threads=(str(path),), keep_sources=False)
    out = streamed(request, "json")
    assert out == held(request, "json")
    assert "ends mid-message" in out


def test_the_votes_are_grouped_in_a_private_folder_that_goes_with_the_harvest(
    archive_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vote mails wait on disk, in a folder only this user can read, while the votes are
    counted; nothing of it is left after, nor after an error."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[tuple[int, list[str]]] = []
    plan = archive_votes.vote_plans

    def looked_at(*args: Any) -> archive_votes.Plans:
        (folder,) = scratch.iterdir()
        seen.append((folder.stat().st_mode & 0o777, sorted(p.name for p in folder.iterdir())))
        return plan(*args)

    monkeypatch.setattr(archive_votes, "vote_plans", looked_at)
    request = HarvestRequest(threads=(str(archive_file),), keep_sources=False)
    assert streamed(request, "json") == held(request, "json")
    assert seen == [(0o700, ["votes.sqlite3"])]  # the parts' files go once read
    assert list(scratch.iterdir()) == []
    nothing = HarvestRequest(threads=(str(archive_file),), match="no such", keep_sources=False)
    with pytest.raises(SelectionError):
        streamed(nothing, "json")
    assert list(scratch.iterdir()) == []


def test_without_a_scratch_folder_the_votes_are_grouped_in_memory(
    archive_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary folder can be made (a full or read-only disk): the same output."""
    request = HarvestRequest(threads=(str(archive_file),), keep_sources=False)
    expected = held(request, "json")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    monkeypatch.setattr(archive, "PARALLEL_FROM", 0)
    two = HarvestRequest(threads=request.threads, jobs=2, keep_sources=False)
    assert streamed(two, "json") == expected


def test_a_full_disk_under_the_votes_index_is_one_error_line(
    archive_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def full(*args: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(VoteIndex, "add_rows", full)
    starts = f"harvest: error: {tmp_path}{os.sep}harvest-"
    ends = ": the votes' scratch index failed: database or disk is full\n"
    _harvest_fails(archive_file, capsys, starts, ends)
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_that_is_not_utf_8_is_read_as_before(tmp_path: Path) -> None:
    """A Linux file name may hold any bytes: Python gives them as lone surrogates, which the
    votes' index keeps as they are (found by review: a traceback from SQLite's text)."""
    path = tmp_path / os.fsdecode(b"caf\xe9.mbox")
    path.write_text(TWO_VOTES)
    request = HarvestRequest(threads=(str(path),), keep_sources=False)
    out = streamed(request, "json")
    assert out == held(request, "json")
    assert out.count("\n") == 2


def test_which_harvests_go_a_vote_at_a_time(archive_file: Path, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_text("Subject: [VOTE] X\nMessage-ID: <x@x>\n\n+1\n")
    mbox = str(archive_file)
    assert oneoff.is_one_archive(HarvestRequest(threads=(mbox,), keep_sources=False), "text")
    assert not oneoff.is_one_archive(HarvestRequest(threads=(mbox,)), "json")  # --db keeps them
    assert not oneoff.is_one_archive(HarvestRequest(threads=(mbox,), keep_sources=False), "email")
    assert not oneoff.is_one_archive(
        HarvestRequest(threads=(mbox, mbox), keep_sources=False), "json"
    )
    assert not oneoff.is_one_archive(
        HarvestRequest(threads=(str(eml),), keep_sources=False), "json"
    )
    url = HarvestRequest(threads=("https://lists.apache.org/x.mbox",), keep_sources=False)
    assert not oneoff.is_one_archive(url, "json")


TWO_VOTES = "".join(
    f"From a@x Mon Jan  5 10:00:00 2026\nSubject: {subject}\nMessage-ID: <{ident}@x>\n"
    f"{'In-Reply-To: <' + parent + '@x>' + chr(10) if parent else ''}"
    "Date: Mon, 05 Jan 2026 10:00:00 +0000\n\n+1\n\n"
    for subject, ident, parent in [
        ("[VOTE] Adopt", "c1", ""),
        ("Re: [VOTE] Adopt", "r1", "c1"),
        ("[VOTE] Release", "c2", ""),
        ("Re: [VOTE] Release", "r2", "c2"),
    ]
)


def _harvest_fails(path: Path, capsys: pytest.CaptureFixture[str], starts: str, ends: str) -> None:
    """The harvest of `path` fails with one error line and prints nothing."""
    assert main(["--thread", str(path), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(starts)
    assert err.endswith(ends)
    assert err.count("\n") == 1


def _harvest_fails_as_changed(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = ": the mail file changed while it was read\n"
    _harvest_fails(path, capsys, f"harvest: error: {path} at byte ", changed)


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(lambda text: text.replace("<r2@x>", "<q2@x>"), id="another mail, same size"),
        pytest.param(lambda text: text[: text.index("[VOTE] Release") - 40], id="cut short"),
        pytest.param(lambda text: "\n" + text, id="moved by a byte"),
    ],
)
def test_a_file_rewritten_while_its_votes_are_counted_is_one_error_and_no_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rewrite: Callable[[str], str],
) -> None:
    """The votes are planned from the file, then it changes before the last is read again: no
    other mail is counted in one's place, and nothing of the first vote reaches the output."""
    path = tmp_path / "live.mbox"
    path.write_text(TWO_VOTES)
    plan = archive_votes.vote_plans

    def then_rewritten(*args: Any, **kwargs: Any) -> archive_votes.Plans:
        plans = plan(*args, **kwargs)
        path.write_text(rewrite(TWO_VOTES))
        return plans

    monkeypatch.setattr(archive_votes, "vote_plans", then_rewritten)
    monkeypatch.setattr(archive_votes, "VOTES_A_CHUNK", 1)
    _harvest_fails_as_changed(path, capsys)


def test_a_file_rewritten_between_two_mails_of_a_vote_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vote's mails are read with the file opened once: a rewrite after its call is read
    must still be seen by the next mail (found by review: a buffered read served the old
    bytes, or stitched old and new ones into a mail neither file holds)."""
    path = tmp_path / "live.mbox"
    path.write_text(TWO_VOTES)
    parse = archive.parse_mail

    def then_rewritten(raw: bytes, **kwargs: Any) -> Message:
        message = parse(raw, **kwargs)
        if message.source_id == "c2@x":
            path.write_text(TWO_VOTES.replace("<r2@x>", "<q2@x>"))
        return message

    monkeypatch.setattr(archive, "parse_mail", then_rewritten)
    _harvest_fails_as_changed(path, capsys)


@pytest.mark.parametrize("replace_by", ["nothing", "a folder"])
def test_a_file_gone_before_its_votes_are_read_again_says_it_changed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    replace_by: str,
) -> None:
    path = tmp_path / "live.mbox"
    path.write_text(TWO_VOTES)
    plan = archive_votes.vote_plans

    def then_gone(*args: Any, **kwargs: Any) -> archive_votes.Plans:
        plans = plan(*args, **kwargs)
        path.unlink()
        if replace_by == "a folder":
            path.mkdir()
        return plans

    monkeypatch.setattr(archive_votes, "vote_plans", then_gone)
    _harvest_fails_as_changed(path, capsys)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TWO_VOTES.replace("+1\n\n", "+1\n\r\n"), id="crlf blank lines"),
        pytest.param(TWO_VOTES.replace("\n", "\r\n"), id="crlf throughout"),
        pytest.param("\n\n" + TWO_VOTES.replace("+1\n\n", "+1\n\n\n\n"), id="blank lines"),
        pytest.param(TWO_VOTES + "From here on, no header\n\n", id="a part without header"),
    ],
)
def test_any_line_ends_print_what_one_pass_over_the_file_prints(tmp_path: Path, text: str) -> None:
    path = tmp_path / "mixed.mbox"
    path.write_bytes(text.encode())
    request = HarvestRequest(threads=(str(path),), keep_sources=False)
    assert streamed(request, "json") == held(request, "json")


@pytest.mark.parametrize(("threshold", "started"), [(1, True), (10**9, False)])
def test_the_workers_that_count_start_while_the_votes_are_planned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int, started: bool
) -> None:
    """A file small enough to be read here starts no worker; the counting of many vote mails
    starts them while this process plans the votes."""
    monkeypatch.setattr(archive_votes, "PARALLEL_FROM", threshold)
    path = generated(tmp_path, 40)
    with (
        Workers(2) as workers,
        archive_votes.archive_plans(str(path), None, DEFAULT_LIMITS, workers) as plans,
    ):
        assert plans.count > 0
        assert (workers._pool is not None) is started
