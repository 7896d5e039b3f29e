"""Discourse topic JSON (the `GET /t/{id}.json` shape) -> Thread of Messages.

Parse only: no network here, so the same code reads a saved file and, later, a fetched page.
Every shape error names the field ("post_stream.posts[3].created_at"). Wire format only: the
cooked HTML is passed on untouched; reading votes out of it is core's job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Thread
from harvester.sources.files import read_bytes

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
