"""Own lines -> a Reading: the ballot value, its evidence line, and flags for a person to see."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from harvester.model import Reading, Value

# A vote token: a signed number (+1, -1, +0, -0, +0.5, +1000), or a bare 0 that stands alone.
_SIGN = r"[+\-−–±]"
_NUMBER = r"\d+(?:[.,]\d+)?"
_TOKEN = rf"(?:{_SIGN}\s?{_NUMBER}|0(?=\s*(?:$|[(\[,:;!.]|-\s|–\s|—)))"
_TOKEN_END = r"(?![\w%/]|[.,]\d)"

# Decorations allowed before a token at the start of a line.
_LEAD = re.compile(
    r"^(?:\s*(?:[*_]{1,2}|[-*•](?=\s)|\[\s*[xX✓✔]\s*\]|(?:my\s+)?vote\b\s*(?:is\b)?\s*[:=]?))*\s*",
    re.IGNORECASE,
)
_LINE_TOKEN = re.compile(rf"^(?P<token>{_TOKEN}){_TOKEN_END}(?P<rest>.*)$", re.IGNORECASE)
_MENTION_AFTER = re.compile(r"^\s*(?:votes?|'s|s\b)", re.IGNORECASE)
_TEMPLATE = re.compile(rf"^\s*[-*•]?\s*[\[(]\s*[\])]\s*{_SIGN}?\s?{_NUMBER}")
_EMOJI = re.compile(r"^\s*:(?P<name>\+1|-1|thumbsup|thumbsdown|thumbs_up|thumbs_down):")
_EMOJI_VALUES = {
    "+1": "+1",
    "thumbsup": "+1",
    "thumbs_up": "+1",
    "-1": "-1",
    "thumbsdown": "-1",
    "thumbs_down": "-1",
}

_CLAIM_NON_BINDING = re.compile(r"\b(?:non[-\s]?binding|not\s+binding|nb)\b", re.IGNORECASE)
_CLAIM_BINDING = re.compile(r"\bbinding\b", re.IGNORECASE)
_VETO = re.compile(r"\bveto(?:ed|es|ing)?\b", re.IGNORECASE)
_CHANGE = re.compile(
    rf"\b(?:chang|switch|updat|revis|mov|rais|upgrad|lower|amend)(?:e|ed|ing|es)?\s+my\s+"
    rf"(?:vote|ballot|{_SIGN}\s?{_NUMBER}|0)\s+(?:to|into)\s+(?P<token>{_TOKEN}){_TOKEN_END}"
    rf"|\bmy\s+vote\s+is\s+now\s+(?P<token2>{_TOKEN}){_TOKEN_END}",
    re.IGNORECASE,
)
_WITHDRAW = re.compile(
    rf"\b(?:withdraw|retract|rescind|revoke)(?:s|ing|n)?\s+my\s+(?:{_SIGN}\s?{_NUMBER}|0|vote|veto)\b",
    re.IGNORECASE,
)
# A second vote inside the same line, after a separator: "+1 for the source, -1 for binaries".
_SECOND_VOTE = re.compile(
    rf"(?:[,;]|\band\b|\bbut\b)\s*(?P<token>{_SIGN}\s?{_NUMBER}){_TOKEN_END}"
    rf"(?=\s+(?:for|on|to)\b|\s*\(|\s*$)",
    re.IGNORECASE,
)


def token_value(token: str) -> tuple[Value, bool]:
    """A token's ballot value and whether it was a fraction (+0.5 counts as 0)."""
    cleaned = token.replace(" ", "").replace("−", "-").replace("–", "-").replace(",", ".")
    if cleaned.startswith("±"):
        return Value.ZERO, False
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return Value.ZERO, False
    if number >= 1:
        return Value.PLUS, False
    if number <= -1:
        return Value.MINUS, False
    return Value.ZERO, number != 0


@dataclass(frozen=True)
class LineVote:
    """A vote token found at the start of one line."""

    value: Value
    line: str
    rest: str
    fractional: bool


def strip_lead(line: str) -> str:
    return _LEAD.sub("", line, count=1)


def is_template_line(line: str) -> bool:
    """An unchecked ballot box such as "[ ] +1 approve" is a form, not a vote."""
    return bool(_TEMPLATE.match(line))


def line_vote(line: str, *, emoji_votes: bool = False) -> LineVote | None:
    """The vote a line starts with, if it starts with one."""
    if is_template_line(line):
        return None
    body = strip_lead(line)
    found = _LINE_TOKEN.match(body)
    if found:
        if _MENTION_AFTER.match(found["rest"]):
            return None
        value, fractional = token_value(found["token"])
        return LineVote(value, line.strip(), found["rest"], fractional)
    if emoji_votes:
        emoji = _EMOJI.match(body)
        if emoji:
            value = Value(_EMOJI_VALUES[emoji["name"].lower()])
            return LineVote(value, line.strip(), body[emoji.end() :], False)
    return None


def claim_flags(rest: str) -> tuple[str, ...]:
    """What the voter said about their own status: a claim, checked later against the roster."""
    head = rest[:60]
    if _CLAIM_NON_BINDING.search(head):
        return ("claimed-non-binding",)
    if _CLAIM_BINDING.search(head):
        return ("claimed-binding",)
    return ()


def second_vote_in_line(vote: LineVote) -> Value | None:
    found = _SECOND_VOTE.search(vote.rest)
    return token_value(found["token"])[0] if found else None


def change_in_text(lines: Sequence[str]) -> tuple[Value, str] | None:
    """ "changing my vote to +1" anywhere in the own text: the new value and its line."""
    for line in lines:
        if "my" not in line.lower():  # both phrasings say "my": skip the regex on other lines
            continue
        found = _CHANGE.search(line)
        if found:
            token = found["token"] or found["token2"]
            return token_value(token)[0], line.strip()
    return None


def withdrawal_line(lines: Sequence[str]) -> str | None:
    for line in lines:
        if "my" in line.lower() and _WITHDRAW.search(line):
            return line.strip()
    return None


def line_votes(lines: Sequence[str], *, emoji_votes: bool = False) -> list[LineVote]:
    votes = (line_vote(line, emoji_votes=emoji_votes) for line in lines)
    return [vote for vote in votes if vote is not None]


def drop_menu(votes: list[LineVote]) -> list[LineVote]:
    """In the call for votes, lines offering different values ("+1: approve", "-1: reject")
    are the ballot menu; what is left is the caller's own vote."""
    values = {vote.value for vote in votes}
    if len(values) < 2:
        return votes
    return [vote for vote in votes if _looks_personal(vote.rest)]


_PERSONAL = re.compile(r"\b(?:from\s+me|my\s+(?:own\s+)?vote|I\s+vote|myself)\b", re.IGNORECASE)


def _looks_personal(rest: str) -> bool:
    return bool(_PERSONAL.search(rest) or claim_flags(rest))


def _vote_flags(first: LineVote, votes: Sequence[LineVote]) -> tuple[str, ...]:
    flags = list(claim_flags(first.rest))
    if first.fractional:
        flags.append("fractional")
    if _VETO.search(first.line):
        flags.append("veto")
    others = {vote.value for vote in votes} | {second_vote_in_line(first) or first.value}
    if len(others) > 1:
        flags.append("mixed")
    return tuple(flags)


def read_ballot(
    lines: Sequence[str], *, is_call: bool = False, emoji_votes: bool = False
) -> Reading | None:
    """The ballot one message casts, or None when it casts none.

    An explicit change ("changing my vote to +1") wins over line tokens; a withdrawal with no
    new vote withdraws; otherwise the first line that starts with a vote token is the ballot.
    """
    change = change_in_text(lines)
    votes = line_votes(lines, emoji_votes=emoji_votes)
    if change is not None and (not votes or votes[0].value is not change[0]):
        return Reading(change[0], change[1], ("changed-by-text",))
    if is_call:
        votes = drop_menu(votes)
    withdrawal = withdrawal_line(lines)
    if not votes:
        return Reading(None, withdrawal, ("withdrawn",)) if withdrawal else None
    first = votes[0]
    flags = _vote_flags(first, votes)
    if withdrawal:
        flags = (*flags, "withdrew-earlier")
    return Reading(first.value, first.line, flags)
