"""Roster files -> Roster: our TOML, Whimsy's JSON files (sources/whimsy.py) and TVM's
CONTRIBUTORS.md (sources/contributors.py); several files of one project combined into one.

The parsers take text (or decoded JSON) plus `where` for error messages and never read anything
themselves, so a URL fetcher can reuse them; only `load_roster` touches the file system.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import PurePath
from typing import Literal

from harvester.errors import ConfigError
from harvester.model import Member, Role, Roster
from harvester.sources.contributors import parse_contributors_md
from harvester.sources.files import read_bytes
from harvester.sources.roster_common import Place, iso_date, type_name
from harvester.sources.whimsy import (
    parse_committee_info,
    parse_ldap_people,
    parse_ldap_projects,
    whimsy_kind,
)

RosterKind = Literal["toml", "whimsy", "contributors"]

_KINDS_BY_EXTENSION: dict[str, RosterKind] = {
    ".toml": "toml",
    ".json": "whimsy",
    ".md": "contributors",
    ".markdown": "contributors",
}
_MEMBER_KEYS = ("id", "name", "emails", "github", "discourse", "role", "since", "until")
_ROLES = ", ".join(f'"{role.value}"' for role in Role)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_MEMBERS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*members[ \t]*\]\]", re.MULTILINE)


@dataclass(frozen=True)
class RosterPart:
    """One roster file read: its members, or (public_ldap_people.json) names for ids."""

    kind: str  # toml, committee-info, ldap-projects, ldap-people, contributors
    roster: Roster
    names: Mapping[str, str] = field(default_factory=dict)


# --- loading ---------------------------------------------------------------------------------


def load_roster(path: str, *, committee: str | None = None) -> Roster:
    """Read a roster file, choosing the parser by its extension; Roster.source is `path`."""
    return load_rosters([path], committee=committee)


def load_rosters(paths: Sequence[str], *, committee: str | None = None) -> Roster:
    """Several files of one project as one roster (committee-info.json beside
    public_ldap_projects.json: the PMC, and the committers)."""
    return combine([read_roster_part(path, committee=committee) for path in paths])


def read_roster_part(path: str, *, committee: str | None = None) -> RosterPart:
    kind = roster_kind(path, where=path)
    return parse_roster_part(roster_text(path), kind=kind, where=path, committee=committee)


def roster_kind(name: str, *, where: str) -> RosterKind:
    """The roster format a file name (or URL path) stands for."""
    suffix = PurePath(name).suffix.lower()
    kind = _KINDS_BY_EXTENSION.get(suffix)
    if kind is None:
        known = ", ".join(_KINDS_BY_EXTENSION)
        shown = f"'{suffix}'" if suffix else "no extension"
        raise ConfigError(where, f"unknown roster format ({shown}); expected one of {known}")
    return kind


def parse_roster_text(
    text: str, *, kind: RosterKind, where: str, committee: str | None = None
) -> Roster:
    """Parse one roster file's text of a known kind."""
    return combine([parse_roster_part(text, kind=kind, where=where, committee=committee)])


def parse_roster_part(
    text: str, *, kind: RosterKind, where: str, committee: str | None = None
) -> RosterPart:
    """`committee` is needed (only) for Whimsy's committee and project files."""
    if kind == "toml":
        return RosterPart("toml", parse_toml_roster(text, where=where))
    if kind == "contributors":
        return RosterPart("contributors", parse_contributors_md(text, where=where))
    return parse_whimsy_part(load_json(text, where=where), where=where, committee=committee)


def parse_whimsy_part(data: object, *, where: str, committee: str | None = None) -> RosterPart:
    """One of Whimsy's JSON files, already decoded: a document read once serves every
    committee it lists."""
    which = whimsy_kind(data, where=where)
    if which == "ldap-people":
        return RosterPart(
            which, Roster(members=(), source=where), parse_ldap_people(data, where=where)
        )
    if not committee:
        raise ConfigError(where, f"a Whimsy {which} roster needs --committee KEY (e.g. tvm)")
    if which == "committee-info":
        return RosterPart(which, parse_committee_info(data, committee=committee, where=where))
    return RosterPart(which, parse_ldap_projects(data, project=committee, where=where))


def combine(parts: Sequence[RosterPart]) -> Roster:
    """One roster from several files: a person (by id) once, their addresses and logins from
    every file, their name from the first that gives one (public_ldap_people.json names the ids
    the LDAP groups list). When committee-info.json is among them it alone says who is on the
    PMC (it is the official record); the other files' PMC members are then committers."""
    names: dict[str, str] = {}
    for part in parts:
        names.update(part.names)
    official = {m.id.lower() for p in parts if p.kind == "committee-info" for m in p.roster.members}
    merged: dict[str, Member] = {}
    for part in parts:
        for member in part.roster.members:
            merged[member.id.lower()] = _merged(merged.get(member.id.lower()), member)
    members = []
    for key, member in merged.items():
        name = names.get(member.id, member.name) if member.name == member.id else member.name
        role = member.role
        if official:
            role = Role.PMC if key in official else Role.COMMITTER
        members.append(replace(member, name=name, role=role))
    source = "; ".join(p.roster.source for p in parts if p.roster.source)
    if not members:
        where = source or (parts[0].roster.source if parts else "roster")
        raise ConfigError(where, "names nobody: public_ldap_people.json only names the ids "
                                 "of a roster given beside it")  # fmt: skip
    return Roster(members=tuple(members), source=source)


def _merged(first: Member | None, member: Member) -> Member:
    if first is None:
        return member
    return replace(
        first,
        name=member.name if first.name == first.id else first.name,
        role=Role.PMC if Role.PMC in (first.role, member.role) else first.role,
        emails=tuple(dict.fromkeys((*first.emails, *member.emails))),
        github=tuple(dict.fromkeys((*first.github, *member.github))),
        discourse=tuple(dict.fromkeys((*first.discourse, *member.discourse))),
        since=first.since or member.since,
        until=first.until or member.until,
    )


def roster_text(path: str) -> str:
    """A roster file's text."""
    raw = read_bytes(path, what="roster file")
    try:
        return raw.decode("utf-8-sig")  # -sig: editors on Windows prepend a BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text (byte {exc.start})") from exc


def load_json(text: str, *, where: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise ConfigError(where, "invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            where, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from exc


# --- our TOML --------------------------------------------------------------------------------


def parse_toml_roster(text: str, *, where: str) -> Roster:
    """Our roster TOML: a `[[members]]` table per person."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, f"invalid TOML: {exc}") from exc
    _reject_unknown_keys(document, ("members",), Place(where, ""))
    entries = document.get("members")
    if entries is None:
        raise ConfigError(where, "no [[members]] tables: the roster is empty", field="members")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(where, "must be a non-empty array of [[members]] tables", field="members")
    lines = _member_lines(text, len(entries))
    places = [
        Place(where, f"members[{i}]", lines[i] if lines else None) for i in range(len(entries))
    ]
    members = tuple(
        _toml_member(entry, place) for entry, place in zip(entries, places, strict=True)
    )
    _check_unique(members, places)
    return Roster(members=members, source=where)


def _member_lines(text: str, count: int) -> list[int]:
    """Line of each `[[members]]` header; empty when headers don't map 1:1 onto members."""
    lines = [text.count("\n", 0, match.start()) + 1 for match in _MEMBERS_HEADER.finditer(text)]
    return lines if len(lines) == count else []


def _toml_member(entry: object, place: Place) -> Member:
    if not isinstance(entry, dict):
        raise place.error(f"must be a table, not {type_name(entry)}")
    _reject_unknown_keys(entry, _MEMBER_KEYS, place)
    since = _toml_date(entry.get("since"), place, "since")
    until = _toml_date(entry.get("until"), place, "until")
    if since and until and until < since:
        raise place.error(f"{until.isoformat()} is before since = {since.isoformat()}", "until")
    return Member(
        id=_required_str(entry, "id", place),
        name=_required_str(entry, "name", place),
        role=_role(entry, place),
        emails=tuple(_email(e, place) for e in _str_list(entry, "emails", place)),
        github=_usernames(entry, "github", place),
        discourse=_usernames(entry, "discourse", place),
        since=since,
        until=until,
    )


def _reject_unknown_keys(table: Mapping[str, object], known: Sequence[str], place: Place) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise place.error(f"unknown key; {hint}known keys: {', '.join(known)}", key)


def _required_str(entry: Mapping[str, object], key: str, place: Place) -> str:
    value = entry.get(key)
    if value is None:
        raise place.error("is required", key)
    if not isinstance(value, str):
        raise place.error(f"must be a string, not {type_name(value)}", key)
    if not value.strip():
        raise place.error("must not be empty", key)
    return value.strip()


def _str_list(entry: Mapping[str, object], key: str, place: Place) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise place.error(f"must be an array of strings, not {type_name(value)}", key)
    items: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise place.error(f"must be a non-empty string, not {item!r}", f"{key}[{i}]")
        items.append(item.strip())
    return tuple(items)


def _email(value: str, place: Place) -> str:
    if not _EMAIL.fullmatch(value):
        raise place.error(f"'{value}' is not an e-mail address", "emails")
    return value.lower()  # addresses are compared lower-cased everywhere


def _usernames(entry: Mapping[str, object], key: str, place: Place) -> tuple[str, ...]:
    # People write "@tqchen"; the login is "tqchen". Case is kept, matching ignores it.
    return tuple(name.removeprefix("@") for name in _str_list(entry, key, place))


def _role(entry: Mapping[str, object], place: Place) -> Role:
    value = entry.get("role")
    if value is None:
        raise place.error(f"is required: one of {_ROLES}", "role")
    if isinstance(value, str):
        for role in Role:
            if value.strip().lower() == role.value:
                return role
    raise place.error(f"{value!r} is not a role; accepted values: {_ROLES}", "role")


def _toml_date(value: object, place: Place, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a datetime is also a date: check it first
        raise place.error(f"{value.isoformat()} has a time; write a date like 2019-03-08", key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):  # a quoted date is a common slip: accept it when valid
        try:
            return iso_date(value)
        except ValueError as exc:
            raise place.error(f"'{value}' is not a date ({exc}); write YYYY-MM-DD", key) from exc
    raise place.error(f"must be a date like 2019-03-08, not {type_name(value)}", key)


def _check_unique(members: Sequence[Member], places: Sequence[Place]) -> None:
    """Each id, address and username names one person, or identity matching becomes a guess."""
    seen: dict[tuple[str, str], int] = {}
    for index, member in enumerate(members):
        for key, values in (
            ("id", (member.id,)),
            ("emails", member.emails),
            ("github", member.github),
            ("discourse", member.discourse),
        ):
            for value in values:
                first = seen.setdefault((key, value.lower()), index)
                if first != index:
                    kind = "id" if key == "id" else f"{key} entry"
                    raise places[index].error(
                        f"duplicate {kind} '{value}' (already used by members[{first}], "
                        f"id '{members[first].id}')",
                        key,
                    )


def format_toml_roster(roster: Roster) -> str:
    """A Roster as our TOML (for `harvest roster import`); parse_toml_roster reads it back."""
    blocks = [_format_member(member) for member in roster.members]
    return "\n".join(blocks)


def _format_member(member: Member) -> str:
    lines = [
        "[[members]]",
        f"id = {_toml_string(member.id)}",
        f"name = {_toml_string(member.name)}",
    ]
    for key, values in (
        ("emails", member.emails),
        ("github", member.github),
        ("discourse", member.discourse),
    ):
        if values:
            lines.append(f"{key} = [{', '.join(_toml_string(v) for v in values)}]")
    lines.append(f"role = {_toml_string(member.role.value)}")
    if member.since:
        lines.append(f"since = {member.since.isoformat()}")
    if member.until:
        lines.append(f"until = {member.until.isoformat()}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for char in value:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:  # TOML forbids raw control characters
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
