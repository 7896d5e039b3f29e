"""Discourse topic JSON (the `GET /t/{id}.json` shape) -> Thread of Messages, from a saved file
or fetched from the site.

Every shape error names the field ("post_stream.posts[3].created_at"). Wire format only: the
cooked HTML is passed on untouched; reading votes out of it is core's job.

Fetching: `/t/{id}.json` gives the first 20 posts and the id of every post (`post_stream.stream`);
the rest come from `/t/{id}/posts.json?post_ids[]=…` in batches of 20, so a topic of N posts costs
1 + ceil((N - 20) / 20) requests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import lxml.html

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread
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
    )


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
    ref = parse_topic_url(url)
    if ref is None:
        raise SourceError(url, "not a Discourse topic URL (expected …/t/slug/id or …/t/id)")
    headers = (auth or DiscourseAuth()).headers()
    path = f"/t/{ref.slug}/{ref.topic_id}.json" if ref.slug else f"/t/{ref.topic_id}.json"
    topic = await _get(client, url, ref.base + path, headers, auth)
    fields = _Fields(topic, where=url, path="")
    if fields.bool_at("isMegaTopic") or fields.object_at("post_stream").get("isMegaTopic"):
        raise SourceError(url, "a topic of 10,000 or more posts lists no post ids; not supported")
    stream = fields.object_at("post_stream")
    posts = list(stream.list_at("posts"))
    have = {post.get("id") for post in posts if isinstance(post, Mapping)}
    wanted = [i for i in stream.list_at("stream") if isinstance(i, int)]
    missing = [post_id for post_id in wanted if post_id not in have]
    tracker = Tracker(progress, len(wanted), len(posts))
    posts_url = f"{ref.base}/t/{ref.topic_id}/posts.json"

    async def fetch_batch(ids: list[int]) -> Sequence[object]:
        params = [("post_ids[]", str(post_id)) for post_id in ids]
        page = await _get(client, url, posts_url, headers, auth, params=params)
        found = _Fields(page, where=posts_url, path="").object_at("post_stream").list_at("posts")
        tracker.add(len(found))
        return found

    batches = [missing[i : i + BATCH] for i in range(0, len(missing), BATCH)]
    for found in await gather_all(*(fetch_batch(ids) for ids in batches)):
        posts.extend(found)
    assert isinstance(topic, dict)  # _Fields above has checked it is an object
    whole = {**topic, "post_stream": {**topic["post_stream"], "posts": posts}}
    return thread_from_topic_json(whole, where=url, base_url=ref.base)


async def _get(
    client: HttpClient,
    url: str,
    target: str,
    headers: Mapping[str, str],
    auth: DiscourseAuth | None,
    params: Sequence[tuple[str, str]] | None = None,
) -> object:
    try:
        return await client.get_json(target, params=params, headers=headers)
    except HttpError as error:
        if error.status == 403 and _error_type(error) in {"not_logged_in", "invalid_access"}:
            raise SourceError(url, _login_problem(auth)) from None
        if error.status == 404:
            raise SourceError(url, "no such topic on the site (HTTP 404)") from None
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
