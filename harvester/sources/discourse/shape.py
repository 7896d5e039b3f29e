"""The Discourse JSON harvester reads, declared: only the fields it uses, unknown ones pass.

A field Discourse may leave out or send as null is `X | None = None`; the readers give it its
meaning (an absent flag is False, an absent post_type is a regular post). Times stay text here:
`shapes.iso_time` parses them and names the field when one is not a time.
"""

from __future__ import annotations

import msgspec

from harvester.sources.shapes import convert, decode_answer, decode_json


class PollOptionShape(msgspec.Struct):
    id: str | None = None
    html: str | None = None  # the cooked label
    votes: int | None = None


class VoterShape(msgspec.Struct):
    username: str | None = None


class PollShape(msgspec.Struct):
    """One entry of the poll plugin's `polls[]`."""

    options: list[PollOptionShape]
    name: str | None = None
    status: str | None = None
    public: bool | None = None
    voters: int | None = None
    preloaded_voters: dict[str, list[VoterShape]] | None = None  # option id -> voters


class PostShape(msgspec.Struct):
    id: int
    post_number: int
    created_at: str
    username: str | None = None
    name: str | None = None  # only with enable_names
    display_username: str | None = None
    cooked: str | None = None
    reply_to_post_number: int | None = None  # null: not a reply
    post_type: int | None = None  # 1 regular, 2 moderator action, 3 small action, 4 whisper
    hidden: bool | None = None
    cooked_hidden: bool | None = None
    user_deleted: bool | None = None  # withdrawn by the author
    deleted_at: object = None  # any value but null means deleted
    version: int | None = None
    updated_at: str | None = None
    polls: list[PollShape] | None = None


class TagShape(msgspec.Struct):
    """Newer Discourse versions send tags as objects; older ones as plain names."""

    name: str | None = None


class PostStreamShape(msgspec.Struct):
    posts: list[PostShape]
    stream: list[int] | None = None  # every post id; left out of posts.json and mega topics
    mega_topic: bool | None = msgspec.field(default=None, name="isMegaTopic")


class TopicShape(msgspec.Struct):
    """`GET /t/{id}.json`: the topic, its first 20 posts and the id of every post."""

    id: int
    title: str
    slug: str
    post_stream: PostStreamShape
    closed: bool | None = None
    tags: list[str | TagShape] | None = None  # only when tagging is on
    highest_post_number: int | None = None
    posts_count: int | None = None
    last_posted_at: str | None = None
    mega_topic: bool | None = msgspec.field(default=None, name="isMegaTopic")


class PostsShape(msgspec.Struct):
    """`GET /t/{id}/posts.json?post_ids[]=…`: only the posts asked for."""

    post_stream: PostStreamShape


class ListedTopicShape(msgspec.Struct):
    id: int
    title: str | None = None
    fancy_title: str | None = None  # HTML; the title when `title` is empty
    slug: str | None = None
    created_at: str | None = None
    bumped_at: str | None = None  # last activity: the listing's order
    closed: bool | None = None


class TopicListShape(msgspec.Struct):
    topics: list[ListedTopicShape]
    more_topics_url: str | None = None  # "/c/slug/9?page=1" while there are more


class CategoryShape(msgspec.Struct):
    """`GET /c/{slug}/{id}.json`: one page of a category's topics."""

    topic_list: TopicListShape


TOPIC = "a Discourse topic"
POSTS = "a Discourse post list"
CATEGORY = "a Discourse topic list"


def topic_from_file(raw: bytes, where: str) -> TopicShape:
    return decode_json(raw, TopicShape, where=where, what=TOPIC)


def topic_from_data(data: object, where: str) -> TopicShape:
    return convert(data, TopicShape, where=where, what=TOPIC)


def topic_from_answer(body: bytes, where: str) -> TopicShape:
    return decode_answer(body, TopicShape, where=where, what=TOPIC)


def posts_from_answer(body: bytes, where: str) -> list[PostShape]:
    return decode_answer(body, PostsShape, where=where, what=POSTS).post_stream.posts


def category_from_answer(body: bytes, where: str) -> TopicListShape:
    return decode_answer(body, CategoryShape, where=where, what=CATEGORY).topic_list
