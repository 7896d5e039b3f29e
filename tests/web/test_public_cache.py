"""Pages the public reads are built once per few seconds (issue 12): a flood of views costs one
build, signed-in readers always see the database as it is, and a write here shows at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from harvester.web import Security
from harvester.web.cache import Handler, PublicPages
from tests.web.harness import SECURITY, TOKEN, Client, run, sign_in
from tests.web.memory_backend import MemoryBackend

BEARER = {"Authorization": f"Bearer {TOKEN}"}
KEVIN = "https://lists.apache.org/thread/kevin"


@dataclass
class CountingBackend(MemoryBackend):
    """Counts how often each vote is read; `gate` holds every read until it is set."""

    reads: list[int] = field(default_factory=list)
    gate: asyncio.Event | None = None

    async def vote(self, vote_id: int) -> dict[str, Any] | None:
        self.reads.append(vote_id)
        if self.gate is not None:
            await self.gate.wait()
        return await super().vote(vote_id)


def test_the_public_gets_one_build_for_many_views() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        pages = [await client.get("/votes/1") for _ in range(5)]
        answers = [await client.get("/api/votes/1") for _ in range(5)]
        assert {p.status for p in pages} == {200}
        assert len({await p.text() for p in pages}) == 1
        assert [(await a.json())["id"] for a in answers] == [1] * 5
        # every copy still carries the guards' headers
        assert pages[-1].headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in pages[-1].headers["Content-Security-Policy"]
        assert answers[-1].content_type == "application/json"

    run(backend, scenario, token=TOKEN)
    assert backend.reads == [1, 1]  # one for the page, one for the API answer


def test_concurrent_views_share_the_build_in_progress() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        backend.gate = asyncio.Event()
        views = [asyncio.create_task(client.get("/votes/1")) for _ in range(20)]
        while not backend.reads:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the other 19 are waiting on the first build by now
        backend.gate.set()
        answers = await asyncio.gather(*views)
        assert [a.status for a in answers] == [200] * 20

    run(backend, scenario, token=TOKEN)
    assert backend.reads == [1]


def test_signed_in_readers_and_scripts_always_read_the_database() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        for _ in range(3):
            assert (await client.get("/api/votes/1", headers=BEARER)).status == 200
        await sign_in(client)
        for _ in range(3):
            assert (await client.get("/votes/1")).status == 200

    run(backend, scenario, token=TOKEN)
    assert backend.reads == [1] * 6


def test_a_correction_made_here_is_public_at_once() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        await client.get("/api/votes/1")
        backend.details[1]["title"] = "[VOTE] changed behind the cache"
        cached = await (await client.get("/api/votes/1")).json()
        assert cached["title"] != "[VOTE] changed behind the cache"
        headers = {**BEARER, "X-Harvester-Actor": "chair"}
        change = {"url": KEVIN, "value": "-1", "reason": "said so on the list"}
        await client.post("/api/votes/1/corrections", json=change, headers=headers)
        fresh = await (await client.get("/api/votes/1")).json()
        assert fresh["title"] == "[VOTE] changed behind the cache"

    run(backend, scenario, token=TOKEN)


def test_a_query_string_does_not_build_the_page_again() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        for n in range(5):
            assert (await client.get(f"/votes/1?x={n}")).status == 200

    run(backend, scenario)
    assert backend.reads == [1]


def test_missing_votes_and_errors_are_not_kept() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        assert [(await client.get("/votes/99")).status for _ in range(2)] == [404, 404]

    run(backend, scenario)
    assert backend.reads == [99, 99]


def test_no_cache_when_turned_off() -> None:
    backend = CountingBackend()
    off = Security(session_key=SECURITY.session_key, public_cache_seconds=0)

    async def scenario(client: Client) -> None:
        for _ in range(3):
            await client.get("/votes/1")

    run(backend, scenario, security=off)
    assert backend.reads == [1, 1, 1]


def test_a_page_is_built_again_when_its_time_is_up() -> None:
    now = [100.0]
    built: list[str] = []
    cache = PublicPages(2.0, clock=lambda: now[0])

    async def handler(request: web.Request) -> web.StreamResponse:
        built.append(request.path)
        return web.Response(text=f"build {len(built)}")

    @web.middleware
    async def cached(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await cache.serve(request, handler)

    app = web.Application(middlewares=[cached])
    app.router.add_get("/page", handler)

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            texts = []
            for step in (0.0, 1.9, 0.2, 0.5):
                now[0] += step
                texts.append(await (await client.get("/page")).text())
            assert texts == ["build 1", "build 1", "build 2", "build 2"]

    asyncio.run(main())
