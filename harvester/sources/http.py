"""The one HTTP client every network source uses: polite, patient, and bounded.

Timeouts on connect, read and the whole request; a User-Agent naming harvester; per-host
concurrency and request rate; retries with exponential backoff and jitter on connection errors,
timeouts, 5xx, 429 and rate-limit 403s, waiting as long as the server asks (Retry-After in seconds
or as a date, Discourse's JSON wait_seconds, GitHub's X-RateLimit-Reset); redirects followed; the
body size capped. A final failure is one SourceError naming the URL, the status and the attempts.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType

import aiohttp
from multidict import CIMultiDictProxy
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)
from yarl import URL

from harvester import __version__, metrics
from harvester.errors import SourceError
from harvester.sources.http_answers import describe, is_retryable_status, server_wait

USER_AGENT = f"harvester/{__version__} (Apache vote counter; +https://tvm.apache.org)"
Params = Mapping[str, str] | Sequence[tuple[str, str]]
Sleep = Callable[[float], Awaitable[None]]
NOT_MODIFIED = 304


@dataclass(frozen=True)
class HttpOptions:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_attempts: int = 5
    backoff_base: float = 1.0  # seconds; doubled per attempt, with full jitter
    backoff_max: float = 60.0
    max_wait: float = 300.0  # the longest wait a server may ask for before we give up instead
    per_host_concurrency: int = 4
    per_host_rate: float = 4.0  # requests per second per host; 0 means no limit
    max_response_bytes: int = 64 * 1024 * 1024
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes
    links: Mapping[str, str] = field(default_factory=dict)  # Link header: rel -> absolute URL

    def json(self) -> object:
        """The body as JSON; ValueError when it is not JSON (or is nested too deeply to be)."""
        try:
            return json.loads(self.body)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class HttpError(SourceError):
    """A final HTTP failure; sources look at status and body to explain it in their own terms."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, body: bytes = b""):
        super().__init__(url, problem)
        self.status = status
        self.body = body

    def json_body(self) -> object:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None


class _Retryable(Exception):
    """One failed attempt worth repeating; `wait` is what the server asked for, if it did."""

    def __init__(self, problem: str, *, status: int | None = None, wait: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.wait = wait


class _HostGate:
    """At most `concurrency` requests in flight to one host, started at most `rate` per second."""

    def __init__(self, concurrency: int, rate: float, sleep: Sleep) -> None:
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next_start = 0.0
        self._sleep = sleep

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        now = time.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + self._interval
        if start > now:
            await self._sleep(start - now)

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()


class HttpClient:
    """Use as `async with HttpClient(options) as client:`; counts requests per host."""

    def __init__(
        self,
        options: HttpOptions | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.options = options or HttpOptions()
        self._sleep = sleep
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._gates: dict[str, _HostGate] = {}
        self._counted: dict[str, Callable[[], None]] = {}  # host -> its request counter's inc
        self.requests: Counter[str] = Counter()  # attempts made, per host
        self.waited = 0.0  # seconds spent in backoff and server-requested waits

    async def __aenter__(self) -> HttpClient:
        opts = self.options
        timeout = aiohttp.ClientTimeout(
            total=opts.total_timeout, sock_connect=opts.connect_timeout, sock_read=opts.read_timeout
        )
        connector = aiohttp.TCPConnector(limit_per_host=max(1, opts.per_host_concurrency))
        self._session = aiohttp.ClientSession(
            timeout=timeout,
            connector=connector,
            headers={"User-Agent": opts.user_agent},
            raise_for_status=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_json(
        self, url: str, *, params: Params | None = None, headers: Mapping[str, str] | None = None
    ) -> object:
        """The parsed JSON body; a body that is not JSON (cut short, an HTML error page) is
        retried like a failed transfer, then reported."""
        fetched = await self.get(url, params=params, headers=headers, expect_json=True)
        if fetched.status == NOT_MODIFIED:
            raise HttpError(fetched.url, "HTTP 304 Not Modified has no body: use get()", status=304)
        return fetched.json()

    async def get(
        self,
        url: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        expect_json: bool = False,
    ) -> Fetched:
        """One GET, retried as the options say; raises HttpError after the last attempt.

        A 304 Not Modified (the answer to If-None-Match) comes back as it is, never retried.
        The first attempt runs without the retry machinery (setting it up cost about as much
        as the request itself on loopback); only a failed one goes on under tenacity."""
        target = URL(url)
        if params is not None:
            target = target.update_query(params)
        sent = headers or {}
        try:
            return await self._attempt(target, sent, expect_json)
        except _Retryable as failure:
            first = failure
        attempts = 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self.options.max_attempts)),
            retry=retry_if_exception_type(_Retryable),
            wait=self._wait_for,
            sleep=self._sleep_counted,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number == 1:
                        raise first  # made above: tenacity waits and counts from it
                    attempts += 1
                    return await self._attempt(target, sent, expect_json)
        except _Retryable as failure:
            times = "attempt" if attempts == 1 else "attempts"
            raise HttpError(
                str(target), f"{failure.problem} after {attempts} {times}", status=failure.status
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def post_json(
        self, url: str, payload: Mapping[str, object], headers: Mapping[str, str]
    ) -> Fetched:
        """One POST of a JSON body, answered with JSON. Never retried here: a post whose answer
        was lost may have been made, so the caller looks for it before trying again."""
        try:
            return await self._attempt(URL(url), headers, True, payload)
        except _Retryable as failure:
            problem = f"{failure.problem} (not retried)"
            raise HttpError(url, problem, status=failure.status) from None

    def _wait_for(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        asked = failure.wait if isinstance(failure, _Retryable) else None
        if asked is not None:
            return asked
        backoff = wait_random_exponential(
            multiplier=self.options.backoff_base, max=self.options.backoff_max
        )
        return float(backoff(state))

    async def _sleep_counted(self, seconds: float) -> None:
        self.waited += seconds
        await self._sleep(seconds)

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            opts = self.options
            gate = _HostGate(opts.per_host_concurrency, opts.per_host_rate, self._sleep)
            self._gates[host] = gate
        return gate

    def _count(self, host: str) -> None:
        """The Prometheus counter of this host; its labelled child is looked up once."""
        count = self._counted.get(host)
        if count is None:
            count = self._counted[host] = metrics.REQUESTS.labels(host=host).inc
        count()

    async def _attempt(
        self,
        url: URL,
        headers: Mapping[str, str],
        expect_json: bool,
        payload: Mapping[str, object] | None = None,
    ) -> Fetched:
        """One GET, or with `payload` one POST of it as JSON."""
        if self._session is None:
            raise RuntimeError("HttpClient used outside `async with`")
        host = url.host or ""
        method = "GET" if payload is None else "POST"
        async with self._gate(host):
            self.requests[host] += 1
            self._count(host)
            try:
                async with self._session.request(
                    method, url, headers=headers, json=payload
                ) as response:
                    body = await self._read_capped(response, str(url))
                    fetched = Fetched(
                        str(response.url),
                        response.status,
                        _plain(response.headers),
                        body,
                        _links(response),
                    )
            except (TimeoutError, aiohttp.ServerTimeoutError):
                raise _Retryable("timed out") from None
            except aiohttp.TooManyRedirects:
                raise HttpError(str(url), "too many redirects") from None
            except aiohttp.InvalidURL as exc:
                raise HttpError(str(url), f"not a valid URL ({exc})") from None
            except aiohttp.ClientPayloadError:
                raise _Retryable("the response was cut short") from None
            except aiohttp.ClientError as exc:
                raise _Retryable(f"connection failed ({type(exc).__name__})") from None
        return self._check(fetched, expect_json)

    def _check(self, fetched: Fetched, expect_json: bool) -> Fetched:
        status, headers, body = fetched.status, fetched.headers, fetched.body
        if is_retryable_status(status, headers, body):
            wait = server_wait(headers, body, self._clock())
            if wait is not None and wait > self.options.max_wait:
                raise HttpError(
                    fetched.url,
                    f"{describe(status, body)}: the server asks to wait {wait:.0f} s, longer "
                    f"than http.max_wait ({self.options.max_wait:.0f} s); try again later",
                    status=status,
                    body=body,
                )
            raise _Retryable(describe(status, body), status=status, wait=wait)
        if status >= 400:
            raise HttpError(fetched.url, describe(status, body), status=status, body=body)
        if status == NOT_MODIFIED:  # a conditional GET's answer has no body by definition
            return fetched
        if expect_json:
            try:
                fetched.json()
            except ValueError:
                raise _Retryable("the response is not valid JSON", status=status) from None
        return fetched

    async def _read_capped(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        cap = self.options.max_response_bytes
        if response.content_length is not None and response.content_length > cap:
            raise HttpError(url, f"response of {response.content_length} bytes exceeds {cap}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > cap:
                raise HttpError(url, f"response exceeds the {cap}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)


def _plain(headers: CIMultiDictProxy[str]) -> Mapping[str, str]:
    """Case-insensitive header access that outlives the response."""
    return headers.copy()


def _links(response: aiohttp.ClientResponse) -> dict[str, str]:
    """RFC 8288 Link header (GitHub pagination), resolved against the response URL."""
    return {str(rel): str(link.get("url", "")) for rel, link in response.links.items()}
