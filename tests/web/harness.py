"""Running the web app on a real loopback server for one test, and reading its pages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import lxml.html
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from harvester.metrics import REGISTRY
from harvester.web import Security, create_app
from tests.web.memory_backend import MemoryBackend

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TOKEN = "correct-horse-battery-staple"
SECURITY = Security(session_key="a-session-key-of-the-tests")
Client = TestClient[web.Request, web.Application]
Scenario = Callable[[Client], Awaitable[None]]


def run(
    backend: MemoryBackend,
    scenario: Scenario,
    *,
    token: str = "",
    registry: CollectorRegistry = REGISTRY,
    security: Security = SECURITY,
) -> None:
    """Serve the app over `backend` on 127.0.0.1 and drive it with `scenario`."""
    app = create_app(backend, token=token, clock=lambda: NOW, registry=registry, security=security)

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())


def parse(text: str) -> lxml.html.HtmlElement:
    """The page as a browser would build its tree (elements, attributes, text)."""
    return lxml.html.document_fromstring(text)


async def get_page(client: Client, path: str, status: int = 200) -> lxml.html.HtmlElement:
    """GET a page, check its status, and parse it."""
    response = await client.get(path)
    text = await response.text()
    assert response.status == status, text
    return parse(text)


async def sign_in(client: Client, name: str = "Jane Chair") -> None:
    """Sign in through the login form (the session cookie stays in the client's jar)."""
    form = {"name": name, "token": TOKEN, "next": "/"}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
