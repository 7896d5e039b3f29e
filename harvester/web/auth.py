"""Who may write: a shared token, a signed session cookie for people, a bearer token for scripts.

The cookie is "<name>|<HMAC-SHA256(token, name)>", so it needs no server-side state and every
session ends when the token is changed. Cross-site form posts are refused by the cookie's
SameSite=Strict and by checking the Origin header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "harvester_session"
ACTOR_HEADER = "X-Harvester-Actor"
MAX_NAME = 100
WRITES_DISABLED = "writes are disabled: set HARVESTER_WEB__TOKEN"


def clean_name(raw: object) -> str | None:
    """The stripped name, or None if it is empty, too long or holds control characters."""
    if not isinstance(raw, str):
        return None
    name = raw.strip()
    if not name or len(name) > MAX_NAME:
        return None
    # A name lands in the audit log and on pages: no line breaks or other invisible controls.
    if any(unicodedata.category(char).startswith("C") for char in name):
        return None
    return name


def token_matches(token: str, given: str) -> bool:
    """Constant-time comparison; an unset token never matches."""
    return bool(token) and hmac.compare_digest(token.encode(), given.encode())


def _signature(token: str, name: str) -> str:
    return hmac.new(token.encode(), name.encode(), hashlib.sha256).hexdigest()


def session_value(token: str, name: str) -> str:
    """The cookie value: the name URL-safe base64 encoded (no "|" or ";"), then its MAC."""
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"{encoded}|{_signature(token, name)}"


def session_name(token: str, value: str) -> str | None:
    """The signed-in name a cookie value proves, or None if it is forged, stale or malformed."""
    if not token or value.count("|") != 1:
        return None
    encoded, signature = value.split("|")
    try:
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not hmac.compare_digest(_signature(token, name), signature):
        return None
    return clean_name(name)


def request_actor(request: web.Request, token: str) -> str | None:
    """The person signed in through the session cookie, if any."""
    value = request.cookies.get(COOKIE)
    return session_name(token, value) if value else None


def bearer_ok(request: web.Request, token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>`."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_matches(token, given.strip())


def safe_next(raw: object) -> str:
    """A local path to return to after signing in; anything else (//host, http:…, \\) is "/"."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith("//"):
        return "/"
    # Browsers read "/\\evil" as "//evil"; control characters could hide the same trick.
    if "\\" in raw or any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def cross_origin(request: web.Request) -> bool:
    """Whether a browser says this request comes from another site.

    Only the host is compared, not the scheme: behind a TLS-terminating proxy the app sees http
    while the browser sends an https Origin for the same host.
    """
    if request.headers.get("Sec-Fetch-Site", "") in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return True  # "null" (sandboxed frames, some redirects) is never our own page
    return parts.netloc.lower() != request.host.lower()
