"""A vote's own [RESULT] (a result mail or a closing comment) -> what it announces: the outcome,
the counts it states and the names it lists, each with its value and binding mark.

Release managers write results in many shapes ("The vote passes with 6 +1 votes (5 binding)",
"+1 (binding):" over a bulleted list, "Binding +1: A, B", "(* = binding)" legends, "+1: 5 (3
binding)"). The shapes are the named rows below; the next one is one row more.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from harvester.model import Value

_NUMBER_WORDS = {
    "no": 0, "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NUM = r"(?:\d+|" + "|".join(_NUMBER_WORDS) + r")"
_VALUE = r"(?:\+\s?1|[+\-−]?0|[\-−]1)"
_BINDING = r"(?P<kind>non[-\s]?binding|binding)"

# Counts stated in prose or in a count line: (name, pattern). Groups: n (count), v (value),
# b (binding count inside the parenthesis), kind (binding / non-binding before the value).
_IN_PARENS = rf"(?:\s*\(\s*(?P<b>{_NUM})\s+binding\s*\))?"
COUNT_PATTERNS: tuple[tuple[str, str], ...] = (
    # "6 +1 votes (5 binding)", "no -1 votes", "1 0 vote"
    (
        "n-value-votes",
        rf"\b(?P<n>{_NUM})\s+(?:{_BINDING}\s+)?(?P<v>{_VALUE})(?:'?s)?\s*votes?\b{_IN_PARENS}",
    ),
    # "+1: 5 (3 binding)", "+1 votes: 5", "binding +1: 5" (not "+1: Ada, Bo")
    (
        "value-colon-n",
        rf"(?:{_BINDING}\s+)?(?<![\w+\-])(?P<v>{_VALUE})\s*(?:votes?)?\s*[:=]\s*"
        rf"(?P<n>\d+)\b(?![.)]?\s*[,;]?\s*[A-Za-z@]){_IN_PARENS}",
    ),
    # "5 binding +1s", "3 non-binding +1 votes"
    ("n-binding-value", rf"\b(?P<n>{_NUM})\s+{_BINDING}\s+(?P<v>{_VALUE})(?:'?s)?\b"),
)
# "no 0 or -1 votes", "no -1 or 0 votes": two values, both none.
_NONE_OF_TWO = re.compile(rf"\bno\s+(?P<v>{_VALUE})\s+(?:or|and|nor)\s+(?P<w>{_VALUE})\s+votes?\b",
                          re.IGNORECASE)  # fmt: skip
_COUNTS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in COUNT_PATTERNS]

# The outcome, most specific first: (what it says, pattern).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("cancelled", r"\b(?:vote\s+is\s+|is\s+)?cancel+ed\b|\[cancel+ed?\]"),
    (
        "failed",
        r"\b(?:did\s+not|does\s+not|didn'?t|doesn'?t)\s+pass\b|\bnot\s+(?:been\s+)?"
        r"(?:passed|approved)\b|\bfail(?:s|ed)?\b|\brejected\b",
    ),
    ("passed", r"\b(?:has\s+)?pass(?:es|ed)\b|\bapproved\b|\bcarried\b|\bis\s+accepted\b"),
)
_OUTCOMES = [(word, re.compile(pattern, re.IGNORECASE)) for word, pattern in OUTCOMES]

# A heading over a list of names, or holding one: "+1 votes (binding):", "Binding +1:",
# "+1 (6):", "-1: none", "+1 votes (* = binding)".
_HEADING = re.compile(
    rf"^[\s#*_>-]*(?:(?P<kind1>non[-\s]?binding|binding)\s+)?(?P<v>{_VALUE})(?![\d.])"
    rf"(?:\s*votes?)?(?P<paren>(?:\s*\([^)]*\))*)\s*(?:[:：]\s*(?P<rest>.*)|\s*$)",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^\s*(?:[*\-•·+]|\d+[.)])\s+(?P<item>.+?)\s*$")
_EMPTY = re.compile(r"^\(?(?:none|nobody|no\s*one|no\s+votes?|n/?a|nil|-+|—)\)?\s*[.,]?$",
                    re.IGNORECASE)  # fmt: skip
_STAR_LEGEND = re.compile(r"\*\s*(?:=|:|-|means|denotes|indicates)?\s*binding|\(\s*\*\s*binding",
                          re.IGNORECASE)  # fmt: skip
_MARK_BINDING = re.compile(r"\(\s*binding\s*\)|\[\s*binding\s*\]|[-–,]\s*binding\s*$", re.I)
_MARK_NON_BINDING = re.compile(r"\(\s*non[-\s]?binding\s*\)|\[\s*non[-\s]?binding\s*\]|"
                               r"[-–,]\s*non[-\s]?binding\s*$", re.I)  # fmt: skip
_PARENS = re.compile(r"\s*[(\[<][^)\]>]*[)\]>]")
_SPLIT = re.compile(r"\s*(?:[,;，、]|\band\b)\s*")
_NAME_LIKE = re.compile(r"^@?[^\s:]+(?:\s+[^\s:]+){0,4}$")


@dataclass(frozen=True)
class Listed:
    """A name the result lists under a value, with its binding mark (None: none given)."""

    name: str
    value: Value
    binding: bool | None
    aliases: tuple[str, ...] = ()  # "(tqchen)", "<tqchen@apache.org>", "@tqchen" beside it
    line: str = ""


@dataclass
class Claims:
    url: str
    outcome: str | None = None  # "passed", "failed", "cancelled"
    binding: dict[Value, int] = field(default_factory=dict)  # counts it states
    total: dict[Value, int] = field(default_factory=dict)
    listed: list[Listed] = field(default_factory=list)
    listed_values: set[Value] = field(default_factory=set)  # values with a list, maybe empty
    # per value, the binding said by its lists' headings (True: a "+1 (binding):" list)
    headings: dict[Value, set[bool | None]] = field(default_factory=dict)
    marks_binding: bool = False  # it says, somewhere, which votes are binding


def read_announcement(url: str, subject: str, lines: Sequence[str]) -> Claims:
    found = Claims(url)
    found.outcome = _outcome([subject, *lines])
    stars = any(_STAR_LEGEND.search(line) for line in lines)
    for paragraph in _paragraphs(lines):
        _read_counts(" ".join(paragraph), found)
    _read_lists(lines, found, stars)
    found.marks_binding = found.marks_binding or bool(found.binding)
    return found


def _outcome(lines: Sequence[str]) -> str | None:
    text = " ".join(lines)
    for word, pattern in _OUTCOMES:
        if pattern.search(text):
            return word
    return None


def _paragraphs(lines: Sequence[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield block
            block = []
    if block:
        yield block


def value_of(token: str) -> Value:
    bare = token.replace(" ", "").replace("−", "-")
    if bare in ("+1", "1"):
        return Value.PLUS
    if bare == "-1":
        return Value.MINUS
    return Value.ZERO


def number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _read_counts(text: str, found: Claims) -> None:
    for match in _NONE_OF_TWO.finditer(text):
        for value in (value_of(match["v"]), value_of(match["w"])):
            found.total.setdefault(value, 0)
    for _name, pattern in _COUNTS:
        for match in pattern.finditer(text):
            value = value_of(match["v"])
            kind = (match["kind"] or "").lower()
            count = number(match["n"])
            if kind.startswith("non"):
                continue  # a non-binding count alone says neither total nor binding
            if kind == "binding":
                found.binding.setdefault(value, count)
                continue
            found.total.setdefault(value, count)
            if match["b"] is not None:
                found.binding.setdefault(value, number(match["b"]))


def _read_lists(lines: Sequence[str], found: Claims, stars: bool) -> None:
    """Headings with their items (below them, or after their colon)."""
    current: tuple[Value, bool | None] | None = None
    for raw in lines:
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading and not _ITEM.match(line):
            current = _heading(heading, found)
            rest = (heading["rest"] or "").strip()
            if rest and not re.fullmatch(r"\d+(?:\s*\([^)]*\))?\.?", rest):
                for part in _SPLIT.split(rest):
                    _add(part, current, found, stars, raw)
            continue
        if current is None:
            continue
        item = _ITEM.match(line)
        if item:
            _add(item["item"], current, found, stars, raw)
        elif line and _NAME_LIKE.match(line) and not line.endswith((".", ":", "!", "?")):
            _add(line, current, found, stars, raw)
        elif line:
            current = None  # prose: the list has ended


def _heading(heading: re.Match[str], found: Claims) -> tuple[Value, bool | None]:
    value = value_of(heading["v"])
    said = f"{heading['kind1'] or ''} {heading['paren'] or ''}".lower()
    binding: bool | None = None
    if re.search(r"non[-\s]?binding", said):
        binding = False
    elif re.search(r"(?<!\*)\s*\bbinding\b", said) and "*" not in said:
        binding = True
    if binding is not None:
        found.marks_binding = True
    found.listed_values.add(value)
    found.headings.setdefault(value, set()).add(binding)
    return value, binding


def _add(
    text: str, current: tuple[Value, bool | None], found: Claims, stars: bool, line: str
) -> None:
    text = text.strip().strip(".")
    if not text or _EMPTY.match(text):
        return
    value, binding = current
    if _MARK_NON_BINDING.search(text):
        binding = False
    elif _MARK_BINDING.search(text) or (stars and "*" in text):
        binding = True
    elif stars and binding is None:
        binding = False  # under a "* = binding" legend, no star says non-binding
    if binding is not None:
        found.marks_binding = True
    aliases = tuple(
        alias.strip("()[]<> ").lstrip("@").lower()
        for alias in re.findall(r"[(\[<][^)\]>]*[)\]>]|@[\w.-]+", text)
        if not re.search(r"binding", alias, re.IGNORECASE)
    )
    name = _PARENS.sub("", text).replace("*", "").strip(" -–,").lstrip("@")
    name = _MARK_BINDING.sub("", _MARK_NON_BINDING.sub("", name)).strip(" -–,")
    if name:
        found.listed.append(Listed(name, value, binding, tuple(a for a in aliases if a), line))
