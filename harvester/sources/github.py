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

import msgspec

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, Thread, ThreadUpdate
from harvester.sources.http import NOT_MODIFIED, Fetched, HttpClient, HttpError
from harvester.sources.progress import Progress, Tracker
from harvester.sources.shapes import decode_answer, iso_time

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100  # GitHub's maximum
LIST_PAGES = 5  # a discovery listing reads at most this many pages (500 issues)
_ISSUE_PATH = re.compile(
    r"^/(?:repos/)?(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<kind>issues|pull|pulls)/(?P<number>\d+)"
)


# --- the JSON harvester reads: only these fields; unknown ones pass ----------------------------


class UserShape(msgspec.Struct):
    login: str | None = None  # a deleted account has no user, or no login: "ghost"


class LabelShape(msgspec.Struct):
    name: str | None = None


Labels = list[str | LabelShape] | None  # objects with a name; plain names in some payloads


class IssueShape(msgspec.Struct):
    """`GET /repos/{owner}/{repo}/issues/{n}`: an issue or a pull request."""

    id: int
    title: str
    html_url: str
    created_at: str
    updated_at: str
    body: str | None = None
    user: UserShape | None = None
    comments: int | None = None  # how many conversation comments it has
    state: str | None = None  # "open" or "closed"
    closed_at: str | None = None
    labels: Labels = None


class CommentShape(msgspec.Struct):
    """One entry of `GET …/issues/{n}/comments`."""

    id: int
    html_url: str
    created_at: str
    updated_at: str
    body: str | None = None
    user: UserShape | None = None


class PullRequestShape(msgspec.Struct):
    """Present (with links this reader does not need) when a listed issue is a pull request."""


class ListedIssueShape(msgspec.Struct):
    """One entry of `GET /repos/{owner}/{repo}/issues`."""

    number: int
    title: str
    html_url: str
    created_at: str
    labels: Labels = None
    pull_request: PullRequestShape | None = None


ISSUE = "a GitHub issue"
COMMENTS = "a GitHub comment list"
ISSUES = "a GitHub issue list"


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


def request_headers(options: GitHubOptions) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if options.token:
        headers["Authorization"] = f"Bearer {options.token}"
    return headers


def issue_api(url: str, opts: GitHubOptions) -> str:
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
) -> tuple[Thread, IssueShape]:
    """The whole thread, and the issue it was read from."""
    api = issue_api(url, opts)
    headers = request_headers(opts)
    fetched = await _get(client, url, api, headers)
    issue = decode_answer(fetched.body, IssueShape, where=api, what=ISSUE)
    title = issue.title
    tracker = Tracker(progress, 1 + (issue.comments or 0), 1)
    thread_url = issue.html_url
    messages = [_issue_message(issue, api)]
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
        labels=_label_names(issue.labels),
    )
    return thread, issue


def _closed_at(issue: IssueShape, where: str) -> datetime | None:
    """When a closed issue was closed (TVM closes a vote by closing its issue); None while open.
    A closed issue without closed_at closes at its last update."""
    if issue.state != "closed":
        return None
    if issue.closed_at is None:
        return iso_time(issue.updated_at, where=where, field="updated_at")
    return iso_time(issue.closed_at, where=where, field="closed_at")


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
        comments = decode_answer(fetched.body, list[CommentShape], where=next_url, what=COMMENTS)
        for index, comment in enumerate(comments):
            messages.append(_comment_message(comment, title, thread_url, next_url, f"[{index}]"))
        tracker.total = max(tracker.total, tracker.done + len(comments))  # a poll's total grows
        tracker.add(len(comments))
        next_url = fetched.links.get("next")
        if next_url:
            fetched = await _get(client, url, next_url, _unconditional(headers))
    return messages, first_page


def _unconditional(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() != "if-none-match"}


def _label_names(labels: Labels) -> tuple[str, ...]:
    names = (label if isinstance(label, str) else label.name for label in labels or ())
    return tuple(name for name in names if name is not None)


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
    headers = (
        {**request_headers(opts), "If-None-Match": state.etag}
        if state.etag
        else request_headers(opts)
    )
    query = urlencode({"since": state.since, "per_page": str(PER_PAGE)})
    first = f"{issue_api(url, opts)}/comments?{query}"
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
    api = issue_api(url, opts)
    headers = (
        {**request_headers(opts), "If-None-Match": state.issue_etag} if state.issue_etag else None
    )
    fetched = await _get(client, url, api, headers or request_headers(opts))
    if fetched.status == NOT_MODIFIED:
        return state
    issue = decode_answer(fetched.body, IssueShape, where=api, what=ISSUE)
    closed_at = _closed_at(issue, api)
    return replace(
        state,
        title=issue.title,
        labels=_label_names(issue.labels),
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
    created = iso_time(issue.created_at, where=thread.url, field="created_at")
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
        fetched = await _get(client, where, next_url, request_headers(opts), "repository")
        items = decode_answer(fetched.body, list[ListedIssueShape], where=next_url, what=ISSUES)
        for index, item in enumerate(items):
            found.append(_listing(item, next_url, f"[{index}]"))
        next_url = fetched.links.get("next")
    wanted = {label.casefold() for label in labels}
    return [i for i in found if not wanted or wanted & {x.casefold() for x in i.labels}]


def _listing(item: ListedIssueShape, where: str, path: str) -> IssueListing:
    return IssueListing(
        number=item.number,
        title=item.title,
        url=item.html_url,
        created_at=iso_time(item.created_at, where=where, field=f"{path}.created_at"),
        labels=_label_names(item.labels),
        pull=item.pull_request is not None,
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


def _issue_message(issue: IssueShape, where: str) -> Message:
    return Message(
        source="github",
        source_id=f"issue-{issue.id}",
        url=issue.html_url,
        subject=issue.title,
        author=_author(issue.user),
        sent_at=iso_time(issue.created_at, where=where, field="created_at"),
        body=issue.body or "",
        body_format=BodyFormat.MARKDOWN,
        thread_url=issue.html_url,
        updated_at=iso_time(issue.updated_at, where=where, field="updated_at"),
    )


def _comment_message(
    comment: CommentShape, title: str, thread_url: str, where: str, path: str
) -> Message:
    return Message(
        source="github",
        source_id=f"comment-{comment.id}",
        url=comment.html_url,
        subject=f"Re: {title}",
        author=_author(comment.user),
        sent_at=iso_time(comment.created_at, where=where, field=f"{path}.created_at"),
        body=comment.body or "",
        body_format=BodyFormat.MARKDOWN,
        thread_url=thread_url,
        updated_at=iso_time(comment.updated_at, where=where, field=f"{path}.updated_at"),
    )


def _author(user: UserShape | None) -> Author:
    login = None if user is None else user.login
    if login is None:  # a deleted account is shown as "ghost"
        return Author(name="ghost", username="ghost")
    return Author(name=login, username=login)
