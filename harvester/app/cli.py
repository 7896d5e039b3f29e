"""`harvest …`: pick the command, run it, map errors to exit codes.

Exit 0: a completed tally (passed or not); 1: a source could not be read; 2: bad usage or config.
Every user mistake is one line on stderr; only a bug in harvester prints a traceback. Each
command's modules are imported when it runs, so `harvest --version` costs almost nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from harvester import __version__
from harvester.errors import HarvesterError, UsageError
from harvester.model import RuleName

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
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for reading a large mail archive (default: the CPU count, %(default)s)",
    )
    return parser


def _jobs(raw: str) -> int:
    try:
        jobs = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if not 1 <= jobs <= 256:
        raise argparse.ArgumentTypeError(f"{jobs} is not between 1 and 256")
    return jobs


def _dispatch(arguments: list[str]) -> int:
    command, rest = arguments[:1], arguments[1:]
    if command == ["db"]:
        from harvester.app.db_command import run_db

        return run_db(rest, sys.stdout)
    if command in (["daemon"], ["serve"], ["votes"], ["send"]):
        from harvester.app import commands

        run = {
            "daemon": lambda: commands.run_daemon_command(rest, sys.stderr),
            "serve": lambda: commands.run_serve_command(rest, sys.stderr),
            "votes": lambda: commands.run_votes(rest, sys.stdout),
            "send": lambda: commands.run_send(rest, sys.stdout),
        }
        return run[command[0]]()
    args = build_parser().parse_args(arguments)
    from harvester.app import oneoff

    return oneoff.run(args, sys.stdout, sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        return _dispatch(arguments)
    except HarvesterError as error:
        sys.stderr.write(f"harvest: error: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("harvest: interrupted\n")
        return 130
