"""Identities that cannot be forged: a display name alone never overrules a verified ballot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harvester.core.identity import confusable_scripts, identify, index_roster, normalise_name
from harvester.core.tally import TallyOptions, count_votes
from harvester.core.text import signature_name
from harvester.model import Author, BodyFormat, IdentityVerdict, Match, Tally, Value
from tests.core.factories import ROSTER, call, mail, thread

INDEX = index_roster(ROSTER)


def tally(*messages: object) -> Tally:
    return count_votes([thread(call(), *messages)], ROSTER, TallyOptions())  # type: ignore[arg-type]


def carla(n: int, body: str, address: str = "carla@apache.org", name: str = "Carla Dias") -> object:
    return mail(n, body, name=name, address=address)


def test_a_display_name_cannot_change_a_verified_ballot() -> None:
    t = tally(carla(1, "+1 (binding)"), carla(2, "Changing my vote to -1", "flip@evil.example"))
    counted = [b for b in t.ballots if b.counted]
    assert [(b.member_id, b.value, b.match) for b in counted] == [
        ("carla", Value.PLUS, Match.ASF_ADDRESS)
    ]
    blocked = [b for b in t.ballots if "possible-impersonation" in b.flags]
    assert [b.url for b in blocked] == ["mid:m2@x"]
    assert any("possible impersonation: flip@evil.example" in r.reason for r in t.review)


def test_a_display_name_cannot_withdraw_a_verified_ballot() -> None:
    t = tally(carla(1, "-1 (binding)"), carla(2, "I withdraw my -1", "flip@evil.example"))
    assert [(b.member_id, b.value) for b in t.ballots if b.counted] == [("carla", Value.MINUS)]
    assert any("tried to withdraw" in r.reason for r in t.review)


def test_the_impersonators_address_is_not_added_to_the_members_identities() -> None:
    t = tally(carla(1, "+1"), carla(2, "-1", "flip@evil.example"))
    counted = next(b for b in t.ballots if b.counted)
    assert "flip@evil.example" not in counted.usernames


def test_a_first_vote_from_gmail_under_the_exact_name_counts_unconfirmed() -> None:
    t = tally(carla(1, "+1 (binding)", "carla.dias@gmail.com"))
    (ballot,) = t.ballots
    assert (ballot.member_id, ballot.binding, ballot.counted) == ("carla", True, True)
    assert "unconfirmed" in ballot.flags
    assert any("display name only" in r.reason for r in t.review)


def test_a_verified_ballot_replaces_an_unconfirmed_one() -> None:
    t = tally(carla(1, "+1", "carla.dias@gmail.com"), carla(2, "-1"))
    counted = [b for b in t.ballots if b.counted]
    assert [(b.value, b.match, b.changed) for b in counted] == [
        (Value.MINUS, Match.ASF_ADDRESS, True)
    ]


@pytest.mark.parametrize(
    "name",
    ["Ｃａｒｌａ Ｄｉａｓ", "Carla\u200b Dias", "Carla  Dias", "Car\u200dla Dias", "DIAS, Carla"],
)
def test_names_are_compared_after_normalisation(name: str) -> None:
    assert normalise_name(name) == normalise_name("Carla Dias")


@pytest.mark.parametrize("name", ["Cаrla Dias", "Carla Diαs", "Сarla Dias"])
def test_a_name_mixing_look_alike_scripts_is_nobody(name: str) -> None:
    who = identify(Author(name, "someone@evil.example"), INDEX)
    assert who.member is None
    assert "mixes" in who.reason


def test_latin_beside_cjk_is_not_a_disguise() -> None:
    assert confusable_scripts("Tianqi Chen 陈天奇") == ()
    assert confusable_scripts("Сarla") == ("CYRILLIC", "LATIN")


def github_comment(n: int, user: str, body: str) -> object:
    return replace(
        mail(n, body, name=user, username=user, subject="[VOTE] Adopt the plan"),
        source="github",
        body_format=BodyFormat.MARKDOWN,
    )


def test_a_repost_that_names_nobody_is_credited_by_its_signature_unconfirmed() -> None:
    body = "+1 (binding)\n\nThanks,\nCarla\n"
    t = count_votes(
        [thread(call(), github_comment(1, "tvm-archiver", body))],  # type: ignore[arg-type]
        ROSTER,
        TallyOptions(bots=frozenset({"tvm-archiver"})),
    )
    (ballot,) = t.ballots
    assert (ballot.member_id, ballot.value, ballot.binding, ballot.match) == (
        "carla",
        Value.PLUS,
        True,
        Match.BOT_REPOST,
    )
    assert ballot.voter == "Carla Dias (via tvm-archiver)"
    assert "unconfirmed" in ballot.flags
    assert any("signature 'Carla'" in r.reason for r in t.review)


def test_a_repost_nobody_can_be_matched_to_is_a_non_binding_ballot_for_review() -> None:
    body = "-1\n\nQuentin\n"
    t = count_votes(
        [thread(call(), github_comment(1, "tvm-archiver", body))],  # type: ignore[arg-type]
        ROSTER,
        TallyOptions(bots=frozenset({"tvm-archiver"})),
    )
    (ballot,) = t.ballots
    assert (ballot.member_id, ballot.value, ballot.binding) == (None, Value.MINUS, False)
    assert any("not on the roster" in r.reason for r in t.review)


def test_a_bot_speaking_for_itself_casts_nothing() -> None:
    body = "This issue was mirrored to dev@ by the archiver.\n"
    t = count_votes(
        [thread(call(), github_comment(1, "tvm-archiver", body))],  # type: ignore[arg-type]
        ROSTER,
        TallyOptions(bots=frozenset({"tvm-archiver"})),
    )
    assert t.ballots == ()


@pytest.mark.parametrize(
    ("lines", "name"),
    [
        (["+1", "", "Markus"], "Markus"),
        (["+1", "", "Thanks,", "Markus Weimer"], "Markus Weimer"),
        (["+1", "-- ", "Jane Doe", "PMC, Apache Foo"], "Jane Doe"),
        (["+1", "", "Cheers, Bo"], "Bo"),
        (["+1 looks good to me, I checked the signatures."], None),
    ],
)
def test_signature_names(lines: list[str], name: str | None) -> None:
    assert signature_name(lines) == name


def test_a_dmarc_rewritten_sender_is_known_by_the_spf_checked_envelope_sender() -> None:
    author = Author(
        "Carla Dias via dev",
        "dev@tvm.apache.org",
        envelope_from=("carla@apache.org",),
        reply_to=("someone-else@example.com",),
    )
    who = identify(author, INDEX)
    assert (who.member and who.member.id, who.match, who.low_confidence) == (
        "carla",
        Match.DMARC_REWRITE,
        False,
    )


def test_a_confirmed_address_is_a_verified_identity_of_the_member_in_later_votes() -> None:
    verdict = IdentityVerdict("carla.dias@gmail.com", "carla", confirmed=True, by="chair")
    opts = TallyOptions(verdicts=(verdict,))
    t = count_votes(
        [thread(call(), carla(1, "+1", "carla.dias@gmail.com"), carla(2, "-1", "x@evil.example"))],
        ROSTER,
        opts,
    )
    counted = [b for b in t.ballots if b.counted]
    assert [(b.member_id, b.value, b.match, b.flags) for b in counted] == [
        ("carla", Value.PLUS, Match.CONFIRMED, ())
    ]
    assert any("possible impersonation: x@evil.example" in r.reason for r in t.review)


def test_a_rejected_identity_is_not_the_member_any_more() -> None:
    verdict = IdentityVerdict("carla.dias@gmail.com", "carla", confirmed=False, by="chair")
    who = identify(Author("Carla Dias", "carla.dias@gmail.com"), index_roster(ROSTER, [verdict]))
    assert who.member is None
    assert "not carla" in who.reason


def test_a_confirmed_username_counts_for_the_member() -> None:
    verdict = IdentityVerdict("carla-d", "carla", confirmed=True)
    who = identify(Author("Carla D", username="carla-d"), index_roster(ROSTER, [verdict]))
    assert (who.member and who.member.id, who.match) == ("carla", Match.CONFIRMED)
