"""The JSON contract (harvester/schemas/): every JSON harvester prints or serves is checked
against the schema file the package ships, so the file and the output cannot drift apart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harvester.app.cli import main
from harvester.app.webapp import DatabaseBackend
from harvester.config import Settings
from harvester.store.db import engine_for, upgrade
from tests.app.test_streamed_archive import generated

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ["--thread", str(ROOT / "examples/strategy-vote.mbox")]
ROSTER = ["--roster", str(ROOT / "examples/roster.toml")]


def schema(name: str) -> Draft202012Validator:
    text = resources.files("harvester").joinpath("schemas", name).read_text(encoding="utf-8")
    document = json.loads(text)
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


VOTE = schema("vote.schema.json")
SUMMARY = schema("vote-summary.schema.json")


def valid(validator: Draft202012Validator, document: Any) -> None:
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    assert not problems, problems[:5]


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[Any]:
    assert main(list(argv)) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize(
    "thread",
    [
        ROOT / "examples/strategy-vote.mbox",
        ROOT / "tests/data/mail/vote_thread.mbox",
        ROOT / "tests/data/discourse/topic_16123.json",
    ],
)
def test_count_prints_the_contract(thread: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for report in printed(capsys, "--thread", str(thread), *ROSTER, "--format", "json"):
        valid(VOTE, report)
        assert report["schema_version"] == 1


def test_every_vote_of_a_generated_archive_fits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = printed(capsys, "--thread", str(generated(tmp_path, 1500)), "--format", "json")
    assert len(reports) > 5
    for report in reports:
        valid(VOTE, report)


def test_times_are_utc_to_the_second(capsys: pytest.CaptureFixture[str]) -> None:
    (report,) = printed(capsys, *EXAMPLE, *ROSTER, "--format", "json")
    assert report["opened_at"] == "2026-01-05T16:30:00Z"
    assert all(b["cast_at"].endswith("Z") and len(b["cast_at"]) == 20 for b in report["ballots"])


def test_stored_votes_print_and_serve_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url)
    printed(capsys, *EXAMPLE, *ROSTER, "--db", url, "--format", "json")
    for line in printed(capsys, "votes", "list", "--db", url, "--format", "json"):
        valid(SUMMARY, line)
    (shown,) = printed(capsys, "votes", "show", "1", "--db", url, "--format", "json")
    valid(VOTE, shown)
    (recounted,) = printed(capsys, "votes", "recount", "1", "--db", url, "--format", "json")
    valid(VOTE, recounted)

    async def served() -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        engine = engine_for(url)
        backend = DatabaseBackend(engine, Settings(), lambda: datetime(2026, 2, 1, tzinfo=UTC))
        try:
            return await backend.votes(), await backend.vote(1)
        finally:
            await engine.dispose()

    listed, detail = asyncio.run(served())
    assert detail is not None
    for summary in listed:
        valid(SUMMARY, summary)
    valid(VOTE, detail["report"])
    assert detail["status"] == shown["status"]
