"""poll_topic against the fake Discourse: what a poll returns (new, edited and removed posts, the
topic's state) and what it costs in requests to the topic page and to posts.json."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from harvester.model import ThreadUpdate
from harvester.sources.discourse import poll_topic
from harvester.sources.http import HttpClient, HttpOptions
from tests.fakes.discourse import FakeDiscourse, FakePost

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOPIC = 16123
TOPIC_PATH = rf"^/t/vote-adopt/{TOPIC}\.json$"
POSTS_PATH = rf"^/t/{TOPIC}/posts\.json$"
OPTIONS = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=3)
Mangle = Callable[[dict[str, object]], dict[str, object]]


def posts(count: int) -> list[FakePost]:
    made = [FakePost("alice", "<p>[VOTE] Adopt the plan.</p>", T0)]
    for n in range(1, count):
        made.append(FakePost(f"user{n}", f"<p>+1 from user {n}</p>", T0 + timedelta(minutes=n)))
    return made


@contextmanager
def forum(count: int = 45, tags: tuple[str, ...] = ("vote",)) -> Iterator[FakeDiscourse]:
    site = FakeDiscourse()
    site.add_topic(TOPIC, "vote-adopt", "[VOTE] Adopt the plan", posts(count), tags=tags)
    with site:
        yield site


def poll(site: FakeDiscourse, cursor: Mapping[str, object] | None = None) -> ThreadUpdate:
    """One poll; the cursor goes through JSON first, as a caller storing it would do."""
    stored = json.loads(json.dumps(cursor)) if cursor is not None else None

    async def main() -> ThreadUpdate:
        async with HttpClient(OPTIONS) as client:
            return await poll_topic(client, site.topic_url(TOPIC), cursor=stored)

    return asyncio.run(main())


def full_then_reset(site: FakeDiscourse) -> ThreadUpdate:
    update = poll(site)
    site.reset_log()
    return update


def ids_of(update: ThreadUpdate) -> list[str]:
    return [m.source_id for m in update.thread.messages]


def later(n: int) -> FakePost:
    return FakePost(f"late{n}", f"<p>-1 from late {n}</p>", T0 + timedelta(hours=5, minutes=n))


# --- full read ----------------------------------------------------------------------------------


def test_no_cursor_is_a_full_read_with_tags_and_a_json_cursor() -> None:
    with forum() as site:
        update = poll(site)
        assert update.complete
        assert update.changed
        assert ids_of(update) == [str(i) for i in site.post_ids(TOPIC)]
        assert update.thread.labels == ("vote",)
        cursor = update.cursor
        assert cursor["stream"] == site.post_ids(TOPIC)
        assert cursor["highest_post_number"] == 45
        assert cursor["posts_count"] == 45
        assert cursor["closed"] is False
        assert cursor["title"] == "[VOTE] Adopt the plan"
        assert cursor["last_posted_at"] == "2026-03-02T09:44:00.000Z"
        prints = cursor["posts"]
        assert isinstance(prints, dict)
        assert len(prints) == 45
        assert prints[str(site.post(TOPIC, 1).id)] == [1, "2026-03-02T09:00:00.000Z", True]
        assert json.loads(json.dumps(cursor)) == cursor
        assert site.count(TOPIC_PATH) == 1
        assert site.count(POSTS_PATH) == 2  # posts 21..45, 20 ids a request


def test_tags_sent_as_objects_are_labels_too() -> None:
    with forum(tags=("vote", "release")) as site:
        site.tag_objects = True
        assert poll(site).thread.labels == ("vote", "release")


# --- unchanged ----------------------------------------------------------------------------------


def test_an_unchanged_topic_costs_one_request_and_reports_no_change() -> None:
    with forum() as site:
        full = full_then_reset(site)
        update = poll(site, full.cursor)
        assert not update.changed
        assert not update.complete
        assert update.removed == ()
        assert site.count() == 1
        assert site.count(TOPIC_PATH) == 1
        # the first page comes along for free; the store skips unchanged versions
        assert ids_of(update) == [str(i) for i in site.post_ids(TOPIC)[:20]]
        again = poll(site, update.cursor)
        assert not again.changed
        assert site.count() == 2


# --- new posts ----------------------------------------------------------------------------------


def test_a_new_post_costs_one_posts_request_beyond_the_page() -> None:
    with forum() as site:
        full = full_then_reset(site)
        new = site.add_post(TOPIC, later(1))
        update = poll(site, full.cursor)
        assert update.changed
        assert not update.complete
        assert str(new.id) in ids_of(update)
        assert len(update.thread.messages) == 21  # the page, and the new post
        assert site.count(TOPIC_PATH) == 1
        [request] = site.matching(POSTS_PATH)
        assert request.param("post_ids[]") == [str(new.id)]
        assert update.cursor["stream"] == site.post_ids(TOPIC)
        assert update.thread.expected_messages == 46

        site.reset_log()
        quiet = poll(site, update.cursor)
        assert not quiet.changed
        assert site.count() == 1


def test_twenty_five_new_posts_cost_two_posts_requests() -> None:
    with forum() as site:
        full = full_then_reset(site)
        added = [site.add_post(TOPIC, later(n)).id for n in range(25)]
        update = poll(site, full.cursor)
        assert {str(i) for i in added} <= set(ids_of(update))
        assert site.count(TOPIC_PATH) == 1
        assert site.count(POSTS_PATH) == 2


def test_a_new_post_on_the_first_page_costs_nothing_more() -> None:
    with forum(count=5) as site:
        full = full_then_reset(site)
        new = site.add_post(TOPIC, later(1))
        update = poll(site, full.cursor)
        assert update.changed
        assert ids_of(update)[-1] == str(new.id)
        assert site.count() == 1


# --- edits, removals, topic state ---------------------------------------------------------------


def test_an_edited_first_page_post_comes_back_with_its_new_version() -> None:
    with forum() as site:
        full = full_then_reset(site)
        site.edit_post(TOPIC, 3, "<p>-1 after all</p>", at=T0 + timedelta(days=1))
        update = poll(site, full.cursor)
        assert update.changed
        [edited] = [m for m in update.thread.messages if m.source_id == str(site.post(TOPIC, 3).id)]
        assert edited.version == 2
        assert edited.body == "<p>-1 after all</p>"
        assert edited.updated_at == T0 + timedelta(days=1)
        assert site.count() == 1
        assert not poll(site, update.cursor).changed


def test_an_edit_beyond_the_first_page_waits_for_the_next_full_read() -> None:
    """The documented limit: an edit moves neither the stream nor last_posted_at."""
    with forum() as site:
        full = full_then_reset(site)
        site.edit_post(TOPIC, 30, "<p>-1 after all</p>", at=T0 + timedelta(days=1))
        assert not poll(site, full.cursor).changed
        whole = poll(site)
        [edited] = [m for m in whole.thread.messages if m.source_id == str(site.post(TOPIC, 30).id)]
        assert edited.version == 2


def test_a_hidden_first_page_post_is_a_change() -> None:
    with forum() as site:
        full = full_then_reset(site)
        site.post(TOPIC, 4).hidden = True
        update = poll(site, full.cursor)
        assert update.changed
        [hidden] = [m for m in update.thread.messages if m.source_id == str(site.post(TOPIC, 4).id)]
        assert not hidden.visible


@pytest.mark.parametrize("post_number", [5, 33])
def test_a_deleted_post_is_removed(post_number: int) -> None:
    with forum() as site:
        full = full_then_reset(site)
        gone = site.post(TOPIC, post_number)
        gone.deleted = True
        update = poll(site, full.cursor)
        assert update.changed
        assert update.removed == (str(gone.id),)
        assert str(gone.id) not in ids_of(update)
        assert site.count() == 1  # post 21 moving onto the page is already known
        prints = update.cursor["posts"]
        assert isinstance(prints, dict)
        assert str(gone.id) not in prints
        site.reset_log()
        assert not poll(site, update.cursor).changed


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda site: site.update_topic(TOPIC, closed=True), "closed", True),
        (
            lambda site: site.update_topic(TOPIC, title="[VOTE] Adopt the amended plan"),
            "title",
            "[VOTE] Adopt the amended plan",
        ),
        (
            lambda site: site.update_topic(TOPIC, tags=("vote", "strategy")),
            "labels",
            ("vote", "strategy"),
        ),
    ],
)
def test_title_closed_and_tags_changes_are_changes(
    change: Callable[[FakeDiscourse], None], field: str, value: object
) -> None:
    with forum() as site:
        full = full_then_reset(site)
        change(site)
        update = poll(site, full.cursor)
        assert update.changed
        assert getattr(update.thread, field) == value
        assert site.count() == 1


# --- malformed cursors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: {},
        lambda c: {**c, "stream": "1,2,3"},
        lambda c: {**c, "stream": [1, "2"]},
        lambda c: {**c, "posts": {"x": [1, None, True]}},
        lambda c: {**c, "posts": {"1": [1]}},
        lambda c: {**c, "closed": "no"},
        lambda c: {**c, "topic_id": True},
        lambda c: {key: value for key, value in c.items() if key != "title"},
    ],
)
def test_a_malformed_cursor_falls_back_to_a_full_read(mangle: Mangle) -> None:
    with forum() as site:
        full = full_then_reset(site)
        update = poll(site, mangle(dict(full.cursor)))
        assert update.complete
        assert update.changed
        assert len(update.thread.messages) == 45
        assert site.count(TOPIC_PATH) == 1
        assert site.count(POSTS_PATH) == 2


def test_a_cursor_of_another_topic_falls_back_to_a_full_read() -> None:
    with forum() as site:
        full = full_then_reset(site)
        update = poll(site, {**full.cursor, "topic_id": 999})
        assert update.complete
        assert len(update.thread.messages) == 45
