"""The HTML pages: vote list, one vote, roster, one person, sign-in, and the form writes."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from harvester.errors import HarvesterError, SelectionError
from harvester.web.auth import (
    COOKIE,
    WRITES_DISABLED,
    clean_name,
    cross_origin,
    safe_next,
    token_matches,
)
from harvester.web.context import context, signed_in, trusted
from harvester.web.forms import InputError, correction_from_form, dismissal_from, identity_from
from harvester.web.people import is_person_id, person_name, vote_with_not_voted
from harvester.web.privacy import public_view
from harvester.web.timefmt import closes_in
from harvester.web.views import error_page, render, render_large

_ID = re.compile(r"[0-9]{1,18}")
_PROJECT = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")  # as [[projects]] names are
Change = TypeVar("Change")


def vote_id(request: web.Request) -> int | None:
    """The {id} of the path as an int, or None if it is not plain digits."""
    raw = request.match_info["id"]
    return int(raw) if _ID.fullmatch(raw) else None


def person_id(request: web.Request) -> str | None:
    """The {id} of a /people/ path, or None if it cannot be a roster id."""
    raw = request.match_info["id"]
    return raw if is_person_id(raw) else None


def write_status(error: HarvesterError) -> int:
    """404 when the vote itself is unknown, 400 for any other bad request."""
    if isinstance(error, SelectionError) and "no such vote" in error.problem:
        return 404
    return 400


async def index(request: web.Request) -> web.Response:
    """GET /: every vote, newest first, with counts and how long it still runs; under a
    heading per project when the votes are of more than one."""
    ctx = context(request)
    rows = _rows(await ctx.backend.votes(), ctx.clock())
    groups = project_groups(rows)
    return await render_large(request, "index.html", {"rows": rows, "groups": groups})


async def project_page(request: web.Request) -> web.Response:
    """GET /projects/{name}: the votes of one project."""
    name = project_name(request)
    if name is None:
        return error_page(request, 400, "not a project name: " + request.match_info["name"])
    ctx = context(request)
    found = [vote for vote in await ctx.backend.votes() if vote.get("project") == name]
    if not found:
        return error_page(request, 404, f"no votes of project {name}")
    rows = _rows(found, ctx.clock())
    values = {"rows": rows, "groups": [], "project": name}
    return await render_large(request, "index.html", values)


def _rows(found: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    return [
        {"vote": vote, "closes": closes_in(vote.get("status"), vote.get("closes_at"), now)}
        for vote in found
    ]


def project_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"project", "rows"}] by project name, the votes of no project last; [] when the votes
    are of one project (or none): the list then needs no headings."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["vote"].get("project") or ""), []).append(row)
    if len(groups) < 2:
        return []
    order = sorted(groups, key=lambda name: (name == "", name))
    return [{"project": name, "rows": groups[name]} for name in order]


def project_name(request: web.Request) -> str | None:
    """The {name} of a /projects/ path, or None if it cannot be a project's name."""
    raw = request.match_info["name"]
    return raw if _PROJECT.fullmatch(raw) else None


async def vote_page(request: web.Request) -> web.Response:
    """GET /votes/{id}: the whole report of one vote, with its forms for a signed-in person."""
    number = vote_id(request)
    if number is None:
        return error_page(request, 400, "not a vote id: " + request.match_info["id"])
    ctx = context(request)
    vote = await vote_with_not_voted(ctx.backend, number)
    if vote is None:
        return error_page(request, 404, f"no such vote: {number}")
    if not trusted(request):
        vote = public_view(vote)
    values = {
        "vote": vote,
        "report": vote.get("report") or {},
        "closes": closes_in(vote.get("status"), vote.get("closes_at"), ctx.clock()),
        # "Correct…" links on ballots put the message URL into the correction form.
        "prefill": request.query.get("correct", ""),
    }
    return await render_large(request, "vote.html", values)


async def roster_page(request: web.Request) -> web.Response:
    """GET /roster: the stored roster's members, and the projects whose rosters there are."""
    backend = context(request).backend
    projects = sorted({str(v.get("project") or "") for v in await backend.votes()} - {""})
    return await _roster(request, await backend.roster(), {"projects": projects})


async def project_roster_page(request: web.Request) -> web.Response:
    """GET /projects/{name}/roster: one project's roster."""
    name = project_name(request)
    if name is None:
        return error_page(request, 400, "not a project name: " + request.match_info["name"])
    roster = await context(request).backend.roster(name)
    return await _roster(request, roster, {"project": name})


async def _roster(
    request: web.Request, roster: dict[str, Any] | None, values: dict[str, Any]
) -> web.Response:
    if roster is not None and not trusted(request):
        roster = public_view(roster)
    return await render_large(request, "roster.html", {"roster": roster, **values})


async def person_page(request: web.Request) -> web.Response:
    """GET /people/{id}: a roster member's open votes and their ballots across stored votes."""
    member_id = person_id(request)
    if member_id is None:
        return error_page(request, 400, "not a person id: " + request.match_info["id"])
    ctx = context(request)
    person = await ctx.backend.person(member_id)
    if person is None:
        return error_page(request, 404, f"no such person: {member_id}")
    if not trusted(request):
        person = public_view(person)
    now = ctx.clock()
    open_votes = [
        {**entry, "closes": closes_in("open", entry.get("closes_at"), now)}
        for entry in person.get("open_votes") or []
    ]
    values = {"person": person, "name": person_name(person), "open_votes": open_votes}
    return await render_large(request, "person.html", values)


async def login_form(request: web.Request) -> web.Response:
    """GET /login: name and token."""
    if not context(request).token:
        return error_page(request, 403, WRITES_DISABLED)
    values = {"next": safe_next(request.query.get("next")), "name": "", "problem": ""}
    return render(request, "login.html", values)


async def login(request: web.Request) -> web.StreamResponse:
    """POST /login: a right token sets the signed session cookie and returns to `next`."""
    ctx = context(request)
    if not ctx.token:
        return error_page(request, 403, WRITES_DISABLED)
    if cross_origin(request):
        return error_page(request, 403, "cross-origin form posts are refused")
    form = await request.post()
    raw_name, given = form.get("name"), form.get("token")
    target = safe_next(form.get("next"))
    name = clean_name(raw_name)
    values = {"next": target, "name": raw_name if isinstance(raw_name, str) else ""}
    if name is None:
        problem = "give your name (at most 100 characters, one line)"
        return render(request, "login.html", {**values, "problem": problem}, status=400)
    client = request.remote or "unknown"
    wait = await ctx.throttle.retry_after(client)
    if wait is not None:
        problem = f"too many wrong tokens from your address: try again in {wait} s"
        page = render(request, "login.html", {**values, "problem": problem}, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    if not isinstance(given, str) or not token_matches(ctx.token, given):
        await ctx.throttle.failed(client)
        return render(request, "login.html", {**values, "problem": "wrong token"}, status=401)
    done = web.HTTPSeeOther(target)
    done.set_cookie(
        COOKIE,
        ctx.sessions.issue(name),
        max_age=ctx.sessions.max_age,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=request.secure,
    )
    raise done


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: forget the session cookie."""
    if cross_origin(request):
        return error_page(request, 403, "cross-origin form posts are refused")
    done = web.HTTPSeeOther("/")
    done.del_cookie(COOKIE, path="/")
    raise done


async def _form_write(
    request: web.Request,
    anchor: str,
    parse: Callable[[Mapping[str, Any]], Change],
    write: Callable[[int, Change, str], Awaitable[None]],
) -> web.StreamResponse:
    """The checks every form write shares, in order: enabled, same origin, id, signed in, input."""
    ctx = context(request)
    if not ctx.token:
        return error_page(request, 403, WRITES_DISABLED)
    if cross_origin(request):
        return error_page(request, 403, "cross-origin form posts are refused")
    number = vote_id(request)
    if number is None:
        return error_page(request, 400, "not a vote id: " + request.match_info["id"])
    actor = signed_in(request)
    if actor is None:
        return error_page(request, 403, "sign in to change a vote", sign_in=f"/votes/{number}")
    try:
        change = parse(await request.post())
        await write(number, change, actor)
    except InputError as error:
        return error_page(request, 400, str(error))
    except HarvesterError as error:
        return error_page(request, write_status(error), str(error))
    raise web.HTTPSeeOther(f"/votes/{number}#{anchor}")


async def post_correction(request: web.Request) -> web.StreamResponse:
    """POST /votes/{id}/corrections: set or clear an override, back to the corrections."""
    backend = context(request).backend
    return await _form_write(request, "corrections", correction_from_form, backend.correct)


async def post_dismissal(request: web.Request) -> web.StreamResponse:
    """POST /votes/{id}/dismissals: dismiss a review item, back to the review list."""
    backend = context(request).backend
    return await _form_write(request, "review", dismissal_from, backend.dismiss)


async def post_identity(request: web.Request) -> web.StreamResponse:
    """POST /votes/{id}/identities: confirm or reject who sent a message, back to the ballots."""
    backend = context(request).backend
    return await _form_write(request, "ballots", identity_from, backend.judge_identity)
