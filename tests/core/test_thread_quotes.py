"""Quotations known from the thread (core/quotes.py): the earlier message's words, any marking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.core.ballots import line_vote
from harvester.core.quotes import (
    GRAM,
    KnownText,
    Words,
    drop_known_quotations,
    is_header_like,
    words,
)
from harvester.core.tally import TallyOptions, count_votes
from harvester.model import Value
from tests.core.factories import ROSTER, call, mail, thread

PARENT = """+1 (binding)

I built the source release on two machines and the tests passed. The
signatures and checksums are fine.

Bo
"""


def known(*bodies: str) -> KnownText:
    index = KnownText()
    for body in bodies:
        index.add(body.split("\n"))
    return index


def kept(reply: str, *earlier: str) -> list[str]:
    found = drop_known_quotations(reply.split("\n"), known(*earlier), _is_vote)
    return [line for line in found.lines if line.strip()]


def _is_vote(line: str) -> bool:
    return line_vote(line) is not None


# Attribution and header forms of mailers and languages; the thread alone must find the quote.
HEADERS = {
    "french outlook": (
        "De : Bo Chen <bochen@apache.org>\nEnvoyé : lundi 5 janvier 2026 16:02\n"
        "À : dev@tvm.apache.org\nObjet : Re: [VOTE] Adopt the plan"
    ),
    "polish attribution": "W dniu 05.01.2026 o 16:02, Bo Chen <bochen@apache.org> napisał:",
    "date first": "2026-01-05 16:02 GMT+01:00 Bo Chen <bochen@apache.org>:",
    "dashed on-wrote": "---- On Mon, 05 Jan 2026 16:02:11 +0100 Bo Chen wrote ----",
    "wrapped over three lines": (
        "On Mon, Jan 5, 2026 at 4:02 PM Bo Chen\n<bochen@apache.org>\nwrote:"
    ),
    "outlook fields parted by blank lines": (
        "From: Bo Chen\n\nSent: Monday, January 5, 2026 4:02 PM\n\nTo: dev@tvm.apache.org"
    ),
    "an attribution no pattern knows": "Bo Chen kirjoitti 5.1.2026 klo 16.02:",
}


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_an_unmarked_quotation_of_an_earlier_message_goes_with_its_header(header: str) -> None:
    reply = f"-1, the NOTICE file is wrong.\n\n{header}\n\n{PARENT}"
    assert kept(reply, PARENT) == ["-1, the NOTICE file is wrong."]


def test_a_marked_and_rewrapped_quotation_is_found_too() -> None:
    rewrapped = (
        "> +1 (binding)\n>\n> I built the source release on two machines and\n"
        "> the tests passed. The signatures and checksums are\n> fine.\n>\n> Bo"
    )
    reply = f"Same here: -1\n\nBo wrote:\n{rewrapped}\n"
    assert kept(reply, PARENT) == ["Same here: -1"]


def test_an_own_plus_one_survives_beside_a_parent_that_said_plus_one() -> None:
    parent = "+1\n\nAda"
    reply = "+1\n\nOn Mon, Jan 5, 2026 Ada wrote:\n> +1\n>\n> Ada"
    assert kept(reply, parent)[0] == "+1"


def test_a_vote_written_on_the_attribution_line_is_kept() -> None:
    reply = f"+1 On Mon, Jan 5, 2026 at 4:02 PM, Bo Chen <bochen@apache.org> wrote:\n{PARENT}"
    assert kept(reply, PARENT) == [
        "+1 On Mon, Jan 5, 2026 at 4:02 PM, Bo Chen <bochen@apache.org> wrote:"
    ]


def test_text_that_opens_the_message_is_the_authors_own_even_when_it_repeats_another() -> None:
    checklist = "+1 (binding)\n- checked the signatures and checksums\n- built it from source"
    reply = checklist + "\n\nCarla"
    assert kept(reply, checklist + "\n\nBo")[0] == "+1 (binding)"


def test_prose_sharing_a_few_words_with_an_earlier_message_is_not_a_quotation() -> None:
    reply = "Hi,\n\n+1 (binding). I built the source release too.\n\nCarla"
    assert "+1 (binding). I built the source release too." in kept(reply, PARENT)


def test_a_short_earlier_message_of_several_lines_is_matched_whole() -> None:
    parent = "+1 (binding)\nBo"
    reply = "-1\n\nBo Chen schrieb am Montag:\n+1 (binding)\nBo"
    assert kept(reply, parent) == ["-1"]


def test_a_quoted_vote_with_no_header_above_it_is_reported() -> None:
    reply = f"I looked again and I am not sure.\n\n{PARENT}"
    found = drop_known_quotations(reply.split("\n"), known(PARENT), _is_vote)
    assert [line for line in found.lines if line.strip()] == ["I looked again and I am not sure."]
    assert found.unmarked_votes == ("+1 (binding)",)


def test_nothing_known_keeps_every_line() -> None:
    reply = "-1\n\nDe : Bo\n\n+1 (binding)"
    assert drop_known_quotations(reply.split("\n"), KnownText(), _is_vote).lines == (
        reply.split("\n")
    )


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("Le lun. 5 janv. 2026 à 16:02, Bo Chen <bochen@apache.org> a écrit :", True),
        ("-----Oprindelig meddelelse-----", True),
        ("Verzonden: maandag 5 januari 2026 16:02", True),
        ("I agree with the points below", False),
        ("Thanks for driving this", False),
    ],
)
def test_header_like_lines(line: str, header: bool) -> None:
    assert is_header_like(line) is header


def test_words_ignore_quote_marks_case_and_markup() -> None:
    assert words(">> **+1** (Binding),") == words("+1 (binding)") == ("+1", "binding")


def test_the_tally_reads_the_repliers_own_vote_not_the_quoted_one() -> None:
    parent = mail(1, PARENT, name="Bo Chen", address="bochen@apache.org")
    header = HEADERS["an attribution no pattern knows"]
    reply = mail(2, f"-1 (binding)\n\n{header}\n{PARENT}", name="Carla", address="carla@apache.org")
    tally = count_votes([thread(call(), parent, reply)], ROSTER, TallyOptions())
    values = {b.member_id: b.value for b in tally.ballots}
    assert values == {"bochen": Value.PLUS, "carla": Value.MINUS}


def test_the_tally_lists_a_repeated_vote_line_with_no_attribution_for_review() -> None:
    parent = mail(1, PARENT, name="Bo Chen", address="bochen@apache.org")
    reply = mail(2, f"Not sure yet.\n\n{PARENT}", name="Carla", address="carla@apache.org")
    tally = count_votes([thread(call(), parent, reply)], ROSTER, TallyOptions())
    assert [b.member_id for b in tally.ballots] == ["bochen"]
    assert any("repeats an earlier message" in item.reason for item in tally.review)


UNKNOWN_HEADERS = {
    "korean outlook": (
        "보낸 사람: Bo Chen <bochen@apache.org>\n보낸 날짜: 2026년 1월 5일 월요일 오후 4:02\n"
        "받는 사람: dev@tvm.apache.org\n제목: Re: [VOTE] Adopt the plan"
    ),
    "turkish outlook": (
        "Kimden: Bo Chen <bochen@apache.org>\nGönderildi: 5 Ocak 2026 Pazartesi 16:02\n"
        "Kime: dev@tvm.apache.org"
    ),
    "an attribution no table knows": "Pada tanggal 5 Jan 2026 16.02, Bo Chen <bochen@apache.org>:",
    "from and subject, no date": "From: Bo Chen\nSubject: Re: [VOTE] Adopt the plan",
}


@pytest.mark.parametrize("header", UNKNOWN_HEADERS.values(), ids=UNKNOWN_HEADERS.keys())
def test_a_quoted_short_ballot_under_a_header_is_not_the_repliers(header: str) -> None:
    reply = f"Bo, did you check the Windows build?\n\n{header}\n\n+1 (binding)\n"
    assert kept(reply, "+1 (binding)") == ["Bo, did you check the Windows build?"]


def test_a_short_own_vote_is_kept_below_prose_that_ends_in_a_colon() -> None:
    reply = "I tested it on 2026-01-05:\n+1 (binding)"
    assert kept(reply, "+1 (binding)") == ["I tested it on 2026-01-05:", "+1 (binding)"]


def test_a_short_own_vote_after_a_greeting_is_kept() -> None:
    assert kept("Hi Ada,\n\n+1\n\nThanks for driving this!", "+1\n\nThanks for driving this!") == [
        "Hi Ada,",
        "+1",
        "Thanks for driving this!",
    ]


def test_a_copied_checklist_after_a_greeting_is_the_voters_own() -> None:
    checklist = (
        "+1 (binding)\n[x] checked the signatures and the checksums\n[x] built it from source"
    )
    assert kept("Hi,\n\n" + checklist, checklist + "\n\nBo")[1] == "+1 (binding)"


def test_a_bottom_posted_vote_under_the_same_quote_as_an_earlier_one_counts() -> None:
    """Two replies quote the call the same way (Thunderbird: "On … wrote:", "> " lines down to
    its signature) and vote below it. The first reply's words run on from the quote into its
    own "+1"; that run must not make the second reply's own "+1" look quoted."""
    call_text = (
        "Hi all,\n\nPlease vote on releasing Apache Kite 1.0.0 from the tag below.\n\n"
        "[ ] +1 approve\n[ ] 0 no opinion\n[ ] -1 disapprove (please state why)\n\n"
        "Thanks,\nSiyuan\n"
    )
    quoted = "".join(f"> {line}\n" if line else ">\n" for line in call_text.splitlines())

    def reply(n: int, address: str, zone: str) -> object:
        # each replier's mailer writes the call's time in their own zone
        attribution = f"On 1/5/26 {zone}, Ada Lovegood wrote:\n{quoted}\n+1\n"
        return mail(n, attribution, address=address)

    tally = count_votes(
        [
            thread(
                call(call_text),
                reply(1, "bochen@apache.org", "3:00 PM"),
                reply(2, "carla@apache.org", "10:00 AM"),
            )
        ],
        ROSTER,
        TallyOptions(),
    )
    assert {b.member_id: b.value for b in tally.ballots if b.member_id != "ada"} == {
        "bochen": Value.PLUS,
        "carla": Value.PLUS,
    }


def test_an_answer_below_a_quote_counts_even_when_an_earlier_reply_said_the_same() -> None:
    """A copied checklist written below the quoted call (bottom-posting) is the author's own,
    as one written above it is: two reviewers tick the same boxes and both vote."""
    call_text = "Please vote on releasing Apache Kite 1.0.0 from the tag below.\n\nThanks,\nAda\n"
    quoted = "".join(f"> {line}\n" if line else ">\n" for line in call_text.splitlines())
    checklist = (
        "+1\n\nI checked:\n- Ran the unit tests, all passed\n"
        "- Built from source on Ubuntu 22.04 with LLVM 17\n- Verified signatures and checksums\n"
    )

    def reply(n: int, address: str, zone: str) -> object:
        return mail(
            n, f"On 1/5/26 {zone}, Ada Lovegood wrote:\n{quoted}\n{checklist}", address=address
        )

    tally = count_votes(
        [
            thread(
                call(call_text),
                reply(1, "bochen@apache.org", "3:00 PM"),
                reply(2, "carla@apache.org", "10:00 AM"),
            )
        ],
        ROSTER,
        TallyOptions(),
    )
    counted = {b.member_id for b in tally.ballots if b.counted and b.value is Value.PLUS}
    assert counted >= {"bochen", "carla"}


def test_a_top_posted_reply_over_a_bottom_posted_one_casts_no_vote() -> None:
    """Priya top-posts a note over Sid's whole mail (an Outlook header block), and Sid's mail
    holds the call quoted with "> " and his "LGTM, +1" below it: that +1 is Sid's, not hers."""
    call_text = "Please vote on releasing Apache Kite 1.0.0 from the tag below.\n\nThanks,\nAda\n"
    quoted = "".join(f"> {line}\n" if line else ">\n" for line in call_text.splitlines())
    sid = f"On 1/5/26 3:00 PM, Ada Lovegood wrote:\n{quoted}\nLGTM, +1\n\nThanks,\nSid\n"
    priya = (
        "I'll try to verify the release candidate over the weekend.\n\nPriya\n\n"
        "________________________________\nFrom: Bo Chen <bochen@apache.org>\n"
        "Sent: Monday, January 5, 2026 4:00 PM\nTo: dev@kite.apache.org\n"
        "Subject: Re: [VOTE] Adopt the plan\n\n" + sid
    )
    tally = count_votes(
        [
            thread(
                call(call_text),
                mail(1, sid, address="bochen@apache.org"),
                mail(2, priya, address="carla@apache.org"),
            )
        ],
        ROSTER,
        TallyOptions(),
    )
    assert {b.member_id for b in tally.ballots} == {"bochen"}  # Sid voted; Priya did not


def _covered_word_by_word(known: KnownText, found: Words, *, tiny: bool) -> bytes:
    """What covered() must give, the plain way: mark every word of every known run."""
    marks = bytearray(len(found.tokens))
    lengths = list(known.tiny.items()) if tiny else [(GRAM, known.runs), *known.short.items()]
    for length, runs in lengths:
        for start in range(len(found.tokens) - length + 1):
            if hash(tuple(found.tokens[start : start + length])) in runs:
                marks[start : start + length] = b"\x01" * length
    return bytes(marks)


_VOCABULARY = st.sampled_from(["+1", "release", "the", "vote", "binding", "thanks", "rc1", "ok"])
_LINES = st.lists(
    st.lists(_VOCABULARY, max_size=12).map(" ".join).map(lambda line: "> " + line), max_size=8
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=4), _LINES, st.booleans())
def test_covered_marks_exactly_the_words_of_known_runs(
    earlier: list[list[str]], lines: list[str], tiny: bool
) -> None:
    known = KnownText()
    for message in earlier:
        known.add(message)
    found = Words(lines)
    assert known.covered(found, tiny=tiny) == _covered_word_by_word(known, found, tiny=tiny)
