"""The call for votes -> what was voted on: the release and its candidate, the commit, the
artifacts' digests and the links (dist.apache.org, the tag, KEYS), so the result can say
exactly what passed. Each kind of fact is a named pattern."""

from __future__ import annotations

import re

from harvester.model import VotedOn

# "[VOTE] Release Apache TVM v0.16.0.rc0" -> "Apache TVM v0.16.0.rc0". The white space after
# "release" is not given back: it cannot hold the digit, and trying every split of a long run
# of it cost quadratic time.
_RELEASE_TITLE = re.compile(r"\brelease\s++(?:of\s+)?(?P<what>.*\d.*)$", re.IGNORECASE)
# A version with its candidate, in the call's text: "0.16.0.rc0", "v1.2.3-RC2", "15.0.0 RC1".
_VERSION = re.compile(
    r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?:(?:[-.]|\s)?rc\s?\d+|-(?:alpha|beta)\d*)?(?!\.*\w)",
    re.IGNORECASE,
)
_CANDIDATE = re.compile(r"rc\s?\d+", re.IGNORECASE)
_SHA1 = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])")
_SHORT_COMMIT = re.compile(
    r"\bcommit(?:\s+(?:id|hash|sha))?\s*(?:[:=#]\s*)?([0-9a-f]{7,39})\b", re.IGNORECASE
)
_DIGEST = re.compile(r"(?<![0-9a-fA-F])(?:[0-9a-fA-F]{128}|[0-9a-fA-F]{64})(?![0-9a-fA-F])")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_URL_TAIL = ".,;:!?*>"


def voted_on(title: str, call_text: str) -> VotedOn:
    return VotedOn(
        release=_release(title, call_text),
        commit=_commit(call_text),
        hashes=tuple(dict.fromkeys(d.lower() for d in _DIGEST.findall(call_text))),
        links=tuple(dict.fromkeys(u.rstrip(_URL_TAIL) for u in _URL.findall(call_text))),
    )


def _release(title: str, text: str) -> str | None:
    """The subject's "Release X" when it names a version, else the first version in the text
    that names a candidate (a bare "1.2" in prose is not a release)."""
    # no digit, no match: "release" many times over would each be tried to the end
    found = _RELEASE_TITLE.search(title) if any(c.isdigit() for c in title) else None
    if found:
        return found["what"].strip(" .")
    for match in _VERSION.finditer(text):
        if _CANDIDATE.search(match.group(0)):
            return match.group(0)
    return None


def _commit(text: str) -> str | None:
    full = _SHA1.search(text)
    if full:
        return full.group(0)
    short = _SHORT_COMMIT.search(text)
    return short.group(1).lower() if short else None
