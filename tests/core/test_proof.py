"""The digest of a count (core/proof.py): the same messages, roster, rule and corrections give
the same hex anywhere; any change gives another, and what_changed names the part."""

from __future__ import annotations

from dataclasses import replace

from harvester.core.proof import digest_of, prove, what_changed
from harvester.model import Corrections, Dismissal, Electorate, Roster, RuleName
from tests.core.factories import ADA, ROSTER, call, mail

MESSAGES = [call("+1 (binding)"), mail(1, "+1", address="bochen@apache.org")]
RULE, PMC = RuleName.LAZY_TWO_THIRDS, Electorate.PMC


def test_the_same_count_gives_the_same_digest_and_its_parts_give_it() -> None:
    first = prove(MESSAGES, ROSTER, RULE, PMC, Corrections())
    again = prove(list(reversed(MESSAGES)), Roster(tuple(reversed(ROSTER.members))), RULE, PMC,
                  Corrections())  # fmt: skip
    assert first.digest == again.digest
    assert len(first.digest) == 64
    assert digest_of(first.parts) == first.digest
    assert what_changed(first.parts, again.parts) is None


def test_each_change_gives_another_digest_and_is_named() -> None:
    base = prove(MESSAGES, ROSTER, RULE, PMC, Corrections())
    edited = [MESSAGES[0], replace(MESSAGES[1], body="-1")]
    changes = {
        "message mid:m1@x changed since it was counted": prove(
            edited, ROSTER, RULE, PMC, Corrections()
        ),
        "message mid:m1@x is no longer stored": prove(
            MESSAGES[:1], ROSTER, RULE, PMC, Corrections()
        ),
        "message mid:m2@x was added since the count": prove(
            [*MESSAGES, mail(2, "0")], ROSTER, RULE, PMC, Corrections()
        ),
        "the roster changed since the count": prove(
            MESSAGES, Roster((ADA,)), RULE, PMC, Corrections()
        ),
        "the rule changed since the count": prove(
            MESSAGES, ROSTER, RuleName.MAJORITY_APPROVAL, PMC, Corrections()
        ),
        "the corrections changed since the count": prove(
            MESSAGES, ROSTER, RULE, PMC, Corrections(dismissals=(Dismissal("mid:m1@x", "r", "n"),))
        ),
    }
    for said, changed in changes.items():
        assert changed.digest != base.digest
        assert what_changed(base.parts, changed.parts) == said
