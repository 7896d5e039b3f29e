"""Many message rows at once on PostgreSQL: COPY into a staging table, then one upsert.

COPY moves rows in the binary protocol without a statement per batch; the staging table is a
temporary one of this connection, emptied at every commit, and the upsert from it keeps the
same rule as the row-by-row path (an edited message replaces the stored one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

BULK_ROWS = 200  # from this many rows COPY beats an INSERT with many VALUES
STAGING = "harvester_message_staging"
COLUMNS = (
    "source", "source_id", "thread_id", "sent_at", "updated_at", "version", "payload", "stored_at",
)  # fmt: skip
UPDATED = ("thread_id", "updated_at", "version", "payload", "stored_at")
_CREATE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (source text, source_id text, thread_id integer, "
    "sent_at timestamptz, updated_at timestamptz, version integer, payload json, "
    "stored_at timestamptz) ON COMMIT DELETE ROWS"
)
_UPSERT = (
    f"INSERT INTO messages ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM {STAGING} "
    "ON CONFLICT (source, source_id) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATED)
)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


async def copy_rows(connection: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store `rows` (messages' column values) in the current transaction."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # asyncpg's connection, inside SQLAlchemy's transaction
    await driver.execute(_CREATE)
    records = [
        (
            row["source"],
            row["source_id"],
            row["thread_id"],
            _utc(row["sent_at"]),
            _utc(row["updated_at"]),
            row["version"],
            json.dumps(row["payload"]),
            _utc(row["stored_at"]),
        )
        for row in rows
    ]
    await driver.copy_records_to_table(STAGING, records=records, columns=COLUMNS)
    await driver.execute(_UPSERT)
    await driver.execute(f"DELETE FROM {STAGING}")  # the same transaction may save again
