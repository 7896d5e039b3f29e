"""Closing policies per kind of vote (core/closing.py), decided at every poll: at the deadline,
as soon as the rule is met after the minimum time, or extended while short of ballots."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from harvester.core.closing import Verdict, decide_closing
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import ClosePolicy, Closing, RuleName
from tests.core.factories import ROSTER, T0, call, mail, thread

EARLIEST = T0 + timedelta(hours=72)  # the call asks for at least 72 hours


def verdict(
    policy: Closing, *ballots: object, now: datetime, deadline: datetime | None = None
) -> Verdict:
    messages = [call("Please vote; open for at least 72 hours.\n\n+1 (binding)"), *ballots]
    tally = count_votes([thread(*messages)], ROSTER, TallyOptions())  # type: ignore[arg-type]
    outcome = decide(tally, RuleName.MAJORITY_APPROVAL, now, RuleSettings())
    return decide_closing(policy, tally, outcome, deadline or tally.window.earliest_close, now)


PASSING = (mail(1, "+1", address="bochen@apache.org"), mail(2, "+1", address="carla@apache.org"))
DEADLINE, DECIDED = Closing(ClosePolicy.DEADLINE), Closing(ClosePolicy.WHEN_DECIDED)
EXTEND = Closing(ClosePolicy.EXTEND, extend_hours=24, max_hours=120)


@pytest.mark.parametrize(
    ("policy", "ballots", "hours", "expected"),
    [
        (DEADLINE, PASSING, 10, Verdict()),  # met, but the deadline is the deadline
        (DEADLINE, PASSING, 72, Verdict("deadline", cut_off=EARLIEST)),
        (DECIDED, PASSING, 10, Verdict()),  # met before the minimum time: not yet
        (DECIDED, PASSING, 73, Verdict("decided", cut_off=T0 + timedelta(hours=73))),
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


def test_a_minus_one_is_not_a_shortage_of_ballots() -> None:
    """One +1 against two -1s fails on more than the number of ballots: no extension."""
    against = (
        mail(1, "+1", address="bochen@apache.org"),
        mail(2, "-1", address="carla@apache.org"),
        mail(3, "-1", address="zoe@apache.org"),
    )
    assert verdict(EXTEND, *against, now=EARLIEST) == Verdict("deadline", cut_off=EARLIEST)


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
