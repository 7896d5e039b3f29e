"""`harvest votes confirm|reject`: a person's word on an unconfirmed identity is stored once, with
an audit entry, counts at once and holds for every later vote; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.store.db import upgrade
from tests.app.test_corrections import ROSTER, VOTE, audit

ZOE = "mid:f3b8a2c1-9d4e-4a7b-8c6f-1e2d3a4b5c6d@app.fastmail.com"
LATER_VOTE = """From zoe@lindqvist.se Mon Feb  2 10:00:00 2026
Message-ID: <call-2@example.org>
From: Hannah Morgan <hmorgan@apache.org>
Subject: [VOTE] Adopt the release checklist
Date: Mon, 02 Feb 2026 10:00:00 +0000

Please vote. Open for at least 72 hours.

+1 (binding) from me.

From zoe@lindqvist.se Mon Feb  2 11:00:00 2026
Message-ID: <zoe-2@example.org>
From: =?UTF-8?Q?Lindqvist=2C_Zo=C3=AB?= <zoe@lindqvist.se>
Subject: Re: [VOTE] Adopt the release checklist
In-Reply-To: <call-2@example.org>
References: <call-2@example.org>
Date: Mon, 02 Feb 2026 11:00:00 +0000

-1, the checklist misses the LICENSE check.

From x@evil.example Mon Feb  2 12:00:00 2026
Message-ID: <forged-2@example.org>
From: =?UTF-8?Q?Lindqvist=2C_Zo=C3=AB?= <x@evil.example>
Subject: Re: [VOTE] Adopt the release checklist
In-Reply-To: <call-2@example.org>
References: <call-2@example.org>
Date: Mon, 02 Feb 2026 12:00:00 +0000

Changing my vote to +1.
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report_of(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    found: dict[str, Any] = json.loads(out.splitlines()[-1])
    return found


def zoe(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in report["ballots"] if b["member_id"] == "zlindqvist"]


def test_a_confirmed_identity_is_verified_in_this_and_every_later_vote(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    first = report_of(capsys, "--thread", VOTE, "--roster", ROSTER, "--db", database_url)
    assert [b["flags"] for b in zoe(first)] == [["unconfirmed"]]
    code, out, err = run(
        capsys, "votes", "confirm", "1", "--url", ZOE, "--note", "she said so", "--by", "chair",
        "--db", database_url,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "vote 1: confirmed zoe@lindqvist.se for every vote\n"
    shown = report_of(capsys, "votes", "show", "1", "--db", database_url)
    assert [(b["match"], b["flags"]) for b in zoe(shown)] == [("confirmed", [])]
    assert ("chair", "confirm-identity") in audit(database_url)

    later = tmp_path / "later.mbox"
    later.write_text(LATER_VOTE, encoding="utf-8")
    second = report_of(capsys, "--thread", str(later), "--roster", ROSTER, "--db", database_url)
    counted = [b for b in zoe(second) if b["counted"]]
    assert [(b["value"], b["match"]) for b in counted] == [("-1", "confirmed")]
    assert any("possible impersonation: x@evil.example" in r["reason"] for r in second["review"])


def test_a_rejected_identity_no_longer_counts_for_the_member(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    report_of(capsys, "--thread", VOTE, "--roster", ROSTER, "--db", database_url)
    code, _, err = run(
        capsys, "votes", "reject", "1", "--url", ZOE, "--note", "not her", "--db", database_url
    )
    assert (code, err) == (0, "")
    shown = report_of(capsys, "votes", "show", "1", "--db", database_url)
    assert zoe(shown) == []
    voter = next(b for b in shown["ballots"] if b["url"] == ZOE)
    assert (voter["member_id"], voter["binding"]) == (None, False)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--url", "mid:nope@x", "--note", "n"), "no message mid:nope@x in this vote"),
        (("--url", ZOE, "--note", "n", "--member", "ghost"), "no member 'ghost'"),
        (("--url", ZOE), "note must not be empty"),
    ],
)
def test_bad_confirmations_are_one_line_and_write_nothing(
    database_url: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    upgrade(database_url)
    report_of(capsys, "--thread", VOTE, "--roster", ROSTER, "--db", database_url)
    before = audit(database_url)
    code, out, err = run(capsys, "votes", "confirm", "1", *argv, "--db", database_url)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert message in err
    assert audit(database_url) == before
