"""Whimsy's public roster files -> Roster.

committee-info.json is the official list of a committee's PMC (with the day each joined);
public_ldap_projects.json lists each project's LDAP group: `owners` are the PMC, `members` the
committers, by ASF id only; public_ldap_people.json gives the names for those ids. Which file a
JSON document is, its top-level keys say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from harvester.errors import ConfigError
from harvester.model import Member, Role, Roster
from harvester.sources.roster_common import Place, describe_choices, iso_date, json_object

WhimsyKind = Literal["committee-info", "ldap-projects", "ldap-people"]


def whimsy_kind(data: object, *, where: str) -> WhimsyKind:
    """Which of Whimsy's files a decoded JSON document is."""
    if isinstance(data, dict):
        if "committees" in data:
            return "committee-info"
        if "projects" in data:
            return "ldap-projects"
        if "people" in data:
            return "ldap-people"
    raise ConfigError(
        where,
        "not a Whimsy roster: expected committee-info.json (committees), "
        "public_ldap_projects.json (projects) or public_ldap_people.json (people)",
    )


def parse_committee_info(data: object, *, committee: str, where: str) -> Roster:
    """One committee's PMC from Whimsy's committee-info.json (already decoded)."""
    top = json_object(data, Place(where, "(top level)"))
    committees = json_object(top.get("committees"), Place(where, "committees"))
    key = committee_key(committee)
    if key not in committees:
        raise ConfigError(
            where,
            f"no committee '{key}' (from --committee {committee}); "
            f"{describe_choices(key, list(committees))}",
            field="committees",
        )
    entry = json_object(committees[key], Place(where, f"committees.{key}"))
    roster_place = Place(where, f"committees.{key}.roster")
    roster = json_object(entry.get("roster"), roster_place)
    if not roster:
        raise roster_place.error("lists nobody")
    members = tuple(
        _whimsy_member(availid, person, Place(where, f"{roster_place.field}.{availid}"))
        for availid, person in roster.items()
    )
    return Roster(members=members, source=where)


@dataclass(frozen=True)
class Committee:
    """One committee of committee-info.json, as a daemon following a whole foundation sees it."""

    key: str  # "tvm"
    mail_list: str  # the name its lists share: dev@<mail_list>.apache.org
    pmc: bool  # False: an officer's committee (e.g. infrastructure), not a project's PMC


_LIST_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")
_KEY = re.compile(r"[a-z0-9][-a-z0-9_]{0,59}")  # a key as a project's name (and a path) can be


def list_committees(data: object, *, where: str) -> tuple[list[Committee], list[str]]:
    """Every committee of committee-info.json (already decoded), and a sentence for each entry
    that could not be read (skipped, so one bad entry does not hide the other committees)."""
    top = json_object(data, Place(where, "(top level)"))
    entries = json_object(top.get("committees"), Place(where, "committees"))
    found: list[Committee] = []
    problems: list[str] = []
    for key, entry in entries.items():
        if not isinstance(entry, dict) or not _KEY.fullmatch(key):
            problems.append(f"{where}: committees.{key}: not a committee entry (skipped)")
            continue
        mail_list = entry.get("mail_list")
        if not isinstance(mail_list, str) or not _LIST_NAME.fullmatch(mail_list.strip().lower()):
            mail_list = key  # the usual name; committee-info.json gives it for the exceptions
        found.append(Committee(key, mail_list.strip().lower(), entry.get("pmc") is not False))
    return found, problems


def committee_key(committee: str) -> str:
    """Whimsy's key: the lower-cased name without characters outside [-\\w] ("TVM" -> "tvm")."""
    return re.sub(r"[^-\w]", "", committee.strip().lower())


def _whimsy_member(availid: str, person: object, place: Place) -> Member:
    fields = json_object(person, place)
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise place.error(f"must be a non-empty string, not {name!r}", "name")
    raw_date = fields.get("date")
    since: date | None = None
    if raw_date is not None:
        if not isinstance(raw_date, str):
            raise place.error(f"must be YYYY-MM-DD or null, not {raw_date!r}", "date")
        try:
            since = iso_date(raw_date)
        except ValueError as exc:
            raise place.error(f"'{raw_date}' is not a date ({exc})", "date") from exc
    return Member(
        id=availid,
        name=name.strip(),
        role=Role.PMC,  # committee-info.txt is the official list of the PMC
        emails=(f"{availid}@apache.org".lower(),),
        since=since,
    )


def parse_ldap_projects(
    data: object, *, project: str, where: str, names: Mapping[str, str] | None = None
) -> Roster:
    """A project's LDAP group: owners are the PMC, the other members committers. `names` (from
    public_ldap_people.json) gives names for ids; without it a member's id is their name."""
    top = json_object(data, Place(where, "(top level)"))
    projects = json_object(top.get("projects"), Place(where, "projects"))
    key = committee_key(project)
    if key not in projects:
        raise ConfigError(
            where,
            f"no project '{key}' (from --committee {project}); "
            f"{describe_choices(key, list(projects))}",
            field="projects",
        )
    entry = json_object(projects[key], Place(where, f"projects.{key}"))
    owners = _ids(entry, "owners", Place(where, f"projects.{key}.owners"))
    members = _ids(entry, "members", Place(where, f"projects.{key}.members"))
    names = names or {}
    people = [
        Member(
            id=uid,
            name=names.get(uid, uid),
            role=Role.PMC if uid in owners else Role.COMMITTER,
            emails=(f"{uid}@apache.org".lower(),),
        )
        for uid in dict.fromkeys([*owners, *members])
    ]
    if not people:
        raise ConfigError(where, "lists nobody", field=f"projects.{key}")
    return Roster(members=tuple(people), source=where)


def _ids(entry: Mapping[str, object], key: str, place: Place) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise place.error("must be an array of ASF ids")
    return [v.strip() for v in value]


def parse_ldap_people(data: object, *, where: str) -> dict[str, str]:
    """ASF id -> name, from public_ldap_people.json."""
    top = json_object(data, Place(where, "(top level)"))
    people = json_object(top.get("people"), Place(where, "people"))
    names = {}
    for uid, person in people.items():
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            names[uid] = person["name"].strip() or uid
    return names
