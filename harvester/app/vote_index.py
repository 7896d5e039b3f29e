"""An archive's vote mails kept on disk and grouped into votes there, not in memory.

A large archive's vote mails, known by their header and place in the file (Stub), are too
many to hold: a million messages, half of them in votes, would hold half a gigabyte of stubs.
They go to a scratch SQLite database in the harvest's private folder instead, a part of the
file at a time. There they are grouped into the votes mail_votes.vote_groups finds among the
same mails:
- mails that share an id (In-Reply-To, References) are one thread (core.threads.split_threads);
- threads whose first subject gives the same vote_key are one vote, when one of its subjects
  is [VOTE] or [RESULT] (core.threads.group_votes), and a vote needs a call;
- threads are ranked by their first mail (by time, then file order), a vote by its first
  marked thread, its mails by time, then thread, then file order; its call is find_call's.
The subject rules are core.threads'; this module only keeps the order they give, and a
property test holds it to vote_groups. The rounds that find the vote mails (app/archive.py)
also ask it whether another round is needed.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import marshal
import operator
import os
import sqlite3
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from harvester.app.mail_votes import vote_thread_url
from harvester.core import threads
from harvester.sources.mailparse import mail_url

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WALL_EPOCH = datetime(1970, 1, 1)  # a zone's wall time from its UTC instant, past year 9999
MICROSECOND = timedelta(microseconds=1)
STUBS_A_BATCH = 2000  # votes planned at a time
CACHE_KB = 8192  # the database's page cache: what it holds in memory, whatever the archive


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


# A stub as a part sends it and the index keeps it: (its time in microseconds since 1970 UTC,
# which orders as sent_at does; a [VOTE] or [RESULT] subject; a call (threads.is_call); a
# reply's subject; the rest packed by marshal, which keeps lone surrogates, as SQLite's text
# cannot). A plain tuple: a part pickles thousands.
StubRow = tuple[int, bool, bool, bool, bytes]


def stub_row(stub: Stub) -> StubRow:
    zone = stub.sent_at.utcoffset()
    assert zone is not None  # mailparse's dates always have a zone
    fields = (
        stub.source_id,
        stub.in_reply_to,
        stub.references,
        stub.subject,
        zone // MICROSECOND,
        stub.offset,
        stub.span,
        stub.after,
    )
    subject = stub.subject
    marked = threads.is_marked_subject(subject)
    at = (stub.sent_at - EPOCH) // MICROSECOND
    call = threads.is_call(stub)
    return at, marked, call, threads.is_reply_subject(subject), marshal.dumps(fields)


PackedMail = tuple[int, bytes]  # (at, packed) of a StubRow


def stub_of(at: int, packed: bytes) -> Stub:
    source_id, in_reply_to, references, subject, zone, offset, span, after = marshal.loads(packed)
    wall = WALL_EPOCH + timedelta(microseconds=at + zone)
    sent_at = wall.replace(tzinfo=_zone(zone))
    return Stub(source_id, in_reply_to, references, subject, sent_at, offset, span, after)


@functools.lru_cache(maxsize=256)  # a list's mails come from a few dozen zones
def _zone(microseconds: int) -> timezone:
    return timezone(timedelta(microseconds=microseconds))


def _linked_ids(packed: bytes) -> list[bytes]:
    source_id, in_reply_to, references = marshal.loads(packed)[:3]
    return [_text(ident) for ident in threads.thread_ids(source_id, in_reply_to, references)]


@dataclass(frozen=True)
class PlannedVote:
    """A vote as planned in the index, and its mails."""

    url: str
    title: str
    cut: bool  # holds the mail a file cut short ends with
    mails: tuple[PackedMail, ...]  # as stub_of reads them: the one who counts the vote does


_SCHEMA = """
CREATE TABLE reached (digest INTEGER NOT NULL);
CREATE TABLE left_out (digest INTEGER NOT NULL);
CREATE TABLE stubs (
    idx INTEGER PRIMARY KEY, at INTEGER NOT NULL, marked INTEGER NOT NULL,
    call INTEGER NOT NULL, reply INTEGER NOT NULL, packed BLOB NOT NULL);
CREATE TABLE ids (id BLOB NOT NULL, node INTEGER NOT NULL);
CREATE TABLE roots (idx INTEGER PRIMARY KEY, root INTEGER NOT NULL);
CREATE TABLE threads (
    root INTEGER PRIMARY KEY, rank INTEGER NOT NULL, key BLOB NOT NULL,
    marked INTEGER NOT NULL DEFAULT 0, vote INTEGER);
CREATE TABLE votes (
    n INTEGER PRIMARY KEY, vote INTEGER NOT NULL, url BLOB NOT NULL, title BLOB NOT NULL,
    cut INTEGER NOT NULL);
"""


def _text(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _str(text: bytes) -> str:
    return text.decode("utf-8", "surrogatepass")


def _vote_key(packed: bytes) -> bytes:
    subject = marshal.loads(packed)[3]
    return _text(threads.vote_key(subject))


class VoteIndex:
    """The scratch database: a file in `folder`, or in memory when there is none."""

    def __init__(self, folder: str | None) -> None:
        where = os.path.join(folder, "votes.sqlite3") if folder is not None else ":memory:"
        self.db = sqlite3.connect(where, isolation_level=None)
        try:
            for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KB}"):
                self.db.execute(f"PRAGMA {pragma}")
            self.db.executescript(_SCHEMA)
            self.db.create_function("vote_key", 1, _vote_key, deterministic=True)
        except sqlite3.Error:
            self.db.close()
            raise
        self.count = 0  # vote mails
        self.ends_with_vote_mail = False  # the file's last mail is one of them
        self._parent = _no_mails()  # each mail's thread so far (see _join)

    def close(self) -> None:
        self.db.close()

    # The rounds (app/archive.py): each part's findings, then whether another round is needed.

    def start_round(self) -> None:
        for table in ("reached", "left_out", "stubs", "ids"):  # numbered from 1 again
            self.db.execute(f"DELETE FROM {table}")
        self.count = 0
        self._parent = _no_mails()

    def add_rows(self, rows: Sequence[StubRow]) -> None:
        """Vote mails, in file order: numbered from 1 as they come, and joined to the threads
        of the others in this batch (while the archive's other parts are still being read)."""
        query = "INSERT INTO stubs (at, marked, call, reply, packed) VALUES (?, ?, ?, ?, ?)"
        with self._transaction():
            self.db.executemany(query, rows)
            self._join(self.count + 1, rows)
        self.count += len(rows)

    def _join(self, first_idx: int, rows: Sequence[StubRow]) -> None:
        """Union-find over the mails' numbers (eight bytes a mail in memory): the mails of a
        batch are joined in memory by the ids they share, and the batch notes the first of its
        mails naming each id; mails of different batches are joined when the votes are
        grouped, by sorting those notes on disk, not by looking each id up."""
        parent = self._parent
        parent.extend(range(first_idx, first_idx + len(rows)))
        first: dict[bytes, int] = {}
        for idx, row in enumerate(rows, start=first_idx):
            for ident in _linked_ids(row[4]):
                node = first.setdefault(ident, idx)
                if node != idx:
                    _union(parent, node, idx)
        self.db.executemany("INSERT INTO ids VALUES (?, ?)", first.items())

    def add_digests(self, left_out: bytes, reached: bytes) -> None:
        """The digests (eight bytes each, read as integers) of the ids a part's other mails
        name, and of those its vote mails reached."""
        with self._transaction():
            self.db.executemany("INSERT INTO left_out VALUES (?)", zip(_integers(left_out)))
            self.db.executemany("INSERT INTO reached VALUES (?)", zip(_integers(reached)))

    def reaches_more(self) -> bool:
        """Whether a mail some part left out names an id a vote mail reached."""
        query = (
            "SELECT EXISTS (SELECT 1 FROM left_out WHERE digest IN (SELECT digest FROM reached))"
        )
        return bool(self.db.execute(query).fetchone()[0])

    def stubs(self) -> Iterator[Stub]:
        """Every vote mail, in file order."""
        for at, packed in self.db.execute("SELECT at, packed FROM stubs ORDER BY idx"):
            yield stub_of(at, packed)

    # The votes: threads, then votes, then their calls.

    def group(self, where: str, wanted: str, chosen: Callable[[str], bool], *, cut: bool) -> int:
        """Plan the votes of the mail file `where`: the one whose call's mid: URL is `wanted`
        (all when empty), those whose title is `chosen`; how many. `cut`: the file ends
        mid-message, in its last vote mail. Planned again, the votes are planned anew."""
        for table in ("left_out", "reached", "roots", "threads", "votes"):  # digests: done
            self.db.execute(f"DELETE FROM {table}")
        with self._transaction():
            self._link()
            self._rank_threads()
            self._join_votes()
            return self._plan(where, wanted, chosen, cut)

    def _link(self) -> None:
        """Each mail's thread: the batches' threads (_join) joined across batches."""
        parent = self._parent
        across = """
            SELECT node, first FROM (
                SELECT node, MIN(node) OVER (PARTITION BY id) AS first FROM ids)
            WHERE node != first
        """
        for node, first_node in self.db.execute(across):
            _union(parent, first_node, node)
        roots = ((idx, _find(parent, idx)) for idx in range(1, self.count + 1))
        self.db.executemany("INSERT INTO roots VALUES (?, ?)", roots)
        self.db.execute("DELETE FROM ids")  # joined for good in memory: planned again, the same
        self.db.execute("CREATE INDEX IF NOT EXISTS roots_root ON roots (root)")

    def _rank_threads(self) -> None:
        """A thread's rank and vote key are its first mail's (by time, then file order)."""
        self.db.execute(
            """
            INSERT INTO threads (root, rank, key)
            SELECT root, ROW_NUMBER() OVER (ORDER BY at, idx), vote_key(packed)
            FROM (
                SELECT root, at, idx, packed,
                       ROW_NUMBER() OVER (PARTITION BY root ORDER BY at, idx) AS nth
                FROM stubs JOIN roots USING (idx))
            WHERE nth = 1
            """
        )
        self.db.execute(
            """
            UPDATE threads SET marked = 1
            WHERE root IN (SELECT root FROM stubs JOIN roots USING (idx) WHERE marked)
            """
        )

    def _join_votes(self) -> None:
        """A marked thread joins the vote of the first marked thread with its key."""
        query = "CREATE INDEX IF NOT EXISTS threads_key ON threads (key, rank) WHERE marked"
        self.db.execute(query)
        self.db.execute(
            """
            UPDATE threads SET vote = (
                SELECT MIN(rank) FROM threads AS first WHERE first.key = threads.key AND marked)
            WHERE marked
            """
        )
        query = "CREATE INDEX IF NOT EXISTS threads_vote ON threads (vote) WHERE vote IS NOT NULL"
        self.db.execute(query)

    def _plan(self, where: str, wanted: str, chosen: Callable[[str], bool], cut: bool) -> int:
        """Each vote with a call: find_call's (the first that is not a reply, else the
        first), its title and URL; the vote that holds the file's last mail when it is cut."""
        calls = self.db.execute(
            """
            SELECT vote, at, packed FROM (
                SELECT threads.vote, stubs.at, stubs.packed, ROW_NUMBER() OVER (
                    PARTITION BY threads.vote
                    ORDER BY stubs.reply, stubs.at, threads.rank, stubs.idx) AS nth
                FROM stubs JOIN roots USING (idx) JOIN threads USING (root)
                WHERE threads.vote IS NOT NULL AND stubs.call)
            WHERE nth = 1 ORDER BY vote
            """
        )
        cut_vote = self._vote_of(self.count) if cut else None
        planned = 0
        while batch := calls.fetchmany(STUBS_A_BATCH):  # one row a vote
            votes: list[tuple[int, int, bytes, bytes, bool]] = []
            for vote, at, packed in batch:
                call = stub_of(at, packed)
                title = threads.vote_title(call.subject)
                if (wanted and call.url != wanted) or not chosen(title):
                    continue
                url = vote_thread_url(where, call)
                planned_vote = (_text(url), _text(title), vote == cut_vote)
                votes.append((planned + len(votes), vote, *planned_vote))
            self.db.executemany("INSERT INTO votes VALUES (?, ?, ?, ?, ?)", votes)
            planned += len(votes)
        return planned

    def _vote_of(self, idx: int) -> int | None:
        query = "SELECT vote FROM roots JOIN threads USING (root) WHERE idx = ?"
        found = self.db.execute(query, (idx,)).fetchone()
        return None if found is None else found[0]

    def mails(self) -> int:
        """The vote mails of the planned votes."""
        query = """
            SELECT COUNT(*) FROM roots JOIN threads USING (root)
            WHERE vote IN (SELECT vote FROM votes)
        """
        return int(self.db.execute(query).fetchone()[0])

    def planned(self, start: int, count: int) -> list[PlannedVote]:
        """The planned votes from the `start`th, `count` of them, each with its mails in the
        order group_votes gives them (one query for them all)."""
        query = "SELECT n, url, title, cut FROM votes WHERE n >= ? AND n < ? ORDER BY n"
        votes = self.db.execute(query, (start, start + count)).fetchall()
        mails = self.db.execute(
            """
            SELECT votes.n, stubs.at, stubs.packed
            FROM votes JOIN threads USING (vote) JOIN roots USING (root) JOIN stubs USING (idx)
            WHERE votes.n >= ? AND votes.n < ?
            ORDER BY votes.n, stubs.at, threads.rank, stubs.idx
            """,
            (start, start + count),
        )
        by_vote = {
            n: tuple(row[1:] for row in rows)
            for n, rows in itertools.groupby(mails, key=operator.itemgetter(0))
        }
        return [
            PlannedVote(_str(url), _str(title), bool(cut), by_vote.get(n, ()))
            for n, url, title, cut in votes
        ]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def _no_mails() -> array[int]:
    return array("q", [0])  # numbers start at 1


def _find(parent: array[int], node: int) -> int:
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _union(parent: array[int], one: int, other: int) -> None:
    """The two threads joined; a thread's root is its first mail's number, whatever the order
    of the joins."""
    one, other = _find(parent, one), _find(parent, other)
    if one != other:
        parent[max(one, other)] = min(one, other)


def _integers(digests: bytes) -> array[int]:
    numbers = array("q")
    numbers.frombytes(digests)
    return numbers
