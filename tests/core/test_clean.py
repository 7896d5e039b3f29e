"""Text cleaned where it enters: no NUL, control, line break or bidi override where it cannot be."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.core.clean import _BIDI, _BREAKS, clean_message, clean_text, one_line
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


_FIELD_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            "a",
            "B",
            " ",
            "\t",
            "\n",
            "\x00",
            "\x1b",
            "\u00a0",
            "\u2028",
            "\u202e",
            "\u200f",
            "\ufffe",
            "é",
            "界",
            "\x85",
            "\x7f",
        ]
    ),
    max_size=12,
)


@given(_FIELD_TEXT)
def test_a_clean_field_is_kept_as_it_is_and_any_other_is_cleaned_in_full(raw: str) -> None:
    """one_line skips the work for text it would not change; it must never skip any other."""
    full = " ".join(_BIDI.sub("", clean_text(_BREAKS.sub(" ", raw))).split())
    assert one_line(raw) == full


def test_a_message_with_nothing_to_clean_is_the_same_object() -> None:
    """Cleaning a whole archive costs nothing for the mails that need none."""
    message = mail(1, "+1 (binding)\n\tchecked", name="Bo Chen", subject="Re: [VOTE] X")
    assert clean_message(message) is message
    assert clean_message(mail(1, "+1", name="Bo  Chen")).author.name == "Bo Chen"
