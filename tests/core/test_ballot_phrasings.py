"""Ballots as people write them (issue 10, item 3) and votes never lost in silence (item 4).

Every row of the lead-in and mention tables in core/ballot_patterns.py has an example here; a
test fails when a row is added without one.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.core import ballot_patterns
from harvester.core.ballots import line_vote, read_ballot
from harvester.core.text import plain_own_lines
from harvester.core.unread import MENTION_ROWS, token_context, unexplained_votes
from harvester.model import Reading, Value

Read = tuple[str | None, str | None, tuple[str, ...]]


def read(body: str, *, is_call: bool = False) -> Read:
    reading = read_ballot(plain_own_lines(body), is_call=is_call)
    if reading is None:
        return None, None, ()
    return (reading.value.value if reading.value else None), reading.raw, reading.flags


def unexplained(body: str, *, is_call: bool = False) -> list[str]:
    lines = plain_own_lines(body)
    return unexplained_votes(lines, read_ballot(lines, is_call=is_call), is_call=is_call)


# --- lead-ins: one example per row of ballot_patterns.LEAD_INS ---------------------------------

LEAD_IN_EXAMPLES: dict[str, tuple[str, str]] = {
    "i-vote": ("I vote +1", "+1"),
    "voting": ("Voting -1, the LICENSE is missing", "-1"),
    "my-vote": ("My vote is 0", "0"),
    "here-is-my": ("Here's my +1", "+1"),
    "i-am": ("I'm +1 on this", "+1"),
    "intensity": ("Huge +1, thanks for driving it", "+1"),
    "claim": ("Non-binding +1", "+1"),
    "agree": ("Agreed, +1", "+1"),
    "chinese-agree": ("同意+1", "+1"),
    "chinese-support": ("支持 +1", "+1"),
    "chinese-vote": ("我投+1票。", "+1"),
    "japanese-agree": ("賛成します（+1）", "+1"),
    "german-vote": ("Ich stimme mit +1 (bindend).", "+1"),
    "french-vote": ("Je vote +1.", "+1"),
    "spanish-vote": ("Mi voto: -1, falta el fichero NOTICE", "-1"),
    "in-favour": ("I am in favour of this: +1", "+1"),
    "conclusion": ("Overall: +1", "+1"),
    "update": ("Update: +1 (was -1), the NOTICE is fixed", "+1"),
    "lgtm": ("LGTM, +1", "+1"),
    "looks-good": ("Looks good to me. +1", "+1"),
    "yes": ("Yes, +1", "+1"),
    "also": ("Also +1 from my side", "+1"),
    "thanks": ("Thanks for driving this release, +1", "+1"),
}


def test_every_lead_in_row_has_an_example() -> None:
    assert [name for name, _ in ballot_patterns.LEAD_INS] == list(LEAD_IN_EXAMPLES)


@pytest.mark.parametrize(
    ("name", "line", "value"),
    [(name, line, value) for name, (line, value) in LEAD_IN_EXAMPLES.items()],
    ids=list(LEAD_IN_EXAMPLES),
)
def test_lead_in_row_reads_its_example(name: str, line: str, value: str) -> None:
    vote = line_vote(line)
    assert vote is not None
    assert name in vote.lead_ins
    assert read(line)[:2] == (value, line)
    assert unexplained(line) == []


# --- the phrasings of the issue, end to end -----------------------------------------------------

PHRASINGS: list[tuple[str, Read]] = [
    ("I vote +1", ("+1", "I vote +1", ())),
    ("I am voting +1.", ("+1", "I am voting +1.", ())),
    ("Big +1", ("+1", "Big +1", ())),
    ("Strong +1 (binding)", ("+1", "Strong +1 (binding)", ("claimed-binding",))),
    ("Non-binding +1", ("+1", "Non-binding +1", ("claimed-non-binding",))),
    ("Binding: -1", ("-1", "Binding: -1", ("claimed-binding",))),
    ("agree +1", ("+1", "agree +1", ())),
    ("同意+1", ("+1", "同意+1", ())),
    ("LGTM, +1", ("+1", "LGTM, +1", ())),
    ("I'm +1 on this", ("+1", "I'm +1 on this", ())),
    ("Yes, +1", ("+1", "Yes, +1", ())),
    ("my vote: +1", ("+1", "my vote: +1", ())),
    ("huge +1", ("+1", "huge +1", ())),
    ("definite +1", ("+1", "definite +1", ())),
    ("+1 from me", ("+1", "+1 from me", ())),
    ("Yes, I vote +1 (binding)", ("+1", "Yes, I vote +1 (binding)", ("claimed-binding",))),
    ("**Strong -1**, the build fails", ("-1", "**Strong -1**, the build fails", ())),
    ("- LGTM +1", ("+1", "- LGTM +1", ())),
    ("I vote -1 until X is fixed", ("-1", "I vote -1 until X is fixed", ())),
    ("Big +1000!!", ("+1", "Big +1000!!", ())),
    ("I vote +0.5", ("0", "I vote +0.5", ("fractional",))),
    ("Thanks! -1, and this is a veto", ("-1", "Thanks! -1, and this is a veto", ("veto",))),
    (
        "I vote +1 for the source, -1 for the binaries",
        ("+1", "I vote +1 for the source, -1 for the binaries", ("mixed",)),
    ),
    ("LGTM, +1\n-1 on the binaries though", ("+1", "LGTM, +1", ("mixed",))),
    ("Agree with Jane, +1", ("+1", "Agree with Jane, +1", ())),
    (
        "I would like to change my vote from -1 to +1.",
        ("+1", "I would like to change my vote from -1 to +1.", ("changed-by-text",)),
    ),
    ("Non-binding :+1:", (None, None, ())),  # an emoji code counts only when emoji votes do
    ("Thanks for the :+1:", (None, None, ())),
]


def test_an_emoji_vote_after_a_lead_in_counts_when_emoji_votes_do() -> None:
    reading = read_ballot(["Non-binding :+1:"], emoji_votes=True)
    assert reading == Reading(Value.PLUS, "Non-binding :+1:", ("claimed-non-binding",))


@pytest.mark.parametrize(("body", "expected"), PHRASINGS)
def test_phrasing(body: str, expected: Read) -> None:
    assert read(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("＋1", ("+1", "＋1", ())),
        ("＋１", ("+1", "＋１", ())),
        ("－１", ("-1", "－１", ())),
        ("＋１（binding）", ("+1", "＋１（binding）", ("claimed-binding",))),
        ("同意＋１", ("+1", "同意＋１", ())),
        ("同意，＋１", ("+1", "同意，＋１", ())),
        ("我也支持+1", ("+1", "我也支持+1", ())),
        ("ＬＧＴＭ，＋１", ("+1", "ＬＧＴＭ，＋１", ())),
    ],
)
def test_full_width_forms_are_read_and_raw_keeps_them(body: str, expected: Read) -> None:
    assert read(body) == expected
    assert unexplained(body) == []


@pytest.mark.parametrize(
    ("body", "flags"),
    [
        ("+1\n(binding)", ("claimed-binding",)),
        ("+1\n\n(non-binding)", ("claimed-non-binding",)),
        ("+1\nbinding", ("claimed-binding",)),
        ("-1\n\nNon-binding.", ("claimed-non-binding",)),
        ("+1 from me\n(binding, checked the signatures)", ("claimed-binding",)),
        ("+1 (non-binding)\n(binding)", ("claimed-non-binding",)),  # the vote's own line wins
        ("+1\nThe binding votes decide.", ()),  # prose about binding is not a claim
        ("+1\nchecked sigs\n(binding)", ()),  # only the line right after the vote
    ],
)
def test_claim_on_the_next_line_or_paragraph(body: str, flags: tuple[str, ...]) -> None:
    assert read(body)[2] == flags


# --- mentions: no ballot, and nothing to review -------------------------------------------------

MENTIONS_IN_PROSE = [
    "thanks for the +1",
    "Thanks for the +1s, everyone",
    "we need at least 3 +1 votes",
    "We need at least three binding +1",
    "Re Jane's -1: I think the concern is addressed.",
    "About your -1: the LICENSE is fixed in rc2.",
    "+1.5% faster on ResNet-50",
    "bing + 10",
    "binding + 10",
    "binding +10, non-binding +3",
    "Binding: +2, non-binding: +1, total: 3",
    "+1 (binding): 5",
    "+1 votes from three PMC members are needed",
    "a -1 would block the release",
    "If anyone is -1, please say why",
    "Reply with +1 or -1",
    '"+1" is how you vote here',
    "0 failures in the test run",
    "0.9.0 had this problem too",
    "The meeting is at 10:00 UTC +1",
    "We need n + 1 nodes",
    "Call me at +1 (650) 555-0100",
    "so far there is a +1 from Bob",
    "No -1 so far, and no 0 either",
]


@pytest.mark.parametrize("body", MENTIONS_IN_PROSE)
def test_mentions_are_neither_ballots_nor_review_items(body: str) -> None:
    assert read(body) == (None, None, ())
    assert unexplained(body) == []


# One example per row of ballot_patterns.MENTIONS: the line, and the token the row explains.
MENTION_EXAMPLES: dict[str, tuple[str, str]] = {
    "determiner": ("All the -1 concerns are addressed", "-1"),
    "possessive": ("Re Jane's -1: fixed in rc2", "-1"),
    "count": ("We need at least 3 +1 before Friday", "+1"),
    "plural": ("Thanks for all the +1s", "+1"),
    "votes-noun": ("Only PMC +1 votes are binding", "+1"),
    "a-token-does": ("Note that a -1 must come with a reason", "-1"),
    "alternative": ("Reply with +1 or -1", "+1"),
    "thanks-for": ("Thanks Bob for your quick +1", "+1"),
    "someone-else": ("If you are -1, please give a reason", "-1"),
    "from-someone": ("So far there is a +1 from Bob", "+1"),
    "was-before": ("Update: +1 (was -1), fixed now", "-1"),
    "negated": ("I don't feel strongly enough about it to vote +1.", "+1"),
    "quoted-token": ('Type "+1" to approve', "+1"),
    "emoji-code": ("Nice :+1:", "+1"),
    "arithmetic": ("We need n + 1 nodes", "+ 1"),
    "phone": ("Call me at +1 650 555 0100", "+1"),
    "timezone": ("The call is at 16:00 UTC +1", "+1"),
    "listing-count": ("So far: +1 (binding): 4, -1: none", "+1"),
}


def test_a_mention_wrapped_over_two_lines_is_still_a_mention() -> None:
    body = "0 (binding)\n\nNo objection, but I don't feel strong enough\nabout it to vote +1.\n"
    lines = plain_own_lines(body)
    assert unexplained_votes(lines, read_ballot(lines)) == []
    assert unexplained_votes(["0", "", "I would vote +1."], read_ballot(["0"])) == [
        "I would vote +1."
    ]


def test_every_mention_row_has_an_example() -> None:
    assert [name for name, _ in ballot_patterns.MENTIONS] == list(MENTION_EXAMPLES)


@pytest.mark.parametrize(
    ("name", "line", "token"),
    [(name, line, token) for name, (line, token) in MENTION_EXAMPLES.items()],
    ids=list(MENTION_EXAMPLES),
)
def test_mention_row_explains_its_example(name: str, line: str, token: str) -> None:
    start = line.index(token)
    context = token_context(line, start, start + len(token))
    assert dict(MENTION_ROWS)[name].search(context)
    assert unexplained(line) == []


# --- result listings ----------------------------------------------------------------------------

RESULTS: list[tuple[str, Read]] = [
    ("+1: Alice, Bob\n0: none\n-1: none", (None, None, ())),
    ("+1 (binding): Alice, Bob\n-1 (binding): none", (None, None, ())),
    ("+1 (binding): Bo\n-1 (binding): none", (None, None, ())),
    ("- +1: 3 (Alice, Bob, Carol)\n- -1: 0", (None, None, ())),
    ("Vote result:\n+1 (binding): tqchen, junrushao\n+1: Carol\n-1: none", (None, None, ())),
    (
        "+1 from me. Result so far: +1: A, B; -1: none",
        ("+1", "+1 from me. Result so far: +1: A, B; -1: none", ()),
    ),
    (
        "Result so far:\n+1 (binding): Alice, Bob\n0: none\n-1: Carol\n\n-1 from me, sadly.",
        ("-1", "-1 from me, sadly.", ()),
    ),
    (
        "+1 (binding) from me.\n\nThe vote has passed:\n+1: Alice, Bob, Carol\n-1: none",
        ("+1", "+1 (binding) from me.", ("claimed-binding",)),
    ),
    (
        "Let's count: +1 (binding): Alice, Bob; +1 (non-binding): Dan; -1: none. I close it"
        " tomorrow.",
        (None, None, ()),
    ),
    ("0: none\n+1: Bo", (None, None, ())),
]


@pytest.mark.parametrize(("body", "expected"), RESULTS)
def test_result_listing_is_not_a_vote_but_the_authors_own_vote_is(
    body: str, expected: Read
) -> None:
    assert read(body) == expected
    assert unexplained(body) == []


@pytest.mark.parametrize("body", ["+1 (binding): Alice, Bob", "+1: Great, Thanks!"])
def test_a_bare_list_of_names_is_no_ballot_but_is_put_up_for_review(body: str) -> None:
    assert read(body) == (None, None, ())
    assert unexplained(body) == [body]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("+1: checked sigs, hashes, license", "+1"),  # prose, not names
        ("+1 (binding): Alice", "+1"),  # one name alone, no result around it
        ("+1: Approve", "+1"),
        ("-1: none of the issues are fixed", "-1"),
        ("+1: 3 files changed, looks fine", "+1"),
    ],
)
def test_a_vote_with_a_colon_is_not_taken_for_a_listing(body: str, expected: str) -> None:
    assert read(body)[0] == expected


# --- nothing lost in silence ----------------------------------------------------------------------

REPORTED: list[tuple[str, list[str]]] = [
    ("I'd say +1 given the updates", ["I'd say +1 given the updates"]),
    ("Count me in as a +1", ["Count me in as a +1"]),
    ("+1ing this", ["+1ing this"]),
    ("So +1 from me", []),  # read: "So" leads in a conclusion
    ("I vote +1000", []),  # read: enthusiasm after a lead-in
    ("Thanks for driving this, I would say +1", ["Thanks for driving this, I would say +1"]),
    ("my previous -1 is withdrawn", ["my previous -1 is withdrawn"]),  # not read as a withdrawal
    ("My vote would be -1", ["My vote would be -1"]),
    ("+1\n\nBob said -1 but I disagree", ["Bob said -1 but I disagree"]),
    ("I'm -1 on the naming but +1 overall", ["I'm -1 on the naming but +1 overall"]),
    ("+1, though -0 on the docs", ["+1, though -0 on the docs"]),
    ("+1\n\nPS: ＋０ on the logo", ["PS: ＋０ on the logo"]),
    ("Nice work.\n\nDefinitely a -1 for me.", ["Definitely a -1 for me."]),
    ("I withdraw my -1", []),  # read as a withdrawal
    ("I withdraw my -1\nbut +1ing the docs", ["but +1ing the docs"]),
    ("I agree with Jane's -1", ["I agree with Jane's -1"]),  # endorsed, not just mentioned
    ("Same as Bob: +1", ["Same as Bob: +1"]),
    ("We have +1: Alice, Bob", ["We have +1: Alice, Bob"]),
]


@pytest.mark.parametrize(("body", "expected"), REPORTED)
def test_unexplained_votes(body: str, expected: list[str]) -> None:
    assert unexplained(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "+1\n\nSo +1 from me again",  # same value as the ballot: changes nothing
        "+1 (binding)\n\nI'd say +1 too",
        "+1 source\n-1 binaries\nI'd say 0 or +0.5",  # already flagged mixed
        "+1 for the source release, -1 for the binaries",
        "I change my -1 to +1 now.",
        "-1 was my vote before.\nNow fixed, changing my vote to +1",
        "I withdraw my -1.\n+1 now",
        "+1, the -1 concerns were addressed",
        "+1 (binding)\nno -1 from me",
        "+1\n\nBob Smith\n+1-650-555-0100",
        "[ ] +1 approve\n[ ] -1 disapprove",
        "",
    ],
)
def test_not_reported(body: str) -> None:
    assert unexplained(body) == []


CALL = """Hi all,

[ ] +1 approve
[ ] 0 no opinion
[ ] -1 disapprove (please state why)

The vote passes with at least 3 +1 votes and twice as many binding +1 as -1.
If you vote -1, I ask you to give a reason.
It is open for at least 72 hours.
"""


@pytest.mark.parametrize(
    ("body", "ballot", "reported"),
    [
        (CALL, None, []),
        ("Please vote:\n+1: approve\n0: no opinion\n-1: reject, with reason\n", None, []),
        ("+1: approve\n-1: reject\n\n+1 from me\n", "+1", []),
        (CALL + "\nHere is my +1 (binding).\n", "+1", []),
        (
            "+1: approve\n-1: reject\n\nI will start with my own +1.",
            None,
            ["I will start with my own +1."],
        ),
    ],
)
def test_the_call_reports_only_what_the_caller_casts(
    body: str, ballot: str | None, reported: list[str]
) -> None:
    assert read(body, is_call=True)[0] == ballot
    assert unexplained(body, is_call=True) == reported


def test_a_withdrawal_reading_still_reports_other_votes() -> None:
    lines = ["I withdraw my -1", "I'd say +1 now"]
    assert unexplained_votes(lines, Reading(None, lines[0], ("withdrawn",))) == [lines[1]]


def test_a_line_is_reported_once() -> None:
    assert unexplained("Count me as a +1\nCount me as a +1") == ["Count me as a +1"]


# --- properties -----------------------------------------------------------------------------------

openers = st.sampled_from(
    ["", "I'd say ", "Count me in as a ", "So ", "Well, ", "Overall ", "OK, ", "Yes, ", "LGTM "]
)
tokens = st.sampled_from(["+1", "-1", "+0", "-0", "+0.5", "+1000", "＋１", "－１", "+1!!"])
closers = st.sampled_from(["", " given the updates", ".", " overall", " (binding)", " for now"])
prose = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Zs")), max_size=30)


@given(openers, tokens, closers)
def test_a_vote_like_token_is_read_or_reported(opener: str, token: str, closer: str) -> None:
    line = f"{opener}{token}{closer}"
    reading = read_ballot([line])
    assert (reading is not None and reading.value is not None) or unexplained_votes(
        [line], reading
    ) == [line]


@given(st.sampled_from([body for body, _ in PHRASINGS]))
def test_full_width_signs_and_digits_read_like_ascii(body: str) -> None:
    wide = body.translate(str.maketrans("+-0123456789", "＋－０１２３４５６７８９"))
    value, raw, _ = read(wide)
    assert value == read(body)[0]
    assert raw == (wide.splitlines()[0] if value is not None else None)


@given(st.lists(st.one_of(prose, tokens, st.sampled_from(MENTIONS_IN_PROSE)), max_size=6))
def test_reports_are_own_lines_and_never_raise(parts: list[str]) -> None:
    lines = [" ".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
    reported = unexplained_votes(lines, read_ballot(lines))
    assert set(reported) <= {line.strip() for line in lines}


@given(st.sampled_from([body for body, _ in PHRASINGS]), st.sampled_from(MENTIONS_IN_PROSE))
def test_a_mention_beside_a_ballot_changes_nothing(body: str, mention: str) -> None:
    lines = plain_own_lines(body)
    with_mention = [*lines, "", mention]
    assert read_ballot(with_mention) == read_ballot(lines)
    assert unexplained_votes(with_mention, read_ballot(with_mention)) == unexplained_votes(
        lines, read_ballot(lines)
    )


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("☑ -1\n☐ +1", "-1"),
        ("☐ +1 approve\n☑ -1 reject", "-1"),
        ("✅ +1", "+1"),
        ("☒ 0 no opinion\n☐ +1\n☐ -1", "0"),
        ("[ ] +1 approve\n[x] 0 no opinion\n[ ] -1 disapprove", "0"),
    ],
)
def test_a_ticked_box_written_as_a_character_is_the_chosen_option(body: str, value: str) -> None:
    assert read(body)[0] == value


def test_only_empty_boxes_cast_nothing() -> None:
    assert read("☐ +1 approve\n☐ -1 reject") == (None, None, ())


@pytest.mark.parametrize(
    "body",
    [
        "The vote has passed.\n\n+1:\nAlice*, Bob*, Carol\n\n0:\nnone\n\n-1:\nnone\n\n* binding",
        "Vote result:\n+1 binding: 5 (Alice, Bob, Carol, Dave, Eve)\n+1 non-binding: 2\n-1: 0",
        "The vote passes with 4 +1 votes (3 binding):\n- Alice*\n- Bob*\n- Carol*\n- Dan",
    ],
)
def test_result_conventions_of_real_threads_are_not_ballots(body: str) -> None:
    lines = plain_own_lines(body)
    assert read(body) == (None, None, ())
    assert unexplained_votes(lines, read_ballot(lines)) == []


def test_a_ballot_and_the_result_in_one_comment_is_the_authors_ballot() -> None:
    body = "+1 (binding) from me too.\n\nThe vote passed:\n+1 (binding): Alice, Bob, me\n-1: none"
    assert read(body)[:2] == ("+1", "+1 (binding) from me too.")


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("+1赞成", "+1"),
        ("-1反对，许可证有问题", "-1"),
        ("+1です", "+1"),
        ("＋1同意", "+1"),
        ("賛成です。+1", "+1"),
        ("Von mir ein +1.", "+1"),
        ("So +1 from me.", "+1"),
        ("Hence, +1", "+1"),
    ],
)
def test_votes_followed_by_cjk_or_led_in_other_languages(body: str, value: str) -> None:
    assert read(body)[0] == value


@pytest.mark.parametrize(
    "body",
    [
        "The NOTICE is fixed. I withdraw my -1 and vote +1 instead.",
        "-1 -> +1 after the fix.",
        "I'm changing my -1 to a +1.",
        "I change my vote to a +1.",
        "Changing my vote: +1",
    ],
)
def test_changes_as_people_write_them(body: str) -> None:
    assert read(body)[0] == "+1"


def test_an_endorsement_through_an_at_mention_is_not_a_mention() -> None:
    lines = ["I agree with @bochen's +1 and vote the same."]
    assert unexplained_votes(lines, read_ballot(lines)) == lines
