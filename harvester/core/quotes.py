"""Quotations known from the thread itself: text an earlier message of the vote already holds.

A reply usually quotes mail that is in the same vote. Whatever its mailer or language marks the
quotation with (or without), the quoted words are the earlier message's words. So this rule needs
no list of languages: it compares the reply with every earlier message of the vote, by runs of
words rather than by lines (mailers re-wrap what they quote), and only a run of several words
counts, so a reply's own "+1" survives when its parent also said "+1".

The lines right above a quoted block that look like its attribution or header block ("De : …
Envoyé : …", "W dniu … napisał:", "2017-11-24 16:32 GMT+01:00 X <x@y>:") go with it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain

from harvester.core.ballots import VOTE_LIKE, normalised
from harvester.core.text import header_kind

GRAM = 8  # words in a run that is matched: long enough not to meet by chance
MIN_SHORT = 3  # a whole earlier message shorter than GRAM is matched when it has this many words
HEADER_LINES = 6  # at most this many attribution/header lines above a quoted block

_QUOTE_MARKS = re.compile(r"^[\s>|]*")
_NOT_IN_WORD = re.compile(r"[^\w\s+\-−@]+")
_ADDRESS = re.compile(r"\S@\S")
_TIME = re.compile(r"\d{1,2}[:h.]\d{2}")
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
# The stars before 21 more are taken at once: a label holds at most 20 characters, so none of
# them can be the label's, and a run of stars is not tried split every way (quadratic time).
_HEADER_FIELD = re.compile(
    r"^\s*(?:\*(?=\*{21}))*+\**[^\s:：]{1,20}(?:\s[^\s:：]{1,20}){0,2}\s?\**\s?[:：]\s?\S"
)
_RULE = re.compile(r"^\s*[-_=*]{4,}")


@functools.lru_cache(maxsize=1 << 12)
def words(line: str) -> tuple[str, ...]:
    """A line's words as compared: quote marks, case, markup and punctuation do not matter.

    Cached: a vote's replies quote the same lines (the call's above all) over and over, and
    each message's lines are compared and then added to what the vote holds. What repeats is
    within a vote: 4,096 lines hit 91 % of the time on a generated archive, 65,536 lines 93 %
    but held about 50 MB more at 100,000 messages."""
    bare = _QUOTE_MARKS.sub("", line).casefold()
    return tuple(_NOT_IN_WORD.sub("", bare).split())


class Words:
    """A message's lines and their words in order, split once: the same message is first
    compared with what the vote holds, then added to it."""

    __slots__ = ("_runs", "lines", "starts", "tokens")

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        per_line = list(map(words, lines))
        self.tokens = list(chain.from_iterable(per_line))
        # line n's words are tokens[starts[n] : starts[n + 1]]
        self.starts = [0, *accumulate(map(len, per_line))]
        self._runs: dict[int, list[int]] = {}

    def runs(self, length: int) -> list[int]:
        """Hashes of every run of `length` words, by where it starts (zip builds the runs in C:
        this is the inner loop of reading a vote)."""
        if length not in self._runs:
            shifted = [self.tokens[i:] for i in range(length)]
            self._runs[length] = list(map(hash, zip(*shifted, strict=False)))  # shorter tails
        return self._runs[length]

    def line_count(self) -> int:
        """Lines that hold words."""
        starts = self.starts
        return sum(1 for n in range(len(starts) - 1) if starts[n + 1] > starts[n])


def as_words(lines: Sequence[str] | Words) -> Words:
    return lines if isinstance(lines, Words) else Words(lines)


@dataclass
class KnownText:
    """The word runs of the messages read so far in a vote; grows as the vote is read."""

    runs: set[int] = field(default_factory=set)  # hashes of GRAM-word runs
    short: dict[int, set[int]] = field(default_factory=dict)  # length -> hashes of whole messages
    # Whole messages too short to tell apart from a reply's own words ("+1 (binding)"): a copy
    # is a quotation only under an attribution or header block.
    tiny: dict[int, set[int]] = field(default_factory=dict)

    def add(self, lines: Sequence[str] | Words, own: Sequence[str] | None = None) -> None:
        """A message read: its runs become known. `own`: its author's own lines, when read;
        then no run spans from what it quoted into what it wrote. Such a run would hide the
        next reply that quotes the same text and votes below it ("> Thanks, Siyuan" + "+1")."""
        found = as_words(lines)
        tokens = found.tokens
        if len(tokens) < GRAM:
            strong = len(tokens) >= MIN_SHORT and found.line_count() >= 2
            table = self.short if strong else self.tiny
            if tokens:
                table.setdefault(len(tokens), set()).add(hash(tuple(tokens)))
            return
        runs = found.runs(GRAM)
        for first, end in _segments(found, own):
            self.runs.update(runs[first : end - GRAM + 1])

    def covered(self, found: Words, *, tiny: bool = False) -> bytes:
        """Which of the words lie in a run some earlier message holds (`tiny`: in a copy of a
        whole message too short to say so on its own): a byte per word, 1 if so."""
        size = len(found.tokens)
        marks = 0  # byte k of the integer (little-endian) is word k's mark
        lengths = list(self.tiny.items()) if tiny else [(GRAM, self.runs), *self.short.items()]
        for length, known in lengths:
            if size < length:
                continue
            # A byte per run, 1 where a known run starts; a run covers its `length` words, so
            # the starts spread over the next length - 1 bytes (shifts of a big integer, in C:
            # a quoted message has thousands of runs).
            starts = int.from_bytes(bytes(map(known.__contains__, found.runs(length))), "little")
            for shift in range(length if starts else 0):
                marks |= starts << (8 * shift)
        return marks.to_bytes(size, "little")


def _segments(found: Words, own: Sequence[str] | None) -> list[tuple[int, int]]:
    """Token ranges of the message's stretches that are all its author's or all quoted."""
    if own is None:
        return [(0, len(found.tokens))]
    mask = _own_mask(found.lines, own)
    cuts = [0, *(n for n in range(1, len(mask)) if mask[n] != mask[n - 1]), len(mask)]
    return [(found.starts[a], found.starts[b]) for a, b in itertools.pairwise(cuts)]


def _own_mask(lines: Sequence[str], own: Sequence[str]) -> list[bool]:
    """Which lines are the author's: `own` is what reading kept of `lines`, in order."""
    mask, next_own = [], 0
    for line in lines:
        mine = next_own < len(own) and line.rstrip() == own[next_own]
        next_own += mine
        mask.append(mine)
    return mask


@dataclass(frozen=True)
class KnownQuotes:
    """A message's lines with what the thread already holds taken out."""

    lines: list[str]
    # Vote lines taken out as a quotation with no attribution or header above them: the text
    # is an earlier message's, but nothing else says it was quoted.
    unmarked_votes: tuple[str, ...] = ()


def _quoted_line_numbers(found: Words, known: KnownText, *, tiny: bool) -> set[int]:
    """Lines with words, every one of them in a run an earlier message holds."""
    marks = known.covered(found, tiny=tiny)
    starts = found.starts
    return {
        n
        for n in range(len(starts) - 1)
        if starts[n + 1] > starts[n] and 0 not in marks[starts[n] : starts[n + 1]]
    }


def _blocks(lines: Sequence[str], quoted: set[int]) -> list[tuple[int, int]]:
    """(first, last) line of each run of quoted lines; blank lines inside a run join it, and
    "> " lines and unmarked lines make runs of their own."""
    blocks: list[tuple[int, int]] = []
    start = last = -1
    start_marked = False
    for number, line in enumerate(lines):
        if number in quoted:
            marked = _marked(line)
            if start >= 0 and marked != start_marked:
                blocks.append((start, last))
                start = -1
            if start < 0:
                start, start_marked = number, marked
            last = number
        elif start >= 0 and words(line):
            blocks.append((start, last))
            start = -1
    if start >= 0:
        blocks.append((start, last))
    return blocks


def _marked(line: str) -> bool:
    return line.lstrip().startswith(">")


def _answers_a_quote(lines: Sequence[str], first: int) -> bool:
    """Unmarked lines right below a "> " quotation are the author's answer to it, even when an
    earlier reply said the same words, in a message written below what it quotes (it starts
    with the quotation or its attribution). Below a top-posted reply's own words, everything
    is the quoted mail, answers to its own quotations included."""
    if _marked(lines[first]):
        return False
    above = next((line for line in reversed(lines[:first]) if line.strip()), None)
    return above is not None and _marked(above) and _starts_with_a_quote(lines)


def _starts_with_a_quote(lines: Sequence[str]) -> bool:
    content = [n for n, line in enumerate(lines) if words(line) and not _GREETING.match(line)]
    if not content:
        return False
    start = content[0]
    if _marked(lines[start]):
        return True
    following = [lines[n] for n in content[1:4]]
    return is_header_like(lines[start]) and any(_marked(line) for line in following)


def is_header_like(line: str) -> bool:
    """An attribution or header line in any language: an address, a date or time, a "Field:"
    or a trailing colon, or a rule of dashes."""
    stripped = line.strip()
    return bool(
        stripped.endswith((":", "：", "----"))
        or _ADDRESS.search(stripped)
        or _TIME.search(stripped)
        or _DATE.search(stripped)
        or _HEADER_FIELD.match(stripped)
        or _RULE.match(stripped)
    )


def _header_above(lines: Sequence[str], first: int, is_vote: Callable[[str], bool]) -> list[int]:
    """The attribution/header lines directly above a quoted block (one blank line may part
    them, and blank lines between Outlook's "Field: value" lines); a line that holds a vote is
    the author's, never part of the header."""
    found: list[int] = []
    number = first - 1
    if number >= 0 and not lines[number].strip():
        number -= 1
    while number >= 0 and len(found) < HEADER_LINES:
        line = lines[number]
        if not words(line):
            fields = found and _HEADER_FIELD.match(lines[found[-1]].strip())
            if fields and number > 0 and _HEADER_FIELD.match(lines[number - 1].strip()):
                number -= 1
                continue
            break
        if is_vote(line) or VOTE_LIKE.search(normalised(line)) or not is_header_like(line):
            break
        found.append(number)
        number -= 1
    return found


def drop_known_quotations(
    text: Sequence[str] | Words, known: KnownText, is_vote: Callable[[str], bool]
) -> KnownQuotes:
    """Remove the blocks of lines an earlier message of the vote holds, with their header.

    A block that opens the message (after a greeting at most) is kept: a reply starts with its
    own words, and someone who repeats a vote word for word (a checklist, a mirror of their own
    post) still votes. A copy of a whole short message ("+1 (binding)") is a quotation only
    under an attribution or a header block.
    """
    found = as_words(text)
    lines = found.lines
    quoted = _quoted_line_numbers(found, known, tiny=False)
    tiny = _quoted_line_numbers(found, known, tiny=True) - quoted if known.tiny else set()
    if not quoted and not tiny:
        return KnownQuotes(list(lines))
    drop: set[int] = set()
    unmarked: list[str] = []
    for first, last in _blocks(lines, quoted):
        if _opens_message(lines, first) or _answers_a_quote(lines, first):
            continue
        header = _header_above(lines, first, is_vote)
        # Below a mail's header block ("From: … Sent: …") the whole rest is that mail: its
        # own answers to its quotations too, however short.
        end = len(lines) - 1 if _is_header_block(lines, header) else last
        block = range(first, end + 1)
        drop.update(block, header)
        if not header:
            unmarked.extend(lines[n].strip() for n in block if is_vote(lines[n]))
    for first, last in _blocks(lines, tiny - drop):
        header = _header_above(lines, first, is_vote)
        if not _opens_message(lines, first) and _says_quoted(lines, header):
            drop.update(range(first, last + 1), header)
    kept = [line for number, line in enumerate(lines) if number not in drop]
    return KnownQuotes(kept, tuple(unmarked))


_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|all|folks|team|"
    r"everyone)\b[\w\s.'’-]{0,30}[,.!:]?\s*$",
    re.IGNORECASE,
)


def _opens_message(lines: Sequence[str], first: int) -> bool:
    """Nothing but a greeting ("Hi Ada,") comes before line `first`."""
    return all(not words(line) or _GREETING.match(line) for line in lines[:first])


def _is_header_block(lines: Sequence[str], header: Sequence[int]) -> bool:
    """A quoted mail's header block ("From: … / Sent: …", in any language): two of its fields
    or more ("[1] https://…" lines are not fields)."""
    kinds = {header_kind(lines[n].strip().strip("*")) for n in header}
    return len(kinds - {None}) >= 2


def _says_quoted(lines: Sequence[str], header: Sequence[int]) -> bool:
    """A header block of two lines or more, or one attribution naming an address or a clock
    time and ending in a colon (or a dashed separator): enough to call a short copy a
    quotation. Prose such as "tested on 2026-01-05:" above an own "+1" is not."""
    if len(header) >= 2:
        return True
    if not header:
        return False
    line = lines[header[0]].strip()
    named = bool(_ADDRESS.search(line) or _TIME.search(line))
    return (named and line.endswith((":", "：", "-"))) or bool(_RULE.match(line))
