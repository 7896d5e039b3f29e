"""Tally + Outcome -> the [RESULT] e-mail a PMC would send, and its RFC 5322 form."""

from __future__ import annotations

import email.policy
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from harvester.core import threads
from harvester.core.clean import one_line
from harvester.core.report import iso_utc
from harvester.model import Ballot, Draft, Outcome, Override, Tally, Value

_ENV = Environment(
    loader=PackageLoader("harvester", "templates"),
    autoescape=False,  # plain-text mail: nothing is rendered as HTML
    undefined=StrictUndefined,
    trim_blocks=True,
    keep_trailing_newline=True,
)
_VALUES = (Value.PLUS, Value.ZERO, Value.MINUS)


def result_subject(title: str) -> str:
    """ "[VOTE] Clarify X" -> "[RESULT][VOTE] Clarify X"."""
    bare = threads.vote_title(one_line(title))
    bare = re.sub(r"^\s*\[\s*VOTE\s*\]\s*", "", bare, flags=re.IGNORECASE)
    return f"[RESULT][VOTE] {bare}"


def voter_label(ballot: Ballot) -> str:
    who = f"{ballot.voter} ({ballot.member_id})" if ballot.member_id else ballot.voter
    return f"{who} (*)" if ballot.changed else who


def _names(ballots: list[Ballot], binding: bool) -> list[tuple[str, list[str]]]:
    counted = [b for b in ballots if b.binding == binding and b.counted]
    return [(v.value, [voter_label(b) for b in counted if b.value is v]) for v in _VALUES]


def _changed_lines(tally: Tally) -> list[str]:
    lines = []
    for ballot in tally.ballots:
        if not ballot.changed:
            continue
        earlier = [h.value.value for h in tally.history if h.voter == ballot.voter and h.counted]
        lines.append(f"{ballot.voter}: {' -> '.join(earlier)}")
    return lines


def correction_line(override: Override) -> str:
    """What a person changed, for the result mail: the reader must see every hand correction."""
    changes = []
    if override.not_a_vote:
        changes.append("not a vote")
    elif override.value is not None:
        changes.append(f"counted as {override.value.value}")
    if override.binding is not None:
        changes.append("binding" if override.binding else "non-binding")
    if override.member_id:
        changes.append(f"cast by {override.member_id}")
    who = f" ({one_line(override.by)})" if override.by else ""
    return f"{', '.join(changes)}: {one_line(override.reason)}{who} <{override.url}>"


def build_draft(tally: Tally, outcome: Outcome) -> Draft:
    ballots = list(tally.ballots)
    body = _ENV.get_template("result.txt.j2").render(
        title=one_line(tally.title),
        outcome=outcome,
        cancelled=tally.cancelled,
        binding=_names(ballots, True),
        non_binding=_names(ballots, False),
        changed=_changed_lines(tally),
        late=[
            f"{voter_label(b)}: {b.value.value} at {iso_utc(b.cast_at)}" for b in ballots if b.late
        ],
        opened_at=iso_utc(tally.window.opened_at),
        closes_at=iso_utc(tally.window.closes_at) if tally.window.closes_at else "",
        sources=tally.sources,
        review=outcome.pending,
        corrections=[correction_line(o) for o in tally.overrides],
    )
    refs = tuple(r for r in dict.fromkeys((*tally.call_references, tally.call_message_id)) if r)
    return Draft(result_subject(tally.title), body, tally.call_message_id, refs)


def as_email(
    draft: Draft, *, sender: str, to: str, date: datetime, message_id: str = "", cc: str = ""
) -> str:
    """The draft as an RFC 5322 message; In-Reply-To/References thread it under the call."""
    message = EmailMessage(policy=email.policy.default)
    message["From"] = one_line(sender)
    message["To"] = one_line(to)
    if cc:
        message["Cc"] = one_line(cc)
    message["Subject"] = one_line(draft.subject)
    message["Date"] = format_datetime(date)
    if message_id:
        message["Message-ID"] = f"<{one_line(message_id).strip('<>')}>"
    if draft.in_reply_to:
        message["In-Reply-To"] = f"<{one_line(draft.in_reply_to)}>"
    if draft.references:
        message["References"] = " ".join(f"<{one_line(ref)}>" for ref in draft.references)
    message.set_content(draft.body)
    return message.as_string()
