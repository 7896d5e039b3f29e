from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from harvester.core.draft import (
    as_email,
    build_draft,
    human_time,
    outcome_sentence,
    result_subject,
)
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Counts, Draft, Outcome, RuleName, Status
from tests.core.factories import ROSTER, T0, call, mail, thread


def draft_for(*messages: object) -> Draft:
    t = count_votes([thread(*messages)], ROSTER, TallyOptions())  # type: ignore[arg-type]
    outcome = decide(t, RuleName.LAZY_TWO_THIRDS, T0 + timedelta(days=30), RuleSettings())
    return build_draft(t, outcome)


@pytest.mark.parametrize(
    ("title", "subject"),
    [
        ("[VOTE] Clarify Community Strategy", "[RESULT][VOTE] Clarify Community Strategy"),
        ("Re: [VOTE] Clarify", "[RESULT][VOTE] Clarify"),
        ("[vote] lower case", "[RESULT][VOTE] lower case"),
        ("[VOTE] Evil\r\nBcc: all@x", "[RESULT][VOTE] Evil Bcc: all@x"),
    ],
)
def test_result_subject(title: str, subject: str) -> None:
    assert result_subject(title) == subject


def test_draft_lists_votes_by_name_as_release_managers_write_them() -> None:
    d = draft_for(
        call("Open for at least 72 hours.\n\n+1 (binding) from me\n"),
        mail(1, "-1 until fixed", address="bochen@apache.org"),
        mail(2, "fixed, changing my vote to +1", address="bochen@apache.org"),
        mail(3, "+1", address="carla@apache.org"),
        mail(4, "0", address="devp@apache.org"),
        mail(5, "+1", name="Mallory", address="m@example.org"),
        mail(6, "Done.", subject="[RESULT][VOTE] Adopt the plan"),
        mail(7, "-1", address="zoe@apache.org"),
    )
    assert d.subject == "[RESULT][VOTE] Adopt the plan"
    body = d.body
    assert "The vote has passed with 4 +1 votes (3 binding), 1 0 vote and no -1\nvotes." in body
    assert (
        "+1:\n- Ada Lovegood (binding)\n- Bo Chen (binding, changed from -1)\n"
        "- Carla Dias (binding)\n- Mallory\n\n0:\n- Dev Patel\n\n-1:\n- none\n"
    ) in body
    assert "Rule: lazy 2/3 majority; binding votes cast: 3 (at least 3 needed, met);" in body
    assert "- Zoë Lindqvist: -1 at Monday, 5 January 2026, 22:00 UTC" in body
    assert "The vote was open from Monday, 5 January 2026, 15:00 UTC to Monday, 5\nJanuary" in body
    assert "- the thread of Message-ID <m0@x>" in body  # a mail file's path means nothing
    assert "Needs review before sending" not in body  # nothing open could change it
    assert all(len(line) <= 72 for line in body.splitlines())
    assert d.in_reply_to == "m0@x"


@pytest.mark.parametrize(
    ("binding", "non_binding", "status", "passes", "cancelled", "sentence"),
    [
        ((6, 1, 1), (1, 0, 0), Status.PASSED, True, False,
         "The vote has passed with 7 +1 votes (6 binding), 1 0 vote (1 binding) and 1 -1 vote "
         "(1 binding)."),
        ((1, 0, 2), (0, 0, 0), Status.FAILED, False, False,
         "The vote has failed with 1 +1 vote (1 binding), no 0 votes and 2 -1 votes (2 binding)."),
        ((0, 0, 0), (3, 0, 0), Status.OPEN, True, False,
         "The vote is still open; with 3 +1 votes, no 0 votes and no -1 votes so far it would "
         "pass if closed now."),
        ((0, 0, 0), (0, 0, 0), Status.FAILED, False, True,
         "The vote was cancelled; it had no +1 votes, no 0 votes and no -1 votes."),
    ],
)  # fmt: skip
def test_the_outcome_sentence(
    binding: tuple[int, int, int],
    non_binding: tuple[int, int, int],
    status: Status,
    passes: bool,
    cancelled: bool,
    sentence: str,
) -> None:
    outcome = Outcome(
        RuleName.LAZY_TWO_THIRDS,
        status,
        passes,
        "",
        binding=Counts(*binding),
        non_binding=Counts(*non_binding),
    )
    assert outcome_sentence(outcome, cancelled) == sentence


def test_human_time_is_english_in_any_locale() -> None:
    assert human_time(datetime(2026, 3, 1, 9, 5, tzinfo=UTC)) == "Sunday, 1 March 2026, 09:05 UTC"


def test_email_is_rfc5322_threaded_and_injection_proof() -> None:
    d = Draft("[RESULT][VOTE] X\r\nBcc: victim@x", "body\n", "call@x", ("root@x", "call@x"))
    text = as_email(d, sender="RM <rm@x>", to="dev@x\nCc: evil@x", date=T0)
    parsed = email.message_from_string(text, policy=email.policy.default)
    assert parsed["Subject"] == "[RESULT][VOTE] X Bcc: victim@x"
    assert parsed["Bcc"] is None
    assert parsed["Cc"] is None
    assert parsed["In-Reply-To"] == "<call@x>"
    assert parsed["References"] == "<root@x> <call@x>"
    assert parsed.get_content() == "body\n"


def test_the_outcome_in_the_subject_once_the_vote_has_closed() -> None:
    closed = Outcome(RuleName.LAZY_TWO_THIRDS, Status.PASSED, True, "")
    still_open = Outcome(RuleName.LAZY_TWO_THIRDS, Status.OPEN, True, "")
    assert result_subject("[VOTE] Release X 1.0", closed) == "[RESULT][VOTE] Release X 1.0 - PASSED"
    assert result_subject("[VOTE] Release X 1.0", still_open) == "[RESULT][VOTE] Release X 1.0"


def test_a_template_of_its_own_gets_the_same_names() -> None:
    closing = mail(2, "Done.", subject="[RESULT][VOTE] Adopt the plan")
    messages = (call("+1 (binding)"), mail(1, "+1", address="carla@apache.org"), closing)
    t = count_votes([thread(*messages)], ROSTER, TallyOptions())
    outcome = decide(t, RuleName.LAZY_TWO_THIRDS, T0 + timedelta(days=30), RuleSettings())
    own = (
        "{{ title }}: {{ status }}. "
        "{% for v, voters in votes %}{{ v }}={{ voters|length }} {% endfor %}"
    )
    d = build_draft(t, outcome, template=own, outcome_in_subject=True)
    assert d.body == "Adopt the plan: failed. +1=2 0=0 -1=0 "
    assert d.subject == "[RESULT][VOTE] Adopt the plan - FAILED"


def test_pasted_mail_is_utf8_text_with_folded_headers() -> None:
    body = "Sofía Valdés (binding)\n" + "x " * 30 + "\n"
    d = Draft("[RESULT][VOTE] " + "Ünïcode subject words " * 5, body, "call@x", ("call@x",))
    text = as_email(d, sender="RM <rm@x>", to="dev@x", date=T0, eight_bit=True)
    assert "Content-Transfer-Encoding: 8bit" in text
    assert "Sofía Valdés (binding)" in text  # as it is, not =C3=AD
    head = text.split("\n\n", 1)[0]
    assert "Subject: [RESULT][VOTE] Ünïcode subject words" in head  # not =?utf-8?…?=
    assert all(len(line) <= 78 for line in head.splitlines())
    parsed = email.message_from_bytes(text.encode("utf-8"), policy=email.policy.default)
    assert parsed["Subject"] == d.subject.strip()
    assert parsed.get_content() == body


def test_the_draft_says_what_was_voted_on() -> None:
    sha1 = "8d9e1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d"
    release_call = mail(
        0,
        f"Please vote on Kite 1.0.0-rc1.\nCommit: {sha1}\n"
        "https://dist.apache.org/repos/dist/dev/kite/1.0.0-rc1/\n\n+1 (binding)\n",
        name="Ada Lovegood",
        address="ada@apache.org",
        subject="[VOTE] Release Kite 1.0.0-rc1",
    )
    d = draft_for(
        release_call,
        mail(1, "+1", address="bochen@apache.org", subject="Re: [VOTE] Release Kite 1.0.0-rc1"),
    )
    assert (
        "Voted on:\n- release: Kite 1.0.0-rc1\n"
        f"- commit: {sha1}\n- https://dist.apache.org/repos/dist/dev/kite/1.0.0-rc1/\n"
    ) in d.body
    assert "Voted on:" not in draft_for(call(), mail(1, "+1", address="bochen@apache.org")).body
