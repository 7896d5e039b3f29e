"""The dashboard over the real database (SQLite and PostgreSQL): the JSON API mirrors the CLI's
report, a correction through the API is stored, audited and counted, /healthz tells a dead
database or a stopped scheduler, /metrics counts."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from harvester.app import record
from harvester.app.cli import main
from harvester.app.webapp import DatabaseBackend, Heartbeat, person_open_votes, web_server
from harvester.config import Settings
from harvester.store import people, votes
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import votes as votes_table
from harvester.web import create_app

ROOT = Path(__file__).parent.parent.parent
KEVIN = "mid:CAKb7rN4pT1xWq8mZs2eLv5dYh3cFj9aGo6uIk0Rn_KB1z@mail.gmail.com"
TOKEN = "a-long-random-token"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
Client = TestClient[web.Request, web.Application]


def stored_example(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    upgrade(url)
    vote, roster = ROOT / "examples" / "strategy-vote.mbox", ROOT / "examples" / "roster.toml"
    argv = ["--thread", str(vote), "--roster", str(roster), "--db", url, "--format", "json"]
    assert main(argv) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def serve(
    url: str, scenario: Callable[[Client], Awaitable[None]], heartbeat: Heartbeat | None = None
) -> None:
    async def run() -> None:
        engine = engine_for(url)
        backend = DatabaseBackend(engine, Settings(), lambda: NOW, heartbeat)
        try:
            async with TestClient(TestServer(create_app(backend, token=TOKEN))) as client:
                await scenario(client)
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_the_api_mirrors_the_report_and_a_correction_is_counted_and_audited(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = stored_example(database_url, capsys)
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        listed = await (await client.get("/api/votes")).json()
        seen["list"] = listed["votes"]
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        seen["before"] = await (await client.get("/api/votes/1", headers=bearer)).json()
        seen["public"] = await (await client.get("/api/votes/1")).json()
        change = {"url": KEVIN, "value": "-1", "binding": True, "reason": "on the PMC now"}
        headers = {**bearer, "X-Harvester-Actor": "chair"}
        answer = await client.post("/api/votes/1/corrections", json=change, headers=headers)
        assert answer.status == 200, await answer.text()
        wrong = await client.post(
            "/api/votes/1/corrections",
            json=change,
            headers={**headers, "Authorization": "Bearer guessed"},
        )
        seen["wrong"] = wrong.status
        seen["after"] = await (await client.get("/api/votes/1")).json()
        seen["missing"] = (await client.get("/api/votes/99")).status
        seen["page"] = await (await client.get("/votes/1")).text()

    serve(database_url, scenario)
    (summary,) = seen["list"]
    assert (summary["id"], summary["status"], summary["counts"]) == (1, "passed", report["counts"])
    before, after = seen["before"]["report"], seen["after"]["report"]
    assert {k: before[k] for k in report} == report  # the same keys and values as the CLI
    # Without the token the same report, with members' private addresses hidden.
    public = json.dumps(seen["public"])
    assert "sofia.valdes@yahoo.com" in json.dumps(before)
    assert "yahoo.com" not in public.replace("@mail.yahoo.com", "")  # Message-IDs stay
    assert "gmail.com" not in public.replace("@mail.gmail.com", "")
    assert "hmorgan@apache.org" in public
    assert seen["public"]["report"]["counts"] == before["counts"]
    assert seen["before"]["draft"]["subject"].startswith("[RESULT][VOTE] Clarify")
    assert after["counts"]["binding"]["-1"] == before["counts"]["binding"]["-1"] + 1
    assert seen["wrong"] == 401
    assert [c["by"] for c in seen["after"]["corrections"]] == ["chair"]
    assert [(a["actor"], a["action"]) for a in seen["after"]["audit"]] == [("chair", "override")]
    assert "Corrected by hand:" in seen["after"]["draft"]["body"]
    assert seen["missing"] == 404
    assert "on the PMC now" in seen["page"]


def test_health_names_a_dead_database_and_a_stopped_scheduler(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored_example(database_url, capsys)
    heartbeat = Heartbeat(every=30.0)
    answers: list[tuple[int, dict[str, Any]]] = []

    async def scenario(client: Client) -> None:
        for running in (True, False):
            heartbeat.running = running
            response = await client.get("/healthz")
            answers.append((response.status, await response.json()))

    serve(database_url, scenario, heartbeat)
    assert answers[0] == (200, {"database": "ok", "scheduler": "ok", "status": "ok"})
    assert answers[1][0] == 503
    assert answers[1][1]["scheduler"] == "stopped"

    dead: list[tuple[int, dict[str, Any]]] = []

    async def nothing_listens(client: Client) -> None:
        response = await client.get("/healthz")
        dead.append((response.status, await response.json()))

    serve("postgresql://postgres@127.0.0.1:9/test", nothing_listens)
    ((status, body),) = dead
    assert status == 503
    assert body["database"] != "ok"
    assert body["scheduler"] == "absent"


def test_metrics_show_open_votes_from_the_database(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored_example(database_url, capsys)
    texts: list[str] = []

    async def scenario(client: Client) -> None:
        texts.append(await (await client.get("/metrics")).text())
        engine = engine_for(database_url)
        try:
            async with engine.begin() as connection:
                await votes.ensure_vote(connection, "another", "[VOTE] Another", NOW)
        finally:
            await engine.dispose()
        texts.append(await (await client.get("/metrics")).text())

    serve(database_url, scenario)
    assert [_sample(t, "harvester_open_votes") for t in texts] == [0.0, 1.0]
    for name in ("harvests", "harvest_failures", "mails_sent", "http_requests"):
        assert f"# TYPE harvester_{name}_total counter" in texts[0]


def _sample(text: str, name: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} not in /metrics")


def test_a_scheduler_whose_ticks_stopped_finishing_is_unhealthy() -> None:
    heartbeat = Heartbeat(every=30.0, running=True)
    assert heartbeat.state() == "ok"  # the first tick is still running
    heartbeat.beat()
    assert heartbeat.state() == "ok"
    heartbeat.last = time.monotonic() - 3 * 30 - 301
    assert heartbeat.state().startswith("no tick finished for 39")


def test_an_identity_confirmed_through_the_api_is_stored_and_counted(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored_example(database_url, capsys)
    zoe = "mid:f3b8a2c1-9d4e-4a7b-8c6f-1e2d3a4b5c6d@app.fastmail.com"
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Harvester-Actor": "chair"}
        body = {"url": zoe, "note": "her own address", "verdict": "confirm"}
        answer = await client.post("/api/votes/1/identities", json=body, headers=headers)
        assert answer.status == 200, await answer.text()
        seen["after"] = await (await client.get("/api/votes/1")).json()

    serve(database_url, scenario)
    after = seen["after"]
    ballot = next(b for b in after["report"]["ballots"] if b["url"] == zoe)
    assert (ballot["match"], ballot["flags"]) == ("confirmed", [])
    assert ("chair", "confirm-identity") in [(a["actor"], a["action"]) for a in after["audit"]]


def test_a_vote_page_is_served_from_the_stored_count_and_a_correction_stores_a_new_one(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = stored_example(database_url, capsys)
    counted: list[int] = []
    real = record.tally_vote

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(record, "tally_vote", counting)
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        for _ in range(5):
            seen["before"] = await (await client.get("/api/votes/1")).json()
            assert (await client.get("/votes/1")).status == 200
        seen["views"] = len(counted)
        change = {"url": KEVIN, "value": "-1", "binding": True, "reason": "on the PMC now"}
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Harvester-Actor": "chair"}
        answer = await client.post("/api/votes/1/corrections", json=change, headers=headers)
        assert answer.status == 200, await answer.text()
        seen["write"] = len(counted)
        seen["after"] = await (await client.get("/api/votes/1")).json()
        seen["views_after"] = len(counted)

    serve(database_url, scenario)
    assert seen["views"] == 0  # ten views, no count
    assert seen["before"]["report"]["counts"] == report["counts"]
    assert seen["before"]["draft"]["subject"].startswith("[RESULT]")
    assert seen["write"] == 1  # the correction counted once, in a thread, and stored it
    assert seen["views_after"] == 1
    after = seen["after"]
    assert after["report"]["counts"]["binding"]["-1"] == report["counts"]["binding"]["-1"] + 1
    assert after["draft"] != seen["before"]["draft"]


def test_the_server_closes_a_connection_that_never_finishes_its_headers(tmp_path: Path) -> None:
    settings = Settings.model_validate({"web": {"port": 0, "request_timeout": 0.5}})

    async def scenario() -> float:
        engine = engine_for(f"sqlite:///{tmp_path / 'unused.db'}")
        backend = DatabaseBackend(engine, settings, lambda: NOW)
        try:
            async with web_server(backend, settings) as url:
                host, port = url.removeprefix("http://").split(":")
                reader, writer = await asyncio.open_connection(host, int(port))
                started = time.monotonic()
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                try:
                    for _ in range(40):  # one header byte every 0.1 s: slowloris
                        await asyncio.sleep(0.1)
                        writer.write(b"X")
                        await writer.drain()
                        if reader.at_eof():
                            break
                except ConnectionError:
                    pass
                writer.close()
                return time.monotonic() - started
        finally:
            await engine.dispose()

    took = asyncio.run(scenario())
    assert took < 2.0  # cut near the 0.5 s limit, not after the 4 s the client wanted


def test_a_person_and_who_has_not_voted_come_from_the_stored_counts(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored_example(database_url, capsys)
    seen: dict[str, Any] = {}
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    async def scenario(client: Client) -> None:
        seen["vote"] = await (await client.get("/api/votes/1")).json()
        for member in ("mfischer", "svaldes"):
            answer = await client.get(f"/api/people/{member}", headers=bearer)
            seen[member] = await answer.json()
        seen["public svaldes"] = await (await client.get("/api/people/svaldes")).text()
        seen["missing"] = (await client.get("/api/people/kbrandt")).status
        seen["page"] = await (await client.get("/people/mfischer")).text()
        engine = engine_for(database_url)
        try:
            async with engine.begin() as connection:  # the vote opens again: a new round
                await connection.execute(update(votes_table).values(status="open"))
        finally:
            await engine.dispose()
        for member in ("oadeyemi", "hmorgan"):
            answer = await client.get(f"/api/people/{member}", headers=bearer)
            seen[f"open {member}"] = (await answer.json())["open_votes"]

    serve(database_url, scenario)
    assert seen["vote"]["not_voted"] == [{"id": "oadeyemi", "name": "Olusegun Adeyemi"}]
    markus = seen["mfischer"]
    assert (markus["id"], markus["member"]["name"], markus["open_votes"]) == (
        "mfischer", "Markus Fischer", [],
    )  # fmt: skip
    title = "[VOTE] Clarify Community Strategy Decision Process"
    assert [(b["vote"], b["value"], b["effective"], b["changed"]) for b in markus["ballots"]] == [
        ({"id": 1, "title": title, "status": "passed"}, "+1", True, True),
        ({"id": 1, "title": title, "status": "passed"}, "-1", False, False),
    ]
    assert markus["ballots"][0]["cast_at"] == "2026-01-07T08:14:02Z"
    assert markus["ballots"][0]["raw"] == "+1 (binding)"
    assert markus["ballots"][0]["url"].startswith("mid:CAM5fKs4")
    assert "sofia.valdes@yahoo.com" in seen["svaldes"]["member"]["emails"]
    assert "sofia.valdes@yahoo.com" not in seen["public svaldes"]
    assert seen["missing"] == 404  # Kevin voted, but is on no roster: no member id
    assert "Markus Fischer" in seen["page"]
    (olusegun,) = seen["open oadeyemi"]
    assert (olusegun["id"], olusegun["closes_at"]) == (1, "2026-01-12T17:00:00Z")
    assert (olusegun["ballot"]["late"], olusegun["ballot"]["counted"]) == (True, False)
    (hannah,) = seen["open hmorgan"]
    assert (hannah["ballot"]["value"], hannah["ballot"]["counted"]) == ("+1", True)


def person_ballot(vote_id: int, hours: int, **rest: Any) -> people.PersonBallot:
    fields: dict[str, Any] = {
        "vote_id": vote_id,
        "vote_title": f"[VOTE] {vote_id}",
        "vote_status": "open",
        "vote_closes_at": NOW + timedelta(days=vote_id),
        "voter": "Ada",
        "value": "+1",
        "binding": True,
        "effective": True,
        "counted": True,
        "raw": "+1",
        "url": f"https://lists.apache.org/thread/{vote_id}-{hours}",
        "cast_at": NOW - timedelta(hours=hours),
        "details": {},
    }
    fields.update(rest)
    return people.PersonBallot(**fields)


def test_a_persons_open_votes_merge_what_waits_and_what_holds_a_ballot() -> None:
    waiting = [
        people.WaitingVote(3, "[VOTE] 3", "lazy-2/3", NOW + timedelta(days=3)),
        people.WaitingVote(2, "[VOTE] 2", "lazy-2/3", None),
    ]
    ballots = [
        person_ballot(2, 1, counted=False, details={"flags": ["mixed"]}),  # not counted: waits
        person_ballot(1, 2, counted=False, details={"late": True}),
        person_ballot(1, 3),  # the counted one of vote 1 is shown, not its late one
        person_ballot(1, 9, effective=False, value="-1"),  # replaced: not the vote's ballot
        person_ballot(4, 1, vote_status="passed"),  # closed: not an open vote
    ]
    entries = person_open_votes(people.PersonRecord(ballots, waiting))
    assert [(e["id"], e["closes_at"]) for e in entries] == [
        (1, "2026-11-22T12:00:00Z"),
        (3, "2026-11-24T12:00:00Z"),
        (2, None),  # no deadline: last
    ]
    vote_one, vote_three, vote_two = entries
    assert (vote_one["ballot"]["value"], vote_one["ballot"]["counted"]) == ("+1", True)
    assert vote_three["ballot"] is None
    assert vote_two["ballot"]["flags"] == ["mixed"]
