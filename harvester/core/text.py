"""Message body -> the author's own lines: quotations, signatures, footers and code removed.

Each stripping rule is a small function over a list of lines so it can be tested alone;
`own_lines` chains them for the body format at hand. What the rules look for, in each mailer and
language (attributions, header blocks, separators, sign-offs, footers), is the tables of
core/quote_patterns.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from harvester.core import quote_patterns as qp
from harvester.core.html import html_text, split_lines
from harvester.model import BodyFormat, Message

Lines = list[str]

# Each table folded into one regex: one match per line instead of one per row.
_ATTRIBUTION = qp.fold(qp.ATTRIBUTIONS)
_WEAK_ATTRIBUTION = qp.fold(qp.WEAK_ATTRIBUTIONS)
_SIGN_OFF = qp.fold(qp.SIGN_OFFS)
_SEPARATOR = qp.fold(qp.SEPARATORS)
_ANY_FOOTER = qp.fold(qp.FOOTERS)
_FOOTER_ANYWHERE = qp.fold(tuple(f for f in qp.FOOTERS if not f.after_rule))
_HEADER_LABELS = qp.header_label_kinds()
# Where own text on an attribution's line ends: before a start word, after spaces or dashes.
_STARTS = "|".join(re.escape(word) for word in qp.ATTRIBUTION_STARTS)
_START_AFTER_OWN = re.compile(rf"(?:(?<=\s)|(?<=-))(?:{_STARTS})\s")

_SIGNATURE = re.compile(r"^-- ?$")
_RULE = re.compile(r"^\s*(?:[-_=]{3,}|—)\s*$")
_VOTE_START = re.compile(r"^\s*[*_]*\s*[+\-−–±]\s?\d")
_QUOTED = re.compile(r"^\s*>")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_STRUCK = re.compile(r"~~[^~\n]+~~|<(s|del|strike)>.*?</\1>", re.IGNORECASE)  # taken back
_BLANK = re.compile(r"^\s*$")
_COLON = re.compile(r"[:：]")
_AFTER_ANGLE = re.compile(r"<\s+")
_BEFORE_ANGLE = re.compile(r"(?<!\s)\s+>")

# Every attribution ends in one of these: testing that first keeps the regexes off almost every
# line (attributions are the costliest step of reading a plain mail).
_ATTRIBUTION_TAILS = (":", "：", "wrote", "writes", "Wrote")
_WRAPPED_LINES = 4  # an attribution wrapped by a mailer spans at most this many lines
_QUOTED_TAIL = 10  # longest '>' line that can end a wrapped attribution ("> wrote:", ">:")
_HEADER_WINDOW = 12  # a quoted header block's fields lie within this many lines
_LABEL_WIDTH = 40  # a header label and its colon fit in this many characters


def _next_content_line(lines: Sequence[str], start: int) -> str | None:
    for line in lines[start:]:
        if not _BLANK.match(line):
            return line
    return None


def join_wrapped(lines: Sequence[str]) -> str:
    """The lines of an attribution a mailer wrapped, as the one line it was: joined by spaces,
    with none left just inside angle brackets ("Bob <" + "bob@x>:" -> "Bob <bob@x>:")."""
    text = " ".join(part for part in (line.strip() for line in lines) if part)
    if "<" in text or ">" in text:
        text = _BEFORE_ANGLE.sub(">", _AFTER_ANGLE.sub("<", text))
    return text


@dataclass(frozen=True, slots=True)
class _Span:
    """An attribution (or sign-off) that ends on the line at hand."""

    start: int  # index of its first line
    own: str | None  # the author's text before it on that first line ("+1 On Wed, … wrote:")
    strong: bool  # dated, or a sign-off: unmarked text after it is an unmarked quotation


def _span_starts(lines: Sequence[str], end: int, floor: int) -> Iterator[int]:
    """First lines an attribution ending at `end` may start on, shortest span first.

    A wrapped one never spans a '>' line (but a short last one: Gmail wraps "<bob@x>:" as "<bob@x"
    and ">:"), more than one blank line, or a line below one that starts with a vote."""
    if _QUOTED.match(lines[end]):
        if len(lines[end].strip()) > _QUOTED_TAIL:
            return  # a whole quoted attribution: the quotation's, not a wrap of this one
    else:
        yield end
    if _VOTE_START.match(lines[end]):
        return
    count, blanks, s = 1, 0, end - 1
    while s >= floor and count < _WRAPPED_LINES:
        line = lines[s]
        if _BLANK.match(line):
            blanks += 1
            if blanks > 1:
                return
        else:
            if _QUOTED.match(line):
                return
            yield s
            if _VOTE_START.match(line):
                return
            count += 1
        s -= 1


def _own_before_attribution(line: str, rest: Sequence[str]) -> str | None:
    """The author's text before an attribution that shares its first line, if one does."""
    for found in reversed(list(_START_AFTER_OWN.finditer(line))):
        own = line[: found.start()].rstrip(" \t-")
        if own.strip() and _ATTRIBUTION.match(join_wrapped([line[found.start() :], *rest])):
            return own
    return None


def _may_be_candidate(line: str) -> bool:
    """The cheapest tests, run on every line: its last or first characters."""
    bare = line.strip()
    if bare.endswith(_ATTRIBUTION_TAILS):
        # A long quoted line is the quotation's own attribution or text: drop_quoted's.
        return not bare.startswith(">") or len(bare) <= _QUOTED_TAIL
    if bare.endswith("-"):  # only "---- On … wrote ----"; not the many rule lines
        return "wrot" in bare
    return bare.startswith(qp.SIGN_OFF_STARTS)


def _names_a_writer(lines: Sequence[str], end: int) -> bool:
    """Whether an attribution's verb or address is in the lines that end here."""
    window = str.lower(" ".join(lines[max(0, end - _WRAPPED_LINES) : end + 1]))
    return any(hint in window for hint in qp.ATTRIBUTION_HINTS)


def _attribution_ending_at(lines: Sequence[str], end: int, floor: int) -> _Span | None:
    line = lines[end]
    if line.lstrip().startswith(qp.SIGN_OFF_STARTS) and _SIGN_OFF.match(line):
        return _Span(end, None, strong=True)
    if not _names_a_writer(lines, end):
        return None
    for s in _span_starts(lines, end, floor):
        rest = lines[s + 1 : end + 1]
        if not _VOTE_START.match(lines[s]) and _ATTRIBUTION.match(join_wrapped(lines[s : end + 1])):
            return _Span(s, None, strong=True)
        own = _own_before_attribution(lines[s], rest)
        if own is not None:
            return _Span(s, own, strong=True)
    if _WEAK_ATTRIBUTION.match(line):
        return _Span(end, None, strong=False)
    return None


_LONGEST_ATTRIBUTION = 500  # characters: longer lines are prose, a log or a pasted table


def drop_attributions(lines: Sequence[str]) -> Lines:
    """Remove attribution lines; a dated one not followed by '>' lines starts an unmarked
    quotation, and so does a mobile sign-off ("Sent from my phone") not followed by them."""
    out: Lines = []
    floor = 0  # lines before it belong to an attribution already handled
    # The rows are tried on stripped lines: a regex that starts with white space and then looks
    # ahead takes quadratic time on a line of thousands of spaces.
    bare = [line.strip() for line in lines]
    for end, line in enumerate(lines):
        candidate = _may_be_candidate(line) and len(bare[end]) <= _LONGEST_ATTRIBUTION
        span = _attribution_ending_at(bare, end, floor) if candidate else None
        if span is None:
            out.append(line)
            continue
        following = _next_content_line(lines, end + 1)
        unmarked_follows = following is not None and not _QUOTED.match(following)
        if unmarked_follows and not span.strong:
            out.append(line)  # "Bob wrote:" above own words is prose, not a quotation
            continue
        del out[len(out) - (end - span.start) :]  # its earlier lines, already kept
        if span.own is not None:
            out.append(span.own)
        if unmarked_follows:
            break
        floor = end + 1
    return out


def header_kind(line: str) -> str | None:
    """Which field of a quoted header block the line is ("sender", "date", …), if any."""
    colon = _COLON.search(line, 0, _LABEL_WIDTH)
    if colon is None:
        return None
    kind = _HEADER_LABELS.get(qp.label_key(line[: colon.start()]))
    if kind == "date" and not any(c.isdigit() for c in line[colon.end() :]):
        return None  # "Date: next week" is prose
    return kind


def _starts_header_block(lines: Sequence[str], i: int) -> bool:
    """A dated field and a sender or recipient, in header lines that blank lines or one
    wrapped value may separate."""
    first = header_kind(lines[i])
    if first is None:
        return False
    kinds = {first}
    gap = 0
    for line in lines[i + 1 : i + _HEADER_WINDOW]:
        kind = header_kind(line)
        if kind is not None:
            kinds.add(kind)
            gap = 0
        elif not _BLANK.match(line):
            gap += 1
            if gap > 1:
                break
    return "date" in kinds and bool(kinds & {"sender", "recipient"})


def _rule_above(lines: Sequence[str], i: int) -> int:
    """Where a quotation starting at line i really starts: at a rule line just above it."""
    k = i - 1
    while k >= 0 and _BLANK.match(lines[k]):
        k -= 1
    return k if k >= 0 and _RULE.match(lines[k]) else i


def _is_separator(line: str) -> bool:
    # Rule lines ("-----") are common and never a separator: only lines with words get the regex.
    return bool(line.strip(" \t-_=*")) and _SEPARATOR.match(line) is not None


def cut_at_forwarded_block(lines: Sequence[str]) -> Lines:
    """Outlook and friends quote with no '>': everything from their header block on is quoted."""
    for i, line in enumerate(lines):
        bare = line.lstrip()
        if bare.startswith(">"):
            continue  # a quoted header block or separator is drop_quoted's
        head = bare[:_LABEL_WIDTH]
        may_be_header = ":" in head or "：" in head  # cheap tests first: most lines are neither
        if (may_be_header and _starts_header_block(lines, i)) or (
            bare.startswith(qp.SEPARATOR_STARTS) and _is_separator(line)
        ):
            return list(lines[: _rule_above(lines, i)])
    return list(lines)


def drop_quoted(lines: Sequence[str]) -> Lines:
    """Without '>' lines, and without the indented lines a mailer wrapped out of a quoted
    line: they sit right between '>' lines, with no blank line around them. An own answer
    written between quoted lines starts at the margin, and stays."""
    quoted = [bool(_QUOTED.match(line)) for line in lines]
    out: Lines = []
    i = 0
    while i < len(lines):
        if quoted[i]:
            i += 1
            continue
        end = i
        while end < len(lines) and not quoted[end] and _is_indented_text(lines[end]):
            end += 1
        if end > i and i > 0 and quoted[i - 1] and end < len(lines) and quoted[end]:
            i = end  # a wrapped tail of the quotation
            continue
        out.extend(lines[i : max(end, i + 1)])
        i = max(end, i + 1)
    return out


def _is_indented_text(line: str) -> bool:
    return line[:1].isspace() and bool(line.strip())


def cut_at_signature(lines: Sequence[str]) -> Lines:
    """Only "-- " (and "--") start a signature; a lone "—" is often just a separator."""
    for i, line in enumerate(lines):
        if _SIGNATURE.match(line):
            return list(lines[:i])
    return list(lines)


def cut_at_footer(lines: Sequence[str]) -> Lines:
    """List and notification footers end the author's text, with the rule line above them."""
    for i, line in enumerate(lines):
        if _ANY_FOOTER.match(line):  # one regex per line; which footer it is, only on a hit
            under_rule = i > 0 and _RULE.match(lines[i - 1]) is not None
            if under_rule or _FOOTER_ANYWHERE.match(line):
                return list(lines[: i - 1 if under_rule else i])
    return list(lines)


def drop_fenced_code(lines: Sequence[str]) -> Lines:
    out: Lines = []
    inside = False
    for line in lines:
        if _FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            out.append(_INLINE_CODE.sub("", line))
    return out


def own_lines_of(lines: Sequence[str]) -> Lines:
    """Visible lines of a message -> the lines its author wrote in this message."""
    kept = list(lines)
    for step in _PLAIN_STEPS:
        kept = step(kept)
    return [line.rstrip() for line in kept]


def plain_own_lines(body: str) -> Lines:
    """A decoded text/plain mail body -> the lines its author wrote in this message."""
    return own_lines_of(split_lines(body))


_PLAIN_STEPS: tuple[Callable[[Sequence[str]], Lines], ...] = (
    cut_at_signature,
    cut_at_footer,
    cut_at_forwarded_block,
    drop_attributions,
    drop_quoted,
)


def _markdown_visible(body: str) -> Lines:
    """A comment as shown: without HTML comments, code and struck-out text ("~~-1~~ +1")."""
    lines = drop_fenced_code(split_lines(_HTML_COMMENT.sub("", body)))
    return [_STRUCK.sub("", line) if "~~" in line or "<" in line else line for line in lines]


def markdown_own_lines(body: str) -> Lines:
    """A GitHub comment (markdown) -> own lines: code, HTML comments and '>' quotes removed."""
    return own_lines_of(_markdown_visible(body))


def cooked_own_lines(cooked: str) -> Lines:
    return own_lines_of(split_lines(html_text(cooked)))


def visible_lines(message: Message) -> Lines:
    """The lines a reader of the message sees as text, quotations still in: the plain body,
    a comment without code and HTML comments, the text of an HTML body."""
    if message.body_format is BodyFormat.PLAIN:
        return split_lines(message.body)
    if message.body_format is BodyFormat.MARKDOWN:
        return _markdown_visible(message.body)
    return split_lines(html_text(message.body))


def own_lines(message: Message) -> Lines:
    """The lines the author wrote in this message, whatever its body format."""
    return own_lines_of(visible_lines(message))


# Matched at the start of a line with its leading white space gone; the name is stripped after.
# (White space on both sides of a lazy name made a run of spaces cost cubic time.)
_REPOST_AUTHOR = re.compile(
    r"(?:\*\*)?(?:From:)?(?:\*\*)?(?P<name>[^<>\n]*)<(?P<address>[^<>\s][^<>\s@]*@[^<>\s]+)>"
)
_ONE_QUOTE_LEVEL = re.compile(r"^\s*> ?")


def unwrap_repost(body: str) -> tuple[str, str, str] | None:
    """A bot comment that reposts a mail: (signer name, signer address, the mail's own text).

    The reposted mail is quoted one level deep under a "Name <address> wrote:" or "From:" line;
    removing that one level gives the mail as its author wrote it, quotes of its own intact.
    """
    lines = split_lines(body)
    for i, line in enumerate(lines):
        found = _REPOST_AUTHOR.match(line.lstrip())
        if not found:
            continue
        rest = lines[i + 1 :]
        inner = [_ONE_QUOTE_LEVEL.sub("", r, count=1) if _QUOTED.match(r) else r for r in rest]
        name = found["name"].strip().strip("\"'")
        return name, str.lower(found["address"]), "\n".join(inner)
    return None


_CLOSING_WORDS = re.compile(
    r"^\s*(?:thanks?(?:\s+you)?|many\s+thanks|cheers|best(?:\s+regards)?|regards|kind\s+regards|"
    r"br|sincerely|greetings|thx)\s*(?:[,.!]\s*)?",
    re.IGNORECASE,
)
_SIGNATURE_NAME = re.compile(r"^[^\W\d_][\w.'’\-]*(?:\s+[^\W\d_][\w.'’\-]*){0,3}$")


def signature_name(lines: Sequence[str]) -> str | None:
    """Who signed a mail, from its last lines: "Markus", "Thanks,\\nMarkus", "-- \\nJane Doe".
    For a repost whose only sign of its author is how they signed."""
    filled = [line.strip() for line in lines if line.strip()]
    if "--" in filled:
        after = filled[filled.index("--") + 1 :]
        if after and _SIGNATURE_NAME.match(after[0]):
            return after[0]
    for line in reversed(filled[-3:]):
        name = _CLOSING_WORDS.sub("", line).strip()
        if name and _SIGNATURE_NAME.match(name) and not _CLOSING_WORDS.fullmatch(line):
            return name
    return None
