"""The declared JSON shapes (msgspec structs) of Discourse, GitHub and Pony Mail: a wrong value
anywhere is one SourceError naming the URL or file and the field path; fields the shapes do not
declare are ignored; optional fields may be missing or null."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import pytest

from harvester.errors import SourceError
from harvester.sources.discourse import fetch_topic, read_topic_file, thread_from_topic_json
from harvester.sources.github import GitHubOptions, fetch_issue
from harvester.sources.http import HttpClient, HttpOptions
from harvester.sources.mailparse import EPOCH
from harvester.sources.ponymail import fetch_thread, list_mails
from harvester.sources.shapes import convert, decode_answer, decode_json, iso_time
from tests.fakes.base import FakeSite, status
from tests.fakes.discourse import FakeDiscourse, FakePost
from tests.fakes.github import FakeGitHub
from tests.fakes.ponymail import FakePonyMail

T = TypeVar("T")
EXAMPLE = Path(__file__).parent.parent / "data" / "discourse" / "topic_16123.json"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run(work: Callable[[HttpClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with HttpClient(HttpOptions(per_host_rate=0, backoff_base=0.0)) as client:
            return await work(client)

    return asyncio.run(main())


def json_answer(body: object) -> Any:
    return status(200, json.dumps(body), content_type="application/json")


def example() -> Any:
    return copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def error_of(action: Callable[[], object]) -> SourceError:
    with pytest.raises(SourceError) as caught:
        action()
    return caught.value


# --- the helpers, on a small shape ----------------------------------------------------------------


class Inner(msgspec.Struct):
    count: int
    when: str | None = None


class Outer(msgspec.Struct):
    items: list[Inner]
    name: str | None = None
    score: int | float | None = None


INTEGER = "expected an integer"


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ({"items": [{"count": 1}, {"count": "2"}]}, "items[1].count", f"{INTEGER}, got a string"),
        ({"items": [{"count": 1}, {}]}, "items[1].count", f"{INTEGER}, got nothing"),
        ({"items": [{"count": True}]}, "items[0].count", f"{INTEGER}, got a boolean"),
        ({"items": [{"count": 1.5}]}, "items[0].count", f"{INTEGER}, got a number"),
        ({"items": [{"count": None}]}, "items[0].count", f"{INTEGER}, got nothing"),
        (
            {"items": [{"count": 1, "when": 5}]},
            "items[0].when",
            "expected a string, got an integer",
        ),
        ({"items": {}}, "items", "expected a list, got an object"),
        ({"items": [], "score": "high"}, "score", "expected a number, got a string"),
        ({}, "items", "expected a list, got nothing"),
        ([], "", "expected an object, got a list"),
    ],
)
def test_a_wrong_value_is_named_by_its_path(data: object, field: str, problem: str) -> None:
    error = error_of(lambda: convert(data, Outer, where="x.json", what="a thing"))
    assert (error.where, error.field, error.problem) == ("x.json", field, f"not a thing: {problem}")
    place = f"x.json: {field}" if field else "x.json"
    assert str(error) == f"{place}: not a thing: {problem}"


def test_decoding_bytes_gives_the_same_errors_as_converting() -> None:
    raw = b'{"items": [{"count": 1}, {"count": [1]}]}'
    decoded = error_of(lambda: decode_answer(raw, Outer, where="u", what="a thing"))
    converted = error_of(lambda: convert(json.loads(raw), Outer, where="u", what="a thing"))
    assert (
        str(decoded)
        == str(converted)
        == "u: items[1].count: not a thing: expected an integer, got a list"
    )


def test_a_number_too_big_for_a_float_is_out_of_range() -> None:
    raw = b'{"items": [], "score": 1e400}'
    error = error_of(lambda: decode_answer(raw, Outer, where="u", what="a thing"))
    assert str(error) == "u: score: not a thing: number out of range"


def test_missing_optional_fields_are_fine_and_extra_fields_are_ignored() -> None:
    raw = (
        b'{"items": [{"count": 1, "colour": "red", "nested": {"deep": [1, {"x": null}]}}], "v": 2}'
    )
    found = decode_answer(raw, Outer, where="u", what="a thing")
    assert found == Outer(items=[Inner(count=1, when=None)], name=None, score=None)


def test_huge_integers_are_kept_whole() -> None:
    found = decode_answer(
        b'{"items": [{"count": 123456789012345678901234567890}]}', Outer, where="u", what="a thing"
    )
    assert found.items[0].count == 123456789012345678901234567890


def test_an_answer_python_reads_but_msgspec_does_not_is_still_read() -> None:
    # A byte-order mark and NaN are accepted by the HTTP client's JSON check, so here too.
    found = decode_answer(
        b'\xef\xbb\xbf{"items": [], "score": NaN}', Outer, where="u", what="a thing"
    )
    assert found.items == []
    assert found.score != found.score  # NaN


@pytest.mark.parametrize(
    ("raw", "line", "problem"),
    [
        (
            b'{\n  "items": [\n    {"count": 1}\n  }\n}',
            4,
            "invalid JSON: expected ',' or ']' (column 3)",
        ),
        (b'{"items": [', None, "invalid JSON: input data was truncated"),
        (b'{"items": [1,,2]}', 1, "invalid JSON: invalid character (column 14)"),
        (b'{"name": "Gr\xfc\xdfe", "items": []}', None, "invalid JSON: not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, None, "invalid JSON: nested too deeply"),
    ],
)
def test_bad_json_in_a_file_names_its_line(raw: bytes, line: int | None, problem: str) -> None:
    error = error_of(lambda: decode_json(raw, Outer, where="f.json", what="a thing"))
    assert (error.line, error.problem, error.field) == (line, problem, "")


def test_bad_json_after_a_wrong_value_is_reported_first() -> None:
    raw = b'{"items": 5, "rest": [1, 2'
    error = error_of(lambda: decode_json(raw, Outer, where="f.json", what="a thing"))
    assert error.problem == "invalid JSON: input data was truncated"


def test_times_are_read_as_python_reads_iso_8601_and_naive_ones_are_utc() -> None:
    assert iso_time("2026-03-02T09:00:00.000Z", where="u", field="t") == START
    assert iso_time("2026-03-02T09:00:00", where="u", field="t") == START
    assert iso_time("2026-03-02T10:00:00+01:00", where="u", field="t") == START
    error = error_of(lambda: iso_time("soon", where="u", field="posts[2].created_at"))
    assert str(error) == "u: posts[2].created_at: not an ISO-8601 time: 'soon'"


# --- Discourse ------------------------------------------------------------------------------------


def test_a_wrong_type_deep_in_a_poll_names_its_path() -> None:
    data = example()
    data["post_stream"]["posts"][1]["polls"] = [
        {"name": "poll", "options": [{"id": "a", "votes": 1}, {"id": "b", "votes": "two"}]}
    ]
    error = error_of(lambda: thread_from_topic_json(data, where="t.json"))
    assert str(error) == (
        "t.json: post_stream.posts[1].polls[0].options[1].votes: "
        "not a Discourse topic: expected an integer, got a string"
    )


def test_a_post_with_only_the_fields_that_are_required_is_read_with_defaults() -> None:
    data = example()
    data["post_stream"]["posts"] = [
        {"id": 7, "post_number": 1, "created_at": "2026-03-02T09:00:00Z"}
    ]
    del data["closed"], data["tags"]
    thread = thread_from_topic_json(data, where="t.json")
    (message,) = thread.messages
    assert (message.source_id, message.sent_at, message.body, message.author.username) == (
        "7",
        START,
        "",
        "",
    )
    assert (message.visible, message.version, message.updated_at, message.polls) == (
        True,
        1,
        None,
        (),
    )
    assert (message.in_reply_to, thread.closed, thread.labels) == ("", False, ())


def test_nulls_where_discourse_sends_them_are_fine() -> None:
    data = example()
    post = data["post_stream"]["posts"][0]
    post.update(name=None, display_username=None, reply_to_post_number=None, polls=None)
    post.update(version=None, deleted_at=None)
    data["tags"] = None
    message = thread_from_topic_json(data, where="t.json").messages[0]
    assert (message.author.name, message.version, message.visible) == ("alice", 1, True)


def test_extra_fields_anywhere_are_ignored() -> None:
    plain = thread_from_topic_json(example(), where="t.json")
    data = example()
    data["plugin_thing"] = {"deep": [[[{"x": 1}]]]}
    data["post_stream"]["gaps"] = {"before": {}}
    for post in data["post_stream"]["posts"]:
        post["reactions"] = [{"id": "heart", "count": 3}]
        post["score"] = 1e300
    assert thread_from_topic_json(data, where="t.json") == plain


def test_tags_may_be_names_or_objects() -> None:
    data = example()
    data["tags"] = ["vote", {"id": 3, "name": "process", "slug": "process"}, {"id": 4}]
    assert thread_from_topic_json(data, where="t.json").labels == ("vote", "process")


def test_a_saved_topic_file_with_a_wrong_type_names_file_and_path(tmp_path: Path) -> None:
    data = example()
    data["post_stream"]["posts"][2]["username"] = ["carol"]
    path = tmp_path / "topic.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    error = error_of(lambda: read_topic_file(str(path)))
    assert (error.where, error.field) == (str(path), "post_stream.posts[2].username")
    assert error.problem == "not a Discourse topic: expected a string, got a list"


def test_a_bad_post_in_a_posts_batch_names_the_batch_url() -> None:
    posts = [FakePost(f"user{n}", f"<p>+1 #{n}</p>", START) for n in range(25)]
    with FakeDiscourse() as site:
        assert isinstance(site, FakeDiscourse)
        site.add_topic(9, "vote", "[VOTE] Batches", posts)
        batch = {"post_stream": {"posts": [{"id": 1, "post_number": "21", "created_at": "x"}]}}
        site.fail_next(r"^/t/9/posts\.json$", json_answer(batch))
        error = error_of(lambda: run(lambda client: fetch_topic(client, site.topic_url(9))))
    assert str(error) == (
        f"{site.url}/t/9/posts.json: post_stream.posts[0].post_number: "
        "not a Discourse post list: expected an integer, got a string"
    )


# --- GitHub ---------------------------------------------------------------------------------------

COMMENT = {
    "id": 5,
    "html_url": "h",
    "created_at": "2026-03-02T09:00:00Z",
    "updated_at": "2026-03-02T09:00:00Z",
}


def github_site() -> FakeGitHub:
    site = FakeGitHub(rate_limit=5000)
    site.add_issue(
        "apache", "tvm", 1, title="[VOTE] x", body="vote", user="alice", created_at=START
    )
    return site


def read_issue(site: FakeGitHub) -> Any:
    options = GitHubOptions(api_url=site.url)
    url = site.issue_url("apache", "tvm", 1)
    return run(lambda client: fetch_issue(client, url, options))


def test_a_wrong_type_in_a_comment_names_the_page_and_the_path() -> None:
    with github_site() as site:
        assert isinstance(site, FakeGitHub)
        page = [COMMENT, {**COMMENT, "id": 6, "user": {"login": 42}}]
        site.fail_next(r"/comments$", json_answer(page))
        error = error_of(lambda: read_issue(site))
    assert error.where.startswith(f"{site.url}/repos/apache/tvm/issues/1/comments?")
    assert error.field == "[1].user.login"
    assert error.problem == "not a GitHub comment list: expected a string, got an integer"


def test_a_comment_without_body_or_user_is_an_empty_comment_by_ghost() -> None:
    page = [{**COMMENT, "reactions": {"+1": 2}}, {**COMMENT, "id": 6, "user": None}]
    with github_site() as site:
        assert isinstance(site, FakeGitHub)
        site.fail_next(r"/comments$", json_answer(page))
        thread = read_issue(site)
    comments = [(m.source_id, m.body, m.author.username) for m in thread.messages[1:]]
    assert comments == [("comment-5", "", "ghost"), ("comment-6", "", "ghost")]


def test_an_issue_answer_that_is_not_an_object_is_one_line() -> None:
    with github_site() as site:
        assert isinstance(site, FakeGitHub)
        site.fail_next(r"^/repos/apache/tvm/issues/1$", json_answer([1, 2]))
        error = error_of(lambda: read_issue(site))
    assert (error.where, error.field) == (f"{site.url}/repos/apache/tvm/issues/1", "")
    assert error.problem == "not a GitHub issue: expected an object, got a list"


def test_a_bad_comment_time_names_its_place_on_the_page() -> None:
    with github_site() as site:
        assert isinstance(site, FakeGitHub)
        site.fail_next(r"/comments$", json_answer([{**COMMENT, "updated_at": "later"}]))
        error = error_of(lambda: read_issue(site))
    assert (error.field, error.problem) == ("[0].updated_at", "not an ISO-8601 time: 'later'")


# --- Pony Mail ------------------------------------------------------------------------------------

PERMALINK = "/thread/rt6hrlhc4cwz0bwzf4lys43cb7lz30h6"


def node(mid: str, epoch: object, *children: object) -> dict[str, object]:
    return {"mid": mid, "epoch": epoch, "list_raw": "<dev.tvm.apache.org>", "children": children}


def test_a_wrong_type_deep_in_the_thread_tree_names_its_path() -> None:
    tree = {"thread": node("a", 1, node("b", 2, node("c", "3")))}
    with FakePonyMail() as site:
        site.fail_next(r"^/api/thread\.lua$", json_answer(tree))
        url = site.url + PERMALINK
        error = error_of(lambda: run(lambda client: fetch_thread(client, url)))
    assert (error.where, error.field) == (
        f"{site.url}/api/thread.lua",
        "thread.children[0].children[0].epoch",
    )
    assert error.problem == "not a Pony Mail thread: expected a number, got a string"


def stats(site: FakeSite) -> Any:
    return run(lambda client: list_mails(client, site.url, "dev", "tvm.apache.org", "2026-03"))


def test_stats_hits_that_are_not_objects_are_skipped_and_odd_epochs_are_unknown() -> None:
    hit = {"mid": "m1", "message-id": "<a@b>", "epoch": 1772442000, "extra": [1]}
    odd = '{"id": "m2", "epoch": NaN}, {"mid": "m3", "epoch": 1e999999}'
    body = f'{{"emails": [1, "x", null, [2], {json.dumps(hit)}, {odd}], "unixtime": 5}}'
    with FakePonyMail() as site:
        site.fail_next(r"^/api/stats\.lua$", status(200, body, content_type="application/json"))
        found = stats(site)
    hits = [(m.mid, m.message_id, m.epoch) for m in found]
    assert hits == [("m1", "a@b", 1772442000), ("m2", "", 0), ("m3", "", 0)]


def test_a_stats_answer_without_emails_is_one_line() -> None:
    with FakePonyMail() as site:
        site.fail_next(r"^/api/stats\.lua$", json_answer({"hits": 0}))
        error = error_of(lambda: stats(site))
    assert (error.where, error.field) == (f"{site.url}/api/stats.lua", "emails")
    assert error.problem == "not a Pony Mail stats answer: expected a list, got nothing"


def test_an_email_with_only_its_epoch_is_read_with_empty_fields() -> None:
    root = {**node("a", 1e30), "message-id": "<root@x>"}
    with FakePonyMail() as site:
        site.fail_next(r"^/api/thread\.lua$", json_answer({"thread": root}))
        site.fail_next(r"^/api/mbox\.lua$", status(404))
        site.fail_next(r"^/api/email\.lua$", json_answer({"epoch": 1e30, "message-id": "<root@x>"}))
        url = site.url + PERMALINK
        thread = run(lambda client: fetch_thread(client, url))
    (message,) = thread.messages
    read = (message.source_id, message.body, message.subject, message.sent_at)
    assert read == ("root@x", "", "", EPOCH)
