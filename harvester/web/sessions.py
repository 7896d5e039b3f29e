"""Signed, expiring session cookies (itsdangerous), with a key of their own.

The cookie proves a name and when it signed in; it holds a fingerprint of the write token, so
changing the token ends every session, but never the token itself: the cookie is signed, not
encrypted, and its key is separate, so a leaked cookie reveals neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from harvester.web.auth import clean_name

_SALT = "harvester-session"


@dataclass(frozen=True)
class Security:
    """How the dashboard guards itself; the wiring fills it from [web]."""

    session_key: str = ""  # "" : a random key per process (sessions end at a restart)
    session_hours: float = 12.0
    login_attempts: int = 5  # wrong tokens per client per window
    login_window_minutes: float = 15.0
    request_timeout: float = 30.0  # seconds a client may take to send a request and its body
    public_cache_seconds: float = 2.0  # how long a page built for the public is served again


def _clock_signer(clock: Callable[[], datetime]) -> type[TimestampSigner]:
    """A signer whose "now" is the application's clock, so expiry follows it (and tests)."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return ClockSigner


class Sessions:
    """Issues and checks session cookie values for one write token."""

    def __init__(self, token: str, security: Security, clock: Callable[[], datetime]) -> None:
        self._token = token
        key = security.session_key or secrets.token_urlsafe(32)
        self._fingerprint = hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
        self._max_age = max(1, round(security.session_hours * 3600))
        self._serializer = URLSafeTimedSerializer(key, salt=_SALT, signer=_clock_signer(clock))

    @property
    def max_age(self) -> int:
        """Seconds a session lasts: also the cookie's Max-Age."""
        return self._max_age

    def issue(self, name: str) -> str:
        """The cookie value for `name`, signed now."""
        return str(self._serializer.dumps({"name": name, "token": self._fingerprint}))

    def name_of(self, value: str) -> str | None:
        """The name a cookie value proves, or None if it is forged, expired, made for another
        token, or malformed."""
        if not self._token:
            return None
        try:
            data: Any = self._serializer.loads(value, max_age=self._max_age)
        except BadData:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return None
        if not hmac.compare_digest(data["token"], self._fingerprint):
            return None
        return clean_name(data.get("name"))
