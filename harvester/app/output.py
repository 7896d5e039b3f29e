"""Results -> what the user reads: a text table, the JSON contract, or an RFC 5322 message."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from harvester.app.counting import Decided, VoteResult
from harvester.core.clean import one_line
from harvester.core.draft import as_email
from harvester.core.report import report_json
from harvester.model import Announcement, Ballot

_COLUMNS = ("vote", "binding", "voter", "id", "match", "cast at (UTC)", "evidence")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
Shown = VoteResult | Decided  # JSON and text show a vote's count and outcome, not its draft


def shown(text: str) -> str:
    """Post text on a terminal: one line, no control characters (an escape sequence in a
    subject could rewrite what the reader sees)."""
    return _CONTROL.sub("", one_line(text))


def as_json_line(result: Shown) -> str:
    return json.dumps(report_json(result.tally, result.outcome), ensure_ascii=False)


def _mark(ballot: Ballot) -> str:
    notes = [note for note, on in (("late", ballot.late), ("changed", ballot.changed)) if on]
    if "mixed" in ballot.flags:
        notes.append("mixed")
    return f"{ballot.value.value}" + (f" ({', '.join(notes)})" if notes else "")


def _row(ballot: Ballot) -> tuple[str, ...]:
    return (
        _mark(ballot),
        "yes" if ballot.binding else "no",
        shown(ballot.voter),
        ballot.member_id or "-",
        ballot.match.value,
        f"{ballot.cast_at.astimezone(UTC):%Y-%m-%d %H:%M}",
        shown(ballot.raw)[:60],
    )


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def as_text(result: Shown) -> str:
    tally, outcome = result.tally, result.outcome
    closes = tally.window.closes_at.astimezone(UTC) if tally.window.closes_at else None
    opened = tally.window.opened_at.astimezone(UTC)
    lines = [
        shown(tally.title),
        f"rule: {outcome.rule.value}   status: {outcome.status.value}   "
        f"opened: {opened:%Y-%m-%d %H:%M} UTC   "
        + (
            f"closed: {closes:%Y-%m-%d %H:%M} UTC ({tally.window.closed_by})"
            if closes
            else "closes: not set"
        ),
        outcome.explanation,
        "",
        *_table([_COLUMNS, *(_row(b) for b in tally.ballots)]),
        "",
        f"binding: +1 {outcome.binding.plus}, 0 {outcome.binding.zero}, "
        f"-1 {outcome.binding.minus}   non-binding: +1 {outcome.non_binding.plus}, "
        f"0 {outcome.non_binding.zero}, -1 {outcome.non_binding.minus}",
    ]
    lines += [
        "",
        "sources:",
        *(f"  {s.kind}: {s.url} ({s.messages} messages)" for s in tally.sources),
    ]
    lines += _announced_lines(outcome.announced)
    if outcome.pending:
        lines += [
            "",
            "could change the outcome (the result waits for these):",
            *(f"  - {shown(r.reason)} <{shown(r.url)}>" for r in outcome.pending),
        ]
    others = [r for r in tally.review if r not in outcome.pending]
    if others:
        lines += [
            "",
            "to review:" if outcome.pending else "needs review:",
            *(f"  - {shown(r.reason)} <{shown(r.url)}>" for r in others),
        ]
    return "\n".join(lines) + "\n"


def _said(counts: tuple[int | None, int | None, int | None] | None) -> str:
    if counts is None:
        return "not stated"
    shown = ("-" if n is None else str(n) for n in counts)
    return "+1 {}, 0 {}, -1 {}".format(*shown)


def _announced_lines(announced: Announcement | None) -> list[str]:
    """The vote's own [RESULT] against the count: what it states, and where it disagrees."""
    if announced is None:
        return []
    lines = [
        "",
        f"announced result <{shown(announced.url)}>: binding {_said(announced.binding)}; "
        f"in all {_said(announced.total)}",
    ]
    if not announced.differences:
        return [*lines, "  it agrees with the count"]
    return [*lines, *(f"  - {shown(d)}" for d in announced.differences)]


def as_email_text(result: VoteResult, *, sender: str, to: str, now: datetime) -> str:
    return as_email(result.draft, sender=sender, to=to, date=now, eight_bit=True)
