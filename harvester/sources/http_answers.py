"""What an HTTP answer says about trying again: whether to (429, 5xx, GitHub's rate-limit
403s), how long the server asks to wait (Retry-After as seconds or a date, Discourse's JSON
wait_seconds, GitHub's X-RateLimit-Reset), and the status in words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _json_wait_seconds(body: bytes) -> float | None:
    """Discourse's controller-level 429 body: {"extras": {"wait_seconds": N}, …}."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    extras = data.get("extras") if isinstance(data, dict) else None
    wait = extras.get("wait_seconds") if isinstance(extras, dict) else None
    return float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else None


def _reset_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """GitHub's primary limit: X-RateLimit-Remaining 0 until the epoch in X-RateLimit-Reset."""
    if headers.get("X-RateLimit-Remaining") != "0":
        return None
    reset = headers.get("X-RateLimit-Reset", "")
    if not reset.isdigit():
        return None
    return max(0.0, int(reset) - now.timestamp())


def server_wait(headers: Mapping[str, str], body: bytes, now: datetime) -> float | None:
    """How long the server asked us to wait, from the most to the least explicit signal."""
    header = headers.get("Retry-After")
    if header:
        seconds = retry_after_seconds(header, now)
        if seconds is not None:
            return seconds
    return _json_wait_seconds(body) or _reset_wait(headers, now)


def _is_rate_limit_403(headers: Mapping[str, str], body: bytes) -> bool:
    """GitHub answers 403 (not 429) for its primary and secondary rate limits."""
    if headers.get("X-RateLimit-Remaining") == "0" or "Retry-After" in headers:
        return True
    return b"secondary rate limit" in body.lower()


def is_retryable_status(status: int, headers: Mapping[str, str], body: bytes) -> bool:
    if status == 429 or status >= 500:
        return True
    return status == 403 and _is_rate_limit_403(headers, body)


def describe(status: int, body: bytes) -> str:
    if status == 429 or (status == 403 and b"rate limit" in body.lower()):
        return f"HTTP {status} (rate limited)"
    return f"HTTP {status}"
