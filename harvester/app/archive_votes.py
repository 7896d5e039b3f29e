"""A mail archive counted a vote at a time (`harvest --thread FILE.mbox` printing its votes).

The archive's vote mails are found by their headers (app/archive.py: stubs). Each vote is then
read whole, counted and written out by a worker, and only its output line comes back, in file
order, a chunk of votes at a time: no process holds the archive's vote mails, threads or
results all at once. The output is the one `harvest()` then `render()` give for the same file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from harvester.app.archive import archive_index, read_stubs
from harvester.app.counting import Counting, decide_vote
from harvester.app.mail_votes import split_vote_url
from harvester.app.output import as_json_line, as_text
from harvester.app.vote_index import PlannedVote, VoteIndex, stub_of
from harvester.app.workers import Workers
from harvester.core.clean import clean_thread, one_line
from harvester.errors import SelectionError
from harvester.model import Roster, RuleName, Thread
from harvester.sources.limits import ReadLimits
from harvester.sources.mbox import MID_MESSAGE, file_ends_mid_message

VOTES_A_CHUNK = 250  # votes read from the index at a time (their mails are held)
VOTES_A_BATCH = 8  # votes a process counts at a time: a hand-off per few tens of milliseconds
PARALLEL_FROM = 5000  # vote mails: fewer are counted in this process


@dataclass(frozen=True)
class Plans:
    """The votes planned in an archive's index, read from it a chunk at a time."""

    index: VoteIndex
    count: int


@dataclass(frozen=True)
class HowCounted:
    """What every vote of the harvest is counted and shown with."""

    roster: Roster
    counting: Counting
    now: datetime
    rule: RuleName | None
    closes_at: datetime | None
    limits: ReadLimits
    fmt: str  # "json" or "text"
    kind: str  # of the file's threads (mail_votes.mail_kind)


@contextlib.contextmanager
def archive_plans(
    spec: str, match: str | None, limits: ReadLimits, workers: Workers
) -> Iterator[Plans]:
    """The votes of the mbox `spec` names, planned in a scratch index that lasts while they
    are counted."""
    with archive_index(split_vote_url(spec)[0], limits, workers) as index:
        if index.count >= PARALLEL_FROM:  # the workers that will count start while it plans
            workers.warm(__name__)
        yield vote_plans(index, spec, match)


def vote_plans(index: VoteIndex, spec: str, match: str | None) -> Plans:
    """The votes of the archive `spec` names (a vote's fragment picks one), those whose title
    holds `match`; one line of error when there is none."""
    path, wanted = split_vote_url(spec)
    cut = index.ends_with_vote_mail and file_ends_mid_message(path)
    count = index.group(path, wanted, partial(_holds, match), cut=cut)
    if not count:
        what = f"matching {match!r}" if match else ""
        raise SelectionError(spec, f"no [VOTE] thread {what}".strip() + " found")
    return Plans(index, count)


def _holds(match: str | None, title: str) -> bool:
    return match is None or match.casefold() in one_line(title).casefold()


def counted_lines(path: str, plans: Plans, how: HowCounted, workers: Workers) -> Iterator[str]:
    """What `render` prints for each vote, in order, as the votes are counted."""
    jobs = workers.jobs if plans.index.mails() >= PARALLEL_FROM else 1
    calls = ((path, vote, how) for vote in _planned(plans))
    lines = workers.stream(
        count_plan,
        calls,
        batch=VOTES_A_BATCH,
        jobs=jobs,
        progress=workers.bar("counting", "votes"),
        total=plans.count,
    )
    for number, line in enumerate(lines):
        yield ("\n" if number and how.fmt == "text" else "") + line


def _planned(plans: Plans) -> Iterator[PlannedVote]:
    """The votes in order, read from the index VOTES_A_CHUNK at a time."""
    for start in range(0, plans.count, VOTES_A_CHUNK):
        yield from plans.index.planned(start, VOTES_A_CHUNK)


def count_plan(path: str, vote: PlannedVote, how: HowCounted) -> str:
    """One vote read, counted and shown (in a worker process)."""
    stubs = [stub_of(at, packed) for at, packed in vote.mails]
    messages = tuple(read_stubs(path, stubs, how.limits))
    warnings = (MID_MESSAGE,) if vote.cut else ()
    thread = Thread(
        kind=how.kind, url=vote.url, messages=messages, title=vote.title, warnings=warnings
    )
    thread = clean_thread(thread)
    # JSON and text show no result mail: the vote is decided, not drafted
    result = decide_vote(
        [thread], how.roster, how.counting, how.now, rule=how.rule, closes_at=how.closes_at
    )
    return as_json_line(result) + "\n" if how.fmt == "json" else as_text(result)
