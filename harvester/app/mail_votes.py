"""The votes of a mail file or download: its mails threaded by References, linked by subject,
each vote its own thread keyed by the file and its call. The same grouping serves whole
Messages and mails known by their header alone (app/archive.py's stubs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from harvester.core import threads

# A mail file may hold several votes; each is stored as its own thread, keyed by the file and
# its call: "dev.mbox#mid:<call's Message-ID>" (the call's own mid: URL). Stable while the file
# grows, and it tells a reader of `sources[].url` which vote of the file it is.
VOTE_FRAGMENT = "#mid:"


class Mail(threads.Linked, Protocol):
    @property
    def url(self) -> str: ...


M = TypeVar("M", bound=Mail)


@dataclass(frozen=True)
class VoteGroup(Generic[M]):
    """One vote of a mail file: its thread's kind, URL and title, and its mails."""

    kind: str
    url: str
    title: str
    mails: list[M]


def vote_thread_url(where: str, call: Mail) -> str:
    """The URL of the vote `call` opens in the mail file or download `where`."""
    return f"{where}#{call.url}"


def split_vote_url(url: str) -> tuple[str, str]:
    """(the file or download, the call's mid: URL or "") of a vote thread's URL."""
    base, sep, quoted = url.rpartition(VOTE_FRAGMENT)
    return (base, VOTE_FRAGMENT[1:] + quoted) if sep else (url, "")


def mail_kind(base: str) -> str:
    """The kind of thread a vote of the mail file or download `base` is."""
    return "eml" if base.lower().endswith(".eml") else "mbox"


def vote_groups(where: str, mails: Sequence[M]) -> list[VoteGroup[M]]:
    """The votes among `mails` of the file or download `where`; `where` with a vote's
    fragment gives that one."""
    base, wanted = split_vote_url(where)
    kind = mail_kind(base)
    found = []
    for group in threads.group_votes(threads.split_threads(mails)):
        call = threads.find_call(group) or group[0]  # group_votes keeps only groups with a call
        if wanted and call.url != wanted:
            continue
        title = threads.vote_title(call.subject)
        found.append(VoteGroup(kind, vote_thread_url(base, call), title, group))
    return found
