"""A fake api.github.com (REST v3) for issues, pull requests and issue comments on 127.0.0.1.

What a careful client must handle is here on purpose: `Link` pagination (per_page at most 100),
`since` on comments, ETags with 304 answers that cost no rate limit, X-RateLimit-* headers on every
answer and a 403 once the limit is spent. Bodies follow the public REST v3 shapes.

The repository issue list (`/repos/{owner}/{repo}/issues`) takes state, since (updated at or
after), labels (comma-separated, every one required, names compared case-insensitively), sort,
direction, per_page and page, and lists pull requests too, as GitHub does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from tests.fakes.base import FakeSite, Handler

Doc = dict[str, Any]
DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
FIRST_ISSUE_ID = 1_800_000_000
FIRST_COMMENT_ID = 1_600_000_000
FIRST_USER_ID = 1001
REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")


@dataclass
class Comment:
    id: int
    user: str
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Issue:
    owner: str
    repo: str
    number: int
    id: int
    title: str
    body: str
    user: str
    created_at: datetime
    pull: bool
    state: str
    labels: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    closed_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        times = [self.created_at, *(c.updated_at for c in self.comments)]
        return max([*times, *([self.closed_at] if self.closed_at else [])])


class FakeGitHub(FakeSite):
    """GitHub's REST API in memory: add issues and comments, then point a client at `url`."""

    def __init__(self, *, html_base: str = "https://github.com", rate_limit: int = 60) -> None:
        super().__init__()
        self.html_base = html_base.rstrip("/")
        self.rate_limit = rate_limit
        self.remaining: int = rate_limit  # X-RateLimit-Remaining; 304s do not spend it
        self.reset_at = int(time.time()) + 3600
        self.associations: dict[str, str] = {}  # login -> author_association (default "NONE")
        self._issues: dict[tuple[str, str, int], Issue] = {}
        self._user_ids: dict[str, int] = {}
        self._next_comment_id = FIRST_COMMENT_ID
        self.tokens: dict[str, str] = {}  # token -> the login that may comment with it
        self.clock = lambda: datetime.now(UTC)  # when a posted comment is made
        self.app.middlewares.append(self._github_headers)
        base = "/repos/{owner}/{repo}"
        router = self.app.router
        router.add_get(base + "/issues", self._list_issues)
        router.add_get(base + r"/issues/{number:\d+}", self._get_issue)
        router.add_get(base + r"/pulls/{number:\d+}", self._get_pull)
        router.add_get(base + r"/issues/{number:\d+}/comments", self._list_comments)
        router.add_get(base + r"/issues/comments/{id:\d+}", self._get_comment)
        router.add_post(base + r"/issues/{number:\d+}/comments", self._post_comment)

    # --- data ---------------------------------------------------------------------------------

    def add_issue(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        title: str,
        body: str,
        user: str,
        created_at: datetime,
        pull: bool = False,
        state: str = "open",
        labels: tuple[str, ...] = (),
    ) -> None:
        """Create (or replace) an issue or, with pull=True, a pull request."""
        issue = Issue(
            owner=owner,
            repo=repo,
            number=number,
            id=FIRST_ISSUE_ID + len(self._issues),
            title=title,
            body=body,
            user=user,
            created_at=_aware(created_at),
            pull=pull,
            state=state,
            labels=list(labels),
        )
        self._issues[_key(owner, repo, number)] = issue

    def add_comment(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        user: str,
        body: str,
        created_at: datetime,
        updated_at: datetime | None = None,
    ) -> int:
        """Append a comment to an existing issue; returns the comment id (ascending)."""
        issue = self._issues[_key(owner, repo, number)]
        self._next_comment_id += 1
        created = _aware(created_at)
        updated = _aware(updated_at) if updated_at is not None else created
        issue.comments.append(Comment(self._next_comment_id, user, body, created, updated))
        return self._next_comment_id

    def edit_comment(self, comment_id: int, body: str, *, at: datetime) -> None:
        """An edit: new body, updated_at moves (created_at stays)."""
        for issue in self._issues.values():
            for comment in issue.comments:
                if comment.id == comment_id:
                    comment.body, comment.updated_at = body, _aware(at)
                    return
        raise KeyError(comment_id)

    def close_issue(self, owner: str, repo: str, number: int, *, at: datetime) -> None:
        """Close an issue, as a maintainer closes a vote: state "closed", closed_at set."""
        issue = self._issues[_key(owner, repo, number)]
        issue.state, issue.closed_at = "closed", _aware(at)

    def issue_url(self, owner: str, repo: str, number: int, *, pull: bool = False) -> str:
        """The html URL a person would paste: /issues/N or /pull/N."""
        return f"{self.html_base}/{owner}/{repo}/{'pull' if pull else 'issues'}/{number}"

    # --- endpoints ----------------------------------------------------------------------------

    async def _get_issue(self, request: web.Request) -> web.Response:
        issue = self._issue_of(request)
        return _json(self._issue_doc(issue)) if issue else _not_found()

    async def _get_pull(self, request: web.Request) -> web.Response:
        issue = self._issue_of(request)
        return _json(self._pull_doc(issue)) if issue and issue.pull else _not_found()

    async def _get_comment(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        for issue in self._issues.values():
            for comment in issue.comments:
                if comment.id == wanted:
                    return _json(self._comment_doc(issue, comment))
        return _not_found()

    async def _list_issues(self, request: web.Request) -> web.Response:
        info = request.match_info
        repo = (info["owner"].lower(), info["repo"].lower())
        issues = [i for key, i in self._issues.items() if key[:2] == repo]
        if not issues:  # the fake knows a repository by its issues
            return _not_found()
        state = request.query.get("state", "open")
        if state not in ("open", "closed", "all"):
            return _invalid("state")
        issues = [i for i in issues if state == "all" or i.state == state]
        if "since" in request.query:
            since = _parse_time(request.query["since"])
            if since is None:
                return _invalid("since")
            issues = [i for i in issues if i.updated_at >= since]
        wanted = {x.strip().casefold() for x in request.query.get("labels", "").split(",")}
        wanted.discard("")
        issues = [i for i in issues if wanted <= {x.casefold() for x in i.labels}]
        issues = _sorted_issues(issues, request.query.get("sort"), request.query.get("direction"))
        return self._paged(request, [self._issue_doc(i) for i in issues])

    async def _list_comments(self, request: web.Request) -> web.Response:
        issue = self._issue_of(request)
        if issue is None:
            return _not_found()
        comments = issue.comments
        if "since" in request.query:
            since = _parse_time(request.query["since"])
            if since is None:
                return _invalid("since")
            comments = [c for c in comments if c.updated_at >= since]
        return self._paged(request, [self._comment_doc(issue, c) for c in comments])

    async def _post_comment(self, request: web.Request) -> web.Response:
        """POST a comment: a known token's login writes it; 201 with the comment."""
        auth = request.headers.get("Authorization", "")
        login = self.tokens.get(auth.removeprefix("Bearer ").strip())
        if login is None:
            return _json({"message": "Requires authentication", "status": "401"}, status=401)
        issue = self._issue_of(request)
        if issue is None:
            return _not_found()
        try:
            body = (await request.json())["body"]
        except (ValueError, KeyError, TypeError):
            return _json({"message": "Invalid request.", "status": "422"}, status=422)
        info = request.match_info
        at = self.clock()
        number = int(info["number"])
        comment_id = self.add_comment(
            info["owner"], info["repo"], number, user=login, body=body, created_at=at
        )
        comment = next(c for c in issue.comments if c.id == comment_id)
        return _json(self._comment_doc(issue, comment), status=201)

    def _paged(self, request: web.Request, docs: list[Doc]) -> web.Response:
        """One page of a list (per_page, page) with GitHub's Link header."""
        per_page = _clamp(request.query.get("per_page"), DEFAULT_PER_PAGE, MAX_PER_PAGE)
        page = _clamp(request.query.get("page"), 1, None)
        response = _json(docs[(page - 1) * per_page : page * per_page])
        link = self._link_header(request, page, max(1, math.ceil(len(docs) / per_page)))
        if link:
            response.headers["Link"] = link
        return response

    # --- documents ----------------------------------------------------------------------------

    def _issue_of(self, request: web.Request) -> Issue | None:
        info = request.match_info
        return self._issues.get(_key(info["owner"], info["repo"], int(info["number"])))

    def _api(self, issue: Issue) -> str:
        return f"{self.url}/repos/{issue.owner}/{issue.repo}"

    def _issue_doc(self, issue: Issue) -> Doc:
        api = f"{self._api(issue)}/issues/{issue.number}"
        doc: Doc = {
            "url": api,
            "repository_url": self._api(issue),
            "labels_url": api + "/labels{/name}",
            "comments_url": api + "/comments",
            "events_url": api + "/events",
            "html_url": self.issue_url(issue.owner, issue.repo, issue.number, pull=issue.pull),
            "id": issue.id,
            "node_id": _node_id("PR" if issue.pull else "I", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self._user_doc(issue.user),
            "labels": [self._label_doc(issue, name) for name in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": len(issue.comments),
            "created_at": _time(issue.created_at),
            "updated_at": _time(issue.updated_at),
            "closed_at": _time(issue.closed_at or issue.updated_at)
            if issue.state == "closed"
            else None,
            "author_association": self.associations.get(issue.user, "NONE"),
            "active_lock_reason": None,
            "body": issue.body,
            "reactions": _reactions(api),
            "timeline_url": api + "/timeline",
            "performed_via_github_app": None,
            "state_reason": "completed" if issue.state == "closed" else None,
        }
        if issue.pull:
            doc["draft"] = False
            doc["pull_request"] = self._pull_links(issue) | {"merged_at": None}
        return doc

    def _label_doc(self, issue: Issue, name: str) -> Doc:
        digest = hashlib.sha256(name.encode()).hexdigest()
        label_id = int(digest[:8], 16)
        return {
            "id": label_id,
            "node_id": _node_id("LA", label_id),
            "url": f"{self._api(issue)}/labels/{quote(name)}",
            "name": name,
            "color": digest[:6],
            "default": False,
            "description": None,
        }

    def _pull_links(self, issue: Issue) -> Doc:
        html = self.issue_url(issue.owner, issue.repo, issue.number, pull=True)
        return {
            "url": f"{self._api(issue)}/pulls/{issue.number}",
            "html_url": html,
            "diff_url": html + ".diff",
            "patch_url": html + ".patch",
        }

    def _pull_doc(self, issue: Issue) -> Doc:
        return self._pull_links(issue) | {
            "id": issue.id,
            "node_id": _node_id("PR", issue.id),
            "issue_url": f"{self._api(issue)}/issues/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "locked": False,
            "title": issue.title,
            "user": self._user_doc(issue.user),
            "body": issue.body,
            "created_at": _time(issue.created_at),
            "updated_at": _time(issue.updated_at),
            "closed_at": _time(issue.closed_at or issue.updated_at)
            if issue.state == "closed"
            else None,
            "merged_at": None,
            "draft": False,
            "author_association": self.associations.get(issue.user, "NONE"),
        }

    def _comment_doc(self, issue: Issue, comment: Comment) -> Doc:
        api = f"{self._api(issue)}/issues/comments/{comment.id}"
        html = self.issue_url(issue.owner, issue.repo, issue.number, pull=issue.pull)
        return {
            "url": api,
            "html_url": f"{html}#issuecomment-{comment.id}",
            "issue_url": f"{self._api(issue)}/issues/{issue.number}",
            "id": comment.id,
            "node_id": _node_id("IC", comment.id),
            "user": self._user_doc(comment.user),
            "created_at": _time(comment.created_at),
            "updated_at": _time(comment.updated_at),
            "author_association": self.associations.get(comment.user, "NONE"),
            "body": comment.body,
            "reactions": _reactions(api),
            "performed_via_github_app": None,
        }

    def _user_doc(self, login: str) -> Doc:
        user_id = self._user_ids.setdefault(login, FIRST_USER_ID + len(self._user_ids))
        bot = login.endswith("[bot]")
        html = f"{self.html_base}/apps/{login.removesuffix('[bot]')}" if bot else None
        api = f"{self.url}/users/{login}"
        return {
            "login": login,
            "id": user_id,
            "node_id": _node_id("BOT" if bot else "U", user_id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": html or f"{self.html_base}/{login}",
            "followers_url": api + "/followers",
            "repos_url": api + "/repos",
            "type": "Bot" if bot else "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def _link_header(self, request: web.Request, page: int, last: int) -> str:
        """GitHub's Link: prev, next, last, first as they apply; none when one page holds all."""
        rels: list[tuple[str, int]] = []
        if page > 1:
            rels.append(("prev", min(page - 1, last)))
        if page < last:
            rels += [("next", page + 1), ("last", last)]
        if page > 1:
            rels.append(("first", 1))
        return ", ".join(f'<{self._page_url(request, n)}>; rel="{rel}"' for rel, n in rels)

    def _page_url(self, request: web.Request, page: int) -> str:
        query = dict(request.query)
        query["page"] = str(page)
        return f"{self.url}{request.path}?{urlencode(query)}"

    # --- headers, conditional requests, rate limit ---------------------------------------------

    @web.middleware
    async def _github_headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Rate limit, ETag/304 and GitHub's JSON 404 for every route, known or not."""
        if self.remaining <= 0:
            return self._with_rate_headers(self._rate_limited(request))
        try:
            response = await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            response = _not_found()
        if not isinstance(response, web.Response) or response.body is None:
            return response
        etag = 'W/"' + hashlib.sha256(bytes(response.body)).hexdigest() + '"'  # type: ignore[arg-type]
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            not_modified = web.Response(status=304, headers={"ETag": etag})
            return self._with_rate_headers(not_modified)
        self.remaining -= 1
        response.headers["ETag"] = etag
        return self._with_rate_headers(response)

    def _with_rate_headers(self, response: web.Response) -> web.Response:
        response.headers.update(
            {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(self.remaining, 0)),
                "X-RateLimit-Reset": str(self.reset_at),
                "X-RateLimit-Used": str(self.rate_limit - max(self.remaining, 0)),
                "X-RateLimit-Resource": "core",
                "X-GitHub-Media-Type": "github.v3; format=json",
            }
        )
        return response

    def _rate_limited(self, request: web.Request) -> web.Response:
        who = "user ID 1" if "Authorization" in request.headers else request.remote or "127.0.0.1"
        message = (
            f"API rate limit exceeded for {who}. (But here's the good news: Authenticated requests"
            " get a higher rate limit. Check out the documentation for more details.)"
        )
        return _json({"message": message, "documentation_url": RATE_DOCS}, status=403)


# --- helpers ----------------------------------------------------------------------------------


def _key(owner: str, repo: str, number: int) -> tuple[str, str, int]:
    """GitHub owner and repo names are case-insensitive."""
    return owner.lower(), repo.lower(), number


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def _sorted_issues(issues: list[Issue], sort: str | None, direction: str | None) -> list[Issue]:
    """sort=created (default) | updated | comments; direction=desc (default) | asc."""
    keys = {
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (len(i.comments), i.number),
    }
    key = keys.get(sort or "created", lambda i: (i.created_at, i.number))
    return sorted(issues, key=key, reverse=direction != "asc")


def _clamp(text: str | None, default: int, top: int | None) -> int:
    """per_page/page as GitHub reads them: junk or < 1 means the default, per_page caps at 100."""
    try:
        value = int(text) if text is not None else default
    except ValueError:
        value = default
    value = value if value >= 1 else default
    return min(value, top) if top is not None else value


def _node_id(kind: str, number: int) -> str:
    return f"{kind}_kwDO" + base64.b64encode(f"fake:{number}".encode()).decode().rstrip("=")


def _reactions(api: str) -> Doc:
    return {"url": api + "/reactions", "total_count": 0, **dict.fromkeys(REACTIONS, 0)}


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as for GET: W/ prefixes do not matter; '*' matches anything."""
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def _json(doc: Doc | list[Doc], *, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(doc, indent=2), content_type="application/json"
    )


def _not_found() -> web.Response:
    return _json({"message": "Not Found", "documentation_url": DOCS}, status=404)


def _invalid(param: str) -> web.Response:
    error = {"resource": "Issue", "field": param, "code": "invalid"}
    body = {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS}
    return _json(body, status=422)
