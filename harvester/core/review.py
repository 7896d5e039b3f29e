"""What a person must look at in a vote: review items, each naming the message it is about."""

from __future__ import annotations

from collections.abc import Sequence

from harvester.core.report import iso_utc
from harvester.model import Ballot, Identity, Message, ReviewItem, Thread, Window, is_sane_time


def unread_votes(url: str, voter: str, lines: Sequence[str]) -> list[ReviewItem]:
    """Vote-like text the reader did not take as a ballot: never dropped without a trace."""
    return [ReviewItem(url, f"{voter}: possible vote not counted: {line!r}") for line in lines]


def unmarked_quotes(url: str, voter: str, lines: Sequence[str]) -> list[ReviewItem]:
    """A vote line that an earlier message of the vote holds, with no attribution above it:
    read as quoted, but only the thread says so."""
    return [
        ReviewItem(
            url,
            f"{voter}: {line!r} repeats an earlier message of the vote with no quotation "
            "mark or attribution: read as quoted, not counted",
        )
        for line in lines
    ]


def undated(messages: Sequence[Message], call: Message) -> list[ReviewItem]:
    """Messages whose time is unknown or not to be trusted: not counted, never dropped unseen."""
    return [
        ReviewItem(m.url, f"{_who(m)}: the message has no usable date (missing, or far "
                   "outside any vote): not counted")
        for m in messages
        if m is not call and not is_sane_time(m.sent_at)
    ]  # fmt: skip


def unreadable(messages: Sequence[Message]) -> list[ReviewItem]:
    """What a reader could not read of a message (over a size cap): never dropped unseen."""
    return [ReviewItem(m.url, f"{_who(m)}: {problem}") for m in messages for problem in m.problems]


def _who(message: Message) -> str:
    return message.author.name or message.author.address or message.author.username


def absurd_duration(url: str, phrase: str) -> ReviewItem:
    return ReviewItem(url, f"the call says {phrase!r}: longer than any vote runs, not read")


def early_closing(url: str, voter: str, line: str) -> ReviewItem:
    """A closing comment before the vote may close: not taken as the close, but shown."""
    return ReviewItem(
        url,
        f"{voter} wrote {line!r} before the earliest close: the vote was not closed there",
    )


def impersonation(url: str, who: Identity, action: str) -> ReviewItem:
    """A display name alone tried to overrule a ballot the member cast from a verified
    identity: anyone can type a name, so it is shown and never counted."""
    member = who.member.id if who.member else who.voter
    sender = ", ".join(who.usernames) or "an unknown sender"
    return ReviewItem(
        url,
        f"possible impersonation: {sender} wrote as {who.voter} and tried to {action} the "
        f"ballot {member} cast from a verified identity: not counted",
    )


def for_ballot(ballot: Ballot, who: Identity) -> list[ReviewItem]:
    items: list[ReviewItem] = []
    if who.low_confidence or who.member is None:
        items.append(ReviewItem(ballot.url, f"{ballot.voter}: {who.reason}"))
    if "claimed-binding" in ballot.flags and not ballot.binding:
        items.append(
            ReviewItem(
                ballot.url,
                f"{ballot.voter} wrote (binding) but is not in the "
                "electorate on the roster: counted as non-binding",
            )
        )
    if "claimed-non-binding" in ballot.flags and ballot.binding:
        items.append(
            ReviewItem(
                ballot.url,
                f"{ballot.voter} wrote (non-binding) but is in the "
                "electorate on the roster: counted as binding",
            )
        )
    if "mixed" in ballot.flags:
        items.append(
            ReviewItem(
                ballot.url,
                f"{ballot.voter} cast different votes in one "
                f"message ({ballot.raw!r}): not counted until a person decides",
            )
        )
    if ballot.late:
        items.append(
            ReviewItem(
                ballot.url,
                f"{ballot.voter} voted {ballot.value} after the "
                "vote closed: shown as late, not counted",
            )
        )
    if "veto" in ballot.flags:
        items.append(
            ReviewItem(
                ballot.url,
                f"{ballot.voter} called their -1 a veto: counted as a -1 under the vote's rule",
            )
        )
    return items


def incomplete_sources(sources: Sequence[Thread]) -> list[ReviewItem]:
    return [
        ReviewItem(
            t.url,
            f"holds {len(t.messages)} of the {t.expected_messages} posts the "
            "source lists: ballots in the missing ones are not counted",
        )
        for t in sources
        if t.expected_messages is not None and len(t.messages) < t.expected_messages
    ] + [ReviewItem(t.url, warning) for t in sources for warning in t.warnings]


def polls(messages: Sequence[Message]) -> list[ReviewItem]:
    """Poll votes are not ballots (no evidence line, often anonymous), but a PMC member who
    asked for a poll must see its numbers next to the tally."""
    items = []
    for message in messages:
        for poll in message.polls:
            counts = ", ".join(f"{o.label} {o.votes}" for o in poll.options)
            voters = "; ".join(
                f"{o.label}: {', '.join(o.voters)}" for o in poll.options if o.voters
            )
            who = f" ({voters})" if voters else ""
            items.append(
                ReviewItem(
                    message.url,
                    f"poll {poll.name!r} ({poll.status}, {poll.voters} voters): {counts}{who}; "
                    "poll votes are not counted as ballots",
                )
            )
    return items


def window(win: Window, call_url: str) -> list[ReviewItem]:
    if win.closes_at and win.earliest_close and win.closes_at < win.earliest_close:
        return [
            ReviewItem(
                call_url,
                f"closed at {iso_utc(win.closes_at)}, before the "
                f"earliest close {iso_utc(win.earliest_close)}",
            )
        ]
    return []
