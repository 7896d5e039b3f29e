"""Reading a topic from a (fake) Discourse site: every post, in as few requests as possible."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import pytest

from harvester.errors import SourceError
from harvester.model import Thread
from harvester.sources.discourse import DiscourseAuth, TopicRef, fetch_topic, parse_topic_url
from harvester.sources.http import HttpClient, HttpOptions
from tests.fakes.base import Fault
from tests.fakes.discourse import FakeDiscourse, FakePost, rate_limited

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPTIONS = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=3)


def posts(count: int) -> list[FakePost]:
    made = [FakePost("alice", "<p>[VOTE] Adopt the plan. Open for at least 72 hours.</p>", T0)]
    for n in range(1, count):
        made.append(FakePost(f"user{n}", f"<p>+1 from user {n}</p>", T0 + timedelta(minutes=n)))
    return made


def fetch(
    url: str, auth: DiscourseAuth | None = None, progress: list[tuple[int, int]] | None = None
) -> tuple[Thread, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    def report(done: int, total: int) -> None:
        assert progress is not None
        progress.append((done, total))

    async def main() -> Thread:
        async with HttpClient(OPTIONS, sleep=sleep) as client:
            return await fetch_topic(client, url, auth, report if progress is not None else None)

    return asyncio.run(main()), waits


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://discuss.tvm.apache.org/t/vote-adopt/16123", ("", 16123, "vote-adopt")),
        ("https://discuss.tvm.apache.org/t/16123", ("", 16123, "")),
        ("https://discuss.tvm.apache.org/t/16123.json", ("", 16123, "")),
        ("https://discuss.tvm.apache.org/t/vote-adopt/16123/7", ("", 16123, "vote-adopt")),
        ("https://discuss.tvm.apache.org/t/vote-adopt/16123.json", ("", 16123, "vote-adopt")),
        ("https://discuss.tvm.apache.org/t/16123/7", ("", 16123, "")),
        ("https://example.org/forum/t/x/5", ("/forum", 5, "x")),
    ],
)
def test_topic_urls(url: str, expected: tuple[str, int, str]) -> None:
    prefix, topic_id, slug = expected
    host = "https://example.org" if "example.org" in url else "https://discuss.tvm.apache.org"
    assert parse_topic_url(url) == TopicRef(host + prefix, topic_id, slug)


@pytest.mark.parametrize(
    "url",
    [
        "https://discuss.tvm.apache.org/c/development/7",
        "https://discuss.tvm.apache.org/t/slug-only",
        "ftp://discuss.tvm.apache.org/t/x/5",
        "https://github.com/apache/tvm/issues/5",
    ],
)
def test_not_topic_urls(url: str) -> None:
    assert parse_topic_url(url) is None


@pytest.mark.parametrize("count", [1, 20, 21, 40, 95, 1000])
def test_a_topic_of_n_posts_costs_one_plus_ceil_n_minus_20_over_20_requests(count: int) -> None:
    with FakeDiscourse() as site:
        site.add_topic(501, "vote-adopt", "[VOTE] Adopt the plan", posts(count))
        thread, _ = fetch(site.topic_url(501))
        expected = 1 + math.ceil(max(0, count - 20) / 20)
        assert len(site.requests) == expected
        batches = [r.param("post_ids[]") for r in site.matching(r"/posts\.json$")]
    assert all(len(batch) <= 20 for batch in batches)
    asked = [int(i) for batch in batches for i in batch]
    assert len(asked) == len(set(asked)) == max(0, count - 20)
    assert len(thread.messages) == count
    assert [m.url.rsplit("/", 1)[1] for m in thread.messages] == [
        str(n) for n in range(1, count + 1)
    ]
    assert thread.url == f"{site.url}/t/vote-adopt/501"
    assert thread.expected_messages == count


def test_post_states_and_edits_are_kept() -> None:
    items = posts(4)
    items[1].hidden = True
    items[2].user_deleted = True
    items.append(
        FakePost("mod", "", T0 + timedelta(hours=5), post_type=3, action_code="closed.enabled")
    )
    items.append(FakePost("staff", "<p>-1 whisper</p>", T0 + timedelta(hours=6), post_type=4))
    items.append(FakePost("gone", "<p>+1</p>", T0 + timedelta(hours=7), deleted=True))
    with FakeDiscourse() as site:
        site.add_topic(7, "vote", "[VOTE] Adopt", items)
        site.edit_post(7, 4, "<p>-1 after all</p>", at=T0 + timedelta(days=1))
        thread, _ = fetch(site.topic_url(7))
    by_number = {m.url.rsplit("/", 1)[1]: m for m in thread.messages}
    assert sorted(by_number) == ["1", "2", "3", "4", "5"]  # no whisper, no deleted post
    assert [by_number[n].visible for n in "12345"] == [True, False, False, True, False]
    edited = by_number["4"]
    assert edited.body == "<p>-1 after all</p>"
    assert edited.version == 2
    assert edited.updated_at == T0 + timedelta(days=1)
    assert edited.author.username == "user3"


def test_poll_results_come_from_the_post_json() -> None:
    poll = {
        "name": "poll",
        "type": "regular",
        "status": "closed",
        "public": True,
        "results": "always",
        "options": [
            {"id": "a1", "html": "<strong>+1</strong> approve", "votes": 2},
            {"id": "b2", "html": "-1", "votes": 1},
        ],
        "voters": 3,
        "preloaded_voters": {"a1": [{"id": 1, "username": "ann"}, {"id": 2, "username": "bo"}]},
        "chart_type": "bar",
    }
    items = posts(2)
    items[1].polls = [poll]
    with FakeDiscourse() as site:
        site.add_topic(8, "vote", "[VOTE] Poll", items)
        thread, _ = fetch(site.topic_url(8))
    (found,) = thread.messages[1].polls
    assert (found.name, found.status, found.public, found.voters) == ("poll", "closed", True, 3)
    assert [(o.label, o.votes, o.voters) for o in found.options] == [
        ("+1 approve", 2, ("ann", "bo")),
        ("-1", 1, ()),
    ]


def test_a_wrong_slug_is_followed_through_the_301() -> None:
    with FakeDiscourse() as site:
        site.add_topic(9, "the-real-slug", "[VOTE] Adopt", posts(3))
        thread, _ = fetch(f"{site.url}/t/old-slug/9")
        assert [r.path for r in site.requests] == [
            "/t/old-slug/9.json",
            "/t/the-real-slug/9.json",
        ]
    assert thread.url == f"{site.url}/t/the-real-slug/9"
    assert len(thread.messages) == 3


def test_rate_limits_and_cut_bodies_mid_topic_are_retried() -> None:
    with FakeDiscourse() as site:
        site.add_topic(10, "vote", "[VOTE] Adopt", posts(65))
        site.fail_next(
            r"/posts\.json$", rate_limited(7), Fault(cut_body=True), Fault(cut_json=True)
        )
        thread, waits = fetch(site.topic_url(10))
        assert site.count(r"/posts\.json$") == 3 + 3
    assert 7.0 in waits
    assert len(thread.messages) == 65


def test_login_required_names_the_settings_then_uses_them() -> None:
    with FakeDiscourse(login_required=True, api_key="k3y", api_username="system") as site:
        site.add_topic(11, "vote", "[VOTE] Adopt", posts(30))
        with pytest.raises(SourceError) as info:
            fetch(site.topic_url(11))
        message = str(info.value)
        assert message.startswith(site.topic_url(11) + ": the site requires a login")
        assert "HARVESTER_SOURCES__DISCOURSE__API_KEY" in message
        assert "sources.discourse.api_username" in message
        assert site.count("") == 1  # a 403 is not retried
        site.reset_log()
        thread, _ = fetch(site.topic_url(11), DiscourseAuth("k3y", "system"))
        assert all(r.headers.get("Api-Key") == "k3y" for r in site.requests)
        assert len(site.requests) == 2
    assert len(thread.messages) == 30


def test_a_wrong_api_key_is_reported_as_such() -> None:
    with FakeDiscourse(login_required=True, api_key="k3y", api_username="system") as site:
        site.add_topic(12, "vote", "[VOTE] Adopt", posts(2))
        with pytest.raises(SourceError, match="refused the API key"):
            fetch(site.topic_url(12), DiscourseAuth("wrong", "system"))


def test_an_unknown_topic_is_one_clear_error() -> None:
    with FakeDiscourse() as site, pytest.raises(SourceError) as info:
        fetch(f"{site.url}/t/404")
    assert str(info.value) == f"{site.url}/t/404: no such topic on the site (HTTP 404)"


def test_progress_counts_up_to_the_stream_length() -> None:
    seen: list[tuple[int, int]] = []
    with FakeDiscourse() as site:
        site.add_topic(13, "vote", "[VOTE] Adopt", posts(75))
        fetch(site.topic_url(13), progress=seen)
    assert seen[0] == (20, 75)
    assert seen[-1] == (75, 75)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_mega_topic_is_refused_clearly() -> None:
    class Mega(FakeDiscourse):
        def _topic_json(self, *args: object, **kwargs: object) -> dict[str, object]:
            page = super()._topic_json(*args, **kwargs)  # type: ignore[arg-type]
            stream = page["post_stream"]
            assert isinstance(stream, dict)
            del stream["stream"]
            stream["isMegaTopic"] = True
            return page

    with Mega() as site:
        site.add_topic(14, "vote", "[VOTE] Adopt", posts(3))
        with pytest.raises(SourceError, match="10,000 or more posts"):
            fetch(site.topic_url(14))
