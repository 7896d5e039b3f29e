"""Which mails of an archive belong to a vote, read on every core.

The file is cut at message boundaries into parts, which the processes read in order, whoever
is free taking the next (Workers.in_order). Each round, every part's headers are read
(mailparse.read_links, without decoding bodies) and VoteLinks grows the ids the votes reach
from those earlier rounds found. Another round is needed only when a mail some part left out
names an id this round reached (each part sends digests of the ids its left-out mails name);
usually one round is all. That fixpoint is exactly the mails that split_threads and
group_votes would put in a vote (their connected components holding a [VOTE] or [RESULT]
subject), whatever the cut, so one process and many give the same answer. The last round
notes its vote mails by their header and where they are in the file (Stub); they go to a
scratch index on disk (app/vote_index.py) as each part is read, and it groups them into
votes: they are read whole later, a vote at a time, by whoever counts it, so no process holds
every vote mail of a large archive at once, nor their stubs."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pickle
import sqlite3
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from harvester.app.findings import FindingsWriter, load_findings, new_ids_of
from harvester.app.vote_index import Stub, VoteIndex, stub_row
from harvester.app.workers import Progress, Workers
from harvester.core.threads import VoteLinks, thread_ids
from harvester.errors import SourceError
from harvester.model import Message
from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import parse_mail, read_links, sent_at_of
from harvester.sources.mbox import (
    CHANGED,
    RawMail,
    headed,
    iter_raw_range,
    mbox_chunks,
    read_entries,
)

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


@dataclass(frozen=True)
class Round:
    """One part's answer: whether the part's last entry is one of its vote mails, and where its
    findings are (app/findings.py: a file in the harvest's scratch folder, or themselves)."""

    ends_with_kept: bool
    findings: str | bytes


ID_DIGEST = 8  # bytes of an id's digest (a 64-bit integer in the index): a false match only
# costs one more round


def id_digest(ident: str) -> bytes:
    return hashlib.blake2b(ident.encode("utf-8", "surrogatepass"), digest_size=ID_DIGEST).digest()


# The ids earlier rounds reached, as this process last loaded them (see share_known).
_known: dict[str, frozenset[str]] = {}


Shared = str | frozenset[str]  # where the ids are (see share_known), or the ids themselves


def share_known(known: frozenset[str], folder: str | None, round_number: int) -> Shared:
    """Where the workers find the ids reached so far: a file written once a round in `folder`,
    rather than a copy sent with every part (a million ids at a million messages). This
    process keeps them in hand. Without a folder, or when it cannot be written (a full or
    read-only disk), the ids go with every part as before."""
    if folder is None or not known:
        return known
    where = os.path.join(folder, f"ids-{round_number}.pickle")
    try:
        with open(where, "wb") as stream:
            pickle.dump(known, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        return known
    _known.clear()
    _known[where] = known
    return where


def known_ids(where: Shared) -> frozenset[str]:
    """The ids share_known gave, read once a round in each process."""
    if not isinstance(where, str):
        return where
    if where not in _known:
        _known.clear()  # the last round's go first
        with open(where, "rb") as stream:
            _known[where] = pickle.load(stream)  # our own file, in a folder only we can read
    return _known[where]


def forget_known() -> None:
    _known.clear()


def read_part(part: Part, shared: Shared, limits: ReadLimits, spill: str | None) -> Round:
    """One round over one part (run in a worker process); `shared`: see share_known; its
    findings go to the file `spill` as they come, when there is one."""
    links = VoteLinks(known_ids(shared))
    left_out = bytearray()  # a digest for each id the mails it does not keep name
    last_kept = False
    where = part.path if part.first else f"{part.path} from byte {part.start}"
    entries = iter_raw_range(part.path, part.start, part.end, limits)
    with contextlib.closing(FindingsWriter(spill)) as findings:
        for found, raw, _at, after in headed(entries, where, limits, read_links):
            last_kept = links.take_ids(
                found.source_id, found.in_reply_to, found.references, found.subject
            )
            if last_kept:
                sent_at = sent_at_of(found, raw.data, limits=limits)
                fields = (found.source_id, found.in_reply_to, found.references, found.subject)
                findings.row(stub_row(Stub(*fields, sent_at, raw.offset, raw.span, after)))
            else:
                ids = thread_ids(found.source_id, found.in_reply_to, found.references)
                left_out += b"".join(id_digest(ident) for ident in ids if ident)
        new_ids = list(links.new)
        reached = b"".join(map(id_digest, new_ids))
        return Round(last_kept, findings.finish(reached, bytes(left_out), new_ids))


def read_stubs(path: str, stubs: Sequence[Stub], limits: ReadLimits) -> list[Message]:
    """The mails the stubs note, read whole again from the file (in a worker process); one that
    is no longer there (the file was rewritten meanwhile) is one error naming the file and
    byte, never another mail counted in its place."""
    forget_known()  # the archive's rounds are over: a worker need not keep their ids
    places = [(stub.offset, stub.span) for stub in stubs]
    raws = read_entries(path, places, limits)
    return [_parsed(path, stub, raw, limits) for stub, raw in zip(stubs, raws, strict=True)]


def _parsed(path: str, stub: Stub, raw: RawMail, limits: ReadLimits) -> Message:
    where = f"{path} at byte {stub.offset}"
    message = parse_mail(raw.data, where=where, limits=limits, size=raw.size)
    if message.source_id != stub.source_id:
        raise SourceError(where, CHANGED)
    return replace(message, problems=(*message.problems, *stub.after)) if stub.after else message


def start_readers(path: str, workers: Workers) -> None:
    """Start the workers that will read the file at `path`, when it is large enough for them,
    so that they import what they run while this process gets ready."""
    with contextlib.suppress(OSError):  # a file that cannot be read is reported when read
        if os.path.getsize(path) >= PARALLEL_FROM:
            workers.warm(__name__)


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
    with archive_index(path, limits, workers) as index:
        kept = list(index.stubs())
    return kept, kept[-1] if index.ends_with_vote_mail else None


@contextlib.contextmanager
def archive_index(path: str, limits: ReadLimits, workers: Workers) -> Iterator[VoteIndex]:
    """The vote mails of the mbox at `path` in a scratch index (app/vote_index.py), in a
    private folder that goes when the index does."""
    with (
        _scratch() as folder,
        _index_failures(folder),
        contextlib.closing(VoteIndex(folder)) as index,
    ):
        _find_vote_mails(path, limits, workers, folder, index)
        yield index


@contextlib.contextmanager
def _index_failures(folder: str | None) -> Iterator[None]:
    """A scratch index that fails (a full disk) is one error line naming its folder."""
    try:
        yield
    except sqlite3.Error as error:
        where = folder or "the votes' index in memory"
        raise SourceError(where, f"the votes' scratch index failed: {error}") from None


def _find_vote_mails(
    path: str, limits: ReadLimits, workers: Workers, folder: str | None, index: VoteIndex
) -> None:
    """Rounds over the file's parts until none reaches more; the index keeps the last's."""
    size = os.path.getsize(path)
    jobs = workers.jobs if size >= PARALLEL_FROM else 1
    chunks = mbox_chunks(path, part_count(size, jobs))
    parts = [Part(path, start, end, first=start == 0) for start, end in chunks]
    known: frozenset[str] = frozenset()
    n = len(parts)
    try:
        for round_number in itertools.count(1):
            shared = share_known(known, folder if jobs > 1 else None, round_number)
            spills = [_spill_file(folder, round_number, k) for k in range(n)]
            progress = _round_progress(workers, path, round_number, size)
            calls = list(zip(parts, [shared] * n, [limits] * n, spills, strict=True))
            index.start_round()
            rounds: list[Round] = []
            # a part's findings go to the index as soon as it and those before it are read
            for r in workers.in_order(read_part, calls, jobs=jobs, progress=progress):
                reached, left_out = load_findings(r.findings, index.add_rows)
                index.add_digests(left_out, reached)
                rounds.append(r)
            index.ends_with_vote_mail = bool(rounds) and rounds[-1].ends_with_kept
            more = index.reaches_more()
            if more:
                found_ids = (new_ids_of(r.findings) for r in rounds)
                known |= {sys.intern(ident) for ids in found_ids for ident in ids}
            _remove(spills)
            if not more:
                break
    finally:
        forget_known()


def _spill_file(folder: str | None, round_number: int, part_number: int) -> str | None:
    if folder is None:
        return None
    return os.path.join(folder, f"part-{round_number}-{part_number}.pickle")


def _remove(files: Sequence[str | None]) -> None:
    for name in files:
        if name is not None:
            with contextlib.suppress(OSError):
                os.remove(name)


@contextlib.contextmanager
def _scratch() -> Iterator[str | None]:
    """A private folder for the harvest's scratch files, or None when none can be made (a
    full or read-only disk): then they are held in memory."""
    try:
        made = tempfile.TemporaryDirectory(prefix="harvest-", ignore_cleanup_errors=True)
    except OSError:
        yield None
        return
    with made as folder:
        yield folder


def _round_progress(workers: Workers, path: str, round_number: int, size: int) -> Progress | None:
    """Parts done as megabytes read: parts are about the same size."""
    shown = workers.bar(f"reading {os.path.basename(path)} (round {round_number})", "MB")
    if shown is None:
        return None
    total = size // MB
    return lambda done, parts: shown(total * done // parts, total)
