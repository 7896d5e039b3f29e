"""Every `harvest` command and its options, as one argparse tree.

Only argparse here: building the tree costs nothing, so `--help` at any level and shell
completion are quick. Each command names the function that runs it ("module:function"); the
CLI imports that module only when the command runs.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from harvester import __version__
from harvester.errors import UsageError
from harvester.model import RuleName

FORMATS = ("text", "json", "email")
SHELLS = ("bash", "zsh", "tcsh")
RULES = ", ".join(r.value for r in RuleName)
CORRECTION_VALUES = ("+1", "0", "-1", "none")


class Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming the command, through the CLI's error path."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.prog, message)


def build_parser() -> Parser:
    parser = Parser(
        prog="harvest",
        description="Count the votes of Apache-style projects and draft the [RESULT] mail. "
        "`harvest --thread URL …` is short for `harvest count --thread URL …`.",
    )
    parser.add_argument("--version", action="version", version=f"harvest {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=Parser, required=True
    )
    _count(commands)
    _audit(commands)
    _votes(commands)
    _send(commands)
    _daemon(commands)
    _serve(commands)
    _db(commands)
    _config(commands)
    _completion(commands)
    return parser


if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[Parser]


def _command(commands: Commands, name: str, run: str, summary: str) -> Parser:
    """A command (or a votes action) that `run` ("module:function") carries out."""
    sub = commands.add_parser(name, help=summary, description=summary)
    if run:
        sub.set_defaults(run=run)
    return sub


def _settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings file (TOML; default: $HARVESTER_CONFIG, ./harvester.toml, "
        "then ~/.config/harvester/harvester.toml)",
    )
    parser.add_argument("--db", metavar="URL", help="database URL (default: from the settings)")


def _thread_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--thread",
        action="append",
        required=required,
        metavar="URL_OR_FILE",
        help="a thread of the vote: a Discourse topic, lists.apache.org thread or GitHub issue "
        "URL, or a file (.mbox, .eml, saved topic .json); repeat for the vote's other threads",
    )


def _roster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--roster",
        action="append",
        metavar="PATH_OR_URL",
        help="roster: .toml, CONTRIBUTORS.md or Whimsy's committee-info.json, "
        "public_ldap_projects.json (committers too) and public_ldap_people.json (their names), "
        "a file or a URL; repeat to combine files of the project",
    )
    parser.add_argument("--committee", metavar="KEY", help="the project's key in Whimsy's files")


def _count(commands: Commands) -> None:
    sub = _command(commands, "count", "harvester.app.oneoff:run", "Count a vote from its threads.")
    _thread_options(sub)
    _roster_options(sub)
    sub.add_argument("--rule", metavar="RULE", help=f"rule when the call names none: {RULES}")
    sub.add_argument(
        "--closes-at", metavar="ISO8601", help="close the vote at this time (UTC unless given)"
    )
    sub.add_argument("--match", metavar="TEXT", help="only the votes whose subject has TEXT")
    sub.add_argument("--format", default="text", choices=FORMATS, help="output (default: text)")
    _settings_options(sub)
    sub.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for reading a large mail archive (default: the CPU count, %(default)s)",
    )


def _audit(commands: Commands) -> None:
    sub = _command(
        commands,
        "audit",
        "harvester.app.audit:run",
        "Recount every vote of an archive (a mail file, or a list on lists.apache.org) that has "
        "a [RESULT], and compare each with what its result announced.",
    )
    sub.add_argument(
        "--thread",
        action="append",
        required=True,
        metavar="FILE_OR_LIST_URL",
        help="an .mbox, or a list: https://lists.apache.org/list.html?dev@tvm.apache.org",
    )
    _roster_options(sub)
    sub.add_argument(
        "--since", metavar="DATE", help="only votes called on or after DATE (YYYY-MM-DD)"
    )
    sub.add_argument("--format", default="text", choices=("text", "json"))
    _settings_options(sub)
    sub.add_argument("--jobs", type=_jobs, default=os.cpu_count() or 1, metavar="N")


def _votes(commands: Commands) -> None:
    votes = _command(
        commands,
        "votes",
        "",
        "Stored votes: list, show, recount, verify; correct a ballot (override), set a review "
        "item aside (dismiss), confirm or reject the identity that sent a message.",
    )
    actions = votes.add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    listing = _action(actions, "list", "The stored votes, newest first.", with_id=False)
    listing.add_argument("--status", help="only votes with this status (open, passed, failed)")
    listing.add_argument("--project", metavar="NAME", help="only the votes of this project")
    _format(listing)
    _format(_action(actions, "show", "One vote as its page shows it: ballots, counts, draft."))
    recount = _action(actions, "recount", "Count a stored vote again from its stored messages.")
    _roster_options(recount)
    recount.add_argument("--rule", metavar="RULE", help=f"the rule when the call has none: {RULES}")
    _format(recount)
    _action(
        actions,
        "verify",
        "Recompute a vote's digest from its stored messages, roster, rule and corrections: "
        "exit 0 when it agrees with the count's, 1 naming what changed.",
    )
    _corrections(actions)


def _action(actions: Commands, name: str, summary: str, *, with_id: bool = True) -> Parser:
    sub = _command(actions, name, "harvester.app.commands:run_votes", summary)
    if with_id:
        sub.add_argument("id", metavar="ID", type=_vote_id, help="the vote's ID")
    _settings_options(sub)
    return sub


def _format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="text", choices=("text", "json"))


def _corrections(actions: Commands) -> None:
    by = "who makes the correction (default: $USER)"
    override = _action(actions, "override", "Correct how a ballot was read, or clear that.")
    override.add_argument("--url", required=True, help="the ballot's message URL")
    override.add_argument("--value", choices=CORRECTION_VALUES, help="the vote it is")
    override.add_argument("--binding", choices=("yes", "no"), help="binding or not")
    override.add_argument("--member", metavar="ID", help="the roster member who cast it")
    override.add_argument("--clear", action="store_true", help="back to what was read")
    override.add_argument("--reason", help="why (kept and shown with the correction)")
    override.add_argument("--by", help=by)
    dismiss = _action(actions, "dismiss", "Set a review item aside.")
    dismiss.add_argument("--url", required=True, help="the review item's URL")
    dismiss.add_argument("--review", required=True, help="the review item's text, as shown")
    dismiss.add_argument("--note", help="why (kept with it)")
    dismiss.add_argument("--by", help=by)
    for name, summary in (
        ("confirm", "Confirm who sent a message: that identity is theirs for every vote."),
        ("reject", "Say a message's sender is not the member it was matched to."),
    ):
        judge = _action(actions, name, summary)
        judge.add_argument("--url", required=True, help="the message's URL")
        judge.add_argument("--member", metavar="ID", help="the member (default: the one matched)")
        judge.add_argument("--note", help="why (kept with it)")
        judge.add_argument("--by", help=by)


def _send(commands: Commands) -> None:
    sub = _command(
        commands,
        "send",
        "harvester.app.commands:run_send",
        "E-mail one stored draft, or post it where the vote was held.",
    )
    sub.add_argument("id", metavar="ID", type=_vote_id, help="the draft's ID (see votes show)")
    sub.add_argument(
        "--again", action="store_true", help="send even if it was sent (or may have been) before"
    )
    sub.add_argument(
        "--channel",
        choices=("mail", "github", "discourse"),
        default="mail",
        help="a queued post of it instead of the mail (looked for before it is posted again)",
    )
    _settings_options(sub)


def _daemon(commands: Commands) -> None:
    sub = _command(
        commands,
        "daemon",
        "harvester.app.commands:run_daemon_command",
        "Watch for votes, keep their counts current, close them and send the result drafts.",
    )
    _settings_options(sub)
    _log_options(sub)


def _serve(commands: Commands) -> None:
    sub = _command(
        commands,
        "serve",
        "harvester.app.commands:run_serve_command",
        "Serve the dashboard, JSON API, /healthz and /metrics (no polling).",
    )
    _settings_options(sub)
    sub.add_argument("--host", help="address to listen on (default: [web] host)")
    sub.add_argument("--port", type=_port, help="port (default: [web] port; 0: any free one)")
    _log_options(sub)


def _log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING"))
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="log lines as text or as JSON objects (default: [log] format)",
    )


def _db(commands: Commands) -> None:
    sub = _command(
        commands,
        "db",
        "harvester.app.db_command:run_db",
        "Create or upgrade the database schema, or say whether it is current.",
    )
    sub.add_argument("action", choices=("upgrade", "check"), metavar="{upgrade,check}")
    _settings_options(sub)


def _config(commands: Commands) -> None:
    sub = _command(
        commands,
        "config",
        "harvester.app.settings_command:run_config",
        "Show the effective settings, secrets masked, and where each value came from.",
    )
    sub.add_argument("action", choices=("show",), metavar="{show}")
    sub.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    sub.add_argument("--format", default="text", choices=("text", "json"))


def _completion(commands: Commands) -> None:
    sub = _command(
        commands,
        "completion",
        "harvester.app.cli:print_completion",
        'Print a shell completion script: eval "$(harvest completion bash)".',
    )
    sub.add_argument("shell", choices=SHELLS)


def _jobs(raw: str) -> int:
    try:
        jobs = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if not 1 <= jobs <= 256:
        raise argparse.ArgumentTypeError(f"{jobs} is not between 1 and 256")
    return jobs


LARGEST_ID = 2**63 - 1  # what a database integer column holds


def _vote_id(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"an ID is a number, not {raw!r}")
    return int(raw)  # one larger than LARGEST_ID names no row: the command says so


def _port(raw: str) -> int:
    if not raw.isdigit() or int(raw) > 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {raw!r}")
    return int(raw)
