"""The aiohttp application: routes, security headers, and the objects handlers share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry

from harvester.metrics import REGISTRY
from harvester.web import api, pages
from harvester.web.backend import Backend
from harvester.web.cache import PublicPages
from harvester.web.context import CONTEXT, Context, trusted
from harvester.web.sessions import Security, Sessions
from harvester.web.throttle import LoginThrottle
from harvester.web.views import STATIC, error_page, make_environment

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Pages show text from public posts: nothing inline may run or style, nothing may load from
# elsewhere, and no other site may frame us or receive our forms.
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


DEFAULT_SECURITY = Security()


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


async def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Runs for every response, errors and static files included."""
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith("/static/"):
        # Pages differ by who is signed in and change with every harvest.
        response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def _no_tracebacks(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A bug or an outage is logged in full and answered with one plain line.

    aiohttp would print the traceback into the page when asyncio runs in debug mode.
    """
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        message = "internal error: the details are in the server log"
        if request.path.startswith("/api/"):
            return web.json_response({"error": message}, status=500)
        return error_page(request, 500, message)


# What every reader who is not signed in sees alike: served from PublicPages.
PUBLIC_PAGES = {
    *("index", "vote", "roster", "person", "project", "project-roster"),
    *("api-votes", "api-vote", "api-person"),
}


def _routes(app: web.Application) -> None:
    app.router.add_get("/", pages.index, name="index")
    app.router.add_get("/votes/{id}", pages.vote_page, name="vote")
    app.router.add_post("/votes/{id}/corrections", pages.post_correction)
    app.router.add_post("/votes/{id}/dismissals", pages.post_dismissal)
    app.router.add_post("/votes/{id}/identities", pages.post_identity)
    app.router.add_get("/roster", pages.roster_page, name="roster")
    app.router.add_get("/projects/{name}", pages.project_page, name="project")
    app.router.add_get("/projects/{name}/roster", pages.project_roster_page, name="project-roster")
    app.router.add_get("/people/{id}", pages.person_page, name="person")
    app.router.add_get("/login", pages.login_form)
    app.router.add_post("/login", pages.login)
    app.router.add_post("/logout", pages.logout)
    app.router.add_get("/api/votes", api.votes, name="api-votes")
    app.router.add_get("/api/votes/{id}", api.vote, name="api-vote")
    app.router.add_get("/api/people/{id}", api.person, name="api-person")
    app.router.add_post("/api/votes/{id}/corrections", api.post_correction)
    app.router.add_post("/api/votes/{id}/dismissals", api.post_dismissal)
    app.router.add_post("/api/votes/{id}/identities", api.post_identity)
    app.router.add_get("/healthz", api.healthz)
    app.router.add_get("/metrics", api.metrics)
    app.router.add_static("/static/", STATIC)


def _time_limit(seconds: float) -> Middleware:
    """A request whose handler (reading a slow body included) takes longer is answered 408, so a
    slow client cannot hold a handler; a slow header is cut by the server's keep-alive timer."""

    @web.middleware
    async def time_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            async with asyncio.timeout(seconds):
                return await handler(request)
        except TimeoutError:
            log.warning("%s %s: no answer within %.0f s", request.method, request.path, seconds)
            message = f"the request took longer than {seconds:g} s"
            if request.path.startswith("/api/"):
                return web.json_response({"error": message}, status=408)
            return error_page(request, 408, message)

    return time_limit


def _public_cache(cache: PublicPages) -> Middleware:
    @web.middleware
    async def public_cache(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.name
        if request.method != "GET":
            try:
                return await handler(request)  # a redirect after a write is raised
            finally:
                cache.clear()  # a correction here shows at once; the daemon's within `seconds`
        if cache.seconds <= 0 or route not in PUBLIC_PAGES or trusted(request):
            return await handler(request)
        return await cache.serve(request, handler)

    return public_cache


def create_app(
    backend: Backend,
    *,
    token: str = "",
    clock: Callable[[], datetime] = utc_now,
    registry: CollectorRegistry = REGISTRY,
    security: Security = DEFAULT_SECURITY,
) -> web.Application:
    """The dashboard over `backend`; with an empty `token` it is read-only."""
    cache = _public_cache(PublicPages(security.public_cache_seconds))
    app = web.Application(
        middlewares=[_no_tracebacks, _time_limit(security.request_timeout), cache]
    )
    app[CONTEXT] = Context(
        backend=backend,
        token=token,
        clock=clock,
        registry=registry,
        templates=make_environment(),
        sessions=Sessions(token, security, clock),
        throttle=LoginThrottle(security.login_attempts, security.login_window_minutes),
    )
    app.on_response_prepare.append(_add_headers)
    _routes(app)
    return app
