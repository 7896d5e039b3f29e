"""Votes, the threads they span, their tallies with ballots and roster snapshots.

Every write is guarded so that two daemons on one database cannot both do it: a vote is created
once (unique key), polled by whoever claims it, closed by whoever moves it out of `open`.
Callers commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Ballot, Member, Role, Roster
from harvester.store.messages import dialect_insert
from harvester.store.tables import (
    ballots,
    drafts,
    outbox,
    roster_snapshots,
    tally_snapshots,
    threads,
    vote_threads,
    votes,
)

OPEN = "open"


@dataclass(frozen=True)
class VoteRow:
    id: int
    key: str
    title: str
    rule: str | None
    status: str
    electorate: str | None
    profile: str | None
    opened_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    next_poll_at: datetime | None
    polls: int
    call_url: str | None
    created_at: datetime
    project: str = ""  # the project whose daemon found it; "": a config of one project


def vote_row(row: Any) -> VoteRow:
    return VoteRow(**{name: getattr(row, name) for name in VoteRow.__dataclass_fields__})


async def ensure_vote(
    connection: AsyncConnection, key: str, title: str, now: datetime, project: str = ""
) -> int:
    """The project's vote with this key, created when new; a second daemon finds the first
    one's row."""
    insert = dialect_insert(connection)
    await connection.execute(
        insert(votes)
        .values(key=key, title=title, status=OPEN, created_at=now, polls=0, project=project)
        .on_conflict_do_nothing(index_elements=["project", "key"])
    )
    found = await connection.execute(
        select(votes.c.id).where(votes.c.project == project, votes.c.key == key)
    )
    return int(found.scalar_one())


async def link_thread(connection: AsyncConnection, vote_id: int, thread_url: str) -> None:
    thread_id = (
        await connection.execute(select(threads.c.id).where(threads.c.url == thread_url))
    ).scalar_one()
    insert = dialect_insert(connection)
    await connection.execute(
        insert(vote_threads).values(vote_id=vote_id, thread_id=thread_id).on_conflict_do_nothing()
    )


async def thread_urls(connection: AsyncConnection, vote_id: int) -> list[str]:
    result = await connection.execute(
        select(threads.c.url)
        .join(vote_threads, vote_threads.c.thread_id == threads.c.id)
        .where(vote_threads.c.vote_id == vote_id)
        .order_by(threads.c.id)
    )
    return [url for (url,) in result]


async def thread_urls_for(
    connection: AsyncConnection, vote_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The thread URLs of each of these votes, in one query."""
    found: dict[int, list[str]] = {vote_id: [] for vote_id in vote_ids}
    if not vote_ids:
        return found
    result = await connection.execute(
        select(vote_threads.c.vote_id, threads.c.url)
        .join(vote_threads, vote_threads.c.thread_id == threads.c.id)
        .where(vote_threads.c.vote_id.in_(list(vote_ids)))
        .order_by(threads.c.id)
    )
    for vote_id, url in result:
        found[int(vote_id)].append(url)
    return found


async def vote_of_thread(connection: AsyncConnection, thread_url: str) -> int | None:
    result = await connection.execute(
        select(vote_threads.c.vote_id)
        .join(threads, vote_threads.c.thread_id == threads.c.id)
        .where(threads.c.url == thread_url)
    )
    found = result.first()
    return None if found is None else int(found[0])


async def get_vote(connection: AsyncConnection, vote_id: int) -> VoteRow | None:
    row = (await connection.execute(select(votes).where(votes.c.id == vote_id))).first()
    return None if row is None else vote_row(row)


async def vote_by_key(connection: AsyncConnection, key: str, project: str = "") -> VoteRow | None:
    query = select(votes).where(votes.c.project == project, votes.c.key == key)
    row = (await connection.execute(query)).first()
    return None if row is None else vote_row(row)


async def list_votes(
    connection: AsyncConnection, *, status: str | None = None, project: str | None = None
) -> list[VoteRow]:
    query = select(votes).order_by(votes.c.id)
    if status is not None:
        query = query.where(votes.c.status == status)
    if project is not None:
        query = query.where(votes.c.project == project)
    return [vote_row(row) for row in await connection.execute(query)]


async def set_schedule(connection: AsyncConnection, vote_id: int, **fields: Any) -> None:
    """rule, electorate, profile, opened_at, closes_at, call_url, title: what the last count
    learned about the vote."""
    allowed = {"rule", "electorate", "profile", "opened_at", "closes_at", "call_url", "title"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not schedule fields: {sorted(unknown)}")
    await connection.execute(update(votes).where(votes.c.id == vote_id).values(**fields))


async def close_vote(
    connection: AsyncConnection, vote_id: int, status: str, closed_by: str, now: datetime
) -> bool:
    """Move an open vote to its final status; False when it was already closed (by a replica
    or an operator), so the caller does not draft or mail it again."""
    result = await connection.execute(
        update(votes)
        .where(votes.c.id == vote_id, votes.c.status == OPEN)
        .values(status=status, closed_by=closed_by, closed_at=now, next_poll_at=None)
    )
    return result.rowcount == 1


def digest_of(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _ballot_row(ballot: Ballot, vote_id: int, tally_id: int, effective: bool) -> dict[str, Any]:
    return {
        "vote_id": vote_id,
        "tally_id": tally_id,
        "voter": ballot.voter,
        "member_id": ballot.member_id,
        "value": ballot.value.value,
        "binding": ballot.binding,
        "effective": effective,
        "counted": ballot.counted,
        "raw": ballot.raw,
        "url": ballot.url,
        "cast_at": ballot.cast_at,
        "details": {
            "match": ballot.match.value,
            "flags": list(ballot.flags),
            "usernames": list(ballot.usernames),
            "mirrors": list(ballot.mirrors),
            "late": ballot.late,
            "changed": ballot.changed,
        },
    }


async def save_tally(
    connection: AsyncConnection,
    vote_id: int,
    report: Mapping[str, Any],
    effective: Sequence[Ballot],
    history: Sequence[Ballot],
    now: datetime,
    draft: Mapping[str, str] | None = None,
    summary: Mapping[str, Any] | None = None,
) -> int | None:
    """Store a tally, the draft counted with it, its summary (summary_of) and its ballots; an
    unchanged tally (same report and draft) is not stored again. Returns the new snapshot's
    id, or None when nothing changed."""
    digest = digest_of({"report": report, "draft": draft})
    insert = dialect_insert(connection)
    result = await connection.execute(
        insert(tally_snapshots)
        .values(
            vote_id=vote_id,
            taken_at=now,
            status=str(report.get("status", "")),
            digest=digest,
            report=dict(report),
            **({} if draft is None else {"draft": dict(draft)}),
            **({} if summary is None else {"summary": dict(summary)}),
        )
        .on_conflict_do_nothing(index_elements=["vote_id", "digest"])
        .returning(tally_snapshots.c.id)
    )
    tally_id = result.scalar_one_or_none()
    if tally_id is None:
        # The same count as an earlier snapshot (a correction undone, say): that one is current.
        earlier = await connection.execute(
            select(tally_snapshots.c.id).where(
                tally_snapshots.c.vote_id == vote_id, tally_snapshots.c.digest == digest
            )
        )
        await _make_current(connection, vote_id, int(earlier.scalar_one()))
        return None
    await _make_current(connection, vote_id, int(tally_id))
    kept = set(effective)
    rows = [_ballot_row(b, vote_id, tally_id, True) for b in effective]
    rows += [_ballot_row(b, vote_id, tally_id, False) for b in history if b not in kept]
    if rows:
        await connection.execute(ballots.insert(), rows)
    return int(tally_id)


async def _make_current(connection: AsyncConnection, vote_id: int, tally_id: int) -> None:
    await connection.execute(update(votes).where(votes.c.id == vote_id).values(tally_id=tally_id))


@dataclass(frozen=True)
class StoredCount:
    """A vote's current tally as stored: what its pages show without counting again."""

    report: dict[str, Any]
    draft: dict[str, str] | None  # None: counted before drafts were stored with the tally


async def latest_tally(connection: AsyncConnection, vote_id: int) -> dict[str, Any] | None:
    """The vote's current tally report (see `current_count`)."""
    found = await current_count(connection, vote_id)
    return None if found is None else found.report


async def current_count(connection: AsyncConnection, vote_id: int) -> StoredCount | None:
    """The vote's current tally: the last one saved, even when it repeats an older snapshot."""
    current = select(votes.c.tally_id).where(votes.c.id == vote_id).scalar_subquery()
    result = await connection.execute(
        select(tally_snapshots.c.report, tally_snapshots.c.draft)
        .where(tally_snapshots.c.vote_id == vote_id)
        .order_by(
            (tally_snapshots.c.id == current).desc(),
            tally_snapshots.c.taken_at.desc(),
            tally_snapshots.c.id.desc(),
        )
        .limit(1)
    )
    found = result.one_or_none()
    if found is None:
        return None
    return StoredCount(dict(found.report), dict(found.draft) if found.draft else None)


# What the vote list shows of a count, kept beside each report (tally_snapshots.summary).
SUMMARY_KEYS = ("passes", "explanation", "counts")


async def vote_summaries(
    connection: AsyncConnection,
) -> list[tuple[VoteRow, dict[str, Any] | None]]:
    """Every vote with the summary of its current count, in one query over the small summary
    column; a count stored before 0008 (no summary) or a vote without a current-count pointer
    (before 0003) is read from its report."""
    result = await connection.execute(
        select(votes, tally_snapshots.c.summary)
        .outerjoin(tally_snapshots, votes.c.tally_id == tally_snapshots.c.id)
        .order_by(votes.c.id)
    )
    found = [(vote_row(row), row.summary) for row in result]
    return [
        (
            vote,
            dict(summary) if summary is not None else await _summary_from_report(connection, vote),
        )
        for vote, summary in found
    ]


def summary_of(report: Mapping[str, Any]) -> dict[str, Any]:
    return {key: report.get(key) for key in SUMMARY_KEYS}


async def _summary_from_report(connection: AsyncConnection, vote: VoteRow) -> dict[str, Any] | None:
    report = await latest_tally(connection, vote.id)
    return summary_of(report) if report is not None else None


def roster_json(roster: Roster) -> list[dict[str, Any]]:
    members = []
    for member in roster.members:
        data = asdict(member)
        data["role"] = member.role.value
        data["since"] = member.since.isoformat() if member.since else None
        data["until"] = member.until.isoformat() if member.until else None
        members.append(data)
    return members


def roster_from_json(source: str, members: Sequence[Mapping[str, Any]]) -> Roster:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return Roster(
        members=tuple(
            Member(
                id=m["id"],
                name=m["name"],
                role=Role(m["role"]),
                emails=tuple(m.get("emails", ())),
                github=tuple(m.get("github", ())),
                discourse=tuple(m.get("discourse", ())),
                since=day(m.get("since")),
                until=day(m.get("until")),
            )
            for m in members
        ),
        source=source,
    )


async def save_roster(connection: AsyncConnection, roster: Roster, now: datetime) -> None:
    """A snapshot per distinct roster: what binding status was decided from, kept."""
    members = roster_json(roster)
    insert = dialect_insert(connection)
    await connection.execute(
        insert(roster_snapshots)
        .values(source=roster.source, digest=digest_of(members), members=members, taken_at=now)
        .on_conflict_do_nothing(index_elements=["source", "digest"])
    )


async def file_unfiled(connection: AsyncConnection, project: str) -> int:
    """Votes stored under no project (before [[projects]], or by a one-off harvest) go to
    `project`, except one whose subject that project already has; returns how many. A vote
    moved is due at once: a poll under no project may be counting it with no roster as it
    moves (the daemon files and polls side by side), and its next poll is its project's."""
    taken = select(votes.c.key).where(votes.c.project == project).scalar_subquery()
    moved = await connection.execute(
        update(votes)
        .where(votes.c.project == "", votes.c.key.not_in(taken))
        .values(project=project, next_poll_at=None)
    )
    return int(moved.rowcount or 0)


async def newest_rosters(connection: AsyncConnection) -> list[Roster]:
    """The newest snapshot of each roster source, by source."""
    sources = await connection.execute(
        select(roster_snapshots.c.source).distinct().order_by(roster_snapshots.c.source)
    )
    found = [await latest_roster(connection, source) for (source,) in sources.all()]
    return [roster for roster in found if roster is not None]


async def latest_roster(connection: AsyncConnection, source: str | None) -> Roster | None:
    """The newest snapshot of `source`, or of any roster when None."""
    query = select(roster_snapshots.c.source, roster_snapshots.c.members)
    if source is not None:
        query = query.where(roster_snapshots.c.source == source)
    result = await connection.execute(
        query.order_by(roster_snapshots.c.taken_at.desc(), roster_snapshots.c.id.desc()).limit(1)
    )
    found = result.first()
    return None if found is None else roster_from_json(found.source, found.members)


@dataclass(frozen=True)
class DraftLine:
    """A draft, once for each channel it was queued on."""

    id: int
    subject: str
    state: str  # the outbox state, or "not queued"
    created_at: datetime
    kind: str = "result"  # or "reminder"
    channel: str = ""  # "mail", "github", "discourse"; "" when not queued
    target: str = ""  # the recipients, or the issue or topic posted to
    detail: str = ""  # where it went, or the last error


async def vote_drafts(connection: AsyncConnection, vote_id: int) -> list[DraftLine]:
    result = await connection.execute(
        select(
            drafts.c.id,
            drafts.c.subject,
            outbox.c.state,
            drafts.c.created_at,
            drafts.c.kind,
            outbox.c.channel,
            outbox.c.target,
            outbox.c.last_error,
        )
        .select_from(drafts.outerjoin(outbox, outbox.c.draft_id == drafts.c.id))
        .where(drafts.c.vote_id == vote_id)
        .order_by(drafts.c.id, outbox.c.id)
    )
    return [
        DraftLine(
            int(r.id),
            r.subject,
            r.state or "not queued",
            r.created_at,
            r.kind,
            r.channel or "",
            r.target or "",
            r.last_error or "",
        )
        for r in result
    ]
