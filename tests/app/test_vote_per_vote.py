"""One vote per vote: a mail file holding three votes, kept with `--db`, is three vote threads;
each vote's `votes show`, `votes recount`, API answer and page show exactly what
`harvest --thread FILE --match SUBJECT` shows for it. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app import record
from harvester.app.cli import main
from harvester.app.fetch import Fetcher, http_options
from harvester.app.webapp import DatabaseBackend
from harvester.config import Settings
from harvester.errors import SelectionError
from harvester.sources.http import HttpClient
from harvester.store import votes
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import messages, threads
from harvester.store.tables import votes as vote_rows
from harvester.web import create_app
from tests.fakes.files import FakeFiles
from tests.store.mail_votes import HUGO, LOGO, VOTES, mbox_text, thread_url
from tests.store.mail_votes import write_files as write_vote_files
from tests.store.test_messages_store import with_connection

T = TypeVar("T")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


async def _counts(connection: AsyncConnection) -> tuple[int, int, int]:
    found = []
    for table in (threads, messages, vote_rows):
        counted = await connection.execute(select(func.count()).select_from(table))
        found.append(int(counted.scalar_one()))
    return found[0], found[1], found[2]


def _urls_of(vote_id: int) -> Callable[[AsyncConnection], Awaitable[list[str]]]:
    return lambda connection: votes.thread_urls(connection, vote_id)


def api_reports(url: str, ids: list[int]) -> dict[int, tuple[dict[str, Any], str]]:
    """GET /api/votes/ID and /votes/ID of a dashboard over the database."""
    seen: dict[int, tuple[dict[str, Any], str]] = {}

    async def go() -> None:
        engine = engine_for(url)
        backend = DatabaseBackend(engine, Settings(), lambda: datetime.now(UTC))
        try:
            async with TestClient(TestServer(create_app(backend, token="t" * 20))) as client:
                for vote_id in ids:
                    detail = await (await client.get(f"/api/votes/{vote_id}")).json()
                    page = await (await client.get(f"/votes/{vote_id}")).text()
                    seen[vote_id] = (detail["report"], page)
        finally:
            await engine.dispose()

    asyncio.run(go())
    return seen


def test_each_vote_of_a_file_is_stored_shown_and_recounted_as_its_own(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    mbox, roster = write_vote_files(tmp_path)
    common = ("--thread", str(mbox), "--roster", str(roster), "--format", "json")
    code, out, err = run(capsys, *common, "--db", database_url)
    assert code == 0, err
    assert f"kept in {database_url} as vote(s) 1, 2, 3" in err
    harvested = json_lines(out)
    assert [r["title"] for r in harvested] == [v.subject for v in VOTES]

    alone: dict[int, dict[str, Any]] = {}
    for vote_id, vote in enumerate(VOTES, start=1):
        code, out, err = run(capsys, *common, "--match", vote.subject[7:])
        assert code == 0, err
        (alone[vote_id],) = json_lines(out)
        assert alone[vote_id] == harvested[vote_id - 1]
        assert alone[vote_id]["sources"] == [
            {"kind": "mbox", "url": thread_url(mbox, vote), "messages": vote.messages}
        ]
        voters = {b["member_id"] for b in alone[vote_id]["ballots"]}
        assert voters == {*vote.ballots, vote.caller}

    assert with_connection(database_url, _counts) == (3, sum(v.messages for v in VOTES), 3)
    for vote_id, vote in enumerate(VOTES, start=1):
        assert with_connection(database_url, _urls_of(vote_id)) == [thread_url(mbox, vote)]

    for vote_id in alone:
        code, out, err = run(capsys, "votes", "show", str(vote_id), "--db", database_url,
                             "--format", "json")  # fmt: skip
        assert code == 0, err
        assert json.loads(out) == alone[vote_id]

    # Counted again from the stored messages alone: the same, and nothing of the other votes.
    for vote_id in alone:
        code, out, err = run(capsys, "votes", "recount", str(vote_id), "--db", database_url,
                             "--format", "json")  # fmt: skip
        assert code == 0, err
        assert json.loads(out) == alone[vote_id]
        code, out, _ = run(capsys, "votes", "show", str(vote_id), "--db", database_url,
                           "--format", "json")  # fmt: skip
        assert json.loads(out) == alone[vote_id]

    for vote_id, (report, page) in api_reports(database_url, list(alone)).items():
        assert report == alone[vote_id]
        vote = VOTES[vote_id - 1]
        assert thread_url(mbox, vote) in page
        for other in VOTES:
            for text in other.ballots.values():
                assert (text in page) is (other is vote), (vote_id, text)

    # The same file again stores nothing new.
    code, out, err = run(capsys, *common, "--db", database_url)
    assert code == 0, err
    assert json_lines(out) == harvested
    assert with_connection(database_url, _counts) == (3, sum(v.messages for v in VOTES), 3)


def test_a_harvest_failing_at_its_last_vote_stores_none_of_them(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upgrade(database_url)
    mbox, roster = write_vote_files(tmp_path)
    saved = record.save_count
    calls: list[int] = []

    async def failing(connection: AsyncConnection, vote_id: int, *args: Any) -> None:
        calls.append(vote_id)
        if len(calls) == len(VOTES):
            raise OperationalError("INSERT", {}, Exception("disk full"))
        await saved(connection, vote_id, *args)

    monkeypatch.setattr(record, "save_count", failing)
    code, out, err = run(capsys, "--thread", str(mbox), "--roster", str(roster), "--db",
                         database_url)  # fmt: skip
    assert code == 1
    assert out == ""
    assert err.splitlines()[0].startswith(
        f"harvest: error: {database_url}: cannot use the database"
    )
    assert "Traceback" not in err
    assert calls == [1, 2, 3]
    assert with_connection(database_url, _counts) == (0, 0, 0)


def test_an_mbox_url_is_one_thread_per_vote_and_its_fragment_picks_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeFiles() as site:
        url = site.add("/archive/three-votes.mbox", mbox_text(), "application/mbox")
        code, out, err = run(capsys, "--thread", url, "--format", "json")
        assert code == 0, err
        assert [r["sources"][0]["url"] for r in json_lines(out)] == [
            thread_url(url, v) for v in VOTES
        ]
        code, out, err = run(capsys, "--thread", thread_url(url, LOGO), "--format", "json")
        assert code == 0, err
        (logo,) = json_lines(out)
        assert logo["title"] == LOGO.subject
        assert logo["sources"] == [
            {"kind": "mbox", "url": thread_url(url, LOGO), "messages": LOGO.messages}
        ]

        async def polls() -> tuple[str, int, list[str]]:
            settings = Settings()
            async with HttpClient(http_options(settings)) as client:
                fetcher = Fetcher(client, settings)
                update = await fetcher.poll(thread_url(url, HUGO), None)
                errors = []
                for gone in (f"{url}#mid:nothing@example.org", url):
                    try:
                        await fetcher.poll(gone, None)
                    except SelectionError as error:
                        errors.append(str(error))
            return update.thread.url, len(update.thread.messages), errors

        polled, held, errors = asyncio.run(polls())
        # The daemon's poll of one vote of the download reads that vote alone.
        assert (polled, held) == (thread_url(url, HUGO), HUGO.messages)
        assert errors == [
            f"{url}#mid:nothing@example.org: the file no longer holds this vote's call",
            f"{url}: holds 3 votes; a watched thread must hold one",
        ]
        assert site.count("") == site.count("^/archive/three-votes.mbox$")  # the file itself


def test_a_stored_votes_thread_url_reads_that_vote_from_the_local_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox, roster = write_vote_files(tmp_path)
    url = thread_url(mbox, LOGO)
    code, out, err = run(capsys, "--thread", url, "--roster", str(roster), "--format", "json")
    assert (code, err) == (0, "")
    (report,) = json_lines(out)
    assert report["title"] == LOGO.subject
    assert [s["url"] for s in report["sources"]] == [url]
