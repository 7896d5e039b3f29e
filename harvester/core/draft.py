"""Tally + Outcome -> the [RESULT] e-mail a PMC would send, and its RFC 5322 form."""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateSyntaxError

from harvester.core import threads
from harvester.core.clean import one_line
from harvester.core.rules import RULE_TITLES
from harvester.model import Ballot, Draft, Outcome, Override, Status, Tally, Value

_ENV = Environment(
    loader=PackageLoader("harvester", "templates"),
    autoescape=False,  # plain-text mail: nothing is rendered as HTML
    undefined=StrictUndefined,
    trim_blocks=True,
    keep_trailing_newline=True,
)
_VALUES = (Value.PLUS, Value.ZERO, Value.MINUS)


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_WORDS = {Value.PLUS: "+1", Value.ZERO: "0", Value.MINUS: "-1"}


def bare_title(title: str) -> str:
    """ "Re: [VOTE] Clarify X" -> "Clarify X": the vote's own words."""
    bare = threads.vote_title(one_line(title))
    return re.sub(r"^\s*\[\s*VOTE\s*\]\s*", "", bare, flags=re.IGNORECASE)


def result_subject(title: str, outcome: Outcome | None = None) -> str:
    """ "[VOTE] Clarify X" -> "[RESULT][VOTE] Clarify X", and " - PASSED" (or FAILED) after it
    when `outcome` is given and the vote has closed."""
    subject = f"[RESULT][VOTE] {bare_title(title)}"
    if outcome is not None and outcome.status is not Status.OPEN:
        subject += f" - {outcome.status.value.upper()}"
    return subject


def human_time(moment: datetime) -> str:
    """ "Monday, 5 January 2026, 16:30 UTC": as people write dates in a mail, in any locale."""
    at = moment.astimezone(UTC)
    day, month = _DAYS[at.weekday()], _MONTHS[at.month - 1]
    return f"{day}, {at.day} {month} {at.year}, {at:%H:%M} UTC"


def _plural(count: int, value: Value, binding: int) -> str:
    if count == 0:
        return f"no {_WORDS[value]} votes"
    votes = "vote" if count == 1 else "votes"
    return f"{count} {_WORDS[value]} {votes}" + (f" ({binding} binding)" if binding else "")


def outcome_sentence(outcome: Outcome, cancelled: bool = False) -> str:
    """ "The vote has passed with 6 +1 votes (5 binding), 1 0 vote and 1 -1 vote." """
    counts = [
        (outcome.binding.plus + outcome.non_binding.plus, Value.PLUS, outcome.binding.plus),
        (outcome.binding.zero + outcome.non_binding.zero, Value.ZERO, outcome.binding.zero),
        (outcome.binding.minus + outcome.non_binding.minus, Value.MINUS, outcome.binding.minus),
    ]
    said = [_plural(*c) for c in counts]
    tally = f"{', '.join(said[:-1])} and {said[-1]}"
    if cancelled:
        return f"The vote was cancelled; it had {tally}."
    if outcome.status is Status.OPEN:
        would = "pass" if outcome.passes else "fail"
        return f"The vote is still open; with {tally} so far it would {would} if closed now."
    return f"The vote has {'passed' if outcome.passes else 'failed'} with {tally}."


def rule_line(outcome: Outcome) -> str:
    """What the rule asked and what the vote had, in words."""
    asked = []
    for condition in outcome.conditions:
        bound = {">=": "at least", ">": "more than", "==": "at most"}.get(condition.relation, "")
        met = "met" if condition.met else "not met"
        asked.append(f"{condition.label}: {_number(condition.have)} ({bound} "
                     f"{_number(condition.need)} needed, {met})")  # fmt: skip
    title = RULE_TITLES.get(outcome.rule, outcome.rule.value)
    return f"Rule: {title}" + (f"; {'; '.join(asked)}." if asked else ".")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class NamedVote:
    """One line of the result's name lists: "Bo Chen (binding, changed from -1)"."""

    name: str
    binding: bool
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        marks = ("binding",) * self.binding + self.notes
        return f"{self.name} ({', '.join(marks)})" if marks else self.name


def _earlier_values(tally: Tally, ballot: Ballot) -> list[str]:
    return [h.value.value for h in tally.history if h.voter == ballot.voter and h.counted]


def _named(tally: Tally) -> list[tuple[str, list[NamedVote]]]:
    """Per value, the counted voters: binding first, each in the order they voted."""
    counted = [b for b in tally.ballots if b.counted]
    shown = []
    for value in _VALUES:
        ballots = sorted((b for b in counted if b.value is value), key=lambda b: not b.binding)
        names = []
        for ballot in ballots:
            earlier = _earlier_values(tally, ballot)[:-1]
            notes = (f"changed from {earlier[-1]}",) if ballot.changed and earlier else ()
            names.append(NamedVote(one_line(ballot.voter), ballot.binding, notes))
        shown.append((_WORDS[value], names))
    return shown


def _changed_lines(tally: Tally) -> list[str]:
    return [
        f"{ballot.voter}: {' -> '.join(_earlier_values(tally, ballot))}"
        for ballot in tally.ballots
        if ballot.changed
    ]


def vote_links(tally: Tally) -> list[str]:
    """Where the vote was held, as anyone can find it: a web address, or for a mail file the
    call's Message-ID, and each later round's (a local path means nothing to the list)."""
    links = [s.url for s in tally.sources if s.url.startswith(("http://", "https://"))]
    if len(links) < len(tally.sources):  # a mail file: name its threads by their calls
        opened = [r for i, r in enumerate(tally.rounds) if i == 0 or r.own_thread]
        calls = [r.url for r in opened if r.url.startswith("mid:")]
        if not calls and tally.call_message_id:
            calls = [f"mid:{tally.call_message_id}"]
        links += [f"the thread of Message-ID <{_percent_decoded(c[4:])}>" for c in calls]
    return list(dict.fromkeys(links))


def _percent_decoded(text: str) -> str:
    """A mid: URL's Message-ID as written (its other characters are %-quoted)."""
    raw = re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), text.encode())
    return raw.decode("utf-8", "replace")


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


def draft_context(tally: Tally, outcome: Outcome) -> dict[str, object]:
    """What a result template is given (a profile's own template gets the same)."""
    ballots = list(tally.ballots)
    return {
        "title": bare_title(tally.title),
        "status": outcome.status.value,
        "passes": outcome.passes,
        "cancelled": tally.cancelled,
        "outcome": outcome,
        "outcome_sentence": outcome_sentence(outcome, tally.cancelled),
        "rule_line": rule_line(outcome),
        "explanation": outcome.explanation,
        "votes": _named(tally),
        "changed": _changed_lines(tally),
        "late": [
            f"{b.voter}: {b.value.value} at {human_time(b.cast_at)}" for b in ballots if b.late
        ],
        "opened_at": human_time(tally.window.opened_at),
        "closes_at": human_time(tally.window.closes_at) if tally.window.closes_at else "",
        "links": vote_links(tally),
        "sources": tally.sources,
        "review": outcome.pending,
        "voted_on": tally.voted_on,
        "digest": outcome.proof.digest if outcome.proof else "",
        "corrections": [correction_line(o) for o in tally.overrides],
    }


def build_draft(
    tally: Tally, outcome: Outcome, *, template: str = "", outcome_in_subject: bool = False
) -> Draft:
    """The result mail; `template`: a Jinja2 template's text to use instead of ours."""
    chosen = _ENV.from_string(template) if template else _ENV.get_template("result.txt.j2")
    body = chosen.render(**draft_context(tally, outcome))
    refs = tuple(r for r in dict.fromkeys((*tally.call_references, tally.call_message_id)) if r)
    subject = result_subject(tally.title, outcome if outcome_in_subject else None)
    return Draft(subject, body, tally.call_message_id, refs)


def check_template(text: str) -> str | None:
    """Why a result template cannot be used (its syntax), or None."""
    try:
        _ENV.parse(text)
    except TemplateSyntaxError as error:
        return f"line {error.lineno}: {error.message}"
    return None


def as_email(
    draft: Draft,
    *,
    sender: str,
    to: str,
    date: datetime,
    message_id: str = "",
    cc: str = "",
    eight_bit: bool = False,
) -> str:
    """The draft as an RFC 5322 message; In-Reply-To/References thread it under the call.
    `eight_bit`: the body as UTF-8 text, to paste into a mail client; otherwise it is encoded
    for any mail server (quoted-printable)."""
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
    if not eight_bit:
        message.set_content(draft.body)
        return message.as_string()
    # UTF-8 as it is, headers too (folded, not =?utf-8?…?=): the bytes generator keeps 8bit
    # text that the str one would turn into base64.
    message.set_content(draft.body, cte="8bit")
    return message.as_bytes(policy=email.policy.default.clone(utf8=True)).decode("utf-8")
