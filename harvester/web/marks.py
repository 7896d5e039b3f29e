"""Which of a ballot's flags a page shows as a badge, and which as a quiet note.

A badge asks a person to look: an identity nobody confirmed, a ballot that could be someone
else's, two votes in one message, a claim about binding that the roster contradicts. Everything
else a ballot carries (changed, late, corrected by hand, a claim the roster agrees with) is
worth knowing but needs nobody, so it is plain text, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ATTENTION = {
    "unconfirmed": "unconfirmed identity",
    "possible-impersonation": "possible impersonation",
    "mixed": "mixed ballot",
}
NOTES = {
    "corrected": "corrected by hand",
    "veto": "veto",
    "fractional": "fraction",
    "earlier-round": "earlier round",
    "withdrew-earlier": "withdrew an earlier vote",
    "changed-by-text": "changed in words",
}
# A claim is news only when the roster disagrees with it; then it is on the review list too.
_CLAIMS = {"claimed-binding": True, "claimed-non-binding": False}
_CLAIM_BADGES = {True: "claims binding", False: "claims non-binding"}


@dataclass(frozen=True)
class Marks:
    badges: tuple[str, ...]  # for a person to look at
    notes: tuple[str, ...]  # worth knowing, needing nobody


def ballot_marks(ballot: Mapping[str, Any]) -> Marks:
    """The badges and notes of one ballot dict of the report (or of a person's ballots)."""
    flags = [flag for flag in ballot.get("flags") or [] if isinstance(flag, str)]
    badges = [ATTENTION[flag] for flag in flags if flag in ATTENTION]
    badges += [
        _CLAIM_BADGES[claim]
        for flag, claim in _CLAIMS.items()
        if flag in flags and ballot.get("binding") is not claim
    ]
    notes = [_note(flag) for flag in flags if flag not in ATTENTION and flag not in _CLAIMS]
    if ballot.get("changed"):
        notes.append("changed")
    if ballot.get("late"):
        notes.append("late")
    if ballot.get("counted") is False:
        notes.append("not counted")
    if ballot.get("effective") is False:
        notes.append("replaced later")
    return Marks(tuple(badges), tuple(dict.fromkeys(notes)))


def _note(flag: str) -> str:
    # A flag this module does not know yet is shown as it is rather than dropped.
    return NOTES.get(flag, flag)
