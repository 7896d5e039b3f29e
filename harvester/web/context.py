"""What every handler needs, kept on the aiohttp application under one typed key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import jinja2
from aiohttp import web
from prometheus_client import CollectorRegistry

from harvester.web.auth import COOKIE as SESSION_COOKIE
from harvester.web.auth import bearer_ok
from harvester.web.backend import Backend
from harvester.web.sessions import Sessions
from harvester.web.throttle import LoginThrottle


@dataclass(frozen=True)
class Context:
    """The backend, the write token ("" = read-only), the clock, the template environment, and
    the guards: session cookies and the throttle on wrong tokens."""

    backend: Backend
    token: str
    clock: Callable[[], datetime]
    registry: CollectorRegistry
    templates: jinja2.Environment
    sessions: Sessions
    throttle: LoginThrottle


CONTEXT = web.AppKey("context", Context)


def context(request: web.Request) -> Context:
    """The Context of the application serving `request`."""
    return request.app[CONTEXT]


def signed_in(request: web.Request) -> str | None:
    """The person signed in through the session cookie, if any."""
    value = request.cookies.get(SESSION_COOKIE)
    return context(request).sessions.name_of(value) if value else None


def trusted(request: web.Request) -> bool:
    """Whether the reader may see members' private addresses: signed in, or a script with the
    bearer token."""
    ctx = context(request)
    return signed_in(request) is not None or bearer_ok(request, ctx.token)
