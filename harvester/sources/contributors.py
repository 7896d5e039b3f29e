"""TVM's CONTRIBUTORS.md -> Roster: the committers, and the PMC by its marker."""

from __future__ import annotations

import re
from collections.abc import Iterator

from harvester.errors import ConfigError
from harvester.model import Member, Role, Roster

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
