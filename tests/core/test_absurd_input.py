"""Input that is valid but absurd gives a tally with a review item, never a traceback (issue 12)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from harvester.core.report import report_json
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.core.window import absurd_duration, min_duration
from harvester.model import RuleName, is_sane_time
from tests.core.factories import ROSTER, call, mail, thread


def test_a_minimum_duration_longer_than_any_vote_is_not_read_and_is_reported() -> None:
    text = "Open for at least 99999999999999999999 hours."
    assert min_duration(text) is None
    assert absurd_duration(text) == "at least 99999999999999999999 hours"
    assert min_duration("open for at least 72 hours") is not None
    t = count_votes([thread(call(text))], ROSTER, TallyOptions())
    assert any("longer than any vote runs" in r.reason for r in t.review)


def test_a_message_dated_far_outside_any_vote_is_listed_not_counted() -> None:
    poison = replace(
        mail(1, "+1", name="Bo Chen", address="bochen@apache.org"),
        sent_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    )
    t = count_votes([thread(call(), poison)], ROSTER, TallyOptions())
    assert any("no usable date" in r.reason for r in t.review)
    outcome = decide(t, RuleName.LAZY_TWO_THIRDS, datetime(2026, 2, 1, tzinfo=UTC), RuleSettings())
    report_json(t, outcome)  # every time in it can be written


def test_sane_times() -> None:
    assert is_sane_time(datetime(2026, 1, 1, tzinfo=UTC))
    assert not is_sane_time(datetime(9999, 12, 31, tzinfo=UTC))
    assert not is_sane_time(datetime(1, 1, 1, tzinfo=UTC))
