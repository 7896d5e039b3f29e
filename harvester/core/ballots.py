"""Own lines -> a Reading: the ballot value, its evidence line, and flags for a person to see.

`read_ballot` reads the vote; `unexplained_votes` (core/unread.py) lists the lines that hold a
vote-like token the reading neither used nor recognised as a mention, so nothing is lost in
silence. The phrasings both rely on live in core/ballot_patterns.py as tables of named rows.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from harvester.core import ballot_patterns as pat
from harvester.model import Reading, Value

# A vote token: a signed number (+1, -1, +0, -0, +0.5, +1000), or a bare 0 that stands alone.
_SIGN = pat.SIGN
_NUMBER = r"\d+(?:[.,]\d+)?"
_BARE_ZERO = r"0(?=\s*(?:$|[(\[,:;!.]|-\s|–\s|—))"
_TOKEN = rf"(?:{_SIGN}\s?{_NUMBER}|{_BARE_ZERO})"
# After a lead-in a space inside the token is allowed only in "+ 1": "LGTM, + 10 tests" is prose.
_LEAD_IN_TOKEN = rf"(?:{_SIGN}(?:\s(?=[01](?!\d)))?{_NUMBER}|{_BARE_ZERO})"
# A token ends where ASCII words do: "+1ing" and "+1.5%" are not votes, "+1赞成" is.
_TOKEN_END = r"(?![A-Za-z0-9_%/]|[.,]\d)"

# Decorations allowed before a token or a lead-in: emphasis, bullets, a ticked box.
# A ticked box is a chosen option: "[x]", or a ticked box written as a character ("☑ -1").
_DECOR = re.compile(r"(?:\s*(?:[*_]{1,2}|[-*•](?=\s)|\[\s*[xX✓✔]\s*\]|[☑☒✅✔✓]\ufe0f?))*\s*")
_LEAD_IN = re.compile(
    "(?:"
    + "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(pat.LEAD_INS))
    + ")"
    + pat.LEAD_IN_GAP,
    re.IGNORECASE,
)
_LEAD_IN_NAMES = {f"g{i}": name for i, (name, _) in enumerate(pat.LEAD_INS)}
_MAX_LEAD_INS = 4
_TOKEN_STARTS = frozenset("+-−–±0123456789")
_LINE_TOKEN = re.compile(rf"^(?P<token>{_TOKEN}){_TOKEN_END}(?P<rest>.*)$", re.IGNORECASE)
_LEAD_IN_LINE_TOKEN = re.compile(
    rf"^(?P<token>{_LEAD_IN_TOKEN}){_TOKEN_END}(?P<rest>.*)$", re.IGNORECASE
)
_MENTION_AFTER = re.compile(r"^\s*(?:votes?|'s|s\b)", re.IGNORECASE)
# A ticked "0" option of a ballot form: a bare 0 before prose counts only beside a ticked box.
_TICKED_ZERO = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[\s*[xX✓✔]\s*\]|[☑☒✅✔✓]\ufe0f?)\s*(0)(?=\s)")
# An empty box is an option not taken: "[ ] +1", "( ) +1", "☐ +1".
_TEMPLATE = re.compile(rf"^\s*[-*•]?\s*(?:[\[(]\s*[\])]|[☐⬜□])\s*{_SIGN}?\s?{_NUMBER}")
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
# A line that is only a claim, under a bare "+1": "(binding)", "Non-binding.", "(binding, PMC)".
_CLAIM_LINE = re.compile(
    r"^\s*(?:[(\[]\s*(?:non[-\s]?binding|not\s+binding|binding)\b.*"
    r"|(?:non[-\s]?binding|not\s+binding|binding)(?:\s+vote)?\s*(?:[.!]\s*)?)$",
    re.IGNORECASE,
)
_VETO = re.compile(r"\bveto(?:ed|es|ing)?\b", re.IGNORECASE)
_CHANGE = re.compile(
    rf"\b(?:chang|switch|updat|revis|mov|rais|upgrad|lower|amend)(?:e|ed|ing|es)?\s+my\s+"
    rf"(?:vote|ballot|{_SIGN}\s?{_NUMBER}|0)(?:\s+from\s+{_TOKEN})?\s+(?:to|into)\s+(?:a\s+)?"
    rf"(?P<token>{_TOKEN}){_TOKEN_END}"
    rf"|\bmy\s+vote\s+is\s+now\s+(?:a\s+)?(?P<token2>{_TOKEN}){_TOKEN_END}"
    rf"|\bchang(?:e|ed|ing)\s+my\s+vote\s*[:：]\s*(?P<token3>{_TOKEN}){_TOKEN_END}"
    # "I withdraw my -1 and vote +1 instead": the withdrawal and the new vote in one breath.
    rf"|\b(?:withdraw|retract)(?:s|ing|n)?\s+my\s+(?:{_SIGN}\s?{_NUMBER}|0|vote)\s*(?:,|and)\s*"
    rf"(?:I\s+)?(?:vote|cast|am|go\s+with|change\s+to)\s+(?:a\s+)?(?P<token4>{_TOKEN}){_TOKEN_END}"
    # "-1 -> +1 after the fix"
    rf"|^\s*{_SIGN}\s?{_NUMBER}\s*(?:->|→|=>|⇒)\s*(?P<token5>{_TOKEN}){_TOKEN_END}",
    re.IGNORECASE,
)
_CHANGE_GROUPS = ("token", "token2", "token3", "token4", "token5")
_ARROW = re.compile(r"->|→|=>|⇒")
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
_PERSONAL = re.compile(
    r"\b(?:from\s+me|my\s+(?:own\s+)?vote|I\s+vote|I['’]m|I\s+am|myself|here(?:['’]s|\s+is)\s+my)\b",
    re.IGNORECASE,
)

_LISTING_HEAD = re.compile(pat.LISTING_HEAD, re.IGNORECASE)
_LISTING_EMPTY = re.compile(pat.LISTING_EMPTY, re.IGNORECASE)
_LISTING_COUNT = re.compile(pat.LISTING_COUNT, re.IGNORECASE)
_LISTING_ITEMS_END = re.compile(pat.LISTING_ITEMS_END)
_LISTING_SPLIT = re.compile(pat.LISTING_SPLIT, re.IGNORECASE)
_NAME_STRICT = re.compile(pat.NAME_STRICT)  # case matters: names are capitalised
_NAME_LOOSE = re.compile(pat.NAME_LOOSE)
_RESULT_CUES = re.compile(pat.RESULT_CUES, re.IGNORECASE)
_TALLY_ITEM = re.compile(pat.TALLY_ITEM, re.IGNORECASE)


# The look-behinds come after the first character so that re can scan for it quickly.
_SIGNED_DIGIT = re.compile(rf"{_SIGN}(?<!\d{_SIGN})\s?\d")  # not "2026-01-06"
_LONE_ZERO = re.compile(rf"{_BARE_ZERO}(?<![A-Za-z0-9_.,]0)")  # not "v0.14" or "10."


def normalised(line: str) -> str:
    """Stripped, with full-width and compatibility forms folded ("＋１" -> "+1"); ASCII lines
    skip the folding. Stripped first: the patterns that start with white space and then look
    ahead take quadratic time on a line of thousands of spaces."""
    bare = line.strip()
    return bare if bare.isascii() else unicodedata.normalize("NFKC", bare).strip()


def _may_hold_vote(text: str, emoji_votes: bool) -> bool:
    """Cheap test before the costlier regexes: most lines hold no signed digit and no lone 0."""
    return bool(_SIGNED_DIGIT.search(text)) or _zero_or_emoji(text, emoji_votes)


def _zero_or_emoji(text: str, emoji_votes: bool) -> bool:
    zero = "0" in text and (_LONE_ZERO.search(text) or _TICKED_ZERO.match(text))
    return bool(zero or (emoji_votes and ":" in text))


_COMMON_TOKENS: dict[str, tuple[Value, bool]] = {
    "+1": (Value.PLUS, False),
    "-1": (Value.MINUS, False),
    "+0": (Value.ZERO, False),
    "-0": (Value.ZERO, False),
    "0": (Value.ZERO, False),
}


def token_value(token: str) -> tuple[Value, bool]:
    """A token's ballot value and whether it was a fraction (+0.5 counts as 0)."""
    common = _COMMON_TOKENS.get(token)
    if common is not None:
        return common
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
    """A vote token found at the start of one line, after decorations and lead-ins."""

    value: Value
    line: str  # the line as written, stripped
    rest: str  # what follows the token (normalised)
    fractional: bool
    lead: str = ""  # what came before the token (normalised)
    lead_ins: tuple[str, ...] = ()  # names of the lead-in rows that matched
    index: int = 0  # the line's position in the message


def is_template_line(line: str) -> bool:
    """An unchecked ballot box such as "[ ] +1 approve" is a form, not a vote."""
    return bool(_TEMPLATE.match(line))


def _lead_in(text: str) -> tuple[int, tuple[str, ...]]:
    """Where the token may start after decorations and lead-ins, and which lead-ins matched."""
    pos = _skip_decor(text, 0)
    names: list[str] = []
    for _ in range(_MAX_LEAD_INS):
        if text[pos : pos + 1] in _TOKEN_STARTS:
            break  # most votes start with their token: no lead-in regex to try
        found = _LEAD_IN.match(text, pos)
        if found is None or found.lastgroup is None:
            break
        names.append(_LEAD_IN_NAMES[found.lastgroup])
        pos = _skip_decor(text, found.end())
    return pos, tuple(names)


def _skip_decor(text: str, pos: int) -> int:
    found = _DECOR.match(text, pos)
    return found.end() if found else pos


def line_vote(line: str, *, emoji_votes: bool = False) -> LineVote | None:
    """The vote a line starts with, if it starts with one."""
    return _line_vote(line, normalised(line), emoji_votes, 0)


def _line_vote(line: str, text: str, emoji_votes: bool, index: int) -> LineVote | None:
    if not _may_hold_vote(text, emoji_votes):
        return None
    return _read_line(line, text, emoji_votes, index)


def _read_line(line: str, text: str, emoji_votes: bool, index: int) -> LineVote | None:
    if is_template_line(text):
        return None
    start, lead_ins = _lead_in(text)
    body = text[start:]
    found = (_LEAD_IN_LINE_TOKEN if lead_ins else _LINE_TOKEN).match(body)
    if found:
        if _MENTION_AFTER.match(found["rest"]):
            return None
        value, fractional = token_value(found["token"])
        lead = text[:start]
        return LineVote(value, line.strip(), found["rest"], fractional, lead, lead_ins, index)
    ticked = _TICKED_ZERO.match(text)
    if ticked:
        rest, lead = text[ticked.end(1) :], text[: ticked.start(1)]
        return LineVote(Value.ZERO, line.strip(), rest, False, lead, lead_ins, index)
    if emoji_votes:
        emoji = _EMOJI.match(body)
        if emoji:
            value = Value(_EMOJI_VALUES[str.lower(emoji["name"])])
            rest, lead = body[emoji.end() :], text[:start]
            return LineVote(value, line.strip(), rest, False, lead, lead_ins, index)
    return None


def claim_flags(rest: str) -> tuple[str, ...]:
    """What the voter said about their own status: a claim, checked later against the roster."""
    head = rest[:60]
    if _CLAIM_NON_BINDING.search(head):
        return ("claimed-non-binding",)
    if _CLAIM_BINDING.search(head):
        return ("claimed-binding",)
    return ()


def _next_line_claim(lines: Sequence[str], index: int) -> tuple[str, ...]:
    """ "+1" then "(binding)" on the next line or after a blank line: the same claim."""
    for line in lines[index + 1 :]:
        if line.strip():
            text = normalised(line)
            return claim_flags(text) if _CLAIM_LINE.match(text) else ()
    return ()


def second_vote_in_line(vote: LineVote) -> Value | None:
    found = _SECOND_VOTE.search(vote.rest)
    return token_value(found["token"])[0] if found else None


def _change_at(texts: Sequence[str], mine: Sequence[int]) -> tuple[int, Value] | None:
    """ "changing my vote to +1" on one of the lines that say "my": its line and new value."""
    for index in mine:
        found = _CHANGE.search(texts[index])
        if found:
            token = next(found[name] for name in _CHANGE_GROUPS if found[name])
            return index, token_value(token)[0]
    return None


def _withdrawal_at(texts: Sequence[str], mine: Sequence[int]) -> int | None:
    return next((index for index in mine if _WITHDRAW.search(texts[index])), None)


# --- result listings and running counts: lines that list votes rather than cast one ---------


def _listing_items(after: str) -> str | None:
    """The items after "+1 (binding):", up to where the next value's list starts."""
    head = _LISTING_HEAD.match(after)
    if head is None:
        return None
    return _LISTING_ITEMS_END.split(after[head.end() :], maxsplit=1)[0].strip()


def _is_strong_listing(after: str) -> bool:
    """ "+1: 5", "-1: none": a count whatever the message around it."""
    items = _listing_items(after)
    return items is not None and bool(_LISTING_EMPTY.match(items) or _LISTING_COUNT.match(items))


def listing_kind(after: str, result_like: Callable[[], bool]) -> str | None:
    """Whether the text after a token lists voters, and how plainly: "count" ("+1: 5",
    "-1: none", "+1 binding: 5"), "result" (names or ids, or nothing with the names below, in a
    message that is plainly a result), or "names"
    (two or more capitalised names, nothing else around: not a vote, but worth a look)."""
    items = _listing_items(after)
    if items is None:
        return None
    if _LISTING_EMPTY.match(items) or _LISTING_COUNT.match(items):
        return "count"
    names = [name for name in _LISTING_SPLIT.split(items) if name]
    if not names:
        # "+1:" alone, its names on the lines below: a result's list written downwards.
        return "result" if not items and result_like() else None
    strict = all(_NAME_STRICT.match(name) for name in names)
    if (strict or all(_NAME_LOOSE.match(name) for name in names)) and result_like():
        return "result"
    return "names" if strict and len(names) >= 2 else None


def explains_listing(kind: str | None) -> bool:
    """A listing that certainly casts no vote; a bare list of names may hide one."""
    return kind in ("count", "result")


def is_tally_line(text: str) -> bool:
    """ "binding +3, non-binding +1": a running count, not a vote."""
    lowered = str.lower(text)
    if not any(label in lowered for label in ("binding", "total", "pmc", "committer")):
        return False  # no count label: skip the regex
    return len(_TALLY_ITEM.findall(text)) >= 2


# A vote-like token anywhere in a line: +1, -1, +0, -0, fractions, +1000, and "+1s"/"+1ing".
# Not after a letter or digit ("UTC+1", "2026-01-06"); no bare 0, which prose is full of.
VOTE_LIKE = re.compile(
    r"(?<![A-Za-z0-9_+\-−–±/])(?P<token>(?:\+\s?|[\-−–±])(?:1(?:[.,]0+)?|0(?:[.,]\d+)?)|\+10+)"
    r"(?=(?:['’]?s|['’]?d|ing|ed|ers?)?(?![A-Za-z0-9_%/]|[.,]\d))"
)


class Scan:
    """One message's lines read once: normalised text, the vote each line starts with, and
    (on demand) whether the message is a result. Shared by read_ballot and unexplained_votes."""

    def __init__(self, lines: Sequence[str], emoji_votes: bool) -> None:
        self.lines = lines
        self.texts = texts = [normalised(line) for line in lines]
        # Lines with a signed digit: the only ones that can hold a vote-like token.
        self.signed = [i for i, text in enumerate(texts) if _SIGNED_DIGIT.search(text)]
        signed = set(self.signed)
        self.line_votes = [
            _read_line(line, text, emoji_votes, i)
            if i in signed or (("0" in text or emoji_votes) and _zero_or_emoji(text, emoji_votes))
            else None
            for i, (line, text) in enumerate(zip(lines, texts, strict=True))
        ]
        self._result_like: bool | None = None
        # Both a change and a withdrawal say "my": look for them only where it is said.
        mine = [i for i, text in enumerate(texts) if "my" in str.lower(text) or _ARROW.search(text)]
        self.change = _change_at(texts, mine)
        self.withdrawal = _withdrawal_at(texts, mine)
        # Lines that list or count votes: none is a ballot; the plain ones need no review.
        self.count_lines = {
            vote.index: kind
            for vote in self.line_votes
            if vote is not None and (kind := self._count_kind(vote)) is not None
        }
        self.votes = [
            vote
            for vote in self.line_votes
            if vote is not None and vote.index not in self.count_lines
        ]

    def result_like(self) -> bool:
        """A result or closing summary: result words, or a count such as "-1: none"."""
        if self._result_like is None:
            self._result_like = (
                any(_RESULT_CUES.search(text) for text in self.texts)
                or any(v is not None and _is_strong_listing(v.rest) for v in self.line_votes)
                or any(self._inline_counts())
            )
        return self._result_like

    def _inline_counts(self) -> Iterator[bool]:
        """ "Result so far: +1: A, B; -1: none": a count inside a line of prose."""
        return (
            _is_strong_listing(text[found.end() :])
            for text in self.texts
            if _SIGNED_DIGIT.search(text)
            for found in VOTE_LIKE.finditer(text)
        )

    def _count_kind(self, vote: LineVote) -> str | None:
        if is_tally_line(self.texts[vote.index]):
            return "count"
        return listing_kind(vote.rest, self.result_like)


@functools.lru_cache(maxsize=8)
def scan_lines(lines: tuple[str, ...], emoji_votes: bool) -> Scan:
    """The caller reads a ballot and then asks what it left unexplained (core/unread.py):
    read the lines once."""
    return Scan(lines, emoji_votes)


def line_votes(lines: Sequence[str], *, emoji_votes: bool = False) -> list[LineVote]:
    """Every line that casts a vote, result listings and running counts left out."""
    return list(scan_lines(tuple(lines), emoji_votes).votes)


def drop_menu(votes: list[LineVote]) -> list[LineVote]:
    """In the call for votes, lines offering different values ("+1: approve", "-1: reject")
    are the ballot menu; what is left is the caller's own vote."""
    values = {vote.value for vote in votes}
    if len(values) < 2:
        return votes
    return [vote for vote in votes if _looks_personal(vote)]


def _looks_personal(vote: LineVote) -> bool:
    said = f"{vote.lead} {vote.rest}"
    return bool(_PERSONAL.search(said) or claim_flags(vote.rest) or claim_flags(vote.lead))


def _vote_flags(first: LineVote, votes: Sequence[LineVote], lines: Sequence[str]) -> list[str]:
    claims = claim_flags(first.rest) or claim_flags(first.lead)
    flags = list(claims or _next_line_claim(lines, first.index))
    if first.fractional:
        flags.append("fractional")
    if _VETO.search(first.line):
        flags.append("veto")
    others = {vote.value for vote in votes} | {second_vote_in_line(first) or first.value}
    if len(others) > 1:
        flags.append("mixed")
    return flags


def read_ballot(
    lines: Sequence[str], *, is_call: bool = False, emoji_votes: bool = False
) -> Reading | None:
    """The ballot one message casts, or None when it casts none.

    An explicit change ("changing my vote to +1") wins over line tokens; a withdrawal with no
    new vote withdraws; otherwise the first line that starts with a vote token is the ballot.
    """
    scan = scan_lines(tuple(lines), emoji_votes)
    change, withdrawal, votes = scan.change, scan.withdrawal, scan.votes
    if change is not None and (not votes or votes[0].value is not change[1]):
        return Reading(change[1], lines[change[0]].strip(), ("changed-by-text",))
    if is_call:
        votes = drop_menu(votes)
    if not votes:
        if withdrawal is None:
            return None
        return Reading(None, lines[withdrawal].strip(), ("withdrawn",))
    first = votes[0]
    flags = _vote_flags(first, votes, lines)
    if withdrawal is not None:
        flags.append("withdrew-earlier")
    return Reading(first.value, first.line, tuple(flags))
