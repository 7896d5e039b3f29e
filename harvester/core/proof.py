"""A count anyone can check: a digest over what the count rests on.

The parts are the vote's messages (each by its URL, which names its source id, and a SHA-256 of
its body), the roster
it was counted with, the rule and electorate, and the corrections people made. The digest is the
SHA-256 of the parts in a canonical JSON form, so anyone holding the same messages and roster
gets the same hex; `harvest votes verify` recomputes it from the stored messages and names the
part that changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from harvester.model import Corrections, Electorate, Message, Proof, Roster, RuleName

VERSION = "harvester-count/1"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, enums as their value, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _canonical(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def roster_digest(roster: Roster) -> str:
    members = sorted((asdict(m) for m in roster.members), key=lambda m: str(m["id"]))
    return _sha256(_canonical(members))


def corrections_digest(corrections: Corrections) -> str:
    return _sha256(_canonical(asdict(corrections)))


def message_parts(messages: Iterable[Message]) -> list[dict[str, str]]:
    return [
        {"source": m.source, "url": m.url, "body_sha256": _sha256(m.body)}
        for m in sorted(messages, key=lambda m: (m.sent_at, m.source, m.source_id))
    ]


def prove(
    messages: Sequence[Message],
    roster: Roster,
    rule: RuleName,
    electorate: Electorate,
    corrections: Corrections,
) -> Proof:
    parts: dict[str, Any] = {
        "version": VERSION,
        "messages": message_parts(messages),
        "roster": roster_digest(roster),
        "rule": f"{rule.value} {electorate.value}",
        "corrections": corrections_digest(corrections),
    }
    return Proof(_sha256(_canonical(parts)), parts)


def digest_of(parts: Mapping[str, Any]) -> str:
    """The digest of stored parts, as `prove` made it."""
    return _sha256(_canonical(parts))


def what_changed(before: Mapping[str, Any], now: Mapping[str, Any]) -> str | None:
    """The first part that differs, said in words; None when the parts agree."""
    if before.get("version") != now.get("version"):
        return f"the digest's form changed ({before.get('version')} -> {now.get('version')})"
    then = {m["url"]: m["body_sha256"] for m in before.get("messages", [])}
    current = {m["url"]: m["body_sha256"] for m in now.get("messages", [])}
    for url, body in then.items():
        if url not in current:
            return f"message {url} is no longer stored"
        if current[url] != body:
            return f"message {url} changed since it was counted"
    for url in current:
        if url not in then:
            return f"message {url} was added since the count"
    for part, said in (
        ("roster", "the roster"),
        ("rule", "the rule"),
        ("corrections", "the corrections"),
    ):
        if before.get(part) != now.get(part):
            return f"{said} changed since the count"
    return None
