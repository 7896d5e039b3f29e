"""The same store tests on SQLite (a file per test) and on the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_URL = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _reset_postgres(url: str) -> None:
    async def reset() -> None:
        engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: no tables, no schema version."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'harvester.db'}"
        return
    _reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL
