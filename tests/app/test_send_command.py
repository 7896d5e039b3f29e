"""`harvest send ID`: one stored draft mailed on demand through a real SMTP server, refused a
second time unless --again; in dry-run mode an .eml file instead."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harvester.app.cli import main
from harvester.model import Draft
from harvester.store import votes
from harvester.store.db import engine_for, upgrade
from harvester.store.drafts import save_draft
from tests.fakes.smtp import smtp_server

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DRAFT = Draft(
    "[RESULT][VOTE] Adopt the plan",
    "The vote passed.\n",
    "call@example.org",
    ("call@example.org",),
)


def stored_draft(url: str) -> int:
    async def work() -> int:
        engine = engine_for(url)
        try:
            async with engine.begin() as connection:
                vote_id = await votes.ensure_vote(connection, "adopt", "[VOTE] Adopt", NOW)
                return await save_draft(connection, vote_id, DRAFT, NOW)
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_send_mails_a_draft_once_unless_again(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    upgrade(database_url)
    draft_id = stored_draft(database_url)
    with smtp_server() as smtp:
        for name, value in {
            "ENABLED": "true",
            "HOST": smtp.host,
            "PORT": str(smtp.port),
            "SECURITY": "none",
            "SENDER": "harvester@tvm.example.org",
            "TO": "pmc@tvm.example.org, rm@tvm.example.org",
        }.items():
            monkeypatch.setenv(f"HARVESTER_MAIL__{name}", value)
        assert main(["send", str(draft_id), "--db", database_url]) == 0
        assert capsys.readouterr().out.startswith(f"draft {draft_id}: sent: smtp ")
        assert main(["send", str(draft_id), "--db", database_url]) == 2
        err = capsys.readouterr().err
        assert f"harvest: error: draft {draft_id}: was already sent at " in err
        assert "use --again" in err
        assert len(smtp.received) == 1
        assert main(["send", str(draft_id), "--again", "--db", database_url]) == 0
        first, second = smtp.received
    assert first.rcpt_tos == ("pmc@tvm.example.org", "rm@tvm.example.org")
    message = first.message()
    assert message["In-Reply-To"] == "<call@example.org>"
    assert message["Subject"] == DRAFT.subject
    assert second.message()["Message-ID"] == message["Message-ID"]  # a resend is the same mail


def test_dry_run_writes_an_eml_file(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url)
    draft_id = stored_draft(database_url)
    monkeypatch.setenv("HARVESTER_MAIL__DRY_RUN_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("HARVESTER_MAIL__SENDER", "harvester@tvm.example.org")
    monkeypatch.setenv("HARVESTER_MAIL__TO", "pmc@tvm.example.org")
    assert main(["send", str(draft_id), "--db", database_url]) == 0
    (written,) = (tmp_path / "out").iterdir()
    assert written.suffix == ".eml"
    assert "Subject: [RESULT][VOTE] Adopt the plan" in written.read_text(encoding="utf-8")
