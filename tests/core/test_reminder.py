"""The reminder before a vote's earliest close (core/reminder.py): when it is due, what it says,
who it names, and that harvester never reads its own reminder as a ballot."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from harvester.core.posts import is_ours
from harvester.core.reminder import ReminderPolicy, build_reminder, remind_at, reminder_due
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Message, Outcome, RuleName, Tally
from tests.core.factories import ROSTER, T0, call, mail, thread

EARLIEST = T0 + timedelta(hours=72)
DAY_BEFORE = ReminderPolicy(hours_before=24)
BO_YES = mail(1, "+1", address="bochen@apache.org")


def counted(*messages: Message, now: datetime) -> tuple[Tally, Outcome]:
    tally = count_votes([thread(call(), *messages)], ROSTER, TallyOptions())
    return tally, decide(tally, RuleName.MAJORITY_APPROVAL, now, RuleSettings())


@pytest.mark.parametrize(
    ("hours", "due"),
    [(47, False), (48, True), (71.9, True), (72, False)],  # from 24 h before, until the close
)
def test_due_in_the_last_hours_before_the_earliest_close(hours: float, due: bool) -> None:
    now = T0 + timedelta(hours=hours)
    tally, outcome = counted(BO_YES, now=now)
    assert remind_at(tally, DAY_BEFORE) == EARLIEST - timedelta(hours=24)
    assert reminder_due(tally, outcome, DAY_BEFORE, now) is due


def test_not_for_a_vote_that_passes_unless_asked_nor_one_shorter_than_the_lead() -> None:
    now = T0 + timedelta(hours=60)
    yes = [
        mail(n, "+1", address=f"{who}@apache.org")
        for n, who in enumerate(["bochen", "carla", "zoe"], 1)
    ]
    tally, outcome = counted(*yes, now=now)
    assert outcome.passes
    assert not reminder_due(tally, outcome, DAY_BEFORE, now)
    assert reminder_due(tally, outcome, replace(DAY_BEFORE, only_when_short=False), now)
    assert remind_at(tally, ReminderPolicy(hours_before=80)) is None  # before the call itself


def test_not_once_the_vote_has_a_result() -> None:
    now = T0 + timedelta(hours=60)
    result = mail(50, "Thanks all.", subject="[RESULT][VOTE] Adopt the plan")
    tally, outcome = counted(BO_YES, result, now=now)
    assert not reminder_due(tally, outcome, DAY_BEFORE, now)


def test_it_counts_in_words_and_names_who_has_not_voted_except_the_unnamed() -> None:
    now = T0 + timedelta(hours=50)
    tally, outcome = counted(BO_YES, now=now)
    policy = replace(DAY_BEFORE, not_named=("carla", "ada.l@gmail.com"))
    draft = build_reminder(tally, outcome, ROSTER, policy, now)
    assert draft.subject == "Re: [VOTE] Adopt the plan"  # a reply: never read as a new call
    assert draft.in_reply_to == "m0@x"
    assert "in about 22 hours" in draft.body
    assert "So far: 1 binding vote in favour, none against, none neutral" in draft.body
    assert "would not pass if closed now" in draft.body
    named = next(line for line in draft.body.splitlines() if "not voted yet" in line)
    assert named.startswith("PMC members who have not voted yet: ")
    assert "Zoë Lindqvist" in named  # the PMC member who has not voted …
    assert "Carla" not in named
    assert "Ada" not in named
    assert "Bo Chen" not in named  # voted
    assert "Dev Patel" not in named  # a committer: not of the PMC electorate
    quiet = build_reminder(tally, outcome, ROSTER, replace(policy, name_non_voters=False), now)
    assert "not voted yet" not in quiet.body


def test_its_own_reminder_in_the_thread_is_not_a_ballot() -> None:
    now = T0 + timedelta(hours=50)
    tally, outcome = counted(BO_YES, now=now)
    draft = build_reminder(tally, outcome, ROSTER, DAY_BEFORE, now)
    echoed = mail(49, draft.body, name="harvester", address="harvester@tvm.example.org")
    echoed = replace(echoed, subject=draft.subject)
    assert is_ours(echoed)
    again, _ = counted(BO_YES, echoed, now=now)
    assert [b.member_id or b.voter for b in again.ballots] == [
        b.member_id or b.voter for b in tally.ballots
    ]
    assert again.review == tally.review
