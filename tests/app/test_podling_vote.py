"""A podling's release vote is one decision in two rounds: the podling's dev@ list, then
general@incubator, where the IPMC is binding; the IPMC's first-round ballots carry over, the
dev@ round's [RESULT] does not close the decision, and the draft links both threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from harvester.app.cli import main

SUBJECT = "[VOTE] Release Apache Foo 1.0.0 (incubating) RC1"
T0 = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
IPMC = """
[[members]]
id = "mentor"
name = "Mina Mentor"
emails = ["mentor@apache.org"]
role = "pmc"

[[members]]
id = "ipmc1"
name = "Ian One"
emails = ["ipmc1@apache.org"]
role = "pmc"

[[members]]
id = "ipmc2"
name = "Ivy Two"
emails = ["ipmc2@apache.org"]
role = "pmc"
"""


def mail(
    ident: str, sender: str, body: str, hours: float, *, subject: str = "", parent: str = ""
) -> str:
    headers = [
        f"From x@y {(T0 + timedelta(hours=hours)):%a %b %d %H:%M:%S %Y}",
        f"Message-ID: <{ident}@foo.example>",
        f"From: {sender}",
        f"Subject: {subject or 'Re: ' + SUBJECT}",
        f"Date: {format_datetime(T0 + timedelta(hours=hours))}",
    ]
    if parent:
        headers += [f"In-Reply-To: <{parent}@foo.example>", f"References: <{parent}@foo.example>"]
    return "\n".join(headers) + "\n\n" + body + "\n"


ROUNDS = [
    # the podling's dev@ round
    mail("dev-call", "Rita RM <rita@foo.example>", "Please vote on RC1, open 72 hours.\n\n+1",
         0, subject=SUBJECT),
    mail("dev-1", "Pat PPMC <pat@foo.example>", "+1 (binding)", 2, parent="dev-call"),
    mail("dev-2", "Mina Mentor <mentor@apache.org>", "+1 (binding)", 3, parent="dev-call"),
    mail("dev-result", "Rita RM <rita@foo.example>",
         "The vote has passed with 3 +1 votes.\n\n+1:\n- Rita RM\n- Pat PPMC\n- Mina Mentor",
         80, subject="[RESULT]" + SUBJECT),
    # general@incubator
    mail("gen-call", "Rita RM <rita@foo.example>",
         "The podling vote passed; Mina Mentor's IPMC +1 carries over. Open 72 hours.",
         81, subject=SUBJECT),
    mail("gen-1", "Ian One <ipmc1@apache.org>", "+1", 90, parent="gen-call"),
    mail("gen-2", "Ivy Two <ipmc2@apache.org>", "+1 (binding)", 95, parent="gen-call"),
    mail("gen-result", "Rita RM <rita@foo.example>",
         "The vote has passed with 3 binding +1 votes.\n\n+1 (binding):\n- Mina Mentor\n"
         "- Ian One\n- Ivy Two", 160, subject="[RESULT]" + SUBJECT),
]  # fmt: skip


def test_two_rounds_one_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mbox, roster = tmp_path / "foo.mbox", tmp_path / "ipmc.toml"
    mbox.write_text("\n".join(ROUNDS))
    roster.write_text(IPMC)
    argv = ["--thread", str(mbox), "--roster", str(roster), "--rule", "majority-approval"]
    assert main([*argv, "--format", "json"]) == 0
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert report["status"] == "passed"
    assert report["closed_by"] == "result"
    assert report["closes_at"] == "2026-04-13T01:00:00Z"  # general@'s result, not dev@'s
    assert [r["carried_over"] for r in report["rounds"]] == [False, True]
    binding = sorted(b["member_id"] for b in report["ballots"] if b["binding"] and b["counted"])
    assert binding == ["ipmc1", "ipmc2", "mentor"]  # the mentor's dev@ +1 carried over
    assert report["counts"]["binding"] == {"+1": 3, "0": 0, "-1": 0}
    assert report["announced"]["differences"] == []
    assert main([*argv, "--format", "email"]) == 0
    body = capsys.readouterr().out
    assert "the thread of Message-ID <dev-call@foo.example>" in body
    assert "the thread of Message-ID <gen-call@foo.example>" in body
