"""The JSON API, /healthz and /metrics."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from harvester.errors import HarvesterError
from harvester.web.auth import ACTOR_HEADER, WRITES_DISABLED, bearer_ok, clean_name
from harvester.web.context import context, trusted
from harvester.web.forms import InputError, correction_from_json, dismissal_from, identity_from
from harvester.web.pages import person_id, vote_id, write_status
from harvester.web.people import vote_with_not_voted
from harvester.web.privacy import public_view

log = logging.getLogger(__name__)
Change = TypeVar("Change")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


async def votes(request: web.Request) -> web.Response:
    """GET /api/votes: {"votes": [VoteSummary, …]}."""
    return web.json_response({"votes": await context(request).backend.votes()})


async def vote(request: web.Request) -> web.Response:
    """GET /api/votes/{id}: one VoteDetail, plus "not_voted": [{"id", "name"}] (name null when
    the roster lacks the member; the key null when the count does not say)."""
    number = vote_id(request)
    if number is None:
        return _error(400, "not a vote id: " + request.match_info["id"])
    detail = await vote_with_not_voted(context(request).backend, number)
    if detail is None:
        return _error(404, f"no such vote: {number}")
    return web.json_response(detail if trusted(request) else public_view(detail))


async def person(request: web.Request) -> web.Response:
    """GET /api/people/{id}: one PersonView (see Backend.person)."""
    member_id = person_id(request)
    if member_id is None:
        return _error(400, "not a person id: " + request.match_info["id"])
    found = await context(request).backend.person(member_id)
    if found is None:
        return _error(404, f"no such person: {member_id}")
    return web.json_response(found if trusted(request) else public_view(found))


async def _json_write(
    request: web.Request,
    parse: Callable[[object], Change],
    write: Callable[[int, Change, str], Awaitable[None]],
) -> web.Response:
    """Bearer token, then the acting person's name, then the body; no cookies (no CSRF)."""
    ctx = context(request)
    if not ctx.token:
        return _error(403, WRITES_DISABLED)
    client = request.remote or "unknown"
    wait = await ctx.throttle.retry_after(client)
    if wait is not None:
        message = f"too many wrong tokens from your address: try again in {wait} s"
        return _error(429, message, **{"Retry-After": str(wait)})
    if not bearer_ok(request, ctx.token):
        await ctx.throttle.failed(client)
        return _error(401, "a valid 'Authorization: Bearer' token is required", **_CHALLENGE)
    actor = clean_name(request.headers.get(ACTOR_HEADER))
    if actor is None:
        return _error(400, f"{ACTOR_HEADER} must name who makes the change (1-100 characters)")
    number = vote_id(request)
    if number is None:
        return _error(400, "not a vote id: " + request.match_info["id"])
    try:
        body = json.loads(await request.text())
    except ValueError:  # JSON or UTF-8 that does not decode
        return _error(400, "the body is not valid JSON")
    try:
        change = parse(body)
        await write(number, change, actor)
    except InputError as error:
        return _error(400, str(error))
    except HarvesterError as error:
        return _error(write_status(error), str(error))
    return web.json_response({"ok": True})


async def post_correction(request: web.Request) -> web.Response:
    """POST /api/votes/{id}/corrections with a Correction's fields as JSON."""
    return await _json_write(request, correction_from_json, context(request).backend.correct)


async def post_dismissal(request: web.Request) -> web.Response:
    """POST /api/votes/{id}/dismissals with url, review and note as JSON."""
    return await _json_write(request, dismissal_from, context(request).backend.dismiss)


async def post_identity(request: web.Request) -> web.Response:
    """POST /api/votes/{id}/identities with url, note, verdict and (optionally) member."""
    return await _json_write(request, identity_from, context(request).backend.judge_identity)


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: 200 when the database answers and the scheduler runs (or is not used)."""
    try:
        checks: dict[str, Any] = dict(await context(request).backend.health())
    except Exception as error:  # a health check must answer, whatever broke
        log.warning("health check failed: %s", error)
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        return web.json_response({"status": "error", "error": problem}, status=503)
    healthy = checks.get("database") == "ok" and checks.get("scheduler") in ("ok", "absent")
    checks["status"] = "ok" if healthy else "error"
    return web.json_response(checks, status=200 if healthy else 503)


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus text, gauges refreshed from the backend first."""
    ctx = context(request)
    try:
        await ctx.backend.update_gauges()
    except Exception:
        # Counters are still worth scraping when the database is down; /healthz reports that.
        log.exception("could not refresh gauges for /metrics")
    body = generate_latest(ctx.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
