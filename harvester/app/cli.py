"""`harvest …`: parse arguments, call one app function, map errors to exit codes.

Exit 0: a completed tally (passed or not); 1: a source could not be read; 2: bad usage or config.
Every user mistake is one line on stderr; only a bug in harvester prints a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NoReturn, TextIO

from harvester import __version__
from harvester.app import commands
from harvester.app.arguments import parse_rule
from harvester.app.db_command import database_errors, run_db
from harvester.app.fetch import Fetcher, http_options
from harvester.app.harvest import HarvestRequest, VoteResult, harvest, tally_vote
from harvester.app.output import as_email_text, as_json_line, as_text
from harvester.app.progress import TerminalProgress
from harvester.app.record import load_corrections, record_result, save_count
from harvester.config import Settings, load_settings
from harvester.errors import HarvesterError, SelectionError, UsageError
from harvester.model import RuleName, is_sane_time
from harvester.sources.http import HttpClient
from harvester.store.db import check_current, engine_for

FORMATS = ("text", "json", "email")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("harvest", message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="harvest", description="Count an Apache-style vote from its threads.")
    parser.add_argument("--version", action="version", version=f"harvest {__version__}")
    parser.add_argument(
        "--thread",
        action="append",
        required=True,
        metavar="URL_OR_FILE",
        help="a thread of the vote: a Discourse topic, lists.apache.org thread or GitHub issue "
        "URL, or a file (.mbox, .eml, saved topic .json); repeat for the vote's other threads",
    )
    parser.add_argument(
        "--roster",
        metavar="PATH_OR_URL",
        help="roster: .toml, committee-info.json or CONTRIBUTORS.md, a file or a URL",
    )
    parser.add_argument("--committee", metavar="KEY", help="committee key in committee-info.json")
    parser.add_argument(
        "--rule",
        metavar="RULE",
        help="rule when the call names none: " + ", ".join(r.value for r in RuleName),
    )
    parser.add_argument("--closes-at", metavar="ISO8601", help="close the vote at this time")
    parser.add_argument("--match", metavar="TEXT", help="only the votes whose subject has TEXT")
    parser.add_argument("--format", default="text", choices=FORMATS)
    parser.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    parser.add_argument(
        "--db", metavar="URL", help="also keep the threads, vote and tally in this database"
    )
    return parser


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
        roster=args.roster,
        committee=args.committee,
        rule=parse_rule(args.rule),
        closes_at=parse_closes_at(args.closes_at),
        match=args.match,
    )


def render(results: Sequence[VoteResult], fmt: str, settings: Settings, now: datetime) -> str:
    if fmt == "json":
        return "".join(as_json_line(result) + "\n" for result in results)
    if fmt == "email":
        if len(results) != 1:
            raise SelectionError(
                "--format email", f"{len(results)} votes found; pick one with --match TEXT"
            )
        draft = settings.draft
        return as_email_text(results[0], sender=draft.sender, to=draft.to, now=now)
    return "\n".join(as_text(result) for result in results)


async def _harvest(
    request: HarvestRequest, settings: Settings, now: datetime, err: TextIO
) -> list[VoteResult]:
    progress = TerminalProgress(err)
    async with HttpClient(http_options(settings)) as client:
        fetcher = Fetcher(client, settings, progress.for_source)
        return await harvest(request, settings, now, fetcher)


async def _record(
    url: str,
    results: Sequence[VoteResult],
    request: HarvestRequest,
    settings: Settings,
    now: datetime,
) -> list[tuple[int, VoteResult]]:
    """Keep the harvest: every write in one transaction, so a failure stores nothing. A vote
    people have corrected is counted again with their corrections, which outlive re-harvests."""
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
                kept.append((vote_id, result))
            return kept
    finally:
        await engine.dispose()


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings(args.config, os.environ)
    request = request_from(args)
    now = datetime.now(UTC)
    results = asyncio.run(_harvest(request, settings, now, err))
    if args.db:
        with database_errors(args.db):
            kept = asyncio.run(_record(args.db, results, request, settings, now))
        results = [result for _, result in kept]
        ids = ", ".join(str(vote_id) for vote_id, _ in kept)
        err.write(f"harvest: kept in {args.db} as vote(s) {ids}\n")
    if request.roster is None:
        err.write("harvest: warning: no --roster given: every vote is counted as non-binding\n")
    out.write(render(results, args.format, settings, now))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        if arguments[:1] == ["db"]:
            return run_db(arguments[1:], sys.stdout)
        if arguments[:1] == ["daemon"]:
            return commands.run_daemon_command(arguments[1:], sys.stderr)
        if arguments[:1] == ["serve"]:
            return commands.run_serve_command(arguments[1:], sys.stderr)
        if arguments[:1] == ["votes"]:
            return commands.run_votes(arguments[1:], sys.stdout)
        if arguments[:1] == ["send"]:
            return commands.run_send(arguments[1:], sys.stdout)
        return run(arguments, sys.stdout, sys.stderr)
    except HarvesterError as error:
        sys.stderr.write(f"harvest: error: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("harvest: interrupted\n")
        return 130
