"""A person's corrections applied to what was read: overrides of one message's ballot (value,
binding, who it is) and dismissed review items. The reading rules stay as they are; a correction
is applied on top, marked, and shown with its reason, so a re-read never loses it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from harvester.model import (
    Corrections,
    Dismissal,
    Identity,
    Match,
    Member,
    Override,
    Reading,
    ReviewItem,
)

CORRECTED = "corrected"  # the flag on a ballot a person corrected


def by_url(corrections: Corrections) -> dict[str, Override]:
    return {o.url: o for o in corrections.overrides}


def corrected_reading(reading: Reading | None, override: Override, line: str) -> Reading | None:
    """The ballot after the override: a new value settles a mixed or missing ballot; `line` is
    the evidence when the message held no ballot of its own."""
    if override.not_a_vote:
        return None
    if override.value is None:
        if reading is None or reading.value is None:
            return reading  # nothing to mark: binding or identity alone make no ballot
        return replace(reading, flags=_mark(reading.flags))
    base = reading or Reading(value=None, raw=line)
    flags = tuple(f for f in base.flags if f not in ("mixed", "withdrawn"))
    return Reading(value=override.value, raw=base.raw or line, flags=_mark(flags))


def _mark(flags: tuple[str, ...]) -> tuple[str, ...]:
    return flags if CORRECTED in flags else (*flags, CORRECTED)


def corrected_identity(
    who: Identity, override: Override, members: Mapping[str, Member]
) -> Identity:
    """The voter is the member a person named; a name not on the roster changes nothing (it is
    reported by `unmatched`)."""
    if override.member_id is None:
        return who
    member = members.get(override.member_id.lower())
    if member is None:
        return who
    return replace(
        who,
        voter=member.name or who.voter,
        member=member,
        match=Match.CORRECTED,
        low_confidence=False,
        reason="",
    )


def corrected_binding(binding: bool, override: Override | None) -> bool:
    if override is None or override.binding is None:
        return binding
    return override.binding


def unmatched(
    corrections: Corrections, urls: Iterable[str], members: Mapping[str, Member]
) -> list[ReviewItem]:
    """Corrections that no longer apply must be seen, not silently dropped: a message gone from
    the thread, or a member no longer on the roster."""
    seen = set(urls)
    items = []
    for override in corrections.overrides:
        if override.url not in seen:
            items.append(
                ReviewItem(override.url, f"a correction ({override.reason}) matches no message")
            )
        elif override.member_id is not None and override.member_id.lower() not in members:
            items.append(
                ReviewItem(
                    override.url,
                    f"a correction names {override.member_id!r}, who is not on the roster",
                )
            )
    return items


def split_review(
    review: Sequence[ReviewItem], dismissals: Sequence[Dismissal]
) -> tuple[tuple[ReviewItem, ...], tuple[Dismissal, ...]]:
    """Review items still open, and the dismissals that set one aside (a dismissal whose item is
    no longer raised is not shown)."""
    chosen = {(d.url, d.review): d for d in dismissals}
    open_items = tuple(r for r in review if (r.url, r.reason) not in chosen)
    applied = tuple(chosen[(r.url, r.reason)] for r in review if (r.url, r.reason) in chosen)
    return open_items, applied
