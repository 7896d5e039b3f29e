"""The command tree (app/parsers.py): every level explains itself, each action has its own
flags, mistakes are one line, and the short form `harvest --thread …` keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ["--thread", str(ROOT / "examples/strategy-vote.mbox")]
ROSTER = ["--roster", str(ROOT / "examples/roster.toml")]
COMMANDS = ("count", "audit", "votes", "send", "daemon", "serve", "db", "config", "completion")


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    shown = help_of(capsys)
    for command in COMMANDS:
        assert f"\n    {command}" in shown


def test_each_votes_action_has_only_its_own_flags(capsys: pytest.CaptureFixture[str]) -> None:
    show = help_of(capsys, "votes", "show")
    override = help_of(capsys, "votes", "override")
    listing = help_of(capsys, "votes", "list")
    assert "--value" not in show
    assert "--roster" not in show
    assert "--value" in override
    assert "--status" not in override
    assert "--status" in listing
    assert "ID" not in listing
    actions = help_of(capsys, "votes")
    for action in ("list", "show", "recount", "verify", "override", "dismiss", "confirm"):
        assert f"\n    {action}" in actions


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["frobnicate"], "unknown command 'frobnicate'; the commands are: count,"),
        (["votes", "list", "--frob"], "harvest votes list: unrecognized arguments: --frob"),
        ([*EXAMPLE, "--frob"], "harvest count: unrecognized arguments: --frob"),
        (["db", "drop"], "harvest db: argument {upgrade,check}: invalid choice: 'drop'"),
        (["completion", "fish"], "harvest completion: argument shell: invalid choice"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"harvest: error: {line}")


def test_the_short_form_is_the_count_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EXAMPLE, *ROSTER, "--format", "json"]) == 0
    short = capsys.readouterr().out
    assert main(["count", *EXAMPLE, *ROSTER, "--format", "json"]) == 0
    assert capsys.readouterr().out == short
    assert '"status": "passed"' in short


@pytest.mark.parametrize(
    ("shell", "words"),
    [
        ("bash", ("count", "votes", "override", "--thread", "--roster")),
        ("zsh", ("count", "votes", "override", "--thread", "--roster")),
        ("tcsh", ("count", "votes", "override", "upgrade")),  # tcsh completes words, not flags
    ],
)
def test_completion_knows_the_commands_and_their_flags(
    capsys: pytest.CaptureFixture[str], shell: str, words: tuple[str, ...]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for word in words:
        assert word in script
