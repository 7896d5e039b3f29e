"""The same store tests on SQLite (a file per test) and on the machine's PostgreSQL.

PostgreSQL tests never touch a database they did not create: the run creates one of its own
(`harvester_test_<random>`) on the server `HARVESTER_TEST_POSTGRES_URL` names (default the
local server, trust auth), empties its schema before each test and drops it at the end. Two runs
side by side (CI and a developer, or two sessions) each have their own.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

SERVER_URL = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _run(url: str, *statements: str, autocommit: bool = False) -> None:
    async def work() -> None:
        engine = create_async_engine(
            url.replace("postgresql://", "postgresql+asyncpg://", 1),
            isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        )
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(work())


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this run's own on the test server, dropped when the run ends."""
    name = f"harvester_test_{secrets.token_hex(6)}"
    maintenance = _with_database(SERVER_URL, "postgres")
    try:
        _run(maintenance, f'CREATE DATABASE "{name}"', autocommit=True)
    except Exception as error:  # the suite needs PostgreSQL: say so, skip nothing
        pytest.fail(f"cannot create a test database on {SERVER_URL}: {error}", pytrace=False)
    try:
        yield _with_database(SERVER_URL, name)
    finally:
        _run(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', autocommit=True)


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """This run's PostgreSQL database, emptied: no tables, no schema version."""
    _run(postgres_database, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")  # ours
    return postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: no tables, no schema version."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'harvester.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
