"""Every user mistake: one stderr line naming the file or option, the exit code, no traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.app.cli import main

MAIL = (
    "From dev-return-1@x  Mon Jan  5 15:00:00 2026\n"
    "From: Ada <ada@apache.org>\nSubject: [VOTE] Adopt\nMessage-ID: <c@x>\n"
    "Date: Mon, 5 Jan 2026 15:00:00 +0000\n\nPlease vote.\n\n"
)


@pytest.fixture
def vote(tmp_path: Path) -> Path:
    path = tmp_path / "vote.mbox"
    path.write_text(MAIL)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("harvest: warning")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_missing_thread_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.mbox"
    code, out, err = run(capsys, "--thread", str(missing))
    assert code == 1
    assert out == ""
    assert one_error_line(err) == f"harvest: error: {missing}: no such file"


def test_not_an_mbox(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.mbox"
    bad.write_text("hello\nworld\n")
    code, _, err = run(capsys, "--thread", str(bad))
    assert code == 1
    assert one_error_line(err).startswith(f"harvest: error: {bad}: not an mbox")


def test_roster_with_duplicate_id(
    capsys: pytest.CaptureFixture[str], vote: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "r.toml"
    member = '[[members]]\nid = "ada"\nname = "Ada"\nrole = "pmc"\n'
    roster.write_text(member + member)
    code, out, err = run(capsys, "--thread", str(vote), "--roster", str(roster))
    assert code == 2
    assert out == ""
    line = one_error_line(err)
    assert str(roster) in line
    assert "members[1].id" in line


def test_roster_with_bad_date(
    capsys: pytest.CaptureFixture[str], vote: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "r.toml"
    roster.write_text('[[members]]\nid = "ada"\nname = "Ada"\nrole = "pmc"\nsince = "2019-13-45"\n')
    code, _, err = run(capsys, "--thread", str(vote), "--roster", str(roster))
    assert code == 2
    assert "members[0].since" in one_error_line(err)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--rule", "simple-majority"],
            "harvest: error: --rule: unknown rule 'simple-majority'; accepted: lazy-2/3",
        ),
        (
            ["--closes-at", "tomorrow"],
            "harvest: error: --closes-at: not an ISO 8601 time: 'tomorrow'",
        ),
        (["--format", "pdf"], "harvest: error: harvest count: argument --format: invalid choice"),
        (["--match", "release"], "no [VOTE] thread matching 'release' found"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], vote: Path, args: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "--thread", str(vote), *args)
    assert code == 2
    assert out == ""
    assert expected in one_error_line(err)


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert one_error_line(err).startswith("harvest: error: a command is needed: count, audit,")


def test_an_unknown_kind_of_url_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "--thread", "https://example.org/some/page")
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("harvest: error: https://example.org/some/page: not a thread URL")


def test_email_format_needs_one_vote(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    two = tmp_path / "two.mbox"
    two.write_text(MAIL + MAIL.replace("[VOTE] Adopt", "[VOTE] Other").replace("<c@x>", "<d@x>"))
    code, _, err = run(capsys, "--thread", str(two), "--format", "email")
    assert code == 2
    assert "2 votes found; pick one with --match TEXT" in one_error_line(err)


def test_console_script_reports_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mbox"
    harvest = Path(sys.executable).parent / "harvest"
    done = subprocess.run(
        [str(harvest), "--thread", str(missing)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr == f"harvest: error: {missing}: no such file\n"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1/t/x/1", "not a valid URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:99999/t/x/1", "not a valid URL (Port out of range 0-65535)"),
        ("https:///t/x/1", "not a valid URL (no host)"),
    ],
)
def test_a_malformed_url_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], url: str, problem: str
) -> None:
    for option in ("--thread", "--roster"):
        args = (
            ["--thread", url] if option == "--thread" else ["--thread", "x.mbox", "--roster", url]
        )
        code, _, err = run(capsys, *args)
        assert code == 2
        assert one_error_line(err) == f"harvest: error: {url}: {problem}"


def test_serve_with_a_bad_or_busy_port_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    capsys.readouterr()
    assert main(["serve", "--db", url, "--port", "99999"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "harvest: error: harvest serve: argument --port: "
        "a port is a number from 0 to 65535, not '99999'\n"
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--db", url, "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"harvest: error: web 127.0.0.1:{port}: cannot listen (")
    assert err.count("\n") == 1


def test_a_closes_at_outside_any_vote_is_one_usage_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    absurd = "0001-01-01T00:00:00+23:59"
    code = main(["--thread", "examples/strategy-vote.mbox", "--closes-at", absurd])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"harvest: error: --closes-at: {absurd!r} is outside the years 1990 to 2199\n"


@pytest.mark.parametrize(("kind", "exit_code"), [("--thread", 1), ("--roster", 2)])
def test_json_nested_100000_deep_is_one_line(
    kind: str, exit_code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    argv = ["--thread", str(deep)]
    if kind == "--roster":
        vote = "examples/strategy-vote.mbox"
        argv = ["--thread", vote, "--roster", str(deep), "--committee", "tvm"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == exit_code  # a source that cannot be read; a roster is configuration
    assert err == f"harvest: error: {deep}: invalid JSON: nested too deeply\n"


def test_a_vote_id_too_large_for_any_database_is_no_such_vote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    capsys.readouterr()
    code = main(["votes", "show", "999999999999999999999", "--db", url])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "harvest: error: vote 999999999999999999999: no such vote in the database\n"
