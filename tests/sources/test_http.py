"""The one HTTP client: retries, server-requested waits, timeouts, limits, against a real server."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiohttp import web

from harvester.errors import SourceError
from harvester.sources.http import (
    HttpClient,
    HttpError,
    HttpOptions,
)
from harvester.sources.http_answers import retry_after_seconds
from harvester.sources.tasks import gather_all
from tests.fakes.base import FakeSite, Fault, status
from tests.fakes.discourse import rate_limited

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
FAST = HttpOptions(per_host_rate=0, backoff_base=0.01, backoff_max=0.05, max_attempts=3)


class Site(FakeSite):
    """/data.json answers a small JSON document; /slow counts requests in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.app.router.add_get("/data.json", self._data)
        self.app.router.add_get("/old.json", self._old)
        self.app.router.add_get("/big", self._big)
        self.app.router.add_get("/slow", self._slow)

    async def _data(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "items": list(range(50))})

    async def _old(self, request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/data.json")

    async def _big(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    async def _slow(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.05)
        self.in_flight -= 1
        return web.json_response({})


@pytest.fixture(scope="module")
def site() -> Any:
    with Site() as running:
        yield running


@pytest.fixture(autouse=True)
def clean_log(site: Site) -> None:
    site.reset_log()
    site._faults.clear()


Waits = list[float]


def call(
    options: HttpOptions,
    work: Callable[[HttpClient], Awaitable[Any]],
) -> tuple[Any, Waits]:
    """Run `work` with a client whose sleeps are recorded and skipped."""
    waits: Waits = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> Any:
        async with HttpClient(options, sleep=sleep, clock=lambda: NOW) as client:
            return await work(client)

    return asyncio.run(main()), waits


def get_data(site: Site) -> Callable[[HttpClient], Awaitable[Any]]:
    return lambda client: client.get_json(site.url + "/data.json")


def test_user_agent_names_harvester_and_its_version(site: Site) -> None:
    call(FAST, get_data(site))
    (request,) = site.matching("/data.json")
    assert request.headers["User-Agent"].startswith("harvester/0.")


def test_discourse_text_429_waits_as_long_as_retry_after_says(site: Site) -> None:
    site.fail_next("/data.json", rate_limited(7))
    data, waits = call(FAST, get_data(site))
    assert data["ok"] is True
    assert waits == [7.0]
    assert site.count("/data.json") == 2


def test_retry_after_as_an_http_date(site: Site) -> None:
    when = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    site.fail_next("/data.json", status(503, retry_after=when))
    _, waits = call(FAST, get_data(site))
    assert waits == [30.0]


def test_discourse_json_rate_limit_body_without_header(site: Site) -> None:
    body = json.dumps(
        {
            "errors": ["You’ve performed this action too many times."],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": 42, "time_left": "42 seconds"},
        }
    )
    site.fail_next("/data.json", status(429, body, content_type="application/json"))
    _, waits = call(FAST, get_data(site))
    assert waits == [42.0]


def test_nginx_429_without_retry_after_backs_off_exponentially(site: Site) -> None:
    page = "<html><body><h1>429 Too Many Requests</h1></body></html>"
    site.fail_next("/data.json", *[status(429, page, content_type="text/html")] * 2)
    options = HttpOptions(per_host_rate=0, backoff_base=1.0, backoff_max=60, max_attempts=3)
    _, waits = call(options, get_data(site))
    assert len(waits) == 2
    assert 0 <= waits[0] <= 1.0  # full jitter up to base * 2^0
    assert 0 <= waits[1] <= 2.0
    assert site.count("/data.json") == 3


def test_500_then_success(site: Site) -> None:
    site.fail_next("/data.json", status(500, "boom"))
    data, _ = call(FAST, get_data(site))
    assert data["items"][-1] == 49
    assert site.count("/data.json") == 2


def test_final_failure_names_url_status_and_attempts(site: Site) -> None:
    site.fail_next("/data.json", *[status(503, "down")] * 3)
    with pytest.raises(HttpError) as info:
        call(FAST, get_data(site))
    assert str(info.value) == f"{site.url}/data.json: HTTP 503 after 3 attempts"
    assert info.value.exit_code == 1
    assert site.count("/data.json") == 3


def test_client_errors_are_not_retried(site: Site) -> None:
    with pytest.raises(HttpError, match=r"/nothing: HTTP 404$"):
        call(FAST, lambda client: client.get_json(site.url + "/nothing"))
    assert site.count("/nothing") == 1


def test_a_slow_answer_past_the_read_timeout_is_retried(site: Site) -> None:
    options = HttpOptions(per_host_rate=0, backoff_base=0, read_timeout=0.2, max_attempts=3)
    site.fail_next("/data.json", Fault(delay=1.0))
    data, _ = call(options, get_data(site))
    assert data["ok"] is True
    assert site.count("/data.json") == 2


def test_always_slow_fails_with_timed_out(site: Site) -> None:
    options = HttpOptions(per_host_rate=0, backoff_base=0, read_timeout=0.1, max_attempts=2)
    site.fail_next("/data.json", Fault(delay=0.5), Fault(delay=0.5))
    with pytest.raises(HttpError, match=r"timed out after 2 attempts"):
        call(options, get_data(site))


@pytest.mark.parametrize("fault", [Fault(cut_json=True), Fault(cut_body=True)])
def test_truncated_bodies_are_fetched_again(site: Site, fault: Fault) -> None:
    site.fail_next("/data.json", fault)
    data, _ = call(FAST, get_data(site))
    assert data["items"] == list(range(50))
    assert site.count("/data.json") == 2


def test_a_body_that_stays_truncated_is_reported(site: Site) -> None:
    site.fail_next("/data.json", *[Fault(cut_json=True)] * 3)
    with pytest.raises(HttpError, match=r"not valid JSON after 3 attempts"):
        call(FAST, get_data(site))


def test_redirects_are_followed(site: Site) -> None:
    data, _ = call(FAST, lambda client: client.get_json(site.url + "/old.json"))
    assert data["ok"] is True
    assert [r.path for r in site.requests] == ["/old.json", "/data.json"]


def test_response_size_is_capped(site: Site) -> None:
    options = HttpOptions(per_host_rate=0, max_response_bytes=1000)
    with pytest.raises(HttpError, match="exceeds"):
        call(options, lambda client: client.get(site.url + "/big"))
    assert site.count("/big") == 1


def test_a_wait_longer_than_max_wait_gives_up_at_once(site: Site) -> None:
    site.fail_next("/data.json", status(429, retry_after="3600"))
    options = HttpOptions(per_host_rate=0, max_wait=300)
    with pytest.raises(HttpError, match=r"wait 3600 s, longer than http.max_wait") as info:
        call(options, get_data(site))
    assert info.value.status == 429
    assert site.count("/data.json") == 1


def test_per_host_concurrency_is_bounded(site: Site) -> None:
    options = HttpOptions(per_host_rate=0, per_host_concurrency=2)

    async def many(client: HttpClient) -> None:
        await asyncio.gather(*(client.get_json(site.url + "/slow") for _ in range(8)))

    site.most_in_flight = 0
    call(options, many)
    assert site.most_in_flight == 2
    assert site.count("/slow") == 8


def test_per_host_rate_spaces_requests(site: Site) -> None:
    options = HttpOptions(per_host_rate=20, per_host_concurrency=4)

    async def many(client: HttpClient) -> float:
        start = time.monotonic()
        await asyncio.gather(*(client.get_json(site.url + "/data.json") for _ in range(6)))
        return time.monotonic() - start

    async def main() -> float:
        async with HttpClient(options) as client:
            elapsed = await many(client)
            assert client.requests["127.0.0.1"] == 6
            return elapsed

    assert asyncio.run(main()) >= 5 / 20 * 0.9  # 6 starts, 1/20 s apart


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x.json"
    with pytest.raises(SourceError) as info:
        call(FAST, lambda client: client.get_json(url))
    assert str(info.value).startswith(f"{url}: connection failed")
    assert str(info.value).endswith("after 3 attempts")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("Sat, 21 Nov 2026 12:01:00 GMT", 60.0),
        ("Sat, 21 Nov 2026 11:00:00 GMT", 0.0),  # a date in the past: go now
        ("soon", None),
    ],
)
def test_retry_after_values(value: str, expected: float | None) -> None:
    assert retry_after_seconds(value, NOW) == expected


def test_the_first_failure_stops_the_other_requests(site: Site) -> None:
    site.fail_next("/data.json", *[status(503, "down")] * 10)
    options = HttpOptions(per_host_rate=0, backoff_base=0.2, backoff_max=0.2, max_attempts=10)

    async def main() -> int:
        async with HttpClient(options) as client:
            with pytest.raises(HttpError, match="HTTP 404"):
                await gather_all(
                    client.get_json(site.url + "/data.json"), client.get_json(site.url + "/gone")
                )
            retried = site.count("/data.json")
            await asyncio.sleep(0.6)  # a retry left running would have asked again by now
            assert site.count("/data.json") == retried
            return retried

    assert asyncio.run(main()) <= 2
