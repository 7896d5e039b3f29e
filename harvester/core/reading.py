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
    own: tuple[str, ...] = ()  # the author's own lines: where a closing or a re-call is said
    # Lines a person must look at: possible votes the reader did not count.
    unread: tuple[str, ...] = ()
    unmarked_quotes: tuple[str, ...] = ()  # vote lines an earlier message holds, unattributed


def is_bot(author: Author, bots: frozenset[str]) -> bool:
    names = {str.lower(author.username), identity.normalise_address(author.address)}
    return bool(names & bots) or "[bot]" in author.username or "[bot]" in author.name


def _is_vote_line(line: str) -> bool:
    return ballots.line_vote(line) is not None


def own_lines_in_vote(
    message: Message, known: quotes.KnownText, visible: quotes.Words | None = None
) -> quotes.KnownQuotes:
    """The author's own lines: first without what the vote's earlier messages hold, then
    without what the patterns recognise as quoted, signed or generated. `visible`: the
    message's visible lines when the caller has them already."""
    if visible is None:
        visible = quotes.Words(text.visible_lines(message))
    found = quotes.drop_known_quotations(visible, known, _is_vote_line)
    return quotes.KnownQuotes(text.own_lines_of(found.lines), found.unmarked_votes)


def _unwrapped(message: Message, bots: frozenset[str]) -> tuple[Message, bool]:
    """A bot's repost as the mail it reposts (its author and text) when the repost names its
    author, else the message itself; and whether it is a repost."""
    if not is_bot(message.author, bots):
        return message, False
    unwrapped = text.unwrap_repost(message.body)
    if unwrapped is None:
        return message, True
    name, address, body = unwrapped
    author = Author(name=name, address=address)
    return replace(message, author=author, body=body, body_format=BodyFormat.MARKDOWN), True


def _who(
    message: Message,
    as_written: Message,
    reposted: bool,
    index: identity.RosterIndex,
) -> Identity:
    """The author: from the reposted mail's own From, else (a repost naming nobody) from its
    signature, else from the message's author."""
    if reposted and as_written is message:
        bot = message.author.username or message.author.name or "a bot"
        signature = text.signature_name(text.visible_lines(message))
        shown = signature or "(unsigned)"
        return identity.identify_by_signature(shown, bot, index)
    who = identity.identify(as_written.author, index)
    return replace(who, match=Match.BOT_REPOST) if reposted else who


def read_message(
    message: Message,
    *,
    is_call: bool,
    index: identity.RosterIndex,
    known: quotes.KnownText,
    bots: frozenset[str] = frozenset(),
    emoji_votes: bool = False,
    override: Override | None = None,
    visible: quotes.Words | None = None,
) -> Read | None:
    """Who wrote `message`, their own lines and the ballot they cast; None for a bot speaking
    for itself. A repost is never dropped: one that names no author is credited by its
    signature, unconfirmed. `visible`: the message's visible lines, already split."""
    as_written, reposted = _unwrapped(message, bots)
    found = own_lines_in_vote(as_written, known, visible if as_written is message else None)
    lines = found.lines
    reading = ballots.read_ballot(lines, is_call=is_call, emoji_votes=emoji_votes)
    unexplained = tuple(unread.unexplained_votes(lines, reading, is_call=is_call))
    if override is not None:
        first = next((line.strip() for line in lines if line.strip()), "")
        reading = corrections.corrected_reading(reading, override, first)
        unexplained = ()
    unmarked = found.unmarked_votes if reading is None or reading.value is None else ()
    if reading is None and not unexplained and reposted and as_written is message:
        return None  # a bot speaking for itself, with no vote in it
    who = _who(message, as_written, reposted, index)
    if override is not None:
        who = corrections.corrected_identity(who, override, index.by_id)
    return Read(
        message, who, reading, own=tuple(lines), unread=unexplained, unmarked_quotes=unmarked
    )
