"""Mail files and downloads -> vote threads: the read limits the settings give, the vote
threads a set of mails holds, and the warning for a file cut short. Kept apart from the
network wiring (app/fetch.py), so a harvest of a file loads no HTTP library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from harvester.app.mail_votes import vote_groups
from harvester.config import Settings
from harvester.model import Message, Thread
from harvester.sources.limits import MB, ReadLimits
from harvester.sources.mbox import MID_MESSAGE


def read_limits(settings: Settings) -> ReadLimits:
    limits = settings.limits
    return ReadLimits(
        message_bytes=int(limits.message_mb * MB),
        part_bytes=int(limits.part_mb * MB),
        header_bytes=int(limits.header_kb * 1024),
    )


def with_cut_warning(threads: list[Thread], last: Message | None) -> list[Thread]:
    """A mail file that ends mid-message: the warning goes to the thread of its last message,
    whose count may miss what was cut (the tally lists it for review)."""
    if last is None:
        return threads
    return [
        replace(t, warnings=(*t.warnings, MID_MESSAGE)) if any(m is last for m in t.messages) else t
        for t in threads
    ]


def mail_threads(where: str, messages: Sequence[Message]) -> list[Thread]:
    """The vote threads in a mail file or download (app/mail_votes.py)."""
    return [
        Thread(kind=g.kind, url=g.url, messages=tuple(g.mails), title=g.title)
        for g in vote_groups(where, messages)
    ]
