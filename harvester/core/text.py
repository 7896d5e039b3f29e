"""Message body -> the author's own lines: quotations, signatures, footers and code removed.

Each stripping rule is a small function over a list of lines so it can be tested alone;
`own_lines` chains them for the body format at hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from harvester.core.html import html_text, split_lines
from harvester.model import BodyFormat, Message

Lines = list[str]

# Attribution lines that introduce a quotation, in the languages seen on ASF lists.
_ATTRIBUTION = re.compile(
    r"""^\s*(?:
        On\s.+\swrote:\s*$                       # Gmail, Thunderbird, Apple Mail
      | On\s.+\swrote\s*$
      | On\s\d{4}/\d{2}/\d{2}\s.+\swrote:\s*$    # Pony Mail composer
      | Am\s.+\sschrieb\s.*:\s*$                 # German
      | Le\s.+\sa\s[ée]crit\s?:\s*$              # French
      | El\s.+\sescribi[óo]:\s*$                 # Spanish
      | Il\s.+\sha\sscritto:\s*$                 # Italian
      | Op\s.+\sschreef\s.*:\s*$                 # Dutch
      | .+写道\s*[:：]\s*$                      # Chinese (simplified): 在…写道 / …于…写道
      | .+寫道\s*[:：]\s*$                      # Chinese (traditional)
      | .+\s<[^>\s]+@[^>\s]+>\s(?:wrote|writes):\s*$
      | .+\s(?:wrote|writes):\s*$
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# The first half of an attribution that a mailer wrapped before "wrote:".
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Am|Le|El|Il|Op)\s.*\d.*", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(
    r"^\s*(?:wrote|schrieb|a\s[ée]crit|escribi[óo]|ha\sscritto)\b.*:?\s*$"
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*"
    r"(?:Original Message|Urspr[üu]ngliche Nachricht|原始邮件|Forwarded message)\s*-{2,}",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\**(?:From|Von|De|发件人|寄件者)\s*\**\s*[:：]", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\**(?:Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|发送时间|收件人|主题)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:-- ?|—)$")
_FOOTER = re.compile(
    r"^\s*(?:To unsubscribe, e-mail:|For additional commands, e-mail:|"
    r"Reply to this email directly|You are receiving this because)",
    re.IGNORECASE,
)
_DASHES = re.compile(r"^\s*-{10,}\s*$")
_QUOTED = re.compile(r"^\s*>")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLANK = re.compile(r"^\s*$")


def _next_content_line(lines: Sequence[str], start: int) -> str | None:
    for line in lines[start:]:
        if not _BLANK.match(line):
            return line
    return None


_ATTRIBUTION_TAILS = (":", "：", "wrote", "writes")
_ATTRIBUTION_END_WORDS = ("wrote", "schrieb", "a écrit", "a ecrit", "escribi", "ha scritto")


def _attribution_length(lines: Sequence[str], i: int) -> int:
    """How many lines an attribution starting at line i spans (0: none), wrapped ones included."""
    line = lines[i]
    # Every attribution ends in a colon or "wrote": checking that first keeps the regex off
    # almost every line (it is the costliest step of reading a plain mail).
    if line.rstrip().lower().endswith(_ATTRIBUTION_TAILS) and _ATTRIBUTION.match(line):
        return 1
    nxt = lines[i + 1].lstrip().lower() if i + 1 < len(lines) else ""
    if nxt.startswith(_ATTRIBUTION_END_WORDS) and _ATTRIBUTION_START.match(line):
        return 2 if _ATTRIBUTION_END.match(lines[i + 1]) else 0
    return 0


def drop_attributions(lines: Sequence[str]) -> Lines:
    """Remove attribution lines; one not followed by '>' lines starts an unmarked quotation."""
    out: Lines = []
    i = 0
    while i < len(lines):
        span = _attribution_length(lines, i)
        if not span:
            out.append(lines[i])
            i += 1
            continue
        following = _next_content_line(lines, i + span)
        if following is not None and not _QUOTED.match(following):
            break
        i += span
    return out


def cut_at_forwarded_block(lines: Sequence[str]) -> Lines:
    """Outlook and friends quote with no '>': everything from their header block on is quoted."""
    for i, line in enumerate(lines):
        if _ORIGINAL_MESSAGE.match(line):
            return list(lines[:i])
        if _OUTLOOK_FROM.match(line) and _has_outlook_header_after(lines, i):
            return list(lines[:i])
    return list(lines)


def _has_outlook_header_after(lines: Sequence[str], i: int) -> bool:
    return any(_OUTLOOK_NEXT.match(line) for line in lines[i + 1 : i + 4])


def drop_quoted(lines: Sequence[str]) -> Lines:
    return [line for line in lines if not _QUOTED.match(line)]


def cut_at_signature(lines: Sequence[str]) -> Lines:
    for i, line in enumerate(lines):
        if _SIGNATURE.match(line.rstrip("\n")):
            return list(lines[:i])
    return list(lines)


def cut_at_footer(lines: Sequence[str]) -> Lines:
    """ASF list footers and GitHub notification footers end the author's text."""
    for i, line in enumerate(lines):
        if _FOOTER.match(line):
            start = i - 1 if i > 0 and _DASHES.match(lines[i - 1]) else i
            return list(lines[:start])
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


def plain_own_lines(body: str) -> Lines:
    """A decoded text/plain mail body -> the lines its author wrote in this message."""
    lines = split_lines(body)
    for step in _PLAIN_STEPS:
        lines = step(lines)
    return [line.rstrip() for line in lines]


_PLAIN_STEPS: tuple[Callable[[Sequence[str]], Lines], ...] = (
    cut_at_signature,
    cut_at_footer,
    cut_at_forwarded_block,
    drop_attributions,
    drop_quoted,
)


def markdown_own_lines(body: str) -> Lines:
    """A GitHub comment (markdown) -> own lines: code, HTML comments and '>' quotes removed."""
    without_comments = _HTML_COMMENT.sub("", body)
    return plain_own_lines("\n".join(drop_fenced_code(split_lines(without_comments))))


def cooked_own_lines(cooked: str) -> Lines:
    return plain_own_lines(html_text(cooked))


def own_lines(message: Message) -> Lines:
    """The lines the author wrote in this message, whatever its body format."""
    if message.body_format is BodyFormat.PLAIN:
        return plain_own_lines(message.body)
    if message.body_format is BodyFormat.MARKDOWN:
        return markdown_own_lines(message.body)
    return cooked_own_lines(message.body)


_REPOST_AUTHOR = re.compile(
    r"^\s*(?:\*\*)?(?:From:)?(?:\*\*)?\s*(?P<name>[^<>\n]*?)\s*<(?P<address>[^<>\s]+@[^<>\s]+)>"
)
_ONE_QUOTE_LEVEL = re.compile(r"^\s*> ?")


def unwrap_repost(body: str) -> tuple[str, str, str] | None:
    """A bot comment that reposts a mail: (signer name, signer address, the mail's own text).

    The reposted mail is quoted one level deep under a "Name <address> wrote:" or "From:" line;
    removing that one level gives the mail as its author wrote it, quotes of its own intact.
    """
    lines = split_lines(body)
    for i, line in enumerate(lines):
        found = _REPOST_AUTHOR.match(line)
        if not found:
            continue
        rest = lines[i + 1 :]
        inner = [_ONE_QUOTE_LEVEL.sub("", r, count=1) if _QUOTED.match(r) else r for r in rest]
        name = found["name"].strip().strip("\"'")
        return name, found["address"].lower(), "\n".join(inner)
    return None
