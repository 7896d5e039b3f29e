"""One message of a vote -> who wrote it and what it says as a vote, with what a person must see.

The thread comes first: what an earlier message of the vote already said is a quotation here
(core/quotes.py), before the pattern rules of core/text.py run on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from harvester.core import ballots, corrections, identity, quotes, text, unread
from harvester.model import Author, BodyFormat, Identity, Match, Message, Override, Reading


@dataclass(frozen=True)
class Read:
    """One message read as a ballot: who and what, before history is applied."""

    message: Message
    who: Identity
    reading: Reading | None  # None: the message casts no ballot
    # Lines a person must look at: possible votes the reader did not count.
    unread: tuple[str, ...] = ()
    unmarked_quotes: tuple[str, ...] = ()  # vote lines an earlier message holds, unattributed


def is_bot(author: Author, bots: frozenset[str]) -> bool:
    names = {author.username.lower(), identity.normalise_address(author.address)}
    return bool(names & bots) or "[bot]" in author.username or "[bot]" in author.name


def _is_vote_line(line: str) -> bool:
    return ballots.line_vote(line) is not None


def own_lines_in_vote(message: Message, known: quotes.KnownText) -> quotes.KnownQuotes:
    """The author's own lines: first without what the vote's earlier messages hold, then
    without what the patterns recognise as quoted, signed or generated."""
    visible = text.visible_lines(message)
    found = quotes.drop_known_quotations(visible, known, _is_vote_line)
    return quotes.KnownQuotes(text.own_lines_of(found.lines), found.unmarked_votes)


def _unwrapped(message: Message, bots: frozenset[str]) -> tuple[Message, bool] | None:
    """A bot's repost as the mail it reposts (author and text), or the message itself; None for
    a bot speaking for itself."""
    if not is_bot(message.author, bots):
        return message, False
    unwrapped = text.unwrap_repost(message.body)
    if unwrapped is None:
        return None
    name, address, body = unwrapped
    author = Author(name=name, address=address)
    return replace(message, author=author, body=body, body_format=BodyFormat.MARKDOWN), True


def read_message(
    message: Message,
    *,
    is_call: bool,
    index: identity.RosterIndex,
    known: quotes.KnownText,
    bots: frozenset[str] = frozenset(),
    emoji_votes: bool = False,
    override: Override | None = None,
) -> Read | None:
    """Who wrote `message` and the ballot it casts; None when it neither votes nor holds
    anything a person must look at."""
    unwrapped = _unwrapped(message, bots)
    if unwrapped is None and override is None:
        return None  # a bot speaking for itself does not vote
    as_written, reposted = unwrapped or (message, True)
    found = own_lines_in_vote(as_written, known)
    lines = found.lines
    reading = ballots.read_ballot(lines, is_call=is_call, emoji_votes=emoji_votes)
    unexplained = tuple(unread.unexplained_votes(lines, reading, is_call=is_call))
    if override is not None:
        first = next((line.strip() for line in lines if line.strip()), "")
        reading = corrections.corrected_reading(reading, override, first)
        unexplained = ()
    unmarked = found.unmarked_votes if reading is None or reading.value is None else ()
    if reading is None and not unexplained and not unmarked:
        return None
    who = identity.identify(as_written.author, index)
    if reposted:
        who = replace(who, match=Match.BOT_REPOST)
    if override is not None:
        who = corrections.corrected_identity(who, override, index.by_id)
    return Read(message, who, reading, unexplained, unmarked)
