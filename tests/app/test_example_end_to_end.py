"""The shipped example, end to end through the CLI, against the hand-derived oracle in
examples/EXPECTED.md and against the whole pinned JSON."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main

ROOT = Path(__file__).parent.parent.parent
VOTE = "examples/strategy-vote.mbox"  # relative, as the README runs it: URLs in the JSON too
ROSTER = "examples/roster.toml"
GOLDEN = ROOT / "tests" / "data" / "strategy-vote.expected.json"

# Transcribed from examples/EXPECTED.md ("Effective ballots"), written by hand from the design.
ORACLE = {
    "Hannah Morgan": (
        "hmorgan",
        True,
        "+1",
        "+1 (binding) from me to start.",
        "asf-address",
        False,
        False,
    ),
    "Tomás Quintero": ("tquintero", False, "+1", "+1", "listed-address", False, False),
    "Markus Fischer": ("mfischer", True, "+1", "+1 (binding)", "asf-address", True, False),
    "Bob Okafor": ("bokafor", True, "+1", "+1 (binding)", "asf-address", False, False),
    "Kevin Brandt": (None, False, "+1", "+1 (binding)", "unknown", False, False),
    "Yuxin Liu": ("yuxinliu", True, "+1", "+1 (binding)", "asf-address", False, False),
    "Sofía Valdés": ("svaldes", True, "+1", "+1 (non-binding)", "listed-address", False, False),
    "Roman Kowalski": (
        "rkowalski",
        False,
        "0",
        "+0 — I like having the process written down, "
        "but I'm not convinced every roadmap change needs a formal vote.",
        "asf-address",
        False,
        False,
    ),
    "Priya Raman": (
        "praman",
        True,
        "-1",
        "-1 (binding) because section 4 lets a 2/3 majority settle strategy",
        "dmarc-rewrite",
        False,
        False,
    ),
    "Takeshi Nakamura": ("tnakamura", True, "0", "0 (binding)", "listed-address", False, False),
    "Zoë Lindqvist": (
        "zlindqvist",
        True,
        "+1",
        "+1, checked the proposal text and the linked RFC.",
        "display-name",
        False,
        False,
    ),
    "Siddharth Iyer": ("siyer", False, "+1", "+1", "github-notification", False, False),
    "Chloé Dubois": ("cdubois", False, "+1", "+1", "asf-address", False, False),
    "Olusegun Adeyemi": ("oadeyemi", True, "-1", "-1 (binding)", "asf-address", False, True),
}


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def harvest_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["--thread", VOTE, "--roster", ROSTER, "--format", "json", *extra]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one vote, one line
    result: dict[str, Any] = json.loads(out)
    return result


def test_example_matches_the_hand_derived_oracle(capsys: pytest.CaptureFixture[str]) -> None:
    got = harvest_json(capsys)
    assert (got["status"], got["rule"]) == ("passed", "lazy-2/3")
    assert got["counts"] == {
        "binding": {"+1": 6, "0": 1, "-1": 1},
        "non_binding": {"+1": 4, "0": 1, "-1": 0},
    }
    assert (got["opened_at"], got["earliest_close"], got["closes_at"]) == (
        "2026-01-05T16:30:00Z",
        "2026-01-08T16:30:00Z",
        "2026-01-12T17:00:00Z",
    )
    ballots = {
        b["voter"]: (
            b["member_id"],
            b["binding"],
            b["value"],
            b["raw"],
            b["match"],
            b["changed"],
            b["late"],
        )
        for b in got["ballots"]
    }
    assert ballots == ORACLE
    bob = next(b for b in got["ballots"] if b["voter"] == "Bob Okafor")
    assert set(bob["usernames"]) == {"bob.okafor@gmail.com", "bokafor@apache.org"}
    history = [(h["voter"], h["value"]) for h in got["history"]]
    assert ("Markus Fischer", "-1") in history
    assert history.count(("Bob Okafor", "+1")) == 2


def test_example_review_items_are_the_expected_ones(capsys: pytest.CaptureFixture[str]) -> None:
    reasons = [r["reason"] for r in harvest_json(capsys)["review"]]
    flagged = {reason.split(":")[0].split(" wrote")[0].split(" voted")[0] for reason in reasons}
    assert flagged == {"Kevin Brandt", "Sofía Valdés", "Zoë Lindqvist", "Olusegun Adeyemi"}
    assert not any(name in " ".join(reasons) for name in ("Bob Okafor", "Priya", "Markus"))


def test_example_whole_json_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    assert harvest_json(capsys) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_strict_zero_reading_keeps_the_outcome(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARVESTER_VOTE__ZERO_COUNTS_AS_CAST", "false")
    got = harvest_json(capsys)
    assert got["status"] == "passed"
    assert "binding votes cast (+1 and -1) = 7 >= 3" in got["explanation"]


def test_example_as_result_email(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--thread", VOTE, "--roster", ROSTER, "--format", "email"]) == 0
    raw = capsys.readouterr().out.encode("utf-8")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "[RESULT][VOTE] Clarify Community Strategy Decision Process"
    assert (
        message["In-Reply-To"] == "<CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5JfKq6bVn-Rr1hMg@mail.gmail.com>"
    )
    body = message.get_content()
    assert (
        "The vote has passed with 10 +1 votes (6 binding), 2 0 votes (1 binding)\nand 1 -1" in body
    )
    assert (
        "+1:\n- Hannah Morgan (binding)\n- Yuxin Liu (binding)\n"
        "- Markus Fischer (binding, changed from -1)\n"
    ) in body
    assert "-1:\n- Priya Raman (binding)\n\n" in body
    assert "- Olusegun Adeyemi: -1 at Monday, 12 January 2026, 22:40 UTC" in body


def test_example_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--thread", VOTE, "--roster", ROSTER]) == 0
    captured = capsys.readouterr()
    assert "binding: +1 6, 0 1, -1 1   non-binding: +1 4, 0 1, -1 0" in captured.out
    assert "-1 (late)" in captured.out
    assert captured.err == ""


def test_match_picks_the_vote_and_skips_discussions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--thread", VOTE, "--match", "nightly CI", "--format", "json"]) == 2
    assert "no [VOTE] thread matching 'nightly CI' found" in capsys.readouterr().err
