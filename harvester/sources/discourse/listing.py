"""A category's topic list (`/c/{slug}/{id}.json`), to discover new votes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from harvester.errors import SourceError
from harvester.sources.discourse.fetch import DiscourseAuth, get_answer
from harvester.sources.discourse.shape import ListedTopicShape, category_from_answer
from harvester.sources.discourse.topic import html_to_text
from harvester.sources.http import HttpClient
from harvester.sources.shapes import iso_time

CATEGORY_PAGES = 5  # pages (30 topics each) a listing reads when it is not told how far back
MAX_CATEGORY_PAGES = 200  # told `since`: until a page ends before it, at most this many


@dataclass(frozen=True)
class TopicListing:
    topic_id: int
    title: str
    url: str  # base/t/slug/id
    created_at: datetime | None
    closed: bool
    bumped_at: datetime | None = None  # last activity: the listing's order


def parse_category_url(url: str) -> tuple[str, str] | None:
    """…/c/slug/id or …/c/parent/slug/id (with or without .json) -> (base, "/c/…/id")."""
    parts = urlsplit(url)
    prefix, marker, rest = parts.path.partition("/c/")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not marker:
        return None
    segments = rest.strip("/").removesuffix(".json").split("/")
    if len(segments) not in (2, 3) or not segments[-1].isdigit() or not all(segments):
        return None
    if any(segment.isdigit() for segment in segments[:-1]):
        return None
    return f"{parts.scheme}://{parts.netloc}{prefix}", "/c/" + "/".join(segments)


async def list_category_topics(
    client: HttpClient,
    category_url: str,
    auth: DiscourseAuth | None = None,
    since: datetime | None = None,
) -> list[TopicListing]:
    """The topics of a category, most recently bumped first, following `more_topics_url`:
    until a page's last topic was last active before `since` (a busy category holds more than
    a few pages of topics a lookback must see), else for CATEGORY_PAGES pages."""
    parsed = parse_category_url(category_url)
    if parsed is None:
        raise SourceError(category_url, "not a Discourse category URL (expected …/c/slug/id)")
    base, path = parsed
    found: list[TopicListing] = []
    page: str | None = None
    for read in range(1, MAX_CATEGORY_PAGES + 1):
        params = [("page", page)] if page else None
        target = f"{base}{path}.json"
        body = await get_answer(client, category_url, target, auth, params, "category")
        topic_list = category_from_answer(body, category_url)
        listed = [
            _listing(entry, base, category_url, f"topic_list.topics[{index}]")
            for index, entry in enumerate(topic_list.topics)
        ]
        found.extend(listed)
        page = _next_page(topic_list.more_topics_url)
        if page is None or not _goes_on(listed, since, read):
            break
    return found


def _goes_on(listed: Sequence[TopicListing], since: datetime | None, read: int) -> bool:
    """Whether the next page may still hold topics active since `since`."""
    last = listed[-1].bumped_at if listed else None
    if since is None or last is None:
        return read < CATEGORY_PAGES
    return last >= since


def _next_page(more: str | None) -> str | None:
    """more_topics_url is an HTML path ("/c/slug/9?page=1"): only its page number is used."""
    if more is None:
        return None
    pages = parse_qs(urlsplit(more).query).get("page")
    return pages[0] if pages and pages[0].isdigit() else None


def _listing(entry: ListedTopicShape, base: str, where: str, path: str) -> TopicListing:
    title = entry.title or html_to_text(entry.fancy_title or "")
    slug = entry.slug or "-"
    return TopicListing(
        topic_id=entry.id,
        title=title,
        url=f"{base}/t/{slug}/{entry.id}",
        created_at=_time(entry.created_at, where, f"{path}.created_at"),
        closed=entry.closed is True,
        bumped_at=_time(entry.bumped_at, where, f"{path}.bumped_at"),
    )


def _time(text: str | None, where: str, field: str) -> datetime | None:
    """A listing's times are optional: absent or empty is None."""
    return iso_time(text, where=where, field=field) if text else None
