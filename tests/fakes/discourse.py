"""A fake Discourse forum that answers with the JSON shapes real Discourse sends.

Field names follow TopicViewSerializer, PostSerializer and ListableTopicSerializer (see
wire-formats.md section 1), so a client that works here meets no surprise on a real site:
chunks of 20 posts plus the full `stream`, `?page=N`, `posts.json?post_ids[]=…`, the 301 on a
wrong slug, hidden and withdrawn posts, whispers only for API callers, and `login_required`.
Every answer is built per request from in-memory lists, so tests can add or edit posts between
two fetches, and a 1,000-post topic stays cheap to serve.
"""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Self

from aiohttp import web

from tests.fakes.base import FakeSite, Fault, status

Json = dict[str, Any]

CHUNK_SIZE = 20  # TopicView::CHUNK_SIZE
POSTS_BEFORE_NEAR = 5  # filter_posts_near keeps a quarter of a chunk before the asked post
MAX_PARTICIPANTS = 24  # TopicViewDetailsSerializer caps participants[]
TOPICS_PER_PAGE = 30  # TopicQuery default per_page for /latest
MAX_POSTS_PER_TOPIC = 10_000  # mega topics drop `stream`, which this fake does not model
WHISPER = 4
HIDDEN_COOKED = "<p>This post was flagged by the community and is temporarily hidden.</p>"
WITHDRAWN_COOKED = (
    "<p>(post withdrawn by author, will be automatically deleted in 24 hours unless flagged)</p>"
)
NOT_FOUND: Json = {
    "errors": ["The requested URL or resource could not be found."],
    "error_type": "not_found",
}
NOT_LOGGED_IN: Json = {
    "errors": ["You need to be logged in to do that."],
    "error_type": "not_logged_in",
}
INVALID_KEY: Json = {
    "errors": [
        "You are not permitted to view the requested resource. The API username or key is invalid."
    ],
    "error_type": "invalid_access",
}


@dataclass
class FakePost:
    """One post as the test author thinks of it; the site derives every wire field from it."""

    username: str
    cooked: str
    created_at: datetime  # tz-aware UTC
    name: str = ""
    post_type: int = 1  # 1 regular, 2 moderator action, 3 small action, 4 whisper
    action_code: str | None = None  # small actions, e.g. "closed.enabled" (cooked is then "")
    hidden: bool = False
    user_deleted: bool = False
    deleted: bool = False  # deleted posts are not visible to anonymous readers at all
    version: int = 1
    updated_at: datetime | None = None  # defaults to created_at
    reply_to_post_number: int | None = None
    polls: list[dict[str, object]] | None = None  # the poll plugin's `polls` array, verbatim
    id: int = 0  # assigned by the site
    post_number: int = 0  # assigned by the site


@dataclass
class _Topic:
    id: int
    slug: str
    title: str
    posts: list[FakePost]
    closed: bool
    category_id: int
    tags: list[str] = field(default_factory=list)


@dataclass
class _Users:
    """Stable user ids per username, so user_id and avatar_template agree across answers."""

    ids: dict[str, int] = field(default_factory=dict)

    def id_of(self, username: str) -> int:
        return self.ids.setdefault(username, 100 + len(self.ids))


def iso(moment: datetime) -> str:
    """Discourse's JSON time: UTC, milliseconds, trailing Z ("2023-08-14T16:02:11.123Z")."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def rate_limited(seconds: int = 7, code: str = "ip_10_secs_limit") -> Fault:
    """The text/plain 429 of Discourse's per-IP Rack middleware (discourse_429.txt, shape a)."""
    body = (
        "Slow down, too many requests from this IP address.\n"
        f"Please retry again in {seconds} seconds.\nError code: {code}.\n"
    )
    return status(429, body, retry_after=str(seconds), discourse_rate_limit_error_code=code)


class FakeDiscourse(FakeSite):
    """Topics and posts in memory, served under the real Discourse routes and JSON shapes."""

    def __init__(
        self, *, login_required: bool = False, api_key: str = "", api_username: str = ""
    ) -> None:
        super().__init__()
        self.login_required = login_required
        self.api_key = api_key
        self.api_username = api_username
        self.tag_objects = False  # True: tags as {id, name, slug} objects, as newer versions send
        self._topics: dict[int, _Topic] = {}
        self._users = _Users()
        self._data = threading.Lock()  # tests mutate from their thread while the site serves
        routes = self.app.router
        routes.add_get(r"/t/{id:\d+}.json", self._topic_by_id)
        routes.add_get(r"/t/{id:\d+}/posts.json", self._posts)
        routes.add_get(r"/t/{slug}/{id:\d+}.json", self._topic_by_slug)
        routes.add_get(r"/t/{slug}/{id:\d+}/{post_number:\d+}.json", self._topic_by_slug)
        routes.add_get("/latest.json", self._latest)
        routes.add_post("/posts.json", self._create_post)
        self.clock = lambda: datetime.now(UTC)  # when a created post is made
        routes.add_get(r"/c/{slug}/{category:\d+}.json", self._category)
        routes.add_get(r"/c/{parent}/{slug}/{category:\d+}.json", self._category)

    def start(self) -> Self:
        super().start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    # --- test-side API ----------------------------------------------------------------------

    def add_topic(
        self,
        topic_id: int,
        slug: str,
        title: str,
        posts: list[FakePost],
        *,
        closed: bool = False,
        category_id: int = 1,
        tags: tuple[str, ...] = (),
    ) -> None:
        """Store copies of the posts, numbered 1..N with site-unique ids (topic_id*10000 + n)."""
        if not posts:
            raise ValueError("a topic needs at least its first post")
        with self._data:
            topic = _Topic(topic_id, slug, title, [], closed, category_id, list(tags))
            self._topics[topic_id] = topic
        for post in posts:
            self.add_post(topic_id, post)

    def add_post(self, topic_id: int, post: FakePost) -> FakePost:
        """Append a copy and return it; mutating the returned post changes what is served."""
        if post.created_at.tzinfo is None:
            raise ValueError("FakePost.created_at must be timezone-aware")
        with self._data:
            topic = self._topics[topic_id]
            number = len(topic.posts) + 1
            if number >= MAX_POSTS_PER_TOPIC:
                raise ValueError(f"the fake serves at most {MAX_POSTS_PER_TOPIC - 1} posts a topic")
            stored = replace(post, id=topic_id * MAX_POSTS_PER_TOPIC + number, post_number=number)
            topic.posts.append(stored)
            self._users.id_of(stored.username)
        return stored

    def edit_post(self, topic_id: int, post_number: int, cooked: str, *, at: datetime) -> None:
        """An edit: new text, version + 1, updated_at moves; last_posted_at does not."""
        with self._data:
            post = self.post(topic_id, post_number)
            post.cooked, post.version, post.updated_at = cooked, post.version + 1, at

    def update_topic(
        self,
        topic_id: int,
        *,
        title: str | None = None,
        closed: bool | None = None,
        tags: tuple[str, ...] | None = None,
    ) -> None:
        """Retitle, close or re-tag a topic between two fetches."""
        with self._data:
            topic = self._topics[topic_id]
            topic.title = topic.title if title is None else title
            topic.closed = topic.closed if closed is None else closed
            topic.tags = topic.tags if tags is None else list(tags)

    def post(self, topic_id: int, post_number: int) -> FakePost:
        """The stored post, to flip hidden/deleted/user_deleted between fetches."""
        return self._topics[topic_id].posts[post_number - 1]

    def topic_url(self, topic_id: int) -> str:
        return f"{self.url}/t/{self._topics[topic_id].slug}/{topic_id}"

    def post_ids(self, topic_id: int) -> list[int]:
        """Every post id in the topic, including deleted posts and whispers."""
        return [post.id for post in self._topics[topic_id].posts]

    # --- access -----------------------------------------------------------------------------

    def _is_api(self, request: web.Request) -> bool:
        """True for a valid admin API key; a wrong key is refused like Discourse does."""
        key = request.headers.get("Api-Key")
        if key is None:
            return False
        user = request.headers.get("Api-Username")
        if not self.api_key or key != self.api_key or user != self.api_username:
            raise web.HTTPForbidden(text=_dumps(INVALID_KEY), content_type="application/json")
        return True

    def _viewer(self, request: web.Request) -> bool:
        """Whether the caller is staff (sees whispers and hidden text); 403s anonymous callers
        of a login_required site."""
        staff = self._is_api(request)
        if self.login_required and not staff:
            raise web.HTTPForbidden(text=_dumps(NOT_LOGGED_IN), content_type="application/json")
        return staff

    def _topic(self, request: web.Request) -> _Topic:
        topic = self._topics.get(int(request.match_info["id"]))
        if topic is None:
            raise web.HTTPNotFound(text=_dumps(NOT_FOUND), content_type="application/json")
        return topic

    # --- handlers ---------------------------------------------------------------------------

    async def _create_post(self, request: web.Request) -> web.Response:
        """POST /posts.json {topic_id, raw}: a reply by the API key's user, cooked from raw."""
        if not self._is_api(request):
            raise web.HTTPForbidden(text=_dumps(NOT_LOGGED_IN), content_type="application/json")
        try:
            asked = await request.json()
            topic_id, raw = int(asked["topic_id"]), str(asked["raw"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"errors": ["topic_id and raw are required"]}, status=422)
        if topic_id not in self._topics:
            raise web.HTTPNotFound(text=_dumps(NOT_FOUND), content_type="application/json")
        made = self.add_post(topic_id, FakePost(self.api_username, cook(raw), self.clock()))
        with self._data:
            topic = self._topics[topic_id]
            return web.json_response(self._post_json(topic, made, 0, True))

    async def _topic_by_id(self, request: web.Request) -> web.Response:
        staff = self._viewer(request)
        with self._data:
            return self._topic_response(self._topic(request), request, staff)

    async def _topic_by_slug(self, request: web.Request) -> web.Response:
        """A wrong slug answers 301 to the canonical URL, keeping `.json` and the query."""
        staff = self._viewer(request)
        with self._data:
            topic = self._topic(request)
            if request.match_info["slug"] != topic.slug:
                number = request.match_info.get("post_number")
                path = f"/t/{topic.slug}/{topic.id}" + (f"/{number}" if number else "")
                query = f"?{request.query_string}" if request.query_string else ""
                raise web.HTTPMovedPermanently(f"{path}.json{query}")
            return self._topic_response(topic, request, staff)

    async def _posts(self, request: web.Request) -> web.Response:
        """posts.json?post_ids[]=…: only post_stream.posts and id, in stream order."""
        staff = self._viewer(request)
        wanted = {int(v) for v in request.query.getall("post_ids[]", []) if v.isdigit()}
        with self._data:
            topic = self._topic(request)
            visible = self._visible(topic, staff)
            chosen = [p for p in visible if p.id in wanted] if wanted else visible[:CHUNK_SIZE]
            body = {"post_stream": {"posts": self._serialize(topic, chosen, staff)}, "id": topic.id}
        return web.json_response(body)

    async def _latest(self, request: web.Request) -> web.Response:
        staff = self._viewer(request)
        with self._data:
            topics = list(self._topics.values())
            return self._topic_list(request, topics, staff, "/latest")

    async def _category(self, request: web.Request) -> web.Response:
        staff = self._viewer(request)
        category = int(request.match_info["category"])
        with self._data:
            topics = [t for t in self._topics.values() if t.category_id == category]
            if not topics:  # the fake knows a category by its topics (real ones hold an About)
                return web.json_response(NOT_FOUND, status=404)
            path = request.path.removesuffix(".json")  # the HTML path, as Discourse gives it
            return self._topic_list(request, topics, staff, path)

    # --- topic JSON -------------------------------------------------------------------------

    def _topic_response(self, topic: _Topic, request: web.Request, staff: bool) -> web.Response:
        visible = self._visible(topic, staff)
        near = request.match_info.get("post_number")
        if near is not None:
            chunk, current = _near(visible, int(near)), int(near)
        else:
            page = _int(request.query.get("page"), default=1)
            if page > 1 and (page - 1) * CHUNK_SIZE >= _highest(visible):
                return web.json_response(NOT_FOUND, status=404)
            start = (max(page, 1) - 1) * CHUNK_SIZE
            chunk, current = visible[start : start + CHUNK_SIZE], 1
        return web.json_response(self._topic_json(topic, visible, chunk, current, staff))

    def _topic_json(
        self,
        topic: _Topic,
        visible: list[FakePost],
        chunk: list[FakePost],
        current: int,
        staff: bool,
    ) -> Json:
        body = self._topic_fields(topic, visible)
        body.update(
            post_stream={
                "posts": self._serialize(topic, chunk, staff),
                "stream": [post.id for post in visible],
            },
            timeline_lookup=_timeline(visible),
            tags=self._tags(topic),
            current_post_number=current,
            details=self._details(topic, visible),
        )
        return body

    def _topic_fields(self, topic: _Topic, visible: list[FakePost]) -> Json:
        """The topic's own attributes (attributes_from_topic plus the view fields)."""
        first = topic.posts[0]
        last_posted = _last_posted_at(topic, visible)
        return {
            "id": topic.id,
            "title": topic.title,
            "fancy_title": html.escape(topic.title),
            "posts_count": len(visible),
            "created_at": iso(first.created_at),
            "views": 10 * len(visible),
            "reply_count": max(len(visible) - 1, 0),
            "like_count": 0,
            "last_posted_at": last_posted,
            "visible": True,
            "closed": topic.closed,
            "archived": False,
            "has_summary": False,
            "archetype": "regular",
            "slug": topic.slug,
            "category_id": topic.category_id,
            "word_count": sum(len(p.cooked.split()) for p in visible),
            "deleted_at": None,
            "user_id": self._users.id_of(first.username),
            "featured_link": None,
            "pinned_globally": False,
            "pinned_at": None,
            "pinned_until": None,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic.id}",
            "draft_sequence": None,
            "unpinned": None,
            "pinned": False,
            "highest_post_number": _highest(visible),
            "deleted_by": None,
            "actions_summary": [],
            "chunk_size": CHUNK_SIZE,
            "bookmarked": False,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "participant_count": len({p.username for p in visible}),
            "show_read_indicator": False,
            "thumbnails": None,
            "slow_mode_enabled_until": None,
        }

    def _tags(self, topic: _Topic) -> list[Any]:
        if not self.tag_objects:
            return list(topic.tags)
        return [{"id": n, "name": t, "slug": t} for n, t in enumerate(topic.tags, start=1)]

    def _details(self, topic: _Topic, visible: list[FakePost]) -> Json:
        last = visible[-1] if visible else topic.posts[0]
        return {
            "can_edit": False,
            "notification_level": 1,
            "participants": self._participants(visible),
            "created_by": self._user(topic.posts[0]),
            "last_poster": self._user(last),
            "links": [],
        }

    def _participants(self, visible: list[FakePost]) -> list[Json]:
        """Most active posters first, at most 24, each with its post_count."""
        counts: dict[str, int] = {}
        first_post: dict[str, FakePost] = {}
        for post in visible:
            counts[post.username] = counts.get(post.username, 0) + 1
            first_post.setdefault(post.username, post)
        ranked = sorted(counts, key=lambda name: -counts[name])[:MAX_PARTICIPANTS]
        return [
            {
                **self._user(first_post[name]),
                "post_count": counts[name],
                "primary_group_name": None,
                "flair_name": None,
                "trust_level": 1,
                "admin": False,
                "moderator": False,
            }
            for name in ranked
        ]

    def _user(self, post: FakePost) -> Json:
        return {
            "id": self._users.id_of(post.username),
            "username": post.username,
            "name": post.name,
            "avatar_template": self._avatar(post.username),
        }

    def _avatar(self, username: str) -> str:
        return f"/user_avatar/127.0.0.1/{username}/{{size}}/{self._users.id_of(username)}_2.png"

    # --- posts ------------------------------------------------------------------------------

    @staticmethod
    def _visible(topic: _Topic, staff: bool) -> list[FakePost]:
        """Deleted posts never show; whispers only to API (staff) callers."""
        return [p for p in topic.posts if not p.deleted and (staff or p.post_type != WHISPER)]

    def _serialize(self, topic: _Topic, posts: list[FakePost], staff: bool) -> list[Json]:
        replies: dict[int, int] = {}
        for post in topic.posts:
            if post.reply_to_post_number is not None and not post.deleted:
                replies[post.reply_to_post_number] = replies.get(post.reply_to_post_number, 0) + 1
        return [
            self._post_json(topic, post, replies.get(post.post_number, 0), staff) for post in posts
        ]

    def _post_json(self, topic: _Topic, post: FakePost, reply_count: int, staff: bool) -> Json:
        user_id = self._users.id_of(post.username)
        body: Json = {
            "id": post.id,
            "name": post.name,
            "username": post.username,
            "avatar_template": self._avatar(post.username),
            "created_at": iso(post.created_at),
            "cooked": _cooked(post, staff),
            "post_number": post.post_number,
            "post_type": post.post_type,
            "updated_at": iso(post.updated_at or post.created_at),
            "reply_count": reply_count,
            "reply_to_post_number": post.reply_to_post_number,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 1,
            "readers_count": 0,
            "score": 0.0,
            "yours": False,
            "topic_id": topic.id,
            "topic_slug": topic.slug,
            "display_username": post.name,
            "primary_group_name": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "flair_group_id": None,
            "badges_granted": [],
            "version": post.version,
            "can_edit": False,
            "can_delete": False,
            "can_recover": False,
            "can_see_hidden_post": staff,
            "can_wiki": False,
            "read": True,
            "user_title": None,
            "bookmarked": False,
            "actions_summary": [],
            "moderator": False,
            "admin": False,
            "staff": False,
            "user_id": user_id,
            "hidden": post.hidden,
            "trust_level": 1,
            "deleted_at": None,
            "user_deleted": post.user_deleted,
            "edit_reason": None,
            "can_view_edit_history": True,
            "wiki": False,
        }
        body.update(self._optional_post_fields(topic, post, staff))
        return body

    def _optional_post_fields(self, topic: _Topic, post: FakePost, staff: bool) -> Json:
        """Fields Discourse includes only in some states (include_*? in the serializers)."""
        extra: Json = {}
        if post.hidden:
            extra["hidden_reason_id"] = 1
            if not staff:
                extra["cooked_hidden"] = True
        if post.action_code is not None:
            extra["action_code"] = post.action_code
        if post.polls is not None:
            extra["polls"] = post.polls
        number = post.reply_to_post_number
        if number is not None and 1 <= number <= len(topic.posts):
            target = topic.posts[number - 1]
            extra["reply_to_user"] = {
                "username": target.username,
                "name": target.name,
                "avatar_template": self._avatar(target.username),
            }
        return extra

    # --- topic lists ------------------------------------------------------------------------

    def _topic_list(
        self, request: web.Request, topics: list[_Topic], staff: bool, path: str
    ) -> web.Response:
        """Newest bumped first, 30 a page, `?page=N` counting from 0 like TopicQuery."""
        rows = [(t, self._visible(t, staff)) for t in topics]
        rows.sort(key=lambda row: _last_posted_at(row[0], row[1]), reverse=True)
        page = max(_int(request.query.get("page"), default=0), 0)
        shown = rows[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]
        topic_list: Json = {
            "can_create_topic": False,
            "per_page": TOPICS_PER_PAGE,
            "topics": [self._list_item(t, visible) for t, visible in shown],
        }
        if (page + 1) * TOPICS_PER_PAGE < len(rows):
            topic_list["more_topics_url"] = f"{path}?page={page + 1}"
        users = {p.username: p for _, visible in shown for p in visible}
        return web.json_response(
            {
                "users": [self._user(p) | {"trust_level": 1} for p in users.values()],
                "topic_list": topic_list,
            }
        )

    def _list_item(self, topic: _Topic, visible: list[FakePost]) -> Json:
        created = iso(topic.posts[0].created_at)
        bumped = _last_posted_at(topic, visible)
        posters = list(dict.fromkeys(p.username for p in visible))[:5]
        return {
            "id": topic.id,
            "title": topic.title,
            "fancy_title": html.escape(topic.title),
            "slug": topic.slug,
            "posts_count": len(visible),
            "reply_count": max(len(visible) - 1, 0),
            "highest_post_number": _highest(visible),
            "image_url": None,
            "created_at": created,
            "last_posted_at": bumped,
            "bumped": bumped != created,
            "bumped_at": bumped,
            "archetype": "regular",
            "unseen": False,
            "pinned": False,
            "unpinned": None,
            "visible": True,
            "closed": topic.closed,
            "archived": False,
            "bookmarked": None,
            "liked": None,
            "tags": self._tags(topic),
            "views": 10 * len(visible),
            "like_count": 0,
            "has_summary": False,
            "last_poster_username": visible[-1].username if visible else None,
            "category_id": topic.category_id,
            "pinned_globally": False,
            "featured_link": None,
            "posters": [
                {
                    "extras": None,
                    "description": "Original Poster" if i == 0 else "Frequent Poster",
                    "user_id": self._users.id_of(name),
                    "primary_group_id": None,
                }
                for i, name in enumerate(posters)
            ],
        }


# --- helpers ----------------------------------------------------------------------------------


def _dumps(body: Json) -> str:
    return json.dumps(body)


def _int(value: str | None, *, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _cooked(post: FakePost, staff: bool) -> str:
    """Hidden text is replaced for non-staff; a withdrawn post reads as withdrawn for all."""
    if post.user_deleted:
        return WITHDRAWN_COOKED
    if post.hidden and not staff:
        return HIDDEN_COOKED
    return post.cooked


def _highest(visible: list[FakePost]) -> int:
    return visible[-1].post_number if visible else 0


def _last_posted_at(topic: _Topic, visible: list[FakePost]) -> str:
    """Creation time of the last visible post: edits do not move it."""
    return iso((visible[-1] if visible else topic.posts[0]).created_at)


def _near(visible: list[FakePost], post_number: int) -> list[FakePost]:
    """filter_posts_near: a few posts before the asked one, then the rest of a chunk."""
    index = next((i for i, p in enumerate(visible) if p.post_number >= post_number), len(visible))
    start = max(index - POSTS_BEFORE_NEAR, 0)
    return visible[start : start + CHUNK_SIZE]


def _timeline(visible: list[FakePost]) -> list[list[int]]:
    """[[1-based stream index, days ago], …], a new entry each time the day count changes."""
    now = datetime.now(UTC)
    lookup: list[list[int]] = []
    for index, post in enumerate(visible, start=1):
        days = (now - post.created_at).days
        if not lookup or lookup[-1][1] != days:
            lookup.append([index, days])
    return lookup


def cook(raw: str) -> str:
    """Markdown as Discourse cooks the little harvester writes: fenced code, bold, paragraphs;
    inline HTML such as <sub> kept."""
    parts = re.split(r"(?ms)^(`{3,})[^\n]*\n(.*?)^\1[ \t]*$", raw)
    cooked = []
    for index in range(0, len(parts), 3):
        for paragraph in re.split(r"\n\s*\n", parts[index].strip()):
            if paragraph:
                text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", paragraph)
                cooked.append(f"<p>{text}</p>")
        if index + 2 < len(parts):
            code = html.escape(parts[index + 2])
            cooked.append(f'<pre><code class="lang-text">{code}</code></pre>')
    return "\n".join(cooked)
