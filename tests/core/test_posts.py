"""What harvester writes into a vote's threads carries a marker (core/posts.py): the count
skips such a message, but not a reply that quotes it, and the outbox finds a post by it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harvester.core.posts import is_ours, marker_in, post_text
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import BodyFormat, Draft
from tests.core.factories import ROSTER, call, mail, thread

RESULT = Draft(
    "[RESULT][VOTE] Adopt the plan",
    "The vote passed.\n\n+1 (binding): Bo Chen, Carla Dias, Zoë Lindqvist\n-1: none\n",
)
REF = "harvester.7.0f3a@tvm.example.org"


def comment(body: str, fmt: BodyFormat, n: int = 9) -> object:
    return replace(mail(n, body, name="harvester-bot"), body_format=fmt)


def test_a_post_keeps_the_draft_lines_in_a_code_block_under_a_marker() -> None:
    text = post_text(RESULT, REF)
    assert "**[RESULT][VOTE] Adopt the plan**" in text
    assert "```text\nThe vote passed." in text
    assert marker_in(text.splitlines()) == REF
    tricky = post_text(Draft("s", "a ``` fence\n"), REF)
    assert "````text" in tricky  # a fence longer than any run of backticks in the body


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (post_text(RESULT, REF), BodyFormat.MARKDOWN),  # the GitHub comment as written
        (
            "<p><strong>[RESULT][VOTE] Adopt the plan</strong></p><pre><code class='lang-text'>"
            "+1 (binding): Bo Chen\n</code></pre><p><sub>harvester-ref: " + REF + "</sub></p>",
            BodyFormat.HTML,  # the Discourse reply as cooked
        ),
        ("Reminder text.\n\nSent once by harvester.\nharvester-ref: reminder\n", BodyFormat.PLAIN),
    ],
)
def test_our_own_posts_are_recognised_and_not_counted(body: str, fmt: BodyFormat) -> None:
    ours = comment(body, fmt)
    assert is_ours(ours)  # type: ignore[arg-type]
    tally = count_votes([thread(call(), ours)], ROSTER, TallyOptions())  # type: ignore[arg-type]
    assert tally.ballots == ()
    assert tally.result_text is None


def test_a_reply_quoting_our_post_is_read() -> None:
    quoted = "\n".join("> " + line for line in post_text(RESULT, REF).splitlines())
    reply = mail(10, quoted + "\n\n+1 from me too", address="zoe@apache.org")
    assert not is_ours(reply)
    tally = count_votes([thread(call(), reply)], ROSTER, TallyOptions())
    assert [b.member_id for b in tally.ballots] == ["zoe"]


def test_a_reply_pasting_our_reminder_without_quote_marks_is_read() -> None:
    """Outlook-style: the member's +1 above a copy of the reminder with no "> " at all."""
    reminder = mail(
        5,
        "The vote may close soon.\n\nSent once by harvester, which counts this vote.\n"
        "harvester-ref: reminder\n",
        name="harvester",
        address="harvester@tvm.example.org",
    )
    pasted = "+1 (binding)\n\nFrom: harvester\nSent: Monday\n\n" + reminder.body
    reply = mail(6, pasted, address="zoe@apache.org")
    tally = count_votes([thread(call(), reminder, reply)], ROSTER, TallyOptions())
    assert [b.member_id for b in tally.ballots] == ["zoe"]
