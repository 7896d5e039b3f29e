"""Posting into a vote's thread (sources/replies.py): one POST each, its URL back, and a failure
as one line — never retried by the client, since a lost answer may hide a post that was made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from harvester.errors import SourceError
from harvester.sources.discourse import DiscourseAuth
from harvester.sources.github import GitHubOptions
from harvester.sources.http import HttpClient, HttpOptions
from harvester.sources.replies import comment_on_issue, reply_on_topic
from tests.fakes.base import status
from tests.fakes.discourse import FakeDiscourse, FakePost
from tests.fakes.github import FakeGitHub

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FAST = HttpOptions(per_host_rate=0, backoff_base=0, max_attempts=5)
ISSUE = "https://github.com/apache/tvm/issues/7"


def test_a_comment_is_posted_once_with_the_token_and_its_url_comes_back() -> None:
    with FakeGitHub() as site:
        site.add_issue("apache", "tvm", 7, title="[VOTE] X", body="b", user="a", created_at=T0)
        site.tokens["tok"] = "harvester-bot"
        options = GitHubOptions(site.url, "tok")

        async def post() -> str:
            async with HttpClient(FAST) as client:
                return await comment_on_issue(client, ISSUE, "**result**", options)

        url = asyncio.run(post())
        (comment,) = site._issues[("apache", "tvm", 7)].comments
    assert url == f"{ISSUE}#issuecomment-{comment.id}"
    assert (comment.user, comment.body) == ("harvester-bot", "**result**")


@pytest.mark.parametrize(
    ("token", "fault", "said"),
    [
        ("wrong", None, "GitHub did not take the comment: HTTP 401"),
        ("tok", status(502, "bad gateway"), "HTTP 502 (not retried)"),
    ],
)
def test_a_refused_or_failed_comment_is_one_line_and_one_request(
    token: str, fault: object, said: str
) -> None:
    with FakeGitHub() as site:
        site.add_issue("apache", "tvm", 7, title="[VOTE] X", body="b", user="a", created_at=T0)
        site.tokens["tok"] = "harvester-bot"
        if fault is not None:
            site.fail_next(r"/comments$", fault)  # type: ignore[arg-type]

        async def post() -> str:
            async with HttpClient(FAST) as client:
                return await comment_on_issue(client, ISSUE, "x", GitHubOptions(site.url, token))

        with pytest.raises(SourceError) as caught:
            asyncio.run(post())
        posts = [r for r in site.requests if r.method == "POST"]
    assert str(caught.value).startswith(ISSUE + ": ")
    assert said in str(caught.value)
    assert len(posts) == 1


def test_a_reply_goes_to_the_topic_as_the_api_user() -> None:
    with FakeDiscourse(api_key="key", api_username="harvester") as site:
        site.add_topic(77, "vote-x", "[VOTE] X", [FakePost("alice", "<p>call</p>", T0)])
        auth = DiscourseAuth("key", "harvester")

        async def post(url: str) -> str:
            async with HttpClient(FAST) as client:
                return await reply_on_topic(client, url, "**result**", auth)

        url = asyncio.run(post(site.topic_url(77)))
        reply = site.post(77, 2)
        with pytest.raises(SourceError, match="not a Discourse topic URL"):
            asyncio.run(post(f"{site.url}/c/votes/5"))
    assert url == f"{site.url}/t/vote-x/77/2"
    assert (reply.username, reply.cooked) == ("harvester", "<p><strong>result</strong></p>")
