"""`harvest …`: pick the command, run it, map errors to exit codes.

Exit 0: a completed tally (passed or not); 1: a source could not be read; 2: bad usage or config.
Every user mistake is one line on stderr; only a bug in harvester prints a traceback. Each
command's modules are imported when it runs, so `harvest --version` and `--help` cost almost
nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from harvester.app.parsers import build_parser
from harvester.errors import HarvesterError, UsageError

Runner = Callable[[argparse.Namespace, TextIO, TextIO], int]
_TOP_LEVEL = ("-h", "--help", "--version")


def command_names() -> list[str]:
    return list(_subcommands(build_parser()))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def with_command(arguments: list[str]) -> list[str]:
    """`harvest --thread …` is `harvest count --thread …`; an unknown command is one line."""
    if not arguments:
        raise UsageError("harvest", f"a command is needed: {', '.join(command_names())}")
    first = arguments[0]
    if first.startswith("-") and first not in _TOP_LEVEL:
        return ["count", *arguments]
    if not first.startswith("-") and first not in command_names():
        known = ", ".join(command_names())
        raise UsageError("harvest", f"unknown command {first!r}; the commands are: {known}")
    return arguments


def runner(spec: str) -> Runner:
    module, _, name = spec.partition(":")
    return cast(Runner, getattr(importlib.import_module(module), name))


def parsed(arguments: list[str]) -> argparse.Namespace:
    """The arguments read; an option no level knows is named with the command it was given to."""
    args, unknown = build_parser().parse_known_args(with_command(arguments))
    if unknown:
        prog = " ".join(["harvest", args.command, *([args.action] if "action" in args else [])])
        raise UsageError(prog, f"unrecognized arguments: {' '.join(unknown)}")
    return args


def runner_for(arguments: list[str]) -> Callable[[TextIO, TextIO], int]:
    args = parsed(arguments)
    run = runner(args.run)
    return lambda out, err: run(args, out, err)


def print_completion(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import shtab

    out.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return runner_for(arguments)(out, err)
    except HarvesterError as error:
        said = error.problem if error.where == "harvest" else str(error)  # not "harvest" twice
        err.write(f"harvest: error: {said}\n")
        return error.exit_code
    except KeyboardInterrupt:
        err.write("harvest: interrupted\n")
        return 130
    except BrokenPipeError:  # `harvest … | head`: the reader has gone, and that is fine
        _quiet_stdout()
        return 141


def _quiet_stdout() -> None:
    """Python would complain once more when it flushes stdout at exit."""
    with contextlib.suppress(OSError, ValueError):  # stdout is not a file (a test's buffer)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
