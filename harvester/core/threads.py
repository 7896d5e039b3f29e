"""Subjects and threading: which messages belong to which vote."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from harvester.model import Message


class Linked(Protocol):
    """What threading reads of a message: a Message, or a mail known by its header alone."""

    @property
    def source_id(self) -> str: ...
    @property
    def in_reply_to(self) -> str: ...
    @property
    def references(self) -> tuple[str, ...]: ...
    @property
    def subject(self) -> str: ...
    @property
    def sent_at(self) -> datetime: ...


M = TypeVar("M", bound=Linked)

_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|antw|回复|答复|转发)\s*(?:\[\d+\]\s*)?[:：]\s*|\[[^\]]*\]\s*)+",
    re.IGNORECASE,
)
_TAG = re.compile(r"\[\s*(?P<tag>[^\s\]](?:[^\]]*[^\s\]])?|\s(?=\]))\s*\]")
_REPLY = re.compile(r"^\s*(?:re|aw|sv|antw|回复|答复)\s*[:：]", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 12)  # a vote's messages share a few subjects
def subject_tags(subject: str) -> frozenset[str]:
    # nothing after the last "]" can close a tag: a run of "[" is not tried to the end each
    end = subject.rfind("]") + 1
    return frozenset(found["tag"].upper() for found in _TAG.finditer(subject, 0, end))


def is_vote_subject(subject: str) -> bool:
    return "VOTE" in subject_tags(subject)


def is_result_subject(subject: str) -> bool:
    return "RESULT" in subject_tags(subject)


def is_marked_subject(subject: str) -> bool:
    """A [VOTE] or [RESULT] subject: its thread is part of a vote."""
    return is_vote_subject(subject) or is_result_subject(subject)


def is_cancel_subject(subject: str) -> bool:
    return bool({"CANCEL", "CANCELLED", "CANCELED"} & subject_tags(subject))


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY.match(subject))


_GITHUB_SUFFIX = re.compile(r"(?<!\s)\s*\((?:issue|pr|pull request|discussion)?\s*#\d+\)\s*$", re.I)


def vote_key(subject: str) -> str:
    """The subject with reply prefixes, [TAGS] and GitHub's "(Issue #N)" removed, for linking
    the threads of one vote: GitHub's mirror mails cannot reference the list's Message-IDs."""
    bare = _GITHUB_SUFFIX.sub("", _PREFIX.sub("", subject))
    return " ".join(bare.casefold().split())


def vote_title(subject: str) -> str:
    """ "Re: [VOTE] X" -> "[VOTE] X": the title the call was sent under."""
    stripped = subject.strip()
    while _REPLY.match(stripped):
        stripped = _REPLY.sub("", stripped, count=1).strip()
    return stripped


def _find(parent: dict[str, str], key: str) -> str:
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def thread_ids(source_id: str, in_reply_to: str, references: Sequence[str]) -> list[str]:
    """The ids that join a message to its thread: its own first, then those it names."""
    ids = [source_id, *references]
    if in_reply_to:
        ids.append(in_reply_to)
    return ids


def split_threads(messages: Iterable[M]) -> list[list[M]]:
    """Group messages that share a Message-ID through In-Reply-To or References, oldest first."""
    parent: dict[str, str] = {}
    ordered = sorted(messages, key=lambda m: m.sent_at)
    for message in ordered:
        ids = thread_ids(message.source_id, message.in_reply_to, message.references)
        for ident in ids:
            parent.setdefault(ident, ident)
        root = _find(parent, ids[0])
        for ident in ids[1:]:
            parent[_find(parent, ident)] = root
    groups: dict[str, list[M]] = {}
    for message in ordered:
        groups.setdefault(_find(parent, message.source_id), []).append(message)
    return list(groups.values())


class VoteLinks:
    """The Message-IDs a mail file's votes reach, grown as its messages stream past: a message
    with a [VOTE] or [RESULT] subject, or one that names (In-Reply-To, References) an id
    already reached, belongs to a vote, and its ids are reached from then on.

    Read twice (the second time starting from the first pass's ids), this finds what
    split_threads and group_votes would keep, earlier messages a call replies to included,
    without holding the archive's other messages.
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        # What earlier rounds reached, used as it is (a round's set of a million ids is not
        # copied for each part), and what this reading reached besides.
        self.known = known if isinstance(known, (set, frozenset)) else frozenset(known)
        self.new: set[str] = set()

    def take(self, message: Message) -> bool:
        return self.take_ids(
            message.source_id, message.in_reply_to, message.references, message.subject
        )

    def take_ids(
        self, source_id: str, in_reply_to: str, references: Sequence[str], subject: str
    ) -> bool:
        """take() from a message's ids and subject alone (read without its body)."""
        ids = thread_ids(source_id, in_reply_to, references)
        marked = is_marked_subject(subject)
        if not marked and self.new.isdisjoint(ids) and self.known.isdisjoint(ids):
            return False
        self.new.update(ident for ident in ids if ident not in self.known)
        return True


def group_votes(threads: Sequence[list[M]]) -> list[list[M]]:
    """Threads of one vote, linked by subject: the [VOTE] thread, a reply that lost its
    References, and the [RESULT]/[CANCEL] mail sent as a new thread."""
    votes: dict[str, list[M]] = {}
    for thread in threads:
        subjects = [m.subject for m in thread]
        if not any(map(is_marked_subject, subjects)):
            continue
        key = vote_key(thread[0].subject)
        votes.setdefault(key, []).extend(thread)
    grouped = [sorted(msgs, key=lambda m: m.sent_at) for msgs in votes.values()]
    return [msgs for msgs in grouped if any(is_call(m) for m in msgs)]


def is_call(message: Linked) -> bool:
    return is_vote_subject(message.subject) and not is_result_subject(message.subject)


def is_podling_vote(subject: str) -> bool:
    """An Incubator podling's vote ("Release Apache Foo 1.0 (incubating)"): a round on the
    podling's dev@ list, then one on general@incubator, are one decision."""
    return "incubating" in str.lower(subject) or "podling" in str.lower(subject)


def later_calls(messages: Sequence[Message], call: Message) -> list[Message]:
    """The calls after `call` that open a round of their own (not replies to a call)."""
    return [
        m
        for m in messages
        if m is not call
        and m.sent_at > call.sent_at
        and is_call(m)
        and not is_reply_subject(m.subject)
    ]


def find_call(messages: Sequence[M]) -> M | None:
    """The call for votes: the first [VOTE] message that is not a reply, else the first [VOTE]."""
    calls = [m for m in messages if is_call(m)]
    originals = [m for m in calls if not is_reply_subject(m.subject)]
    chosen = originals or calls
    return min(chosen, key=lambda m: m.sent_at) if chosen else None
