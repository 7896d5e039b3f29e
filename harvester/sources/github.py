"""GitHub issues and pull requests (REST v3) -> Thread: the issue body and every comment.

Comments come 100 a page, following the Link header's rel="next", so an issue with N comments
costs 1 + ceil(N / 100) requests. Authors are logins; the roster maps logins to people.

Polling (`poll_issue`) asks only for comments updated since the newest one seen, with the ETag
of the previous answer: GitHub answers an unchanged list with 304, which costs no rate limit.
`list_repo_issues` lists a repository's issues and pull requests, newest first, to discover votes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeGuard
from urllib.parse import urlencode, urlsplit

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Thread, ThreadUpdate
from harvester.sources.http import NOT_MODIFIED, Fetched, HttpClient, HttpError
from harvester.sources.progress import Progress, Tracker

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100  # GitHub's maximum
LIST_PAGES = 5  # a discovery listing reads at most this many pages (500 issues)
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


def _issue_api(url: str, opts: GitHubOptions) -> str:
    ref = parse_issue_url(url)
    if ref is None:
        raise SourceError(url, "not a GitHub issue or pull request URL")
    return f"{opts.api_url.rstrip('/')}/repos/{ref.owner}/{ref.repo}/issues/{ref.number}"


async def fetch_issue(
    client: HttpClient,
    url: str,
    options: GitHubOptions | None = None,
    progress: Progress | None = None,
) -> Thread:
    """The issue (or PR) and all its conversation comments, oldest first."""
    return (await _read_issue(client, url, options or GitHubOptions(), progress))[0]


async def _read_issue(
    client: HttpClient, url: str, opts: GitHubOptions, progress: Progress | None
) -> tuple[Thread, Mapping[str, object]]:
    """The whole thread, and the issue object it was read from."""
    api = _issue_api(url, opts)
    headers = _headers(opts)
    issue = _object(await _get_json(client, url, api, headers), api, "")
    title = _str(issue, "title", api)
    tracker = Tracker(progress, 1 + _int(issue, "comments", api, 0), 1)
    thread_url = _str(issue, "html_url", api)
    messages = [_issue_message(issue, title, api)]
    comments, _ = await _comment_pages(
        client, url, f"{api}/comments?per_page={PER_PAGE}", headers, title, thread_url, tracker
    )
    messages.extend(comments)
    thread = Thread(
        kind="github",
        url=thread_url,
        messages=tuple(messages),
        title=title,
        closed=_closed_at(issue, api) is not None,
        closed_at=_closed_at(issue, api),
        labels=_labels(issue, api),
    )
    return thread, issue


def _closed_at(issue: Mapping[str, object], where: str) -> datetime | None:
    """When a closed issue was closed (TVM closes a vote by closing its issue); None while open.
    A closed issue without closed_at closes at its last update."""
    if issue.get("state") != "closed":
        return None
    key = "closed_at" if isinstance(issue.get("closed_at"), str) else "updated_at"
    return _time(issue, key, where)


async def _comment_pages(
    client: HttpClient,
    url: str,
    first: str,
    headers: Mapping[str, str],
    title: str,
    thread_url: str,
    tracker: Tracker,
) -> tuple[list[Message], Fetched]:
    """Every comment from `first` on, following rel="next"; also the first page's answer,
    whose ETag identifies the list. A 304 on the first page returns no comments."""
    messages: list[Message] = []
    fetched = first_page = await _get(client, url, first, headers)
    next_url: str | None = first
    while next_url:
        if fetched.status == NOT_MODIFIED:
            break
        comments = fetched.json()
        if not isinstance(comments, list):
            raise SourceError(next_url, "not a GitHub comment list: expected a JSON array")
        for index, comment in enumerate(comments):
            item = _object(comment, next_url, f"[{index}]")
            messages.append(_comment_message(item, title, thread_url, next_url))
        tracker.total = max(tracker.total, tracker.done + len(comments))  # a poll's total grows
        tracker.add(len(comments))
        next_url = fetched.links.get("next")
        if next_url:
            fetched = await _get(client, url, next_url, _unconditional(headers))
    return messages, first_page


def _unconditional(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() != "if-none-match"}


def _labels(item: Mapping[str, object], where: str) -> tuple[str, ...]:
    """`labels[]` holds objects with a name (and, in some payloads, plain names)."""
    found = item.get("labels") or []
    if not isinstance(found, list):
        raise SourceError(where, "expected a list", field="labels")
    names = (label.get("name") if isinstance(label, Mapping) else label for label in found)
    return tuple(name for name in names if isinstance(name, str))


# --- polling ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IssueCursor:
    thread_url: str
    title: str
    labels: tuple[str, ...]
    etag: str
    since: str  # ISO 8601: the newest comment updated_at seen (the issue's creation if none)
    seen: tuple[str, ...]  # comment source_ids updated exactly at `since`: they come back
    issue_etag: str = ""  # of the issue itself: its state, title and labels
    closed_at: str = ""  # ISO 8601 when the issue is closed, "" while open

    def to_json(self) -> dict[str, object]:
        return {
            "thread_url": self.thread_url,
            "title": self.title,
            "labels": list(self.labels),
            "etag": self.etag,
            "since": self.since,
            "seen": list(self.seen),
            "issue_etag": self.issue_etag,
            "closed_at": self.closed_at,
        }


def _issue_cursor(cursor: Mapping[str, object] | None) -> _IssueCursor | None:
    """The cursor poll_issue handed out, or None when it is missing or not of that shape."""
    if not isinstance(cursor, Mapping):
        return None
    thread_url, title, etag, since = (
        cursor.get(k) for k in ("thread_url", "title", "etag", "since")
    )
    labels, seen = cursor.get("labels"), cursor.get("seen")
    # Cursors handed out before the issue's state was followed lack these two.
    issue_etag, closed_at = cursor.get("issue_etag", ""), cursor.get("closed_at", "")
    if not (
        isinstance(issue_etag, str)
        and isinstance(closed_at, str)
        and (not closed_at or _parse_time(closed_at) is not None)
    ):
        return None
    if not (
        isinstance(thread_url, str)
        and isinstance(title, str)
        and isinstance(etag, str)
        and isinstance(since, str)
        and _parse_time(since) is not None
        and _str_list(labels)
        and _str_list(seen)
    ):
        return None
    return _IssueCursor(
        thread_url, title, tuple(labels), etag, since, tuple(seen), issue_etag, closed_at
    )


def _str_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _newest(
    comments: Sequence[Message], since: datetime, seen: Sequence[str]
) -> tuple[datetime, tuple[str, ...]]:
    """The newest updated_at among the comments (or `since`) and the ids updated exactly then."""
    times = [m.updated_at or m.sent_at for m in comments]
    newest = max([since, *times])
    at_newest = {m.source_id for m, t in zip(comments, times, strict=True) if t == newest}
    if newest == since:
        at_newest |= set(seen)
    return newest, tuple(sorted(at_newest))


async def poll_issue(
    client: HttpClient,
    url: str,
    options: GitHubOptions | None = None,
    cursor: Mapping[str, object] | None = None,
    progress: Progress | None = None,
) -> ThreadUpdate:
    """What changed in an issue's comments since `cursor` (a full read when there is none).

    With a cursor: one `GET …/comments?since=<newest updated_at seen>` with If-None-Match. A 304
    (nothing changed; free of rate limit) is changed=False. A 200 lists comments updated at or
    after `since`, so the newest known one always comes back: comments already seen at that
    instant are dropped, and only new or edited comments are returned (complete=False). The first
    poll after a full read, and the first after a change, get a 200 (the ETag belongs to another
    query); the polls after them get 304 while nothing changes.

    Not seen by a cursor poll: edits of the issue body, title and labels, and deleted comments;
    the caller reads the whole thread now and then (cursor=None) to catch those.
    """
    opts = options or GitHubOptions()
    state = _issue_cursor(cursor)
    if state is None:
        return await _full_issue(client, url, opts, progress)
    before = state
    state = await _issue_state(client, url, opts, state)
    headers = {**_headers(opts), "If-None-Match": state.etag} if state.etag else _headers(opts)
    query = urlencode({"since": state.since, "per_page": str(PER_PAGE)})
    first = f"{_issue_api(url, opts)}/comments?{query}"
    tracker = Tracker(progress, 0)
    comments, answer = await _comment_pages(
        client, url, first, headers, state.title, state.thread_url, tracker
    )
    since = _parse_time(state.since)
    assert since is not None  # _issue_cursor checked it
    fresh = [m for m in comments if not _seen_before(m, since, state.seen)]
    newest, seen = _newest(comments, since, state.seen)
    etag = answer.headers.get("ETag", "") if answer.status != NOT_MODIFIED else state.etag
    next_cursor = replace(state, etag=etag or state.etag, since=_iso(newest), seen=seen)
    closed_at = _parse_time(state.closed_at) if state.closed_at else None
    thread = Thread(
        kind="github",
        url=state.thread_url,
        messages=tuple(fresh),
        title=state.title,
        closed=closed_at is not None,
        closed_at=closed_at,
        labels=state.labels,
    )
    return ThreadUpdate(
        thread,
        next_cursor.to_json(),
        complete=False,
        changed=bool(fresh) or _shown(state) != _shown(before),
    )


def _shown(state: _IssueCursor) -> tuple[object, ...]:
    """What a poll reports as a change of the issue itself."""
    return state.title, state.labels, state.closed_at


async def _issue_state(
    client: HttpClient, url: str, opts: GitHubOptions, state: _IssueCursor
) -> _IssueCursor:
    """The cursor with the issue's current title, labels and closed state: one request with
    the issue's ETag, which GitHub answers with a free 304 while the issue is unchanged."""
    api = _issue_api(url, opts)
    headers = {**_headers(opts), "If-None-Match": state.issue_etag} if state.issue_etag else None
    fetched = await _get(client, url, api, headers or _headers(opts))
    if fetched.status == NOT_MODIFIED:
        return state
    issue = _object(fetched.json(), api, "")
    closed_at = _closed_at(issue, api)
    return replace(
        state,
        title=_str(issue, "title", api),
        labels=_labels(issue, api),
        issue_etag=fetched.headers.get("ETag", ""),
        closed_at=_iso(closed_at) if closed_at else "",
    )


def _seen_before(message: Message, since: datetime, seen: Sequence[str]) -> bool:
    """Comments updated exactly at `since` were read last time, unless they are new ids."""
    return (message.updated_at or message.sent_at) <= since and message.source_id in seen


async def _full_issue(
    client: HttpClient, url: str, opts: GitHubOptions, progress: Progress | None
) -> ThreadUpdate:
    thread, issue = await _read_issue(client, url, opts, progress)
    comments = [m for m in thread.messages if m.source_id.startswith("comment-")]
    created = _time(issue, "created_at", thread.url)
    newest, seen = _newest(comments, created, ())
    closed_at = _iso(thread.closed_at) if thread.closed_at else ""
    cursor = _IssueCursor(
        thread.url, thread.title, thread.labels, "", _iso(newest), seen, "", closed_at
    )
    return ThreadUpdate(thread, cursor.to_json(), complete=True, changed=True)


# --- discovery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueListing:
    number: int
    title: str
    url: str  # html_url
    created_at: datetime
    labels: tuple[str, ...]
    pull: bool


async def list_repo_issues(
    client: HttpClient,
    owner: str,
    repo: str,
    options: GitHubOptions | None = None,
    *,
    since: datetime | None = None,
    labels: Sequence[str] = (),
) -> list[IssueListing]:
    """Issues and pull requests of a repository, open and closed, newest created first.

    `since` keeps those updated at or after it. GitHub's `labels=` wants every label named, so
    it is sent only for a single label; several labels are matched here, any of them."""
    opts = options or GitHubOptions()
    api = f"{opts.api_url.rstrip('/')}/repos/{owner}/{repo}/issues"
    where = f"{opts.api_url.rstrip('/')}/repos/{owner}/{repo}"
    params = {"state": "all", "sort": "created", "direction": "desc", "per_page": str(PER_PAGE)}
    if since is not None:
        params["since"] = _iso(since)
    if len(labels) == 1:
        params["labels"] = labels[0]
    found: list[IssueListing] = []
    next_url: str | None = f"{api}?{urlencode(params)}"
    for _ in range(LIST_PAGES):
        if not next_url:
            break
        fetched = await _get(client, where, next_url, _headers(opts), "repository")
        items = fetched.json()
        if not isinstance(items, list):
            raise SourceError(next_url, "not a GitHub issue list: expected a JSON array")
        for index, item in enumerate(items):
            found.append(_listing(_object(item, next_url, f"[{index}]"), next_url))
        next_url = fetched.links.get("next")
    wanted = {label.casefold() for label in labels}
    return [i for i in found if not wanted or wanted & {x.casefold() for x in i.labels}]


def _listing(item: Mapping[str, object], where: str) -> IssueListing:
    return IssueListing(
        number=_int(item, "number", where),
        title=_str(item, "title", where),
        url=_str(item, "html_url", where),
        created_at=_time(item, "created_at", where),
        labels=_labels(item, where),
        pull=isinstance(item.get("pull_request"), Mapping),
    )


async def _get(
    client: HttpClient, url: str, target: str, headers: Mapping[str, str], what: str = "issue"
) -> Fetched:
    try:
        return await client.get(target, headers=headers, expect_json=True)
    except HttpError as error:
        if error.status == 404:
            raise SourceError(
                url, f"no such {what}, or it is private (HTTP 404 from {target})"
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
