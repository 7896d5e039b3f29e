"""Votes stored under no project (before [[projects]], or by a one-off harvest) next to the
votes of named projects: a one-off harvest of a tracked vote adds to it, a config of one
project takes them over, and a recount never borrows another project's roster."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app import record
from harvester.app.cli import main
from harvester.config import Settings
from harvester.model import Member, Role, Roster
from harvester.store import polls, votes
from harvester.store.db import upgrade
from harvester.store.tables import votes as vote_rows
from tests.store.mail_votes import write_files
from tests.store.test_messages_store import with_connection

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_one_off_harvest_of_a_tracked_vote_adds_to_it_not_a_second(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    mbox, roster = write_files(tmp_path)
    argv = ["--thread", str(mbox), "--roster", str(roster), "--db", database_url]
    assert main(argv) == 0

    async def to_tvm(connection: AsyncConnection) -> None:
        await connection.execute(update(vote_rows).values(project="tvm"))
        await connection.commit()

    with_connection(database_url, to_tvm)  # as a daemon of project "tvm" would have filed them
    assert main(argv) == 0
    capsys.readouterr()
    rows = with_connection(database_url, votes.list_votes)
    assert [(r.id, r.project) for r in rows] == [(1, "tvm"), (2, "tvm"), (3, "tvm")]


def test_unfiled_votes_go_to_the_one_project_except_a_subject_it_has(database_url: str) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> tuple[int, list[tuple[str, str]]]:
        await votes.ensure_vote(connection, "adopt x", "[VOTE] Adopt X", NOW)
        await votes.ensure_vote(connection, "release 1", "[VOTE] Release 1", NOW)
        await votes.ensure_vote(connection, "release 1", "[VOTE] Release 1", NOW, "tvm")
        moved = await votes.file_unfiled(connection, "tvm")
        rows = await votes.list_votes(connection)
        return moved, sorted((r.key, r.project) for r in rows)

    moved, rows = with_connection(database_url, work)
    assert moved == 1
    assert rows == [("adopt x", "tvm"), ("release 1", ""), ("release 1", "tvm")]


def test_a_vote_filed_mid_poll_is_due_at_once_for_its_project(database_url: str) -> None:
    """A poll under no project may be counting the vote (with no roster, so it stays open)
    while discovery files it: it is due again at once, and that poll's planning, which only
    replaces its own lease, leaves it so."""
    upgrade(database_url)
    lease = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)

    async def work(connection: AsyncConnection) -> list[int]:
        vote_id = await votes.ensure_vote(connection, "adopt x", "[VOTE] Adopt X", NOW)
        assert await polls.claim_polls(connection, [vote_id], NOW, lease) == {vote_id}
        assert await polls.due_votes(connection, NOW) == []  # leased to the poll under ""
        await votes.file_unfiled(connection, "tvm")
        await polls.plan_polls(connection, lease, {vote_id: datetime(2026, 11, 2, 10, tzinfo=UTC)})
        return [v.id for v in await polls.due_votes(connection, NOW, project="tvm")]

    assert with_connection(database_url, work) == [1]


def test_a_vote_filed_after_it_was_found_due_is_left_to_its_project(database_url: str) -> None:
    """Found due under no project, filed under "tvm" before the claim: the poll under no
    project (no roster) does not take it; tvm's does."""
    upgrade(database_url)
    lease = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)

    async def work(connection: AsyncConnection) -> tuple[set[int], set[int]]:
        vote_id = await votes.ensure_vote(connection, "adopt x", "[VOTE] Adopt X", NOW)
        (due,) = await polls.due_votes(connection, NOW, project="")
        await votes.file_unfiled(connection, "tvm")
        unfiled = await polls.claim_polls(connection, [due.id], NOW, lease, project="")
        tvm = await polls.claim_polls(connection, [vote_id], NOW, lease, project="tvm")
        return unfiled, tvm

    assert with_connection(database_url, work) == (set(), {1})


def test_a_vote_of_no_project_is_never_recounted_with_another_projects_roster(
    database_url: str,
) -> None:
    upgrade(database_url)
    other = Roster((Member("zed", "Zed", Role.PMC),), source="other.toml#other")
    many = Settings.model_validate(
        {"projects": [{"name": "other", "roster": "other.toml", "lists": ["dev@o.apache.org"]}]}
    )

    async def work(connection: AsyncConnection) -> tuple[Roster | None, Roster | None]:
        await votes.save_roster(connection, other, NOW)
        unfiled = record.settings_for(many, "")
        return (
            await record.stored_roster(connection, unfiled),
            await record.stored_roster(connection, record.settings_for(many, "other")),
        )

    unfiled, own = with_connection(database_url, work)
    assert unfiled is None  # not "the newest of any"
    assert own is not None
    assert own.source == "other.toml#other"
