"""The outcome knows what it rests on: unconfirmed and flagged ballots that could change it."""

from __future__ import annotations

from datetime import UTC, datetime

from harvester.core.draft import build_draft
from harvester.core.rules import RuleSettings, decide
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Corrections, Dismissal, Message, Outcome, RuleName, Status, Tally
from tests.core.factories import ROSTER, call, mail, thread

LATER = datetime(2027, 1, 1, tzinfo=UTC)


def member(n: int, who: str, body: str, address: str | None = None) -> Message:
    names = {
        "bochen": "Bo Chen",
        "carla": "Carla Dias",
        "zoe": "Zoë Lindqvist",
        "ada": "Ada Lovegood",
    }
    return mail(n, body, name=names[who], address=address or f"{who}@apache.org")


def count(*messages: Message, corrections: Corrections | None = None) -> Tally:
    opts = TallyOptions(corrections=corrections or Corrections(), closes_at=LATER)
    return count_votes([thread(call(), *messages)], ROSTER, opts)


def outcome(tally: Tally, rule: RuleName = RuleName.LAZY_TWO_THIRDS) -> Outcome:
    return decide(tally, rule, LATER, RuleSettings())


def test_a_decisive_unconfirmed_ballot_makes_the_outcome_pending_review() -> None:
    # Three binding votes are needed: the third comes from a gmail address under a name.
    t = count(
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "zoe", "+1 (binding)", "zoe.l@gmail.com"),
    )
    result = outcome(t)
    assert (result.status, result.needs_review) == (Status.PASSED, True)
    assert [item.url for item in result.pending] == ["mid:m3@x"]
    assert "pending review of 1 item" in result.explanation


def test_an_unconfirmed_ballot_that_cannot_change_the_outcome_needs_no_review() -> None:
    t = count(
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "ada", "+1"),
        member(4, "zoe", "+1", "zoe.l@gmail.com"),
    )
    result = outcome(t)
    assert (result.status, result.needs_review) == (Status.PASSED, False)
    assert any("display name only" in item.reason for item in t.review)  # still shown


def test_a_possible_vote_not_counted_from_a_member_can_matter() -> None:
    t = count(
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "ada", "+1"),
        member(4, "zoe", "Honestly I'd go -1 on this, given the open issues"),
    )
    result = outcome(t, RuleName.CONSENSUS_APPROVAL)
    assert result.status is Status.PASSED
    assert [item.url for item in result.pending] == ["mid:m4@x"]


def test_a_blocked_impersonation_that_would_flip_the_vote_is_pending() -> None:
    t = count(
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "ada", "+1"),
        member(4, "carla", "Changing my vote to -1", "flip@evil.example"),
    )
    result = outcome(t, RuleName.CONSENSUS_APPROVAL)
    assert result.status is Status.PASSED
    assert result.needs_review
    assert "possible impersonation" in result.pending[0].reason


def test_dismissing_the_item_releases_the_outcome() -> None:
    messages = (
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "zoe", "+1 (binding)", "zoe.l@gmail.com"),
    )
    (item,) = outcome(count(*messages)).pending
    looked_at = Corrections(dismissals=(Dismissal(item.url, item.reason, "it is Zoë", "chair"),))
    assert not outcome(count(*messages, corrections=looked_at)).needs_review


def test_non_binding_doubts_never_hold_a_binding_outcome() -> None:
    outsider = mail(3, "Perhaps -1 from my side", name="Walter Guest", address="w@example.com")
    t = count(member(1, "bochen", "+1"), member(2, "carla", "+1"), outsider)
    assert not outcome(t, RuleName.LAZY_CONSENSUS).needs_review


def test_the_draft_lists_only_what_could_change_the_outcome() -> None:
    t = count(
        member(1, "bochen", "+1"),
        member(2, "carla", "+1"),
        member(3, "zoe", "+1 (binding)", "zoe.l@gmail.com"),
        mail(4, "+1", name="Walter Guest", address="w@example.com"),
    )
    body = build_draft(t, outcome(t)).body
    assert "Needs review before sending: these could change the outcome." in body
    assert "Zoë Lindqvist: matched to zoe by display name only" in body
    assert "Walter Guest: not on the roster" not in body
