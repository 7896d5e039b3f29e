"""One person across the stored votes: the ballots each vote's current count holds for a roster
member, and the open votes whose count still waits for that member's ballot.

Only the current count of a vote is read (votes.tally_id; for a vote stored before that pointer
existed, its newest count), so a person's page agrees with each vote's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.store.tables import ballots, tally_snapshots, votes
from harvester.store.votes import OPEN


@dataclass(frozen=True)
class PersonBallot:
    """A ballot a member cast, as the vote's current count holds it, with its vote."""

    vote_id: int
    vote_title: str
    vote_status: str
    vote_closes_at: datetime | None
    voter: str  # the name the count shows for the ballot
    value: str
    binding: bool
    effective: bool  # False: replaced by a later ballot of the same member, kept as history
    counted: bool
    raw: str
    url: str
    cast_at: datetime
    details: dict[str, Any]  # match, flags, usernames, mirrors, late, changed


@dataclass(frozen=True)
class WaitingVote:
    """An open vote whose current count lists the member as not having voted yet."""

    id: int
    title: str
    rule: str | None
    closes_at: datetime | None


@dataclass(frozen=True)
class PersonRecord:
    ballots: list[PersonBallot]  # newest first
    waiting: list[WaitingVote]  # the one closing soonest first


def _current_tally() -> ColumnElement[Any]:
    """The id of a vote's current count, correlated with the `votes` row of the query."""
    # An alias: the query may join tally_snapshots itself, which must not be correlated.
    counts = tally_snapshots.alias("counts_of_vote")
    newest = (
        select(func.max(counts.c.id))
        .where(counts.c.vote_id == votes.c.id)
        .correlate(votes)
        .scalar_subquery()
    )
    return func.coalesce(votes.c.tally_id, newest)


async def ballots_of(connection: AsyncConnection, member_id: str) -> list[PersonBallot]:
    """Every ballot the current counts hold for `member_id` (an exact roster id), newest first."""
    result = await connection.execute(
        select(
            votes.c.id,
            votes.c.title,
            votes.c.status,
            votes.c.closes_at,
            ballots.c.voter,
            ballots.c.value,
            ballots.c.binding,
            ballots.c.effective,
            ballots.c.counted,
            ballots.c.raw,
            ballots.c.url,
            ballots.c.cast_at,
            ballots.c.details,
        )
        .select_from(votes.join(ballots, ballots.c.vote_id == votes.c.id))
        .where(ballots.c.member_id == member_id, ballots.c.tally_id == _current_tally())
        .order_by(ballots.c.cast_at.desc(), ballots.c.id.desc())
    )
    return [
        PersonBallot(
            vote_id=int(row.id),
            vote_title=row.title,
            vote_status=row.status,
            vote_closes_at=row.closes_at,
            voter=row.voter,
            value=row.value,
            binding=bool(row.binding),
            effective=bool(row.effective),
            counted=bool(row.counted),
            raw=row.raw,
            url=row.url,
            cast_at=row.cast_at,
            details=dict(row.details or {}),
        )
        for row in result
    ]


async def waiting_votes(connection: AsyncConnection, member_id: str) -> list[WaitingVote]:
    """The open votes whose current count has `member_id` in its report's "not_voted"."""
    # Only that key of each report is read: a report of thousands of ballots stays in the
    # database. A count stored before "not_voted" existed has none and waits for nobody.
    not_voted = tally_snapshots.c.report["not_voted"]
    result = await connection.execute(
        select(votes.c.id, votes.c.title, votes.c.rule, votes.c.closes_at, not_voted)
        .select_from(votes.join(tally_snapshots, tally_snapshots.c.id == _current_tally()))
        .where(votes.c.status == OPEN)
        .order_by(votes.c.closes_at.is_(None), votes.c.closes_at, votes.c.id)
    )
    return [
        WaitingVote(int(row.id), row.title, row.rule, row.closes_at)
        for row in result
        if isinstance(row[4], list) and member_id in row[4]
    ]


async def person_record(connection: AsyncConnection, member_id: str) -> PersonRecord:
    """What a person's page shows from the store: their ballots and the votes waiting on them."""
    return PersonRecord(
        await ballots_of(connection, member_id), await waiting_votes(connection, member_id)
    )
