"""Roster files -> Roster: our TOML, Whimsy's committee-info.json and TVM's CONTRIBUTORS.md.

The parsers take text (or decoded JSON) plus `where` for error messages and never read anything
themselves, so a URL fetcher can reuse them; only `load_roster` touches the file system.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Literal

from harvester.errors import ConfigError
from harvester.model import Member, Role, Roster
from harvester.sources.files import read_bytes

RosterKind = Literal["toml", "committee-info", "contributors"]

_KINDS_BY_EXTENSION: dict[str, RosterKind] = {
    ".toml": "toml",
    ".json": "committee-info",
    ".md": "contributors",
    ".markdown": "contributors",
}
_MEMBER_KEYS = ("id", "name", "emails", "github", "discourse", "role", "since", "until")
_ROLES = ", ".join(f'"{role.value}"' for role in Role)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_MEMBERS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*members[ \t]*\]\]", re.MULTILINE)


@dataclass(frozen=True)
class _Place:
    """Where in a roster a value sits, so every error names the file, line and field."""

    where: str
    field: str
    line: int | None = None

    def error(self, problem: str, key: str = "") -> ConfigError:
        field = f"{self.field}.{key}" if key and self.field else key or self.field
        return ConfigError(self.where, problem, field=field, line=self.line)


# --- loading ---------------------------------------------------------------------------------


def load_roster(path: str, *, committee: str | None = None) -> Roster:
    """Read a roster file, choosing the parser by its extension; Roster.source is `path`."""
    kind = roster_kind(path, where=path)
    text = _read_text(path)
    return parse_roster_text(text, kind=kind, where=path, committee=committee)


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
    """Parse roster text of a known kind; `committee` is needed (only) for committee-info."""
    if kind == "toml":
        return parse_toml_roster(text, where=where)
    if kind == "contributors":
        return parse_contributors_md(text, where=where)
    if not committee:
        raise ConfigError(
            where, "a committee-info.json roster needs --committee KEY (e.g. --committee tvm)"
        )
    return parse_committee_info(_load_json(text, where=where), committee=committee, where=where)


def _read_text(path: str) -> str:
    raw = read_bytes(path, what="roster file")
    try:
        return raw.decode("utf-8-sig")  # -sig: editors on Windows prepend a BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text (byte {exc.start})") from exc


def _load_json(text: str, *, where: str) -> object:
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
    _reject_unknown_keys(document, ("members",), _Place(where, ""))
    entries = document.get("members")
    if entries is None:
        raise ConfigError(where, "no [[members]] tables: the roster is empty", field="members")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(where, "must be a non-empty array of [[members]] tables", field="members")
    lines = _member_lines(text, len(entries))
    places = [
        _Place(where, f"members[{i}]", lines[i] if lines else None) for i in range(len(entries))
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


def _toml_member(entry: object, place: _Place) -> Member:
    if not isinstance(entry, dict):
        raise place.error(f"must be a table, not {_type_name(entry)}")
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


def _reject_unknown_keys(table: Mapping[str, object], known: Sequence[str], place: _Place) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise place.error(f"unknown key; {hint}known keys: {', '.join(known)}", key)


def _required_str(entry: Mapping[str, object], key: str, place: _Place) -> str:
    value = entry.get(key)
    if value is None:
        raise place.error("is required", key)
    if not isinstance(value, str):
        raise place.error(f"must be a string, not {_type_name(value)}", key)
    if not value.strip():
        raise place.error("must not be empty", key)
    return value.strip()


def _str_list(entry: Mapping[str, object], key: str, place: _Place) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise place.error(f"must be an array of strings, not {_type_name(value)}", key)
    items: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise place.error(f"must be a non-empty string, not {item!r}", f"{key}[{i}]")
        items.append(item.strip())
    return tuple(items)


def _email(value: str, place: _Place) -> str:
    if not _EMAIL.fullmatch(value):
        raise place.error(f"'{value}' is not an e-mail address", "emails")
    return value.lower()  # addresses are compared lower-cased everywhere


def _usernames(entry: Mapping[str, object], key: str, place: _Place) -> tuple[str, ...]:
    # People write "@tqchen"; the login is "tqchen". Case is kept, matching ignores it.
    return tuple(name.removeprefix("@") for name in _str_list(entry, key, place))


def _role(entry: Mapping[str, object], place: _Place) -> Role:
    value = entry.get("role")
    if value is None:
        raise place.error(f"is required: one of {_ROLES}", "role")
    if isinstance(value, str):
        for role in Role:
            if value.strip().lower() == role.value:
                return role
    raise place.error(f"{value!r} is not a role; accepted values: {_ROLES}", "role")


def _toml_date(value: object, place: _Place, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a datetime is also a date: check it first
        raise place.error(f"{value.isoformat()} has a time; write a date like 2019-03-08", key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):  # a quoted date is a common slip: accept it when valid
        try:
            return _iso_date(value)
        except ValueError as exc:
            raise place.error(f"'{value}' is not a date ({exc}); write YYYY-MM-DD", key) from exc
    raise place.error(f"must be a date like 2019-03-08, not {_type_name(value)}", key)


def _iso_date(text: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise ValueError("expected YYYY-MM-DD")
    return date.fromisoformat(text)


def _check_unique(members: Sequence[Member], places: Sequence[_Place]) -> None:
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


def _type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    if isinstance(value, dict):
        return "table"
    return names.get(type(value), type(value).__name__)


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


# --- Whimsy committee-info.json --------------------------------------------------------------


def parse_committee_info(data: object, *, committee: str, where: str) -> Roster:
    """One committee's PMC from Whimsy's committee-info.json (already decoded)."""
    top = _json_object(data, _Place(where, "(top level)"))
    committees = _json_object(top.get("committees"), _Place(where, "committees"))
    key = committee_key(committee)
    if key not in committees:
        raise ConfigError(
            where,
            f"no committee '{key}' (from --committee {committee}); "
            f"{_describe_choices(key, list(committees))}",
            field="committees",
        )
    entry = _json_object(committees[key], _Place(where, f"committees.{key}"))
    roster_place = _Place(where, f"committees.{key}.roster")
    roster = _json_object(entry.get("roster"), roster_place)
    if not roster:
        raise roster_place.error("lists nobody")
    members = tuple(
        _whimsy_member(availid, person, _Place(where, f"{roster_place.field}.{availid}"))
        for availid, person in roster.items()
    )
    return Roster(members=members, source=where)


def committee_key(committee: str) -> str:
    """Whimsy's key: the lower-cased name without characters outside [-\\w] ("TVM" -> "tvm")."""
    return re.sub(r"[^-\w]", "", committee.strip().lower())


def _json_object(value: object, place: _Place) -> dict[str, object]:
    if value is None:
        raise place.error("is missing")
    if not isinstance(value, dict):
        raise place.error(f"must be a JSON object, not {_type_name(value)}")
    return value


def _whimsy_member(availid: str, person: object, place: _Place) -> Member:
    fields = _json_object(person, place)
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise place.error(f"must be a non-empty string, not {name!r}", "name")
    raw_date = fields.get("date")
    since: date | None = None
    if raw_date is not None:
        if not isinstance(raw_date, str):
            raise place.error(f"must be YYYY-MM-DD or null, not {raw_date!r}", "date")
        try:
            since = _iso_date(raw_date)
        except ValueError as exc:
            raise place.error(f"'{raw_date}' is not a date ({exc})", "date") from exc
    return Member(
        id=availid,
        name=name.strip(),
        role=Role.PMC,  # committee-info.txt is the official list of the PMC
        emails=(f"{availid}@apache.org".lower(),),
        since=since,
    )


def _describe_choices(wanted: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, choices, n=3)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    shown = sorted(choices)[:5]
    more = len(choices) - len(shown)
    listed = ", ".join(shown) + (f" … ({more} more)" if more else "")
    return f"available: {listed}" if shown else "the file lists no committees"


# --- TVM CONTRIBUTORS.md ---------------------------------------------------------------------

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})\s+(?P<title>.*?)[\s#:]*$")
# Only top-level bullets are entries; deeper ones are notes under an entry.
_ENTRY = re.compile(r"^ ?[-*+]\s+(?P<body>.+)$")
_LINK = re.compile(r"\[(?P<name>[^\]]*)\]\((?P<url>[^)\s]*)\)")
_HANDLE = re.compile(r"(?<![\w.@/])@(?P<handle>[A-Za-z0-9][A-Za-z0-9_-]*)")
_GITHUB_PROFILE = re.compile(
    r"https?://(?:www\.)?github\.com/(?P<handle>[A-Za-z0-9][A-Za-z0-9_-]*)/?", re.IGNORECASE
)
_PMC_MARKER = re.compile(r"\(\s*P?PMC\s*\)", re.IGNORECASE)


def parse_contributors_md(text: str, *, where: str) -> Roster:
    """Committers (and PMC, by marker) from the "## Committers" section of a CONTRIBUTORS.md."""
    members: list[Member] = []
    seen: set[str] = set()
    for number, body in _committer_entries(text, where=where):
        member = _contributor(body, where=where, line=number)
        if member.id not in seen:  # a person listed twice counts once, as first listed
            seen.add(member.id)
            members.append(member)
    if not members:
        raise ConfigError(where, "the section lists nobody", field="## Committers")
    return Roster(members=tuple(members), source=where)


def _committer_entries(text: str, *, where: str) -> Iterator[tuple[int, str]]:
    """(line number, bullet text) of each entry under "## Committers", up to the next heading."""
    # Blank out comments but keep their newlines so line numbers stay true.
    visible = _HTML_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    inside = found = False
    for number, line in enumerate(visible.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading and len(heading["level"]) <= 2:
            inside = len(heading["level"]) == 2 and heading["title"].lower() == "committers"
            found = found or inside
            continue
        entry = _ENTRY.match(line)
        if inside and entry:
            yield number, entry["body"]
    if not found:
        raise ConfigError(where, "no '## Committers' section: cannot tell who the committers are")


def _contributor(body: str, *, where: str, line: int) -> Member:
    link = _LINK.search(body)
    rest = _LINK.sub(" ", body)  # look for the handle and marker outside the link
    handle_match = _HANDLE.search(rest)
    profile = _GITHUB_PROFILE.fullmatch(link["url"]) if link else None
    if handle_match:
        handle = handle_match["handle"]
    elif profile:
        handle = profile["handle"]
    else:
        raise ConfigError(
            where,
            "no GitHub handle (@handle or a github.com/<user> link) in this Committers entry",
            line=line,
        )
    name = link["name"].strip() if link else _name_before_handle(rest, handle_match)
    return Member(
        id=handle.lower(),  # the file has no ASF ids; the GitHub login stands in
        name=name or handle,
        role=Role.PMC if _PMC_MARKER.search(rest) else Role.COMMITTER,
        github=(handle,),
    )


def _name_before_handle(rest: str, handle: re.Match[str] | None) -> str:
    """ "Hana Berg @hberg" -> "Hana Berg"."""
    head = rest[: handle.start()] if handle else rest
    return _PMC_MARKER.sub(" ", head).strip(" :-\t")
