"""When a vote is over, by the policy of its kind: at the deadline (the default), as soon as the
rule is met once the minimum time has passed, or extended while short of the minimum ballots up
to a maximum. A [RESULT], a [CANCEL], a closing comment, a closed thread or the operator always
close it: those are people's decisions, not the clock's. Decided anew at every poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from harvester.model import ClosePolicy, Closing, Outcome, Tally

_PEOPLE_CLOSE = ("result", "cancel", "closing-comment", "thread-closed", "operator")


@dataclass(frozen=True)
class Verdict:
    close: str = ""  # why the vote closes now ("deadline", "decided", "result" …), or ""
    deadline: datetime | None = None  # the deadline from now on, when the policy moved it


def decide_closing(
    closing: Closing, tally: Tally, outcome: Outcome, deadline: datetime | None, now: datetime
) -> Verdict:
    """`deadline`: the vote's deadline as last planned (its explicit end or minimum duration,
    or where an extension moved it)."""
    window = tally.window
    closed = window.closes_at is not None and window.closes_at <= now
    if closed and window.closed_by in _PEOPLE_CLOSE:
        return Verdict(window.closed_by)
    earliest = window.earliest_close
    old_enough = earliest is None or earliest <= now
    if closing.policy is ClosePolicy.WHEN_DECIDED and outcome.passes and old_enough:
        return Verdict("decided")
    due = deadline or window.closes_at or earliest
    if due is None or due > now:
        return Verdict()
    if closing.policy is ClosePolicy.EXTEND and _short_of_ballots(outcome):
        later = _extended(closing, tally, due, now)
        if later is not None:
            return Verdict("", later)
    return Verdict("deadline")


def _short_of_ballots(outcome: Outcome) -> bool:
    """The rule is not met, and only a minimum number of ballots stands in its way."""
    unmet = [c for c in outcome.conditions if not c.met]
    return bool(unmet) and all(c.quorum for c in unmet)


def _extended(closing: Closing, tally: Tally, due: datetime, now: datetime) -> datetime | None:
    """The next deadline, one step past the due one (and past now), or None at the maximum."""
    step = timedelta(hours=max(1, closing.extend_hours))
    later = due + step
    while later <= now:
        later += step
    if closing.max_hours is None:
        return later
    limit = tally.window.opened_at + timedelta(hours=closing.max_hours)
    return min(later, limit) if due < limit else None
