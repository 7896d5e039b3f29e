"""Lines a hostile mail could hold are read in about linear time: a pattern that tries every
split of a run of stars, spaces or "@" made one mail take seconds to minutes (found by an audit
of the reading rules' patterns). Each input here took 10 s or more before its pattern was
rewritten, and takes milliseconds now; the bound is generous so that a busy machine passes."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harvester.core.announcement import read_announcement
from harvester.core.ballots import read_ballot
from harvester.core.identity import dmarc_name, identify, index_roster
from harvester.core.quotes import KnownText, drop_known_quotations
from harvester.core.text import own_lines_of, signature_name, unwrap_repost
from harvester.core.threads import subject_tags, vote_key
from harvester.core.unread import unexplained_votes
from harvester.core.voted_on import voted_on
from harvester.core.window import closing_line
from harvester.model import Author, Reading
from harvester.sources.mailparse import parse_mail
from tests.core.factories import ROSTER

BOUND_SECONDS = 2.0
GAP = " " * 32_000


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def test_a_run_of_stars_above_a_quotation() -> None:
    # quotes._HEADER_FIELD: its leading stars and its label could both take the run
    known = KnownText()
    known.add(["this is the release candidate of the project for voting today ok"])
    reply = [
        "*" * 16_000 + "a",
        "",
        "> this is the release candidate of the project for voting today ok",
        "",
        "+1",
    ]
    found = None

    def read() -> None:
        nonlocal found
        found = drop_known_quotations(reply, known, lambda line: "+1" in line)

    assert seconds(read) < BOUND_SECONDS
    assert found is not None
    assert "+1" in found.lines


def test_lines_of_at_signs_ending_in_wrote() -> None:
    # the "date-first" attribution row: an address's local part could hold "@" itself
    lines = ["On 2020 " + "@" * 487 + "wrote"] * 8 + ["+1"]
    kept: list[str] = []
    assert seconds(lambda: kept.extend(own_lines_of(lines))) < BOUND_SECONDS
    assert kept[-1] == "+1"


def test_a_run_of_spaces_or_commas_in_a_listing() -> None:
    # ballot_patterns LISTING_ITEMS_END and LISTING_SPLIT: tried from every place in the run
    for line in ("+1: A" + " " * 32_000 + "B", "+1: " + "," * 32_000 + "x"):
        lines = [line]

        def read(lines: list[str] = lines) -> None:
            reading = read_ballot(lines)
            list(unexplained_votes(lines, reading, is_call=False))

        assert seconds(read) < BOUND_SECONDS


def test_a_result_list_of_spaces_or_unclosed_brackets() -> None:
    # announcement _SPLIT and _PARENS (a run of spaces), and aliases in brackets never closed
    for line in ("Binding +1: A" + " " * 32_000 + "B", "Binding +1: " + "<" * 32_000):
        claims = None

        def read(line: str = line) -> None:
            nonlocal claims
            claims = read_announcement("mid:r@x", "[RESULT][VOTE] X 1.0", [line])

        assert seconds(read) < BOUND_SECONDS
        assert claims is not None


def test_a_subject_of_white_space_after_release() -> None:
    # voted_on _RELEASE_TITLE: every split of the run was tried to the end of the subject
    title = "[VOTE] release " + "\t" * 32_000 + "!"
    assert seconds(lambda: voted_on(title, "")) < BOUND_SECONDS
    assert voted_on("[VOTE] Release Apache TVM v0.16.0.rc0", "").release == "Apache TVM v0.16.0.rc0"


@pytest.mark.parametrize(
    ("lines", "flags"),
    [
        (["binding" + GAP + "x +1"], None),
        (["binding" + GAP + "+1"], ("claimed-binding",)),
        (["+1", "binding" + GAP + "x"], ()),
        (["+1", "binding" + GAP + "."], ("claimed-binding",)),
    ],
)
def test_a_run_of_spaces_after_a_binding_claim(
    lines: list[str], flags: tuple[str, ...] | None
) -> None:
    # ballot_patterns' "claim" lead-in and ballots._CLAIM_LINE: two runs of white space around
    # an optional colon or stop could split the run every way (32,000 spaces took 10 s)
    found: list[Reading | None] = []
    assert seconds(lambda: found.append(read_ballot(lines))) < BOUND_SECONDS
    if flags is None:
        assert found == [None]
    else:
        reading = found[0]
        assert reading is not None
        assert reading.flags == flags


# Found by a second audit, of every public reading function at 32,000 and 64,000 characters
# (the first stopped at 16,000, where these took under a few seconds): each took 7 s to over
# 20 s at 64,000 characters, most of them growing with the square of the run or worse.
LONG = 64_000
SPACES = " " * LONG
WROTE = ["2024 10:00 Bob <b@x.org> wrote:", "> q"]
INDEX = index_roster(ROSTER)


def read_result(lines: list[str]) -> object:
    return read_announcement("u", "[RESULT]", lines)


HOSTILE: dict[str, Callable[[], object]] = {
    "attribution, a run of commas": lambda: own_lines_of(["," * LONG + "x", *WROTE]),
    "attribution, a run of @": lambda: own_lines_of(["@" * LONG + "x", *WROTE]),
    "wrapped attribution, spaces before >": lambda: own_lines_of(["<s>" + SPACES + "x", *WROTE]),
    "result heading, spaces": lambda: read_result(["+1" + SPACES + "x"]),
    "result count, spaces": lambda: read_result(["+1: 5" + SPACES + "!"]),
    "result item, spaces": lambda: read_result(["- a" + SPACES + "x"]),
    "result legend, spaces": lambda: read_result(["*" + SPACES + "x"]),
    "closing phrase, spaces": lambda: closing_line(["vote result" + SPACES + "x"]),
    "commit, spaces": lambda: voted_on("x", "commit" + SPACES + "x"),
    "version, digits": lambda: voted_on("x", "1." + "1" * LONG + "x"),
    "subject suffix, spaces": lambda: vote_key("a" + SPACES + "x"),
    "subject prefix, spaces": lambda: vote_key("Re" + SPACES + "x"),
    "subject tag, spaces": lambda: subject_tags("[" + SPACES + "x"),
    "subject tag, a run of [": lambda: subject_tags("[" * LONG + "x"),
    "via name, spaces": lambda: dmarc_name(Author(name="a" + SPACES + "x", address="a@b.org")),
    "GitHub name, spaces": lambda: identify(Author(name="a" + SPACES + "x", username="u"), INDEX),
    "signature, spaces": lambda: signature_name(["thanks" + SPACES + "x"]),
    "repost author, a run of @": lambda: unwrap_repost("<" + "@" * LONG + "x"),
    "running count, spaces": lambda: read_ballot(["+1 binding" + SPACES + "x"]),
    "message id, a run of <": lambda: parse_mail(
        b"From: a@b.org\nSubject: x\nMessage-ID: " + b"<" * LONG + b"x\n\n+1\n", where="x"
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_long_run_is_read_in_about_linear_time(name: str) -> None:
    subject_tags.cache_clear()  # the subject cache would hide a second call's cost
    assert seconds(HOSTILE[name]) < BOUND_SECONDS
