"""Tally + Outcome -> the JSON contract of the design (keys are stable: add, never rename).

The contract is described by harvester/schemas/vote.schema.json; SCHEMA_VERSION changes only
when a reader written for the old one could misread the new one (a key added does not).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harvester.model import (
    Announcement,
    Ballot,
    Condition,
    Counts,
    Dismissal,
    Outcome,
    Override,
    Tally,
)

SCHEMA_VERSION = 1


def iso_utc(moment: datetime) -> str:
    """Every time we show is UTC, to the second, as YYYY-MM-DDTHH:MM:SSZ: senders' zones
    differ, and a tally must read one way."""
    at = moment.astimezone(UTC)
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}Z"
    )


def iso_or_none(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def _counts(counts: Counts) -> dict[str, int]:
    return {"+1": counts.plus, "0": counts.zero, "-1": counts.minus}


def ballot_json(ballot: Ballot) -> dict[str, Any]:
    return {
        "voter": ballot.voter,
        "member_id": ballot.member_id,
        "usernames": list(ballot.usernames),
        "binding": ballot.binding,
        "value": ballot.value.value,
        "raw": ballot.raw,
        "cast_at": iso_or_none(ballot.cast_at),
        "url": ballot.url,
        "changed": ballot.changed,
        "late": ballot.late,
        "match": ballot.match.value,
        "flags": list(ballot.flags),
        "counted": ballot.counted,
        "mirrors": list(ballot.mirrors),
    }


def condition_json(condition: Condition) -> dict[str, Any]:
    return {
        "label": condition.label,
        "have": condition.have,
        "need": condition.need,
        "at_most": condition.relation == "==",
        "met": condition.met,
    }


def override_json(override: Override) -> dict[str, Any]:
    value = "none" if override.not_a_vote else override.value.value if override.value else None
    return {
        "url": override.url,
        "value": value,
        "binding": override.binding,
        "member_id": override.member_id,
        "reason": override.reason,
        "by": override.by,
        "at": iso_or_none(override.at),
    }


def dismissal_json(dismissal: Dismissal) -> dict[str, Any]:
    return {
        "url": dismissal.url,
        "reason": dismissal.review,
        "note": dismissal.note,
        "by": dismissal.by,
        "at": iso_or_none(dismissal.at),
    }


def report_json(tally: Tally, outcome: Outcome) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "title": tally.title,
        "rule": outcome.rule.value,
        "status": outcome.status.value,
        "needs_review": outcome.needs_review,
        "pending_review": [{"url": r.url, "reason": r.reason} for r in outcome.pending],
        "opened_at": iso_or_none(tally.window.opened_at),
        "closes_at": iso_or_none(tally.window.closes_at),
        "earliest_close": iso_or_none(tally.window.earliest_close),
        "closed_by": tally.window.closed_by or None,
        "explanation": outcome.explanation,
        "passes": outcome.passes,
        "electorate": tally.electorate.value,
        "electorate_size": tally.electorate_size,
        "counts": {
            "binding": _counts(outcome.binding),
            "non_binding": _counts(outcome.non_binding),
        },
        "ballots": [ballot_json(b) for b in tally.ballots],
        "history": [ballot_json(b) for b in tally.history],
        "review": [{"url": r.url, "reason": r.reason} for r in tally.review],
        "dismissed": [dismissal_json(d) for d in tally.dismissed],
        "corrections": [override_json(o) for o in tally.overrides],
        "conditions": [condition_json(c) for c in outcome.conditions],
        "sources": [{"kind": s.kind, "url": s.url, "messages": s.messages} for s in tally.sources],
        "rounds": [
            {
                "opened_at": iso_utc(r.opened_at),
                "url": r.url,
                "carried_over": r.carried_over,
                "own_thread": r.own_thread,
            }
            for r in tally.rounds
        ],
        "not_voted": list(tally.not_voted),
        "announced": announced_json(outcome.announced),
        "digest": outcome.proof.digest if outcome.proof else None,
        "digest_parts": dict(outcome.proof.parts) if outcome.proof else None,
        "voted_on": {
            "release": tally.voted_on.release,
            "commit": tally.voted_on.commit,
            "hashes": list(tally.voted_on.hashes),
            "links": list(tally.voted_on.links),
        },
    }


def _three(
    counts: tuple[int | None, int | None, int | None] | None,
) -> dict[str, int | None] | None:
    return None if counts is None else dict(zip(("+1", "0", "-1"), counts, strict=True))


def announced_json(announced: Announcement | None) -> dict[str, Any] | None:
    if announced is None:
        return None
    return {
        "url": announced.url,
        "counts": {"binding": _three(announced.binding), "total": _three(announced.total)},
        "differences": list(announced.differences),
    }
