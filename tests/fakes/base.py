"""A fake site: an aiohttp.web app served from a background thread on 127.0.0.1.

Every request is recorded (to assert request counts, not only results), and faults can be queued
per path so the site misbehaves on purpose: an error status, a slow answer, a body cut short.
Runs in its own thread and event loop so both plain tests (the CLI) and asyncio code can use it.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]

    def param(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, used up by the next request whose path matches.

    status: answer with this status, body and headers instead of the real page.
    delay: wait this long, then answer normally (a slow site).
    cut_body: send only the first half of the real body, yet claim its full length, then drop
        the connection (a truncated transfer).
    cut_json: send the first half of the real body as a complete response (truncated JSON).
    lose_answer: do what the request asks (a POST is made), then drop the connection without
        an answer: the client cannot tell whether it happened.
    """

    status: int | None = None
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut_body: bool = False
    cut_json: bool = False
    lose_answer: bool = False
    method: str = ""  # only a request of this method (e.g. "POST"); empty: any


def status(code: int, body: str = "", *, content_type: str = "text/plain", **headers: str) -> Fault:
    """Fault(status=…) with header names written as Python names: retry_after -> Retry-After."""
    named = {"-".join(p.capitalize() for p in k.split("_")): v for k, v in headers.items()}
    return Fault(status=code, body=body.encode(), content_type=content_type, headers=named)


class FakeSite:
    """Subclasses add routes to `self.app.router` in __init__ and keep their data as attributes."""

    def __init__(self) -> None:
        self.app = web.Application(middlewares=[self._middleware])
        self.requests: list[Recorded] = []
        self._faults: list[tuple[re.Pattern[str], Fault]] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- faults and request log -------------------------------------------------------------

    def fail_next(self, path_regex: str, *faults: Fault) -> None:
        """Queue faults for the next requests whose path (without query) matches the regex."""
        with self._lock:
            self._faults.extend((re.compile(path_regex), fault) for fault in faults)

    def count(self, path_regex: str = "") -> int:
        pattern = re.compile(path_regex)
        return sum(1 for r in self.requests if pattern.search(r.path))

    def matching(self, path_regex: str) -> list[Recorded]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if pattern.search(r.path)]

    def reset_log(self) -> None:
        self.requests.clear()

    def _take_fault(self, path: str, method: str) -> Fault | None:
        with self._lock:
            for index, (pattern, fault) in enumerate(self._faults):
                if pattern.search(path) and fault.method in ("", method):
                    del self._faults[index]
                    return fault
        return None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                tuple(request.query.items()),
                dict(request.headers),
            )
        )
        fault = self._take_fault(request.path, request.method)
        if fault is None:
            return await handler(request)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is not None:
            return web.Response(
                status=fault.status,
                body=fault.body,
                content_type=fault.content_type,
                headers=fault.headers,
            )
        response = await handler(request)
        if fault.lose_answer:
            assert request.transport is not None
            request.transport.close()
            return response
        if fault.cut_body or fault.cut_json:
            return await _cut(request, response, drop=fault.cut_body)
        return response

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeSite:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            self._runner = web.AppRunner(self.app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            server = site._server  # the only way to learn the bound port
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
            ready.set()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> FakeSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def _cut(
    request: web.Request, response: web.StreamResponse, *, drop: bool
) -> web.StreamResponse:
    assert isinstance(response, web.Response)
    assert response.body is not None
    body = bytes(response.body)  # type: ignore[arg-type]
    half = body[: len(body) // 2]
    if not drop:
        return web.Response(status=response.status, body=half, content_type=response.content_type)
    stream = web.StreamResponse(status=response.status)
    stream.content_type = response.content_type
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(half)
    assert request.transport is not None
    request.transport.close()
    return stream
