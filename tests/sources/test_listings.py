"""Discovery listings: a Discourse category's topics and a GitHub repository's issues, with their
paging (and its cap) counted in requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from harvester.errors import SourceError
from harvester.sources.discourse import (
    TopicListing,
    list_category_topics,
    parse_category_url,
)
from harvester.sources.github import GitHubOptions, IssueListing, list_repo_issues
from harvester.sources.http import HttpClient, HttpOptions
from tests.fakes.discourse import FakeDiscourse, FakePost
from tests.fakes.github import FakeGitHub

T = TypeVar("T")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPTIONS = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=3)


def run(work: Callable[[HttpClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with HttpClient(OPTIONS) as client:
            return await work(client)

    return asyncio.run(main())


# --- Discourse ----------------------------------------------------------------------------------


@contextmanager
def forum(in_category: int, elsewhere: int = 3) -> Iterator[FakeDiscourse]:
    """`in_category` topics in category 9 (topic n last posted n minutes after T0), and a few in
    category 4; topic 1 is closed."""
    site = FakeDiscourse()
    for n in range(1, in_category + elsewhere + 1):
        at = T0 + timedelta(minutes=n)
        site.add_topic(
            n,
            f"vote-{n}",
            f"[VOTE] Proposal {n}",
            [FakePost("alice", "<p>Please vote.</p>", at)],
            closed=n == 1,
            category_id=9 if n <= in_category else 4,
        )
    with site:
        yield site


def topics(url: str) -> list[TopicListing]:
    return run(lambda client: list_category_topics(client, url))


def test_category_topics_with_their_urls_dates_and_state() -> None:
    with forum(3) as site:
        found = topics(f"{site.url}/c/development/9")
        assert [t.topic_id for t in found] == [3, 2, 1]  # most recently bumped first
        latest, _, oldest = found
        assert latest == TopicListing(
            topic_id=3,
            title="[VOTE] Proposal 3",
            url=f"{site.url}/t/vote-3/3",
            created_at=T0 + timedelta(minutes=3),
            closed=False,
            bumped_at=T0 + timedelta(minutes=3),
        )
        assert oldest.closed
        assert site.count(r"^/c/") == 1


def test_category_pages_are_followed_through_more_topics_url() -> None:
    with forum(70) as site:
        found = topics(f"{site.url}/c/development/9")
        assert len(found) == 70
        assert len({t.topic_id for t in found}) == 70
        requests = site.matching(r"^/c/development/9\.json$")
        assert [r.param("page") for r in requests] == [[], ["1"], ["2"]]


def test_category_paging_stops_after_five_pages() -> None:
    with forum(200, elsewhere=0) as site:
        found = topics(f"{site.url}/c/development/9")
        assert len(found) == 150
        assert site.count(r"^/c/") == 5


@pytest.mark.parametrize(
    ("since_minutes", "pages", "listed"),
    [(20, 7, 200), (100, 4, 120), (195, 1, 30)],
)
def test_told_how_far_back_paging_goes_until_a_page_ends_before_it(
    since_minutes: int, pages: int, listed: int
) -> None:
    """A busy category holds more than five pages of topics a lookback must see: paging goes
    on until a page's last topic was last active before `since`."""
    with forum(200, elsewhere=0) as site:
        since = T0 + timedelta(minutes=since_minutes)
        url = f"{site.url}/c/development/9"
        found = run(lambda client: list_category_topics(client, url, since=since))
        assert len(found) == listed
        assert site.count(r"^/c/") == pages
        assert min(t.bumped_at for t in found if t.bumped_at) < since  # one page past it


@pytest.mark.parametrize("suffix", ["/c/tvm/development/9", "/c/development/9.json", "/c/dev/9/"])
def test_category_url_shapes(suffix: str) -> None:
    with forum(2) as site:
        assert [t.topic_id for t in topics(site.url + suffix)] == [2, 1]
        [request] = site.matching(r"^/c/")
        assert request.path == suffix.rstrip("/").removesuffix(".json") + ".json"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://discuss.tvm.apache.org/c/development/9", "/c/development/9"),
        ("https://discuss.tvm.apache.org/c/tvm/development/9.json", "/c/tvm/development/9"),
        ("https://example.org/forum/c/dev/9", "/c/dev/9"),
    ],
)
def test_parse_category_url(url: str, expected: str) -> None:
    parsed = parse_category_url(url)
    assert parsed is not None
    assert parsed[1] == expected
    assert parsed[0] == url[: url.index("/c/")]


@pytest.mark.parametrize(
    "url",
    [
        "https://discuss.tvm.apache.org/c/development",
        "https://discuss.tvm.apache.org/c/9",
        "https://discuss.tvm.apache.org/c/a/b/c/9",
        "https://discuss.tvm.apache.org/t/vote/16123",
        "ftp://discuss.tvm.apache.org/c/development/9",
    ],
)
def test_a_bad_category_url_is_a_source_error(url: str) -> None:
    with pytest.raises(SourceError, match=r"not a Discourse category URL \(expected …/c/slug/id\)"):
        topics(url)


def test_an_unknown_category_is_a_source_error() -> None:
    with forum(1) as site, pytest.raises(SourceError, match="no such category"):
        topics(f"{site.url}/c/nothing/77")


# --- GitHub -------------------------------------------------------------------------------------


@contextmanager
def repository(count: int) -> Iterator[FakeGitHub]:
    """apache/tvm with `count` issues an hour apart; every third a PR, every fifth labelled
    'vote', every seventh 'release'; plus one issue in another repository."""
    site = FakeGitHub(rate_limit=5000)
    for n in range(1, count + 1):
        labels = tuple(label for label, every in (("vote", 5), ("release", 7)) if n % every == 0)
        site.add_issue(
            "apache",
            "tvm",
            n,
            title=f"Issue {n}",
            body="",
            user="alice",
            created_at=T0 + timedelta(hours=n),
            pull=n % 3 == 0,
            state="closed" if n % 2 else "open",
            labels=labels,
        )
    site.add_issue("apache", "other", 1, title="x", body="", user="bob", created_at=T0)
    with site:
        yield site


def issues(
    site: FakeGitHub, *, since: datetime | None = None, labels: tuple[str, ...] = ()
) -> list[IssueListing]:
    options = GitHubOptions(api_url=site.url)
    return run(
        lambda client: list_repo_issues(
            client, "apache", "tvm", options, since=since, labels=labels
        )
    )


LIST_PATH = r"^/repos/apache/tvm/issues$"


def test_repo_issues_newest_first_open_and_closed_with_pulls_marked() -> None:
    with repository(6) as site:
        found = issues(site)
        assert [i.number for i in found] == [6, 5, 4, 3, 2, 1]
        assert found[1] == IssueListing(
            number=5,
            title="Issue 5",
            url="https://github.com/apache/tvm/issues/5",
            created_at=T0 + timedelta(hours=5),
            labels=("vote",),
            pull=False,
        )
        assert found[0].pull
        assert found[0].url == "https://github.com/apache/tvm/pull/6"
        [request] = site.matching(LIST_PATH)
        query = dict(request.query)
        assert query == {"state": "all", "sort": "created", "direction": "desc", "per_page": "100"}


def test_repo_issues_follow_the_link_header_at_most_five_pages() -> None:
    with repository(250) as site:
        assert [i.number for i in issues(site)] == list(range(250, 0, -1))
        assert site.count(LIST_PATH) == 3
    with repository(620) as site:
        found = issues(site)
        assert len(found) == 500
        assert found[-1].number == 121
        assert site.count(LIST_PATH) == 5


def test_one_label_is_filtered_by_github() -> None:
    with repository(40) as site:
        found = issues(site, labels=("vote",))
        assert [i.number for i in found] == [40, 35, 30, 25, 20, 15, 10, 5]
        [request] = site.matching(LIST_PATH)
        assert request.param("labels") == ["vote"]


def test_several_labels_match_any_of_them_here() -> None:
    """GitHub's labels=a,b wants both; votes are labelled one way or the other."""
    with repository(21) as site:
        found = issues(site, labels=("Vote", "release"))
        assert [i.number for i in found] == [21, 20, 15, 14, 10, 7, 5]
        [request] = site.matching(LIST_PATH)
        assert request.param("labels") == []


def test_since_is_sent_as_iso_8601() -> None:
    with repository(10) as site:
        found = issues(site, since=T0 + timedelta(hours=8))
        assert [i.number for i in found] == [10, 9, 8]
        [request] = site.matching(LIST_PATH)
        assert request.param("since") == ["2026-03-02T17:00:00Z"]


def test_an_unknown_repository_is_a_source_error() -> None:
    with repository(1) as site:
        options = GitHubOptions(api_url=site.url)
        with pytest.raises(SourceError, match="no such repository"):
            run(lambda client: list_repo_issues(client, "apache", "nothing", options))
