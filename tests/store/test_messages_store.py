"""Storing fetched threads: once per message, edits stored again, failures leave nothing, and a
tally recomputed from the database equals the one from the sources."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.core.tally import TallyOptions, count_votes
from harvester.errors import ConfigError
from harvester.model import Author, Poll, PollOption, Thread
from harvester.store.bulk import BULK_ROWS
from harvester.store.db import check_current, engine_for, upgrade
from harvester.store.messages import (
    Saved,
    load_thread,
    message_from_json,
    message_json,
    save_thread,
)
from harvester.store.tables import messages, metadata, threads
from tests.core.factories import ROSTER, T0, call, mail
from tests.core.test_mirrors_and_polls import post, topic

T = TypeVar("T")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def with_connection(url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = engine_for(url)
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def vote_threads() -> list[Thread]:
    poll = Poll("poll", "open", True, 1, (PollOption("Yes", 1, ("ada",)),))
    with_poll = replace(post(3, "see the poll", "ada"), polls=(poll,), updated_at=T0)
    return [
        Thread(
            "ponymail",
            "https://lists.example.org/thread/x",
            (call(), mail(1, "+1", name="Bo Chen", address="bochen@apache.org")),
            title="[VOTE] Adopt the plan",
        ),
        topic(with_poll, post(2, "-1", "ada", hours=2)),
    ]


def count_rows(url: str) -> tuple[int, int]:
    async def work(connection: AsyncConnection) -> tuple[int, int]:
        n_threads = (await connection.execute(select(func.count()).select_from(threads))).scalar()
        n_messages = (await connection.execute(select(func.count()).select_from(messages))).scalar()
        return int(n_threads or 0), int(n_messages or 0)

    return with_connection(url, work)


def save_all(url: str, found: list[Thread]) -> list[Saved]:
    async def work(connection: AsyncConnection) -> list[Saved]:
        return [await save_thread(connection, thread, NOW) for thread in found]

    return with_connection(url, work)


def test_upgrade_creates_the_schema_and_the_check_passes(database_url: str) -> None:
    async def check() -> None:
        engine = engine_for(database_url)
        try:
            await check_current(engine, database_url)
        finally:
            await engine.dispose()

    with pytest.raises(ConfigError, match=r"schema is no schema, .*run `harvest db upgrade`"):
        asyncio.run(check())
    upgrade(database_url)
    asyncio.run(check())
    upgrade(database_url)  # again: nothing to do, no error


def test_migrations_and_models_agree(database_url: str) -> None:
    upgrade(database_url)

    def diff(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async def work(connection: AsyncConnection) -> list[object]:
        return await connection.run_sync(diff)

    assert with_connection(database_url, work) == []


def test_the_same_threads_twice_store_nothing_new(database_url: str) -> None:
    upgrade(database_url)
    first = save_all(database_url, vote_threads())
    assert first == [Saved(new=2, edited=0), Saved(new=2, edited=0)]
    assert count_rows(database_url) == (2, 4)
    again = save_all(database_url, vote_threads())
    assert again == [Saved(new=0, edited=0), Saved(new=0, edited=0)]
    assert count_rows(database_url) == (2, 4)


def test_an_edited_post_is_stored_again(database_url: str) -> None:
    upgrade(database_url)
    save_all(database_url, vote_threads())
    edited = replace(
        post(2, "+1 after all", "ada", hours=2), version=2, updated_at=T0 + timedelta(days=1)
    )
    assert save_all(database_url, [topic(edited)]) == [Saved(new=0, edited=1)]

    async def work(connection: AsyncConnection) -> Thread | None:
        return await load_thread(connection, "https://discuss.example.org/t/vote/7")

    stored = with_connection(database_url, work)
    assert stored is not None
    by_id = {m.source_id: m for m in stored.messages}
    assert by_id["2"].body == "<p>+1 after all</p>"
    assert by_id["2"].version == 2
    assert by_id["3"].body == "<p>see the poll</p>"  # the rest of the thread is kept
    assert count_rows(database_url) == (2, 4)


def test_a_harvest_that_fails_half_way_leaves_the_last_good_state(database_url: str) -> None:
    upgrade(database_url)
    save_all(database_url, vote_threads()[:1])

    async def work(connection: AsyncConnection) -> None:
        await save_thread(connection, vote_threads()[1], NOW)
        raise RuntimeError("the site failed after the first thread was stored")

    with pytest.raises(RuntimeError):
        with_connection(database_url, work)
    assert count_rows(database_url) == (1, 2)


def test_a_tally_recomputed_from_the_database_equals_the_fetched_one(database_url: str) -> None:
    upgrade(database_url)
    fetched = vote_threads()
    save_all(database_url, fetched)

    async def work(connection: AsyncConnection) -> list[Thread]:
        loaded = [await load_thread(connection, t.url) for t in fetched]
        return [t for t in loaded if t is not None]

    stored = with_connection(database_url, work)
    assert [t.messages for t in stored] == [t.messages for t in fetched]
    options = TallyOptions()
    assert count_votes(stored, ROSTER, options) == count_votes(fetched, ROSTER, options)


def test_a_stored_message_reads_back_equal_whatever_sequences_its_author_has() -> None:
    """JSON gives lists back: every tuple field of the author must come back a tuple."""
    sequences = {f.name: ("x@example.org",) for f in fields(Author) if f.default == ()}
    sent = replace(mail(1, "+1"), references=("<a@x>",))
    sent = replace(sent, author=replace(sent.author, **sequences))
    back = message_from_json(json.loads(json.dumps(message_json(sent))))
    assert back == sent
    assert hash(back) == hash(sent)


def test_the_payload_is_what_rows_stored_before_hold() -> None:
    """message_json builds the payload by hand (asdict was most of a save's cost): it must stay
    the JSON that earlier versions stored with asdict, key for key, polls and problems too."""
    poll = Poll(
        "poll", "closed", True, 3, (PollOption("+1", 2, ("ada", "bo")), PollOption("-1", 1))
    )
    sent = replace(
        mail(1, "+1"),
        references=("<a@x>",),
        polls=(poll,),
        problems=("its text part is 9 MB, over the 8 MB cap",),
        updated_at=datetime(2026, 1, 6, tzinfo=UTC),
    )
    before = asdict(sent)
    before |= {
        "sent_at": sent.sent_at.isoformat(),
        "updated_at": "2026-01-06T00:00:00+00:00",
        "body_format": sent.body_format.value,
    }
    assert json.dumps(message_json(sent)) == json.dumps(before)
    assert message_from_json(json.loads(json.dumps(message_json(sent)))) == sent


def test_a_big_thread_is_stored_in_bulk_and_reads_back_equal(database_url: str) -> None:
    """Over BULK_ROWS rows PostgreSQL takes them through COPY and a staging table; both
    databases must give back every message, and an edit of half of them replaces those."""
    upgrade(database_url)
    posts = tuple(
        replace(
            mail(n, f"+1 from voter {n}", address=f"v{n}@apache.org"),
            sent_at=T0 + timedelta(seconds=n),
        )
        for n in range(1, 2 * BULK_ROWS + 1)
    )
    thread = Thread("mbox", "big.mbox#mid:m0@x", (call(), *posts), title="[VOTE] Adopt the plan")
    edited = tuple(
        replace(p, version=2, body=p.body + " (edited)") if n % 2 else p
        for n, p in enumerate(posts)
    )

    async def work(
        connection: AsyncConnection,
    ) -> tuple[Saved, Saved, Thread | None, Thread | None]:
        first = await save_thread(connection, thread, NOW)
        back = await load_thread(connection, thread.url)
        second = await save_thread(connection, replace(thread, messages=(call(), *edited)), NOW)
        again = await load_thread(connection, thread.url)
        return first, second, back, again

    first, second, back, again = with_connection(database_url, work)
    assert (first.new, first.edited) == (2 * BULK_ROWS + 1, 0)
    assert (second.new, second.edited) == (0, BULK_ROWS)
    assert back is not None
    assert back.messages == thread.messages
    assert again is not None
    assert again.messages == (call(), *edited)
