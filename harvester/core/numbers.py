"""Numbers people write in a vote's mails: a count of votes, a duration in hours or days."""

from __future__ import annotations

MOST_DIGITS = 9  # no vote counts or lasts more; int() refuses a number of over 4,300 digits


def written_number(digits: str) -> int | None:
    """The number these decimal digits write; None when it has more than MOST_DIGITS digits:
    such a "count" is no count, and too long a one is an error in int()."""
    return int(digits) if len(digits.lstrip("0")) <= MOST_DIGITS else None
