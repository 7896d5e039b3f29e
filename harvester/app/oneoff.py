"""`harvest --thread …`: the one-off harvest: read the threads, count, print, maybe keep it."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from harvester.app.arguments import parse_rule
from harvester.app.counting import Counting, VoteResult
from harvester.app.harvest import (
    HarvestRequest,
    harvest,
    is_regular_file,
    is_url,
    load_request_roster,
    needs_network,
    tally_vote,
)
from harvester.app.mail_files import read_limits
from harvester.app.mail_votes import mail_kind, split_vote_url
from harvester.app.output import as_email_text, as_json_line, as_text
from harvester.app.progress import TerminalProgress
from harvester.app.workers import Workers
from harvester.config import Settings, load_settings
from harvester.errors import SelectionError, SourceError, UsageError
from harvester.model import Roster, Status, is_sane_time
from harvester.sources.mbox import is_mbox

SPOOL_BYTES = 4 * 1024 * 1024  # output held in memory up to this, then in a temporary file
NO_ROSTER = "harvest: warning: no --roster given: every vote is counted as non-binding\n"


def parse_closes_at(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("--closes-at", f"not an ISO 8601 time: {raw!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not is_sane_time(moment):
        raise UsageError("--closes-at", f"{raw!r} is outside the years 1990 to 2199")
    return moment


def request_from(args: argparse.Namespace) -> HarvestRequest:
    return HarvestRequest(
        threads=tuple(args.thread),
        roster=tuple(args.roster or ()),
        committee=args.committee,
        rule=parse_rule(args.rule),
        closes_at=parse_closes_at(args.closes_at),
        match=args.match,
        jobs=args.jobs,
        keep_sources=bool(args.db),
    )


def render(
    results: Sequence[VoteResult], fmt: str, settings: Settings, now: datetime
) -> Iterator[str]:
    """The output, a vote at a time: an archive's thousands of votes are never one string."""
    if fmt == "email":
        if len(results) != 1:
            raise SelectionError(
                "--format email", f"{len(results)} votes found; pick one with --match TEXT"
            )
        draft = settings.draft
        yield as_email_text(results[0], sender=draft.sender, to=draft.to, now=now)
        return
    for number, result in enumerate(results):
        if fmt == "json":
            yield as_json_line(result) + "\n"
        else:
            yield ("\n" if number else "") + as_text(result)


async def _harvest(
    request: HarvestRequest, settings: Settings, now: datetime, err: TextIO
) -> list[VoteResult]:
    progress = TerminalProgress(err)
    if not needs_network(request):  # files only: no HTTP client
        return await harvest(request, settings, now, None, progress.bar)
    from harvester.app.fetch import Fetcher, http_options  # loads aiohttp: only when needed
    from harvester.sources.http import HttpClient

    async with HttpClient(http_options(settings)) as client:
        fetcher = Fetcher(client, settings, progress.for_source)
        return await harvest(request, settings, now, fetcher, progress.bar)


def is_one_archive(request: HarvestRequest, fmt: str) -> bool:
    """A harvest that prints the votes of one mbox file and keeps nothing: counted a vote at a
    time (app/archive_votes.py), so a large archive's votes are never all held."""
    if len(request.threads) != 1 or request.keep_sources or fmt not in ("json", "text"):
        return False
    path = split_vote_url(request.threads[0])[0]
    return not is_url(path) and is_regular_file(path) and is_mbox(path)


async def _roster(request: HarvestRequest, settings: Settings, err: TextIO) -> Roster:
    if not any(map(is_url, request.roster)):
        return await load_request_roster(request, None)  # files only: no HTTP client
    from harvester.app.fetch import Fetcher, http_options  # loads aiohttp: only when needed
    from harvester.sources.http import HttpClient

    progress = TerminalProgress(err)
    async with HttpClient(http_options(settings)) as client:
        return await load_request_roster(request, Fetcher(client, settings, progress.for_source))


def _write_whole(lines: Iterator[str], out: TextIO, err: TextIO, request: HarvestRequest) -> None:
    """Write the output only once it is whole: an error half way (the file rewritten while it
    is read) leaves nothing half-written. It waits in memory, on disk once it is large."""
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, "w+", encoding="utf-8") as spool:
        for line in lines:
            try:
                spool.write(line)
            except OSError as error:  # the temporary folder is full or cannot be written
                where = tempfile.gettempdir()
                raise SourceError(
                    where, f"cannot hold the output until it is whole: {error}"
                ) from None
        if not request.roster:
            err.write(NO_ROSTER)
        spool.seek(0)
        shutil.copyfileobj(spool, out)


def _archive_lines(
    request: HarvestRequest, fmt: str, settings: Settings, now: datetime, err: TextIO
) -> Iterator[str]:
    """The output of one mbox's harvest, a chunk of votes at a time."""
    from harvester.app.archive import start_readers

    spec = request.threads[0]
    path = split_vote_url(spec)[0]
    with Workers(request.jobs, TerminalProgress(err).bar) as workers:
        start_readers(path, workers)  # they start while this process loads the rest
        from harvester.app import archive_votes  # only for an archive: it loads the counting

        roster = asyncio.run(_roster(request, settings, err))
        limits = read_limits(settings)
        how = archive_votes.HowCounted(
            roster,
            Counting.of(settings),
            now,
            request.rule,
            request.closes_at,
            limits,
            fmt,
            mail_kind(path),
        )
        with archive_votes.archive_plans(spec, request.match, limits, workers) as plans:
            yield from archive_votes.counted_lines(path, plans, how, workers)


@dataclass(frozen=True)
class Kept:
    vote_id: int
    result: VoteResult
    draft_id: int | None  # the decided vote's result draft, for `harvest send`


async def _record(
    url: str,
    results: Sequence[VoteResult],
    request: HarvestRequest,
    settings: Settings,
    now: datetime,
) -> list[Kept]:
    """Keep the harvest: every write in one transaction, so a failure stores nothing. A vote
    people have corrected is counted again with their corrections, which outlive re-harvests.
    A decided vote keeps its result draft, once: harvesting it again adds none unless the
    draft changed."""
    from harvester.app.record import load_corrections, record_result, save_count
    from harvester.store.db import check_current, engine_for  # only with --db: SQLAlchemy

    engine = engine_for(url)
    try:
        await check_current(engine, url)
        async with engine.begin() as connection:
            kept = []
            for result in results:
                vote_id = await record_result(connection, result, result.roster, now)
                corrections = await load_corrections(connection, vote_id)
                if corrections.overrides or corrections.dismissals or corrections.verdicts:
                    result = tally_vote(
                        result.sources,
                        result.roster,
                        settings,
                        now,
                        rule=request.rule,
                        closes_at=request.closes_at,
                        corrections=corrections,
                    )
                    await save_count(connection, vote_id, result, now)
                draft_id = await _keep_draft(connection, vote_id, result, now)
                kept.append(Kept(vote_id, result, draft_id))
            return kept
    finally:
        await engine.dispose()


async def _keep_draft(
    connection: Any, vote_id: int, result: VoteResult, now: datetime
) -> int | None:
    """The result draft of a decided vote, stored unless the last one stored is the same."""
    from harvester.store import drafts, votes

    if result.outcome.status is Status.OPEN or result.tally.cancelled:
        return None
    stored = await votes.vote_drafts(connection, vote_id)
    if stored:
        last = await drafts.load_draft(connection, stored[-1].id)
        if last is not None and last.draft == result.draft:
            return last.id
    return await drafts.save_draft(connection, vote_id, result.draft, now)


def _kept_line(url: str, kept: Sequence[Kept]) -> str:
    votes = ", ".join(str(k.vote_id) for k in kept)
    drafts = [f"{k.draft_id} (vote {k.vote_id})" for k in kept if k.draft_id is not None]
    line = f"harvest: kept in {url} as vote(s) {votes}"
    if drafts:
        line += f"; result draft(s) {', '.join(drafts)}: send one with `harvest send ID`"
    return line + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = load_settings(args.config, os.environ)
    request = request_from(args)
    now = datetime.now(UTC)
    if is_one_archive(request, args.format):
        _write_whole(_archive_lines(request, args.format, settings, now, err), out, err, request)
        return 0
    results = asyncio.run(_harvest(request, settings, now, err))
    if args.db:
        from harvester.app.db_command import database_errors

        with database_errors(args.db):
            kept = asyncio.run(_record(args.db, results, request, settings, now))
        results = [k.result for k in kept]
        err.write(_kept_line(args.db, kept))
    if not request.roster:
        err.write(NO_ROSTER)
    out.writelines(render(results, args.format, settings, now))
    return 0
