"""Reading a topic from the site: `/t/{id}.json` gives the first 20 posts and the id of every
post (`post_stream.stream`); the rest come from `/t/{id}/posts.json?post_ids[]=…` in batches of
20, so a topic of N posts costs 1 + ceil((N - 20) / 20) requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from harvester.errors import SourceError
from harvester.model import Thread
from harvester.sources.discourse.shape import (
    TOPIC,
    PostShape,
    TopicShape,
    posts_from_answer,
    topic_from_answer,
)
from harvester.sources.discourse.topic import thread_from_topic
from harvester.sources.http import HttpClient, HttpError
from harvester.sources.progress import Progress, Tracker
from harvester.sources.tasks import gather_all

BATCH = 20  # post ids per posts.json request, as Discourse's own client asks for them


@dataclass(frozen=True)
class TopicRef:
    base: str  # scheme://host[/subfolder]
    topic_id: int
    slug: str


@dataclass(frozen=True)
class DiscourseAuth:
    """An API key for sites with login_required; the key comes from the environment only."""

    api_key: str = ""
    api_username: str = ""

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        return {"Api-Key": self.api_key, "Api-Username": self.api_username or "system"}


@dataclass(frozen=True)
class ReadTopic:
    """A topic as read: its page, and every post of it (the page's first, then the rest)."""

    topic: TopicShape
    posts: list[PostShape]


def parse_topic_url(url: str) -> TopicRef | None:
    """/t/slug/id, /t/id and /t/slug/id/N, each with or without .json; None if not a topic."""
    parts = urlsplit(url)
    prefix, marker, rest = parts.path.partition("/t/")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not marker:
        return None
    segments = rest.strip("/").removesuffix(".json").split("/")
    base = f"{parts.scheme}://{parts.netloc}{prefix}"
    numeric = [s.isdigit() for s in segments]
    if numeric in ([True], [True, True]):  # /t/{id} and /t/{id}/{post_number}
        return TopicRef(base, int(segments[0]), "")
    if len(segments) in (2, 3) and numeric[1:] in ([True], [True, True]):
        return TopicRef(base, int(segments[1]), segments[0])
    return None


async def fetch_topic(
    client: HttpClient,
    url: str,
    auth: DiscourseAuth | None = None,
    progress: Progress | None = None,
) -> Thread:
    """Every post of a topic: the topic page, then the posts it left out, 20 ids a request."""
    reader = TopicReader.of(client, url, auth)
    return reader.thread(await read_topic(reader, progress))


async def read_topic(reader: TopicReader, progress: Progress | None) -> ReadTopic:
    """The topic page and every post of its stream."""
    topic = await reader.topic_page()
    posts = list(topic.post_stream.posts)
    have = {post.id for post in posts}
    wanted = stream_ids(topic, reader.url)
    missing = [post_id for post_id in wanted if post_id not in have]
    tracker = Tracker(progress, len(wanted), len(posts))
    posts.extend(await reader.posts(missing, tracker))
    return ReadTopic(topic, posts)


def stream_ids(topic: TopicShape, where: str) -> list[int]:
    """Every post id of the topic, which a topic page always lists (mega topics are refused)."""
    stream = topic.post_stream.stream
    if stream is None:
        problem = f"not {TOPIC}: expected a list, got nothing"
        raise SourceError(where, problem, field="post_stream.stream")
    return stream


@dataclass(frozen=True)
class TopicReader:
    """One topic on one site, with what every request to it needs."""

    client: HttpClient
    url: str  # as the caller gave it: errors name it
    ref: TopicRef
    auth: DiscourseAuth | None

    @classmethod
    def of(cls, client: HttpClient, url: str, auth: DiscourseAuth | None) -> TopicReader:
        ref = parse_topic_url(url)
        if ref is None:
            raise SourceError(url, "not a Discourse topic URL (expected …/t/slug/id or …/t/id)")
        return cls(client, url, ref, auth)

    async def topic_page(self) -> TopicShape:
        """The topic JSON: its first 20 posts and the whole stream."""
        ref = self.ref
        path = f"/t/{ref.slug}/{ref.topic_id}.json" if ref.slug else f"/t/{ref.topic_id}.json"
        body = await get_answer(self.client, self.url, ref.base + path, self.auth)
        topic = topic_from_answer(body, self.url)
        if topic.mega_topic or topic.post_stream.mega_topic:
            raise SourceError(
                self.url, "a topic of 10,000 or more posts lists no post ids; not supported"
            )
        return topic

    async def posts(self, ids: Sequence[int], tracker: Tracker) -> list[PostShape]:
        """The posts with these ids, BATCH ids a request, requests run concurrently."""
        posts_url = f"{self.ref.base}/t/{self.ref.topic_id}/posts.json"

        async def fetch_batch(batch: Sequence[int]) -> list[PostShape]:
            params = [("post_ids[]", str(post_id)) for post_id in batch]
            body = await get_answer(self.client, self.url, posts_url, self.auth, params)
            found = posts_from_answer(body, posts_url)
            tracker.add(len(found))
            return found

        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        return [post for found in await gather_all(*map(fetch_batch, batches)) for post in found]

    def thread(self, read: ReadTopic) -> Thread:
        return thread_from_topic(read.topic, read.posts, where=self.url, base_url=self.ref.base)


async def get_answer(
    client: HttpClient,
    url: str,
    target: str,
    auth: DiscourseAuth | None,
    params: Sequence[tuple[str, str]] | None = None,
    what: str = "topic",
) -> bytes:
    """The JSON body of one GET; a login wall and a 404 become errors that say what to do."""
    headers = (auth or DiscourseAuth()).headers()
    try:
        return (await client.get(target, params=params, headers=headers, expect_json=True)).body
    except HttpError as error:
        if error.status == 403 and _error_type(error) in {"not_logged_in", "invalid_access"}:
            raise SourceError(url, _login_problem(auth)) from None
        if error.status == 404:
            raise SourceError(url, f"no such {what} on the site (HTTP 404)") from None
        raise


def _error_type(error: HttpError) -> str:
    body = error.json_body()
    return str(body.get("error_type", "")) if isinstance(body, Mapping) else ""


def _login_problem(auth: DiscourseAuth | None) -> str:
    if auth is not None and auth.api_key:
        return (
            "the site refused the API key (HTTP 403): check "
            "HARVESTER_SOURCES__DISCOURSE__API_KEY and sources.discourse.api_username"
        )
    return (
        "the site requires a login (HTTP 403 not_logged_in): set sources.discourse.api_username "
        "in the config and the key in HARVESTER_SOURCES__DISCOURSE__API_KEY (sent as the "
        "Api-Username and Api-Key headers)"
    )
