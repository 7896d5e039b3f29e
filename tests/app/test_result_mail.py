"""The result mail a release manager sends: `--format email` pastes as it is, a vote profile
may bring its own template, and the outcome may go in the subject."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from harvester.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
VOTE = ["--thread", str(ROOT / "examples/strategy-vote.mbox")]
ROSTER = ["--roster", str(ROOT / "examples/roster.toml")]


def mail_of(capsys: pytest.CaptureFixture[str], *extra: str) -> email.message.EmailMessage:
    assert main([*VOTE, *ROSTER, "--format", "email", *extra]) == 0
    raw = capsys.readouterr().out.encode("utf-8")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_the_example_result_pastes_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    message = mail_of(capsys)
    assert message["Content-Transfer-Encoding"] == "8bit"
    body = message.get_content()
    assert body.startswith("Hi all,\n\nThe vote has passed with 10 +1 votes (6 binding), 2 0 votes")
    assert "- Sofía Valdés (binding)\n" in body
    assert "- Markus Fischer (binding, changed from -1)\n" in body
    assert "- Roman Kowalski\n" in body  # not binding: no mark
    assert "Monday, 5 January 2026, 16:30 UTC" in body
    assert "strategy-vote.mbox" not in body  # a local path means nothing on the list
    assert "Message-ID <CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5JfKq6bVn-Rr1hMg@mail.gmail.com>" in body
    assert "Needs review" not in body


def test_a_profile_template_and_the_outcome_in_the_subject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "strategy.txt.j2").write_text(
        "Strategy vote on {{ title }}: {{ status|upper }}.\n{{ outcome_sentence }}\n"
        "{% for value, voters in votes %}{{ value }}: {{ voters|join(', ') }}\n{% endfor %}"
    )
    config = tmp_path / "harvester.toml"
    config.write_text(
        '[draft]\noutcome_in_subject = true\n\n[[vote.profiles]]\nname = "strategy"\n'
        'subject = "strategy"\ntemplate = "strategy.txt.j2"\n'
    )
    message = mail_of(capsys, "--config", str(config))
    assert message["Subject"] == (
        "[RESULT][VOTE] Clarify Community Strategy Decision Process - PASSED"
    )
    body = message.get_content()
    assert body.startswith("Strategy vote on Clarify Community Strategy Decision Process: PASSED.")
    assert "-1: Priya Raman (binding)\n" in body


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (None, "cannot read the result template (No such file or directory)"),
        ("{% for x in votes %}\nno end\n", "not a valid Jinja2 template (line"),
    ],
)
def test_a_bad_profile_template_is_one_line_at_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str | None, problem: str
) -> None:
    if template is not None:
        (tmp_path / "mine.j2").write_text(template)
    config = tmp_path / "harvester.toml"
    config.write_text('[[vote.profiles]]\nname = "any"\nsubject = "."\ntemplate = "mine.j2"\n')
    assert main([*VOTE, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"harvest: error: {tmp_path / 'mine.j2'}: vote.profiles[any].template: ")
    assert problem in err
    assert err.count("\n") == 1
