"""Schema 0010: a vote belongs to a project. Votes stored before belong to none (""), and keep
their ids, keys and counts; a key is unique within a project, so two projects may each hold a
vote of one subject. Down again, the project is gone and the key unique across votes once more."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.store import polls, votes
from harvester.store.db import alembic_config
from tests.store.test_messages_store import with_connection

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


async def _old_vote(connection: AsyncConnection) -> None:
    """A vote as 0009 stored it (no project column yet)."""
    await connection.execute(
        text(
            "INSERT INTO votes (key, title, status, created_at, polls) "
            "VALUES ('release 1.0.0', '[VOTE] Release 1.0.0', 'open', :now, 0)"
        ),
        {"now": NOW},
    )


async def _by_project(connection: AsyncConnection) -> list[tuple[str, str]]:
    tvm = await votes.ensure_vote(connection, "release 1.0.0", "[VOTE] Release 1.0.0", NOW, "tvm")
    again = await votes.ensure_vote(connection, "release 1.0.0", "[VOTE] Release", NOW, "tvm")
    assert again == tvm  # once within a project
    found = await votes.list_votes(connection)
    due = await polls.due_projects(connection, NOW)
    assert due == {"", "tvm"}
    tvm_due = await polls.due_votes(connection, NOW, project="tvm")
    assert [v.id for v in tvm_due] == [tvm]
    return [(vote.project, vote.key) for vote in found]


def test_votes_stored_before_belong_to_no_project(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0009")
    with_connection(database_url, _old_vote)
    command.upgrade(config, "0010")
    found = with_connection(database_url, _by_project)
    assert found == [("", "release 1.0.0"), ("tvm", "release 1.0.0")]

    with_connection(database_url, _forget_tvm)
    command.downgrade(config, "0009")
    assert with_connection(database_url, _keys) == ["release 1.0.0"]


async def _forget_tvm(connection: AsyncConnection) -> None:
    await connection.execute(text("DELETE FROM votes WHERE project = 'tvm'"))


async def _keys(connection: AsyncConnection) -> list[str]:
    return list((await connection.execute(text("SELECT key FROM votes"))).scalars())
