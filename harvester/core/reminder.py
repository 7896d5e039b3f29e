"""The reminder a vote's list gets some hours before its earliest close: the count so far, and
who of its electorate has not voted (except those who asked not to be named).

The reminder lands in the vote's own thread, which harvester reads: it is written in words, with
no "+1"-like line, so that it can never be read as a ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from harvester.core.clean import one_line
from harvester.core.draft import bare_title
from harvester.core.posts import marker_line
from harvester.core.report import iso_utc
from harvester.model import Counts, Draft, Electorate, Outcome, Roster, Tally

SIGNATURE = "Sent once by harvester, which counts this vote."
REMINDER_REF = "reminder"


@dataclass(frozen=True)
class ReminderPolicy:
    hours_before: float
    only_when_short: bool = True  # no reminder for a vote that already passes
    name_non_voters: bool = True
    not_named: tuple[str, ...] = ()  # roster ids or addresses who asked not to be named


def closes_earliest(tally: Tally) -> datetime | None:
    window = tally.window
    return window.earliest_close or window.closes_at


def remind_at(tally: Tally, policy: ReminderPolicy) -> datetime | None:
    """When the reminder is due; None when the vote has no planned close, or is shorter than
    the lead time (a reminder at the call itself says nothing the call did not)."""
    earliest = closes_earliest(tally)
    if earliest is None or policy.hours_before <= 0:
        return None
    at = earliest - timedelta(hours=policy.hours_before)
    return at if at > tally.window.opened_at else None


def reminder_due(tally: Tally, outcome: Outcome, policy: ReminderPolicy, now: datetime) -> bool:
    """Between its time and the earliest close, for a vote still running (and still short of
    what its rule asks, unless the policy says remind anyway)."""
    at, earliest = remind_at(tally, policy), closes_earliest(tally)
    if at is None or earliest is None or not at <= now < earliest:
        return False
    if tally.cancelled or tally.window.closed_by not in ("", "deadline"):
        return False  # a result, a cancel or a closed thread: the vote is over
    return not (policy.only_when_short and outcome.passes)


def build_reminder(
    tally: Tally, outcome: Outcome, roster: Roster, policy: ReminderPolicy, now: datetime
) -> Draft:
    earliest = closes_earliest(tally)
    assert earliest is not None  # reminder_due said so
    hours = max(0, round((earliest - now).total_seconds() / 3600))
    title = one_line(tally.title)
    lines = [
        f'The vote "{title}" may close at {iso_utc(earliest)}, in about {hours} hours.',
        "",
        f"So far: {_in_words(outcome.binding, 'binding')}; "
        f"{_in_words(outcome.non_binding, 'non-binding')}.",
    ]
    if not outcome.passes:
        lines.append(f"Under its rule ({outcome.rule.value}) it would not pass if closed now.")
    lines += _non_voters(tally, roster, policy)
    if tally.call_url:
        lines += ["", f"The vote: {tally.call_url}"]
    lines += ["", SIGNATURE, marker_line(REMINDER_REF), ""]  # no "-- ": the marker is read
    refs = tuple(r for r in dict.fromkeys((*tally.call_references, tally.call_message_id)) if r)
    # A plain reply: a subject of its own ("[REMINDER][VOTE] …") would read as a new call.
    subject = f"Re: [VOTE] {bare_title(title)}"
    return Draft(subject, "\n".join(lines), tally.call_message_id, refs)


def _in_words(counts: Counts, kind: str) -> str:
    """ "2 binding votes in favour, none against, 1 neutral": no token a reader takes for a
    ballot."""
    return (
        f"{_number(counts.plus)} {kind} {'vote' if counts.plus == 1 else 'votes'} in favour, "
        f"{_number(counts.minus)} against, {_number(counts.zero)} neutral"
    )


def _number(n: int) -> str:
    return str(n) if n else "none"


def _non_voters(tally: Tally, roster: Roster, policy: ReminderPolicy) -> list[str]:
    if not policy.name_non_voters:
        return []
    hidden = {name.lower() for name in policy.not_named}
    by_id = {m.id: m for m in roster.members}
    shown = [
        by_id[i].name or i
        for i in tally.not_voted
        if i in by_id
        and i.lower() not in hidden
        and not hidden & {e.lower() for e in by_id[i].emails}
    ]
    if not shown:
        return []
    who = "PMC members" if tally.electorate is Electorate.PMC else "Committers"
    return ["", f"{who} who have not voted yet: {', '.join(shown)}."]
