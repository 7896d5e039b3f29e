"""Polling a topic (`poll_topic`): Discourse sends no ETag or Last-Modified on JSON, so a poll
reads the topic page again (one request) and compares it with what the cursor remembers; only
posts new to the stream cost more (20 a request)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from harvester.model import ThreadUpdate
from harvester.sources.discourse.fetch import (
    DiscourseAuth,
    TopicReader,
    read_topic,
    stream_ids,
)
from harvester.sources.discourse.shape import PostShape, TopicShape
from harvester.sources.discourse.topic import tag_names, thread_from_topic, visible
from harvester.sources.http import HttpClient
from harvester.sources.progress import Progress, Tracker

Fingerprint = list[object]  # [version, updated_at, visible]: what an edit or a hide changes


@dataclass(frozen=True)
class _TopicCursor:
    topic_id: int
    title: str
    closed: bool
    labels: list[str]
    stream: list[int]
    highest_post_number: int
    posts_count: int
    last_posted_at: str | None
    posts: dict[str, Fingerprint]  # post id -> fingerprint of every post read so far

    def to_json(self) -> dict[str, object]:
        return {
            "topic_id": self.topic_id,
            "title": self.title,
            "closed": self.closed,
            "labels": list(self.labels),
            "stream": list(self.stream),
            "highest_post_number": self.highest_post_number,
            "posts_count": self.posts_count,
            "last_posted_at": self.last_posted_at,
            "posts": {key: list(value) for key, value in self.posts.items()},
        }

    def same_topic(self, other: _TopicCursor) -> bool:
        """Nothing about the topic itself moved (posts are compared separately)."""
        mine = self.to_json()
        theirs = other.to_json()
        del mine["posts"], theirs["posts"]
        return mine == theirs


def _cursor_from(topic: TopicShape, where: str, posts: Mapping[str, Fingerprint]) -> _TopicCursor:
    return _TopicCursor(
        topic_id=topic.id,
        title=topic.title,
        closed=topic.closed is True,
        labels=list(tag_names(topic)),
        stream=stream_ids(topic, where),
        highest_post_number=topic.highest_post_number or 0,
        posts_count=topic.posts_count or 0,
        last_posted_at=topic.last_posted_at,
        posts=dict(posts),
    )


def _fingerprints(posts: Sequence[PostShape]) -> dict[str, Fingerprint]:
    return {
        str(post.id): [1 if post.version is None else post.version, post.updated_at, visible(post)]
        for post in posts
    }


def _topic_cursor(cursor: Mapping[str, object] | None) -> _TopicCursor | None:
    """The cursor poll_topic handed out, or None when it is missing or not of that shape."""
    if not isinstance(cursor, Mapping):
        return None
    ints = [cursor.get(k) for k in ("topic_id", "highest_post_number", "posts_count")]
    title, closed, labels = cursor.get("title"), cursor.get("closed"), cursor.get("labels")
    stream, posts, last = cursor.get("stream"), cursor.get("posts"), cursor.get("last_posted_at")
    if not (
        all(_is_int(value) for value in ints)
        and isinstance(title, str)
        and isinstance(closed, bool)
        and _str_list(labels)
        and _int_list(stream)
        and (last is None or isinstance(last, str))
        and _fingerprint_map(posts)
    ):
        return None
    topic_id, highest, count = (int(str(value)) for value in ints)
    return _TopicCursor(topic_id, title, closed, labels, stream, highest, count, last, posts)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _int_list(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and all(_is_int(item) for item in value)


def _fingerprint_map(value: object) -> TypeGuard[dict[str, Fingerprint]]:
    return isinstance(value, dict) and all(
        isinstance(key, str) and key.isdigit() and isinstance(item, list) and len(item) == 3
        for key, item in value.items()
    )


async def poll_topic(
    client: HttpClient,
    url: str,
    auth: DiscourseAuth | None = None,
    cursor: Mapping[str, object] | None = None,
    progress: Progress | None = None,
) -> ThreadUpdate:
    """What changed in a topic since `cursor` (a full read when there is none, or a bad one).

    A cursor poll reads the topic page (one request): its first 20 posts are always returned,
    posts new to the stream are fetched 20 ids a request, and ids gone from the stream are
    `removed`. changed=False when the stream, counts, title, tags and closed state are as
    before and no page post has a new version, updated_at or visibility. complete=False.

    Not seen by a cursor poll: edits of posts beyond the first page, since an edit moves neither
    the stream nor last_posted_at (wire-formats.md §1). The caller reads the whole topic now and
    then (cursor=None) while a vote is open to catch edited votes.
    """
    state = _topic_cursor(cursor)
    reader = TopicReader.of(client, url, auth)
    if state is None:
        return await _full_topic(reader, progress)
    topic = await reader.topic_page()
    if topic.id != state.topic_id:
        return await _full_topic(reader, progress)
    page = topic.post_stream.posts
    on_page = {post.id for post in page}
    stream = stream_ids(topic, url)
    known = set(state.stream)
    new_ids = [i for i in stream if i not in known and i not in on_page]
    tracker = Tracker(progress, len(page) + len(new_ids), len(page))
    fetched = await reader.posts(new_ids, tracker)
    page_prints = _fingerprints(page)
    still = set(stream)
    gone = [i for i in state.stream if i not in still]
    prints = {k: v for k, v in state.posts.items() if int(k) in still}
    prints.update(page_prints)
    prints.update(_fingerprints(fetched))
    next_cursor = _cursor_from(topic, url, prints)
    edited = any(state.posts.get(key) != value for key, value in page_prints.items())
    thread = thread_from_topic(topic, [*page, *fetched], where=url, base_url=reader.ref.base)
    return ThreadUpdate(
        thread,
        next_cursor.to_json(),
        complete=False,
        changed=edited or not state.same_topic(next_cursor),
        removed=tuple(str(i) for i in gone),
    )


async def _full_topic(reader: TopicReader, progress: Progress | None) -> ThreadUpdate:
    read = await read_topic(reader, progress)
    prints = _fingerprints(read.posts)
    cursor = _cursor_from(read.topic, reader.url, prints)
    return ThreadUpdate(reader.thread(read), cursor.to_json(), complete=True, changed=True)
