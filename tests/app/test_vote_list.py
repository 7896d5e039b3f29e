"""The vote list is one query over the stored summaries, whatever the number of votes (issue 13);
a count stored before 0008 has no summary and is read from its report, with the same answer."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, update

from harvester.app.cli import main
from harvester.app.webapp import DatabaseBackend
from harvester.config import Settings
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import tally_snapshots
from tests.app.test_webapp import NOW

ROOT = Path(__file__).parent.parent.parent
ROSTER = str(ROOT / "examples" / "roster.toml")


def store_votes(url: str, tmp_path: Path, count: int, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "examples" / "strategy-vote.mbox").read_text(encoding="utf-8")
    for n in range(count):
        copy = tmp_path / f"vote{n}.mbox"
        copy.write_text(re.sub(r"Decision Process", f"Decision Process {n}", text), "utf-8")
        assert main(["--thread", str(copy), "--roster", ROSTER, "--db", url]) == 0
    capsys.readouterr()


def listed(url: str, *, forget_summary: bool = False) -> tuple[list[dict[str, Any]], int]:
    """The list as the dashboard gets it, and the statements it took."""

    async def work() -> tuple[list[dict[str, Any]], int]:
        engine = engine_for(url)
        try:
            if forget_summary:  # as a count stored before 0008 left it
                async with engine.begin() as connection:
                    await connection.execute(update(tally_snapshots).values(summary=None))
            statements: list[str] = []
            event.listen(
                engine.sync_engine,
                "before_cursor_execute",
                lambda *args: statements.append(args[2]),
            )
            found = await DatabaseBackend(engine, Settings(), lambda: NOW).votes()
            return found, len(statements)
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_the_list_is_one_query_and_the_same_without_summaries(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    store_votes(database_url, tmp_path, 4, capsys)
    four, statements = listed(database_url)
    assert statements == 1
    assert [v["id"] for v in four] == [4, 3, 2, 1]  # newest first
    assert {v["status"] for v in four} == {"passed"}
    assert {v["passes"] for v in four} == {True}
    assert {v["counts"]["binding"]["+1"] for v in four} == {6}
    # before 0008: each vote's summary is read from its report, the same answer
    again, statements = listed(database_url, forget_summary=True)
    assert again == four
    assert statements == 1 + 4
