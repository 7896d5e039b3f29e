"""Who may write: a shared token, a signed session cookie for people (web/sessions.py), a bearer
token for scripts. Cross-site form posts are refused by the cookie's SameSite=Strict and by
checking the Origin header.
"""

from __future__ import annotations

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
