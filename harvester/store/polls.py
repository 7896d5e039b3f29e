"""When each open vote is polled, who polls it, and the harvest runs of its threads.

A tick claims its due votes in a few statements (a lease other replicas respect), reads the
cursors of all their threads at once, and plans the next polls together at the end, with the
cursors its unchanged polls moved. Callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from harvester.store.tables import harvest_runs, votes
from harvester.store.votes import OPEN, VoteRow, vote_row


async def due_votes(
    connection: AsyncConnection,
    now: datetime,
    limit: int | None = 100,
    *,
    project: str | None = None,
) -> list[VoteRow]:
    """The open votes due for a poll (of one project, when named), the longest waiting first."""
    query = select(votes).where(_due(now))
    if project is not None:
        query = query.where(votes.c.project == project)
    waiting = (votes.c.next_poll_at.is_not(None), votes.c.next_poll_at, votes.c.id)
    result = await connection.execute(query.order_by(*waiting).limit(limit))
    return [vote_row(row) for row in result]


async def due_projects(connection: AsyncConnection, now: datetime) -> set[str]:
    """The projects with an open vote due for a poll: a daemon of many projects asks only their
    watchers to poll, in one statement a tick."""
    result = await connection.execute(select(votes.c.project).where(_due(now)).distinct())
    return {project for (project,) in result}


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        votes.c.status == OPEN, or_(votes.c.next_poll_at.is_(None), votes.c.next_poll_at <= now)
    )


async def claim_polls(
    connection: AsyncConnection,
    vote_ids: Sequence[int],
    now: datetime,
    lease_until: datetime,
    *,
    project: str | None = None,
) -> set[int]:
    """Take this poll of these votes until `lease_until`, in one statement; the ids returned are
    the ones no other replica took first. A replica that dies mid-poll leaves only the lease,
    so the vote is due again soon rather than at its next regular poll. With `project`, only
    votes still of that project: one filed under another since it was found due is that
    project's to poll, with its roster."""
    if not vote_ids:
        return set()
    query = (
        update(votes)
        .where(votes.c.id.in_(list(vote_ids)), votes.c.status == OPEN)
        .where(or_(votes.c.next_poll_at.is_(None), votes.c.next_poll_at <= now))
    )
    if project is not None:
        query = query.where(votes.c.project == project)
    result = await connection.execute(
        query.values(next_poll_at=lease_until, polls=votes.c.polls + 1).returning(votes.c.id)
    )
    return {int(vote_id) for (vote_id,) in result}


async def poll_plans(
    connection: AsyncConnection, vote_ids: Sequence[int]
) -> dict[int, datetime | None]:
    """The closes_at of those of these votes still open: what their next poll is planned from."""
    if not vote_ids:
        return {}
    result = await connection.execute(
        select(votes.c.id, votes.c.closes_at).where(
            votes.c.id.in_(list(vote_ids)), votes.c.status == OPEN
        )
    )
    return {int(vote_id): closes_at for vote_id, closes_at in result}


async def plan_polls(
    connection: AsyncConnection, lease_until: datetime, moments: Mapping[int, datetime]
) -> None:
    """After the polls: when each open vote is looked at next, in one statement. Only replaces
    this tick's own lease: a count that found the deadline passed has already asked for an
    earlier poll (`poll_by`)."""
    if not moments:
        return
    statement = (
        update(votes)
        .where(votes.c.id == bindparam("vote_id"), votes.c.status == OPEN)
        .where(votes.c.next_poll_at == lease_until)
        .values(next_poll_at=bindparam("moment"))
    )
    rows = [{"vote_id": vote_id, "moment": moment} for vote_id, moment in moments.items()]
    await connection.execute(statement, rows)


async def poll_by(connection: AsyncConnection, vote_id: int, moment: datetime) -> None:
    """Make sure the vote is polled by `moment` (its deadline, once a count has found it)."""
    await connection.execute(
        update(votes)
        .where(votes.c.id == vote_id, votes.c.status == OPEN)
        .where(or_(votes.c.next_poll_at.is_(None), votes.c.next_poll_at > moment))
        .values(next_poll_at=moment)
    )


async def record_run(
    connection: AsyncConnection,
    source_url: str,
    started: datetime,
    finished: datetime,
    *,
    cursor: Mapping[str, object] | None = None,
    error: str | None = None,
) -> None:
    """One harvest of a thread, finished. A good run supersedes every earlier run of the thread
    (only the newest cursor is ever read), so the table holds one good run per thread and the
    failures since."""
    result = await connection.execute(
        harvest_runs.insert()
        .values(
            source_url=source_url,
            started_at=started,
            finished_at=finished,
            status="failed" if error else "ok",
            cursor=dict(cursor) if cursor is not None else None,
            error=error,
        )
        .returning(harvest_runs.c.id)
    )
    run_id = int(result.scalar_one())
    if error is None:
        await connection.execute(
            delete(harvest_runs).where(
                harvest_runs.c.source_url == source_url, harvest_runs.c.id < run_id
            )
        )


@dataclass(frozen=True)
class PollRun:
    """A good poll of a thread that found nothing new."""

    source_url: str
    started: datetime
    finished: datetime
    cursor: Mapping[str, object]


async def record_quiet_runs(
    connection: AsyncConnection, source_urls: Sequence[str], moved: Sequence[PollRun]
) -> None:
    """Polls that found nothing new, in at most two statements for a whole batch: the threads'
    good runs take the cursors that moved (`moved`; an unmoved cursor stays as it is), and the
    failures before these polls go, as record_run drops them after a good run."""
    if moved:
        statement = (
            update(harvest_runs)
            .where(harvest_runs.c.source_url == bindparam("url"), harvest_runs.c.status == "ok")
            .values(
                started_at=bindparam("started"),
                finished_at=bindparam("finished"),
                cursor=bindparam("cursor"),
            )
        )
        rows = [
            {
                "url": run.source_url,
                "started": run.started,
                "finished": run.finished,
                "cursor": dict(run.cursor),
            }
            for run in moved
        ]
        await connection.execute(statement, rows)
    if source_urls:
        await connection.execute(
            delete(harvest_runs).where(
                harvest_runs.c.source_url.in_(list(source_urls)),
                harvest_runs.c.status == "failed",
            )
        )


async def last_cursor(connection: AsyncConnection, source_url: str) -> dict[str, Any] | None:
    """Where the next incremental harvest of this thread starts: the last good run's cursor."""
    result = await connection.execute(
        select(harvest_runs.c.cursor)
        .where(and_(harvest_runs.c.source_url == source_url, harvest_runs.c.status == "ok"))
        .order_by(harvest_runs.c.id.desc())
        .limit(1)
    )
    found = result.scalar_one_or_none()
    return dict(found) if isinstance(found, dict) else None


async def run_counts(connection: AsyncConnection) -> dict[str, int]:
    result = await connection.execute(
        select(harvest_runs.c.status, func.count()).group_by(harvest_runs.c.status)
    )
    return {status: int(n) for status, n in result}


async def last_cursors(
    connection: AsyncConnection, source_urls: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The last good run's cursor of each of these threads, in one query (record_run keeps
    one good run per thread)."""
    if not source_urls:
        return {}
    result = await connection.execute(
        select(harvest_runs.c.source_url, harvest_runs.c.cursor)
        .where(harvest_runs.c.source_url.in_(list(source_urls)), harvest_runs.c.status == "ok")
        .order_by(harvest_runs.c.id)
    )
    return {url: dict(cursor) for url, cursor in result if isinstance(cursor, dict)}
