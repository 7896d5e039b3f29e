"""Threads and their messages, stored as fetched: idempotent writes, reads without the network."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, String, any_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Message, Thread
from harvester.store import bulk
from harvester.store.payload import message_from_json as message_from_json
from harvester.store.payload import message_json as message_json
from harvester.store.tables import messages, threads


@dataclass(frozen=True)
class Saved:
    new: int  # messages stored for the first time
    edited: int  # messages stored again because the source edited them


def dialect_insert(connection: AsyncConnection) -> Any:
    """INSERT … ON CONFLICT needs the dialect's own insert()."""
    dialect = connection.dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


_insert = dialect_insert
# A partial read (an incremental poll) knows nothing about the thread as a whole.
_WHOLE_THREAD_ONLY = {"expected_messages", "warnings"}


async def save_thread(
    connection: AsyncConnection, thread: Thread, now: datetime, *, complete: bool = True
) -> Saved:
    """Store a fetched thread. A message seen before is left alone unless its version or
    updated_at moved (an edited vote); callers commit, so a failed harvest stores nothing.
    `complete=False` (an incremental poll: only new or edited messages) keeps the thread's
    expected count and warnings from the last whole read."""
    thread_id = await _save_thread_row(connection, thread, now, complete=complete)
    known = await _known_versions(connection, thread.messages)
    new, edited = _new_and_edited(thread.messages, known)
    await bulk.write_messages(connection, thread_id, new, edited, now)
    return Saved(new=len(new), edited=len(edited))


async def _save_thread_row(
    connection: AsyncConnection, thread: Thread, now: datetime, *, complete: bool
) -> int:
    """Insert or update the thread's row; its id. The first statement of a save: it begins the
    transaction that bulk's driver-level writes join."""
    values = {
        "url": thread.url,
        "kind": thread.kind,
        "title": thread.title,
        "closed": thread.closed,
        "closed_at": thread.closed_at,
        "expected_messages": thread.expected_messages,
        "warnings": list(thread.warnings),
        "first_seen": now,
        "last_fetched": now,
    }
    statement = _thread_upsert(connection.dialect.name, complete)
    saved = await connection.execute(statement, {f"new_{k}": v for k, v in values.items()})
    return int(saved.scalar_one())


_THREAD_COLUMNS = (
    "url", "kind", "title", "closed", "closed_at", "expected_messages", "warnings", "first_seen",
    "last_fetched",
)  # fmt: skip


@cache
def _thread_upsert(dialect: str, complete: bool) -> Any:
    """The thread upsert, built once per database and kind of read: building it (the excluded
    columns above all) cost more than running it. Parameters are the columns' names prefixed
    with "new_" (an INSERT keeps the bare names for itself)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(threads).values(
        {name: bindparam(f"new_{name}", type_=threads.c[name].type) for name in _THREAD_COLUMNS}
    )
    kept = {"url", "first_seen"} | (set() if complete else _WHOLE_THREAD_ONLY)
    changed = {name: upsert.excluded[name] for name in _THREAD_COLUMNS if name not in kept}
    return upsert.on_conflict_do_update(index_elements=["url"], set_=changed).returning(
        threads.c.id
    )


Stamp = tuple[int, datetime | None]


def _new_and_edited(
    found: Sequence[Message], known: dict[tuple[str, str], Stamp]
) -> tuple[list[Message], list[Message]]:
    """The messages not stored yet, and those stored with another version or edit time."""
    new: list[Message] = []
    edited: list[Message] = []
    for message in found:
        stored = known.get((message.source, message.source_id))
        if stored is None:
            new.append(message)
        elif stored != (message.version, message.updated_at):
            edited.append(message)
    return new, edited


async def remove_messages(
    connection: AsyncConnection, thread_url: str, source: str, source_ids: Sequence[str]
) -> int:
    """Forget messages the source no longer shows (a deleted post): a deleted vote must not
    keep counting."""
    if not source_ids:
        return 0
    thread_id = select(threads.c.id).where(threads.c.url == thread_url).scalar_subquery()
    result = await connection.execute(
        delete(messages).where(
            messages.c.thread_id == thread_id,
            messages.c.source == source,
            messages.c.source_id.in_(list(source_ids)),
        )
    )
    return int(result.rowcount)


async def stored_ids(connection: AsyncConnection, thread_url: str) -> dict[str, set[str]]:
    """source -> source ids stored for a thread: what a whole read is compared with."""
    result = await connection.execute(
        select(messages.c.source, messages.c.source_id)
        .join(threads, messages.c.thread_id == threads.c.id)
        .where(threads.c.url == thread_url)
    )
    found: dict[str, set[str]] = {}
    for source, source_id in result:
        found.setdefault(source, set()).add(source_id)
    return found


async def _known_versions(
    connection: AsyncConnection, found: Sequence[Message]
) -> dict[tuple[str, str], Stamp]:
    """What is stored of these messages, looked up through the (source, source_id) unique index
    and from the version columns, not the JSON payload."""
    known: dict[tuple[str, str], Stamp] = {}
    by_source: dict[str, list[str]] = {}
    for message in found:
        by_source.setdefault(message.source, []).append(message.source_id)
    dialect = connection.dialect.name
    statement = _lookup(dialect, _SQLITE_JSON)
    for source, ids in by_source.items():
        for listed in _id_params(dialect, sorted(set(ids))):
            result = await connection.execute(statement, {"source": source, "ids": listed})
            for source_id, version, updated_at in result:
                known[(source, source_id)] = (version, updated_at)
    return known


# json_each is built into SQLite from 3.38 (and compiled into most builds before)
_SQLITE_JSON = sqlite3.sqlite_version_info >= (3, 38, 0)


@cache
def _lookup(dialect: str, sqlite_json: bool) -> Select[Any]:
    """The stored versions of one source's ids, as one statement built once. PostgreSQL gets
    one array parameter: a statement with hundreds of IN parameters, prepared once and reused
    by asyncpg, falls to a generic plan that reads the table row by row when it has no
    statistics yet (autovacuum off or behind). SQLite gets the ids as one JSON array read by
    json_each, or, without it, IN lists of 500."""
    if dialect == "postgresql":
        listed = messages.c.source_id == any_(bindparam("ids", type_=ARRAY(String)))
    elif sqlite_json:
        each = func.json_each(bindparam("ids", type_=String)).table_valued("value")
        listed = messages.c.source_id.in_(select(each.c.value))
    else:
        listed = messages.c.source_id.in_(bindparam("ids", expanding=True))
    columns = (messages.c.source_id, messages.c.version, messages.c.updated_at)
    return select(*columns).where(messages.c.source == bindparam("source"), listed)


def _id_params(dialect: str, ids: list[str]) -> Iterator[object]:
    """The "ids" parameter of each lookup that covers `ids` (see _lookup)."""
    if dialect == "postgresql":
        yield ids
    elif _SQLITE_JSON:
        yield json.dumps(ids)
    else:
        for start in range(0, len(ids), 500):
            yield ids[start : start + 500]


async def load_thread(connection: AsyncConnection, url: str) -> Thread | None:
    """A stored thread with its messages, oldest first: what a recount reads instead of the
    network."""
    row = (await connection.execute(select(threads).where(threads.c.url == url))).first()
    if row is None:
        return None
    result = await connection.execute(
        select(messages.c.payload)
        .where(messages.c.thread_id == row.id)
        .order_by(messages.c.sent_at, messages.c.id)
    )
    return Thread(
        kind=row.kind,
        url=row.url,
        messages=tuple(message_from_json(payload) for (payload,) in result),
        title=row.title,
        closed=row.closed,
        closed_at=row.closed_at,
        expected_messages=row.expected_messages,
        warnings=tuple(row.warnings),
    )
