"""The JSON API, /healthz and /metrics through a real server."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Gauge

from harvester.web.backend import Correction, Dismissal, IdentityJudgement
from tests.web.harness import TOKEN, Client, run, sign_in
from tests.web.memory_backend import SUMMARY_KEYS, MemoryBackend

YUCHEN = "https://discuss.tvm.apache.org/t/16123/7"
API_HEADERS = {"Authorization": f"Bearer {TOKEN}", "X-Harvester-Actor": "release-bot"}


def test_api_lists_vote_summaries_newest_first() -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/api/votes")
        assert response.status == 200
        assert response.content_type == "application/json"
        body = await response.json()
        assert list(body) == ["votes"]
        assert [vote["id"] for vote in body["votes"]] == [2, 1]
        first = body["votes"][1]
        assert set(first) == set(SUMMARY_KEYS)
        assert first["counts"]["binding"] == {"+1": 2, "0": 0, "-1": 1}
        assert first["title"].startswith("[VOTE] Clarify <b>")  # JSON is data, not markup

    run(MemoryBackend(), scenario)


def test_api_shows_one_vote_or_says_why_not() -> None:
    async def scenario(client: Client) -> None:
        detail = await (await client.get("/api/votes/1")).json()
        assert detail["report"]["ballots"][0]["voter"] == "Tianqi Chen"
        assert detail["draft"]["subject"].startswith("[RESULT]")
        assert detail["corrections"][0]["member_id"] == "yuchenj"
        missing = await client.get("/api/votes/9")
        assert missing.status == 404
        assert await missing.json() == {"error": "no such vote: 9"}
        bad = await client.get("/api/votes/nine")
        assert bad.status == 400
        assert "error" in await bad.json()

    run(MemoryBackend(), scenario)


async def post_json(
    client: Client, path: str, body: Any, headers: dict[str, str] = API_HEADERS
) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=headers)
    return response.status, await response.json()


def test_api_correction_with_bearer_token_and_actor() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        body = {"url": YUCHEN, "binding": True, "member_id": "tqchen", "reason": "same person"}
        assert await post_json(client, "/api/votes/1/corrections", body) == (200, {"ok": True})
        clear = {"url": YUCHEN, "clear": True, "reason": "undo"}
        assert await post_json(client, "/api/votes/1/corrections", clear) == (200, {"ok": True})

    run(backend, scenario, token=TOKEN)
    assert backend.corrections == [
        (1, Correction(url=YUCHEN, reason="same person", binding=True, member_id="tqchen"),
         "release-bot"),
        (1, Correction(url=YUCHEN, reason="undo", clear=True), "release-bot"),
    ]  # fmt: skip


def test_api_dismissal() -> None:
    backend = MemoryBackend()
    reason = "claims (binding) but is not on the roster"
    url = "https://lists.apache.org/thread/claim9"

    async def scenario(client: Client) -> None:
        body = {"url": url, "review": reason, "note": "new PMC member, roster is stale"}
        assert await post_json(client, "/api/votes/1/dismissals", body) == (200, {"ok": True})

    run(backend, scenario, token=TOKEN)
    assert backend.dismissals == [
        (1, Dismissal(url, reason, "new PMC member, roster is stale"), "release-bot")
    ]


def test_api_writes_need_the_token_and_a_named_actor() -> None:
    backend = MemoryBackend()
    body = {"url": YUCHEN, "value": "+1", "reason": "r"}
    path = "/api/votes/1/corrections"

    async def scenario(client: Client) -> None:
        no_actor = {"Authorization": f"Bearer {TOKEN}"}
        status, error = await post_json(client, path, body, no_actor)
        assert status == 400
        assert "X-Harvester-Actor" in error["error"]
        blank = {**no_actor, "X-Harvester-Actor": "   "}
        assert (await post_json(client, path, body, blank))[0] == 400
        wrong = {**API_HEADERS, "Authorization": "Bearer nope"}
        response = await client.post(path, json=body, headers=wrong)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        # A browser session is no API credential: cookies would let other sites write.
        await sign_in(client)
        assert (await post_json(client, path, body, {"X-Harvester-Actor": "x"}))[0] == 401

    run(backend, scenario, token=TOKEN)
    assert backend.corrections == []


def test_api_bad_bodies_and_backend_errors_are_one_line_json() -> None:
    backend = MemoryBackend()
    path = "/api/votes/1/corrections"

    async def scenario(client: Client) -> None:
        response = await client.post(path, data="{not json", headers=API_HEADERS)
        assert response.status == 400
        assert await response.json() == {"error": "the body is not valid JSON"}
        cases = [
            ([1, 2], "the body must be a JSON object"),
            ({"url": YUCHEN, "binding": "yes", "reason": "r"}, "binding must be true"),
            ({"url": YUCHEN, "value": 1, "reason": "r"}, "value must be one of"),
            ({"url": YUCHEN, "value": "+1"}, "reason is required"),
            ({"url": YUCHEN, "value": "+1", "reason": "r", "clear": "1"}, "clear must be"),
            ({"url": "https://x.example/", "value": "+1", "reason": "r"}, "no ballot or message"),
        ]
        for body, message in cases:
            status, answer = await post_json(client, path, body)
            assert status == 400, body
            assert message in answer["error"]
            assert "\n" not in answer["error"]
        status, answer = await post_json(client, "/api/votes/5/corrections", cases[-1][0])
        assert (status, answer) == (404, {"error": "vote 5: no such vote"})

    run(backend, scenario, token=TOKEN)
    assert backend.corrections == []


def test_api_writes_without_a_token_are_403() -> None:
    async def scenario(client: Client) -> None:
        status, answer = await post_json(client, "/api/votes/1/dismissals", {})
        assert status == 403
        assert answer == {"error": "writes are disabled: set HARVESTER_WEB__TOKEN"}

    run(MemoryBackend(), scenario)


@pytest.mark.parametrize(
    ("checks", "code", "status"),
    [
        ({"database": "ok", "scheduler": "ok"}, 200, "ok"),
        ({"database": "ok", "scheduler": "absent"}, 200, "ok"),
        ({"database": "connection refused", "scheduler": "ok"}, 503, "error"),
        ({"database": "ok", "scheduler": "stopped"}, 503, "error"),
        ({"scheduler": "ok"}, 503, "error"),
    ],
)
def test_healthz_is_200_only_when_database_and_scheduler_are_fine(
    checks: dict[str, str], code: int, status: str
) -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/healthz")
        assert response.status == code
        assert await response.json() == {**checks, "status": status}

    run(MemoryBackend(checks=checks), scenario)


def test_healthz_is_503_when_the_check_itself_fails() -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "error", "error": "database is locked"}

    run(MemoryBackend(health_error=RuntimeError("database is locked")), scenario)


def test_metrics_refresh_the_open_votes_gauge_first() -> None:
    backend = MemoryBackend()  # vote 1 is open, vote 2 failed

    async def scenario(client: Client) -> None:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
        assert "harvester_open_votes 1.0" in text.splitlines()
        assert "# TYPE harvester_harvests_total counter" in text

    run(backend, scenario)


def test_metrics_come_from_the_registry_given() -> None:
    registry = CollectorRegistry()
    gauge = Gauge("harvester_open_votes", "Votes still open", registry=registry)
    backend = MemoryBackend(gauge=gauge)
    backend.details[1]["status"] = "passed"

    async def scenario(client: Client) -> None:
        text = await (await client.get("/metrics")).text()
        assert "harvester_open_votes 0.0" in text.splitlines()
        assert "harvester_harvests" not in text

    run(backend, scenario, registry=registry)


def test_metrics_are_still_served_when_the_gauges_cannot_be_refreshed() -> None:
    # Counters stay worth scraping while the database is down; /healthz reports the outage.
    registry = CollectorRegistry()
    gauge = Gauge("harvester_open_votes", "Votes still open", registry=registry)
    gauge.set(5)
    backend = MemoryBackend(gauge=gauge, gauge_error=RuntimeError("database is locked"))

    async def scenario(client: Client) -> None:
        response = await client.get("/metrics")
        assert response.status == 200
        assert "harvester_open_votes 5.0" in (await response.text()).splitlines()

    run(backend, scenario, registry=registry)


def test_api_identity_judgement() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        body = {"url": YUCHEN, "note": "not him", "verdict": "reject", "member": "yuchenj"}
        assert await post_json(client, "/api/votes/1/identities", body) == (200, {"ok": True})
        status, _ = await post_json(client, "/api/votes/1/identities", {**body, "verdict": 1})
        assert status == 400

    run(backend, scenario, token=TOKEN)
    assert backend.identities == [
        (1, IdentityJudgement(YUCHEN, "not him", confirmed=False, member_id="yuchenj"),
         "release-bot")
    ]  # fmt: skip
