"""GitHub issues and pull requests (REST v3) -> Thread: the issue body and every comment.

Comments come 100 a page, following the Link header's rel="next", so an issue with N comments
costs 1 + ceil(N / 100) requests. Authors are logins; the roster maps logins to people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Thread
from harvester.sources.http import Fetched, HttpClient, HttpError
from harvester.sources.progress import Progress, Tracker

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100  # GitHub's maximum
_ISSUE_PATH = re.compile(
    r"^/(?:repos/)?(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<kind>issues|pull|pulls)/(?P<number>\d+)"
)


@dataclass(frozen=True)
class IssueRef:
    owner: str
    repo: str
    number: int


@dataclass(frozen=True)
class GitHubOptions:
    api_url: str = DEFAULT_API_URL
    token: str = ""  # GITHUB_TOKEN; anonymous reads get 60 requests an hour


def parse_issue_url(url: str) -> IssueRef | None:
    """github.com/{owner}/{repo}/issues/{n} or /pull/{n}, or the API's /repos/… URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return None
    path = parts.path
    if not path.startswith("/repos/") and parts.netloc.startswith("api."):
        return None
    found = _ISSUE_PATH.match(path)
    if found is None:
        return None
    return IssueRef(found["owner"], found["repo"], int(found["number"]))


def _headers(options: GitHubOptions) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if options.token:
        headers["Authorization"] = f"Bearer {options.token}"
    return headers


async def fetch_issue(
    client: HttpClient,
    url: str,
    options: GitHubOptions | None = None,
    progress: Progress | None = None,
) -> Thread:
    """The issue (or PR) and all its conversation comments, oldest first."""
    opts = options or GitHubOptions()
    ref = parse_issue_url(url)
    if ref is None:
        raise SourceError(url, "not a GitHub issue or pull request URL")
    api = f"{opts.api_url.rstrip('/')}/repos/{ref.owner}/{ref.repo}/issues/{ref.number}"
    headers = _headers(opts)
    issue = _object(await _get_json(client, url, api, headers), api, "")
    title = _str(issue, "title", api)
    tracker = Tracker(progress, 1 + _int(issue, "comments", api, 0), 1)
    thread_url = _str(issue, "html_url", api)
    messages = [_issue_message(issue, title, api)]
    next_url: str | None = f"{api}/comments?per_page={PER_PAGE}"
    while next_url:
        fetched = await _get(client, url, next_url, headers)
        comments = fetched.json()
        if not isinstance(comments, list):
            raise SourceError(next_url, "not a GitHub comment list: expected a JSON array")
        for index, comment in enumerate(comments):
            item = _object(comment, next_url, f"[{index}]")
            messages.append(_comment_message(item, title, thread_url, next_url))
        tracker.add(len(comments))
        next_url = fetched.links.get("next")
    return Thread(kind="github", url=thread_url, messages=tuple(messages), title=title)


async def _get(client: HttpClient, url: str, target: str, headers: Mapping[str, str]) -> Fetched:
    try:
        return await client.get(target, headers=headers, expect_json=True)
    except HttpError as error:
        if error.status == 404:
            raise SourceError(
                url, f"no such issue, or it is private (HTTP 404 from {target})"
            ) from None
        if error.status == 401:
            raise SourceError(
                url, "GitHub refused the token (HTTP 401): check GITHUB_TOKEN"
            ) from None
        raise


async def _get_json(
    client: HttpClient, url: str, target: str, headers: Mapping[str, str]
) -> object:
    return (await _get(client, url, target, headers)).json()


def _issue_message(issue: Mapping[str, object], title: str, where: str) -> Message:
    return Message(
        source="github",
        source_id=f"issue-{_int(issue, 'id', where)}",
        url=_str(issue, "html_url", where),
        subject=title,
        author=_author(issue, where),
        sent_at=_time(issue, "created_at", where),
        body=_str(issue, "body", where, ""),
        body_format=BodyFormat.MARKDOWN,
        thread_url=_str(issue, "html_url", where),
        updated_at=_time(issue, "updated_at", where),
    )


def _comment_message(
    comment: Mapping[str, object], title: str, thread_url: str, where: str
) -> Message:
    return Message(
        source="github",
        source_id=f"comment-{_int(comment, 'id', where)}",
        url=_str(comment, "html_url", where),
        subject=f"Re: {title}",
        author=_author(comment, where),
        sent_at=_time(comment, "created_at", where),
        body=_str(comment, "body", where, ""),
        body_format=BodyFormat.MARKDOWN,
        thread_url=thread_url,
        updated_at=_time(comment, "updated_at", where),
    )


def _author(item: Mapping[str, object], where: str) -> Author:
    user = item.get("user")
    login = user.get("login") if isinstance(user, Mapping) else None
    if not isinstance(login, str):  # a deleted account is shown as "ghost"
        return Author(name="ghost", username="ghost")
    return Author(name=login, username=login)


def _object(value: object, where: str, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise SourceError(where, "not a GitHub object: expected a JSON object", field=field)
    return value


def _str(item: Mapping[str, object], key: str, where: str, default: str | None = None) -> str:
    value = item.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise SourceError(where, "expected a string", field=key)
    return value


def _int(item: Mapping[str, object], key: str, where: str, default: int | None = None) -> int:
    value = item.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise SourceError(where, "expected an integer", field=key)
    return value


def _time(item: Mapping[str, object], key: str, where: str) -> datetime:
    text = _str(item, key, where)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(where, f"not an ISO-8601 time: {text!r}", field=key) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
