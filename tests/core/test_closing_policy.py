"""Closing policies per kind of vote (core/closing.py), decided at every poll: at the deadline,
as soon as the rule is met after the minimum time, or extended while short of ballots."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from harvester.core.closing import Verdict, decide_closing, settle_extension, short_of_ballots
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import ClosePolicy, Closing, Outcome, RuleName, Tally
from tests.core.factories import ROSTER, T0, call, mail, thread

EARLIEST = T0 + timedelta(hours=72)  # the call asks for at least 72 hours


def counted(
    *ballots: object, now: datetime, cut_off: datetime | None = None, call_text: str = ""
) -> tuple[Tally, Outcome]:
    text = call_text or "Please vote; open for at least 72 hours.\n\n+1 (binding)"
    messages = [call(text), *ballots]
    options = TallyOptions(closes_at=cut_off)
    tally = count_votes([thread(*messages)], ROSTER, options)  # type: ignore[arg-type]
    return tally, decide(tally, RuleName.MAJORITY_APPROVAL, now, RuleSettings())


def verdict(policy: Closing, *ballots: object, now: datetime, call_text: str = "") -> Verdict:
    """As the daemon decides: an extended vote past a step is counted as it stood at each."""
    tally, outcome = counted(*ballots, now=now, call_text=call_text)
    found = decide_closing(policy, tally, outcome, tally.window.earliest_close, now)
    if not found.check:
        return found
    short = [
        short_of_ballots(counted(*ballots, now=now, cut_off=at, call_text=call_text)[1])
        for at in found.check
    ]
    return settle_extension(policy, tally, found.check, short)


PASSING = (mail(1, "+1", address="bochen@apache.org"), mail(2, "+1", address="carla@apache.org"))
DEADLINE, DECIDED = Closing(ClosePolicy.DEADLINE), Closing(ClosePolicy.WHEN_DECIDED)
EXTEND = Closing(ClosePolicy.EXTEND, extend_hours=24, max_hours=120)


@pytest.mark.parametrize(
    ("policy", "ballots", "hours", "expected"),
    [
        (DEADLINE, PASSING, 10, Verdict()),  # met, but the deadline is the deadline
        (DEADLINE, PASSING, 72, Verdict("deadline", cut_off=EARLIEST)),
        (DECIDED, PASSING, 10, Verdict()),  # met before the minimum time: not yet
        (DECIDED, PASSING, 73, Verdict("deadline", cut_off=EARLIEST)),  # no end but the minimum
        (DECIDED, PASSING[:1], 50, Verdict()),  # not met: runs on …
        (DECIDED, PASSING[:1], 73, Verdict("deadline", cut_off=EARLIEST)),  # … to the deadline
        (EXTEND, PASSING[:1], 72, Verdict(extend_to=EARLIEST + timedelta(hours=24))),  # 2 +1s
        (EXTEND, PASSING[:1], 90, Verdict(extend_to=EARLIEST + timedelta(hours=24))),
        (EXTEND, PASSING, 72, Verdict("deadline", cut_off=EARLIEST)),  # met: no need
    ],
)
def test_each_policy_at_a_poll(
    policy: Closing, ballots: tuple[object, ...], hours: float, expected: Verdict
) -> None:
    assert verdict(policy, *ballots, now=T0 + timedelta(hours=hours)) == expected


def test_extending_stops_at_the_maximum_and_closes_at_the_step_it_was_met() -> None:
    short = PASSING[:1]
    assert verdict(EXTEND, *short, now=T0 + timedelta(hours=100)) == Verdict(
        extend_to=T0 + timedelta(hours=120)  # 96 + 24, capped at 120
    )
    at_121 = T0 + timedelta(hours=121)
    assert verdict(EXTEND, *short, now=at_121) == Verdict(
        "deadline", cut_off=T0 + timedelta(hours=120)
    )
    late_third = mail(80, "+1", address="zoe@apache.org")  # at 80 h: met after one step
    assert verdict(EXTEND, *short, late_third, now=T0 + timedelta(hours=97)) == Verdict(
        "deadline", cut_off=T0 + timedelta(hours=96)
    )


def test_a_vote_without_a_single_ballot_is_short_and_extended() -> None:
    empty = "Please vote; open for at least 72 hours."
    assert verdict(EXTEND, now=EARLIEST, call_text=empty) == Verdict(
        extend_to=EARLIEST + timedelta(hours=24)
    )


def test_the_ballot_that_ends_the_shortage_after_a_step_counts() -> None:
    """Short at 96 h, so extended to 120 h: a third +1 at 96.2 h, polled at 96.5 h, is in time
    and the vote closes at 120 h with it, not at 96 h without it."""
    third = mail(96, "+1", address="zoe@apache.org", hours=96.2)
    assert verdict(EXTEND, PASSING[0], third, now=T0 + timedelta(hours=96.5)) == Verdict(
        extend_to=T0 + timedelta(hours=120)
    )
    assert verdict(EXTEND, PASSING[0], third, now=T0 + timedelta(hours=120.5)) == Verdict(
        "deadline", cut_off=T0 + timedelta(hours=120)
    )


def test_a_decided_vote_closes_before_the_end_its_call_names_unless_in_doubt() -> None:
    named = "Please vote; open for at least 72 hours, until 2026-01-12 15:00 UTC.\n\n+1 (binding)"
    at_80 = T0 + timedelta(hours=80)
    assert verdict(DECIDED, *PASSING, now=at_80, call_text=named) == Verdict(
        "decided", cut_off=at_80
    )
    assert verdict(DEADLINE, *PASSING, now=at_80, call_text=named) == Verdict()
    doubtful = mail(2, "+1", name="Carla Dias", address="carla.dias@example.org")  # unconfirmed
    tally, outcome = counted(PASSING[0], doubtful, now=at_80, call_text=named)
    assert outcome.passes
    assert outcome.needs_review
    assert decide_closing(DECIDED, tally, outcome, None, at_80) == Verdict()


def test_the_maximum_counts_from_the_last_call() -> None:
    recall = mail(
        100,
        "We found a problem with rc0, so I am restarting the vote for rc1. "
        "Open for at least 72 hours.",
        name="Ada Lovegood",
        address="ada@apache.org",
        hours=100,
    )
    tally, _outcome = counted(recall, now=T0 + timedelta(hours=173))
    assert [r.opened_at for r in tally.rounds][-1:] == [T0 + timedelta(hours=100)]
    found = verdict(EXTEND, recall, now=T0 + timedelta(hours=173))
    assert found == Verdict(extend_to=T0 + timedelta(hours=196))  # 172 + 24, within 100 + 120


def test_a_result_closes_whatever_the_policy() -> None:
    result = mail(5, "Done.", subject="[RESULT][VOTE] Adopt the plan")
    assert verdict(EXTEND, result, now=T0 + timedelta(hours=6)) == Verdict("result")


def test_a_call_that_names_its_end_is_not_extended() -> None:
    ends = T0 + timedelta(hours=96)
    messages = [call("The vote closes 2026-01-09 15:00 UTC.\n\n+1 (binding)"), PASSING[0]]
    tally = count_votes([thread(*messages)], ROSTER, TallyOptions())  # type: ignore[arg-type]
    assert tally.window.closes_at == ends
    now = ends + timedelta(hours=1)
    outcome = decide(tally, RuleName.MAJORITY_APPROVAL, now, RuleSettings())
    assert not outcome.passes
    assert decide_closing(EXTEND, tally, outcome, ends, now) == Verdict("deadline", cut_off=ends)


def test_a_maximum_between_steps_closes_the_vote_when_it_passes() -> None:
    at_most_100h = Closing(ClosePolicy.EXTEND, extend_hours=24, max_hours=100)
    short = PASSING[:1]
    limit = T0 + timedelta(hours=100)
    assert verdict(at_most_100h, *short, now=T0 + timedelta(hours=99)) == Verdict(extend_to=limit)
    assert verdict(at_most_100h, *short, now=T0 + timedelta(hours=101)) == Verdict(
        "deadline", cut_off=limit
    )
