"""When a vote is over, by the policy of its kind: at the deadline (the default), as soon as the
rule is met once the minimum time has passed, or extended while short of the minimum ballots up
to a maximum. A [RESULT], a [CANCEL], a closing comment, a closed thread or the operator always
close it: those are people's decisions, not the clock's. Decided anew at every poll, from the
vote alone (no state): an extension is the next step after its deadline that lies ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from harvester.model import ClosePolicy, Closing, Outcome, Tally

_PEOPLE_CLOSE = ("result", "cancel", "closing-comment", "thread-closed", "operator")


@dataclass(frozen=True)
class Verdict:
    close: str = ""  # why the vote closes now ("deadline", "decided", "result" …), or ""
    cut_off: datetime | None = None  # closing at a deadline: ballots after it are late
    extend_to: datetime | None = None  # short of ballots: the deadline from now on
    # extend: count the vote as it stood at each of these steps, then settle_extension
    check: tuple[datetime, ...] = ()


def decide_closing(
    closing: Closing, tally: Tally, outcome: Outcome, deadline: datetime | None, now: datetime
) -> Verdict:
    """`deadline`: the vote's deadline as planned (its explicit end or minimum duration)."""
    window = tally.window
    closed = window.closes_at is not None and window.closes_at <= now
    if closed and window.closed_by in _PEOPLE_CLOSE:
        return Verdict(window.closed_by)
    earliest = window.earliest_close
    due = window.closes_at or earliest or deadline
    if due is not None and due <= now:
        if closing.policy is not ClosePolicy.EXTEND or window.closes_at is not None:
            # A call that names its end is held to it: only a minimum time is extended.
            return Verdict("deadline", cut_off=due)
        return Verdict(check=_steps(closing, tally, due, now))
    old_enough = earliest is None or earliest <= now
    # Decided early only on ballots nobody doubts: a pass resting on unconfirmed ones waits.
    sure = outcome.passes and not outcome.needs_review
    if closing.policy is ClosePolicy.WHEN_DECIDED and sure and old_enough:
        return Verdict("decided", cut_off=now)  # a recount later keeps ballots after it out
    return Verdict()


def _limit(closing: Closing, tally: Tally) -> datetime | None:
    """The latest an extended vote may run: `max_hours` after its last call."""
    if closing.max_hours is None:
        return None
    called = max([tally.window.opened_at, *(r.opened_at for r in tally.rounds)])
    return called + timedelta(hours=closing.max_hours)


def _steps(closing: Closing, tally: Tally, due: datetime, now: datetime) -> tuple[datetime, ...]:
    """The deadline and each `extend_hours` after it that has passed, up to the limit: where
    the vote closes if it was not short of ballots then."""
    step, limit = timedelta(hours=max(1, closing.extend_hours)), _limit(closing, tally)
    steps, at = [], due
    while at <= now and (limit is None or at < limit):
        steps.append(at)
        at += step
    if limit is not None and limit <= now:
        steps.append(max(limit, due))
    return tuple(dict.fromkeys(steps))


def settle_extension(
    closing: Closing, tally: Tally, steps: tuple[datetime, ...], short: list[bool]
) -> Verdict:
    """Given whether the vote was short of ballots at each of the `check` steps (counted as it
    stood then), close at the first step it was not, or at the limit; else extend to the next
    step. Ballots cast after a step where the vote was short count: it was extended."""
    limit = _limit(closing, tally)
    for at, was_short in zip(steps, short, strict=True):
        if not was_short or (limit is not None and at >= limit):
            return Verdict("deadline", cut_off=at)
    later = steps[-1] + timedelta(hours=max(1, closing.extend_hours))
    return Verdict(extend_to=min(later, limit) if limit is not None else later)


def short_of_ballots(outcome: Outcome) -> bool:
    """Fewer ballots than the rule's minimum: what an extension waits for."""
    return any(c.quorum and not c.met for c in outcome.conditions)
