"""A Discourse topic's shape -> Thread of Messages, from a saved `/t/{id}.json` file or from
what the fetcher read. The cooked HTML is passed on untouched: reading votes is core's job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import lxml.html

from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread
from harvester.sources.discourse.shape import (
    PollOptionShape,
    PollShape,
    PostShape,
    TopicShape,
    topic_from_data,
    topic_from_file,
)
from harvester.sources.files import read_bytes
from harvester.sources.shapes import iso_time

REGULAR_POST = 1  # post_type: 2 moderator action, 3 small action, 4 whisper


def thread_from_topic_json(data: object, *, where: str, base_url: str = "") -> Thread:
    """One topic page, as parsed JSON -> Thread; posts come out in post_number order."""
    topic = topic_from_data(data, where)
    return thread_from_topic(topic, topic.post_stream.posts, where=where, base_url=base_url)


def read_topic_file(path: str, *, base_url: str = "") -> Thread:
    """A saved `/t/{id}.json` file -> Thread; unreadable files and bad JSON raise SourceError."""
    topic = topic_from_file(read_bytes(path, what="topic file"), path)
    return thread_from_topic(topic, topic.post_stream.posts, where=path, base_url=base_url)


def thread_from_topic(
    topic: TopicShape, posts: Sequence[PostShape], *, where: str, base_url: str = ""
) -> Thread:
    """The topic with these posts (its page's and any fetched apart) -> Thread, hidden posts
    marked. A bad time names the post by its place in `posts` (post_stream.posts[i])."""
    slug = topic.slug or "-"  # Discourse accepts any slug and redirects to the right one
    base = base_url.rstrip("/")
    thread_url = f"{base}/t/{slug}/{topic.id}" if base else where
    ids_by_number = {post.post_number: post.id for post in posts}
    post_prefix = f"{thread_url}/" if base else f"{where}#post-"
    in_order = sorted(enumerate(posts), key=lambda pair: pair[1].post_number)
    messages = tuple(
        _message(
            post,
            where=where,
            path=f"post_stream.posts[{index}]",
            title=topic.title,
            thread_url=thread_url,
            post_prefix=post_prefix,
            ids_by_number=ids_by_number,
        )
        for index, post in in_order
    )
    stream = topic.post_stream.stream  # every post id; a saved first page holds only 20
    return Thread(
        kind="discourse",
        url=thread_url,
        messages=messages,
        title=topic.title,
        closed=topic.closed is True,
        expected_messages=None if stream is None else len(stream),
        labels=tag_names(topic),
    )


def tag_names(topic: TopicShape) -> tuple[str, ...]:
    names = (tag if isinstance(tag, str) else tag.name for tag in topic.tags or ())
    return tuple(name for name in names if name)


def visible(post: PostShape) -> bool:
    """Only regular posts that are neither hidden, withdrawn nor deleted carry the author's text."""
    return (
        (post.post_type is None or post.post_type == REGULAR_POST)
        and not post.hidden
        and not post.cooked_hidden
        and not post.user_deleted
        and post.deleted_at is None
    )


def _message(
    post: PostShape,
    *,
    where: str,
    path: str,
    title: str,
    thread_url: str,
    post_prefix: str,
    ids_by_number: Mapping[int, int],
) -> Message:
    number = post.post_number
    replied = (
        None if post.reply_to_post_number is None else ids_by_number.get(post.reply_to_post_number)
    )
    username = post.username or ""
    return Message(
        source="discourse",
        source_id=str(post.id),
        url=f"{post_prefix}{number}",
        subject=title if number == 1 else f"Re: {title}",
        author=Author(name=post.name or post.display_username or username, username=username),
        sent_at=iso_time(post.created_at, where=where, field=f"{path}.created_at"),
        body=post.cooked or "",
        body_format=BodyFormat.COOKED,
        in_reply_to="" if replied is None else str(replied),
        thread_url=thread_url,
        visible=visible(post),
        version=1 if post.version is None else post.version,
        updated_at=(
            iso_time(post.updated_at, where=where, field=f"{path}.updated_at")
            if post.updated_at
            else None
        ),
        polls=tuple(_poll(poll) for poll in post.polls or ()),
    )


def _poll(poll: PollShape) -> Poll:
    """Counts per option, and voters only for public polls (`preloaded_voters`)."""
    voters = {
        option_id: tuple(user.username for user in users if user.username is not None)
        for option_id, users in (poll.preloaded_voters or {}).items()
    }
    return Poll(
        name="poll" if poll.name is None else poll.name,
        status="open" if poll.status is None else poll.status,
        public=poll.public is True,
        voters=poll.voters or 0,
        options=tuple(_poll_option(option, voters) for option in poll.options),
    )


def _poll_option(option: PollOptionShape, voters: Mapping[str, tuple[str, ...]]) -> PollOption:
    return PollOption(
        label=html_to_text(option.html or ""),
        votes=option.votes or 0,
        voters=voters.get(option.id or "", ()),
    )


def html_to_text(html: str) -> str:
    if "<" not in html:
        return html.strip()
    return str(lxml.html.fragment_fromstring(html, create_parent="div").text_content()).strip()
