"""poll_issue against the fake api.github.com: what a poll returns and what it costs, in requests
and in rate limit (a 304 costs none); and HttpClient's handling of 304 Not Modified."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from harvester.model import ThreadUpdate
from harvester.sources.github import GitHubOptions, poll_issue
from harvester.sources.http import Fetched, HttpClient, HttpOptions
from tests.fakes.github import FakeGitHub

T = TypeVar("T")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TITLE = "[VOTE] Adopt the release process"
NUMBER = 42
ISSUE_PATH = rf"^/repos/apache/tvm/issues/{NUMBER}$"
COMMENTS_PATH = rf"^/repos/apache/tvm/issues/{NUMBER}/comments$"
OPTIONS = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=3)


@contextmanager
def github(comments: int = 3) -> Iterator[tuple[FakeGitHub, list[int]]]:
    """apache/tvm#42, labelled, with `comments` comments a minute apart."""
    site = FakeGitHub(rate_limit=5000)
    site.add_issue(
        "apache",
        "tvm",
        NUMBER,
        title=TITLE,
        body="Please vote.",
        user="alice",
        created_at=START,
        labels=("vote", "process"),
    )
    ids = [
        site.add_comment(
            "apache", "tvm", NUMBER, user=f"user{n}", body="+1", created_at=_minute(n + 1)
        )
        for n in range(comments)
    ]
    with site:
        yield site, ids


def _minute(n: int) -> datetime:
    return START + timedelta(minutes=n)


def run(work: Callable[[HttpClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with HttpClient(OPTIONS) as client:
            return await work(client)

    return asyncio.run(main())


def poll(site: FakeGitHub, cursor: Mapping[str, object] | None = None) -> ThreadUpdate:
    """One poll; the cursor goes through JSON first, as a caller storing it would do."""
    stored = json.loads(json.dumps(cursor)) if cursor is not None else None
    url = site.issue_url("apache", "tvm", NUMBER)
    options = GitHubOptions(api_url=site.url)
    return run(lambda client: poll_issue(client, url, options, stored))


def settled(site: FakeGitHub) -> ThreadUpdate:
    """A full read followed by the one 200 poll that picks up the ETag of the since-query."""
    full = poll(site)
    return poll(site, full.cursor)


# --- HttpClient and 304 -------------------------------------------------------------------------


def test_a_304_is_one_request_returned_as_status_304_not_retried_or_an_error() -> None:
    with github() as (site, _):
        target = f"{site.url}/repos/apache/tvm/issues/{NUMBER}/comments"
        first = run(lambda client: client.get(target, expect_json=True))
        etag = first.headers["ETag"]
        site.reset_log()

        def conditional(client: HttpClient) -> Awaitable[Fetched]:
            return client.get(target, headers={"If-None-Match": etag}, expect_json=True)

        answer = run(conditional)
        assert answer.status == 304
        assert answer.body == b""
        assert site.count(COMMENTS_PATH) == 1


# --- full read ----------------------------------------------------------------------------------


def test_no_cursor_is_a_full_read_with_labels_and_a_json_cursor() -> None:
    with github() as (site, ids):
        update = poll(site)
        assert update.complete
        assert update.changed
        assert update.removed == ()
        assert [m.source_id for m in update.thread.messages][1:] == [f"comment-{i}" for i in ids]
        assert update.thread.labels == ("vote", "process")
        assert update.cursor["since"] == "2026-03-02T09:03:00Z"  # the newest comment
        assert update.cursor["seen"] == [f"comment-{ids[-1]}"]
        assert update.cursor["labels"] == ["vote", "process"]
        assert json.loads(json.dumps(update.cursor)) == update.cursor
        assert site.count(ISSUE_PATH) == 1
        assert site.count(COMMENTS_PATH) == 1


def test_an_issue_without_comments_polls_from_its_creation() -> None:
    with github(comments=0) as (site, _):
        full = poll(site)
        assert full.cursor["since"] == "2026-03-02T09:00:00Z"
        site.reset_log()
        again = poll(site, full.cursor)
        assert not again.changed
        assert site.count(COMMENTS_PATH) == 1
        assert site.count(ISSUE_PATH) == 1  # the issue's state: is the vote closed?


# --- unchanged ----------------------------------------------------------------------------------


def test_an_unchanged_issue_costs_two_requests_per_poll_and_then_no_rate_limit() -> None:
    with github() as (site, _):
        full = poll(site)
        site.reset_log()
        remaining = site.remaining

        first = poll(site, full.cursor)  # 200s: the full read's ETags belong to other queries
        assert not first.changed
        assert not first.complete
        assert first.thread.messages == ()
        assert first.thread.title == TITLE
        assert first.thread.labels == ("vote", "process")
        assert not first.thread.closed
        assert (site.count(ISSUE_PATH), site.count(COMMENTS_PATH)) == (1, 1)
        assert site.remaining == remaining - 2

        second = poll(site, first.cursor)
        assert not second.changed
        assert second.thread.messages == ()
        assert (site.count(ISSUE_PATH), site.count(COMMENTS_PATH)) == (2, 2)
        assert site.remaining == remaining - 2  # the 304s were free
        assert second.cursor == first.cursor

        third = poll(site, second.cursor)
        assert not third.changed
        assert site.count() == 6
        assert site.remaining == remaining - 2


def test_a_closed_issue_is_seen_by_the_next_poll_with_its_closing_time() -> None:
    with github() as (site, _):
        state = settled(site)
        site.close_issue("apache", "tvm", NUMBER, at=_minute(50))
        update = poll(site, state.cursor)
        assert update.changed
        assert update.thread.closed
        assert update.thread.closed_at == _minute(50)
        assert update.cursor["closed_at"] == "2026-03-02T09:50:00Z"
        again = poll(site, update.cursor)
        assert not again.changed
        assert again.thread.closed_at == _minute(50)


def test_a_full_read_of_a_closed_issue_has_its_closing_time() -> None:
    with github() as (site, _):
        site.close_issue("apache", "tvm", NUMBER, at=_minute(70))
        full = poll(site)
        assert full.thread.closed
        assert full.thread.closed_at == _minute(70)


def test_a_cursor_from_before_the_state_was_followed_still_polls() -> None:
    with github() as (site, _):
        state = settled(site)
        old = {k: v for k, v in state.cursor.items() if k not in ("issue_etag", "closed_at")}
        site.reset_log()
        update = poll(site, old)
        assert not update.complete
        assert site.count(COMMENTS_PATH) == 1


def test_a_poll_asks_for_comments_since_the_newest_with_the_etag() -> None:
    with github() as (site, _):
        first = settled(site)
        site.reset_log()
        poll(site, first.cursor)
        [request] = site.matching(COMMENTS_PATH)
        assert request.param("since") == ["2026-03-02T09:03:00Z"]
        assert request.param("per_page") == ["100"]
        assert request.headers["If-None-Match"] == first.cursor["etag"]


# --- new and edited comments ---------------------------------------------------------------------


def test_a_new_comment_is_the_only_message_and_costs_one_comments_request() -> None:
    with github() as (site, _):
        state = settled(site)
        new_id = site.add_comment(
            "apache", "tvm", NUMBER, user="bob", body="-1", created_at=_minute(30)
        )
        site.reset_log()
        update = poll(site, state.cursor)
        assert update.changed
        assert not update.complete
        assert [m.source_id for m in update.thread.messages] == [f"comment-{new_id}"]
        assert update.thread.messages[0].body == "-1"
        assert update.thread.messages[0].thread_url == site.issue_url("apache", "tvm", NUMBER)
        assert site.count(COMMENTS_PATH) == 1
        assert update.cursor["since"] == "2026-03-02T09:30:00Z"

        after = poll(site, update.cursor)  # new query, new ETag: one more 200, nothing new
        assert not after.changed
        assert after.thread.messages == ()
        remaining = site.remaining
        quiet = poll(site, after.cursor)
        assert not quiet.changed
        assert site.remaining == remaining
        assert site.count(COMMENTS_PATH) == 3


def test_an_edited_comment_comes_back_with_its_new_body() -> None:
    with github() as (site, ids):
        state = settled(site)
        site.edit_comment(ids[0], "+1 (changed my mind: now binding)", at=_minute(40))
        site.reset_log()
        update = poll(site, state.cursor)
        assert update.changed
        [edited] = update.thread.messages
        assert edited.source_id == f"comment-{ids[0]}"
        assert edited.body == "+1 (changed my mind: now binding)"
        assert edited.updated_at == _minute(40)
        assert site.count(COMMENTS_PATH) == 1


def test_comments_in_the_same_second_as_the_newest_seen_are_not_lost() -> None:
    with github() as (site, ids):
        state = settled(site)
        twin = site.add_comment(
            "apache", "tvm", NUMBER, user="carol", body="+1", created_at=_minute(3)
        )
        update = poll(site, state.cursor)
        assert [m.source_id for m in update.thread.messages] == [f"comment-{twin}"]
        seen = update.cursor["seen"]
        assert isinstance(seen, list)
        assert sorted(seen) == sorted([f"comment-{ids[-1]}", f"comment-{twin}"])


def test_many_new_comments_follow_the_link_header() -> None:
    with github() as (site, _):
        state = settled(site)
        for n in range(150):
            site.add_comment(
                "apache", "tvm", NUMBER, user=f"late{n}", body="+1", created_at=_minute(60 + n)
            )
        site.reset_log()
        update = poll(site, state.cursor)
        assert len(update.thread.messages) == 150
        requests = site.matching(COMMENTS_PATH)
        assert len(requests) == 2
        assert "If-None-Match" in requests[0].headers
        assert "If-None-Match" not in requests[1].headers


# --- malformed cursors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        {},
        {"etag": "x"},
        {
            "thread_url": "u",
            "title": "t",
            "labels": [],
            "etag": "",
            "since": "yesterday",
            "seen": [],
        },
        {"thread_url": "u", "title": "t", "labels": [1], "etag": "", "since": "", "seen": []},
        {"thread_url": 3, "title": "t", "labels": [], "etag": "", "since": "", "seen": "x"},
    ],
)
def test_a_malformed_cursor_falls_back_to_a_full_read(cursor: dict[str, object]) -> None:
    with github() as (site, ids):
        update = poll(site, cursor)
        assert update.complete
        assert update.changed
        assert len(update.thread.messages) == 1 + len(ids)
        assert site.count(ISSUE_PATH) == 1
        assert site.count(COMMENTS_PATH) == 1
