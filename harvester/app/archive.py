"""Which mails of an archive belong to a vote, read on every core.

The file is cut at message boundaries into one part per worker process. Each round, every
part's headers are read (mailparse.read_links, without decoding bodies) and VoteLinks grows
the ids the votes reach from those the last round found; rounds go on until one finds no new
id. That fixpoint is exactly the mails that split_threads and group_votes would put in a vote
(their connected components holding a [VOTE] or [RESULT] subject), whatever the cut, so one
process and many give the same answer. The last round reads its vote mails whole.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, replace

from harvester.app.workers import Progress, Workers
from harvester.core.threads import VoteLinks
from harvester.model import Message
from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import parse_mail, read_links
from harvester.sources.mbox import headed, iter_raw_range, mbox_chunks

# Below this a file is read in this process: starting workers costs more than it saves.
PARALLEL_FROM = 32 * 1024 * 1024
PART_BYTES = 16 * 1024 * 1024  # a larger file is read in parts of about this size …
PARTS_PER_JOB = 4  # … but no more than this many a process: each part is sent the ids known
MB = 1024 * 1024


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


def part_count(size: int, jobs: int) -> int:
    """Parts enough for every process, and for progress on a large file (one part a round
    would draw nothing until it ends)."""
    if size < PARALLEL_FROM:
        return 1
    return max(jobs, min(jobs * PARTS_PER_JOB, -(-size // PART_BYTES)))


def vote_messages_of_archive(
    path: str, limits: ReadLimits, workers: Workers
) -> tuple[list[Message], Message | None]:
    """The vote mails of the mbox at `path` in file order, and the file's last mail when it is
    one of them (for the cut-short warning)."""
    size = os.path.getsize(path)
    jobs = workers.jobs if size >= PARALLEL_FROM else 1
    chunks = mbox_chunks(path, part_count(size, jobs))
    parts = [Part(path, start, end, first=start == 0) for start, end in chunks]
    known: frozenset[str] = frozenset()
    collect = False
    n = len(parts)
    for round_number in itertools.count(1):
        progress = _round_progress(workers, path, round_number, size)
        rounds = workers.map(
            read_part, parts, [known] * n, [limits] * n, [collect] * n, jobs=jobs, progress=progress
        )
        new = set().union(*(r.new_ids for r in rounds))
        if collect and not new:
            break
        known, collect = known | new, True
    kept = [message for r in rounds for message in r.kept]  # the last round collected them
    last = rounds[-1].kept[-1] if rounds and rounds[-1].ends_with_kept else None
    return kept, last


def _round_progress(workers: Workers, path: str, round_number: int, size: int) -> Progress | None:
    """Parts done as megabytes read: parts are about the same size."""
    shown = workers.bar(f"reading {os.path.basename(path)} (round {round_number})", "MB")
    if shown is None:
        return None
    total = size // MB
    return lambda done, parts: shown(total * done // parts, total)
