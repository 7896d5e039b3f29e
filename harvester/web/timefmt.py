"""Times as the dashboard shows them: absolute in UTC, and "closes in …" relative to a clock."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO string ("…Z" or with an offset); None if not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(moment)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already (the store writes UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def show_time(value: object) -> str:
    """Like "2026-11-02 09:00 UTC"; the input unchanged if it is not a time, "—" if empty."""
    moment = parse_time(value)
    if moment is None:
        return str(value) if value else "—"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def closes_in(status: object, closes_at: object, now: datetime) -> str:
    """How long an open vote still runs: "in 2 d 3 h", "in 45 min", "past deadline"."""
    deadline = parse_time(closes_at)
    if status != "open":
        return "closed"
    if deadline is None:
        return "—"
    seconds = int((deadline - as_utc(now)).total_seconds())
    if seconds <= 0:
        return "past deadline"
    return "in " + _duration(seconds)


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "< 1 min"
