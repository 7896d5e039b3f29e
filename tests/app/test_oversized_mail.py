"""A mail over the size caps (issue 12): the vote is counted without it and a review item names
it, from the config's [limits], on a one-off harvest and after a recount from the store; a file
or stream over the cap is one error line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.store.db import upgrade

ROSTER = str(Path(__file__).parent.parent.parent / "examples" / "roster.toml")
PADDING = "This paragraph only makes the mail large. " * 700  # ~30 KB


def mbox(tmp_path: Path) -> Path:
    path = tmp_path / "vote.mbox"
    path.write_text(
        "From a@x Mon Jan  5 10:00:00 2026\n"
        "Message-ID: <call@example.org>\nFrom: Hannah Morgan <hmorgan@apache.org>\n"
        "Subject: [VOTE] Adopt the plan\nDate: Mon, 05 Jan 2026 10:00:00 +0000\n\n"
        "Please vote. Open for at least 72 hours.\n\n+1 (binding) from me.\n\n"
        "From b@x Mon Jan  5 11:00:00 2026\n"
        "Message-ID: <big@example.org>\nFrom: Ravi Chandrasekar <ravi@apache.org>\n"
        "Subject: Re: [VOTE] Adopt the plan\nIn-Reply-To: <call@example.org>\n"
        f"Date: Mon, 05 Jan 2026 11:00:00 +0000\n\n+1 (binding)\n\n{PADDING}\n\n",
        encoding="utf-8",
    )
    return path


def config(tmp_path: Path) -> Path:
    path = tmp_path / "harvester.toml"
    path.write_text("[limits]\nmessage_mb = 0.01\n", encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def over_cap(report: dict[str, Any]) -> list[dict[str, str]]:
    return [r for r in report["review"] if "cap on one message" in r["reason"]]


def test_a_mail_over_the_cap_is_reviewed_not_counted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    upgrade(database_url)
    argv = ["--thread", str(mbox(tmp_path)), "--roster", ROSTER, "--config", str(config(tmp_path))]
    report = run_json(capsys, *argv, "--db", database_url)
    assert [b["voter"] for b in report["ballots"]] == ["Hannah Morgan"]
    expected = [
        {
            "url": "mid:big@example.org",
            "reason": "Ravi Chandrasekar: the message is 29 KB, over the 10 KB cap on one message "
            "([limits] message_mb): only its header is read, any ballot in it is not counted",
        }
    ]
    assert over_cap(report) == expected
    # what the reader could not read is stored with the message: a recount still says so
    recounted = run_json(capsys, "votes", "recount", "1", "--db", database_url)
    assert over_cap(recounted) == expected
    # under the default caps the same mail counts
    assert len(run_json(capsys, *argv[:4])["ballots"]) == 2


def test_a_stream_that_never_ends_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--thread", "/dev/zero"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "harvest: error: /dev/zero: holds more than 64 MB, the cap on one mail file "
        "([limits] message_mb)\n"
    )
