"""Reading what a vote's own [RESULT] announces (core/announcement.py), one test per shape
release managers write, and setting it against the count (core/crosscheck.py): each human
error of published results is found, and a correct result gives no difference."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harvester.core.announcement import read_announcement
from harvester.core.crosscheck import check_announcement
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Announcement, RuleName, Value
from tests.core.factories import ROSTER, T0, call, mail, thread

P, Z, M = Value.PLUS, Value.ZERO, Value.MINUS


def claims_of(text: str, subject: str = "[RESULT][VOTE] Release X 1.0"):  # type: ignore[no-untyped-def]
    return read_announcement("mid:r@x", subject, text.split("\n"))


SHAPES = {
    "sentence with stars legend (TVM)": (
        "Hi all,\n\nThe vote to release Apache TVM v0.16.0.rc0 has passed, with 3 +1 votes "
        "(2 binding) and no 0 or -1 votes.\n\n+1 votes (* binding)\n- Tianqi Chen *\n"
        "- Siyuan Feng *\n- Ada Contributor\n\nVote thread: https://lists.apache.org/thread/x\n",
        "passed", {P: 2}, {P: 3, Z: 0, M: 0},
        [("Tianqi Chen", P, True), ("Siyuan Feng", P, True), ("Ada Contributor", P, False)],
    ),
    "legend first, empty values (Spark)": (
        "The vote passes. Thanks to all who helped with the release!\n\n(* = binding)\n+1:\n"
        "- Dongjoon Hyun *\n- Sean Owen *\n- Yang Jie\n\n+0: None\n\n-1: None\n",
        "passed", {}, {},
        [("Dongjoon Hyun", P, True), ("Sean Owen", P, True), ("Yang Jie", P, False)],
    ),
    "binding headings, plain lines and an inline list": (
        "The vote has passed with 5 +1 votes (3 binding), no 0 and no -1 votes.\n\n"
        "+1 (binding):\nTianqi Chen\nJunru Shao\nSiyuan Feng\n\n+1 (non-binding): Ada, Bo\n",
        "passed", {P: 3}, {P: 5, M: 0},
        [("Tianqi Chen", P, True), ("Junru Shao", P, True), ("Siyuan Feng", P, True),
         ("Ada", P, False), ("Bo", P, False)],
    ),
    "count lines": (
        "Vote result: approved.\nBinding +1: 3\n+1: 5 (3 binding)\n-1: 0\n",
        "passed", {P: 3}, {P: 5, M: 0}, [],
    ),
    "marks after names, ids in parentheses, failed": (
        "The vote has failed.\n\n+1:\n* Tianqi Chen (tqchen) (binding)\n* @junrushao\n\n"
        "-1:\n1. Bo Chen [binding]\n2. Carla Dias - non-binding\n",
        "failed", {}, {},
        [("Tianqi Chen", P, True), ("junrushao", P, False), ("Bo Chen", M, True),
         ("Carla Dias", M, False)],  # unmarked beside "(binding)" ones: non-binding
    ),
    "count lines, one a line, no names (no list read)": (
        "The vote has passed. The final tally:\n\n+1 votes: 12 (7 binding)\n0 votes: 0\n"
        "-1 votes: 2 (1 binding)\n",
        "passed", {P: 7, M: 1}, {P: 12, Z: 0, M: 2}, [],
    ),
    "airflow": (
        'Hello,\n\nApache Kite 1.0 (based on RC2) has been accepted.\n\n'
        '3 "+1" binding votes received:\n- Ada Lovegood\n- Bo Chen\n- Carla Dias\n\n'
        '1 "+1" non-binding vote received:\n- Dev Patel\n',
        "passed", {P: 3}, {},
        [("Ada Lovegood", P, True), ("Bo Chen", P, True), ("Carla Dias", P, True),
         ("Dev Patel", P, False)],
    ),
    "flink": (
        "Hi everyone,\n\nI'm happy to announce that we have unanimously approved this release."
        "\n\nThere are 3 approving votes, 2 of which are binding:\n* Ada Lovegood (binding)\n"
        "* Bo Chen (binding)\n* Dev Patel (non-binding)\n\nThere are no disapproving votes.\n",
        "passed", {P: 2}, {P: 3, M: 0},
        [("Ada Lovegood", P, True), ("Bo Chen", P, True), ("Dev Patel", P, False)],
    ),
    "kafka groups": (
        "Hi all,\n\nThis vote passes with 3 +1 votes (2 bindings) and no 0 or -1 votes.\n\n"
        "+1 votes\nPMC Members:\n* Ada Lovegood\n* Bo Chen\n\nCommunity:\n* Dev Patel\n\n"
        "0 votes\n* No votes\n\n-1 votes\n* No votes\n",
        "passed", {P: 2}, {P: 3, Z: 0, M: 0},
        [("Ada Lovegood", P, True), ("Bo Chen", P, True), ("Dev Patel", P, False)],
    ),
    "spark counts in +1s": (
        "The vote passes with 4 +1s (3 binding +1s).\nThanks all!\n",
        "passed", {P: 3}, {P: 4}, [],
    ),
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_of_result_is_read(shape: str) -> None:
    text, outcome, binding, total, listed = SHAPES[shape]
    claims = claims_of(text)
    assert claims.outcome == outcome
    assert claims.binding == binding
    assert claims.total == total
    assert [(x.name, x.value, x.binding) for x in claims.listed] == listed


def test_ids_beside_a_name_are_kept_to_match_it() -> None:
    (tianqi,) = claims_of("+1:\n* Tianqi Chen (tqchen) <tqchen@apache.org>\n").listed
    assert tianqi.aliases == ("tqchen", "tqchen@apache.org")


def test_prose_is_not_a_list_and_a_date_is_not_a_count() -> None:
    claims = claims_of(
        "Thanks all. The vote passed on 2026-01-09.\n\n+1 from me as well, see you at the "
        "meetup.\nThe release will be announced soon.\n"
    )
    assert claims.listed == []
    assert claims.total == {}
    assert claims.binding == {}


# --- against the count ------------------------------------------------------------------------


def checked(result: str, *ballots: object) -> Announcement:
    """The example vote: Ada calls it with her own +1 (binding), Bo and Carla (PMC) +1, Dev
    (committer) +1, Zoë (PMC) -1; then the [RESULT] mail `result`."""
    closing = mail(20, result, subject="[RESULT][VOTE] Adopt the plan")
    messages = ballots or (
        call("Please vote; open for at least 72 hours.\n\n+1 (binding)\n"),
        mail(1, "+1", address="bochen@apache.org"),
        mail(2, "+1", address="carla@apache.org"),
        mail(3, "+1", address="devp@apache.org"),
        mail(4, "-1", address="zoe@apache.org"),
    )
    tally = count_votes([thread(*messages, closing)], ROSTER, TallyOptions())  # type: ignore[arg-type]
    outcome = decide(tally, RuleName.LAZY_TWO_THIRDS, T0 + timedelta(days=9), RuleSettings())
    assert tally.result_text is not None
    said = tally.result_text
    claims = read_announcement(said.url, said.subject, said.lines)
    return check_announcement(claims, tally, outcome, ROSTER)


RIGHT = (
    "The vote has passed with 4 +1 votes (3 binding), no 0 votes and 1 -1 vote (1 binding).\n\n"
    "+1:\n- Ada Lovegood (binding)\n- Bo Chen (binding)\n- Carla Dias (binding)\n- Dev Patel\n\n"
    "-1:\n- Zoë Lindqvist (binding)\n"
)


def test_a_correct_result_gives_no_difference() -> None:
    announced = checked(RIGHT)
    assert announced.differences == ()
    assert announced.binding == (3, None, 1)
    assert announced.total == (4, 0, 1)


@pytest.mark.parametrize(
    ("result", "difference"),
    [
        (  # the caller's own +1 left out of the list
            RIGHT.replace("- Ada Lovegood (binding)\n", "").replace("4 +1", "3 +1")
            .replace("(3 binding)", "(2 binding)"),
            "The result leaves out Ada Lovegood's +1 (binding).",
        ),
        (  # a number that disagrees with its own list
            RIGHT.replace("4 +1 votes", "7 +1 votes"),
            "The result says 7 +1 votes but lists 4 names under +1.",
        ),
        (  # a binding mark the roster contradicts
            RIGHT.replace("- Dev Patel\n", "- Dev Patel (binding)\n"),
            "The result marks Dev Patel binding, but Dev Patel is not in the PMC on the roster.",
        ),
        (  # no binding mark at all
            "The vote has passed.\n\n+1:\n- Ada Lovegood\n- Bo Chen\n- Carla Dias\n- Dev Patel\n\n"
            "-1:\n- Zoë Lindqvist\n",
            "The result does not say which votes are binding; 4 of the counted votes are.",
        ),
        (  # a voter added who cast no vote
            RIGHT.replace("- Dev Patel\n", "- Dev Patel\n- Mallory Example\n"),
            "The result lists Mallory Example under +1, but no vote of Mallory Example is in the "
            "threads.",
        ),
        (  # counts stated with no binding mark at all, and no names
            "The vote has passed.\n\n+1: 4\n0: 0\n-1: 1\n",
            "The result does not say which votes are binding; 4 of the counted votes are.",
        ),
        (  # a binding count the threads do not hold
            RIGHT.replace("(3 binding)", "(4 binding)"),
            "The result says 4 binding +1 votes; the threads hold 3.",
        ),
    ],
)  # fmt: skip
def test_each_human_error_is_a_sentence(result: str, difference: str) -> None:
    assert difference in checked(result).differences


def test_an_outcome_the_rule_does_not_give() -> None:
    announced = checked(
        "The vote has passed.\n\n+1:\n- Ada Lovegood (binding)\n\n-1:\n- Bo Chen (binding)\n",
        call("Please vote.\n\n+1 (binding)\n"),
        mail(1, "-1", address="bochen@apache.org"),
    )
    assert announced.differences[0].startswith(
        "The result says the vote passed; under lazy 2/3 majority it failed (binding votes cast"
    )


def test_a_vote_without_a_result_has_nothing_to_check() -> None:
    tally = count_votes([thread(call("+1 (binding)"))], ROSTER, TallyOptions())
    assert tally.result_text is None


def test_a_count_of_thousands_of_digits_is_no_count() -> None:
    # int() refuses a number of more than 4,300 digits; no result mail counts so many votes
    huge = "9" * 5000
    claims = claims_of(f"+1: {huge}\n{huge} binding +1 votes\n-1: 2")
    assert claims.total == {M: 2}
