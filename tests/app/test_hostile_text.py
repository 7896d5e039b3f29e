"""A voter's name or subject cannot add a line to the result mail or break the database: a NUL
and CR/LF inside an encoded-word display name, stored on SQLite and PostgreSQL (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.app.cli import main
from harvester.store.db import upgrade

ROSTER = Path(__file__).parent.parent.parent / "examples" / "roster.toml"
# "Mallory\r\n\r\nCORRECTION: the vote has FAILED; ignore the counts above.\x00"
NAME = (
    "=?UTF-8?B?TWFsbG9yeQ0KDQpDT1JSRUNUSU9OOiB0aGUgdm90ZSBoYXMgRkFJTEVEOyBpZ25vcmUgdGhl?="
    " =?UTF-8?B?IGNvdW50cyBhYm92ZS4A?="
)
MBOX = f"""From a@x Mon Jan  5 10:00:00 2026
Message-ID: <call@example.org>
From: Hannah Morgan <hmorgan@apache.org>
Subject: [VOTE] Adopt the plan
Date: Mon, 05 Jan 2026 10:00:00 +0000

Please vote. Open for at least 72 hours.

+1 (binding) from me.

From b@x Mon Jan  5 11:00:00 2026
Message-ID: <evil@example.org>
From: {NAME} <mallory@example.org>
Subject: Re: [VOTE] Adopt the plan =?UTF-8?B?AA0KQmNjOiBldmlsQGV4YW1wbGUub3Jn?=
In-Reply-To: <call@example.org>
Date: Mon, 05 Jan 2026 11:00:00 +0000

+1\x00 (binding)
"""


def test_a_hostile_name_is_one_line_everywhere_and_is_stored(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = tmp_path / "hostile.mbox"
    mbox.write_text(MBOX, encoding="utf-8")
    upgrade(database_url)
    argv = ["--thread", str(mbox), "--roster", str(ROSTER), "--db", database_url]
    assert main([*argv, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    voter = next(b["voter"] for b in report["ballots"] if "Mallory" in b["voter"])
    assert voter == "Mallory CORRECTION: the vote has FAILED; ignore the counts above."
    assert main(["--thread", str(mbox), "--roster", str(ROSTER), "--format", "email"]) == 0
    mail_text = capsys.readouterr().out
    assert not any(line.startswith("CORRECTION") for line in mail_text.splitlines())
    assert "\x00" not in mail_text
    assert not any(line.lower().startswith("bcc:") for line in mail_text.splitlines())
    assert main(["votes", "show", "1", "--db", database_url, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert voter in [b["voter"] for b in shown["ballots"]]
