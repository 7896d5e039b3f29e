"""harvester.sources.github against the fake api.github.com: messages, request counts, headers, and
what happens when GitHub says no (404, rate limits, plain permission errors)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from harvester.errors import SourceError
from harvester.model import BodyFormat, Thread
from harvester.sources.github import GitHubOptions, IssueRef, fetch_issue, parse_issue_url
from harvester.sources.http import HttpClient, HttpOptions
from tests.fakes.base import status
from tests.fakes.github import FakeGitHub

START = datetime(2023, 8, 14, 16, 2, 11, tzinfo=UTC)
TITLE = "[VOTE] Release Apache TVM v0.14.0"
ISSUE = 15521
PULL = 15600
ISSUE_PATH = rf"^/repos/apache/tvm/issues/{ISSUE}$"
COMMENTS_PATH = rf"^/repos/apache/tvm/issues/{ISSUE}/comments$"


def make_site(comments: int = 250) -> tuple[FakeGitHub, list[int]]:
    """apache/tvm#15521 with `comments` comments a minute apart, and PR #15600 with two."""
    site = FakeGitHub(rate_limit=5000)
    site.add_issue(
        "apache",
        "tvm",
        ISSUE,
        title=TITLE,
        body="Please vote.\n\n- [ ] +1\n- [ ] -1\n",
        user="alice",
        created_at=START,
    )
    ids = []
    for n in range(comments):
        user = "tvm-bot[bot]" if n == 0 else f"user{n % 7}"
        when = START + timedelta(minutes=n + 1)
        ids.append(
            site.add_comment(
                "apache", "tvm", ISSUE, user=user, body=f"+1 **binding** #{n}", created_at=when
            )
        )
    site.add_issue(
        "apache",
        "tvm",
        PULL,
        title="[VOTE] Merge the PR",
        body="",
        user="bob",
        created_at=START,
        pull=True,
    )
    site.add_comment("apache", "tvm", PULL, user="carol", body="+1", created_at=START)
    site.add_comment("apache", "tvm", PULL, user="dan", body="-1", created_at=START)
    return site, ids


def fetch(
    site: FakeGitHub,
    url: str,
    *,
    token: str = "",
    options: HttpOptions | None = None,
    on_sleep: Callable[[float], None] | None = None,
    waits: list[float] | None = None,
) -> tuple[Thread, list[float]]:
    """fetch_issue through a client whose sleeps are recorded (in `waits`), not slept."""
    waits = [] if waits is None else waits
    opts = options or HttpOptions(per_host_rate=0, backoff_base=0.0)

    async def recorder(seconds: float) -> None:
        waits.append(seconds)
        if on_sleep is not None:
            on_sleep(seconds)

    async def main() -> Thread:
        async with HttpClient(opts, sleep=recorder) as client:
            return await fetch_issue(client, url, GitHubOptions(api_url=site.url, token=token))

    return asyncio.run(main()), waits


def issue_url(site: FakeGitHub) -> str:
    return site.issue_url("apache", "tvm", ISSUE)


# --- parse_issue_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/apache/tvm/issues/123", IssueRef("apache", "tvm", 123)),
        ("https://github.com/apache/tvm/pull/45", IssueRef("apache", "tvm", 45)),
        ("https://github.com/apache/tvm/pull/45/files", IssueRef("apache", "tvm", 45)),
        (
            "https://github.com/apache/tvm/issues/123#issuecomment-1687000000",
            IssueRef("apache", "tvm", 123),
        ),
        ("https://api.github.com/repos/apache/tvm/issues/123", IssueRef("apache", "tvm", 123)),
        ("http://github.com/Apache/TVM/issues/7", IssueRef("Apache", "TVM", 7)),
    ],
)
def test_parse_issue_url_accepts_issues_and_pulls(url: str, expected: IssueRef) -> None:
    assert parse_issue_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/apache/tvm",
        "https://github.com/apache/tvm/issues",
        "https://github.com/apache/tvm/issues/new",
        "https://github.com/apache/tvm/discussions/12",
        "https://github.com/apache/tvm/commit/abc123",
        "https://api.github.com/apache/tvm/issues/123",  # API paths start with /repos/
        "https://api.github.com/repos/apache/tvm/issues/comments/123",
        "ftp://github.com/apache/tvm/issues/1",
        "github.com/apache/tvm/issues/1",
        "https://lists.apache.org/thread/rt6hrlhc4cwz0bwzf4lys43cb7lz30h6",
    ],
)
def test_parse_issue_url_rejects_other_urls(url: str) -> None:
    assert parse_issue_url(url) is None


# --- fetch_issue --------------------------------------------------------------------------------


def test_fetch_issue_with_250_comments_pages_by_100() -> None:
    site, ids = make_site(250)
    with site:
        thread, waits = fetch(site, issue_url(site))
        comment_requests = site.matching(COMMENTS_PATH)
        assert site.count(ISSUE_PATH) == 1
        assert len(site.requests) == 4

    assert waits == []
    assert len(comment_requests) == 3
    assert [r.param("per_page") for r in comment_requests] == [["100"]] * 3
    assert [r.param("page") for r in comment_requests] == [[], ["2"], ["3"]]

    assert thread.kind == "github"
    assert thread.url == "https://github.com/apache/tvm/issues/15521"
    assert thread.title == TITLE
    assert len(thread.messages) == 251
    first, *comments = thread.messages
    assert first.source_id.startswith("issue-")
    assert first.url == thread.url
    assert first.subject == TITLE
    assert (first.author.name, first.author.username) == ("alice", "alice")
    assert first.body == "Please vote.\n\n- [ ] +1\n- [ ] -1\n"
    assert first.sent_at == START

    assert [c.source_id for c in comments] == [f"comment-{i}" for i in ids]
    assert [c.url for c in comments] == [f"{thread.url}#issuecomment-{i}" for i in ids]
    assert [c.body for c in comments] == [f"+1 **binding** #{n}" for n in range(250)]
    assert comments[0].author.username == "tvm-bot[bot]"
    assert [c.author.username for c in comments[1:8]] == [f"user{n % 7}" for n in range(1, 8)]
    assert all(c.author.name == c.author.username for c in comments)
    assert {c.subject for c in comments} == {f"Re: {TITLE}"}
    assert {m.source for m in thread.messages} == {"github"}
    assert {m.body_format for m in thread.messages} == {BodyFormat.MARKDOWN}
    assert len({m.source_id for m in thread.messages}) == 251
    times = [m.sent_at for m in thread.messages]
    assert times == sorted(times)
    assert comments[-1].sent_at == START + timedelta(minutes=250)


def test_every_message_names_its_thread() -> None:
    site, _ = make_site(3)
    with site:
        thread, _ = fetch(site, issue_url(site))

    assert len(thread.messages) == 4
    assert [m.thread_url for m in thread.messages] == [thread.url] * 4


def test_token_goes_on_every_request_and_only_when_given() -> None:
    site, _ = make_site(150)
    with site:
        fetch(site, issue_url(site), token="t0ken")
        with_token = list(site.requests)
        site.reset_log()
        fetch(site, issue_url(site))
        without_token = list(site.requests)

    assert len(with_token) == len(without_token) == 3  # the issue and two comment pages
    for request in with_token:
        assert request.headers["Authorization"] == "Bearer t0ken"
    for request in without_token:
        assert "Authorization" not in request.headers
        assert "authorization" not in {name.lower() for name in request.headers}
    for request in with_token + without_token:
        assert request.headers["User-Agent"].startswith("harvester/")
        assert request.headers["Accept"] == "application/vnd.github+json"


def test_pull_request_url_reads_the_issues_endpoint() -> None:
    site, _ = make_site(0)
    with site:
        url = site.issue_url("apache", "tvm", PULL, pull=True)
        thread, _ = fetch(site, url)
        assert site.count(rf"^/repos/apache/tvm/issues/{PULL}$") == 1
        assert site.count(rf"^/repos/apache/tvm/issues/{PULL}/comments$") == 1
        assert site.count(r"/pulls/") == 0

    assert thread.url == "https://github.com/apache/tvm/pull/15600"
    assert thread.title == "[VOTE] Merge the PR"
    assert [(m.author.username, m.body) for m in thread.messages] == [
        ("bob", ""),
        ("carol", "+1"),
        ("dan", "-1"),
    ]
    assert thread.messages[1].url.startswith(
        "https://github.com/apache/tvm/pull/15600#issuecomment-"
    )


def test_unknown_issue_is_no_such_issue() -> None:
    site, _ = make_site(0)
    with site:
        url = site.issue_url("apache", "tvm", 99999)
        with pytest.raises(SourceError) as caught:
            fetch(site, url)
        assert site.count(r"^/repos/apache/tvm/issues/99999") == 1  # 404 is final

    assert str(caught.value).startswith(url)
    assert "no such issue" in str(caught.value)


# --- rate limits and refusals -------------------------------------------------------------------


def test_secondary_rate_limit_waits_retry_after() -> None:
    site, _ = make_site(3)
    with site:
        site.fail_next(
            r"/comments",
            status(
                403,
                '{"message":"You have exceeded a secondary rate limit."}',
                content_type="application/json",
                retry_after="3",
            ),
        )
        thread, waits = fetch(site, issue_url(site))
        assert site.count(COMMENTS_PATH) == 2
        assert site.count(ISSUE_PATH) == 1

    assert waits == [3.0]
    assert len(thread.messages) == 4


def test_primary_rate_limit_waits_until_reset() -> None:
    site, _ = make_site(3)
    with site:
        site.remaining = 0  # every answer is GitHub's 403 "API rate limit exceeded" until refilled
        site.reset_at = int(time.time()) + 5

        def refill(seconds: float) -> None:
            site.remaining = 5000

        thread, waits = fetch(site, issue_url(site), on_sleep=refill)
        assert site.count(ISSUE_PATH) == 2
        assert site.count(COMMENTS_PATH) == 1

    assert len(waits) == 1
    assert waits[0] == pytest.approx(5, abs=1.5)
    assert len(thread.messages) == 4


def test_primary_rate_limit_from_a_fault_waits_until_reset() -> None:
    site, _ = make_site(3)
    with site:
        reset = int(time.time()) + 5
        site.fail_next(
            r"/comments",
            status(
                403,
                '{"message":"API rate limit exceeded for 127.0.0.1."}',
                content_type="application/json",
                x_ratelimit_remaining="0",
                x_ratelimit_reset=str(reset),
            ),
        )
        thread, waits = fetch(site, issue_url(site))
        assert site.count(COMMENTS_PATH) == 2

    assert len(waits) == 1
    assert waits[0] == pytest.approx(5, abs=1.5)
    assert len(thread.messages) == 4


def test_plain_403_is_not_retried() -> None:
    site, _ = make_site(3)
    with site:
        site.fail_next(
            ISSUE_PATH,
            status(
                403,
                '{"message":"Resource not accessible by personal access token"}',
                content_type="application/json",
            ),
        )
        with pytest.raises(SourceError) as caught:
            fetch(site, issue_url(site))
        assert site.count(ISSUE_PATH) == 1
        assert site.count(COMMENTS_PATH) == 0

    assert "403" in str(caught.value)
    assert "rate limited" not in str(caught.value)


def test_reset_beyond_max_wait_fails_at_once() -> None:
    site, _ = make_site(3)
    with site:
        site.remaining = 0
        site.reset_at = int(time.time()) + 3600
        options = HttpOptions(per_host_rate=0, backoff_base=0.0, max_wait=60)
        waits: list[float] = []
        with pytest.raises(SourceError) as caught:
            fetch(site, issue_url(site), options=options, waits=waits)
        assert site.count(ISSUE_PATH) == 1
        assert len(site.requests) == 1

    assert waits == []
    message = str(caught.value)
    assert "max_wait" in message
    assert "403" in message
