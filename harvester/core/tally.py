"""Threads + roster + window -> Tally: one effective ballot per person, history and review kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from harvester.core import (
    corrections,
    identity,
    mirrors,
    quotes,
    reading,
    review,
    text,
    threads,
    window,
)
from harvester.core.identity import voter_key
from harvester.core.posts import OurPosts
from harvester.core.reading import Read
from harvester.core.voted_on import voted_on
from harvester.errors import SelectionError
from harvester.model import (
    Ballot,
    Corrections,
    Doubt,
    Electorate,
    IdentityVerdict,
    Member,
    Message,
    Override,
    Reading,
    ResultText,
    ReviewItem,
    Role,
    Roster,
    Round,
    SourceSummary,
    Tally,
    Thread,
    Value,
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
    verdicts: tuple[IdentityVerdict, ...] = ()  # identities people confirmed or rejected


def is_eligible(member: Member, electorate: Electorate, on: date) -> bool:
    """Binding status comes from the roster on the day the vote opened, never from the voter."""
    if electorate is Electorate.PMC and member.role is not Role.PMC:
        return False
    if member.since is not None and member.since > on:
        return False
    return member.until is None or member.until >= on


def electorate_size(roster: Roster, electorate: Electorate, on: date) -> int:
    return sum(1 for member in roster.members if is_eligible(member, electorate, on))


def not_voted(
    roster: Roster, electorate: Electorate, on: date, ballots: Sequence[Ballot]
) -> tuple[str, ...]:
    """The electorate's members with no counted ballot, in roster order: who to remind."""
    voted = {b.member_id for b in ballots if b.counted and b.member_id}
    return tuple(
        m.id for m in roster.members if is_eligible(m, electorate, on) and m.id not in voted
    )


def read_messages(sources: Sequence[Thread]) -> list[Message]:
    """The messages a count reads: each once, visible, in time order."""
    return [m for m in _all_messages(sources) if m.visible]


def _all_messages(sources: Sequence[Thread]) -> list[Message]:
    unique: dict[tuple[str, str], Message] = {}
    for thread in sources:
        for message in thread.messages:
            unique.setdefault((message.source, message.source_id), message)
    return sorted(unique.values(), key=lambda m: m.sent_at)


def _is_closing(message: Message) -> bool:
    return threads.is_result_subject(message.subject) or threads.is_cancel_subject(message.subject)


def _is_read(message: Message, call: Message) -> bool:
    """Read for ballots: from the call on, but not an announcement (what harvester wrote: the
    run's OurPosts)."""
    return message.sent_at >= call.sent_at and not _is_announcement(message)


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
    closed_at: datetime | None = None,
    last_round: datetime | None = None,
) -> Window:
    """Open with the call; close at the first of: operator cut-off, [RESULT]/[CANCEL], deadline,
    or, for a thread closed with none of those, its last post (the close action itself). A
    [RESULT] of an earlier round (a podling's dev@ round, before `last_round` opened) does not
    close the decision."""
    duration = window.min_duration(call_text) or opts.default_min_duration
    earliest = call.sent_at + duration if duration else None
    candidates: list[tuple[datetime, str]] = []
    if opts.closes_at is not None:
        candidates.append((opts.closes_at, "operator"))
    since = max(call.sent_at, last_round) if last_round else call.sent_at
    closing = [m for m in messages if _is_closing(m) and m.sent_at >= since]
    if closing:
        first = closing[0]
        how = "cancel" if threads.is_cancel_subject(first.subject) else "result"
        candidates.append((first.sent_at, how))
    deadline = window.explicit_deadline(call_text, call.sent_at)
    if deadline is not None:
        candidates.append((deadline, "deadline"))
    if closed_at is not None:
        candidates.append((closed_at, "thread-closed"))  # a closed GitHub issue: its closed_at
    elif closed_thread and not candidates:
        candidates.append((max(m.sent_at for m in closed_thread), "thread-closed"))
    if not candidates:
        return Window(call.sent_at, earliest)
    closes_at, closed_by = min(candidates)
    return Window(call.sent_at, earliest, closes_at, closed_by)


@dataclass
class _Voter:
    effective: Ballot | None = None
    last_value: str | None = None
    usernames: tuple[str, ...] = ()
    verified: bool = False  # a ballot of theirs came from an address, login or username


def _to_ballot(read: Read, cast: Reading, binding: bool, late: bool) -> Ballot:
    member = read.who.member
    assert cast.value is not None
    counted = not late and "mixed" not in cast.flags
    return Ballot(
        voter=read.who.voter,
        member_id=member.id if member else None,
        usernames=read.who.usernames,
        binding=binding,
        value=cast.value,
        raw=cast.raw,
        cast_at=read.message.sent_at,
        url=read.message.url,
        match=read.who.match,
        late=late,
        flags=(*cast.flags, "unconfirmed") if read.who.low_confidence else cast.flags,
        counted=counted,
    )


@dataclass
class _Count:
    """Running state while ballots are applied in time order: last vote wins."""

    voters: dict[str, _Voter]
    history: list[Ballot]
    extra: list[Ballot]  # late and mixed ballots, shown but not counted
    seen: mirrors.SeenBallots = field(default_factory=mirrors.SeenBallots)  # by history index
    # What the count rests on unconfirmed; an unconfirmed ballot's doubt names its URL, kept
    # only while that ballot is the one counted.
    doubts: list[tuple[Doubt, str]] = field(default_factory=list)

    def mirrored(self, read: Read) -> bool:
        """Fold a mirrored copy into the ballot it copies: counted once, both URLs kept."""
        found = self.seen.original_of(read)
        if found is None:
            return False
        original, index = found
        self._add_mirror(index, voter_key(original.who), read)
        return True

    def _add_mirror(self, index: int, key: str, copy: Read) -> None:
        ballot = self.history[index]
        usernames = tuple(dict.fromkeys((*ballot.usernames, *copy.who.usernames)))
        updated = replace(ballot, mirrors=(*ballot.mirrors, copy.message.url), usernames=usernames)
        self.history[index] = updated
        if not ballot.counted:  # only ballots not counted are in `extra`
            self.extra = [updated if b is ballot else b for b in self.extra]
        voter = self.voters.get(key)
        if voter is not None and voter.effective is ballot:
            voter.effective = updated

    def new_round(self, *, carried: bool) -> None:
        """The vote is called again: unless the caller carries them over, the ballots so far
        belong to the earlier round: shown, not counted."""
        if carried:
            return
        for voter in self.voters.values():
            if voter.effective is not None:
                flags = (*voter.effective.flags, "earlier-round")
                self.extra.append(replace(voter.effective, counted=False, flags=flags))
            voter.effective, voter.last_value = None, None

    def apply(
        self, key: str, ballot: Ballot | None, withdrawn: bool, verified: bool = True
    ) -> bool:
        """Make `ballot` (or a withdrawal) the voter's effective one; False when it came from
        an unconfirmed identity after a verified one: then it is shown, never counted."""
        voter = self.voters.setdefault(key, _Voter())
        if not verified and voter.verified:
            if ballot is not None:
                flags = (*ballot.flags, "possible-impersonation")
                blocked = replace(ballot, counted=False, flags=flags)
                self.history.append(blocked)
                self.extra.append(blocked)
            return False
        if ballot is None:
            if withdrawn and voter.effective is not None and not voter.effective.late:
                voter.effective = None
            return True
        voter.usernames = tuple(dict.fromkeys((*voter.usernames, *ballot.usernames)))
        ballot = replace(ballot, usernames=voter.usernames)
        if not ballot.counted:
            self.history.append(ballot)
            self.extra.append(ballot)
            return True
        changed = voter.last_value is not None and voter.last_value != ballot.value
        earlier_change = voter.effective is not None and voter.effective.changed
        ballot = replace(ballot, changed=changed or earlier_change)
        voter.effective, voter.last_value = ballot, ballot.value
        voter.verified = voter.verified or verified
        self.history.append(ballot)
        return True


ANY_VALUE = (Value.PLUS, Value.ZERO, Value.MINUS)  # what an unread or mixed ballot might be


def _count(state: _Count, read: Read, binding: bool, late: bool) -> list[ReviewItem]:
    """Apply one message's ballot to the count; what a person must see about it."""
    url, voter = read.message.url, read.who.voter
    member = read.who.member.id if read.who.member else None
    items = [
        *review.unread_votes(url, voter, read.unread),
        *review.unmarked_quotes(url, voter, read.unmarked_quotes),
    ]
    if not late:
        state.doubts.extend(
            (Doubt(item, member, binding, possible=ANY_VALUE), "") for item in items
        )
    if read.reading is None:
        return items
    key = voter_key(read.who)
    verified = read.who.member is None or not read.who.low_confidence
    if read.reading.value is None:
        if not state.apply(key, None, read.reading.withdrawn and not late, verified):
            blocked = review.impersonation(url, read.who, "withdraw")
            state.doubts.append((Doubt(blocked, member, binding, possible=ANY_VALUE), ""))
            items.append(blocked)
        return items
    if state.mirrored(read):
        return items
    ballot = _to_ballot(read, read.reading, binding, late)
    if not state.apply(key, ballot, False, verified):
        blocked = review.impersonation(url, read.who, "change")
        state.doubts.append((Doubt(blocked, member, binding, possible=(ballot.value,)), ""))
        return [*items, blocked]
    state.seen.add(read, len(state.history) - 1)
    about = review.for_ballot(ballot, read.who)
    if about and not late and (read.who.low_confidence or "mixed" in ballot.flags):
        counted = ballot.value if ballot.counted else None
        doubt = Doubt(about[0], member, binding, counted, () if ballot.counted else ANY_VALUE)
        state.doubts.append((doubt, url))
    return [*items, *about]


def _doubts(state: _Count, open_review: Sequence[ReviewItem]) -> tuple[Doubt, ...]:
    """The doubts still open: their item not dismissed, their ballot still the one counted."""
    effective = {v.effective.url for v in state.voters.values() if v.effective is not None}
    still_open = set(open_review)
    return tuple(
        dict.fromkeys(
            doubt
            for doubt, url in state.doubts
            if doubt.item in still_open and (not url or url in effective)
        )
    )


@dataclass
class _Run:
    """A vote being read, message by message in time order."""

    call: Message
    call_text: str
    opts: TallyOptions
    index: identity.RosterIndex
    win: Window
    state: _Count = field(default_factory=lambda: _Count({}, [], []))
    items: list[ReviewItem] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    known: quotes.KnownText = field(default_factory=quotes.KnownText)
    ours: OurPosts = field(default_factory=OurPosts)
    caller: str = ""  # the caller's voter key: only they call the vote again
    overrides: dict[str, Override] = field(default_factory=dict)
    closing: Read | None = None  # the comment that closed the vote, when one did
    next_calls: frozenset[str] = frozenset()  # URLs of a podling vote's later rounds' calls

    def read(self, message: Message, visible: quotes.Words) -> Read | None:
        override = self.overrides.get(message.url)
        read = reading.read_message(
            message,
            is_call=message is self.call,
            index=self.index,
            known=self.known,
            bots=self.opts.bots,
            emoji_votes=self.opts.emoji_votes,
            override=override,
            visible=visible,
        )
        if read is None:
            return None
        member = read.who.member
        opened_on = self.win.opened_at.date()
        binding = member is not None and is_eligible(member, self.opts.electorate, opened_on)
        binding = corrections.corrected_binding(binding, override)
        if message is self.call:
            self.caller = voter_key(read.who)
        elif message.url in self.next_calls:
            self._next_call(read)
        else:
            self._follow(read, binding)
        late = self.win.closes_at is not None and message.sent_at > self.win.closes_at
        self.items.extend(_count(self.state, read, binding, late))
        return read

    def _follow(self, read: Read, binding: bool) -> None:
        """A re-call by the caller starts a new round; the caller or a verified member of the
        electorate saying the vote is over closes it there (ballots in that comment count)."""
        at = read.message.sent_at
        open_now = self.win.closes_at is None or at <= self.win.closes_at
        trusted = not read.who.low_confidence and read.who.member is not None
        is_caller = voter_key(read.who) == self.caller and not read.who.low_confidence
        recall = window.recall_line(read.own) if is_caller and open_now else None
        if recall is not None:
            self.state.new_round(carried=recall[1])
            self.rounds.append(Round(at, read.message.url, recall[1]))
            self._new_round(read)
            return
        closes_earlier = self.win.closes_at is None or at < self.win.closes_at
        may_close = is_caller or (trusted and binding)
        closing = window.closing_line(read.own) if closes_earlier and may_close else None
        if closing is None:
            return
        if self.win.earliest_close is not None and at < self.win.earliest_close:
            self.items.append(review.early_closing(read.message.url, read.who.voter, closing))
            return
        self.win = replace(self.win, closes_at=at, closed_by="closing-comment")
        self.closing = read

    def _next_call(self, read: Read) -> None:
        """A podling vote's next round (general@incubator after the podling's dev@): the
        ballots so far carry over, its own call sets its minimum duration."""
        at, said = read.message.sent_at, "\n".join(read.own)
        self.state.new_round(carried=True)
        self.rounds.append(Round(at, read.message.url, True, own_thread=True))
        duration = window.min_duration(said) or _min_duration(self.call_text, self.opts)
        self.win = replace(self.win, earliest_close=at + duration if duration else None)

    def _new_round(self, read: Read) -> None:
        """A re-call opens the vote again: its own minimum duration and deadline, if it names
        them ("open for at least 24h", "the new deadline is 16th March 23:59 GMT"), else the
        call's duration from now; an end the first round set no longer applies."""
        at, said = read.message.sent_at, "\n".join(read.own)
        duration = window.min_duration(said) or _min_duration(self.call_text, self.opts)
        deadline = window.explicit_deadline(said, at)
        keep = self.win.closed_by in ("operator", "thread-closed")
        self.win = replace(
            self.win,
            earliest_close=at + duration if duration else None,
            closes_at=deadline or (self.win.closes_at if keep else None),
            closed_by=("deadline" if deadline else (self.win.closed_by if keep else "")),
        )


def _min_duration(call_text: str, opts: TallyOptions) -> timedelta | None:
    return window.min_duration(call_text) or opts.default_min_duration


def _absurd(call: Message, call_text: str) -> list[ReviewItem]:
    phrase = window.absurd_duration(call_text)
    return [review.absurd_duration(call.url, phrase)] if phrase else []


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
    closed_times = [t.closed_at for t in sources if t.closed and t.closed_at is not None]
    rounds = threads.later_calls(messages, call) if threads.is_podling_vote(call.subject) else []
    last_round = rounds[-1].sent_at if rounds else None
    win = vote_window(
        call,
        call_text,
        messages,
        everything if closed else [],
        opts,
        min(closed_times) if closed_times else None,
        last_round,
    )
    index = identity.index_roster(roster, opts.verdicts)
    run = _Run(call, call_text, opts, index, win, rounds=[Round(call.sent_at, call.url)])
    run.overrides = corrections.by_url(opts.corrections)
    run.next_calls = frozenset(m.url for m in rounds)
    for message in messages:
        visible = quotes.Words(text.visible_lines(message))
        read = None
        if _is_read(message, call) and not run.ours.claims(message):
            read = run.read(message, visible)
        own = read.own if read is not None and read.message is message else None
        run.known.add(visible, own)
    win, state, items = run.win, run.state, run.items
    opened_on = win.opened_at.date()
    effective = [v.effective for v in state.voters.values() if v.effective is not None]
    shown = sorted([*effective, *state.extra], key=lambda b: b.cast_at)
    title = threads.vote_title(call.subject) or next((t.title for t in sources if t.title), "")
    urls = {m.url for m in messages}
    stale = corrections.unmatched(opts.corrections, urls, index.by_id)
    all_review = dict.fromkeys(
        [
            *review.incomplete_sources(sources),
            *review.undated(messages, call),
            *review.unreadable(messages),
            *_absurd(call, call_text),
            *review.window(win, call.url),
            *review.polls(messages),
            *stale,
            *items,
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
        rounds=tuple(run.rounds),
        doubts=_doubts(state, open_review),
        not_voted=not_voted(roster, opts.electorate, opened_on, shown),
        result_text=_result_text(messages, rounds[-1] if rounds else call, run),
        voted_on=voted_on(title, call_text),
    )


def _result_text(messages: Sequence[Message], call: Message, run: _Run) -> ResultText | None:
    """The [RESULT] mail (the first after the last round's call), else the comment that closed
    the vote."""
    for message in messages:
        if (
            _is_announcement(message)
            and message.sent_at >= call.sent_at
            and message.url not in run.ours.urls
        ):
            own = tuple(text.own_lines(message))
            return ResultText(message.url, message.subject, own)
    if run.win.closed_by == "closing-comment" and run.closing is not None:
        closing = run.closing.message
        return ResultText(closing.url, closing.subject, run.closing.own)
    return None
