"""`harvest --thread URL …`: one vote spread over a Discourse topic, a list thread and a GitHub
issue on fake sites, counted once per person, with a roster fetched by URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from harvester.app.cli import main
from tests.fakes.discourse import FakeDiscourse, FakePost
from tests.fakes.files import FakeFiles, FakeWhimsy
from tests.fakes.github import FakeGitHub
from tests.fakes.ponymail import FakePonyMail

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TITLE = "[VOTE] Adopt the S0 process"
CALL = (
    "Hi all,\n\nThis is a vote to adopt the S0 process. It is open for at least 72 hours and "
    "passes by lazy 2/3 majority.\n\n+1 from me (binding)\n\nAlice\n"
)
ROSTER_TOML = """
[[members]]
id = "alice"
name = "Alice Archer"
emails = ["alice@apache.org"]
discourse = ["alice"]
github = ["alice-a"]
role = "pmc"

[[members]]
id = "bob"
name = "Bob Baker"
emails = ["bob@apache.org"]
discourse = ["bobb"]
role = "pmc"

[[members]]
id = "carol"
name = "Carol Cruz"
emails = ["carol@apache.org"]
role = "pmc"

[[members]]
id = "dave"
name = "Dave Dunn"
emails = ["dave@apache.org"]
github = ["daved"]
role = "pmc"

[[members]]
id = "gina"
name = "Gina Gold"
emails = ["gina@apache.org"]
discourse = ["gina"]
role = "pmc"

[[members]]
id = "erin"
name = "Erin Eng"
discourse = ["erin"]
role = "committer"
"""


def mail(
    n: int,
    sender: str,
    body: str,
    *,
    minutes: int,
    extra: tuple[str, ...] = (),
    subject: str = "Re: " + TITLE,
) -> bytes:
    headers = [
        f"Message-ID: <m{n}@example.org>",
        f"From: {sender}",
        "To: dev@tvm.apache.org",
        f"Subject: {subject}",
        f"Date: {format_datetime(T0 + timedelta(minutes=minutes))}",
        "Content-Type: text/plain; charset=utf-8",
        *extra,
    ]
    if n:
        headers += ["In-Reply-To: <m0@example.org>", "References: <m0@example.org>"]
    return ("\n".join(headers) + "\n\n" + body).encode()


class Sites:
    def __init__(self) -> None:
        self.discourse = FakeDiscourse()
        self.lists = FakePonyMail()
        self.github = FakeGitHub()
        self.files = FakeFiles()

    def __enter__(self) -> Sites:
        for site in (self.discourse, self.lists, self.github, self.files):
            site.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for site in (self.discourse, self.lists, self.github, self.files):
            site.stop()


def fill(sites: Sites) -> dict[str, str]:
    """The vote: a call on dev@ mirrored as a topic and an issue; ballots in all three places."""
    root = sites.lists.add_mail(
        mail(0, "Alice Archer <alice@apache.org>", CALL, minutes=0, subject=TITLE)
    )
    sites.lists.add_mail(mail(1, "Bob Baker <bob@apache.org>", "+1 (binding)\n", minutes=60))
    sites.lists.add_mail(
        mail(
            2,
            "Carol Cruz via dev <dev@tvm.apache.org>",
            "+1\n\nCarol\n",
            minutes=120,
            extra=("Reply-To: Carol Cruz <carol@apache.org>",),
        )
    )
    notification = (
        "-1, we need more time.\n\n—\nReply to this email directly, or view it on GitHub."
    )
    sites.lists.add_mail(
        mail(
            3,
            "Dave Dunn <notifications@github.com>",
            notification,
            minutes=181,
            extra=("X-GitHub-Sender: daved",),
        )
    )
    sites.discourse.add_topic(
        77,
        "vote-adopt-the-s0-process",
        TITLE,
        [
            FakePost(
                "alice", "<p>" + CALL.replace("\n\n", "</p><p>") + "</p>", T0 + timedelta(minutes=1)
            ),
            FakePost("erin", "<p>+1</p>", T0 + timedelta(hours=5), name="Erin Eng"),
            FakePost("gina", "<p>+1 (binding)</p>", T0 + timedelta(hours=6), name="Gina Gold"),
            FakePost("bobb", "<p>+1</p>", T0 + timedelta(hours=7), name="Bob Baker"),
            FakePost("carol", "<p>-1</p>", T0 + timedelta(hours=8), hidden=True),
        ],
    )
    sites.github.add_issue(
        "apache",
        "tvm",
        99,
        title=TITLE,
        body=CALL,
        user="alice-a",
        created_at=T0 + timedelta(minutes=2),
    )
    sites.github.add_comment(
        "apache",
        "tvm",
        99,
        user="daved",
        body="-1, we need more time.",
        created_at=T0 + timedelta(hours=3),
    )
    sites.github.add_comment(
        "apache", "tvm", 99, user="frankf", body="+1 looks good", created_at=T0 + timedelta(hours=4)
    )
    return {
        "list": sites.lists.thread_url(root),
        "topic": sites.discourse.topic_url(77),
        "issue": sites.github.issue_url("apache", "tvm", 99),
        "roster": sites.files.add("/rosters/tvm.toml", ROSTER_TOML, "text/plain"),
    }


@pytest.fixture
def vote(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sites, dict[str, str]]]:
    with Sites() as sites:
        monkeypatch.setenv("HARVESTER_GITHUB_API_URL", sites.github.url)
        monkeypatch.setenv("HARVESTER_HTTP__PER_HOST_RATE", "0")
        yield sites, fill(sites)


def harvest(capsys: pytest.CaptureFixture[str], urls: dict[str, str], *extra: str) -> Any:
    code = main(
        [
            "--thread", urls["list"],
            "--thread", urls["topic"],
            "--thread", urls["issue"],
            "--roster", urls["roster"],
            "--closes-at", (T0 + timedelta(days=4)).isoformat(),
            "--format", "json",
            *extra,
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_one_vote_over_three_sites_counts_each_person_once(
    vote: tuple[Sites, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sites, urls = vote
    result = harvest(capsys, urls)
    effective = {b["voter"]: (b["value"], b["binding"], b["match"]) for b in result["ballots"]}
    assert effective == {
        "Alice Archer": ("+1", True, "asf-address"),
        "Bob Baker": ("+1", True, "username"),
        "Carol Cruz": ("+1", True, "dmarc-rewrite"),
        "Dave Dunn": ("-1", True, "username"),
        "frankf": ("+1", False, "unknown"),
        "Erin Eng": ("+1", False, "username"),
        "Gina Gold": ("+1", True, "username"),
    }
    assert result["counts"] == {
        "binding": {"+1": 4, "0": 0, "-1": 1},
        "non_binding": {"+1": 2, "0": 0, "-1": 0},
    }
    assert result["status"] == "passed"
    assert result["rule"] == "lazy-2/3"
    assert [(s["kind"], s["messages"]) for s in result["sources"]] == [
        ("ponymail", 4),
        ("discourse", 5),
        ("github", 3),
    ]
    # The call was posted in three places and Dave's comment reached dev@ as a notification:
    # each is one ballot, with the copies' URLs kept.
    alice = next(b for b in result["ballots"] if b["voter"] == "Alice Archer")
    assert alice["url"].startswith(sites.lists.url + "/thread/")
    assert sorted(alice["mirrors"]) == sorted(
        [urls["topic"] + "/1", "https://github.com/apache/tvm/issues/99"]
    )
    dave = next(b for b in result["ballots"] if b["voter"] == "Dave Dunn")
    assert dave["url"].startswith("https://github.com/apache/tvm/issues/99#issuecomment-")
    assert len(dave["mirrors"]) == 1
    # Bob voted twice (list, then Discourse): both shown, counted once.
    bob = [b for b in result["history"] if b["voter"] == "Bob Baker"]
    assert [b["url"].split("/")[2] for b in bob] == [
        sites.lists.url.split("/")[2],
        sites.discourse.url.split("/")[2],
    ]
    # Polite: the fewest requests the formats allow.
    assert sites.discourse.count("") == 1
    assert sites.lists.count("/api/thread") == 1
    assert sites.lists.count("/api/mbox") == 1
    assert sites.lists.count("/api/email") == 0
    assert sites.github.count("") == 2
    assert sites.files.count("") == 1


def test_text_output_lists_every_source(
    vote: tuple[Sites, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, urls = vote
    code = main(["--thread", urls["topic"], "--thread", urls["issue"], "--roster", urls["roster"]])
    out = capsys.readouterr().out
    assert code == 0
    assert urls["topic"] in out
    assert "https://github.com/apache/tvm/issues/99" in out


def test_a_site_that_keeps_failing_is_exit_1_with_url_status_and_attempts(
    vote: tuple[Sites, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sites, urls = vote
    monkeypatch.setenv("HARVESTER_HTTP__MAX_ATTEMPTS", "2")
    monkeypatch.setenv("HARVESTER_HTTP__BACKOFF_BASE", "0")
    from tests.fakes.base import status

    sites.github.fail_next("/comments", status(502, "bad gateway"), status(502, "bad gateway"))
    code = main(["--thread", urls["topic"], "--thread", urls["issue"]])
    err = capsys.readouterr().err
    assert code == 1
    (line,) = [x for x in err.splitlines() if x.startswith("harvest: error:")]
    assert line.startswith(
        f"harvest: error: {sites.github.url}/repos/apache/tvm/issues/99/comments"
    )
    assert line.endswith("HTTP 502 after 2 attempts")
    assert "Traceback" not in err


def test_roster_from_whimsy_committee_info(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    info = {
        "last_updated": "2026-03-01 10:15:00 UTC",
        "committees": {
            "tvm": {
                "display_name": "TVM",
                "roster": {
                    "alice": {"name": "Alice Archer", "date": "2019-03-08"},
                    "bob": {"name": "Bob Baker", "date": "2020-01-01"},
                },
                "pmc": True,
            }
        },
    }
    monkeypatch.setenv("HARVESTER_HTTP__PER_HOST_RATE", "0")
    with FakeWhimsy(info) as whimsy, FakePonyMail() as lists:
        root = lists.add_mail(
            mail(0, "Alice Archer <alice@apache.org>", CALL, minutes=0, subject=TITLE)
        )
        lists.add_mail(mail(1, "Bob Baker <bob@apache.org>", "+1\n", minutes=60))
        lists.add_mail(mail(2, "Zed Zee <zed@example.com>", "+1\n", minutes=70))
        args = ["--thread", lists.thread_url(root), "--roster", whimsy.committee_info_url]
        code = main([*args, "--committee", "tvm", "--format", "json"])
        result = json.loads(capsys.readouterr().out)
        assert whimsy.count("/public/committee-info.json") == 1
    assert code == 0
    assert result["counts"]["binding"] == {"+1": 2, "0": 0, "-1": 0}
    assert result["counts"]["non_binding"] == {"+1": 1, "0": 0, "-1": 0}


def test_roster_from_a_raw_contributors_md(
    vote: tuple[Sites, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sites, urls = vote
    contributors = (
        "## Committers\n\n"
        "- [Dave Dunn](https://github.com/daved) (PMC): @daved - runtime\n"
        "- [Frank F](https://github.com/frankf): @frankf - frontend\n"
    )
    roster = sites.files.add("/apache/tvm/main/CONTRIBUTORS.md", contributors, "text/plain")
    code = main(["--thread", urls["issue"], "--roster", roster, "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    effective = {b["voter"]: (b["value"], b["binding"]) for b in result["ballots"]}
    assert effective["Dave Dunn"] == ("-1", True)
    assert effective["Frank F"] == ("+1", False)  # a committer: not in the PMC electorate


def test_a_roster_url_that_is_missing_is_exit_1(
    vote: tuple[Sites, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    sites, urls = vote
    missing = sites.files.url + "/nope/roster.toml"
    code = main(["--thread", urls["issue"], "--roster", missing])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == f"harvest: error: {missing}: HTTP 404"
