"""Which mails of an archive belong to a vote, read on every core.

The file is cut at message boundaries into one part per worker process. Each round, every
part's headers are read (mailparse.read_links, without decoding bodies) and VoteLinks grows
the ids the votes reach from those the last round found; rounds go on until one finds no new
id. That fixpoint is exactly the mails that split_threads and group_votes would put in a vote
(their connected components holding a [VOTE] or [RESULT] subject), whatever the cut, so one
process and many give the same answer. The last round notes its vote mails by their header and
where they are in the file (Stub): they are read whole later, a vote at a time, by whoever
counts it, so no process holds every vote mail of a large archive at once.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from harvester.app.workers import Progress, Workers
from harvester.core.threads import VoteLinks
from harvester.model import Message
from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import Links, mail_url, parse_mail, read_links, read_sent_at
from harvester.sources.mbox import headed, iter_raw_range, mbox_chunks, read_entry

# Below this a file is read in this process: starting workers costs more than it saves.
PARALLEL_FROM = 32 * 1024 * 1024
PART_BYTES = 16 * 1024 * 1024  # a larger file is read in parts of about this size …
PARTS_PER_JOB = 4  # … but no more than this many a process: each part is sent the ids known
MB = 1024 * 1024
STUBS_A_BATCH = 200  # mails read again by one call on a worker
PARALLEL_STUBS_FROM = 2000  # fewer are read again in this process


@dataclass(frozen=True)
class Part:
    path: str
    start: int
    end: int
    first: bool  # the file's first part: a first entry without a header is not a mail file


@dataclass(frozen=True, slots=True)
class Stub:
    """A vote mail known by its header (what threading reads, as parse_mail gives it) and where
    it is in the file; `after` is what its entry's reading found wrong after it."""

    source_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    sent_at: datetime
    offset: int
    span: int
    after: tuple[str, ...]

    @property
    def url(self) -> str:
        return mail_url(self.source_id)


@dataclass(frozen=True)
class Round:
    """One part's answer: ids it reached that were not known, and (when asked) its vote mails,
    with whether the part's last entry is the last of them."""

    new_ids: set[str]
    kept: list[Stub]
    ends_with_kept: bool


def read_part(part: Part, known: frozenset[str], limits: ReadLimits, collect: bool) -> Round:
    """One round over one part (run in a worker process)."""
    links = VoteLinks(known)
    kept: list[Stub] = []
    last_kept = False
    where = part.path if part.first else f"{part.path} from byte {part.start}"
    entries = iter_raw_range(part.path, part.start, part.end, limits)
    for found, raw, _at, after in headed(entries, where, limits, read_links):
        last_kept = links.take_ids(
            found.source_id, found.in_reply_to, found.references, found.subject
        )
        if last_kept and collect:
            sent_at = read_sent_at(raw.data, limits=limits)
            kept.append(Stub(*_link_fields(found), sent_at, raw.offset, raw.span, after))
    return Round(links.ids - known, kept, last_kept)


def _link_fields(found: Links) -> tuple[str, str, tuple[str, ...], str]:
    return found.source_id, found.in_reply_to, found.references, found.subject


def read_stubs(path: str, stubs: Sequence[Stub], limits: ReadLimits) -> list[Message]:
    """The mails the stubs note, read whole again from the file."""
    return [read_stub(path, stub, limits) for stub in stubs]


def read_stub(path: str, stub: Stub, limits: ReadLimits) -> Message:
    raw = read_entry(path, stub.offset, stub.span, limits)
    message = parse_mail(
        raw.data, where=f"{path} at byte {stub.offset}", limits=limits, size=raw.size
    )
    return replace(message, problems=(*message.problems, *stub.after)) if stub.after else message


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
    stubs, last = vote_stubs_of_archive(path, limits, workers)
    batches = [stubs[at : at + STUBS_A_BATCH] for at in range(0, len(stubs), STUBS_A_BATCH)]
    n = len(batches)
    jobs = workers.jobs if len(stubs) >= PARALLEL_STUBS_FROM else 1
    read = workers.map(read_stubs, [path] * n, batches, [limits] * n, jobs=jobs)
    messages = [message for batch in read for message in batch]
    return messages, messages[-1] if last is not None else None


def vote_stubs_of_archive(
    path: str, limits: ReadLimits, workers: Workers
) -> tuple[list[Stub], Stub | None]:
    """The vote mails of the mbox at `path` as stubs, in file order, and the file's last mail
    when it is one of them (for the cut-short warning)."""
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
        new = {sys.intern(ident) for r in rounds for ident in r.new_ids}
        if collect and not new:
            break
        known, collect = known | new, True
    kept = [_shared(stub) for r in rounds for stub in r.kept]  # the last round collected them
    last = kept[-1] if rounds and rounds[-1].ends_with_kept else None
    return kept, last


def _shared(stub: Stub) -> Stub:
    """The stub with its ids the same strings as every other stub's: a thread's mails repeat
    the ids before them in References, and each came back from a worker as its own copy."""
    return replace(
        stub,
        source_id=sys.intern(stub.source_id),
        in_reply_to=sys.intern(stub.in_reply_to),
        references=tuple(sys.intern(ident) for ident in stub.references),
    )


def _round_progress(workers: Workers, path: str, round_number: int, size: int) -> Progress | None:
    """Parts done as megabytes read: parts are about the same size."""
    shown = workers.bar(f"reading {os.path.basename(path)} (round {round_number})", "MB")
    if shown is None:
        return None
    total = size // MB
    return lambda done, parts: shown(total * done // parts, total)
