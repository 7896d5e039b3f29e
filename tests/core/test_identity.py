from __future__ import annotations

import pytest

from harvester.core.identity import identify, index_roster, normalise_address, normalise_name
from harvester.model import Author, Match, Member, Role, Roster
from tests.core.factories import ROSTER

INDEX = index_roster(ROSTER)


@pytest.mark.parametrize(
    ("author", "member_id", "match", "low"),
    [
        (Author("Ada", "ada@apache.org"), "ada", Match.ASF_ADDRESS, False),
        (Author("Ada", "ADA@Apache.Org"), "ada", Match.ASF_ADDRESS, False),
        (Author("Ada", "ada@apache.org.INVALID"), "ada", Match.ASF_ADDRESS, False),
        (Author("Ada L", "ada.l@gmail.com"), "ada", Match.LISTED_ADDRESS, False),
        (Author("Ada L", "ada.l@gmail.com.INVALID"), "ada", Match.LISTED_ADDRESS, False),
        (Author(username="ADA"), "ada", Match.USERNAME, False),
        (
            Author("Ada Lovegood via dev", "dev@tvm.apache.org", reply_to=("ada@apache.org",)),
            "ada",
            Match.DMARC_REWRITE,
            False,
        ),
        (Author("Bo Chen via dev", "dev@tvm.apache.org"), "bochen", Match.DISPLAY_NAME, True),
        (
            Author("Ada Lovegood", "notifications@github.com", github_sender="adalove"),
            "ada",
            Match.GITHUB_NOTIFICATION,
            False,
        ),
        (Author("Dev Patel", "notifications@github.com"), "devp", Match.DISPLAY_NAME, True),
        (Author("Lindqvist, Zoe", "zl@example.org"), "zoe", Match.DISPLAY_NAME, True),
        (Author("CHEN BO", "bo@qq.com"), "bochen", Match.DISPLAY_NAME, True),
        (Author("Mallory", "mallory@example.org"), None, Match.UNKNOWN, False),
    ],
)
def test_identity_steps(author: Author, member_id: str | None, match: Match, low: bool) -> None:
    who = identify(author, INDEX)
    assert (who.member.id if who.member else None, who.match, who.low_confidence) == (
        member_id,
        match,
        low,
    )


def test_unknown_voter_is_listed_with_a_reason() -> None:
    who = identify(Author("Mallory", "mallory@example.org"), INDEX)
    assert who.voter == "Mallory"
    assert "not on the roster" in who.reason
    assert who.usernames == ("mallory@example.org",)


def test_dmarc_name_is_shown_without_the_list() -> None:
    who = identify(Author("Nobody Known via dev", "dev@tvm.apache.org"), INDEX)
    assert who.voter == "Nobody Known"


def test_github_notification_name_with_login_suffix() -> None:
    who = identify(Author("Dev P (devp)", "notifications@github.com"), INDEX)
    assert who.member is not None
    assert who.member.id == "devp"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Chen, Tianqi", "Tianqi Chen"),
        ("Zoë Lindqvist", "zoe lindqvist"),
        ('"Bo Chen"', "bo  chen"),
    ],
)
def test_normalise_name(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_normalise_address_strips_invalid_and_case() -> None:
    assert normalise_address("<Jane@Yahoo.com.INVALID>") == "jane@yahoo.com"


@pytest.mark.parametrize(
    ("author", "usernames"),
    [
        (
            Author("Ada via dev", "dev@tvm.apache.org", reply_to=("Ada@Apache.org",)),
            ("ada@apache.org",),
        ),
        (Author("Ada", "notifications@github.com", github_sender="adalove"), ("adalove",)),
        (Author("Ada L", "ada.l@gmail.com"), ("ada.l@gmail.com",)),
    ],
)
def test_shared_sender_addresses_are_not_usernames(
    author: Author, usernames: tuple[str, ...]
) -> None:
    assert identify(author, INDEX).usernames == usernames


def test_a_capital_sigma_ending_a_word_lowers_to_its_final_form() -> None:
    """As Python's str.lower does ("ΟΔΟΣ" -> "οδος"): a roster read in plain Python keeps that
    form, so an address lowered any other way would never match it. mypyc's own lower() on
    Python before 3.13 gives "οδοσ": the compiled build must not use it (tests/test_compiled)."""
    assert normalise_address("ΟΔΟΣ@X.ORG") == "οδος@x.org"
    nikos = Member("nikos", "Nikos Papadopoulos", Role.PMC, emails=("νικος@example.org",))
    author = Author(name="N. P.", address="ΝΙΚΟΣ@EXAMPLE.ORG")
    who = identify(author, index_roster(Roster(members=(nikos,))))
    assert who.member == nikos
    assert who.match is Match.LISTED_ADDRESS
