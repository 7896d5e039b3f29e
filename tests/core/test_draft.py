from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest

from harvester.core.draft import as_email, build_draft, result_subject
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Draft, RuleName
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


def test_draft_lists_votes_by_name_and_marks_changes() -> None:
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
    assert 'The vote on "[VOTE] Adopt the plan" has closed and PASSED.' in d.body
    assert "+1 (3): Ada Lovegood (ada), Bo Chen (bochen) (*), Carla Dias (carla)" in d.body
    assert "-1 (0): none" in d.body
    assert "0  (1): Dev Patel (devp)" in d.body
    assert "+1 (1): Mallory" in d.body
    assert "Bo Chen: -1 -> +1" in d.body
    assert "Zoë Lindqvist (zoe): -1 at" in d.body
    assert "binding +1 = 3 >= 2 x binding -1 = 0: yes" in d.body
    assert "Needs review before sending" not in d.body  # nothing open could change it
    assert d.in_reply_to == "m0@x"


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
