"""After the README's one-off harvest: `votes show` shows what the vote's page shows, and the
decided vote's result draft is kept for `harvest send` (a dry run says it wrote a file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.app.cli import main
from harvester.store.db import upgrade

ROOT = Path(__file__).resolve().parents[2]
HARVEST = [
    "--thread", str(ROOT / "examples/strategy-vote.mbox"),
    "--roster", str(ROOT / "examples/roster.toml"),
]  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    assert main(list(argv)) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_a_decided_vote_keeps_one_draft_to_send(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    upgrade(database_url)
    _, err = run(capsys, *HARVEST, "--db", database_url)
    assert "as vote(s) 1; result draft(s) 1 (vote 1): send one with `harvest send ID`" in err
    _, err = run(capsys, *HARVEST, "--db", database_url)  # the same harvest again
    assert "result draft(s) 1 (vote 1)" in err  # the same draft, not a second one
    monkeypatch.setenv("HARVESTER_MAIL__DRY_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("HARVESTER_MAIL__SENDER", "rm@tvm.example.org")
    monkeypatch.setenv("HARVESTER_MAIL__TO", "dev@tvm.example.org")
    out, _ = run(capsys, "send", "1", "--db", database_url)
    written = tmp_path / "draft-1.eml"
    assert out == f"draft 1: written to {written} (dry run: not sent)\n"
    assert "The vote has passed with 10 +1 votes" in written.read_text()
    out, _ = run(capsys, "votes", "show", "1", "--db", database_url)
    assert "  draft 1 (sent): [RESULT][VOTE] Clarify Community Strategy Decision Process" in out


def test_votes_show_marks_every_ballot_and_shows_the_draft(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    run(capsys, *HARVEST, "--db", database_url)
    out, _ = run(capsys, "votes", "show", "1", "--db", database_url)
    lines = out.splitlines()
    assert lines[0] == "#1 [VOTE] Clarify Community Strategy Decision Process"
    assert lines[1].startswith("passed (lazy-2/3); opened 2026-01-05T16:30:00Z")
    assert "binding +1 6, 0 1, -1 1   non-binding +1 4, 0 1, -1 0" in lines
    ballots = {line.split(": ")[0].split("  ")[-1].strip(): line for line in lines if "  " in line}
    assert ballots["Markus Fischer"].lstrip().startswith("+1 (changed)")
    assert ballots["Olusegun Adeyemi"].lstrip().startswith("-1 (late, not counted)")
    assert "non-binding  Roman Kowalski: +0" in ballots["Roman Kowalski"]
    assert "needs review:" in lines
    draft = out.split("result draft:\n", 1)[1]
    assert draft.startswith("Subject: [RESULT][VOTE] Clarify Community Strategy Decision Process\n")
    assert "- Markus Fischer (binding, changed from -1)" in draft
