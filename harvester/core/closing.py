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


def decide_closing(
    closing: Closing, tally: Tally, outcome: Outcome, deadline: datetime | None, now: datetime
) -> Verdict:
    """`deadline`: the vote's deadline as planned (its explicit end or minimum duration)."""
    window = tally.window
    closed = window.closes_at is not None and window.closes_at <= now
    if closed and window.closed_by in _PEOPLE_CLOSE:
        return Verdict(window.closed_by)
    earliest = window.earliest_close
    old_enough = earliest is None or earliest <= now
    if closing.policy is ClosePolicy.WHEN_DECIDED and outcome.passes and old_enough:
        return Verdict("decided", cut_off=now)  # a recount later keeps ballots after it out
    due = window.closes_at or earliest or deadline
    if due is None or due > now:
        return Verdict()
    if closing.policy is not ClosePolicy.EXTEND or window.closes_at is not None:
        # A call that names its end is held to it: only a minimum time is extended.
        return Verdict("deadline", cut_off=due)
    return _extended(closing, tally, outcome, due, now)


def _extended(
    closing: Closing, tally: Tally, outcome: Outcome, due: datetime, now: datetime
) -> Verdict:
    """Steps of `extend_hours` after the due time: the vote closes at the last step passed
    unless it is short of ballots, and at the maximum whatever it holds."""
    step = timedelta(hours=max(1, closing.extend_hours))
    boundary = due + step * ((now - due) // step)
    limit = None
    if closing.max_hours is not None:
        limit = tally.window.opened_at + timedelta(hours=closing.max_hours)
        if now >= limit or boundary >= limit:
            return Verdict("deadline", cut_off=max(limit, due))
    if not _short_of_ballots(outcome):
        return Verdict("deadline", cut_off=boundary)
    later = boundary + step
    return Verdict(extend_to=min(later, limit) if limit is not None else later)


def _short_of_ballots(outcome: Outcome) -> bool:
    """The rule is not met, and only a minimum number of ballots stands in its way."""
    unmet = [c for c in outcome.conditions if not c.met]
    return bool(unmet) and all(c.quorum for c in unmet)
