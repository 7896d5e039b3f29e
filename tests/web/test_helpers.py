"""The small pure pieces of the web adapter: time left, link safety, bars, sessions, forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.web.auth import clean_name, safe_next
from harvester.web.forms import InputError, correction_from_form, dismissal_from
from harvester.web.sessions import Security, Sessions
from harvester.web.timefmt import closes_in, show_time
from harvester.web.views import bar_width, is_web_url

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def iso(delta: timedelta) -> str:
    return (NOW + delta).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("state", "closes_at", "expected"),
    [
        ("open", iso(timedelta(days=2, hours=3, minutes=10)), "in 2 d 3 h"),
        ("open", iso(timedelta(days=1)), "in 1 d"),
        ("open", iso(timedelta(hours=5, minutes=7)), "in 5 h 7 min"),
        ("open", iso(timedelta(minutes=45, seconds=30)), "in 45 min"),
        ("open", iso(timedelta(seconds=20)), "in < 1 min"),
        ("open", iso(timedelta(0)), "past deadline"),
        ("open", iso(-timedelta(hours=1)), "past deadline"),
        ("open", "2026-11-02T11:00:00+02:00", "past deadline"),  # 09:00 UTC
        ("open", "2026-11-02T10:30:00", "in 1 h 30 min"),  # naive is UTC
        ("open", None, "—"),
        ("open", "not a time", "—"),
        ("passed", iso(timedelta(days=1)), "closed"),
        ("cancelled", None, "closed"),
    ],
)
def test_closes_in(state: str, closes_at: str | None, expected: str) -> None:
    assert closes_in(state, closes_at, NOW) == expected


def test_show_time() -> None:
    assert show_time("2026-11-02T09:00:00Z") == "2026-11-02 09:00 UTC"
    assert show_time("2026-11-02T11:00:00+02:00") == "2026-11-02 09:00 UTC"
    assert show_time(None) == "—"
    assert show_time("yesterday") == "yesterday"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://lists.apache.org/thread/abc", True),
        ("HTTP://example.org/x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" https://example.org", False),  # a browser would strip the blank; we show text
        ("https://example.org/\njavascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("/var/lib/saved.mbox", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: object, linked: bool) -> None:
    assert is_web_url(url) is linked


@pytest.mark.parametrize(
    ("have", "need", "at_most", "width"),
    [
        (0, 3, False, 0),
        (2, 3, False, 65),
        (3, 3, False, 100),
        (7, 3, False, 100),
        (39, 40, False, 95),  # not met yet: never drawn full
        (0, 0, True, 0),
        (1, 0, True, 100),
        (1, 2, True, 50),
        (0, 0, False, 100),
        ("2", 3, False, 0),
    ],
)
def test_bar_width(have: object, need: object, at_most: bool, width: int) -> None:
    assert bar_width(have, need, at_most) == width


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("evil.example", "/"),
        ("/votes/1\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
        ("/votes/1?x=1#review", "/votes/1?x=1#review"),
    ],
)
def test_safe_next(raw: object, expected: str) -> None:
    assert safe_next(raw) == expected


START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TOKEN = "a-write-token-of-some-length"


def sessions(
    token: str = TOKEN, key: str = "key", hours: float = 12.0, at: datetime = START
) -> Sessions:
    return Sessions(token, Security(session_key=key, session_hours=hours), lambda: at)


def test_session_round_trip_and_tampering() -> None:
    value = sessions().issue("Zoë | Admin; x")
    assert sessions().name_of(value) == "Zoë | Admin; x"
    assert ";" not in value
    assert TOKEN not in value  # the cookie is signed, not encrypted: the token is not in it
    assert sessions(token="other").name_of(value) is None  # a changed token ends it
    assert sessions(key="other").name_of(value) is None  # signed with another key
    assert sessions(token="").name_of(value) is None  # an unset token signs nobody in
    assert sessions().name_of(value[:-1] + ("A" if value[-1] != "A" else "B")) is None
    assert sessions().name_of("not.a.cookie") is None


def test_a_session_expires_after_its_hours() -> None:
    value = sessions(hours=2).issue("Jane")
    assert sessions(hours=2, at=START + timedelta(hours=1, minutes=59)).name_of(value) == "Jane"
    assert sessions(hours=2, at=START + timedelta(hours=2, minutes=1)).name_of(value) is None
    # The age is checked against the reader's limit, not a stamp the cookie carries.
    assert sessions(hours=3, at=START + timedelta(hours=2, minutes=1)).name_of(value) == "Jane"


def test_without_a_key_each_process_signs_with_its_own() -> None:
    value = sessions(key="").issue("Jane")
    assert sessions(key="").name_of(value) is None


def test_clean_name() -> None:
    assert clean_name("  Jane  ") == "Jane"
    assert clean_name("x" * 100) == "x" * 100
    assert clean_name("x" * 101) is None
    assert clean_name("") is None
    assert clean_name("Jane\u202eAdmin") is None  # bidi override: a format control
    assert clean_name(None) is None


def test_correction_form_leaves_empty_fields_as_read() -> None:
    change = correction_from_form({"url": " u ", "value": "none", "binding": "", "reason": "r"})
    assert (change.url, change.value, change.binding, change.member_id) == ("u", "none", None, None)
    with pytest.raises(InputError, match="clear must be"):
        correction_from_form({"url": "u", "clear": "yes", "reason": "r"})
    with pytest.raises(InputError, match="longer than 2000"):
        correction_from_form({"url": "u", "value": "0", "reason": "r" * 2001})


def test_dismissal_keeps_the_review_text_exactly() -> None:
    dismissal = dismissal_from({"url": "u", "review": " mixed ballot ", "note": " fine "})
    assert (dismissal.review, dismissal.note) == (" mixed ballot ", "fine")
    with pytest.raises(InputError, match="review is required"):
        dismissal_from({"url": "u", "review": "  ", "note": "n"})
