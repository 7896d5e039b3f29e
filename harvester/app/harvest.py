"""One harvest: read every thread (file or URL) -> split into votes -> tally -> decide -> draft."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from harvester.app.archive import vote_messages_of_archive
from harvester.app.counting import (
    Counting,
    VoteResult,
    counted_apart,
    decide_vote,
    with_draft,
)
from harvester.app.mail_files import mail_threads, read_limits, with_cut_warning
from harvester.app.mail_votes import split_vote_url
from harvester.app.workers import Bars, Workers
from harvester.config import Settings
from harvester.core.clean import clean_thread
from harvester.errors import SelectionError, UsageError
from harvester.model import (
    Corrections,
    Message,
    Roster,
    RuleName,
    Thread,
)
from harvester.sources.limits import DEFAULT_LIMITS, ReadLimits
from harvester.sources.mbox import file_ends_mid_message, is_mbox, read_mail_file
from harvester.sources.roster import combine, read_roster_part
from harvester.sources.tasks import gather_all, task_group

if TYPE_CHECKING:  # the network wiring loads aiohttp: a harvest of files never needs it
    from harvester.app.fetch import Fetcher

# Fewer messages than this are counted in this process: starting workers costs more.
PARALLEL_TALLY_FROM = 5000


@dataclass(frozen=True)
class HarvestRequest:
    threads: tuple[str, ...]
    roster: tuple[str, ...] = ()  # files or URLs of one project's roster, combined
    committee: str | None = None
    rule: RuleName | None = None
    closes_at: datetime | None = None
    match: str | None = None
    jobs: int = 1  # processes for reading a large mail archive
    keep_sources: bool = True  # the results hold the threads counted (to store them)


def is_url(spec: str) -> bool:
    """http(s)://… is a URL, anything else a file; malformed URLs are reported by the fetcher."""
    return spec.split("://", 1)[0].lower() in {"http", "https"} and "://" in spec


def read_thread_file(
    spec: str, limits: ReadLimits = DEFAULT_LIMITS, workers: Workers | None = None
) -> list[Thread]:
    """A local --thread: a saved topic is one thread; a mail file may hold many, and
    "file.mbox#mid:<call>" (a stored vote's thread URL) names one of them."""
    path = split_vote_url(spec)[0]
    if os.path.splitext(path)[1].lower() == ".json":
        from harvester.sources.discourse import read_topic_file  # its package loads aiohttp

        return [clean_thread(read_topic_file(path))]
    messages, last = vote_messages(path, limits, workers or Workers(1))
    threads = mail_threads(spec, messages)
    if is_regular_file(path) and file_ends_mid_message(path):  # a pipe cannot be opened again
        threads = with_cut_warning(threads, last)
    return [clean_thread(t) for t in threads]


def vote_messages(
    path: str, limits: ReadLimits, workers: Workers | None = None
) -> tuple[list[Message], Message | None]:
    """The messages of a mail file's votes, and its last message when it is one of them. An
    mbox is read for its votes only (app/archive.py: on the workers when it is large), so
    memory does not grow with the archive; an .eml, or a pipe, which cannot be read twice, is
    read whole."""
    if is_regular_file(path) and is_mbox(path):
        return vote_messages_of_archive(path, limits, workers or Workers(1))
    messages = list(read_mail_file(path, limits))
    return messages, messages[-1] if messages else None


def is_regular_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # then reading it says what is wrong


def needs_network(request: HarvestRequest) -> bool:
    """Whether a thread or roster part of the request is a URL: only then is the network
    wiring (and its HTTP library) loaded."""
    return any(is_url(spec) for spec in (*request.threads, *request.roster))


def _online(fetcher: Fetcher | None, spec: str) -> Fetcher:
    if fetcher is None:
        raise UsageError(spec, "a URL is read only with the network wiring")
    return fetcher


async def read_thread_spec(
    spec: str, fetcher: Fetcher | None, limits: ReadLimits, workers: Workers
) -> list[Thread]:
    if is_url(spec):
        return await _online(fetcher, spec).thread(spec)
    return read_thread_file(spec, limits, workers)


def _matches(thread: Thread, match: str | None) -> bool:
    return match is None or match.casefold() in thread.title.casefold()


async def select_votes(
    request: HarvestRequest, fetcher: Fetcher | None, limits: ReadLimits, workers: Workers
) -> list[list[Thread]]:
    """The votes to tally: several --thread arguments are one vote; one mail file may hold many.
    Every URL is read at once; each source's client keeps to its per-host limits."""
    specs = request.threads
    read = await gather_all(*(read_thread_spec(s, fetcher, limits, workers) for s in specs))
    per_spec = [[t for t in found if _matches(t, request.match)] for found in read]
    for spec, found in zip(request.threads, per_spec, strict=True):
        if not found:
            what = f"matching {request.match!r}" if request.match else ""
            raise SelectionError(spec, f"no [VOTE] thread {what}".strip() + " found")
    if len(per_spec) == 1:
        return [[thread] for thread in per_spec[0]]
    for spec, found in zip(request.threads, per_spec, strict=True):
        if len(found) > 1:
            raise SelectionError(spec, f"holds {len(found)} votes; pick one with --match TEXT")
    return [[found[0] for found in per_spec]]


async def load_request_roster(request: HarvestRequest, fetcher: Fetcher | None) -> Roster:
    """The request's roster; `fetcher` may be None when every part of it is a file."""
    if not request.roster:
        return Roster(members=(), source="")
    committee = request.committee
    parts = [
        await _online(fetcher, spec).roster_part(spec, committee)
        if is_url(spec)
        else read_roster_part(spec, committee=committee)
        for spec in request.roster
    ]
    return combine(parts)


def tally_vote(
    sources: Sequence[Thread],
    roster: Roster,
    settings: Settings,
    now: datetime,
    *,
    rule: RuleName | None = None,
    closes_at: datetime | None = None,
    corrections: Corrections | None = None,
) -> VoteResult:
    """A vote decided (decide_vote) and drafted, under the configured [vote] settings."""
    counting = Counting.of(settings)
    decided = decide_vote(
        sources, roster, counting, now, rule=rule, closes_at=closes_at, corrections=corrections
    )
    return with_draft(decided, sources, roster, counting)


async def harvest(
    request: HarvestRequest,
    settings: Settings,
    now: datetime,
    fetcher: Fetcher | None,
    bars: Bars | None = None,
) -> list[VoteResult]:
    """Every vote the request names, tallied as of `now`: a large archive is read, and its
    votes counted, on `request.jobs` processes; `bars` draws the progress of long work.
    `fetcher` may be None when nothing is a URL (needs_network)."""
    with Workers(request.jobs, bars) as workers:
        async with task_group() as group:
            roster = group.create_task(load_request_roster(request, fetcher))
            limits = read_limits(settings)
            votes = group.create_task(select_votes(request, fetcher, limits, workers))
        selected = votes.result()
        count = partial(
            counted_apart,
            roster=roster.result(),
            counting=Counting.of(settings),
            now=now,
            rule=request.rule,
            closes_at=request.closes_at,
        )
        messages = sum(len(t.messages) for vote in selected for t in vote)
        jobs = workers.jobs if messages >= PARALLEL_TALLY_FROM else 1
        progress = workers.bar("counting", "votes")
        counted = workers.map(count, selected, jobs=jobs, progress=progress)  # independent votes
    if not request.keep_sources:  # the threads can go as soon as they are counted
        return [replace(result, roster=roster.result()) for result in counted]
    return [
        replace(result, sources=tuple(vote), roster=roster.result())
        for result, vote in zip(counted, selected, strict=True)
    ]
