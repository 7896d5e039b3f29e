"""The fake Discourse and file sites speak the real wire formats (checked against the examples).

Plain urllib on purpose: these tests check the fakes themselves, not the harvester's client.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.discourse import FakeDiscourse, FakePost, rate_limited
from tests.fakes.files import FakeFiles, FakeWhimsy

DATA = Path(__file__).parent.parent / "data"
TOPIC_EXAMPLE = DATA / "discourse" / "topic_16123.json"  # = examples/discourse_topic.json
POSTS_EXAMPLE = DATA / "discourse" / "posts_16123.json"  # = examples/discourse_posts.json
START = datetime(2025, 3, 3, 15, 2, 11, 412000, tzinfo=UTC)
KEY, USER = "k3y", "system"
API = {"Api-Key": KEY, "Api-Username": USER}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def get(url: str, headers: dict[str, str] | None = None, *, follow: bool = True) -> Answer:
    handlers = [] if follow else [_NoRedirect()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def posts(count: int, **overrides: Any) -> list[FakePost]:
    return [
        FakePost(f"user{n % 30}", f"<p>+1 from {n}</p>", START + timedelta(hours=n), **overrides)
        for n in range(count)
    ]


@pytest.fixture
def site() -> Iterator[FakeDiscourse]:
    with FakeDiscourse(api_key=KEY, api_username=USER) as fake:
        yield fake


@pytest.fixture
def vote(site: FakeDiscourse) -> FakeDiscourse:
    """A small vote topic with every post state the extractor has to tell apart."""
    thread = [
        FakePost("alice", "<p>Please vote</p>", START, name="Alice Example"),
        FakePost("bob", "<p>+1</p>", START + timedelta(hours=1), name="Bob Builder"),
        FakePost("carol", "<p>-1</p>", START + timedelta(hours=2), reply_to_post_number=2),
        FakePost("dan", "<p>+1</p>", START + timedelta(hours=3), user_deleted=True),
        FakePost("eve", "<p>+1 secret</p>", START + timedelta(hours=4), hidden=True),
        FakePost("mod", "<p>staff only</p>", START + timedelta(hours=5), post_type=4),
        FakePost("gone", "<p>+1</p>", START + timedelta(hours=6), deleted=True),
        FakePost("gwen", "<p>poll</p>", START + timedelta(hours=7), polls=[{"name": "poll"}]),
        FakePost("alice", "", START + timedelta(days=4), post_type=3, action_code="closed.enabled"),
    ]
    site.add_topic(16123, "vote-adopt-rfc-0099", "[VOTE] Adopt RFC-0099", thread, closed=True)
    return site


def by_number(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {post["post_number"]: post for post in body["post_stream"]["posts"]}


def test_topic_json_has_every_field_of_the_example(vote: FakeDiscourse) -> None:
    example = load(TOPIC_EXAMPLE)
    body = get(f"{vote.topic_url(16123)}.json").json()
    assert set(body) >= set(example) - {"_comment"}
    assert set(body["details"]) >= set(example["details"])
    assert set(body["details"]["participants"][0]) >= set(example["details"]["participants"][0])
    first, reply = by_number(body)[1], by_number(body)[3]
    assert set(first) >= set(example["post_stream"]["posts"][0])
    assert set(reply) >= set(example["post_stream"]["posts"][2])  # reply_to_user
    assert first["created_at"] == "2025-03-03T15:02:11.412Z"
    assert by_number(body)[9]["action_code"] == "closed.enabled"
    assert by_number(body)[8]["polls"] == [{"name": "poll"}]


def test_posts_json_batch_matches_the_example_shape(vote: FakeDiscourse) -> None:
    example = load(POSTS_EXAMPLE)
    ids = vote.post_ids(16123)
    query = "&".join(f"post_ids[]={i}" for i in [ids[7], ids[1], 999, ids[6]])
    body = get(f"{vote.url}/t/16123/posts.json?{query}").json()
    assert set(body) == {"post_stream", "id"}
    assert body["id"] == 16123
    assert set(body["post_stream"]) == {"posts"}
    assert [p["id"] for p in body["post_stream"]["posts"]] == [ids[1], ids[7]]  # stream order
    assert set(body["post_stream"]["posts"][0]) >= set(example["post_stream"]["posts"][0]) - {
        "raw"  # only with include_raw
    }


def test_wrong_slug_redirects_keeping_json_and_query(vote: FakeDiscourse) -> None:
    moved = get(f"{vote.url}/t/old-title/16123.json?page=2&print=true", follow=False)
    assert moved.status == 301
    assert moved.headers["Location"] == "/t/vote-adopt-rfc-0099/16123.json?page=2&print=true"
    assert get(f"{vote.url}/t/old-title/16123.json").json()["id"] == 16123
    assert get(f"{vote.url}/t/16123.json", follow=False).status == 200
    assert vote.count(r"^/t/16123\.json$") == 1


def test_unknown_topic_is_a_json_404(site: FakeDiscourse) -> None:
    answer = get(f"{site.url}/t/404404.json")
    assert answer.status == 404
    assert answer.json()["error_type"] == "not_found"


def test_pages_of_twenty_then_404(site: FakeDiscourse) -> None:
    site.add_topic(7, "big", "Big", posts(1000))
    url = f"{site.topic_url(7)}.json"
    first = get(url).json()
    stream = first["post_stream"]["stream"]
    assert len(stream) == 1000
    assert first["highest_post_number"] == 1000
    assert [p["id"] for p in first["post_stream"]["posts"]] == stream[:20]
    last = get(f"{url}?page=50").json()
    assert [p["id"] for p in last["post_stream"]["posts"]] == stream[980:]
    assert last["post_stream"]["stream"] == stream
    assert get(f"{url}?page=51").status == 404


def test_login_required_wants_the_api_headers() -> None:
    with FakeDiscourse(login_required=True, api_key=KEY, api_username=USER) as site:
        site.add_topic(1, "t", "T", posts(2))
        anonymous = get(f"{site.url}/t/1.json")
        assert (anonymous.status, anonymous.json()["error_type"]) == (403, "not_logged_in")
        assert get(f"{site.url}/latest.json").status == 403
        assert get(f"{site.url}/t/1.json", API).json()["posts_count"] == 2
        wrong = get(f"{site.url}/t/1.json", {"Api-Key": "nope", "Api-Username": USER})
        assert (wrong.status, wrong.json()["error_type"]) == (403, "invalid_access")


def test_whispers_only_for_api_callers_and_deleted_for_nobody(vote: FakeDiscourse) -> None:
    anonymous = get(f"{vote.topic_url(16123)}.json").json()
    staff = get(f"{vote.topic_url(16123)}.json", API).json()
    assert sorted(by_number(anonymous)) == [1, 2, 3, 4, 5, 8, 9]
    assert sorted(by_number(staff)) == [1, 2, 3, 4, 5, 6, 8, 9]
    assert len(staff["post_stream"]["stream"]) == anonymous["posts_count"] + 1


def test_hidden_and_withdrawn_posts_replace_cooked(vote: FakeDiscourse) -> None:
    anonymous = by_number(get(f"{vote.topic_url(16123)}.json").json())
    assert anonymous[4]["user_deleted"] is True
    assert anonymous[4]["cooked"].startswith("<p>(post withdrawn by author")
    hidden = anonymous[5]
    assert (hidden["hidden"], hidden["cooked_hidden"], hidden["hidden_reason_id"]) == (
        True,
        True,
        1,
    )
    assert "flagged by the community" in hidden["cooked"]
    staff = by_number(get(f"{vote.topic_url(16123)}.json", API).json())
    assert staff[5]["cooked"] == "<p>+1 secret</p>"
    assert "cooked_hidden" not in staff[5]


def test_edit_bumps_version_not_last_posted_at(vote: FakeDiscourse) -> None:
    before = get(f"{vote.topic_url(16123)}.json").json()
    vote.edit_post(16123, 2, "<p>-1 after all</p>", at=START + timedelta(days=5))
    after = get(f"{vote.topic_url(16123)}.json").json()
    edited = by_number(after)[2]
    assert (edited["cooked"], edited["version"]) == ("<p>-1 after all</p>", 2)
    assert edited["updated_at"] == "2025-03-08T15:02:11.412Z"
    assert after["last_posted_at"] == before["last_posted_at"]


def test_queued_429_then_normal_answer(vote: FakeDiscourse) -> None:
    vote.fail_next(r"^/t/", rate_limited(7))
    throttled = get(f"{vote.url}/t/16123.json")
    assert throttled.status == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.headers["Content-Type"].startswith("text/plain")
    assert throttled.headers["Discourse-Rate-Limit-Error-Code"] == "ip_10_secs_limit"
    assert get(f"{vote.url}/t/16123.json").status == 200
    assert vote.count(r"^/t/16123\.json$") == 2


def test_latest_lists_newest_bumped_first(site: FakeDiscourse) -> None:
    site.add_topic(1, "old", "Old", posts(2), category_id=5)
    site.add_topic(2, "new", "New", posts(3))
    site.add_post(1, FakePost("zed", "<p>bump</p>", START + timedelta(days=9)))
    topics = get(f"{site.url}/latest.json").json()["topic_list"]["topics"]
    assert [(t["id"], t["posts_count"], t["bumped"]) for t in topics] == [
        (1, 3, True),
        (2, 3, True),
    ]
    category = get(f"{site.url}/c/votes/5.json").json()["topic_list"]["topics"]
    assert [t["id"] for t in category] == [1]


def test_files_and_whimsy_serve_documents() -> None:
    roster = {"committees": {"example": {"roster": {"alicee": {"name": "Alice"}}}}}
    with FakeWhimsy(roster) as whimsy, FakeFiles() as files:
        answer = get(whimsy.committee_info_url)
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json() == roster
        url = files.add("CONTRIBUTORS.md", "# Ünïcode", "text/markdown; charset=utf-8")
        assert get(url).body.decode() == "# Ünïcode"
        assert get(f"{files.url}/missing").status == 404
