"""The scratch index groups an archive's vote mails on disk as vote_groups groups them in
memory: the same votes, in the same order, with the same mails in the same order, the same
call, title and URL, whatever the parts the mails arrive in."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.app import vote_index
from harvester.app.mail_votes import vote_groups
from harvester.app.vote_index import Stub, VoteIndex, stub_of, stub_row

WHERE = "/lists/dev.mbox"


def every_title(title: str) -> bool:
    return True


IDS = ("a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x", "h@x", "i@x", "", "ü@x")
SUBJECTS = (
    "[VOTE] Release A",
    "Re: [VOTE] Release A",
    "RE: [vote] release a",
    "[RESULT][VOTE] Release A",
    "[CANCEL][VOTE] Release A",
    "[VOTE] Release B",
    "Re: [VOTE] Release B",
    "[RESULT] Release B",
    "lunch",
    "Re: lunch",
    "Aw: [VOTE] Release A (Issue #12)",
    "[DISCUSS] Release A",  # the key of a vote, but no vote's subject
    "Re: Release B",
)
ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))
INSTANTS = tuple(datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(minutes=m) for m in (0, 1, 2))


@st.composite
def stubs(draw: st.DrawFn) -> Stub:
    sent_at = draw(st.sampled_from(INSTANTS)).astimezone(draw(st.sampled_from(ZONES)))
    return Stub(
        source_id=draw(st.sampled_from(IDS)),
        in_reply_to=draw(st.sampled_from(IDS) | st.just("")),
        references=tuple(draw(st.lists(st.sampled_from(IDS), max_size=2))),
        subject=draw(st.sampled_from(SUBJECTS)),
        sent_at=sent_at,
        offset=draw(st.integers(0, 10**6)),
        span=draw(st.integers(1, 10**4)),
        after=tuple(draw(st.lists(st.sampled_from(("cut", "no header")), max_size=1))),
    )


def indexed(mails: list[Stub], cuts: list[int]) -> VoteIndex:
    index = VoteIndex(None)
    index.start_round()
    bounds = [0, *sorted(cuts), len(mails)]
    for start, end in itertools.pairwise(bounds):
        index.add_rows([stub_row(stub) for stub in mails[start:end]])
    return index


def planned(index: VoteIndex) -> list[tuple[str, str, str, tuple[Stub, ...], bool]]:
    return [
        ("mbox", vote.url, vote.title, tuple(stub_of(*mail) for mail in vote.mails), vote.cut)
        for vote in index.planned(0, 10**6)
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(stubs(), max_size=14),
    st.lists(st.integers(0, 14), max_size=3),
    st.sampled_from((1, 2, 3, vote_index.STUBS_A_BATCH)),
)
def test_the_index_groups_as_vote_groups_does(
    mails: list[Stub], cuts: list[int], batch: int
) -> None:
    """The mails come a batch at a time (the cuts): threads are joined in memory within a
    batch and across batches on disk; the votes are planned `batch` at a time, and planned
    again, the same."""
    index = indexed(mails, [min(cut, len(mails)) for cut in cuts])
    usual, vote_index.STUBS_A_BATCH = vote_index.STUBS_A_BATCH, batch
    try:
        count = index.group(WHERE, "", every_title, cut=False)
    finally:
        vote_index.STUBS_A_BATCH = usual
    expected = [(g.kind, g.url, g.title, tuple(g.mails), False) for g in vote_groups(WHERE, mails)]
    assert count == len(expected)
    assert planned(index) == expected
    in_chunks = [vote for start in range(0, count, 2) for vote in index.planned(start, 2)]
    assert in_chunks == index.planned(0, count)
    assert index.mails() == sum(len(group[3]) for group in expected)
    assert list(index.stubs()) == mails
    assert index.group(WHERE, "", every_title, cut=False) == count
    assert planned(index) == expected


def mail(ident: str, subject: str, minute: int, *names: str) -> Stub:
    at = INSTANTS[0] + timedelta(minutes=minute)
    return Stub(ident, names[0] if names else "", names, subject, at, minute, 1, ())


def test_a_thread_with_a_votes_key_but_no_vote_subject_does_not_place_the_vote() -> None:
    """Votes come in the order of their first [VOTE] or [RESULT] thread: an earlier thread
    that only shares the key ("[DISCUSS] Release A") is not one of them."""
    mails = [
        mail("d@x", "[DISCUSS] Release A", 0),
        mail("b@x", "[VOTE] Release B", 1),
        mail("a@x", "[VOTE] Release A", 2),
        mail("r@x", "Re: [VOTE] Release A", 3, "a@x"),
    ]
    index = indexed(mails, [2])
    assert index.group(WHERE, "", every_title, cut=False) == 2
    assert [vote[1] for vote in planned(index)] == [f"{WHERE}#mid:b@x", f"{WHERE}#mid:a@x"]
    assert planned(index) == [
        ("mbox", g.url, g.title, tuple(g.mails), False) for g in vote_groups(WHERE, mails)
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(stubs(), min_size=1, max_size=10), st.sampled_from(("", "b", "release a")))
def test_a_vote_picked_by_its_call_or_title_and_the_cut_warning(
    mails: list[Stub], match: str
) -> None:
    groups = vote_groups(WHERE, mails)
    for group in groups:  # each vote by its call's fragment
        wanted = group.url.rpartition("#")[2]
        index = indexed(mails, [])
        assert index.group(WHERE, wanted, every_title, cut=False) == 1
        assert planned(index)[0][1:4] == (group.url, group.title, tuple(group.mails))
    index = indexed(mails, [])
    index.group(WHERE, "", lambda title: match in title.casefold(), cut=True)
    chosen = [g for g in groups if match.casefold() in g.title.casefold()]
    assert [vote[1] for vote in planned(index)] == [g.url for g in chosen]
    cut_in = [any(m is mails[-1] for m in g.mails) for g in chosen]
    assert [vote[4] for vote in planned(index)] == cut_in


def test_a_stub_comes_back_as_it_went_at_the_ends_of_time() -> None:
    """Kept as its UTC instant and its zone, read back as the same wall time and zone; a wall
    time whose instant is past the year 9999 too."""
    for sent_at in (
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=timezone(timedelta(minutes=-210))),
        datetime(2026, 3, 1, tzinfo=UTC),
    ):
        stub = Stub("i\udcff@x", "", ("r@x",), "Re: [VOTE] \udcfe", sent_at, 7, 9, ("cut",))
        row = stub_row(stub)
        back = stub_of(row[0], row[4])
        assert back == stub
        assert back.sent_at.isoformat() == sent_at.isoformat()
        assert back.sent_at.utcoffset() == sent_at.utcoffset()


def test_a_full_disk_says_so() -> None:
    """SQLite undoes the transaction itself when the disk is full: the error says the disk is
    full, not that there was nothing to undo (found by review)."""
    index = VoteIndex(None)
    index.db.execute("PRAGMA max_page_count = 20")
    row = stub_row(mail("a@x", "[VOTE] Release A", 0))
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        index.add_rows([row] * 5000)
    assert not index.db.in_transaction


def test_votes_planned_again_are_planned_anew() -> None:
    mails = [mail("a@x", "[VOTE] Release A", 0), mail("b@x", "[VOTE] Release B", 1)]
    index = indexed(mails, [])
    assert index.group(WHERE, "", every_title, cut=False) == 2
    assert index.group(WHERE, "", lambda title: "Release B" in title, cut=False) == 1
    assert [vote.url for vote in index.planned(0, 9)] == [f"{WHERE}#mid:b@x"]
