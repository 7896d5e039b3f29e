"""Several roster files of one project as one roster on the command line: committee-info.json
says who is on the PMC, public_ldap_projects.json adds the committers, so a vote held among
committers is counted from Whimsy's own data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.app.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "roster"
VOTE = """From dand@apache.org Mon Mar  2 09:00:00 2026
Message-ID: <call@x>
From: Alice Example <alicee@apache.org>
Subject: [VOTE] Adopt the plan
Date: Mon, 02 Mar 2026 09:00:00 +0000

Please vote.

+1 (binding)

From dand@apache.org Mon Mar  2 10:00:00 2026
Message-ID: <r1@x>
In-Reply-To: <call@x>
From: Dan Dorsey <dand@apache.org>
Subject: Re: [VOTE] Adopt the plan
Date: Mon, 02 Mar 2026 10:00:00 +0000

+1
"""


@pytest.mark.parametrize(("electorate", "dan_binding"), [("pmc", False), ("committers", True)])
def test_a_committer_is_binding_in_a_committers_vote(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    electorate: str,
    dan_binding: bool,
) -> None:
    mbox = tmp_path / "vote.mbox"
    mbox.write_text(VOTE)
    monkeypatch.setenv("HARVESTER_VOTE__ELECTORATE", electorate)
    rosters = [
        "--roster", str(DATA / "committee_info_excerpt.json"),
        "--roster", str(DATA / "public_ldap_projects_excerpt.json"),
        "--roster", str(DATA / "public_ldap_people_excerpt.json"),
    ]  # fmt: skip
    argv = ["--thread", str(mbox), *rosters, "--committee", "example", "--format", "json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    dan = next(b for b in report["ballots"] if b["member_id"] == "dand")
    assert dan["voter"] == "Dan Dorsey"
    assert dan["binding"] is dan_binding
    assert report["electorate_size"] == (4 if electorate == "pmc" else 7)
