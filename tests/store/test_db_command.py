"""`harvest db upgrade|check` through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.cli import main
from harvester.store.db import alembic_config, head_revision
from tests.store.test_messages_store import with_connection

HEAD = head_revision()


def test_check_then_upgrade_then_check(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "check", "--db", database_url]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"harvest: error: {database_url}: database schema is no schema, this harvester needs "
        f"{HEAD}: run `harvest db upgrade`\n"
    )
    assert main(["db", "upgrade", "--db", database_url]) == 0
    assert capsys.readouterr().out == f"{database_url}: schema is at {HEAD}\n"
    assert main(["db", "check", "--db", database_url]) == 0
    assert "schema is current" in capsys.readouterr().out


def test_an_older_schema_is_refused_then_upgraded_in_place(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command.upgrade(alembic_config(database_url), "0001")
    assert main(["db", "check", "--db", database_url]) == 2
    assert f"database schema is 0001, this harvester needs {HEAD}" in capsys.readouterr().err
    assert main(["db", "upgrade", "--db", database_url]) == 0
    assert main(["db", "check", "--db", database_url]) == 0


def test_the_url_can_come_from_the_environment(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARVESTER_DATABASE__URL", database_url)
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith(database_url)


def test_an_unreachable_database_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["db", "upgrade", "--db", url]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"harvest: error: {url}: cannot use the database: ")


def test_an_unsupported_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db", "mysql://root@localhost/x"]) == 2
    assert "unsupported database 'mysql'" in capsys.readouterr().err


def test_check_looks_at_the_tables_not_only_the_stamp(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--db", database_url]) == 0
    capsys.readouterr()

    async def damage(connection: AsyncConnection) -> None:
        await connection.execute(text("DROP TABLE identity_verdicts"))

    with_connection(database_url, damage)
    assert main(["db", "check", "--db", database_url]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"harvest: error: {database_url}: the schema is stamped current but lacks "
        "table identity_verdicts\n"
    )
