from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.core.window import explicit_deadline, min_duration


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The vote is open until 2023-08-17 00:00 UTC.", datetime(2023, 8, 17, tzinfo=UTC)),
        ("Voting closes on 2023-08-17 12:30 PDT", datetime(2023, 8, 17, 19, 30, tzinfo=UTC)),
        ("ends 2023-08-17T08:00+08:00", datetime(2023, 8, 17, 0, 0, tzinfo=UTC)),
        ("open until 2023-08-17", datetime(2023, 8, 18, tzinfo=UTC)),
        ("released on 2023-08-17", None),
        ("until 2023-02-30 10:00 UTC", None),
    ],
)
def test_explicit_deadline(text: str, expected: datetime | None) -> None:
    assert explicit_deadline(text) == expected
