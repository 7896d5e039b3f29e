from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.core.window import absurd_duration, explicit_deadline, min_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The vote is open for at least 72 hours.", timedelta(hours=72)),
        ("It will remain open for at least seventy-two hours", timedelta(hours=72)),
        ("open for 7 days", timedelta(days=7)),
        ("a minimum of 5 days", timedelta(days=5)),
        ("Please vote", None),
    ],
)
def test_min_duration(text: str, expected: timedelta | None) -> None:
    assert min_duration(text) == expected


def test_a_number_of_hours_past_any_count_is_an_absurd_duration() -> None:
    # int() refuses a number of more than 4,300 digits: read as what it is, no minimum
    text = "open for at least " + "1" * 4400 + " hours"
    assert min_duration(text) is None
    assert absurd_duration(text) == text.removeprefix("open for ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The vote is open until 2023-08-17 00:00 UTC.", datetime(2023, 8, 17, tzinfo=UTC)),
        ("Voting closes on 2023-08-17 12:30 PDT", datetime(2023, 8, 17, 19, 30, tzinfo=UTC)),
        ("ends 2023-08-17T08:00+08:00", datetime(2023, 8, 17, 0, 0, tzinfo=UTC)),
        ("open until 2023-08-17", datetime(2023, 8, 18, tzinfo=UTC)),
        ("released on 2023-08-17", None),
        ("until 2023-02-30 10:00 UTC", None),
        # Past what a datetime holds, once in UTC: no deadline read, never an error.
        ("open until 9999-12-31", None),
        ("until 9999-12-31 23:00 -05:00", None),
        ("until 0001-01-01 01:00 +14:00", None),
        ("until 9999-12-31 20:00 -03:00", datetime(9999, 12, 31, 23, 0, tzinfo=UTC)),
        # An offset no zone has (24 hours or more)
        ("until 2024-01-10 10:00 +99:99", None),
        ("until 2024-01-10 10:00 -24:00", None),
        ("until 2024-01-10 10:00 +23:59", datetime(2024, 1, 9, 10, 1, tzinfo=UTC)),
    ],
)
def test_explicit_deadline(text: str, expected: datetime | None) -> None:
    assert explicit_deadline(text) == expected


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("Vote will close Dec 31st", datetime(9999, 12, 31, 12, tzinfo=UTC)),
        ("Vote will close Dec 31st at 23:00 -05:00", datetime(9999, 6, 1, tzinfo=UTC)),
        ("Vote will close Jan 10th at 10:00 +99:99", datetime(2024, 1, 1, tzinfo=UTC)),
    ],
)
def test_month_day_deadline_past_the_calendar_is_none(text: str, after: datetime) -> None:
    assert explicit_deadline(text, after) is None
