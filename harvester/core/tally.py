"""Threads + roster + window -> Tally: one effective ballot per person, history and review kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from harvester.core import ballots, corrections, identity, text, threads, window
from harvester.core.report import iso_utc
from harvester.errors import SelectionError
from harvester.model import (
    Author,
    Ballot,
    BodyFormat,
    Corrections,
    Electorate,
    Identity,
    Match,
    Member,
    Message,
    Override,
    Reading,
    ReviewItem,
    Role,
    Roster,
    SourceSummary,
    Tally,
    Thread,
    Window,
)


@dataclass(frozen=True)
class TallyOptions:
    electorate: Electorate = Electorate.PMC
    bots: frozenset[str] = frozenset()  # usernames or addresses of accounts that repost mail
    emoji_votes: bool = False  # count a lone ":+1:" emoji as a vote
    closes_at: datetime | None = None  # the operator's cut-off (--closes-at)
    default_min_duration: timedelta | None = None
    corrections: Corrections = field(default_factory=Corrections)  # corrected by hand


def is_eligible(member: Member, electorate: Electorate, on: date) -> bool:
    """Binding status comes from the roster on the day the vote opened, never from the voter."""
    if electorate is Electorate.PMC and member.role is not Role.PMC:
        return False
    if member.since is not None and member.since > on:
        return False
    return member.until is None or member.until >= on


def electorate_size(roster: Roster, electorate: Electorate, on: date) -> int:
    return sum(1 for member in roster.members if is_eligible(member, electorate, on))


def _all_messages(sources: Sequence[Thread]) -> list[Message]:
    unique: dict[tuple[str, str], Message] = {}
    for thread in sources:
        for message in thread.messages:
            unique.setdefault((message.source, message.source_id), message)
    return sorted(unique.values(), key=lambda m: m.sent_at)


def _is_closing(message: Message) -> bool:
    return threads.is_result_subject(message.subject) or threads.is_cancel_subject(message.subject)


def _is_announcement(message: Message) -> bool:
    """The [RESULT]/[CANCEL] mail itself: its tally lines are not ballots. Replies to it are read
    (and are late)."""
    return _is_closing(message) and not threads.is_reply_subject(message.subject)


def vote_window(
    call: Message,
    call_text: str,
    messages: Sequence[Message],
    closed_thread: Sequence[Message],
    opts: TallyOptions,
) -> Window:
    """Open with the call; close at the first of: operator cut-off, [RESULT]/[CANCEL], deadline,
    or, for a thread closed with none of those, its last post (the close action itself)."""
    duration = window.min_duration(call_text) or opts.default_min_duration
    earliest = call.sent_at + duration if duration else None
    candidates: list[tuple[datetime, str]] = []
    if opts.closes_at is not None:
        candidates.append((opts.closes_at, "operator"))
    closing = [m for m in messages if _is_closing(m) and m.sent_at >= call.sent_at]
    if closing:
        first = closing[0]
        how = "cancel" if threads.is_cancel_subject(first.subject) else "result"
        candidates.append((first.sent_at, how))
    deadline = window.explicit_deadline(call_text)
    if deadline is not None:
        candidates.append((deadline, "deadline"))
    if closed_thread and not candidates:
        candidates.append((max(m.sent_at for m in closed_thread), "thread-closed"))
    if not candidates:
        return Window(call.sent_at, earliest)
    closes_at, closed_by = min(candidates)
    return Window(call.sent_at, earliest, closes_at, closed_by)


def _is_bot(author: Author, bots: frozenset[str]) -> bool:
    names = {author.username.lower(), identity.normalise_address(author.address)}
    return bool(names & bots) or "[bot]" in author.username or "[bot]" in author.name


@dataclass(frozen=True)
class Read:
    """One message read as a ballot: who and what, before history is applied."""

    message: Message
    who: Identity
    reading: Reading


def read_message(
    message: Message,
    call: Message,
    index: identity.RosterIndex,
    opts: TallyOptions,
    override: Override | None = None,
) -> Read | None:
    author, body, body_format = message.author, message.body, message.body_format
    reposted = _is_bot(author, opts.bots)
    if reposted:
        unwrapped = text.unwrap_repost(body)
        if unwrapped is None and override is None:
            return None  # a bot speaking for itself does not vote
        if unwrapped is not None:
            author = Author(name=unwrapped[0], address=unwrapped[1])
            body, body_format = unwrapped[2], BodyFormat.MARKDOWN
    lines = text.own_lines(replace(message, body=body, body_format=body_format))
    reading = ballots.read_ballot(lines, is_call=message is call, emoji_votes=opts.emoji_votes)
    if override is not None:
        first = next((line.strip() for line in lines if line.strip()), "")
        reading = corrections.corrected_reading(reading, override, first)
    if reading is None:
        return None
    who = identity.identify(author, index)
    if reposted:
        who = replace(who, match=Match.BOT_REPOST)
    if override is not None:
        who = corrections.corrected_identity(who, override, index.by_id)
    return Read(message, who, reading)


def voter_key(who: Identity) -> str:
    if who.member is not None:
        return f"member:{who.member.id.lower()}"
    return "unknown:" + (identity.normalise_name(who.voter) or ",".join(who.usernames))


@dataclass
class _Voter:
    effective: Ballot | None = None
    last_value: str | None = None
    usernames: tuple[str, ...] = ()


def _to_ballot(read: Read, binding: bool, late: bool) -> Ballot:
    member = read.who.member
    assert read.reading.value is not None
    counted = not late and "mixed" not in read.reading.flags
    return Ballot(
        voter=read.who.voter,
        member_id=member.id if member else None,
        usernames=read.who.usernames,
        binding=binding,
        value=read.reading.value,
        raw=read.reading.raw,
        cast_at=read.message.sent_at,
        url=read.message.url,
        match=read.who.match,
        late=late,
        flags=read.reading.flags,
        counted=counted,
    )


MIRROR_WINDOW = timedelta(hours=12)  # a mirror (archive list, notification mail) lags minutes


def _same_person(a: Read, b: Read) -> bool:
    if voter_key(a.who) == voter_key(b.who):
        return True
    names = {u.lower() for u in a.who.usernames}
    return bool(names & {u.lower() for u in b.who.usernames})


def is_mirror(copy: Read, original: Read) -> bool:
    """The same ballot by the same person seen in another place soon after: a Discourse post on
    the discuss-archive list, a GitHub comment as a notification mail, a bot's repost."""
    return (
        copy.message.source != original.message.source
        or copy.message.thread_url != original.message.thread_url
    ) and (
        copy.reading.value == original.reading.value
        and copy.reading.raw.strip().casefold() == original.reading.raw.strip().casefold()
        and timedelta(0) <= copy.message.sent_at - original.message.sent_at <= MIRROR_WINDOW
        and _same_person(copy, original)
    )


@dataclass
class _Count:
    """Running state while ballots are applied in time order: last vote wins."""

    voters: dict[str, _Voter]
    history: list[Ballot]
    extra: list[Ballot]  # late and mixed ballots, shown but not counted
    seen: list[tuple[Read, int]] = field(default_factory=list)  # ballots read, by history index

    def mirrored(self, read: Read) -> bool:
        """Fold a mirrored copy into the ballot it copies: counted once, both URLs kept."""
        for original, index in reversed(self.seen):
            if is_mirror(read, original):
                self._add_mirror(self.history[index], read)
                return True
        return False

    def _add_mirror(self, ballot: Ballot, copy: Read) -> None:
        usernames = tuple(dict.fromkeys((*ballot.usernames, *copy.who.usernames)))
        updated = replace(ballot, mirrors=(*ballot.mirrors, copy.message.url), usernames=usernames)
        self.history = [updated if b is ballot else b for b in self.history]
        self.extra = [updated if b is ballot else b for b in self.extra]
        for voter in self.voters.values():
            if voter.effective is ballot:
                voter.effective = updated

    def apply(self, key: str, ballot: Ballot | None, withdrawn: bool) -> None:
        voter = self.voters.setdefault(key, _Voter())
        if ballot is None:
            if withdrawn and voter.effective is not None and not voter.effective.late:
                voter.effective = None
            return
        voter.usernames = tuple(dict.fromkeys((*voter.usernames, *ballot.usernames)))
        ballot = replace(ballot, usernames=voter.usernames)
        if not ballot.counted:
            self.history.append(ballot)
            self.extra.append(ballot)
            return
        changed = voter.last_value is not None and voter.last_value != ballot.value
        earlier_change = voter.effective is not None and voter.effective.changed
        ballot = replace(ballot, changed=changed or earlier_change)
        voter.effective, voter.last_value = ballot, ballot.value
        self.history.append(ballot)


def _review_for(ballot: Ballot, who: Identity) -> list[ReviewItem]:
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


def _incomplete_sources(sources: Sequence[Thread]) -> list[ReviewItem]:
    return [
        ReviewItem(
            t.url,
            f"holds {len(t.messages)} of the {t.expected_messages} posts the "
            "source lists: ballots in the missing ones are not counted",
        )
        for t in sources
        if t.expected_messages is not None and len(t.messages) < t.expected_messages
    ] + [ReviewItem(t.url, warning) for t in sources for warning in t.warnings]


def _poll_review(messages: Sequence[Message]) -> list[ReviewItem]:
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


def _window_review(win: Window, call_url: str) -> list[ReviewItem]:
    if win.closes_at and win.earliest_close and win.closes_at < win.earliest_close:
        return [
            ReviewItem(
                call_url,
                f"closed at {iso_utc(win.closes_at)}, before the "
                f"earliest close {iso_utc(win.earliest_close)}",
            )
        ]
    return []


def count_votes(sources: Sequence[Thread], roster: Roster, opts: TallyOptions) -> Tally:
    """Every ballot of a vote read from all its threads, with one effective ballot per person."""
    everything = _all_messages(sources)
    messages = [m for m in everything if m.visible]
    call = threads.find_call(messages) or (messages[0] if messages else None)
    if call is None:
        where = sources[0].url if sources else "vote"
        raise SelectionError(where, "holds no visible message to read a vote from")
    call_text = "\n".join(text.own_lines(call))
    closed = any(t.closed for t in sources)
    win = vote_window(call, call_text, messages, everything if closed else [], opts)
    index = identity.index_roster(roster)
    opened_on = win.opened_at.date()
    state = _Count({}, [], [])
    review: list[ReviewItem] = []
    overrides = corrections.by_url(opts.corrections)
    for message in messages:
        if _is_announcement(message) or message.sent_at < call.sent_at:
            continue
        override = overrides.get(message.url)
        read = read_message(message, call, index, opts, override)
        if read is None:
            continue
        late = win.closes_at is not None and message.sent_at > win.closes_at
        member = read.who.member
        binding = member is not None and is_eligible(member, opts.electorate, opened_on)
        binding = corrections.corrected_binding(binding, override)
        key = voter_key(read.who)
        if read.reading.value is None:
            state.apply(key, None, read.reading.withdrawn and not late)
            continue
        if state.mirrored(read):
            continue
        ballot = _to_ballot(read, binding, late)
        state.apply(key, ballot, False)
        state.seen.append((read, len(state.history) - 1))
        review.extend(_review_for(ballot, read.who))
    effective = [v.effective for v in state.voters.values() if v.effective is not None]
    shown = sorted([*effective, *state.extra], key=lambda b: b.cast_at)
    title = threads.vote_title(call.subject) or next((t.title for t in sources if t.title), "")
    urls = {m.url for m in messages}
    stale = corrections.unmatched(opts.corrections, urls, index.by_id)
    all_review = dict.fromkeys(
        [
            *_incomplete_sources(sources),
            *_window_review(win, call.url),
            *_poll_review(messages),
            *stale,
            *review,
        ]
    )
    open_review, dismissed = corrections.split_review(
        tuple(all_review), opts.corrections.dismissals
    )
    return Tally(
        title=title,
        window=win,
        electorate=opts.electorate,
        ballots=tuple(shown),
        history=tuple(state.history),
        review=open_review,
        sources=tuple(SourceSummary(t.kind, t.url, len(t.messages)) for t in sources),
        electorate_size=electorate_size(roster, opts.electorate, opened_on),
        call_url=call.url,
        call_message_id=call.source_id if call.source == "mail" else "",
        call_references=call.references,
        call_text=call_text,
        cancelled=win.closed_by == "cancel",
        overrides=tuple(o for o in opts.corrections.overrides if o.url in urls),
        dismissed=dismissed,
    )
