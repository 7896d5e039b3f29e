"""`harvest votes verify ID`: the stored count's digest against one recomputed from the stored
messages, roster, rule and corrections, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.app.cli import main
from harvester.store import messages as stored
from harvester.store.db import engine_for, upgrade

ROOT = Path(__file__).resolve().parents[2]
VOTE = str(ROOT / "examples/strategy-vote.mbox")
ROSTER = str(ROOT / "examples/roster.toml")


def edit_a_stored_message(url: str) -> str:
    """A message edited after the count, stored again as a source's edit is."""

    async def work() -> str:
        engine = engine_for(url)
        try:
            async with engine.begin() as connection:
                thread_url = (
                    f"{VOTE}#mid:CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5JfKq6bVn-Rr1hMg@mail.gmail.com"
                )
                thread = await stored.load_thread(connection, thread_url)
                assert thread is not None
                edited = replace(thread.messages[1], body="-1, I changed my mind", version=2)
                at = datetime.now(UTC)
                await stored.save_thread(
                    connection, replace(thread, messages=(edited,)), at, complete=False
                )
                return edited.url
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_verify_agrees_then_names_the_edited_message(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    assert main(["--thread", VOTE, "--roster", ROSTER, "--db", database_url]) == 0
    capsys.readouterr()
    assert main(["votes", "verify", "1", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vote 1: the digest agrees: ")
    url = edit_a_stored_message(database_url)
    assert main(["votes", "verify", "1", "--db", database_url]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"vote 1: message {url} changed since it was counted")
    assert out.count("\n") == 1


def test_the_draft_prints_the_digest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--thread", VOTE, "--roster", ROSTER, "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)["digest"]
    assert main(["--thread", VOTE, "--roster", ROSTER, "--format", "email"]) == 0
    assert digest in capsys.readouterr().out
