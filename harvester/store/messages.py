"""Threads and their messages, stored as fetched: idempotent writes, reads without the network."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread
from harvester.store import bulk
from harvester.store.tables import messages, threads


@dataclass(frozen=True)
class Saved:
    new: int  # messages stored for the first time
    edited: int  # messages stored again because the source edited them


_MESSAGE_FIELDS = tuple(f.name for f in fields(Message))
_AUTHOR_FIELDS = tuple(f.name for f in fields(Author))
_POLL_FIELDS = tuple(f.name for f in fields(Poll))
_OPTION_FIELDS = tuple(f.name for f in fields(PollOption))


def _shallow(value: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in names}


def _poll_json(poll: Poll) -> dict[str, Any]:
    data = _shallow(poll, _POLL_FIELDS)
    data["options"] = [_shallow(option, _OPTION_FIELDS) for option in poll.options]
    return data


def message_json(message: Message) -> dict[str, Any]:
    """The stored payload: every field, by hand rather than `asdict`, which deep-copies every
    value and was most of the cost of storing a harvest. The fields are immutable (str, int,
    tuples of str), so a shallow copy is safe."""
    data = _shallow(message, _MESSAGE_FIELDS)
    data["author"] = _shallow(message.author, _AUTHOR_FIELDS)
    data["polls"] = [_poll_json(poll) for poll in message.polls]
    data["sent_at"] = message.sent_at.isoformat()
    data["updated_at"] = message.updated_at.isoformat() if message.updated_at else None
    data["body_format"] = message.body_format.value
    return data


def _tuples(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON hands sequences back as lists; the model's are tuples (hashable, and equal to the
    same message read afresh), whichever fields it gains."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}


def message_from_json(data: Mapping[str, Any]) -> Message:
    fields = dict(data)
    author = _tuples(fields.pop("author"))
    polls = tuple(
        Poll(
            name=p["name"],
            status=p["status"],
            public=p["public"],
            voters=p["voters"],
            options=tuple(
                PollOption(o["label"], o["votes"], tuple(o["voters"])) for o in p["options"]
            ),
        )
        for p in fields.pop("polls", ())
    )
    updated = fields.pop("updated_at", None)
    return Message(
        **{
            **_tuples(fields),
            "author": Author(**author),
            "sent_at": datetime.fromisoformat(fields["sent_at"]),
            "updated_at": datetime.fromisoformat(updated) if updated else None,
            "body_format": BodyFormat(fields["body_format"]),
            "references": tuple(fields.get("references", ())),
            "polls": polls,
        }
    )


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
    insert = _insert(connection)
    thread_row = {
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
    upsert = insert(threads).values(**thread_row)
    kept = {"url", "first_seen"} | (set() if complete else _WHOLE_THREAD_ONLY)
    changed = {k: upsert.excluded[k] for k in thread_row if k not in kept}
    saved = await connection.execute(
        upsert.on_conflict_do_update(index_elements=["url"], set_=changed).returning(threads.c.id)
    )
    thread_id = saved.scalar_one()
    known = await _known_versions(connection, thread.messages)
    new = [m for m in thread.messages if (m.source, m.source_id) not in known]
    edited = [
        m
        for m in thread.messages
        if (m.source, m.source_id) in known and known[(m.source, m.source_id)] != _stamp(m)
    ]
    rows = [_message_row(m, thread_id, now) for m in (*new, *edited)]
    if len(rows) >= bulk.BULK_ROWS and connection.dialect.name == "postgresql":
        await bulk.copy_rows(connection, rows)
    elif rows:
        statement = insert(messages)
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=["source", "source_id"],
                set_={key: statement.excluded[key] for key in bulk.UPDATED},
            ),
            rows,
        )
    return Saved(new=len(new), edited=len(edited))


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


def _stamp(message: Message) -> tuple[int, datetime | None]:
    return message.version, message.updated_at


async def _known_versions(
    connection: AsyncConnection, found: Sequence[Message]
) -> dict[tuple[str, str], tuple[int, datetime | None]]:
    """What is stored of these messages, looked up through the (source, source_id) unique index
    and from the version columns, not the JSON payload."""
    known: dict[tuple[str, str], tuple[int, datetime | None]] = {}
    by_source: dict[str, list[str]] = {}
    for message in found:
        by_source.setdefault(message.source, []).append(message.source_id)
    columns = (messages.c.source_id, messages.c.version, messages.c.updated_at)
    for source, ids in by_source.items():
        for chunk in _id_lists(connection, sorted(set(ids))):
            result = await connection.execute(
                select(*columns).where(messages.c.source == source, chunk)
            )
            for source_id, version, updated_at in result:
                known[(source, source_id)] = (version, updated_at)
    return known


def _id_lists(connection: AsyncConnection, ids: list[str]) -> Iterator[ColumnElement[bool]]:
    """`source_id` conditions covering `ids`. PostgreSQL gets one array parameter: a statement
    with hundreds of IN parameters, prepared once and reused by asyncpg, falls to a generic plan
    that reads the table row by row when it has no statistics yet (autovacuum off or behind).
    SQLite has no arrays, so it gets short IN lists."""
    if connection.dialect.name == "postgresql":
        yield messages.c.source_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
        return
    for start in range(0, len(ids), 500):
        yield messages.c.source_id.in_(ids[start : start + 500])


def _message_row(message: Message, thread_id: int, now: datetime) -> dict[str, Any]:
    return {
        "source": message.source,
        "source_id": message.source_id,
        "thread_id": thread_id,
        "sent_at": message.sent_at,
        "updated_at": message.updated_at,
        "version": message.version,
        "payload": message_json(message),
        "stored_at": now,
    }


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
