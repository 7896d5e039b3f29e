"""The fake GitHub must behave like REST v3 where a client can go wrong: Link pagination, `since`,
ETag/304 and the rate limit. Otherwise the GitHub source tests prove nothing."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.github import FakeGitHub

START = datetime(2023, 8, 14, 16, 2, 11, tzinfo=UTC)
COMMENTS = "/repos/apache/tvm/issues/15521/comments"
LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def get(url: str, **headers: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, head, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, head, body = error.code, dict(error.headers), error.read()
    return status, head, json.loads(body) if body else None


def links(header: str) -> dict[str, dict[str, list[str]]]:
    """rel -> the query of its URL."""
    return {rel: parse_qs(urlsplit(url).query) for url, rel in LINK.findall(header)}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(rate_limit=5000)
    fake.add_issue(
        "apache",
        "tvm",
        15521,
        title="[VOTE] Release Apache TVM v0.14.0",
        body="Please vote.",
        user="alice",
        created_at=START,
    )
    fake.add_issue(
        "apache", "tvm", 15600, title="Fix", body="", user="bob", created_at=START, pull=True
    )
    for n in range(250):
        when = START + timedelta(minutes=n)
        user = "tvm-bot[bot]" if n == 0 else f"user{n}"
        fake.add_comment("apache", "tvm", 15521, user=user, body=f"+1 #{n}", created_at=when)
    fake.start()
    yield fake
    fake.stop()


def test_issue_pull_and_not_found_shapes(github: FakeGitHub) -> None:
    status, headers, issue = get(f"{github.url}/repos/apache/tvm/issues/15521")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert issue["html_url"] == "https://github.com/apache/tvm/issues/15521"
    assert issue["user"]["login"] == "alice"
    assert issue["user"]["type"] == "User"
    assert issue["comments"] == 250
    assert issue["created_at"] == "2023-08-14T16:02:11Z"
    assert "pull_request" not in issue
    _, _, pr_issue = get(f"{github.url}/repos/apache/tvm/issues/15600")
    assert pr_issue["pull_request"]["html_url"] == github.issue_url(
        "apache", "tvm", 15600, pull=True
    )
    assert get(f"{github.url}/repos/apache/tvm/pulls/15600")[2]["number"] == 15600
    for path in ("/repos/apache/tvm/pulls/15521", "/repos/apache/tvm/issues/1", "/nowhere"):
        status, _, body = get(github.url + path)
        assert status == 404
        assert body == {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


def test_comments_paginate_with_link_rels(github: FakeGitHub) -> None:
    seen: list[int] = []
    url: str | None = f"{github.url}{COMMENTS}?per_page=100"
    rels_per_page = []
    while url:
        status, headers, page = get(url, Authorization="Bearer t0ken")
        assert status == 200
        seen += [c["id"] for c in page]
        rels = links(headers["Link"])
        rels_per_page.append(set(rels))
        assert all(q["per_page"] == ["100"] for q in rels.values())
        url = next((u for u, rel in LINK.findall(headers["Link"]) if rel == "next"), None)
    assert len(seen) == 250
    assert seen == sorted(seen)
    assert rels_per_page == [{"next", "last"}, {"prev", "next", "last", "first"}, {"prev", "first"}]
    assert github.count(COMMENTS) == 3
    assert all(r.headers["Authorization"] == "Bearer t0ken" for r in github.matching(COMMENTS))
    _, _, first = get(f"{github.url}{COMMENTS}?per_page=100")
    assert first[0]["user"]["type"] == "Bot"
    assert first[1]["html_url"].endswith(f"/apache/tvm/issues/15521#issuecomment-{first[1]['id']}")
    _, headers, default = get(f"{github.url}{COMMENTS}")
    assert len(default) == 30
    assert links(headers["Link"])["last"]["page"] == ["9"]


def test_comments_since_filters_on_updated_at(github: FakeGitHub) -> None:
    edited = START - timedelta(days=1)
    github.add_comment(
        "apache",
        "tvm",
        15521,
        user="late",
        body="-1",
        created_at=edited,
        updated_at=START + timedelta(days=30),
    )
    since = (START + timedelta(minutes=240)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, headers, page = get(f"{github.url}{COMMENTS}?since={since}&per_page=100")
    assert status == 200
    assert [c["body"] for c in page] == [f"+1 #{n}" for n in range(240, 250)] + ["-1"]
    assert "Link" not in headers


def test_etag_304_does_not_spend_rate_limit(github: FakeGitHub) -> None:
    status, headers, _ = get(f"{github.url}/repos/apache/tvm/issues/15521")
    assert status == 200
    assert headers["ETag"].startswith('W/"')
    assert headers["X-RateLimit-Remaining"] == "4999"
    assert headers["X-RateLimit-Used"] == "1"
    assert headers["X-RateLimit-Resource"] == "core"
    assert int(headers["X-RateLimit-Reset"]) > datetime.now(UTC).timestamp() + 3000
    status, again, body = get(
        f"{github.url}/repos/apache/tvm/issues/15521", **{"If-None-Match": headers["ETag"]}
    )
    assert (status, body) == (304, None)
    assert again["X-RateLimit-Remaining"] == "4999"
    assert github.remaining == 4999
    github.add_comment("apache", "tvm", 15521, user="new", body="+1", created_at=START)
    status, _, _ = get(
        f"{github.url}/repos/apache/tvm/issues/15521", **{"If-None-Match": headers["ETag"]}
    )
    assert status == 200
    assert github.remaining == 4998


def test_rate_limit_exhaustion_is_403(github: FakeGitHub) -> None:
    github.remaining = 1
    assert get(f"{github.url}/repos/apache/tvm/issues/15521")[0] == 200
    status, headers, body = get(f"{github.url}/repos/apache/tvm/issues/15521")
    assert status == 403
    assert headers["X-RateLimit-Remaining"] == "0"
    assert body["message"].startswith("API rate limit exceeded for 127.0.0.1.")
    assert "documentation_url" in body
    assert github.remaining == 0
