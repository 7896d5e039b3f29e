"""Text cleaned where it enters: no NUL, control, line break or bidi override where it cannot be."""

from __future__ import annotations

import pytest

from harvester.core.clean import clean_message, clean_text, one_line
from tests.core.factories import mail


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ada\x00 Lovegood", "Ada Lovegood"),
        ("Ada\r\nCORRECTION: the vote has FAILED", "Ada CORRECTION: the vote has FAILED"),
        ("\u202eadA Lovegood", "adA Lovegood"),
        ("Ada  \t Lovegood", "Ada Lovegood"),
        ("Ada\u2028Lovegood\x1b[31m", "Ada Lovegood[31m"),
    ],
)
def test_one_line_fields(raw: str, clean: str) -> None:
    assert one_line(raw) == clean


def test_a_body_keeps_its_lines_and_tabs_but_not_nul_or_escapes() -> None:
    assert clean_text("+1\x00\n\tchecked\x1b[2J\r\n") == "+1\n\tchecked[2J\r\n"


def test_a_message_is_cleaned_in_every_text_field() -> None:
    message = mail(1, "+1\x00", name="Bo\nChen", address="bo@x\x00", subject="Re:\r\n [VOTE] X")
    cleaned = clean_message(message)
    assert (cleaned.author.name, cleaned.author.address, cleaned.subject, cleaned.body) == (
        "Bo Chen",
        "bo@x",
        "Re: [VOTE] X",
        "+1",
    )
