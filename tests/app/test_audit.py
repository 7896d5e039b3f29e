"""`harvest audit`: every vote with a [RESULT] in an archive recounted and set against what its
result announced, from a mail file or from a list on (a fake) lists.apache.org."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from harvester.app.audit import list_of
from harvester.app.cli import main
from tests.fakes.ponymail import FakePonyMail

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROSTER = """
[[members]]
id = "ada"
name = "Ada Archer"
emails = ["ada@apache.org"]
role = "pmc"

[[members]]
id = "bo"
name = "Bo Baker"
emails = ["bo@apache.org"]
role = "pmc"

[[members]]
id = "cy"
name = "Cy Cruz"
emails = ["cy@apache.org"]
role = "pmc"
"""


def mail(vote: str, n: int, sender: str, body: str, *, result: bool = False, days: int = 0) -> str:
    subject = (
        f"[RESULT][VOTE] {vote}" if result else f"[VOTE] {vote}" if n == 0 else f"Re: [VOTE] {vote}"
    )
    key = vote.split()[-1]
    when = T0 + timedelta(days=days, hours=n)
    headers = [
        f"From {sender.split('<')[1].rstrip('>')} {when:%a %b %d %H:%M:%S %Y}",
        f"Message-ID: <{key}-{n}@example.org>",
        f"From: {sender}",
        f"Subject: {subject}",
        f"Date: {format_datetime(when)}",
    ]
    if n and not result:
        headers += [f"In-Reply-To: <{key}-0@example.org>", f"References: <{key}-0@example.org>"]
    return "\n".join(headers) + "\n\n" + body + "\n"


def vote(name: str, result: str, *, days: int = 0, with_result: bool = True) -> list[str]:
    mails = [
        mail(name, 0, "Ada Archer <ada@apache.org>", "Please vote.\n\n+1 (binding)", days=days),
        mail(name, 1, "Bo Baker <bo@apache.org>", "+1", days=days),
        mail(name, 2, "Cy Cruz <cy@apache.org>", "+1 (binding)", days=days),
    ]
    if with_result:
        mails.append(
            mail(name, 9, "Ada Archer <ada@apache.org>", result, result=True, days=days + 4)
        )
    return mails


RIGHT = (
    "The vote has passed with 3 +1 votes (3 binding), no 0 votes and no -1 votes.\n\n"
    "+1:\n- Ada Archer (binding)\n- Bo Baker (binding)\n- Cy Cruz (binding)\n\n0:\n- none\n\n"
    "-1:\n- none"
)
FORGOT_OWN = (
    "The vote has passed with 2 +1 votes (2 binding).\n\n+1 (binding):\n- Bo Baker\n- Cy Cruz"
)


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    mails = [
        *vote("Release Kite 1.0", RIGHT),
        *vote("Release Kite 1.1", FORGOT_OWN, days=10),
        *vote("Release Kite 1.2", "", days=20, with_result=False),
    ]
    path = tmp_path / "dev.mbox"
    path.write_text("\n".join(mails))
    roster = tmp_path / "roster.toml"
    roster.write_text(ROSTER)
    return path, roster


def test_every_vote_with_a_result_is_audited(
    archive: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, roster = archive
    assert main(["audit", "--thread", str(path), "--roster", str(roster), "--format", "json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["title"] for line in lines] == [
        "[VOTE] Release Kite 1.0",
        "[VOTE] Release Kite 1.1",
    ]  # 1.2 has no result: nothing to audit
    right, forgot = lines
    assert right["announced"]["differences"] == []
    assert forgot["announced"]["counts"]["total"] == {"+1": 2, "0": None, "-1": None}
    assert forgot["announced"]["differences"] == [
        "The result says 2 binding +1 votes; the threads hold 3.",
        "The result says 2 +1 votes in all; the threads hold 3.",
        "The result leaves out Ada Archer's +1 (binding).",
    ]


def test_the_table_and_since(
    archive: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, roster = archive
    assert main(["audit", "--thread", str(path), "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["vote", "announced", "(binding", "/"]
    assert "    - The result leaves out Ada Archer's +1 (binding)." in out
    assert out.endswith("2 votes with a result, 1 with differences\n")
    assert main(["audit", "--thread", str(path), "--since", "2026-03-10"]) == 0
    assert capsys.readouterr().out.endswith("1 votes with a result, 1 with differences\n")
    assert main(["audit", "--thread", str(path), "--since", "soon"]) == 2
    assert "--since: not a date (YYYY-MM-DD): 'soon'" in capsys.readouterr().err


def test_a_list_on_lists_apache_org(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HARVESTER_HTTP__PER_HOST_RATE", "0")
    roster = tmp_path / "roster.toml"
    roster.write_text(ROSTER)
    with FakePonyMail() as site:
        for raw in [*vote("Release Kite 1.0", RIGHT), *vote("Release Kite 1.1", FORGOT_OWN)]:
            site.add_mail(raw.split("\n", 1)[1].encode(), list_id="dev@kite.apache.org")
        url = f"{site.url}/list.html?dev@kite.apache.org"
        argv = ["audit", "--thread", url, "--since", "2026-03-01", "--roster", str(roster)]
        assert main([*argv, "--format", "json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((line["title"], len(line["announced"]["differences"])) for line in lines) == [
        ("[VOTE] Release Kite 1.0", 0),
        ("[VOTE] Release Kite 1.1", 3),
    ]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://lists.apache.org/list.html?dev@tvm.apache.org", "dev@tvm.apache.org"),
        ("https://lists.apache.org/list?dev@tvm.apache.org:2023-5", "dev@tvm.apache.org"),
        ("https://lists.apache.org/thread/abc123", None),
        ("https://discuss.tvm.apache.org/t/x/1", None),
    ],
)
def test_a_list_url_names_its_list(url: str, address: str | None) -> None:
    assert list_of(url) == address
