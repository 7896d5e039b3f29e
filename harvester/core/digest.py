"""The daily digest: every open vote, its count so far, how soon it closes, who has not voted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from harvester.core.clean import one_line
from harvester.core.report import iso_utc
from harvester.model import Draft, Outcome, Roster, Tally

CLOSING_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class OpenVote:
    vote_id: int
    tally: Tally
    outcome: Outcome
    closes_at: datetime | None
    roster: Roster | None = None  # its project's, to name who has not voted (None: the digest's)
    project: str = ""


def not_voted(tally: Tally, roster: Roster) -> list[str]:
    """Members of the vote's electorate with no counted ballot yet, by name."""
    names = {m.id: m.name or m.id for m in roster.members}
    return sorted(names.get(member_id, member_id) for member_id in tally.not_voted)


def _closes(closes_at: datetime | None, now: datetime) -> str:
    if closes_at is None:
        return "no planned close"
    left = closes_at - now
    hours = max(0, int(left.total_seconds() // 3600))
    soon = " (closing soon)" if left <= CLOSING_SOON else ""
    return f"closes {iso_utc(closes_at)}, in {hours} h{soon}"


def _section(vote: OpenVote, roster: Roster, now: datetime) -> list[str]:
    b, n = vote.outcome.binding, vote.outcome.non_binding
    missing = not_voted(vote.tally, vote.roster or roster)
    project = f"[{vote.project}] " if vote.project else ""
    return [
        f"#{vote.vote_id} {project}{one_line(vote.tally.title)}",
        f"  {vote.outcome.rule.value}; {_closes(vote.closes_at, now)}",
        f"  binding +1 {b.plus}, 0 {b.zero}, -1 {b.minus}; "
        f"non-binding +1 {n.plus}, 0 {n.zero}, -1 {n.minus}",
        f"  {vote.outcome.explanation}",
        f"  not voted yet ({len(missing)}): {', '.join(missing) if missing else '-'}",
        "",
    ]


def build_digest(votes: Sequence[OpenVote], roster: Roster, now: datetime) -> Draft:
    """Soonest to close first: that is where a reminder helps."""
    far = now + timedelta(days=3650)
    ordered = sorted(votes, key=lambda v: v.closes_at or far)
    lines = [f"Open votes as of {iso_utc(now)}: {len(ordered)}", ""]
    for vote in ordered:
        lines.extend(_section(vote, roster, now))
    return Draft(subject=f"[DIGEST] {len(ordered)} open vote(s)", body="\n".join(lines))
