"""The dashboard's guards: wrong tokens throttled per client, private addresses only for signed-in
readers, invisible controls spelled out, slow clients cut off."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from harvester.web import Security
from harvester.web.privacy import HIDDEN, hide_addresses, public_view
from tests.web.harness import TOKEN, Client, get_page, run, sign_in
from tests.web.memory_backend import MemoryBackend, ballot

PRIVATE = "sofia.valdes@yahoo.com"


def test_hide_addresses_keeps_apache_ids_message_ids_and_links() -> None:
    assert hide_addresses("Sofía <sofia.valdes@yahoo.com>") == f"Sofía <{HIDDEN}>"
    assert hide_addresses("tqchen@apache.org") == "tqchen@apache.org"
    assert hide_addresses("dev@tvm.apache.org") == "dev@tvm.apache.org"  # a list, not a person
    assert hide_addresses("evil@apache.org.example.com") == HIDDEN
    assert hide_addresses("mid:CAB0k4y=BO2y@mail.gmail.com") == "mid:CAB0k4y=BO2y@mail.gmail.com"
    text = "identity: zoe@lindqvist.se; message: mid:f3b8@app.fastmail.com"
    assert hide_addresses(text) == f"identity: {HIDDEN}; message: mid:f3b8@app.fastmail.com"
    assert hide_addresses("https://x.example/~a@b.example") == "https://x.example/~a@b.example"
    nested = {"a": [{"emails": [PRIVATE, "x@apache.org"]}], "n": 3, "b": None}
    assert public_view(nested) == {"a": [{"emails": [HIDDEN, "x@apache.org"]}], "n": 3, "b": None}


def backend_with_private_addresses() -> MemoryBackend:
    backend = MemoryBackend()
    detail = copy.deepcopy(backend.details[1])
    detail["report"]["ballots"].append(
        ballot("Sofía Valdés", "+1", "mid:1839@mail.yahoo.com", usernames=[PRIVATE])
    )
    detail["audit"].append(
        {"at": "2026-11-01T10:00:00Z", "actor": "chair", "action": "confirm",
         "detail": f"identity: {PRIVATE}"}
    )  # fmt: skip
    backend.details[1] = detail
    assert backend.stored_roster is not None
    backend.stored_roster["members"][0]["emails"].append("tianqi.chen@gmail.com")
    return backend


PUBLIC_PATHS = ("/votes/1", "/roster", "/api/votes/1", "/people/tqchen", "/api/people/tqchen")


def test_private_addresses_are_shown_only_to_signed_in_readers() -> None:
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        for path in PUBLIC_PATHS:
            seen[("public", path)] = await (await client.get(path)).text()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        seen[("bearer", "/api/votes/1")] = await (
            await client.get("/api/votes/1", headers=bearer)
        ).text()
        await sign_in(client)
        for path in ("/votes/1", "/roster", "/people/tqchen"):
            seen[("signed in", path)] = await (await client.get(path)).text()

    run(backend_with_private_addresses(), scenario, token=TOKEN)
    for path in PUBLIC_PATHS:
        assert PRIVATE not in seen[("public", path)], path
        assert "gmail.com" not in seen[("public", path)], path
        assert "tqchen@apache.org" in seen[("public", path)], path
    assert "Sofía Valdés" in seen[("public", "/votes/1")]  # the name stays
    assert PRIVATE in seen[("bearer", "/api/votes/1")]
    assert PRIVATE in seen[("signed in", "/votes/1")]
    assert "tianqi.chen@gmail.com" in seen[("signed in", "/roster")]
    assert "tianqi.chen@gmail.com" in seen[("signed in", "/people/tqchen")]


def test_wrong_tokens_are_throttled_per_client_and_the_right_one_waits_too() -> None:
    security = Security(session_key="k", login_attempts=3, login_window_minutes=10)
    statuses: list[int] = []
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        wrong = {"name": "Eve", "token": "guess", "next": "/"}
        for _ in range(4):
            statuses.append((await client.post("/login", data=wrong)).status)
        right = {"name": "Jane", "token": TOKEN, "next": "/"}
        refused = await client.post("/login", data=right, allow_redirects=False)
        seen["right"] = refused.status, refused.headers.get("Retry-After", "")
        seen["page"] = await refused.text()
        api = await client.post(
            "/api/votes/1/corrections",
            json={},
            headers={"Authorization": f"Bearer {TOKEN}", "X-Harvester-Actor": "script"},
        )
        seen["api"] = api.status

    run(MemoryBackend(), scenario, token=TOKEN, security=security)
    assert statuses == [401, 401, 401, 429]
    status, retry_after = seen["right"]
    assert status == 429
    assert 0 < int(retry_after) <= 600
    assert "too many wrong tokens" in seen["page"]
    assert seen["api"] == 429  # the same client guessing through the API is held back too


def test_wrong_bearer_tokens_count_against_the_client() -> None:
    security = Security(session_key="k", login_attempts=2, login_window_minutes=1)
    statuses: list[int] = []

    async def scenario(client: Client) -> None:
        headers = {"Authorization": "Bearer guessed", "X-Harvester-Actor": "script"}
        for _ in range(3):
            answer = await client.post("/api/votes/1/corrections", json={}, headers=headers)
            statuses.append(answer.status)

    run(MemoryBackend(), scenario, token=TOKEN, security=security)
    assert statuses == [401, 401, 429]


def test_invisible_controls_are_spelled_out_in_pages() -> None:
    backend = MemoryBackend()
    backend.details[1]["title"] = "[VOTE] Release \u202egpj.exe\u202c 1.0\x00 and \u2066more\u2069"

    async def scenario(client: Client) -> None:
        page = await (await client.get("/votes/1")).text()
        listing = await (await client.get("/")).text()
        person = await (await client.get("/people/tqchen")).text()  # the title, twice
        for text in (page, listing, person):
            for raw in ("\u202e", "\u202c", "\x00", "\u2066", "\u2069"):
                assert raw not in text
            assert "&lt;U+202E&gt;gpj.exe&lt;U+202C&gt;" in text
            assert "1.0&lt;U+0000&gt;" in text
        doc = await get_page(client, "/votes/1")
        assert "<U+202E>gpj.exe" in doc.xpath("string(//h1)")

    run(backend, scenario)


def test_a_client_that_sends_its_body_too_slowly_gets_408_and_others_are_served() -> None:
    security = Security(session_key="k", request_timeout=0.5)
    seen: dict[str, Any] = {}

    async def scenario(client: Client) -> None:
        async def trickle() -> Any:
            yield b"name=Jane&"
            await asyncio.sleep(2)
            yield b"token=x"

        started = time.monotonic()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        slow = asyncio.create_task(client.post("/login", data=trickle(), headers=form))
        await asyncio.sleep(0.1)
        seen["health"] = (await client.get("/healthz")).status
        answer = await slow
        seen["slow"] = answer.status, time.monotonic() - started

    run(MemoryBackend(), scenario, token=TOKEN, security=security)
    assert seen["health"] == 200
    status, took = seen["slow"]
    assert status == 408
    assert took < 1.9
