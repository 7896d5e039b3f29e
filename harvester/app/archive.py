"""Which mails of an archive belong to a vote, read on every core.

The file is cut at message boundaries into one part per worker process. Each round, every
part's headers are read (mailparse.read_links, without decoding bodies) and VoteLinks grows
the ids the votes reach from those the last round found; rounds go on until one finds no new
id. That fixpoint is exactly the mails that split_threads and group_votes would put in a vote
(their connected components holding a [VOTE] or [RESULT] subject), whatever the cut, so one
process and many give the same answer. The last round reads its vote mails whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from harvester.app.workers import Workers
from harvester.core.threads import VoteLinks
from harvester.model import Message
from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import parse_mail, read_links
from harvester.sources.mbox import headed, iter_raw_range, mbox_chunks

# Below this a file is read in this process: starting workers costs more than it saves.
PARALLEL_FROM = 32 * 1024 * 1024


@dataclass(frozen=True)
class Part:
    path: str
    start: int
    end: int
    first: bool  # the file's first part: a first entry without a header is not a mail file


@dataclass(frozen=True)
class Round:
    """One part's answer: ids it reached that were not known, and (when asked) its vote mails,
    with whether the part's last entry is the last of them."""

    new_ids: set[str]
    kept: list[Message]
    ends_with_kept: bool


def read_part(part: Part, known: frozenset[str], limits: ReadLimits, collect: bool) -> Round:
    """One round over one part (run in a worker process)."""
    links = VoteLinks(known)
    kept: list[Message] = []
    last_kept = False
    where = part.path if part.first else f"{part.path} from byte {part.start}"
    entries = iter_raw_range(part.path, part.start, part.end, limits)
    for found, raw, at, after in headed(entries, where, limits, read_links):
        last_kept = links.take_ids(
            found.source_id, found.in_reply_to, found.references, found.subject
        )
        if last_kept and collect:
            message = parse_mail(raw.data, where=at, limits=limits, size=raw.size)
            kept.append(replace(message, problems=(*message.problems, *after)))
    return Round(links.ids - known, kept, last_kept)


def vote_messages_of_archive(
    path: str, limits: ReadLimits, workers: Workers
) -> tuple[list[Message], Message | None]:
    """The vote mails of the mbox at `path` in file order, and the file's last mail when it is
    one of them (for the cut-short warning)."""
    jobs = workers.jobs if os.path.getsize(path) >= PARALLEL_FROM else 1
    parts = [Part(path, start, end, first=start == 0) for start, end in mbox_chunks(path, jobs)]
    known: frozenset[str] = frozenset()
    collect = False
    n = len(parts)
    while True:
        rounds = workers.map(read_part, parts, [known] * n, [limits] * n, [collect] * n, jobs=jobs)
        new = set().union(*(r.new_ids for r in rounds))
        if collect and not new:
            break
        known, collect = known | new, True
    kept = [message for r in rounds for message in r.kept]
    last = rounds[-1].kept[-1] if rounds and rounds[-1].ends_with_kept else None
    return kept, last
