"""Identities that cannot be forged: a display name alone never overrules a verified ballot."""

from __future__ import annotations

import pytest

from harvester.core.identity import confusable_scripts, identify, index_roster, normalise_name
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Author, Match, Tally, Value
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
