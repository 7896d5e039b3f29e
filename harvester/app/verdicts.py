"""What a poll decides about a vote's end, by its profile's closing policy (core/closing.py):
close it now and where the cut-off lies, extend it, or let it run. An extended vote past a
step is counted as it stood at each step; a vote nobody on the roster may vote in is not closed
(a result would be a failure nobody decided)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.counting import VoteResult
from harvester.app.remind import next_reminder
from harvester.config import Settings
from harvester.core.closing import Verdict, decide_closing, settle_extension, short_of_ballots
from harvester.model import Closing
from harvester.store import polls, votes
from harvester.store.votes import VoteRow

log = logging.getLogger("harvester.daemon")
Recount = Callable[[datetime], Awaitable[VoteResult]]  # the vote counted as it stood then


def closing_of(result: VoteResult) -> Closing:
    return result.profile.closing if result.profile else Closing()


def closing_verdict(result: VoteResult, vote: VoteRow, now: datetime) -> Verdict:
    """Whether the vote is over now, by the closing policy of its profile."""
    return decide_closing(closing_of(result), result.tally, result.outcome, vote.closes_at, now)


async def decide_end(
    connection: AsyncConnection,
    vote: VoteRow,
    result: VoteResult,
    now: datetime,
    recount: Recount,
    said: set[int],
) -> Verdict:
    """The poll's verdict, an extension already stored. `said`: votes whose missing roster
    was logged (once each)."""
    verdict = closing_verdict(result, vote, now)
    if verdict.check:
        verdict = await _settle_extension(result, verdict, recount)
    if verdict.close and not result.tally.electorate_size:
        verdict = _no_electorate(vote, verdict, said)
    if verdict.extend_to is not None:
        await _extend(connection, vote, verdict.extend_to)
    return verdict


async def _settle_extension(result: VoteResult, verdict: Verdict, recount: Recount) -> Verdict:
    """Counted as it stood at each step that has passed, up to the first it was not short at
    (ballots after a step it was short at count: it was extended then)."""
    short: list[bool] = []
    for at in verdict.check:
        short.append(short_of_ballots((await recount(at)).outcome))
        if not short[-1]:
            break
    return settle_extension(closing_of(result), result.tally, verdict.check[: len(short)], short)


def _no_electorate(vote: VoteRow, verdict: Verdict, said: set[int]) -> Verdict:
    if vote.id not in said:
        said.add(vote.id)
        project = f" (project {vote.project!r})" if vote.project else ""
        log.warning(
            "vote %d would close (%s) but its roster is empty%s: it stays open; set the "
            "project's roster, or recount it with `harvest votes recount %d --roster FILE`",
            vote.id,
            verdict.close,
            project,
            vote.id,
        )
    return Verdict()


async def _extend(connection: AsyncConnection, vote: VoteRow, until: datetime) -> None:
    await votes.set_schedule(connection, vote.id, closes_at=until)
    await polls.poll_by(connection, vote.id, until)
    if vote.closes_at != until:
        log.info("vote %d: short of ballots, extended to %s", vote.id, until.isoformat())


def clock_matters_at(result: VoteResult, settings: Settings, now: datetime) -> datetime | None:
    """The next moment the clock alone changes what a poll does: the minimum time passes (the
    rule may hold then), or the reminder falls due."""
    earliest = result.tally.window.earliest_close
    ahead = [t for t in (earliest, next_reminder(result, settings, now)) if t and t > now]
    return min(ahead, default=None)
