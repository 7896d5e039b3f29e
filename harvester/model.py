"""Value types shared by every layer: frozen dataclasses and enums, no behaviour beyond trivia."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

# Times a message, a call or an option may have: outside them a time is not trusted (a poison
# "Date: Fri, 31 Dec 9999 …" must not end a window, walk ten thousand months or overflow).
SANE_SINCE = datetime(1990, 1, 1, tzinfo=UTC)
SANE_UNTIL = datetime(2200, 1, 1, tzinfo=UTC)


def is_sane_time(moment: datetime) -> bool:
    try:
        return SANE_SINCE <= moment.astimezone(UTC) < SANE_UNTIL
    except (OverflowError, ValueError):  # a zone offset that pushes it past year 1 or 9999
        return False


class Value(enum.StrEnum):
    """A ballot's effect on the count; fractions and enthusiasm are folded into these three."""

    PLUS = "+1"
    ZERO = "0"
    MINUS = "-1"


class BodyFormat(enum.StrEnum):
    """How a message body is written, which decides how its own lines are read."""

    PLAIN = "plain"  # decoded text/plain mail body
    HTML = "html"  # HTML-only mail
    COOKED = "cooked"  # Discourse cooked HTML
    MARKDOWN = "markdown"  # GitHub comment


class Role(enum.StrEnum):
    PMC = "pmc"
    COMMITTER = "committer"


class Electorate(enum.StrEnum):
    """Who casts binding votes: the PMC (strategy, releases) or all committers."""

    PMC = "pmc"
    COMMITTERS = "committers"


class RuleName(enum.StrEnum):
    LAZY_TWO_THIRDS = "lazy-2/3"
    MAJORITY_APPROVAL = "majority-approval"
    CONSENSUS_APPROVAL = "consensus-approval"
    LAZY_CONSENSUS = "lazy-consensus"
    PMC_MAJORITY = "pmc-majority"


class Match(enum.StrEnum):
    """The identity step that tied a voter to a roster member (or failed to)."""

    ASF_ADDRESS = "asf-address"
    LISTED_ADDRESS = "listed-address"
    USERNAME = "username"
    DMARC_REWRITE = "dmarc-rewrite"
    GITHUB_NOTIFICATION = "github-notification"
    BOT_REPOST = "bot-repost"
    DISPLAY_NAME = "display-name"
    CONFIRMED = "confirmed"  # a person confirmed this address or username as the member's
    CORRECTED = "corrected"  # a person said who this is (an override)
    UNKNOWN = "unknown"


class Status(enum.StrEnum):
    OPEN = "open"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class Author:
    """Who wrote a message, exactly as the source gave it."""

    name: str = ""
    address: str = ""  # e-mail address, lower-cased by the source
    username: str = ""  # Discourse username or GitHub login
    reply_to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    github_sender: str = ""  # X-GitHub-Sender of a GitHub notification mail
    envelope_from: tuple[str, ...] = ()  # SPF-checked ("pass") envelope senders of a mail


@dataclass(frozen=True)
class PollOption:
    label: str
    votes: int
    voters: tuple[str, ...] = ()  # usernames, only for public polls


@dataclass(frozen=True)
class Poll:
    """A Discourse poll as the post JSON reports it; its counts are not in the cooked HTML."""

    name: str
    status: str  # "open" | "closed"
    public: bool
    voters: int
    options: tuple[PollOption, ...]


@dataclass(frozen=True)
class Message:
    """One post, mail or comment as a source delivered it; bodies are decoded text, never bytes."""

    source: str  # "mail", "discourse", "github"
    source_id: str  # Message-ID, post id or comment id: unique within the source
    url: str
    subject: str
    author: Author
    sent_at: datetime  # timezone-aware
    body: str
    body_format: BodyFormat = BodyFormat.PLAIN
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    thread_url: str = ""
    visible: bool = True  # False for hidden, withdrawn, whisper or small-action posts
    version: int = 1
    updated_at: datetime | None = None  # last edit, when known: an edited vote is read again
    polls: tuple[Poll, ...] = ()
    problems: tuple[str, ...] = ()  # what the reader could not read of it (over a cap): reviewed


@dataclass(frozen=True)
class Thread:
    """The messages of one thread in one place, oldest first."""

    kind: str  # "mbox", "eml", "discourse", "ponymail", "github"
    url: str
    messages: tuple[Message, ...]
    title: str = ""
    closed: bool = False
    closed_at: datetime | None = None  # when the place was closed, when the source says so
    expected_messages: int | None = None  # what the source says it holds, when it says so
    warnings: tuple[str, ...] = ()  # what the source could not read; shown for review
    labels: tuple[str, ...] = ()  # GitHub labels or Discourse tags: vote profiles match them


@dataclass(frozen=True)
class ThreadUpdate:
    """One poll of a thread: what changed since `cursor` was handed out.

    `thread` carries the thread's current title/closed/labels and only the messages read this
    time (new or possibly edited); `complete` says they are the whole thread. `cursor` is opaque
    JSON-ready data for the next poll; `changed` is False when the source reported nothing new.
    """

    thread: Thread
    cursor: dict[str, object]
    complete: bool
    changed: bool = True
    removed: tuple[str, ...] = ()  # source_ids the source no longer lists (deleted posts)


@dataclass(frozen=True)
class VoteProfile:
    """A kind of vote, recognised by its subject or labels, with the rule it is held under."""

    name: str
    subject: str = ""  # a regular expression searched in the subject, case-insensitive
    labels: tuple[str, ...] = ()  # any of these labels or tags
    rule: RuleName | None = None
    electorate: Electorate | None = None
    min_hours: int | None = None
    template: str = ""  # the text of its own result-mail template (Jinja2); "": the default
    closing: Closing = field(default_factory=lambda: Closing())


class ClosePolicy(enum.StrEnum):
    DEADLINE = "deadline"  # at the deadline (the minimum duration, or the end the call names)
    WHEN_DECIDED = "when-decided"  # as soon as the rule is met, once the minimum time has passed
    EXTEND = "extend"  # at the deadline, unless short of the minimum ballots: then later


@dataclass(frozen=True)
class Closing:
    """When the daemon closes a vote of this kind (a result, a cancel or a closing comment
    always closes it)."""

    policy: ClosePolicy = ClosePolicy.DEADLINE
    extend_hours: int = 24  # extend: each step
    max_hours: int | None = 168  # extend: never later than this after the call (None: no end)


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: Role
    emails: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    discourse: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Roster:
    members: tuple[Member, ...]
    source: str = ""  # file or URL it came from


@dataclass(frozen=True)
class Reading:
    """What one message says as a vote, before identity and window are applied."""

    value: Value | None  # None: no ballot, or a withdrawal
    raw: str  # the evidence line, verbatim
    flags: tuple[
        str, ...
    ] = ()  # e.g. "claimed-binding", "mixed", "fractional", "veto", "withdrawn"

    @property
    def withdrawn(self) -> bool:
        return "withdrawn" in self.flags


@dataclass(frozen=True)
class Identity:
    """The result of matching an author against the roster."""

    voter: str  # the name shown in the result
    member: Member | None
    match: Match
    usernames: tuple[str, ...] = ()
    low_confidence: bool = False
    reason: str = ""  # why the match is weak or missing


@dataclass(frozen=True)
class Ballot:
    voter: str
    member_id: str | None
    usernames: tuple[str, ...]
    binding: bool
    value: Value
    raw: str
    cast_at: datetime
    url: str
    match: Match
    changed: bool = False
    late: bool = False
    flags: tuple[str, ...] = ()
    counted: bool = True  # False for late, mixed or superseded ballots
    mirrors: tuple[str, ...] = ()  # URLs of copies of this ballot elsewhere, counted once


@dataclass(frozen=True)
class ReviewItem:
    url: str
    reason: str


@dataclass(frozen=True)
class Override:
    """A person's correction of the ballot read from one message (by its URL). None fields keep
    what was read; `not_a_vote` says the message holds no ballot at all."""

    url: str
    reason: str
    value: Value | None = None
    not_a_vote: bool = False
    binding: bool | None = None
    member_id: str | None = None
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Dismissal:
    """A review item a person has looked at and set aside, with why."""

    url: str
    review: str  # the review item's reason, as shown
    note: str
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Corrections:
    overrides: tuple[Override, ...] = ()
    dismissals: tuple[Dismissal, ...] = ()
    verdicts: tuple[IdentityVerdict, ...] = ()  # not the vote's own: they hold for every vote


@dataclass(frozen=True)
class Window:
    """When a vote opened, the earliest it may close, and when it did close (if it has)."""

    opened_at: datetime
    earliest_close: datetime | None = None
    closes_at: datetime | None = None  # the cut-off; ballots after it are late
    # "result", "cancel", "deadline", "operator", "thread-closed", "closing-comment"
    closed_by: str = ""


@dataclass(frozen=True)
class IdentityVerdict:
    """A person's word on an unconfirmed identity: this address or username is (confirmed) or
    is not (rejected) that member. It lasts: every later vote reads it."""

    identity: str  # a lower-cased address or username, as a ballot's usernames show it
    member_id: str
    confirmed: bool
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Doubt:
    """Something the count rests on that no person has confirmed: a ballot counted from an
    unconfirmed identity, or one it may be missing (flagged, blocked, a possible vote)."""

    item: ReviewItem  # what a person is asked to look at
    member_id: str | None  # whose ballot it is, or would be
    binding: bool  # whether it counts, or would count, as binding
    counted: Value | None = None  # the value counted now for it (an unconfirmed ballot)
    possible: tuple[Value, ...] = ()  # the values it could stand for instead


@dataclass(frozen=True)
class Round:
    """One call of a vote: the first call, a re-call in the same thread (a new candidate), or
    a podling vote's next round in a thread of its own (general@incubator)."""

    opened_at: datetime
    url: str
    carried_over: bool = False  # the re-call said the earlier round's ballots still count
    own_thread: bool = False  # the round's call opened a thread of its own


@dataclass(frozen=True)
class SourceSummary:
    kind: str
    url: str
    messages: int


@dataclass(frozen=True)
class Tally:
    title: str
    window: Window
    electorate: Electorate
    ballots: tuple[Ballot, ...]  # effective ballots, one per voter, in order of first vote
    history: tuple[Ballot, ...]  # every ballot read, in time order, including superseded and late
    review: tuple[ReviewItem, ...]
    sources: tuple[SourceSummary, ...]
    electorate_size: int = 0
    call_url: str = ""
    call_message_id: str = ""
    call_references: tuple[str, ...] = ()
    call_text: str = ""  # the caller's own lines, where the rule and deadline are named
    cancelled: bool = False
    overrides: tuple[Override, ...] = ()  # the corrections that applied to a message
    dismissed: tuple[Dismissal, ...] = ()  # review items set aside by a person
    rounds: tuple[Round, ...] = ()  # the call and any re-calls, oldest first
    doubts: tuple[Doubt, ...] = ()  # what the count rests on unconfirmed, open for review
    not_voted: tuple[str, ...] = ()  # roster ids of the electorate with no counted ballot
    result_text: ResultText | None = None  # what the vote's own [RESULT] says, if it has one
    voted_on: VotedOn = field(default_factory=lambda: VotedOn())

    def counted(self, *, binding: bool) -> tuple[Ballot, ...]:
        return tuple(b for b in self.ballots if b.binding == binding and b.counted)


@dataclass(frozen=True)
class Counts:
    plus: int = 0
    zero: int = 0
    minus: int = 0

    @property
    def cast(self) -> int:
        return self.plus + self.zero + self.minus


@dataclass(frozen=True)
class VotedOn:
    """What the call put to the vote, as far as its text says."""

    release: str | None = None  # "Apache TVM v0.16.0.rc0"
    commit: str | None = None  # the git commit
    hashes: tuple[str, ...] = ()  # sha512 / sha256 digests of the artifacts
    links: tuple[str, ...] = ()  # dist.apache.org, the tag, KEYS …


@dataclass(frozen=True)
class ResultText:
    """The vote's own [RESULT]: a result mail, or the comment that closed the vote."""

    url: str
    subject: str
    lines: tuple[str, ...]  # its author's own lines


@dataclass(frozen=True)
class Announcement:
    """The vote's own [RESULT] set against the count: what it states, and each disagreement
    as a sentence. A count it does not state is None."""

    url: str
    binding: tuple[int | None, int | None, int | None] | None  # +1, 0, -1
    total: tuple[int | None, int | None, int | None] | None
    differences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proof:
    """The digest of what a count rests on, and the parts it is the digest of."""

    digest: str
    parts: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    rule: RuleName
    status: Status
    passes: bool  # for an open vote: would it pass if closed now
    explanation: str
    binding: Counts = field(default_factory=Counts)
    non_binding: Counts = field(default_factory=Counts)
    conditions: tuple[Condition, ...] = ()  # what the rule asks, each with what the vote has
    pending: tuple[ReviewItem, ...] = ()  # open review items that could change the status
    announced: Announcement | None = None  # the vote's own [RESULT], checked against this
    proof: Proof | None = None  # the digest anyone can recompute from the same messages

    @property
    def needs_review(self) -> bool:
        return bool(self.pending)


@dataclass(frozen=True)
class Condition:
    """One test of a rule, e.g. binding +1 (have) >= 2 x binding -1 (need)."""

    label: str
    have: float
    relation: str  # ">=", ">" or "==" (at most: nothing above `need`)
    need: float
    text: str  # the arithmetic as the result mail spells it
    quorum: bool = False  # a minimum number of binding ballots: more voters can meet it

    @property
    def met(self) -> bool:
        if self.relation == ">=":
            return self.have >= self.need
        if self.relation == ">":
            return self.have > self.need
        return self.have == self.need


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
