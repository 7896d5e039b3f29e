"""Keeping a one-off harvest in the database, and recounting a stored vote without the network."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.counting import VoteResult
from harvester.app.harvest import tally_vote
from harvester.config import Settings
from harvester.core.report import report_json
from harvester.core.threads import vote_key, vote_title
from harvester.errors import SelectionError
from harvester.model import (
    Corrections,
    Dismissal,
    IdentityVerdict,
    Override,
    Roster,
    RuleName,
    Status,
    Value,
)
from harvester.projects_config import follows_many, roster_source, settings_for
from harvester.store import corrections as stored_corrections
from harvester.store import identities, votes
from harvester.store import messages as stored


async def record_result(
    connection: AsyncConnection, result: VoteResult, roster: Roster, now: datetime
) -> int:
    """Store the threads read, the vote, the roster used and the tally; returns the vote id.
    Storing the same harvest twice adds nothing."""
    if roster.members:
        await votes.save_roster(connection, roster, now)
    title = vote_title(result.tally.title)
    vote_id = await _tracked_vote(connection, result) or await votes.ensure_vote(
        connection, vote_key(title), title, now
    )
    for thread in result.sources:
        await stored.save_thread(connection, thread, now)
        await votes.link_thread(connection, vote_id, thread.url)
    await save_count(connection, vote_id, result, now)
    if result.outcome.status is not Status.OPEN:  # counted after its close: it is decided
        closed_by = result.tally.window.closed_by or "operator"
        await votes.close_vote(connection, vote_id, final_status(result), closed_by, now)
    return vote_id


def final_status(result: VoteResult) -> str:
    if result.tally.cancelled:
        return "cancelled"
    return Status.PASSED.value if result.outcome.passes else Status.FAILED.value


async def save_count(
    connection: AsyncConnection, vote_id: int, result: VoteResult, now: datetime
) -> None:
    tally, outcome = result.tally, result.outcome
    report = report_json(tally, outcome)
    draft = {"subject": result.draft.subject, "body": result.draft.body}
    summary = votes.summary_of(report)
    await votes.save_tally(
        connection, vote_id, report, tally.ballots, tally.history, now, draft, summary
    )
    window = tally.window
    await votes.set_schedule(
        connection,
        vote_id,
        title=tally.title,
        rule=outcome.rule.value,
        electorate=tally.electorate.value,
        profile=result.profile.name if result.profile else None,
        opened_at=window.opened_at,
        closes_at=window.closes_at or window.earliest_close,
        call_url=tally.call_url or None,
    )


async def recount(
    connection: AsyncConnection,
    vote_id: int,
    roster: Roster | None,
    settings: Settings,
    now: datetime,
    *,
    rule: RuleName | None = None,
) -> VoteResult:
    """The stored vote counted again from its stored messages: after a roster or rule change,
    with no network, with its project's settings. `roster` None: the newest stored snapshot of
    its project's roster."""
    vote = await votes.get_vote(connection, vote_id)
    if vote is None:
        raise SelectionError(f"vote {vote_id}", "no such vote in the database")
    settings = settings_for(settings, vote.project)
    if roster is None:
        roster = await stored_roster(connection, settings)
    # A vote the clock or its policy closed keeps ballots after its cut-off out.
    by_time = vote.closed_by in ("deadline", "decided")
    closed = vote.closes_at if vote.status != votes.OPEN and by_time else None
    return await count_stored(
        connection, vote_id, roster or Roster(members=()), settings, now, rule, closed
    )


async def _tracked_vote(connection: AsyncConnection, result: VoteResult) -> int | None:
    """The stored vote one of these threads already belongs to (a daemon's, of any project):
    a one-off harvest of it adds to that vote rather than starting a second one."""
    for thread in result.sources:
        found = await votes.vote_of_thread(connection, thread.url)
        if found is not None:
            return found
    return None


async def stored_roster(connection: AsyncConnection, settings: Settings) -> Roster | None:
    """The newest snapshot of the roster these (a project's) settings name. A config of one
    project without a roster of its own takes the newest of any (a one-off harvest's --roster);
    a config of many never guesses another project's."""
    source = roster_source(settings)
    if source:
        return await votes.latest_roster(connection, source)
    return None if follows_many(settings) else await votes.latest_roster(connection, None)


async def count_stored(
    connection: AsyncConnection,
    vote_id: int,
    roster: Roster,
    settings: Settings,
    now: datetime,
    rule: RuleName | None = None,
    closes_at: datetime | None = None,
) -> VoteResult:
    """The vote counted from its stored threads and corrections; no writes."""
    urls = await votes.thread_urls(connection, vote_id)
    sources = [t for t in [await stored.load_thread(connection, u) for u in urls] if t]
    if not sources:
        raise SelectionError(f"vote {vote_id}", "has no stored thread to count")
    corrections = await load_corrections(connection, vote_id)
    # Counting is CPU work: in a thread, so the event loop (pages, /healthz) keeps answering.
    count = partial(tally_vote, sources, roster, settings, now, rule=rule, closes_at=closes_at)
    return await asyncio.to_thread(count, corrections=corrections)


async def load_corrections(connection: AsyncConnection, vote_id: int) -> Corrections:
    """The vote's corrections, and the identity verdicts that hold for every vote."""
    rows = await stored_corrections.in_force(connection, vote_id)
    verdicts = tuple(
        IdentityVerdict(v.identity, v.member_id, v.confirmed, v.actor, v.created_at)
        for v in await identities.verdicts_in_force(connection)
    )
    return Corrections(
        verdicts=verdicts,
        overrides=tuple(_override(r) for r in rows if r.kind == stored_corrections.OVERRIDE),
        dismissals=tuple(
            Dismissal(r.url, r.review or "", r.reason, r.actor, r.created_at)
            for r in rows
            if r.kind == stored_corrections.DISMISSAL
        ),
    )


def _override(row: stored_corrections.CorrectionRow) -> Override:
    return Override(
        url=row.url,
        reason=row.reason,
        value=Value(row.value) if row.value not in (None, "none") else None,
        not_a_vote=row.value == "none",
        binding=row.binding,
        member_id=row.member_id,
        by=row.actor,
        at=row.created_at,
    )


def describe(rows: Sequence[votes.VoteRow]) -> list[str]:
    return [f"{row.id}\t{row.status}\t{row.rule or '-'}\t{row.title}" for row in rows]
