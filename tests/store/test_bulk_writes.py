"""Message rows written in batches (store/bulk.py, store/payload.py): every message reads back
equal from its payload (and payloads stored before still do), the stored times are exactly
what the SQLAlchemy path stored, a message listed twice is stored once, and a row another
writer stored since the lookup is replaced, not an error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread
from harvester.store import messages as stored
from harvester.store.bulk import BULK_ROWS, sqlite_time
from harvester.store.db import engine_for, upgrade
from harvester.store.messages import Saved, load_thread, save_thread
from harvester.store.payload import message_from_json, message_json, payload_text
from harvester.store.tables import messages
from tests.core.factories import T0, call, mail

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


# --- the payload ----------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
_STRINGS = st.lists(_TEXT, max_size=3).map(tuple)
_ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=8)),
        timezone(timedelta(minutes=-9, seconds=-21)),  # Paris mean time: seconds in the offset
    ]
)
_TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_ZONES
)
_POLLS = st.lists(
    st.builds(
        Poll,
        name=_TEXT,
        status=st.sampled_from(["open", "closed"]),
        public=st.booleans(),
        voters=st.integers(0, 10**6),
        options=st.lists(
            st.builds(PollOption, _TEXT, st.integers(0, 99), _STRINGS), max_size=2
        ).map(tuple),
    ),
    max_size=1,
).map(tuple)
_AUTHORS = st.builds(
    Author,
    name=_TEXT,
    address=_TEXT,
    username=_TEXT,
    reply_to=_STRINGS,
    cc=_STRINGS,
    github_sender=_TEXT,
    envelope_from=_STRINGS,
)
_MESSAGES = st.builds(
    Message,
    source=st.sampled_from(["mail", "discourse", "github"]),
    source_id=_TEXT,
    url=_TEXT,
    subject=_TEXT,
    author=_AUTHORS,
    sent_at=_TIMES,
    body=st.text(max_size=300),
    body_format=st.sampled_from(list(BodyFormat)),
    in_reply_to=_TEXT,
    references=_STRINGS,
    thread_url=_TEXT,
    visible=st.booleans(),
    version=st.integers(-(2**40), 2**40),
    updated_at=st.none() | _TIMES,
    polls=_POLLS,
    problems=_STRINGS,
)


@given(_MESSAGES)
@settings(max_examples=300)
def test_every_message_reads_back_equal_from_its_payload(message: Message) -> None:
    """Whatever the text holds (quotes, controls, lone surrogates, any script) and whatever the
    zone offset, a stored message comes back as it was fetched."""
    back = message_from_json(json.loads(payload_text(message)))
    assert back == message
    assert back.sent_at.utcoffset() == message.sent_at.utcoffset()


@pytest.mark.parametrize(
    "message",
    [
        replace(mail(1, "+1 \ud800"), subject="lone \udc00 surrogate"),
        replace(
            mail(1, "+1"), sent_at=datetime(2026, 1, 5, tzinfo=timezone(timedelta(seconds=30)))
        ),
    ],
    ids=["surrogate", "offset-seconds"],
)
def test_what_msgspec_cannot_write_exactly_is_written_as_before(message: Message) -> None:
    assert payload_text(message) == json.dumps(message_json(message))


def test_payloads_stored_before_and_now_read_back_alike(database_url: str) -> None:
    """Rows stored by earlier versions (json.dumps of message_json) stay readable beside the
    compact ones written now."""
    upgrade(database_url)
    older = replace(mail(1, "+1 élan"), updated_at=T0 + timedelta(hours=3))
    in_shanghai = timezone(timedelta(hours=8))
    newer = replace(mail(2, "-1 中文"), sent_at=(T0 + timedelta(hours=2)).astimezone(in_shanghai))
    thread = Thread("mbox", "x.mbox", (call(), older, newer))

    async def work(connection: AsyncConnection) -> tuple[Saved, Thread | None]:
        await save_thread(connection, replace(thread, messages=(call(), newer)), NOW)
        thread_id = (await connection.execute(text("SELECT id FROM threads"))).scalar_one()
        await connection.execute(
            messages.insert().values(  # as the SQLAlchemy path of earlier versions wrote it
                source=older.source,
                source_id=older.source_id,
                thread_id=thread_id,
                sent_at=older.sent_at,
                updated_at=older.updated_at,
                version=older.version,
                payload=message_json(older),
                stored_at=NOW,
            )
        )
        again = await save_thread(connection, thread, NOW)
        return again, await load_thread(connection, thread.url)

    again, back = with_connection(database_url, work)
    assert again == Saved(new=0, edited=0)
    assert back is not None
    assert back.messages == thread.messages


# --- times on SQLite ------------------------------------------------------------------------------


@given(_TIMES)
def test_sqlite_times_are_written_as_sqlalchemy_writes_them(moment: datetime) -> None:
    """Rows written with driver SQL must sort and compare with rows SQLAlchemy wrote."""
    dialect = sqlite.dialect()
    process = messages.c.sent_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_time(moment) == process(moment)


def test_a_naive_time_is_refused_as_before(database_url: str) -> None:
    upgrade(database_url)
    naive = replace(mail(1, "+1"), sent_at=datetime(2026, 1, 5, 15, 0))

    async def work(connection: AsyncConnection) -> Saved:
        return await save_thread(connection, Thread("mbox", "x.mbox", (naive,)), NOW)

    with pytest.raises(ValueError, match="naive datetime"):
        with_connection(database_url, work)


# --- batches --------------------------------------------------------------------------------------


def big_thread(count: int) -> Thread:
    posts = tuple(
        replace(mail(n, f"+1 from voter {n}"), sent_at=T0 + timedelta(seconds=n))
        for n in range(1, count + 1)
    )
    return Thread("mbox", "big.mbox#mid:m0@x", (call(), *posts), title="[VOTE] Adopt the plan")


async def _rows(connection: AsyncConnection) -> int:
    return int((await connection.execute(select(func.count()).select_from(messages))).scalar_one())


@pytest.mark.parametrize("size", [3, BULK_ROWS + 10])
def test_a_message_listed_twice_in_a_thread_is_stored_once(database_url: str, size: int) -> None:
    """An archive can hold the same mail twice. Before, PostgreSQL refused the whole save
    ("ON CONFLICT DO UPDATE command cannot affect row a second time"); now the COPY of a big
    batch falls back to the upsert, which stores it once."""
    upgrade(database_url)
    thread = big_thread(size)
    twice = replace(thread, messages=(*thread.messages, thread.messages[2]))

    async def work(connection: AsyncConnection) -> tuple[Saved, int, Thread | None]:
        saved = await save_thread(connection, twice, NOW)
        return saved, await _rows(connection), await load_thread(connection, thread.url)

    saved, rows, back = with_connection(database_url, work)
    assert saved == Saved(new=size + 2, edited=0)  # as counted before: each listing is new
    assert rows == size + 1
    assert back is not None
    assert back.messages == thread.messages


@pytest.mark.parametrize("size", [3, BULK_ROWS + 10])
def test_rows_another_writer_stored_since_the_lookup_are_replaced(
    database_url: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup said new, but the rows are there by the time they are written (a second
    replica, a one-off harvest): the save still succeeds and stores each message once."""
    upgrade(database_url)
    thread = big_thread(size)
    with_connection(database_url, lambda connection: save_thread(connection, thread, NOW))
    edited = replace(thread, messages=tuple(replace(m, body=m.body + "!") for m in thread.messages))

    async def nothing_known(connection: AsyncConnection, found: Any) -> dict[Any, Any]:
        return {}

    monkeypatch.setattr(stored, "_known_versions", nothing_known)

    async def work(connection: AsyncConnection) -> tuple[int, Thread | None]:
        await save_thread(connection, edited, NOW + timedelta(hours=1))
        return await _rows(connection), await load_thread(connection, thread.url)

    rows, back = with_connection(database_url, work)
    assert rows == size + 1
    assert back is not None
    assert back.messages == edited.messages


def test_a_failed_copy_leaves_the_rest_of_the_transaction(database_url: str) -> None:
    """The COPY that falls back runs in a savepoint: what the transaction wrote before it, and
    the thread row, stay."""
    upgrade(database_url)
    thread = big_thread(BULK_ROWS + 10)
    twice = replace(thread, messages=(*thread.messages, thread.messages[5]))
    other = Thread("mbox", "small.mbox", (replace(mail(9999, "+1"), source_id="z@x"),))

    async def work(connection: AsyncConnection) -> int:
        await save_thread(connection, other, NOW)
        await save_thread(connection, twice, NOW)
        stored_threads = await connection.execute(text("SELECT count(*) FROM threads"))
        return int(stored_threads.scalar_one()) * 10_000 + await _rows(connection)

    assert with_connection(database_url, work) == 2 * 10_000 + BULK_ROWS + 11 + 1


@pytest.mark.parametrize("sqlite_json", [True, False])
def test_the_lookup_finds_stored_versions_with_and_without_json_each(
    database_url: str, sqlite_json: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.38 may lack json_each: IN lists of 500 find the same."""
    monkeypatch.setattr(stored, "_SQLITE_JSON", sqlite_json)
    upgrade(database_url)
    thread = big_thread(1200)
    edited = replace(
        thread,
        messages=tuple(
            replace(m, version=2) if n % 100 == 7 else m for n, m in enumerate(thread.messages)
        ),
    )

    async def work(connection: AsyncConnection) -> tuple[Saved, Saved]:
        first = await save_thread(connection, thread, NOW)
        return first, await save_thread(connection, edited, NOW)

    first, second = with_connection(database_url, work)
    assert first == Saved(new=1201, edited=0)
    assert second == Saved(new=0, edited=12)
