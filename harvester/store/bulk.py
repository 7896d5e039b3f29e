"""Message rows written in batches, the way each database takes them fastest.

A row is a plain tuple in COLUMNS order, its payload JSON written once (payload_text), sent
with driver SQL: no SQLAlchemy statement is compiled and no value goes through a type processor
per row. Everything runs in the caller's transaction, after save_thread's first statement has
begun it.

- SQLite: one executemany of an upsert, all rows. SQLite lets one writer in at a time, and
  save_thread's thread upsert already holds the write lock when the lookup runs, so no other
  writer can store one of these rows in between.
- PostgreSQL: rows the lookup found new go through COPY straight into `messages` (binary,
  streamed: the server writes the first rows while the rest are encoded). Another writer may
  have stored one of them since the lookup, or a thread may list a message twice; then the COPY
  fails inside a savepoint and the rows are upserted instead. Edited rows, and batches too
  small for COPY to pay off, are one executemany of the upsert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Message
from harvester.store.payload import payload_text

BULK_ROWS = 200  # new rows from which COPY beats an executemany on PostgreSQL
COLUMNS = (
    "source", "source_id", "thread_id", "sent_at", "updated_at", "version", "payload", "stored_at",
)  # fmt: skip
UPDATED = ("thread_id", "updated_at", "version", "payload", "stored_at")
Row = tuple[Any, ...]


def _upsert(placeholders: Sequence[str]) -> str:
    return (
        f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join(placeholders)}) "
        "ON CONFLICT (source, source_id) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in UPDATED)
    )


_SQLITE_UPSERT = _upsert(["?"] * len(COLUMNS))
_POSTGRES_UPSERT = _upsert([f"${n}" for n in range(1, len(COLUMNS) + 1)])


async def write_messages(
    connection: AsyncConnection,
    thread_id: int,
    new: Sequence[Message],
    edited: Sequence[Message],
    now: datetime,
) -> None:
    """Store `new` (not stored yet, as far as the lookup saw) and `edited` (stored, to be
    replaced) messages of one thread."""
    if not new and not edited:
        return
    if connection.dialect.name == "postgresql":
        await _write_postgres(connection, thread_id, new, edited, now)
    else:
        rows = list(_sqlite_rows([*new, *edited], thread_id, now))
        await connection.exec_driver_sql(_SQLITE_UPSERT, rows)


# --- SQLite -------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: harvester stores aware UTC times")
    return moment


def sqlite_time(moment: datetime) -> str:
    """What SQLAlchemy stores for a tables.UtcDateTime on SQLite: UTC, no zone, microseconds
    (the DATETIME storage format), so stored rows compare and sort alike however written."""
    utc = moment if moment.tzinfo is UTC else _aware(moment).astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def _rows(
    messages: Iterable[Message], thread_id: int, now: datetime, time: Callable[[datetime], Any]
) -> Iterator[Row]:
    """The messages as `messages` rows, their times as `time` gives them to the driver."""
    stored_at = time(now)
    for m in messages:
        updated = time(m.updated_at) if m.updated_at is not None else None
        yield (
            m.source,
            m.source_id,
            thread_id,
            time(m.sent_at),
            updated,
            m.version,
            payload_text(m),
            stored_at,
        )


def _sqlite_rows(messages: Iterable[Message], thread_id: int, now: datetime) -> Iterator[Row]:
    return _rows(messages, thread_id, now, sqlite_time)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _postgres_rows(messages: Iterable[Message], thread_id: int, now: datetime) -> Iterator[Row]:
    """asyncpg takes aware datetimes as they are (it converts them to UTC itself)."""
    return _rows(messages, thread_id, now, _aware)


async def _write_postgres(
    connection: AsyncConnection,
    thread_id: int,
    new: Sequence[Message],
    edited: Sequence[Message],
    now: datetime,
) -> None:
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # asyncpg's connection, inside SQLAlchemy's transaction
    copied = len(new) >= BULK_ROWS and await _copied(driver, _postgres_rows(new, thread_id, now))
    upserted = [*edited] if copied else [*edited, *new]
    if upserted:
        await driver.executemany(_POSTGRES_UPSERT, list(_postgres_rows(upserted, thread_id, now)))


async def _copied(driver: Any, rows: Iterator[Row]) -> bool:
    """COPY `rows` into messages; False, with nothing copied, when one of them is stored
    already (by another writer since the lookup, or twice in this batch). asyncpg is
    imported here: SQLite alone never loads it."""
    from asyncpg.exceptions import UniqueViolationError  # type: ignore[import-untyped]

    try:
        async with driver.transaction():  # a savepoint inside the caller's transaction
            await driver.copy_records_to_table("messages", records=rows, columns=COLUMNS)
    except UniqueViolationError:
        return False
    return True
