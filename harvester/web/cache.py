"""A short-lived cache of the pages the public reads, so a flood of views costs one render.

A vote page of 2,000 ballots is about 2 MB and a quarter of a CPU-second to build; 50 readers at
once would queue behind each other and behind /healthz. Readers who are not signed in all see
the same page, so each page is built at most once per `seconds` (and once for everyone waiting
on it), and may be that much behind the database. Signed-in readers and scripts with the token
always get a fresh page: they are the ones who correct.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BYTES = 64 * 1024 * 1024  # what the kept pages may hold together; the oldest go first


@dataclass(frozen=True)
class _Page:
    body: bytes
    content_type: str
    charset: str | None
    made: float  # time.monotonic() when it was built


class PublicPages:
    """Built pages by path and query, each for `seconds`; concurrent misses share one build."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._pages: dict[str, _Page] = {}
        self._building: dict[str, asyncio.Future[_Page | None]] = {}
        self._generation = 0  # a clear() during a build must not keep what it built

    def clear(self) -> None:
        self._pages.clear()
        self._generation += 1

    async def serve(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # By path alone: the public page has no part that depends on the query (the correction
        # form's prefill is for signed-in readers), and ?x=1, ?x=2, … must not each build.
        key = request.path
        page = self._pages.get(key)
        if page is not None and self._clock() - page.made < self.seconds:
            return _response(page)
        waiting = self._building.get(key)
        if waiting is not None:
            shared = await asyncio.shield(waiting)
            return _response(shared) if shared is not None else await handler(request)
        return await self._build(key, request, handler)

    async def _build(self, key: str, request: web.Request, handler: Handler) -> web.StreamResponse:
        future: asyncio.Future[_Page | None] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        generation = self._generation
        page: _Page | None = None
        try:
            response = await handler(request)
            page = self._keepable(response)
            if page is not None and generation == self._generation:
                self._keep(key, page)
            return response
        finally:
            del self._building[key]
            future.set_result(page)

    def _keepable(self, response: web.StreamResponse) -> _Page | None:
        """Only a whole 200 answer that sets nothing for this reader."""
        if not isinstance(response, web.Response) or response.status != 200:
            return None
        if "Set-Cookie" in response.headers or not isinstance(response.body, bytes):
            return None
        return _Page(response.body, response.content_type, response.charset, self._clock())

    def _keep(self, key: str, page: _Page) -> None:
        self._pages.pop(key, None)
        self._pages[key] = page
        while sum(len(p.body) for p in self._pages.values()) > MAX_BYTES and len(self._pages) > 1:
            del self._pages[next(iter(self._pages))]


def _response(page: _Page) -> web.Response:
    return web.Response(body=page.body, content_type=page.content_type, charset=page.charset)
