"""People on the pages: who in a vote's electorate has not voted, by name, and what a person's
page is called. Names come from the stored roster; an id the roster lacks is shown as it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harvester.web.backend import Backend

MAX_ID = 100  # the store's member_id column
_CONTROLS = {*range(0x00, 0x20), 0x7F}


def is_person_id(text: str) -> bool:
    """Whether `text` may be a roster id: 1-100 characters, no controls."""
    return 0 < len(text) <= MAX_ID and not any(ord(c) in _CONTROLS for c in text)


def roster_names(roster: Mapping[str, Any] | None) -> dict[str, str]:
    """Roster id → name, for the members that have both."""
    members = (roster or {}).get("members") or []
    return {
        member["id"]: member["name"]
        for member in members
        if isinstance(member.get("id"), str) and isinstance(member.get("name"), str)
    }


def not_voted(
    report: Mapping[str, Any] | None, roster: Mapping[str, Any] | None
) -> list[dict[str, Any]] | None:
    """[{"id", "name"}] of the report's "not_voted", in its order; "name" None when the roster
    lacks the id. None when the report does not say (not counted yet, or counted before
    "not_voted" was reported)."""
    ids = (report or {}).get("not_voted")
    if not isinstance(ids, list):
        return None
    names = roster_names(roster)
    return [{"id": i, "name": names.get(i)} for i in ids if isinstance(i, str)]


async def vote_with_not_voted(backend: Backend, vote_id: int) -> dict[str, Any] | None:
    """The backend's VoteDetail plus "not_voted" ([{"id", "name"}] or None, see `not_voted`);
    the roster is read only when someone has not voted."""
    detail = await backend.vote(vote_id)
    if detail is None:
        return None
    report = detail.get("report")
    waiting = (report or {}).get("not_voted")
    roster = await _roster_of(backend, str(detail.get("project") or "")) if waiting else None
    detail["not_voted"] = not_voted(report, roster)
    return detail


async def _roster_of(backend: Backend, project: str) -> dict[str, Any] | None:
    """The roster of the vote's project; the config's own for a vote of none."""
    return await backend.roster(project) if project else await backend.roster()


def person_name(person: Mapping[str, Any]) -> str:
    """The roster's name; else the name their newest ballot was counted under; else the id."""
    member = person.get("member") or {}
    if member.get("name"):
        return str(member["name"])
    for ballot in person.get("ballots") or []:
        if ballot.get("voter"):
            return str(ballot["voter"])
    return str(person.get("id", ""))
