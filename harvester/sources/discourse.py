"""Discourse topic JSON (the `GET /t/{id}.json` shape) -> Thread of Messages, from a saved file
or fetched from the site.

Every shape error names the field ("post_stream.posts[3].created_at"). Wire format only: the
cooked HTML is passed on untouched; reading votes out of it is core's job.

Fetching: `/t/{id}.json` gives the first 20 posts and the id of every post (`post_stream.stream`);
the rest come from `/t/{id}/posts.json?post_ids[]=…` in batches of 20, so a topic of N posts costs
1 + ceil((N - 20) / 20) requests.

Polling (`poll_topic`): Discourse sends no ETag or Last-Modified on JSON, so a poll reads the
topic page again (one request) and compares it with what the cursor remembers; only posts new to
the stream cost more (20 a request). `list_category_topics` reads a category's topic list, to
discover new votes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeGuard
from urllib.parse import parse_qs, urlsplit

import lxml.html

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread, ThreadUpdate
from harvester.sources.files import read_bytes
from harvester.sources.http import HttpClient, HttpError, gather_all
from harvester.sources.progress import Progress, Tracker

REGULAR_POST = 1  # post_type: 2 moderator action, 3 small action, 4 whisper


class _Fields:
    """Typed access to one JSON object; every failure is a SourceError naming the field path."""

    def __init__(self, value: object, *, where: str, path: str) -> None:
        if not isinstance(value, Mapping):
            raise _shape_error(where, path, "an object", value)
        self._data: Mapping[str, object] = value
        self._where = where
        self._path = path

    def field(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def get(self, key: str) -> object:
        return self._data.get(key)

    def nested(self, value: object, path: str) -> _Fields:
        return _Fields(value, where=self._where, path=path)

    def object_at(self, key: str) -> _Fields:
        return _Fields(self._data.get(key), where=self._where, path=self.field(key))

    def list_at(self, key: str) -> Sequence[object]:
        value = self._data.get(key)
        if not isinstance(value, list):
            raise _shape_error(self._where, self.field(key), "a list", value)
        return value

    def int_at(self, key: str, default: int | None = None) -> int:
        value = self._data.get(key)
        if value is None and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise _shape_error(self._where, self.field(key), "an integer", value)
        return value

    def str_at(self, key: str, default: str | None = None) -> str:
        value = self._data.get(key)
        if value is None and default is not None:
            return default
        if not isinstance(value, str):
            raise _shape_error(self._where, self.field(key), "a string", value)
        return value

    def bool_at(self, key: str) -> bool:
        """Absent or null is False: anonymous JSON leaves out flags that are not set."""
        value = self._data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise _shape_error(self._where, self.field(key), "true or false", value)
        return value

    def time_at(self, key: str) -> datetime:
        text = self.str_at(key)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise SourceError(
                self._where, f"not an ISO-8601 time: {text!r}", field=self.field(key)
            ) from exc
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_JSON_TYPES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _shape_error(where: str, field: str, expected: str, value: object) -> SourceError:
    got = "a boolean" if isinstance(value, bool) else _JSON_TYPES.get(type(value), "nothing")
    return SourceError(where, f"not a Discourse topic: expected {expected}, got {got}", field=field)


def thread_from_topic_json(data: object, *, where: str, base_url: str = "") -> Thread:
    """One topic page -> Thread; posts come out in post_number order, hidden ones marked."""
    topic = _Fields(data, where=where, path="")
    topic_id = topic.int_at("id")
    title = topic.str_at("title")
    slug = topic.str_at("slug") or "-"  # Discourse accepts any slug and redirects to the right one
    base = base_url.rstrip("/")
    thread_url = f"{base}/t/{slug}/{topic_id}" if base else where
    stream = topic.object_at("post_stream")
    posts = [
        _Fields(post, where=where, path=f"{stream.field('posts')}[{index}]")
        for index, post in enumerate(stream.list_at("posts"))
    ]
    numbered = sorted(((post.int_at("post_number"), post) for post in posts), key=_first_item)
    ids_by_number = {number: post.int_at("id") for number, post in numbered}
    post_prefix = f"{thread_url}/" if base else f"{where}#post-"
    messages = tuple(
        _message(
            post,
            title=title,
            thread_url=thread_url,
            post_prefix=post_prefix,
            ids_by_number=ids_by_number,
        )
        for _, post in numbered
    )
    return Thread(
        kind="discourse",
        url=thread_url,
        messages=messages,
        title=title,
        closed=topic.bool_at("closed"),
        expected_messages=_stream_length(stream),
        labels=_tags(topic),
    )


def _tags(topic: _Fields) -> tuple[str, ...]:
    """`tags` (when tagging is on): names, or objects with a name in newer Discourse versions."""
    found = topic.get("tags")
    if not isinstance(found, list):
        return ()
    names = (tag.get("name") if isinstance(tag, Mapping) else tag for tag in found)
    return tuple(name for name in names if isinstance(name, str) and name)


def _stream_length(stream: _Fields) -> int | None:
    """post_stream.stream lists every post id; a saved first page holds only 20 of them."""
    ids = stream.get("stream")
    return len(ids) if isinstance(ids, list) else None


def _message(
    post: _Fields,
    *,
    title: str,
    thread_url: str,
    post_prefix: str,
    ids_by_number: Mapping[int, int],
) -> Message:
    number = post.int_at("post_number")
    replied = ids_by_number.get(post.int_at("reply_to_post_number", 0))  # null: not a reply
    username = post.str_at("username", "")
    return Message(
        source="discourse",
        source_id=str(post.int_at("id")),
        url=f"{post_prefix}{number}",
        subject=title if number == 1 else f"Re: {title}",
        author=Author(
            name=post.str_at("name", "") or post.str_at("display_username", "") or username,
            username=username,
        ),
        sent_at=post.time_at("created_at"),
        body=post.str_at("cooked", ""),
        body_format=BodyFormat.COOKED,
        in_reply_to="" if replied is None else str(replied),
        thread_url=thread_url,
        visible=_visible(post),
        version=post.int_at("version", 1),
        updated_at=post.time_at("updated_at") if post.get("updated_at") else None,
        polls=_polls(post),
    )


def _visible(post: _Fields) -> bool:
    """Only regular posts that are neither hidden, withdrawn nor deleted carry the author's text."""
    return (
        post.int_at("post_type", REGULAR_POST) == REGULAR_POST
        and not post.bool_at("hidden")
        and not post.bool_at("cooked_hidden")
        and not post.bool_at("user_deleted")
        and post.get("deleted_at") is None
    )


def _first_item(pair: tuple[int, _Fields]) -> int:
    return pair[0]


def read_topic_file(path: str, *, base_url: str = "") -> Thread:
    """A saved `/t/{id}.json` file -> Thread; unreadable files and bad JSON raise SourceError."""
    raw = read_bytes(path, what="topic file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SourceError(path, "invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, "invalid JSON: not UTF-8 text") from exc
    return thread_from_topic_json(data, where=path, base_url=base_url)


def _polls(post: _Fields) -> tuple[Poll, ...]:
    """The poll plugin's `polls[]`: counts per option, and voters only for public polls."""
    if post.get("polls") is None:
        return ()
    polls = []
    for index, item in enumerate(post.list_at("polls")):
        poll = post.nested(item, f"{post.field('polls')}[{index}]")
        voters = _preloaded_voters(poll)
        options = tuple(
            _poll_option(poll.nested(option, f"{poll.field('options')}[{n}]"), voters)
            for n, option in enumerate(poll.list_at("options"))
        )
        polls.append(
            Poll(
                name=poll.str_at("name", "poll"),
                status=poll.str_at("status", "open"),
                public=poll.bool_at("public"),
                voters=poll.int_at("voters", 0),
                options=options,
            )
        )
    return tuple(polls)


def _poll_option(option: _Fields, voters: Mapping[str, tuple[str, ...]]) -> PollOption:
    label = _html_to_text(option.str_at("html", ""))
    return PollOption(
        label=label,
        votes=option.int_at("votes", 0),
        voters=voters.get(option.str_at("id", ""), ()),
    )


def _preloaded_voters(poll: _Fields) -> dict[str, tuple[str, ...]]:
    """Public polls carry `preloaded_voters`: {option id: [{username, …}, …]}."""
    found = poll.get("preloaded_voters")
    if not isinstance(found, Mapping):
        return {}
    return {
        str(option_id): tuple(
            str(user["username"])
            for user in users
            if isinstance(user, Mapping) and isinstance(user.get("username"), str)
        )
        for option_id, users in found.items()
        if isinstance(users, list)
    }


def _html_to_text(html: str) -> str:
    if "<" not in html:
        return html.strip()
    return str(lxml.html.fragment_fromstring(html, create_parent="div").text_content()).strip()


# --- network ----------------------------------------------------------------------------------

BATCH = 20  # post ids per posts.json request, as Discourse's own client asks for them


@dataclass(frozen=True)
class TopicRef:
    base: str  # scheme://host[/subfolder]
    topic_id: int
    slug: str


@dataclass(frozen=True)
class DiscourseAuth:
    """An API key for sites with login_required; the key comes from the environment only."""

    api_key: str = ""
    api_username: str = ""

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        return {"Api-Key": self.api_key, "Api-Username": self.api_username or "system"}


def parse_topic_url(url: str) -> TopicRef | None:
    """/t/slug/id, /t/id and /t/slug/id/N, each with or without .json; None if not a topic."""
    parts = urlsplit(url)
    prefix, marker, rest = parts.path.partition("/t/")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not marker:
        return None
    segments = rest.strip("/").removesuffix(".json").split("/")
    base = f"{parts.scheme}://{parts.netloc}{prefix}"
    numeric = [s.isdigit() for s in segments]
    if numeric in ([True], [True, True]):  # /t/{id} and /t/{id}/{post_number}
        return TopicRef(base, int(segments[0]), "")
    if len(segments) in (2, 3) and numeric[1:] in ([True], [True, True]):
        return TopicRef(base, int(segments[1]), segments[0])
    return None


async def fetch_topic(
    client: HttpClient,
    url: str,
    auth: DiscourseAuth | None = None,
    progress: Progress | None = None,
) -> Thread:
    """Every post of a topic: the topic page, then the posts it left out, 20 ids a request."""
    return (await _read_topic(client, url, auth, progress))[0]


@dataclass(frozen=True)
class _Reader:
    """One topic on one site, with what every request to it needs."""

    client: HttpClient
    url: str  # as the caller gave it: errors name it
    ref: TopicRef
    auth: DiscourseAuth | None

    @classmethod
    def of(cls, client: HttpClient, url: str, auth: DiscourseAuth | None) -> _Reader:
        ref = parse_topic_url(url)
        if ref is None:
            raise SourceError(url, "not a Discourse topic URL (expected …/t/slug/id or …/t/id)")
        return cls(client, url, ref, auth)

    @property
    def headers(self) -> dict[str, str]:
        return (self.auth or DiscourseAuth()).headers()

    async def topic_page(self) -> tuple[dict[str, object], _Fields]:
        """The topic JSON (first 20 posts and the whole stream), checked to be an object."""
        ref = self.ref
        path = f"/t/{ref.slug}/{ref.topic_id}.json" if ref.slug else f"/t/{ref.topic_id}.json"
        topic = await _get(self.client, self.url, ref.base + path, self.headers, self.auth)
        fields = _Fields(topic, where=self.url, path="")
        if fields.bool_at("isMegaTopic") or fields.object_at("post_stream").get("isMegaTopic"):
            raise SourceError(
                self.url, "a topic of 10,000 or more posts lists no post ids; not supported"
            )
        fields.object_at("post_stream").list_at("posts")
        assert isinstance(topic, dict)  # _Fields above has checked it is an object
        return topic, fields

    async def posts(self, ids: Sequence[int], tracker: Tracker) -> list[object]:
        """The posts with these ids, BATCH ids a request, requests run concurrently."""
        posts_url = f"{self.ref.base}/t/{self.ref.topic_id}/posts.json"

        async def fetch_batch(batch: Sequence[int]) -> Sequence[object]:
            params = [("post_ids[]", str(post_id)) for post_id in batch]
            page = await _get(self.client, self.url, posts_url, self.headers, self.auth, params)
            stream = _Fields(page, where=posts_url, path="").object_at("post_stream")
            found = stream.list_at("posts")
            tracker.add(len(found))
            return found

        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        return [post for found in await gather_all(*map(fetch_batch, batches)) for post in found]


def _stream_ids(fields: _Fields) -> list[int]:
    stream = fields.object_at("post_stream").list_at("stream")
    return [i for i in stream if isinstance(i, int) and not isinstance(i, bool)]


def _page_posts(topic: Mapping[str, object]) -> list[object]:
    stream = topic["post_stream"]
    assert isinstance(stream, Mapping)  # topic_page checked the shape
    posts = stream["posts"]
    assert isinstance(posts, list)
    return list(posts)


def _post_id(post: object) -> object:
    return post.get("id") if isinstance(post, Mapping) else None


def _with_posts(topic: Mapping[str, object], posts: list[object]) -> dict[str, object]:
    stream = topic["post_stream"]
    assert isinstance(stream, Mapping)
    return {**topic, "post_stream": {**stream, "posts": posts}}


async def _read_topic(
    client: HttpClient, url: str, auth: DiscourseAuth | None, progress: Progress | None
) -> tuple[Thread, dict[str, object]]:
    """The whole thread, and the topic JSON with every post in it (the cursor is made from it)."""
    reader = _Reader.of(client, url, auth)
    topic, fields = await reader.topic_page()
    posts = _page_posts(topic)
    have = {_post_id(post) for post in posts}
    wanted = _stream_ids(fields)
    missing = [post_id for post_id in wanted if post_id not in have]
    tracker = Tracker(progress, len(wanted), len(posts))
    posts.extend(await reader.posts(missing, tracker))
    whole = _with_posts(topic, posts)
    return thread_from_topic_json(whole, where=url, base_url=reader.ref.base), whole


# --- polling ------------------------------------------------------------------------------------

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


def _cursor_from(
    topic: Mapping[str, object], url: str, posts: Mapping[str, Fingerprint]
) -> _TopicCursor:
    fields = _Fields(topic, where=url, path="")
    last = fields.get("last_posted_at")
    return _TopicCursor(
        topic_id=fields.int_at("id"),
        title=fields.str_at("title"),
        closed=fields.bool_at("closed"),
        labels=list(_tags(fields)),
        stream=_stream_ids(fields),
        highest_post_number=fields.int_at("highest_post_number", 0),
        posts_count=fields.int_at("posts_count", 0),
        last_posted_at=last if isinstance(last, str) else None,
        posts=dict(posts),
    )


def _fingerprints(posts: Sequence[object], where: str) -> dict[str, Fingerprint]:
    found: dict[str, Fingerprint] = {}
    for index, post in enumerate(posts):
        fields = _Fields(post, where=where, path=f"post_stream.posts[{index}]")
        updated = fields.get("updated_at")
        found[str(fields.int_at("id"))] = [
            fields.int_at("version", 1),
            updated if isinstance(updated, str) else None,
            _visible(fields),
        ]
    return found


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
    if state is None:
        return await _full_topic(client, url, auth, progress)
    reader = _Reader.of(client, url, auth)
    topic, fields = await reader.topic_page()
    if fields.int_at("id") != state.topic_id:
        return await _full_topic(client, url, auth, progress)
    page = _page_posts(topic)
    on_page = {_post_id(post) for post in page}
    stream = _stream_ids(fields)
    known = set(state.stream)
    new_ids = [i for i in stream if i not in known and i not in on_page]
    tracker = Tracker(progress, len(page) + len(new_ids), len(page))
    fetched = await reader.posts(new_ids, tracker)
    page_prints = _fingerprints(page, url)
    still = set(stream)
    gone = [i for i in state.stream if i not in still]
    prints = {k: v for k, v in state.posts.items() if int(k) in still}
    prints.update(page_prints)
    prints.update(_fingerprints(fetched, url))
    next_cursor = _cursor_from(topic, url, prints)
    edited = any(state.posts.get(key) != value for key, value in page_prints.items())
    thread = thread_from_topic_json(
        _with_posts(topic, page + fetched), where=url, base_url=reader.ref.base
    )
    return ThreadUpdate(
        thread,
        next_cursor.to_json(),
        complete=False,
        changed=edited or not state.same_topic(next_cursor),
        removed=tuple(str(i) for i in gone),
    )


async def _full_topic(
    client: HttpClient, url: str, auth: DiscourseAuth | None, progress: Progress | None
) -> ThreadUpdate:
    thread, topic = await _read_topic(client, url, auth, progress)
    prints = _fingerprints(_page_posts(topic), url)
    cursor = _cursor_from(topic, url, prints)
    return ThreadUpdate(thread, cursor.to_json(), complete=True, changed=True)


# --- discovery ----------------------------------------------------------------------------------

CATEGORY_PAGES = 5  # pages (30 topics each) a listing reads when it is not told how far back
MAX_CATEGORY_PAGES = 200  # told `since`: until a page ends before it, at most this many


@dataclass(frozen=True)
class TopicListing:
    topic_id: int
    title: str
    url: str  # base/t/slug/id
    created_at: datetime | None
    closed: bool
    bumped_at: datetime | None = None  # last activity: the listing's order


def parse_category_url(url: str) -> tuple[str, str] | None:
    """…/c/slug/id or …/c/parent/slug/id (with or without .json) -> (base, "/c/…/id")."""
    parts = urlsplit(url)
    prefix, marker, rest = parts.path.partition("/c/")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not marker:
        return None
    segments = rest.strip("/").removesuffix(".json").split("/")
    if len(segments) not in (2, 3) or not segments[-1].isdigit() or not all(segments):
        return None
    if any(segment.isdigit() for segment in segments[:-1]):
        return None
    return f"{parts.scheme}://{parts.netloc}{prefix}", "/c/" + "/".join(segments)


async def list_category_topics(
    client: HttpClient,
    category_url: str,
    auth: DiscourseAuth | None = None,
    since: datetime | None = None,
) -> list[TopicListing]:
    """The topics of a category, most recently bumped first, following `more_topics_url`:
    until a page's last topic was last active before `since` (a busy category holds more than
    a few pages of topics a lookback must see), else for CATEGORY_PAGES pages."""
    parsed = parse_category_url(category_url)
    if parsed is None:
        raise SourceError(category_url, "not a Discourse category URL (expected …/c/slug/id)")
    base, path = parsed
    headers = (auth or DiscourseAuth()).headers()
    found: list[TopicListing] = []
    page: str | None = None
    for read in range(1, MAX_CATEGORY_PAGES + 1):
        params = [("page", page)] if page else None
        target = f"{base}{path}.json"
        data = await _get(client, category_url, target, headers, auth, params, "category")
        topic_list = _Fields(data, where=category_url, path="").object_at("topic_list")
        listed = [
            _listing(topic_list.nested(item, f"{topic_list.field('topics')}[{index}]"), base)
            for index, item in enumerate(topic_list.list_at("topics"))
        ]
        found.extend(listed)
        page = _next_page(topic_list.get("more_topics_url"))
        if page is None or not _goes_on(listed, since, read):
            break
    return found


def _goes_on(listed: Sequence[TopicListing], since: datetime | None, read: int) -> bool:
    """Whether the next page may still hold topics active since `since`."""
    last = listed[-1].bumped_at if listed else None
    if since is None or last is None:
        return read < CATEGORY_PAGES
    return last >= since


def _next_page(more: object) -> str | None:
    """more_topics_url is an HTML path ("/c/slug/9?page=1"): only its page number is used."""
    if not isinstance(more, str):
        return None
    pages = parse_qs(urlsplit(more).query).get("page")
    return pages[0] if pages and pages[0].isdigit() else None


def _listing(entry: _Fields, base: str) -> TopicListing:
    topic_id = entry.int_at("id")
    title = entry.str_at("title", "") or _html_to_text(entry.str_at("fancy_title", ""))
    slug = entry.str_at("slug", "") or "-"
    return TopicListing(
        topic_id=topic_id,
        title=title,
        url=f"{base}/t/{slug}/{topic_id}",
        created_at=entry.time_at("created_at") if entry.get("created_at") else None,
        closed=entry.bool_at("closed"),
        bumped_at=entry.time_at("bumped_at") if entry.get("bumped_at") else None,
    )


async def _get(
    client: HttpClient,
    url: str,
    target: str,
    headers: Mapping[str, str],
    auth: DiscourseAuth | None,
    params: Sequence[tuple[str, str]] | None = None,
    what: str = "topic",
) -> object:
    try:
        return await client.get_json(target, params=params, headers=headers)
    except HttpError as error:
        if error.status == 403 and _error_type(error) in {"not_logged_in", "invalid_access"}:
            raise SourceError(url, _login_problem(auth)) from None
        if error.status == 404:
            raise SourceError(url, f"no such {what} on the site (HTTP 404)") from None
        raise


def _error_type(error: HttpError) -> str:
    body = error.json_body()
    return str(body.get("error_type", "")) if isinstance(body, dict) else ""


def _login_problem(auth: DiscourseAuth | None) -> str:
    if auth is not None and auth.api_key:
        return (
            "the site refused the API key (HTTP 403): check "
            "HARVESTER_SOURCES__DISCOURSE__API_KEY and sources.discourse.api_username"
        )
    return (
        "the site requires a login (HTTP 403 not_logged_in): set sources.discourse.api_username "
        "in the config and the key in HARVESTER_SOURCES__DISCOURSE__API_KEY (sent as the "
        "Api-Username and Api-Key headers)"
    )
