"""`harvest --db`, `harvest votes list|show|recount`: a harvest kept in the database, shown again,
and recounted after a roster change from the stored messages alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.store.db import head_revision, upgrade

ROOT = Path(__file__).parent.parent.parent

HEAD = head_revision()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def harvest_into(
    capsys: pytest.CaptureFixture[str], url: str, vote: Path, roster: Path
) -> dict[str, Any]:
    code, out, err = run(
        capsys, "--thread", str(vote), "--roster", str(roster), "--db", url, "--format", "json"
    )
    assert code == 0, err
    assert f"kept in {url} as vote(s) 1" in err
    report: dict[str, Any] = json.loads(out)
    return report


def test_a_kept_harvest_is_shown_and_recounted_without_its_source(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    vote = tmp_path / "vote.mbox"
    shutil.copy(ROOT / "examples" / "strategy-vote.mbox", vote)
    roster = ROOT / "examples" / "roster.toml"
    first = harvest_into(capsys, database_url, vote, roster)
    again = harvest_into(capsys, database_url, vote, roster)  # stores nothing new
    assert again == first

    code, out, _ = run(capsys, "votes", "list", "--db", database_url, "--format", "json")
    assert code == 0
    (listed,) = [json.loads(line) for line in out.splitlines()]
    assert (listed["id"], listed["status"], listed["rule"]) == (1, first["status"], first["rule"])

    code, out, _ = run(capsys, "votes", "show", "1", "--db", database_url, "--format", "json")
    assert code == 0
    assert json.loads(out) == first

    # The roster changes: Markus is a committer now, not on the PMC. The source file is gone.
    vote.unlink()
    changed = tmp_path / "roster.toml"
    text = roster.read_text(encoding="utf-8")
    block = text[text.index('id = "mfischer"') :]
    role_line = next(line for line in block.splitlines() if line.startswith("role"))
    start = text.index('id = "mfischer"') + block.index(role_line)
    changed.write_text(
        text[:start] + 'role = "committer"' + text[start + len(role_line) :], encoding="utf-8"
    )
    code, out, err = run(
        capsys, "votes", "recount", "1", "--roster", str(changed), "--db", database_url,
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    recounted = json.loads(out)
    before = {b["voter"]: b["binding"] for b in first["ballots"]}
    after = {b["voter"]: b["binding"] for b in recounted["ballots"]}
    assert before["Markus Fischer"] is True
    assert after == {**before, "Markus Fischer": False}
    assert recounted["counts"]["binding"]["+1"] == first["counts"]["binding"]["+1"] - 1

    code, out, _ = run(capsys, "votes", "show", "1", "--db", database_url)
    assert code == 0
    assert out.startswith("#1 ")
    assert f"binding +1 {recounted['counts']['binding']['+1']}," in out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["votes", "show", "7"], 2, "vote 7: no such vote in the database"),
        (["votes", "show", "x"], 2, "harvest votes show: argument ID: an ID is a number, not 'x'"),
        (["votes", "show"], 2, "harvest votes show: the following arguments are required: ID"),
        (["votes", "frob", "1"], 2, "harvest votes: argument ACTION: invalid choice: 'frob'"),
        (["votes", "recount", "1", "--rule", "most"], 2, "unknown rule 'most'"),
        (["send", "3"], 2, "mail.enabled"),
    ],
)
def test_mistakes_are_one_line(
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    upgrade(database_url)
    got, out, err = run(capsys, *argv, "--db", database_url)
    assert got == code
    assert out == ""
    assert len(err.splitlines()) == 1
    assert message in err
    assert "Traceback" not in err


def test_an_outdated_schema_is_refused_by_every_stored_vote_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for argv in (["votes", "list"], ["daemon"], ["send", "1"]):
        code, _, err = run(capsys, *argv, "--db", url)
        assert code == 2
        assert err == (
            f"harvest: error: {url}: database schema is no schema, this harvester needs {HEAD}: "
            "run `harvest db upgrade`\n"
        )
