"""Saved Discourse topic JSON -> Thread: urls, visibility, replies and shape errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from harvester.errors import SourceError
from harvester.model import BodyFormat
from harvester.sources.discourse import read_topic_file, thread_from_topic_json

DATA = Path(__file__).parent.parent / "data" / "discourse"
EXAMPLE = DATA / "topic_16123.json"
STATES = DATA / "topic_states.json"
BASE = "https://discuss.example.org"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_shared_example_topic() -> None:
    thread = read_topic_file(str(EXAMPLE), base_url=BASE + "/")
    assert (thread.kind, thread.title, thread.closed) == (
        "discourse",
        "[VOTE] Adopt RFC-0099 Unified Runtime",
        True,
    )
    assert thread.url == f"{BASE}/t/vote-adopt-rfc-0099-unified-runtime/16123"
    assert [m.source_id for m in thread.messages] == [
        "51001",
        "51007",
        "51015",
        "51020",
        "51024",
        "51080",
    ]
    first, bob, carol = thread.messages[:3]
    assert first.subject == "[VOTE] Adopt RFC-0099 Unified Runtime"
    assert bob.subject == "Re: [VOTE] Adopt RFC-0099 Unified Runtime"
    assert (first.author.name, first.author.username) == ("Alice Example", "alice")
    assert first.sent_at == datetime(2025, 3, 3, 15, 2, 11, 412000, tzinfo=UTC)
    assert (first.version, first.body_format) == (2, BodyFormat.COOKED)
    assert first.body.startswith("<p>Hi all,</p>")
    assert carol.in_reply_to == "51007"
    assert carol.url == f"{BASE}/t/vote-adopt-rfc-0099-unified-runtime/16123/3"
    assert all(m.thread_url == thread.url for m in thread.messages)
    assert [m.visible for m in thread.messages] == [True, True, True, False, False, False]


@pytest.mark.parametrize(
    ("post_number", "visible", "why"),
    [
        (1, True, "regular"),
        (2, True, "regular"),
        (4, False, "hidden by flags"),
        (5, False, "withdrawn by author (user_deleted)"),
        (6, False, "whisper (post_type 4)"),
        (7, False, "moderator action (post_type 2)"),
        (8, False, "deleted (deleted_at set)"),
        (30, False, "small action (post_type 3)"),
    ],
)
def test_visibility(post_number: int, visible: bool, why: str) -> None:
    thread = read_topic_file(str(STATES))
    (message,) = [m for m in thread.messages if m.url.endswith(f"#post-{post_number}")]
    assert message.visible is visible, why


TVM = "https://discuss.tvm.apache.org"
STATES_PATH = "/t/vote-clarify-community-strategy-decision-process/17001"


@pytest.mark.parametrize(
    ("base_url", "thread_url", "post_url"),
    [
        (TVM, TVM + STATES_PATH, TVM + STATES_PATH + "/9"),
        (TVM + "/", TVM + STATES_PATH, TVM + STATES_PATH + "/9"),
        ("", str(STATES), f"{STATES}#post-9"),
    ],
    ids=["base", "base-with-slash", "no-base"],
)
def test_urls(base_url: str, thread_url: str, post_url: str) -> None:
    thread = read_topic_file(str(STATES), base_url=base_url)
    (post9,) = [m for m in thread.messages if m.source_id == "90009"]
    assert (thread.url, post9.url, post9.thread_url) == (thread_url, post_url, thread_url)


def test_replies_names_and_order() -> None:
    thread = read_topic_file(str(STATES))
    by_id = {m.source_id: m for m in thread.messages}
    assert by_id["90009"].in_reply_to == "90003"
    assert by_id["90010"].in_reply_to == ""  # post 42 is not in this page
    assert by_id["90002"].in_reply_to == ""
    # An empty name falls back to display_username, then to the username.
    assert (by_id["90003"].author.name, by_id["90003"].author.username) == ("hzfan", "hzfan")
    assert by_id["90001"].author.name == "Tianqi Chen"
    assert thread.closed is False


def test_posts_are_ordered_by_post_number() -> None:
    data = load(STATES)
    data["post_stream"]["posts"].reverse()
    thread = thread_from_topic_json(data, where="t.json")
    assert [m.url.rsplit("-", 1)[1] for m in thread.messages] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "30",
    ]


def _drop(data: Any, *path: str | int) -> None:
    for key in path[:-1]:
        data = data[key]
    del data[path[-1]]


def _set(value: object, *path: str | int) -> Any:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            lambda d: _drop(d, "post_stream", "posts", 3, "created_at"),
            "post_stream.posts[3].created_at",
            "not a Discourse topic: expected a string, got nothing",
        ),
        (
            _set("yesterday", "post_stream", "posts", 2, "created_at"),
            "post_stream.posts[2].created_at",
            "not an ISO-8601 time: 'yesterday'",
        ),
        (
            _set("51001", "post_stream", "posts", 0, "id"),
            "post_stream.posts[0].id",
            "not a Discourse topic: expected an integer, got a string",
        ),
        (
            _set(True, "post_stream", "posts", 1, "post_number"),
            "post_stream.posts[1].post_number",
            "not a Discourse topic: expected an integer, got a boolean",
        ),
        (
            _set("yes", "post_stream", "posts", 4, "hidden"),
            "post_stream.posts[4].hidden",
            "not a Discourse topic: expected true or false, got a string",
        ),
        (
            _set(["a"], "post_stream", "posts", 5),
            "post_stream.posts[5]",
            "not a Discourse topic: expected an object, got a list",
        ),
        (
            _set({}, "post_stream", "posts"),
            "post_stream.posts",
            "not a Discourse topic: expected a list, got an object",
        ),
        (
            lambda d: _drop(d, "post_stream"),
            "post_stream",
            "not a Discourse topic: expected an object, got nothing",
        ),
        (
            lambda d: _drop(d, "title"),
            "title",
            "not a Discourse topic: expected a string, got nothing",
        ),
        (_set(16123.5, "id"), "id", "not a Discourse topic: expected an integer, got a number"),
    ],
)
def test_shape_errors_name_the_field(change: Any, field: str, problem: str) -> None:
    data = copy.deepcopy(load(EXAMPLE))
    change(data)
    with pytest.raises(SourceError) as caught:
        thread_from_topic_json(data, where="topic.json")
    assert (caught.value.where, caught.value.field) == ("topic.json", field)
    assert str(caught.value) == f"topic.json: {field}: {problem}"


def test_not_an_object_at_all() -> None:
    with pytest.raises(SourceError, match=r"^t\.json: not a Discourse topic: expected an object"):
        thread_from_topic_json([1, 2], where="t.json")


def test_posts_json_is_not_a_topic() -> None:
    # The /t/{id}/posts.json shape has no title: it is merged into a topic, never read alone.
    with pytest.raises(SourceError) as caught:
        read_topic_file(str(DATA / "posts_16123.json"))
    assert caught.value.field == "title"
    assert str(DATA / "posts_16123.json") in str(caught.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "gone.json")
    with pytest.raises(SourceError) as caught:
        read_topic_file(path)
    assert str(caught.value) == f"{path}: no such file"


def test_invalid_json_names_file_and_line() -> None:
    path = str(DATA / "broken.json")
    with pytest.raises(SourceError) as caught:
        read_topic_file(path)
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{path}:4: invalid JSON: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Gr\xfc\xdfe"}'.encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        read_topic_file(str(path))
