"""Schema 0005: a mail file stored before it as one thread row linked to several votes becomes
one thread per vote, holding only that vote's messages; nothing is lost, stored tallies stay, the
next recount reads the split threads. Down again, the file's row is whole once more."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.cli import main
from harvester.app.harvest import tally_vote
from harvester.app.mail_files import mail_threads
from harvester.app.record import record_result
from harvester.config import Settings
from harvester.model import Author, Message, Thread
from harvester.sources.mbox import read_mail_file
from harvester.sources.roster import load_roster
from harvester.store import messages as stored
from harvester.store import votes
from harvester.store.db import alembic_config
from harvester.store.tables import ballots, messages, tally_snapshots, threads, vote_threads
from tests.store.mail_votes import HUGO, LOGO, RELEASE, thread_url, write_files
from tests.store.test_messages_store import with_connection

T = TypeVar("T")
NOW = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)
TOPIC = "https://discuss.example.org/t/release-widget-1-0-0/7"
RENAME = """From alice@apache.org Mon Sep 14 09:00:00 2026
From: Alice Archer <alice@apache.org>
Subject: [VOTE] Rename the project
Date: Mon, 14 Sep 2026 09:00:00 +0000
Message-ID: <rename-call@widget.example.org>

Please vote on the new name.

From bob@apache.org Mon Sep 14 10:00:00 2026
From: Bob Baker <bob@apache.org>
Subject: Re: [VOTE] Rename the project
Date: Mon, 14 Sep 2026 10:00:00 +0000
Message-ID: <rename-bob@widget.example.org>
In-Reply-To: <rename-call@widget.example.org>

+1 to the new name
"""


def as_before_0005(thread: Thread, url: str) -> Thread:
    """What a harvest stored before 0005: every vote of a file under the file's own URL."""
    return replace(thread, url=url)


def old_database(url: str, folder: Path) -> tuple[Path, Path, Path]:
    """At 0004: the three-vote file harvested with --match Release, then --match logo (one row,
    both votes), then the Hugo vote's messages and a discussion stored in the same row with no
    vote of their own; a one-vote file; and a Discourse topic of the release vote."""
    command.upgrade(alembic_config(url), "0004")
    mbox, roster_file = write_files(folder)
    other = folder / "rename.mbox"
    other.write_text(RENAME, encoding="utf-8")
    roster = load_roster(str(roster_file))
    found = {t.title: t for t in mail_threads(str(mbox), list(read_mail_file(str(mbox))))}
    (rename,) = mail_threads(str(other), list(read_mail_file(str(other))))
    everything = list(read_mail_file(str(mbox)))
    stray = [m for m in everything if m.subject.startswith("[DISCUSS]")]

    async def fill(connection: AsyncConnection) -> None:
        for thread in (found[RELEASE.subject], found[LOGO.subject]):
            old = as_before_0005(thread, str(mbox))
            result = tally_vote([old], roster, Settings(), NOW)
            await record_result(connection, result, roster, NOW)
        rest = (*found[HUGO.subject].messages, *stray)
        leftover = Thread("mbox", str(mbox), rest, title=HUGO.subject)
        await stored.save_thread(connection, leftover, NOW)
        result = tally_vote([as_before_0005(rename, str(other))], roster, Settings(), NOW)
        await record_result(connection, result, roster, NOW)
        await stored.save_thread(connection, Thread("discourse", TOPIC, (topic_post(),)), NOW)
        await votes.link_thread(connection, 1, TOPIC)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(votes, "save_tally", _save_tally_without_draft)
        patch.setattr(votes, "ensure_vote", _ensure_vote_without_project)
        patch.setattr(votes, "vote_of_thread", _no_tracked_vote)
        with_connection(url, fill)
    return mbox, other, roster_file


_save_tally = votes.save_tally


async def _save_tally_without_draft(*args: Any, **kwargs: Any) -> int | None:
    """The code of 0004 stored no draft or summary with a tally: they came in 0007 and 0008."""
    return await _save_tally(*args[:6])


async def _ensure_vote_without_project(
    connection: AsyncConnection, key: str, title: str, now: datetime, project: str = ""
) -> int:
    """The code of 0004 knew no projects (0010): a vote unique by its key alone."""
    found = await connection.execute(text("SELECT id FROM votes WHERE key = :key"), {"key": key})
    vote_id = found.scalar_one_or_none()
    if vote_id is None:
        await connection.execute(
            text(
                "INSERT INTO votes (key, title, status, created_at, polls) "
                "VALUES (:key, :title, 'open', :now, 0)"
            ),
            {"key": key, "title": title, "now": now},
        )
        return await _ensure_vote_without_project(connection, key, title, now)
    return int(vote_id)


async def _no_tracked_vote(connection: AsyncConnection, url: str) -> None:
    """The code of 0004 started a vote per title even where its file's row was another's."""
    return None


def topic_post() -> Message:
    return Message(
        source="discourse",
        source_id="7/2",
        url=f"{TOPIC}/2",
        subject=RELEASE.subject,
        author=Author(name="Yuki", username="yuki"),
        sent_at=datetime(2026, 9, 7, 15, 0, tzinfo=UTC),
        body="+1 from the forum",
    )


async def shape(connection: AsyncConnection) -> dict[str, Any]:
    """url -> (kind, title, the source ids it holds, the votes linked to it)."""
    rows = (await connection.execute(select(threads.c.id, threads.c.url, threads.c.kind,
                                            threads.c.title))).all()  # fmt: skip
    found: dict[str, Any] = {}
    for thread_id, url, kind, title in rows:
        held = await connection.execute(
            select(messages.c.source_id).where(messages.c.thread_id == thread_id)
        )
        linked = await connection.execute(
            select(vote_threads.c.vote_id).where(vote_threads.c.thread_id == thread_id)
        )
        found[url] = (kind, title, {i for (i,) in held}, {v for (v,) in linked})
    return found


# Added after 0005 (0007, 0008): absent at the revisions read here.
LATER_COLUMNS = {"draft", "summary"}


async def kept(connection: AsyncConnection) -> tuple[list[Any], list[Any], list[Any]]:
    """What must not change: every message, every tally snapshot, every ballot."""
    out = []
    for table, order in ((messages, messages.c.id), (tally_snapshots, tally_snapshots.c.id),
                         (ballots, ballots.c.id)):  # fmt: skip
        known = [c for c in table.c if c.name not in LATER_COLUMNS]
        rows = (await connection.execute(select(*known).order_by(order))).all()
        out.append([_stable(table.name, row._asdict()) for row in rows])
    return out[0], out[1], out[2]


def _stable(table: str, row: dict[str, Any]) -> Any:
    if table == "messages":
        row.pop("thread_id")  # the one thing 0005 changes
    return json.dumps(row, sort_keys=True, default=str)


def ids(*of: Message | Thread) -> set[str]:
    return {m.source_id for t in of for m in (t.messages if isinstance(t, Thread) else (t,))}


def test_a_shared_mail_thread_is_split_per_vote_and_joined_again_on_downgrade(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox, other, roster = old_database(database_url, tmp_path)
    now = {t.title: t for t in mail_threads(str(mbox), list(read_mail_file(str(mbox))))}
    (rename,) = mail_threads(str(other), list(read_mail_file(str(other))))
    everything = set(ids(*read_mail_file(str(mbox))))
    before = with_connection(database_url, shape)
    assert before == {
        str(mbox): ("mbox", HUGO.subject, everything, {1, 2}),
        str(other): ("mbox", "[VOTE] Rename the project", ids(rename), {3}),
        TOPIC: ("discourse", "", {"7/2"}, {1}),
    }
    unchanged = with_connection(database_url, kept)

    command.upgrade(alembic_config(database_url), "0005")

    after = with_connection(database_url, shape)
    release, logo, hugo = now[RELEASE.subject], now[LOGO.subject], now[HUGO.subject]
    # The URLs a harvest of the files makes now, so a harvest after the upgrade finds them.
    assert [t.url for t in (release, logo, hugo)] == [
        thread_url(mbox, vote) for vote in (RELEASE, LOGO, HUGO)
    ]
    assert after == {
        str(mbox): ("mbox", HUGO.subject, everything - ids(release, logo, hugo), set()),
        release.url: ("mbox", RELEASE.subject, ids(release), {1}),
        logo.url: ("mbox", LOGO.subject, ids(logo), {2}),
        hugo.url: ("mbox", HUGO.subject, ids(hugo), set()),  # a vote no one harvested yet
        rename.url: ("mbox", "[VOTE] Rename the project", ids(rename), {3}),
        TOPIC: ("discourse", "", {"7/2"}, {1}),
    }
    assert with_connection(database_url, kept) == unchanged
    command.upgrade(alembic_config(database_url), "head")  # what the commands below need

    # The next recount reads the split threads: the logo vote is what --match shows.
    common = ("--roster", str(roster), "--format", "json")
    assert main(["votes", "recount", "2", "--db", database_url, *common]) == 0
    recounted = json.loads(capsys.readouterr().out)
    assert main(["--thread", str(mbox), "--match", "new logo", *common]) == 0
    alone = json.loads(capsys.readouterr().out)
    for key in ("ballots", "counts", "sources", "status"):
        assert recounted[key] == alone[key], key
    assert main(["votes", "recount", "1", "--db", database_url, *common]) == 0
    release_count = json.loads(capsys.readouterr().out)
    assert {s["url"] for s in release_count["sources"]} == {release.url, TOPIC}
    assert "logo" not in json.dumps(release_count["ballots"])

    # Harvesting the file again after the upgrade adds no message; the Hugo vote, new, finds
    # its messages under its URL.
    assert main(["--thread", str(mbox), "--db", database_url, *common]) == 0
    out, err = capsys.readouterr()
    harvested = [json.loads(line) for line in out.splitlines()]
    hugo_id = err.split("as vote(s) 1, 2, ", 1)[1].split()[0].rstrip(";")  # PostgreSQL skips ids
    again = with_connection(database_url, shape)
    assert again == {**after, hugo.url: ("mbox", HUGO.subject, ids(hugo), {int(hugo_id)})}
    assert main(["votes", "recount", hugo_id, "--db", database_url, *common]) == 0
    assert json.loads(capsys.readouterr().out)["ballots"] == harvested[2]["ballots"]

    command.downgrade(alembic_config(database_url), "0004")
    down = with_connection(database_url, shape)
    assert down[str(mbox)] == ("mbox", HUGO.subject, everything, {1, 2, int(hugo_id)})
    assert down[str(other)] == ("mbox", "[VOTE] Rename the project", ids(rename), {3})
    assert set(down) == {str(mbox), str(other), TOPIC}


def _count(table: Any) -> Callable[[AsyncConnection], Awaitable[int]]:
    async def work(connection: AsyncConnection) -> int:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())

    return work


def test_an_empty_database_upgrades_through_0005(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0004")
    command.upgrade(alembic_config(database_url), "0005")
    assert with_connection(database_url, _count(threads)) == 0
    command.downgrade(alembic_config(database_url), "0004")
    assert with_connection(database_url, _count(threads)) == 0
