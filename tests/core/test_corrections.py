"""A person's corrections on top of what was read: overrides of value, binding and identity,
dismissed review items, and corrections that no longer match."""

from __future__ import annotations

from datetime import UTC, datetime

from harvester.core.draft import build_draft
from harvester.core.report import report_json
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Corrections, Dismissal, Match, Message, Override, RuleName, Tally, Value
from tests.core.factories import ROSTER, call, mail, thread

AT = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)


def tally(*messages: Message, corrections: Corrections | None = None) -> Tally:
    opts = TallyOptions(corrections=corrections or Corrections())
    return count_votes([thread(*messages)], ROSTER, opts)


def override(url: str, **changes: object) -> Corrections:
    return Corrections(overrides=(Override(url, "checked with the voter", by="chair", **changes),))  # type: ignore[arg-type]


def voters(t: Tally) -> dict[str, tuple[str, bool, bool]]:
    return {b.voter: (b.value.value, b.binding, b.counted) for b in t.ballots}


MIXED = mail(1, "+1 for the source, -1 for the binaries", address="bochen@apache.org")
OUTSIDER = mail(2, "+1 (binding)", name="Kev B", address="kev@example.org")


def test_a_mixed_ballot_is_counted_once_a_person_gives_its_value() -> None:
    before = tally(call(), MIXED)
    assert voters(before) == {"Bo Chen": ("+1", True, False)}
    after = tally(call(), MIXED, corrections=override(MIXED.url, value=Value.MINUS))
    assert voters(after) == {"Bo Chen": ("-1", True, True)}
    (ballot,) = after.ballots
    assert "corrected" in ballot.flags
    assert "mixed" not in ballot.flags
    assert ballot.raw == before.ballots[0].raw  # the evidence line stays what was written
    assert not any("different votes" in r.reason for r in after.review)


def test_identity_override_makes_a_roster_member_binding() -> None:
    before = tally(call(), OUTSIDER)
    assert voters(before) == {"Kev B": ("+1", False, True)}
    after = tally(call(), OUTSIDER, corrections=override(OUTSIDER.url, member_id="CARLA"))
    (ballot,) = after.ballots
    assert (ballot.voter, ballot.member_id, ballot.binding) == ("Carla Dias", "carla", True)
    assert ballot.match is Match.CORRECTED
    assert not any("not on the roster" in r.reason for r in after.review)


def test_binding_override_and_not_a_vote() -> None:
    t = tally(call(), OUTSIDER, corrections=override(OUTSIDER.url, binding=True))
    assert voters(t) == {"Kev B": ("+1", True, True)}
    gone = tally(call(), OUTSIDER, corrections=override(OUTSIDER.url, not_a_vote=True))
    assert voters(gone) == {}


def test_a_message_with_no_ballot_can_be_made_one() -> None:
    prose = mail(3, "Looks good to me, ship it.", address="carla@apache.org")
    assert voters(tally(call(), prose)) == {}
    t = tally(call(), prose, corrections=override(prose.url, value=Value.PLUS))
    assert voters(t) == {"Carla Dias": ("+1", True, True)}
    assert t.ballots[0].raw == "Looks good to me, ship it."


def test_a_correction_counts_in_the_rule_and_shows_in_json_and_draft() -> None:
    fixes = override(OUTSIDER.url, member_id="carla")
    t = tally(call(), mail(1, "+1", address="bochen@apache.org"), OUTSIDER, corrections=fixes)
    outcome = decide(t, RuleName.LAZY_TWO_THIRDS, AT, RuleSettings())
    assert outcome.binding.plus == 2
    report = report_json(t, outcome)
    assert report["corrections"] == [
        {
            "url": OUTSIDER.url,
            "value": None,
            "binding": None,
            "member_id": "carla",
            "reason": "checked with the voter",
            "by": "chair",
            "at": None,
        }
    ]
    assert report["conditions"][0] == {
        "label": "binding votes cast",
        "have": 2,
        "need": 3,
        "at_most": False,
        "met": False,
    }
    body = build_draft(t, outcome).body
    assert "Corrected by hand:" in body
    assert f"cast by carla: checked with the voter (chair) <{OUTSIDER.url}>" in body


def test_a_dismissed_review_item_moves_to_dismissed() -> None:
    raised = tally(call(), OUTSIDER).review
    item = next(r for r in raised if "not on the roster" in r.reason)
    note = Dismissal(item.url, item.reason, "a guest; non-binding is right", by="chair")
    t = tally(call(), OUTSIDER, corrections=Corrections(dismissals=(note,)))
    assert item not in t.review
    assert len(t.review) == len(raised) - 1
    assert t.dismissed == (note,)


def test_a_dismissal_of_an_item_no_longer_raised_is_not_shown() -> None:
    note = Dismissal("mid:gone@x", "some old reason", "n/a")
    t = tally(call(), OUTSIDER, corrections=Corrections(dismissals=(note,)))
    assert t.dismissed == ()


def test_corrections_that_no_longer_apply_are_raised_for_review() -> None:
    stale = Corrections(
        overrides=(
            Override("mid:deleted@x", "typo", value=Value.PLUS),
            Override(OUTSIDER.url, "named", member_id="nobody"),
        )
    )
    t = tally(call(), OUTSIDER, corrections=stale)
    reasons = [r.reason for r in t.review]
    assert "a correction (typo) matches no message" in reasons
    assert "a correction names 'nobody', who is not on the roster" in reasons
    assert [o.url for o in t.overrides] == [OUTSIDER.url]
    assert voters(t) == {"Kev B": ("+1", False, True)}
