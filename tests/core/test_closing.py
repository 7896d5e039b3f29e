"""Votes close the way TVM closes them: a closed issue, a closing comment, a re-call's rounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from harvester.core.tally import TallyOptions, count_votes
from harvester.core.window import (
    CLOSING_PHRASES,
    RECALL_PHRASES,
    closing_line,
    explicit_deadline,
    recall_line,
)
from harvester.model import Message, Tally, Value
from tests.core.factories import ROSTER, T0, call, mail, thread


def tally(*messages: Message, closed_at_hours: float | None = None) -> Tally:
    source = thread(call(), *messages)
    if closed_at_hours is not None:
        source = replace(source, closed=True, closed_at=T0 + timedelta(hours=closed_at_hours))
    return count_votes([source], ROSTER, TallyOptions())


def bo(n: int, body: str) -> Message:
    return mail(n, body, name="Bo Chen", address="bochen@apache.org")


def carla(n: int, body: str) -> Message:
    return mail(n, body, name="Carla Dias", address="carla@apache.org")


def ada(n: int, body: str, address: str = "ada@apache.org") -> Message:
    return mail(n, body, name="Ada Lovegood", address=address)


def counted(t: Tally) -> dict[str | None, Value]:
    return {b.member_id: b.value for b in t.ballots if b.counted}


def test_a_closed_issue_closes_the_vote_at_closed_at_and_later_ballots_are_late() -> None:
    t = tally(bo(1, "+1"), carla(90, "-1"), closed_at_hours=80)
    assert (t.window.closes_at, t.window.closed_by) == (T0 + timedelta(hours=80), "thread-closed")
    assert counted(t) == {"bochen": Value.PLUS}
    assert [b.member_id for b in t.ballots if b.late] == ["carla"]


CLOSING = {
    "has-passed": "The vote has passed with 3 binding +1 votes.",
    "is-closed": "Thanks everyone for voting. The vote is now closed.",
    "has-concluded": "The voting period has concluded.",
    "closing-it": "I'm closing this vote now.",
    "closing-the-vote": "Closing the vote, result to follow.",
    "closed-result": "Closed & final result showed in the [RESULT] issue.",
    "thanks-for-voting": "Thank you all for voting! The result will be showed on the list.",
    "result-published": "The result is posted in the [RESULT] issue.",
    "result": "Final result: 3 +1 (binding), no -1.",
}


def test_every_closing_phrase_has_an_example() -> None:
    assert [name for name, _ in CLOSING_PHRASES] == list(CLOSING)


@pytest.mark.parametrize("line", CLOSING.values(), ids=CLOSING.keys())
def test_closing_phrases(line: str) -> None:
    assert closing_line(["", line]) == line


@pytest.mark.parametrize(
    "line",
    [
        "+1, I hope the vote passes",
        "Does the vote close on Friday?",
        "Test results: all green",
        "The vote has passed the halfway mark, keep voting!",
        "The vote passes if nobody objects by Friday.",
        "Thanks everyone for voting so far, two more days to go.",
    ],
)
def test_prose_about_the_vote_does_not_close_it(line: str) -> None:
    assert closing_line([line]) is None


def test_the_callers_closing_comment_closes_the_vote_and_its_own_ballot_counts() -> None:
    t = tally(
        bo(1, "+1"), ada(80, "+1 (binding) from me too.\nThe vote has passed."), carla(90, "-1")
    )
    assert (t.window.closes_at, t.window.closed_by) == (T0 + timedelta(hours=80), "closing-comment")
    assert counted(t) == {"bochen": Value.PLUS, "ada": Value.PLUS}
    assert [b.member_id for b in t.ballots if b.late] == ["carla"]


def test_an_outsider_saying_the_vote_passed_does_not_close_it() -> None:
    outsider = mail(5, "The vote has passed, congrats!", name="Zed", address="zed@example.com")
    t = tally(bo(1, "+1"), outsider, carla(90, "-1"))
    assert t.window.closes_at is None
    assert counted(t) == {"bochen": Value.PLUS, "carla": Value.MINUS}


def test_a_display_name_cannot_close_the_vote_for_the_caller() -> None:
    forged = ada(5, "The vote has passed.", address="ada.forged@example.com")
    t = tally(bo(1, "+1"), forged, carla(90, "-1"))
    assert t.window.closes_at is None


RECALLS = {
    "restart": "We found a problem with rc0, so I am restarting the vote for rc1.",
    "new-round": "Let's start a new round with the fixed artifacts.",
    "new-candidate": "[VOTE] Release Apache Foo 1.2.0 rc2",
}


def test_every_recall_phrase_has_an_example() -> None:
    assert [name for name, _ in RECALL_PHRASES] == list(RECALLS)


@pytest.mark.parametrize("line", RECALLS.values(), ids=RECALLS.keys())
def test_recall_phrases(line: str) -> None:
    assert recall_line([line]) == (line, False)


def test_a_recall_starts_a_new_round_and_drops_the_earlier_ballots() -> None:
    t = tally(bo(1, "+1"), carla(2, "-1"), ada(3, RECALLS["restart"]), bo(4, "+1 again"))
    assert counted(t) == {"bochen": Value.PLUS}
    earlier = [b for b in t.ballots if "earlier-round" in b.flags]
    assert sorted(b.member_id or "" for b in earlier) == ["bochen", "carla"]
    assert not any(b.counted for b in earlier)
    assert [(r.url, r.carried_over) for r in t.rounds] == [("mid:m0@x", False), ("mid:m3@x", False)]


def test_a_recall_that_carries_the_ballots_over_keeps_them() -> None:
    body = RECALLS["new-round"] + "\nVotes already cast carry over."
    t = tally(bo(1, "+1"), carla(2, "-1"), ada(3, body))
    assert counted(t) == {"bochen": Value.PLUS, "carla": Value.MINUS}
    assert t.rounds[-1].carried_over


def test_only_the_caller_calls_the_vote_again() -> None:
    t = tally(bo(1, "+1"), carla(2, "I think we should restart the vote for rc1"))
    assert counted(t) == {"bochen": Value.PLUS}
    assert len(t.rounds) == 1


@pytest.mark.parametrize(
    "line",
    [
        "Thanks everyone, this vote passes.",
        "With 3 binding +1s and no -1, the vote passes.",
        "Thank you all for voting! The vote has passed.",
    ],
)
def test_closing_lines_after_thanks_or_the_count(line: str) -> None:
    assert closing_line([line]) == line


def test_a_closing_comment_before_the_earliest_close_is_shown_not_taken() -> None:
    t = tally(bo(1, "+1"), ada(5, "The vote has passed."), carla(30, "-1"))
    assert t.window.closes_at is None
    assert counted(t) == {"bochen": Value.PLUS, "carla": Value.MINUS}
    assert any("before the earliest close" in r.reason for r in t.review)


@pytest.mark.parametrize(
    "line",
    [
        "No need to restart the vote for this typo.",
        "Should we restart the vote? I think not.",
        "If we find a blocker I will restart the vote with rc1.",
        "We don't have to start a new round for that.",
    ],
)
def test_a_negated_or_conditional_recall_is_not_one(line: str) -> None:
    assert recall_line([line]) is None


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Vote will close Jan 27th at 23:59M GMT.", "2026-01-27T23:59:00+00:00"),
        ("Vote will close Mar. 1st at 23:59PM GMT.", "2026-03-01T23:59:00+00:00"),
        ("The new deadline is 16th March 23:59 GMT.", "2026-03-16T23:59:00+00:00"),
        ("The vote closes on Dec 30 at 11:00 PM UTC", "2026-12-30T23:00:00+00:00"),
        ("It is open until Jan 2nd", "2027-01-03T00:00:00+00:00"),  # the next Jan 2nd
        ("until 2026-08-17 00:00 UTC", "2026-08-17T00:00:00+00:00"),
        ("Vote will close Feb 30th.", None),
    ],
)
def test_deadlines_as_calls_write_them(text: str, deadline: str | None) -> None:
    found = explicit_deadline(text, T0 + timedelta(days=2))
    assert (found.isoformat() if found else None) == deadline


def test_a_tvm_github_vote_closes_at_its_deadline_and_the_rms_thanks() -> None:
    source = thread(
        call("Please vote.\n\nVote will close Jan 9th at 23:59M GMT.\n"),
        bo(2, "+1\n\nTQ"),
        carla(20, "+1"),
        ada(110, "Thank you all for voting! The result will be showed on the [RESULT] issue."),
        carla(111, "-1"),
    )
    t = count_votes([source], ROSTER, TallyOptions())
    assert (t.window.closes_at, t.window.closed_by) == (
        datetime(2026, 1, 9, 23, 59, tzinfo=UTC),
        "deadline",
    )
    assert counted(t) == {"bochen": Value.PLUS, "carla": Value.PLUS}
    assert [b.value for b in t.ballots if b.late] == [Value.MINUS]


def test_a_recall_brings_its_own_duration_and_deadline() -> None:
    recall = (
        "I've updated the main post with new links for RC1. With this post I'm calling for a "
        "new vote, which will be open for at least 24h. The new deadline is Jan 8th 23:59 GMT."
    )
    t = tally(bo(1, "+1"), ada(30, recall), carla(40, "+1"), bo(90, "+1 again"))
    assert len(t.rounds) == 2
    assert t.window.earliest_close == T0 + timedelta(hours=30 + 24)
    assert t.window.closes_at == datetime(2026, 1, 8, 23, 59, tzinfo=UTC)
    assert counted(t) == {"carla": Value.PLUS}
    assert [b.member_id for b in t.ballots if b.late] == ["bochen"]
