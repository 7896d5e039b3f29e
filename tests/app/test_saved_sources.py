"""Saved threads of every local kind, read through the app: bytes on disk -> ballots."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.core.ballots import read_ballot
from harvester.core.text import own_lines
from harvester.sources.mailparse import parse_mail

DATA = Path(__file__).parent.parent / "data"
ROOT = Path(__file__).parent.parent.parent
HEAD = (
    "From: Bob <bob@apache.org>\r\nSubject: Re: [VOTE] X\r\nMessage-ID: <r@x>\r\n"
    "Date: Tue, 6 Jan 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
)


def mail_ballot(raw: str | bytes) -> tuple[str | None, str | None]:
    data = raw.encode() if isinstance(raw, str) else raw
    reading = read_ballot(own_lines(parse_mail(data, where="test")))
    if reading is None or reading.value is None:
        return None, None
    return reading.value.value, reading.raw


CASES = {
    "quoted-printable =20 and >=20": (
        HEAD
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
        "\r\n\r\n+1 (binding) =E2=80=94 checked=20\r\n\r\nOn Mon, Bob wrote:\r\n>=20\r\n> -1\r\n",
        ("+1", "+1 (binding) — checked"),
    ),
    "quoted-printable soft break in the vote line": (
        HEAD
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
        "\r\n\r\n-1 (binding) because the LICENSE =\r\nis missing\r\n",
        ("-1", "-1 (binding) because the LICENSE is missing"),
    ),
    "format=flowed": (
        HEAD + "Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
        "+1, I checked the signatures \r\nand the LICENSE.\r\n\r\n> -1\r\n",
        ("+1", "+1, I checked the signatures and the LICENSE."),
    ),
    "HTML-only": (
        HEAD
        + 'Content-Type: text/html; charset=utf-8\r\n\r\n<div><p>+1</p><div class="gmail_quote">'
        "On Mon, Bob wrote:<blockquote>-1</blockquote></div></div>\r\n",
        ("+1", "+1"),
    ),
    "base64 UTF-8 with a Chinese attribution": (
        HEAD
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(
            "同意。\n+1 (binding)\n\n在 2026年1月7日 周三 10:00，Bob <b@x> 写道：\n> -1\n".encode()
        ).decode(),
        ("+1", "+1 (binding)"),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_encoded_mail_to_ballot(case: tuple[str, tuple[str, str]]) -> None:
    raw, expected = case
    assert mail_ballot(raw) == expected


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main([*args, "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def test_saved_discourse_topic(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    roster = tmp_path / "r.toml"
    roster.write_text(
        '[[members]]\nid = "bobb"\nname = "Bob Builder"\ndiscourse = ["bob"]\nrole = "pmc"\n'
    )
    got = run_json(
        capsys, "--thread", str(DATA / "discourse" / "topic_16123.json"), "--roster", str(roster)
    )
    bob = next(b for b in got["ballots"] if b["voter"] == "Bob Builder")
    assert (bob["binding"], bob["value"], bob["match"], bob["usernames"]) == (
        True,
        "+1",
        "username",
        ["bob"],
    )
    assert [b["voter"] for b in got["ballots"]] == ["Bob Builder", "Carol"]  # hidden posts skipped
    assert got["closed_by"] == "thread-closed"
    assert got["review"][0]["reason"].startswith("holds 6 of the 24 posts the source lists")
    assert got["sources"] == [
        {"kind": "discourse", "url": str(DATA / "discourse" / "topic_16123.json"), "messages": 6}
    ]


def test_eml_github_notification(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    roster = tmp_path / "r.toml"
    roster.write_text(
        '[[members]]\nid = "tqchen"\nname = "T Chen"\ngithub = ["tqchen"]\nrole = "pmc"\n'
    )
    path = DATA / "mail" / "github_notification.eml"
    got = run_json(capsys, "--thread", str(path), "--roster", str(roster))
    ballot = got["ballots"][0]
    assert (ballot["member_id"], ballot["match"], ballot["usernames"], ballot["binding"]) == (
        "tqchen",
        "github-notification",
        ["tqchen"],
        True,
    )
    assert ballot["raw"].startswith("+1, thanks everyone")


def test_topic_with_only_hidden_posts_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    topic = json.loads((DATA / "discourse" / "topic_16123.json").read_text(encoding="utf-8"))
    for post in topic["post_stream"]["posts"]:
        post["hidden"] = True
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps(topic), encoding="utf-8")
    assert main(["--thread", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"harvest: error: {path}: holds no visible message to read a vote from\n"


def test_committee_info_roster_decides_binding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vote = tmp_path / "v.mbox"
    vote.write_text(
        "From x  Mon Jan  5 15:00:00 2026\nFrom: Alice <alicee@apache.org>\nSubject: [VOTE] X\n"
        "Message-ID: <c@x>\nDate: Mon, 5 Jan 2026 15:00:00 +0000\n\nPlease vote.\n+1 from me\n\n"
        "From x  Mon Jan  5 16:00:00 2026\nFrom: Frank <frankf@apache.org>\nSubject: Re: [VOTE] X\n"
        "Message-ID: <r@x>\nIn-Reply-To: <c@x>\nDate: Mon, 5 Jan 2026 16:00:00 +0000\n\n+1\n\n"
        "From x  Mon Jan  5 17:00:00 2026\nFrom: Wei <zhangw@apache.org>\nSubject: Re: [VOTE] X\n"
        "Message-ID: <s@x>\nIn-Reply-To: <c@x>\nDate: Mon, 5 Jan 2026 17:00:00 +0000\n\n-1\n"
    )
    roster = DATA / "roster" / "committee_info_excerpt.json"
    got = run_json(capsys, "--thread", str(vote), "--roster", str(roster), "--committee", "example")
    assert [(b["member_id"], b["binding"]) for b in got["ballots"]] == [
        ("alicee", True),
        (None, False),
        ("zhangw", True),
    ]
    assert got["electorate_size"] == 4  # every "example" member had joined by 2026-01-05


def test_text_output_shows_post_text_without_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A subject or ballot line with CR/LF or a terminal escape is one plain line on screen."""
    mail = tmp_path / "vote.eml"
    mail.write_bytes(
        b"From: Ada <ada@apache.org>\r\n"
        b"Subject: =?utf-8?q?[VOTE]_Evil=0D=0AX-Injected:_1_=1B[31mred?=\r\n"
        b"Message-ID: <c@x>\r\nDate: Mon, 5 Jan 2026 15:00:00 +0000\r\n\r\n"
        b"Please vote.\r\n\r\n+1 \x1b[2Jcleared\r\n"
    )
    assert main(["--thread", str(mail)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\r" not in out
    assert out.splitlines()[0] == "[VOTE] Evil X-Injected: 1 [31mred"


def test_a_truncated_mbox_is_counted_with_a_warning_that_it_ends_mid_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = (ROOT / "examples" / "strategy-vote.mbox").read_bytes()
    cut = tmp_path / "cut.mbox"
    cut.write_bytes(whole[: len(whole) - 200].rstrip(b"\n"))
    code = main(["--thread", str(cut), "--roster", str(ROOT / "examples" / "roster.toml"),
                 "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["ballots"]
    reasons = [r["reason"] for r in report["review"]]
    assert "the mail file ends mid-message: its last message may be cut short" in reasons
    code = main(["--thread", str(ROOT / "examples" / "strategy-vote.mbox"), "--format", "json"])
    whole_report = json.loads(capsys.readouterr().out)
    assert not any("mid-message" in r["reason"] for r in whole_report["review"])
