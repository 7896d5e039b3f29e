"""Short labels for the URLs pages show: "apache/tvm#18642" rather than a whole URL, and a
Message-ID cut to a few characters rather than wrapped over three lines.

The whole URL stays in the link and in the title attribute; a label is only what is read.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import SplitResult, unquote, urlsplit

MID = "mid:"
ELLIPSIS = "…"
_LOCAL_KEPT = 8  # "CAG7+Hm2…": enough to tell two Message-IDs of one thread apart
_DOMAIN_MAX = 24  # longer mail domains keep their last two labels
_TEXT_MAX = 40
_PATH_MAX = 28

_DISCOURSE_TOPIC = re.compile(r"/t/(?:[^/]*[^/0-9][^/]*/)?(\d+)(?:\.json)?(?:/(\d+))?")
_GITHUB_ISSUE = re.compile(r"/(?:repos/)?([^/]+)/([^/]+)/(?:issues|pull|pulls|discussions)/(\d+)")
_GITHUB_COMMENT = re.compile(r"/repos/([^/]+)/([^/]+)/issues/comments/\d+")


def short_label(url: object) -> str:
    """What a page shows for a source or message URL (see the module docstring)."""
    if not isinstance(url, str) or not url:
        return ""
    if url.lower().startswith(MID):
        return MID + short_message_id(url[len(MID) :])
    parts = _split(url)
    if parts is not None and parts.scheme.lower() in ("http", "https") and parts.hostname:
        return _web_label(parts)
    return _other_label(url)


def short_message_id(message_id: str) -> str:
    """ "CAG7+Hm2xP4k…@mail.gmail.com" → "CAG7+Hm2…@mail.gmail.com"; percent-escapes decoded."""
    local, at, domain = unquote(message_id).strip("<>").rpartition("@")
    if not at:
        return _cut(domain, _TEXT_MAX)
    if len(local) > _LOCAL_KEPT + 2:
        local = local[:_LOCAL_KEPT] + ELLIPSIS
    if len(domain) > _DOMAIN_MAX:
        domain = ELLIPSIS + ".".join(domain.split(".")[-2:])
    return f"{local}@{domain}"


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # a bracketed host that is no IPv6 address, say
        return None


def _web_label(parts: SplitResult) -> str:
    host = (parts.hostname or "").lower()
    path = parts.path
    github = _github_label(host, path, parts.fragment)
    if github:
        return github
    if host == "lists.apache.org" and "thread" in path:
        return "lists.apache.org thread"
    topic = _DISCOURSE_TOPIC.match(path)
    if topic:
        post = topic.group(2)
        return f"{host} #{topic.group(1)}" + (f" post {post}" if post else "")
    return host + _short_path(path)


def _github_label(host: str, path: str, fragment: str) -> str:
    if host not in ("github.com", "api.github.com"):
        return ""
    issue = _GITHUB_ISSUE.match(path)
    if issue:
        owner, repo, number = issue.groups()
        comment = fragment.startswith("issuecomment") or path.endswith("/comments")
        return f"{owner}/{repo}#{number}" + (" comment" if comment else "")
    comment_only = _GITHUB_COMMENT.match(path)
    if comment_only:
        return f"{comment_only.group(1)}/{comment_only.group(2)} comment"
    return ""


def _short_path(path: str) -> str:
    """ "/public/committee-info.json" stays; a long path keeps its last part: "/…/last"."""
    path = path.rstrip("/")
    if len(path) <= _PATH_MAX:
        return path
    last = path.rsplit("/", 1)[-1]
    return "/" + ELLIPSIS + "/" + _cut(last, _PATH_MAX)


def _other_label(text: str) -> str:
    """A file ("examples/strategy-vote.mbox#mid:…" → "strategy-vote.mbox") or other text."""
    file_part = text.split("#", 1)[0]
    if "/" in file_part and "://" not in file_part and not file_part.endswith("/"):
        return _cut(PurePosixPath(file_part).name, _TEXT_MAX)
    return _cut(text, _TEXT_MAX)


def _cut(text: str, at_most: int) -> str:
    return text if len(text) <= at_most else text[: at_most - 1] + ELLIPSIS
