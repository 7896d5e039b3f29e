"""Nothing lost in silence: vote-like text in a message's own lines that no ballot accounts for.

`unexplained_votes` lists each line holding a vote-like token that the reading neither used nor
recognised as a mention (rows in core/ballot_patterns.py), a result listing, a running count, a
form or the call's menu; the tally turns each into a review item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from harvester.core import ballot_patterns as pat
from harvester.core.ballots import (
    VOTE_LIKE,
    Scan,
    drop_menu,
    explains_listing,
    is_tally_line,
    is_template_line,
    listing_kind,
    scan_lines,
    token_value,
)
from harvester.model import Reading, Value

MENTION_ROWS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE)) for name, pattern in pat.MENTIONS
)
# Rows that start at the token's end are found by re's fast literal scan: try them first.
_MENTION_ORDER = sorted(MENTION_ROWS, key=lambda row: not row[1].pattern.startswith(pat.CLOSE))
_ENDORSEMENT = re.compile(pat.ENDORSEMENT, re.IGNORECASE)
# In the call, rule prose ("twice as many binding +1 as -1") is everywhere; only a token the
# caller plainly casts is worth a person's time.
_CALL_PERSONAL = re.compile(r"(?:\b[Mm]y|\bI)\b[^⟦.;!?]*⟦|⟧[^.;!?]{0,30}\b(?:from\s+me|myself)\b")
_MOST_TOKENS = 40  # vote-like tokens read in one line; past them the line is shown as it is
_CONTEXT = 60  # characters each side: the rows look a few words away, and search cost grows


def token_context(text: str, start: int, end: int, lead: str = "") -> str:
    """ "<before>⟦<token>⟧<after>", the string the mention rows are searched in; `lead` is
    the sentence's start on the line above when the author's mailer wrapped it."""
    before = f"{lead} {text[:start]}" if lead else text[:start]
    before = before[-_CONTEXT:].replace(pat.OPEN, "").replace(pat.CLOSE, "")
    after = text[end : end + _CONTEXT].replace(pat.OPEN, "").replace(pat.CLOSE, "")
    return f"{before}{pat.OPEN}{text[start:end]}{pat.CLOSE}{after}"


def mention_of(context: str) -> str | None:
    """The name of a mention row that explains the token in this context, if any."""
    for name, pattern in _MENTION_ORDER:
        if pattern.search(context):
            return None if _ENDORSEMENT.search(context) else name
    return None


def _unexplained_values(
    text: str, scan: Scan, *, in_call: bool, harmless: Value | None, lead: str = ""
) -> set[Value]:
    """The values of the tokens in one line that no mention row or listing explains. A token
    of the `harmless` value (the ballot's own) is not looked at: it could change nothing."""
    values: set[Value] = set()
    for looked, found in enumerate(VOTE_LIKE.finditer(text)):
        value = token_value(found["token"])[0]
        if value is harmless or value in values:
            continue
        if looked >= _MOST_TOKENS:
            values.add(value)  # a line this full of tokens is a table or a log: worth a look
            break
        context = token_context(text, found.start(), found.end(), lead)
        listing = listing_kind(text[found.end() :], scan.result_like)
        if mention_of(context) or explains_listing(listing):
            continue
        if in_call and not _CALL_PERSONAL.search(context):
            continue
        values.add(value)
    return values


def _explained_lines(scan: Scan, reading: Reading | None, *, is_call: bool) -> set[int]:
    """Lines the reading accounted for as a whole: result listings and counts, the call's
    menu, the change or withdrawal it read, and the line votes a change superseded."""
    explained = {index for index, kind in scan.count_lines.items() if explains_listing(kind)}
    counted = drop_menu(scan.votes) if is_call else scan.votes
    explained |= {vote.index for vote in scan.votes} - {vote.index for vote in counted}
    if scan.change is not None:
        explained.add(scan.change[0])
    if scan.withdrawal is not None:
        explained.add(scan.withdrawal)
    if reading is not None and "changed-by-text" in reading.flags:
        explained |= {vote.index for vote in scan.votes}
    return explained


def _wrapped_lead(texts: Sequence[str], index: int) -> str:
    """The line above when this line continues its sentence (a mailer wrapped it)."""
    above = texts[index - 1].strip() if index > 0 else ""
    return "" if not above or above.endswith((".", "!", "?", ":", ";")) else above


def unexplained_votes(
    lines: Sequence[str], reading: Reading | None, *, is_call: bool = False
) -> list[str]:
    """The stripped own lines holding a vote-like token that `reading` did not account for.

    With a ballot, a token of the same value elsewhere changes nothing and a different value
    is left to the "mixed" flag when there is one; without a ballot every such line is listed.
    Mentions, result listings, running counts, forms and the call's menu are not listed.
    """
    scan = scan_lines(tuple(lines), False)  # already read by read_ballot, as a rule
    if not scan.signed or (reading is not None and "mixed" in reading.flags):
        return []  # nothing vote-like, or already up for review with every value it saw
    value = reading.value if reading is not None else None
    explained: set[int] | None = None  # worked out only when some token is left over
    reported: dict[str, None] = {}
    for index in scan.signed:
        text = scan.texts[index]
        if is_template_line(text) or is_tally_line(text):
            continue
        lead = _wrapped_lead(scan.texts, index)
        if not _unexplained_values(text, scan, in_call=is_call, harmless=value, lead=lead):
            continue
        if explained is None:
            explained = _explained_lines(scan, reading, is_call=is_call)
        if index not in explained:
            reported[lines[index].strip()] = None
    return list(reported)
