"""A vote's own [RESULT] (a result mail or a closing comment) -> what it announces: the outcome,
the counts it states and the names it lists, each with its value and binding mark.

Release managers write results in many shapes: "The vote passes with 6 +1 votes (5 binding)",
"+1 (binding):" over a bulleted list, "Binding +1: A, B", "(* = binding)" legends, count lines
("+1: 5 (3 binding)"), Airflow's '4 "+1" binding votes received:', Flink's "There are 9
approving votes, 5 of which are binding:", Kafka's "PMC Members:" / "Committers:" groups. Each
shape is a named row below; the next one is one row more.

A line is one of: a heading (a value, maybe a count and a binding kind, and maybe names after
its colon), a group within a value's list ("PMC Members:"), an item (a bullet or a bare name),
or prose. Counts are read from headings, count lines and prose; prose lines are joined into
paragraphs first (a sentence wraps), list lines never are (so "0 votes: 0" above "-1 votes: 2"
is not "0 -1 votes").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from harvester.core.numbers import written_number
from harvester.model import Value

_NUMBER_WORDS = {
    "no": 0, "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NUM = r"(?:\d+|" + "|".join(_NUMBER_WORDS) + r")"
_VALUE = r"(?:\+\s?1|[+\-−]?0|[\-−]1)"
_BINDING = r"(?P<kind>non[-\s]?bindings?|bindings?)"
_AFTER_VALUE = r"(?:'?s\b|\s*votes?\b)"  # "+1s", "+1 votes"
# "(5 binding)", "(6 binding +1s)", "(3 bindings)"
_IN_PARENS = rf"(?:\s*\(\s*(?P<b>{_NUM})\s+bindings?(?:\s+{_VALUE}(?:'?s)?)?\s*\))?"

# Counts stated in prose, a count line or a heading: (name, pattern). Groups: n (count),
# v (value), b (binding count in parentheses), kind (binding or non-binding before the value).
COUNT_PATTERNS: tuple[tuple[str, str], ...] = (
    # "6 +1 votes (5 binding)", "no -1 votes", "1 0 vote", "10 +1s (6 binding +1s)"
    (
        "n-value-votes",
        rf"\b(?P<n>{_NUM})\s+(?:{_BINDING}\s+)?\"?(?P<v>{_VALUE})\"?{_AFTER_VALUE}{_IN_PARENS}",
    ),
    # "+1: 5 (3 binding)", "+1 votes: 5", "binding +1: 5" (not "+1: Ada, Bo")
    (
        "value-colon-n",
        rf"(?:{_BINDING}\s+)?(?<![\w+\-])(?P<v>{_VALUE})\s*(?:votes?\s*)?[:=]\s*"
        rf"(?P<n>\d+)\b(?![.)]?\s*(?:[,;]\s*)?[A-Za-z@]){_IN_PARENS}",
    ),
    # "5 binding +1s", "3 non-binding +1 votes", '4 "+1" binding votes'
    ("n-binding-value", rf"\b(?P<n>{_NUM})\s+{_BINDING}\s+\"?(?P<v>{_VALUE})\"?(?:'?s)?\b"),
    ("n-value-binding", rf"\b(?P<n>{_NUM})\s+\"(?P<v>{_VALUE})\"\s+{_BINDING}\s+votes?\b"),
    # Flink: "There are 9 approving votes, 5 of which are binding"
    (
        "n-approving",
        rf"\b(?P<n>{_NUM})\s+(?P<word>approving|disapproving|abstaining)\s+votes?"
        rf"(?:,\s*(?P<b>{_NUM})\s+of\s+which\s+(?:are|were)\s+binding)?",
    ),
)
_WORD_VALUES = {"approving": "+1", "disapproving": "-1", "abstaining": "0"}
# "no 0 or -1 votes", "no -1 or 0 votes": two values, both none.
_NONE_OF_TWO = re.compile(
    rf"\bno\s+(?P<v>{_VALUE})\s+(?:or|and|nor)\s+(?P<w>{_VALUE})\s+votes?\b", re.IGNORECASE
)
_COUNTS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in COUNT_PATTERNS]

# The outcome, most specific first: (what it says, pattern).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("cancelled", r"\b(?:vote\s+is\s+|is\s+)?cancel+ed\b|\[cancel+ed?\]"),
    (
        "failed",
        r"\b(?:did\s+not|does\s+not|didn'?t|doesn'?t)\s+pass\b|\bnot\s+(?:been\s+)?"
        r"(?:passed|approved|accepted)\b|\bfail(?:s|ed)?\b|\brejected\b",
    ),
    (
        "passed",
        r"\b(?:has\s+)?pass(?:es|ed)\b|\bapproved\b|\bcarried\b"
        r"|\b(?:is|has\s+been|was|been)\s+accepted\b",
    ),
)
_OUTCOMES = [(word, re.compile(pattern, re.IGNORECASE)) for word, pattern in OUTCOMES]

# Headings over a list of names (or holding one after the colon): (name, pattern). Groups:
# v (value) or word (approving …), kind (binding / non-binding), paren (parentheses), rest.
HEADINGS: tuple[tuple[str, str], ...] = (
    # "+1 votes (binding):", "Binding +1:", "+1 (6):", "-1: none", "+1 votes (* = binding)"
    (
        "value",
        rf"^[\s#*_>-]*(?:(?P<kind>non[-\s]?binding|binding)\s+)?(?P<v>{_VALUE})(?![\d.])"
        rf"(?:\s*votes?)?(?P<paren>(?:\s*\([^)]*\))*)\s*(?:[:：]\s*(?P<rest>.*)|$)",
    ),
    # Airflow: '4 "+1" binding votes received:'
    (
        "count-value-kind",
        rf"^\s*{_NUM}\s+\"?(?P<v>{_VALUE})\"?\s+(?:(?P<kind>non[-\s]?binding|binding)\s+)?"
        r"votes?\b[^:]*:\s*(?P<rest>.*)$",
    ),
    # Flink: "There are 9 approving votes, 5 of which are binding:"
    (
        "approving",
        rf"^.*?\b{_NUM}\s+(?P<word>approving|disapproving|abstaining)\s+votes?\b[^:]*:"
        r"\s*(?P<rest>.*)$",
    ),
)
_HEADINGS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in HEADINGS]
# Groups within a value's list, saying whether their people are binding: (binding, pattern).
GROUPS: tuple[tuple[bool, str], ...] = (
    (True, r"^\s*(?:pmc(?:\s+members?)?|binding(?:\s+votes?)?)\s*:\s*$"),
    (False, r"^\s*(?:committers?|community|contributors?|non[-\s]?binding(?:\s+votes?)?)\s*:\s*$"),
)
_GROUPS = [(binding, re.compile(pattern, re.IGNORECASE)) for binding, pattern in GROUPS]
_COUNT_ONLY = re.compile(rf"^\d+\b(?:\s*\([^)]*\))?\.?$|^{_NUM}\s*$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[*\-•·+]|\d+[.)])\s+(?P<item>.|.+?(?<!\s))\s*$")
_EMPTY = re.compile(
    r"^\(?(?:none|nobody|no\s*one|no\s+votes?|n/?a|nil|-+|—)\)?\s*[.,]?$", re.IGNORECASE
)
_STAR_LEGEND = re.compile(
    r"\*\s*(?:(?:=|:|-|means|denotes|indicates)\s*)?binding|\(\s*\*\s*binding", re.IGNORECASE
)
_MARK_BINDING = re.compile(r"\(\s*binding\s*\)|\[\s*binding\s*\]|[-–,]\s*binding\s*$", re.I)
_MARK_NON_BINDING = re.compile(
    r"\(\s*non[-\s]?binding\s*\)|\[\s*non[-\s]?binding\s*\]|[-–,]\s*non[-\s]?binding\s*$", re.I
)
# A run of white space is tried from its start only (the look-behinds): trying every place in
# a long run cost quadratic time, and a match from inside a run would start at its start.
_PARENS = re.compile(r"(?<!\s)\s*[(\[<][^)\]>]*[)\]>]")
_AT_NAME = re.compile(r"@[\w.-]+")
_ALIAS = re.compile(rf"[(\[<][^)\]>]*[)\]>]|{_AT_NAME.pattern}")  # bracketed, or an @name
_SPLIT = re.compile(r"(?:[,;，、]|\band\b)\s*|(?<!\s)\s+(?:[,;，、]|\band\b)\s*")
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
    non_binding: dict[Value, int] = field(default_factory=dict)
    listed: list[Listed] = field(default_factory=list)
    listed_values: set[Value] = field(default_factory=set)  # values with a list, maybe empty
    # per value, the binding said by its lists' headings (True: a "+1 (binding):" list)
    headings: dict[Value, set[bool | None]] = field(default_factory=dict)
    marks_binding: bool = False  # it says, somewhere, which votes are binding

    @property
    def says_anything(self) -> bool:
        return bool(self.total or self.binding or self.listed)


@dataclass
class _List:
    """The list being read: its value, the binding its heading or group says, its items."""

    value: Value
    binding: bool | None
    items: list[Listed] = field(default_factory=list)


def read_announcement(url: str, subject: str, lines: Sequence[str]) -> Claims:
    found = Claims(url)
    found.outcome = _outcome([subject, *lines])
    stars = any(_STAR_LEGEND.search(line) for line in lines)
    prose: list[str] = []
    current: _List | None = None
    for raw in [*lines, ""]:
        line = raw.strip()
        ends_prose = not line or _heading_match(line) or _ITEM.match(line) or _group(line)
        if prose and (ends_prose or _group(line) is not None):
            _read_counts(" ".join(prose), found)
            prose = []
        if not line:
            continue
        current = _read_line(line, current, found, stars, prose)
    if current is not None:
        _close(current, found)
    found.marks_binding = found.marks_binding or bool(found.binding)
    return found


def _read_line(
    line: str, current: _List | None, found: Claims, stars: bool, prose: list[str]
) -> _List | None:
    """One line; the list being read afterwards."""
    heading = _heading_match(line)
    if heading is not None and not _ITEM.match(line):
        if current is not None:
            _close(current, found)
        _read_counts(line, found)
        rest = (heading.groupdict().get("rest") or "").strip()
        if rest and _COUNT_ONLY.match(rest):
            return None  # a count line ("+1: 12 (7 binding)"): no list under it
        current = _open(heading, found)
        for part in _SPLIT.split(rest) if rest else ():
            _add(part, current, found, stars, line)
        return current
    group = _group(line)
    if group is not None and current is not None:
        _close(current, found)
        return _List(current.value, group)
    item = _ITEM.match(line)
    if current is not None and item:
        _add(item["item"], current, found, stars, line)
        return current
    if current is not None and _NAME_LIKE.match(line) and not line.endswith((".", ":", "!", "?")):
        _add(line, current, found, stars, line)
        return current
    if current is not None:
        _close(current, found)
    prose.append(line)
    return None


def _heading_match(line: str) -> re.Match[str] | None:
    for _name, pattern in _HEADINGS:
        found = pattern.match(line)
        if found:
            return found
    return None


def _group(line: str) -> bool | None:
    for binding, pattern in _GROUPS:
        if pattern.match(line):
            return binding
    return None


def _outcome(lines: Sequence[str]) -> str | None:
    text = " ".join(lines)
    for word, pattern in _OUTCOMES:
        if pattern.search(text):
            return word
    return None


def value_of(token: str) -> Value:
    bare = token.replace(" ", "").replace("−", "-").strip('"')
    if bare in ("+1", "1"):
        return Value.PLUS
    if bare == "-1":
        return Value.MINUS
    return Value.ZERO


def number(word: str) -> int | None:
    """A count in digits or words; None for digits past any count (numbers.py)."""
    return written_number(word) if word.isdigit() else _NUMBER_WORDS[str.lower(word)]


def _read_counts(text: str, found: Claims) -> None:
    for match in _NONE_OF_TWO.finditer(text):
        for value in (value_of(match["v"]), value_of(match["w"])):
            found.total.setdefault(value, 0)
    for match in re.finditer(r"\bno\s+(approving|disapproving|abstaining)\s+votes?\b", text, re.I):
        found.total.setdefault(value_of(_WORD_VALUES[str.lower(match[1])]), 0)
    for _name, pattern in _COUNTS:
        for match in pattern.finditer(text):
            _take_count(match, found)


def _take_count(match: re.Match[str], found: Claims) -> None:
    groups = match.groupdict()
    token = groups.get("v") or _WORD_VALUES[str.lower(groups.get("word") or "approving")]
    value, count = value_of(token), number(match["n"])
    if count is None:
        return  # thousands of digits: no count of votes
    kind = str.lower(groups.get("kind") or "")
    if kind.startswith("non"):
        found.non_binding.setdefault(value, count)
        return
    if kind.startswith("binding"):
        found.binding.setdefault(value, count)
        return
    found.total.setdefault(value, count)
    binding = number(groups["b"]) if groups.get("b") is not None else None
    if binding is not None:
        found.binding.setdefault(value, binding)


def _open(heading: re.Match[str], found: Claims) -> _List:
    groups = heading.groupdict()
    token = groups.get("v") or _WORD_VALUES[str.lower(groups.get("word") or "approving")]
    value = value_of(token)
    said = str.lower(f"{groups.get('kind') or ''} {groups.get('paren') or ''}")
    binding: bool | None = None
    if re.search(r"non[-\s]?binding", said):
        binding = False
    elif re.search(r"\bbinding\b", said) and "*" not in said:
        binding = True
    if binding is not None:
        found.marks_binding = True
    found.listed_values.add(value)
    found.headings.setdefault(value, set()).add(binding)
    return _List(value, binding)


def _close(current: _List, found: Claims) -> None:
    """A list read whole: where some names are marked binding and none non-binding, the
    unmarked ones are the non-binding ones ("A (binding), B (binding), C")."""
    marks = {x.binding for x in current.items}
    unmarked_mean_non_binding = True in marks and False not in marks
    for item in current.items:
        if item.binding is None and unmarked_mean_non_binding:
            item = Listed(item.name, item.value, False, item.aliases, item.line)
        found.listed.append(item)
    current.items.clear()


def _at_last_closer(text: str) -> tuple[str, str]:
    """`text` cut after its last ")", "]" or ">": no bracketed alias reaches past it, and each
    opener with no closer after it would be tried to the end (quadratic time)."""
    end = max(text.rfind(")"), text.rfind("]"), text.rfind(">")) + 1
    return text[:end], text[end:]


def _add(text: str, current: _List, found: Claims, stars: bool, line: str) -> None:
    text = text.strip().strip(".")
    if not text or _EMPTY.match(text):
        return
    binding = current.binding
    if _MARK_NON_BINDING.search(text):
        binding = False
    elif _MARK_BINDING.search(text) or (stars and "*" in text):
        binding = True
    elif stars and binding is None:
        binding = False  # under a "* = binding" legend, no star says non-binding
    if binding is not None:
        found.marks_binding = True
    bracketed, rest = _at_last_closer(text)
    aliases = tuple(
        str.lower(alias.strip("()[]<> ").lstrip("@"))
        for alias in [*_ALIAS.findall(bracketed), *_AT_NAME.findall(rest)]
        if not re.search(r"binding", alias, re.IGNORECASE)
    )
    name = (_PARENS.sub("", bracketed) + rest).replace("*", "").strip(" -–,").lstrip("@")
    name = _MARK_BINDING.sub("", _MARK_NON_BINDING.sub("", name)).strip(" -–,")
    if name:
        listed = Listed(name, current.value, binding, tuple(a for a in aliases if a), line)
        current.items.append(listed)
