"""A release vote held the way Apache TVM holds them, as a GitHub issue on a fake api.github.com:
the release manager's call names a deadline without a year, people vote "+1" with a signature
or a checklist, the release manager thanks everyone and closes the issue; the roster is a
CONTRIBUTORS.md. `harvest --thread ISSUE` closes it and counts it as the humans did."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harvester.app.cli import main
from tests.fakes.files import FakeFiles
from tests.fakes.github import FakeGitHub

T0 = datetime(2026, 5, 9, 8, 0, tzinfo=UTC)
TITLE = "[VOTE] Release Apache Widget v0.24.0.rc0"
CALL = """Dear Widget community,

This is a call for vote to release Apache Widget version v0.24.0.

Link to release candidate:
https://dist.apache.org/repos/dist/dev/widget/widget-v0.24.0-rc0/

Everyone is welcomed to vote. Please vote by replying to this thread explicitly. There must be
at least 3 binding +1 votes and more +1 votes than -1 votes.

+1 = approve
+0 = no opinion
-1 = disapprove (provide reason)

NOTE: this thread is being mirrored in dev@

Vote will close May 13th at 23:59M GMT.
"""
CONTRIBUTORS = """# Widget Contributors

## Committers
- [Ada Lovegood](https://github.com/adal) (PMC): @adal - release
- [Bo Chen](https://github.com/bochen) (PMC): @bochen - runtime
- [Carla Dias](https://github.com/carlad): @carlad - docs (PMC)
- [Dev Patel](https://github.com/devp): @devp - frontend
- [Eve Park](https://github.com/evep) (PMC): @evep - CI
"""
COMMENTS = (
    ("bochen", "+1\n\nBC", 2),
    ("devp", "+1", 20),
    ("carlad", "+1\n\nI checked:\n\n- signatures and hashes\n- no unexpected binaries\n", 30),
    ("evep", "> +1 = approve\n\n+1, compiled and imported on Linux", 50),
    ("zed-guest", "Does this include the new CUDA fix? I'd +1 it if so.", 60),
    ("adal", "Thank you all for voting! The result will be showed on the [RESULT] issue.", 112),
    ("devp", "-1, I found a typo in the notes", 113),
)


@pytest.fixture
def issue(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    with FakeGitHub(rate_limit=5000) as github, FakeFiles() as files:
        monkeypatch.setenv("HARVESTER_GITHUB_API_URL", github.url)
        monkeypatch.setenv("HARVESTER_HTTP__PER_HOST_RATE", "0")
        github.add_issue(
            "apache", "widget", 19526, title=TITLE, body=CALL, user="adal", created_at=T0
        )
        for user, body, hours in COMMENTS:
            at = T0 + timedelta(hours=hours)
            github.add_comment("apache", "widget", 19526, user=user, body=body, created_at=at)
        github.close_issue("apache", "widget", 19526, at=T0 + timedelta(hours=114))
        roster = files.add("/apache/widget/main/CONTRIBUTORS.md", CONTRIBUTORS, "text/plain")
        yield github.issue_url("apache", "widget", 19526), roster


def harvest(capsys: pytest.CaptureFixture[str], url: str, roster: str) -> dict[str, Any]:
    code = main(["--thread", url, "--roster", roster, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report: dict[str, Any] = json.loads(captured.out)
    return report


def test_a_tvm_style_github_vote_closes_and_counts_as_the_humans_did(
    issue: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    report = harvest(capsys, *issue)
    assert report["status"] == "passed"
    assert (report["closes_at"], report["closed_by"]) == ("2026-05-13T23:59:00Z", "deadline")
    assert report["counts"] == {
        "binding": {"+1": 3, "0": 0, "-1": 0},
        "non_binding": {"+1": 1, "0": 0, "-1": 0},
    }
    counted = {b["member_id"]: b["value"] for b in report["ballots"] if b["counted"]}
    assert counted == {"bochen": "+1", "carlad": "+1", "evep": "+1", "devp": "+1"}
    late = [(b["member_id"], b["value"]) for b in report["ballots"] if b["late"]]
    assert late == [("devp", "-1")]
    assert report["needs_review"] is False
    reasons = [r["reason"] for r in report["review"]]
    assert any("possible vote not counted" in r and "zed-guest" in r for r in reasons)
