"""Votes, tallies, rosters and harvest runs in the store: every write guarded so that it happens
once, whichever replica does it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.harvest import tally_vote
from harvester.config import Settings
from harvester.core.report import report_json
from harvester.model import Member, Role, Roster
from harvester.store import polls, votes
from harvester.store.db import engine_for, upgrade
from harvester.store.messages import save_thread
from harvester.store.tables import ballots, tally_snapshots
from tests.core.factories import ROSTER
from tests.store.test_messages_store import NOW, vote_threads, with_connection


def test_a_vote_is_created_once_per_key_and_links_its_threads(database_url: str) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> tuple[int, int, list[str], int | None]:
        for thread in vote_threads():
            await save_thread(connection, thread, NOW)
        first = await votes.ensure_vote(connection, "adopt the plan", "[VOTE] Adopt", NOW)
        again = await votes.ensure_vote(connection, "adopt the plan", "[VOTE] Adopt", NOW)
        for thread in vote_threads():
            await votes.link_thread(connection, first, thread.url)
            await votes.link_thread(connection, first, thread.url)  # linking twice is harmless
        urls = await votes.thread_urls(connection, first)
        return first, again, urls, await votes.vote_of_thread(connection, urls[0])

    first, again, urls, owner = with_connection(database_url, work)
    assert first == again
    assert urls == [t.url for t in vote_threads()]
    assert owner == first


def test_a_poll_is_claimed_by_one_replica_and_a_vote_closed_once(database_url: str) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> tuple[list[bool], list[bool], list[int]]:
        vote_id = await votes.ensure_vote(connection, "k", "[VOTE] K", NOW)
        later = NOW + timedelta(minutes=30)
        claims = [
            bool(await polls.claim_polls(connection, [vote_id], NOW, later)) for _ in range(2)
        ]
        due_later = await polls.due_votes(connection, later)
        closes = [
            await votes.close_vote(connection, vote_id, "passed", "deadline", later)
            for _ in range(2)
        ]
        due = [v.id for v in await polls.due_votes(connection, later + timedelta(days=1))]
        assert [v.id for v in due_later] == [vote_id]
        return claims, closes, due

    claims, closes, due = with_connection(database_url, work)
    assert claims == [True, False]
    assert closes == [True, False]
    assert due == []  # a closed vote is never due again


def test_two_engines_racing_to_close_a_vote_close_it_once(database_url: str) -> None:
    upgrade(database_url)
    with_connection(database_url, lambda c: votes.ensure_vote(c, "k", "[VOTE] K", NOW))

    async def close_with_own_engine() -> bool:
        engine = engine_for(database_url)
        try:
            async with engine.begin() as connection:
                return await votes.close_vote(connection, 1, "passed", "deadline", NOW)
        finally:
            await engine.dispose()

    async def race() -> list[bool]:
        return list(await asyncio.gather(*(close_with_own_engine() for _ in range(4))))

    assert sorted(asyncio.run(race())) == [False, False, False, True]


def test_an_unchanged_tally_is_stored_once_with_its_ballots(database_url: str) -> None:
    upgrade(database_url)
    result = tally_vote(vote_threads(), ROSTER, Settings(), NOW)
    report = report_json(result.tally, result.outcome)

    async def work(connection: AsyncConnection) -> tuple[int | None, int | None, int, int]:
        vote_id = await votes.ensure_vote(connection, "k", "[VOTE] K", NOW)
        tally = result.tally
        first = await votes.save_tally(
            connection, vote_id, report, tally.ballots, tally.history, NOW
        )
        second = await votes.save_tally(
            connection, vote_id, report, tally.ballots, tally.history, NOW + timedelta(hours=1)
        )
        snapshots = await connection.scalar(select(func.count()).select_from(tally_snapshots))
        rows = await connection.scalar(select(func.count()).select_from(ballots))
        assert await votes.latest_tally(connection, vote_id) == report
        return first, second, int(snapshots or 0), int(rows or 0)

    first, second, snapshots, rows = with_connection(database_url, work)
    assert first is not None
    assert second is None
    assert snapshots == 1
    assert rows == len(set(result.tally.history) | set(result.tally.ballots))
    assert rows >= 2


def test_roster_snapshots_round_trip_and_are_kept_once(database_url: str) -> None:
    upgrade(database_url)
    roster = Roster(
        members=(
            Member("jane", "Jane Doe", Role.PMC, ("jane@apache.org",), ("janed",), ("jd",)),
            Member("bo", "Bo Chen", Role.COMMITTER, since=date(2020, 1, 2)),
        ),
        source="roster.toml",
    )

    async def work(connection: AsyncConnection) -> tuple[Roster | None, Roster | None, int]:
        await votes.save_roster(connection, roster, NOW)
        await votes.save_roster(connection, roster, NOW + timedelta(hours=1))
        count = await connection.scalar(select(func.count()).select_from(votes.roster_snapshots))
        return (
            await votes.latest_roster(connection, "roster.toml"),
            await votes.latest_roster(connection, None),
            int(count or 0),
        )

    by_source, any_source, count = with_connection(database_url, work)
    assert by_source == roster
    assert any_source == roster
    assert count == 1


def test_the_next_harvest_starts_from_the_last_good_runs_cursor(database_url: str) -> None:
    upgrade(database_url)
    url = "https://discuss.example.org/t/x/1"

    async def work(connection: AsyncConnection) -> tuple[object, object, dict[str, int]]:
        before = await polls.last_cursor(connection, url)
        await polls.record_run(connection, url, NOW, NOW, cursor={"stream": [1]})
        await polls.record_run(connection, url, NOW, NOW, cursor={"stream": [1, 2]})
        await polls.record_run(connection, url, NOW, NOW, error="HTTP 502 after 5 attempts")
        return before, await polls.last_cursor(connection, url), await polls.run_counts(connection)

    before, after, counts = with_connection(database_url, work)
    assert before is None
    assert after == {"stream": [1, 2]}
    assert counts == {"ok": 1, "failed": 1}  # the superseded good run is gone


def test_a_tick_claims_many_votes_at_once_and_plans_only_its_own_leases(
    database_url: str,
) -> None:
    upgrade(database_url)
    lease = NOW + timedelta(minutes=5)

    async def work(connection: AsyncConnection) -> None:
        ids = [await votes.ensure_vote(connection, f"k{n}", f"[VOTE] K{n}", NOW) for n in range(4)]
        first = await polls.claim_polls(connection, ids[:3], NOW, lease)
        second = await polls.claim_polls(connection, ids, NOW, lease)  # another replica
        assert (first, second) == (set(ids[:3]), {ids[3]})
        # a count found vote 0's deadline: it asked to be polled earlier than the plan
        await polls.poll_by(connection, ids[0], NOW + timedelta(minutes=1))
        await votes.close_vote(connection, ids[1], "passed", "result", NOW)
        plans = await polls.poll_plans(connection, ids[:3])
        assert set(plans) == {ids[0], ids[2]}  # the closed one is not planned
        later = NOW + timedelta(hours=1)
        await polls.plan_polls(connection, lease, dict.fromkeys(plans, later))
        rows = {v.id: v.next_poll_at for v in await votes.list_votes(connection)}
        assert rows == {
            ids[0]: NOW + timedelta(minutes=1),
            ids[1]: None,
            ids[2]: later,
            ids[3]: lease,
        }

    with_connection(database_url, work)
