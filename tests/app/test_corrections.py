"""`harvest votes override|dismiss`: a person's correction is stored with an audit entry, counts at
once, survives a re-harvest and a recount, and bad input is one line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.store import corrections
from harvester.store.db import engine_for, upgrade

ROOT = Path(__file__).parent.parent.parent
VOTE = str(ROOT / "examples" / "strategy-vote.mbox")
ROSTER = str(ROOT / "examples" / "roster.toml")
KEVIN = "mid:CAKb7rN4pT1xWq8mZs2eLv5dYh3cFj9aGo6uIk0Rn_KB1z@mail.gmail.com"
NOT_ON_ROSTER = "Kevin Brandt: not on the roster (address not on the roster)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def harvest(capsys: pytest.CaptureFixture[str], url: str) -> dict[str, Any]:
    code, out, err = run(
        capsys, "--thread", VOTE, "--roster", ROSTER, "--db", url, "--format", "json"
    )
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def shown(capsys: pytest.CaptureFixture[str], url: str) -> dict[str, Any]:
    code, out, err = run(capsys, "votes", "show", "1", "--db", url, "--format", "json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def kevin(report: dict[str, Any]) -> dict[str, Any]:
    ballot: dict[str, Any] = next(b for b in report["ballots"] if b["url"] == KEVIN)
    return ballot


def audit(url: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = engine_for(url)
        try:
            async with engine.connect() as connection:
                return [(a.actor, a.action) for a in await corrections.audit_entries(connection, 1)]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_an_override_counts_at_once_and_survives_reharvest_and_recount(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    before = harvest(capsys, database_url)
    assert (kevin(before)["value"], kevin(before)["binding"]) == ("+1", False)
    assert before["counts"]["binding"]["-1"] == 1

    code, out, err = run(
        capsys, "votes", "override", "1", "--db", database_url, "--url", KEVIN,
        "--value", "-1", "--binding", "yes", "--reason", "joined the PMC on the 4th",
        "--by", "chair",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"vote 1: corrected {KEVIN}\n"
    after = shown(capsys, database_url)
    assert (kevin(after)["value"], kevin(after)["binding"]) == ("-1", True)
    assert "corrected" in kevin(after)["flags"]
    assert after["counts"]["binding"]["-1"] == 2
    assert after["corrections"][0]["reason"] == "joined the PMC on the 4th"

    # The thread is read again: the correction is applied to the new count, not lost.
    again = harvest(capsys, database_url)
    assert again["counts"] == after["counts"]
    assert shown(capsys, database_url)["counts"] == after["counts"]
    code, out, _ = run(capsys, "votes", "recount", "1", "--db", database_url, "--format", "json")
    assert code == 0
    assert json.loads(out)["counts"] == after["counts"]

    code, _, err = run(
        capsys, "votes", "override", "1", "--db", database_url, "--url", KEVIN, "--clear",
        "--reason", "he joins next month", "--by", "secretary",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert shown(capsys, database_url)["counts"] == before["counts"]
    assert audit(database_url) == [("chair", "override"), ("secretary", "clear-override")]


def test_a_dismissed_review_item_leaves_the_review_list(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    before = harvest(capsys, database_url)
    assert {"url": KEVIN, "reason": NOT_ON_ROSTER} in before["review"]
    code, _, err = run(
        capsys, "votes", "dismiss", "1", "--db", database_url, "--url", KEVIN,
        "--review", NOT_ON_ROSTER, "--note", "a contributor; non-binding is right", "--by", "chair",
    )  # fmt: skip
    assert (code, err) == (0, "")
    after = shown(capsys, database_url)
    assert {"url": KEVIN, "reason": NOT_ON_ROSTER} not in after["review"]
    assert len(after["review"]) == len(before["review"]) - 1
    (dismissed,) = after["dismissed"]
    assert (dismissed["reason"], dismissed["note"], dismissed["by"]) == (
        NOT_ON_ROSTER,
        "a contributor; non-binding is right",
        "chair",
    )
    assert harvest(capsys, database_url)["dismissed"] == after["dismissed"]
    assert audit(database_url) == [("chair", "dismiss")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["9", "--url", KEVIN, "--value", "+1", "--reason", "r"], "vote 9: no such vote"),
        (
            ["1", "--url", "mid:nobody@x", "--value", "+1", "--reason", "r"],
            "vote 1: no message mid:nobody@x in this vote's threads",
        ),
        (
            ["1", "--url", KEVIN, "--member", "ghost", "--reason", "r"],
            "vote 1: no member 'ghost' on the stored roster",
        ),
        (["1", "--url", KEVIN, "--value", "+1"], "vote 1: reason must not be empty"),
        (
            ["1", "--url", KEVIN, "--reason", "r"],
            "vote 1: a correction needs a value, binding or member to change",
        ),
        (
            ["1", "--value", "+1", "--reason", "r"],
            "harvest votes override: the following arguments are required: --url",
        ),
        (
            ["1", "--url", KEVIN, "--clear", "--reason", "r"],
            f"vote 1: no correction of {KEVIN} to clear",
        ),
    ],
)
def test_a_bad_override_is_one_line_and_writes_nothing(
    database_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    upgrade(database_url)
    before = harvest(capsys, database_url)
    code, out, err = run(capsys, "votes", "override", *argv, "--db", database_url)
    assert (code, out) == (2, "")
    assert err == f"harvest: error: {message}\n"
    assert shown(capsys, database_url) == before
    assert audit(database_url) == []


def test_a_review_item_that_is_not_raised_cannot_be_dismissed(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    harvest(capsys, database_url)
    code, _, err = run(
        capsys, "votes", "dismiss", "1", "--db", database_url, "--url", KEVIN,
        "--review", "made up", "--note", "n",
    )  # fmt: skip
    assert code == 2
    assert err == f"harvest: error: vote 1: no open review item 'made up' for {KEVIN}\n"
