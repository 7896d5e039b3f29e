"""When to look at an open vote again: often near its deadline, rarely far from it."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_poll(
    now: datetime,
    closes_at: datetime | None,
    *,
    every: timedelta,
    floor: timedelta,
    jitter: float,
) -> datetime:
    """A quarter of the time left, between `floor` and `every`, scaled by `jitter` (a factor
    near 1, drawn by the caller, so replicas and votes do not poll in step), and never past
    the deadline, so a vote is closed on time."""
    interval = every
    if closes_at is not None:
        interval = max(floor, min(every, (closes_at - now) / 4))
    moment = now + interval * jitter
    if closes_at is not None and now < closes_at < moment:
        return closes_at
    return moment
