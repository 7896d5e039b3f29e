"""One person across the stored votes (store/people.py), on SQLite and PostgreSQL: only each
vote's current count is read, replaced ballots are kept apart, and an open vote waits for a
member when its count lists them in "not_voted"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Ballot, Match, Value
from harvester.store import people, votes
from harvester.store.db import upgrade
from harvester.store.tables import votes as votes_table
from tests.store.test_messages_store import NOW, with_connection


def cast(member_id: str | None, value: Value, hours: int, **rest: Any) -> Ballot:
    fields: dict[str, Any] = {
        "voter": (member_id or "someone").title(),
        "member_id": member_id,
        "usernames": (f"{member_id}@apache.org",),
        "binding": True,
        "value": value,
        "raw": f"{value} from {member_id}",
        "cast_at": NOW + timedelta(hours=hours),
        "url": f"https://lists.apache.org/thread/{member_id}-{hours}",
        "match": Match.ASF_ADDRESS,
    }
    fields.update(rest)
    return Ballot(**fields)


async def stored_vote(
    connection: AsyncConnection,
    key: str,
    counts: Sequence[tuple[list[Ballot], list[Ballot], list[str] | None]],
    *,
    closes_in_days: int | None = None,
) -> int:
    """A vote counted once per (effective, replaced, not_voted) in `counts`, in that order."""
    vote_id = await votes.ensure_vote(connection, key, f"[VOTE] {key}", NOW)
    if closes_in_days is not None:
        closes_at = NOW + timedelta(days=closes_in_days)
        await votes.set_schedule(connection, vote_id, closes_at=closes_at)
    for effective, replaced, not_voted in counts:
        shown = [[b.url, str(b.value)] for b in effective]  # a count differs by its ballots
        report: dict[str, Any] = {"status": "open", "ballots": shown}
        if not_voted is not None:
            report["not_voted"] = not_voted
        history = [*replaced, *effective]
        await votes.save_tally(connection, vote_id, report, effective, history, NOW)
    return vote_id


def test_a_person_has_the_ballots_of_each_votes_current_count(database_url: str) -> None:
    upgrade(database_url)
    first_ada = cast("ada", Value.PLUS, 1)
    changed_ada = cast("ada", Value.MINUS, 5, changed=True, mirrors=("https://x.org/t/1/2",))
    late_ada = cast("ada", Value.ZERO, 90, late=True, counted=False)

    async def work(connection: AsyncConnection) -> list[people.PersonBallot]:
        await stored_vote(
            connection,
            "strategy",
            [
                ([first_ada, cast("bo", Value.PLUS, 2)], [], ["carla"]),
                ([changed_ada, cast("bo", Value.PLUS, 2)], [first_ada], ["carla"]),
            ],
        )
        release = await stored_vote(connection, "release", [([late_ada], [], [])])
        await votes.close_vote(connection, release, "failed", "deadline", NOW)
        return await people.ballots_of(connection, "ada")

    found = with_connection(database_url, work)
    assert [(b.vote_title, b.value, b.effective, b.counted) for b in found] == [
        ("[VOTE] release", "0", True, False),
        ("[VOTE] strategy", "-1", True, True),
        ("[VOTE] strategy", "+1", False, True),  # replaced, kept as history; once, not twice
    ]
    late, changed, _first = found
    assert (late.vote_status, changed.vote_status) == ("failed", "open")
    assert changed.cast_at == NOW + timedelta(hours=5)
    assert changed.details["changed"] is True
    assert changed.details["mirrors"] == ["https://x.org/t/1/2"]
    assert late.details["late"] is True
    assert (changed.url, changed.raw, changed.voter) == (changed_ada.url, "-1 from ada", "Ada")


def test_the_current_count_wins_even_when_it_repeats_an_older_one(database_url: str) -> None:
    upgrade(database_url)
    plus, minus = cast("ada", Value.PLUS, 1), cast("ada", Value.MINUS, 1)

    async def work(connection: AsyncConnection) -> tuple[list[str], list[str]]:
        counts: list[tuple[list[Ballot], list[Ballot], list[str] | None]]
        counts = [([plus], [], []), ([minus], [], [])]
        await stored_vote(connection, "v", counts)
        changed = [b.value for b in await people.ballots_of(connection, "ada")]
        # A correction undone: the first count is current again, though not the newest.
        await stored_vote(connection, "v", [([plus], [], [])])
        return changed, [b.value for b in await people.ballots_of(connection, "ada")]

    assert with_connection(database_url, work) == (["-1"], ["+1"])


def test_a_vote_counted_before_the_current_count_pointer_uses_its_newest(
    database_url: str,
) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> tuple[list[str], list[int]]:
        vote_id = await stored_vote(
            connection,
            "old",
            [([cast("ada", Value.PLUS, 1)], [], None), ([cast("ada", Value.MINUS, 2)], [], ["bo"])],
        )
        await connection.execute(
            update(votes_table).where(votes_table.c.id == vote_id).values(tally_id=None)
        )
        ballots = [b.value for b in await people.ballots_of(connection, "ada")]
        return ballots, [w.id for w in await people.waiting_votes(connection, "bo")]

    ballots, waiting = with_connection(database_url, work)
    assert ballots == ["-1"]
    assert waiting == [1]


def test_open_votes_wait_for_the_members_their_counts_list_as_not_voted(
    database_url: str,
) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> dict[str, list[people.WaitingVote]]:
        ada = cast("ada", Value.PLUS, 1)
        await stored_vote(connection, "later", [([ada], [], ["bo", "carla"])], closes_in_days=5)
        await stored_vote(connection, "no end", [([ada], [], ["bo"])])
        await stored_vote(connection, "sooner", [([ada], [], ["bo"])], closes_in_days=2)
        await stored_vote(connection, "before not_voted", [([ada], [], None)])
        closed = await stored_vote(connection, "closed", [([ada], [], ["bo", "carla"])])
        await votes.close_vote(connection, closed, "passed", "deadline", NOW)
        return {
            member: await people.waiting_votes(connection, member)
            for member in ("ada", "bo", "carla", "Bo")
        }

    waiting = with_connection(database_url, work)
    assert waiting["ada"] == []  # she voted everywhere
    assert [w.title for w in waiting["bo"]] == ["[VOTE] sooner", "[VOTE] later", "[VOTE] no end"]
    assert waiting["bo"][0].closes_at == NOW + timedelta(days=2)
    assert [w.title for w in waiting["carla"]] == ["[VOTE] later"]  # not the closed one
    assert waiting["Bo"] == [], "roster ids are matched exactly"


def test_person_record_holds_both(database_url: str) -> None:
    upgrade(database_url)

    async def work(connection: AsyncConnection) -> people.PersonRecord:
        await stored_vote(connection, "v", [([cast("ada", Value.PLUS, 1)], [], ["bo"])])
        return await people.person_record(connection, "bo")

    record = with_connection(database_url, work)
    assert record.ballots == []
    assert [w.title for w in record.waiting] == ["[VOTE] v"]
