"""What every handler needs, kept on the aiohttp application under one typed key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import jinja2
from aiohttp import web
from prometheus_client import CollectorRegistry

from harvester.web.backend import Backend


@dataclass(frozen=True)
class Context:
    """The backend, the write token ("" = read-only), the clock and the template environment."""

    backend: Backend
    token: str
    clock: Callable[[], datetime]
    registry: CollectorRegistry
    templates: jinja2.Environment


CONTEXT = web.AppKey("context", Context)


def context(request: web.Request) -> Context:
    """The Context of the application serving `request`."""
    return request.app[CONTEXT]
