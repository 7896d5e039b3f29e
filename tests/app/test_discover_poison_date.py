"""Issue 12: one reply dated `Fri, 31 Dec 9999 23:59:59 -2359` made discovery fail on every run
(`ValueError: year 10000 is out of range` in the Pony Mail month walk). Discovery through the fake
lists.apache.org now adopts and stores the vote; the reply's date is not trusted, so it neither
ends nor moves the window, is not counted, and a review item says so."""

from __future__ import annotations

import asyncio
import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.app.fetch import Fetcher
from harvester.app.watch import Watcher
from harvester.sources.http import HttpClient
from harvester.store import messages as stored
from harvester.store import votes
from harvester.store.db import engine_for, upgrade
from tests.app.daemon_world import CALL, TITLE, World, list_mail, world
from tests.fakes.mails import raw_mail

POISON_DATE = "Fri, 31 Dec 9999 23:59:59 -2359"
POISON_EPOCH = int(email.utils.parsedate_to_datetime(POISON_DATE).timestamp())  # in year 10000
POISON_ID = "poison@example.org"
UNDATED = "the message has no usable date (missing, or far outside any vote): not counted"


@dataclass
class Outcome:
    adopted: int
    polled: int
    votes: list[votes.VoteRow]
    threads: list[str]
    stored_ids: dict[str, set[str]]
    report: dict[str, Any] | None


def fill(w: World, *, filed_in_vote_month: bool) -> str:
    """The call, Bob's ballot, and Carol's reply with the poison date; returns the call's mid.

    The reply is a [RESULT] with a ballot in it: were its date trusted, it would close the window
    in year 9999 and count Carol. By default the archive files it under its own (poison) date,
    so only thread.lua and email.lua show it; `filed_in_vote_month` files it in the vote's month
    too, so the mbox download of that month carries the raw mail and its Date header."""
    t0 = w.t0
    mid = w.lists.add_mail(list_mail(0, "Alice Archer <alice@apache.org>", CALL, t0, TITLE))
    w.lists.add_mail(
        list_mail(1, "Bob Baker <bob@apache.org>", "+1 (binding)\n", t0 + timedelta(minutes=30))
    )
    poison = raw_mail(
        POISON_ID,
        sender="Carol Cruz <carol@apache.org>",
        date=POISON_DATE,
        body="+1 (binding)\n\nThe vote is over: it passed.\n",
        subject="Re: [RESULT]" + TITLE,
        irt="m0@example.org",
        refs=("m0@example.org",),
    )
    filed = int((t0 + timedelta(minutes=45)).timestamp()) if filed_in_vote_month else None
    w.lists.add_mail(poison, filed_at=filed)
    return mid


async def discover_and_count(w: World) -> Outcome:
    settings = w.settings(daemon={"categories": [], "repos": []})  # the list alone
    engine = engine_for(w.url)
    try:
        async with HttpClient() as client:
            watcher = Watcher(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            adopted = await watcher.discover()  # raised ValueError before the fix
            polled = await watcher.poll_due()  # the first count
        async with engine.connect() as connection:
            found = await votes.list_votes(connection)
            threads = await votes.thread_urls(connection, found[0].id) if found else []
            ids = await stored.stored_ids(connection, threads[0]) if threads else {}
            report = await votes.latest_tally(connection, found[0].id) if found else None
    finally:
        await engine.dispose()
    return Outcome(adopted, polled, found, threads, ids, report)


@pytest.mark.parametrize("filed_in_vote_month", [False, True], ids=["own-date", "vote-month"])
def test_a_reply_dated_year_9999_does_not_break_discovery(
    database_url: str, tmp_path: Path, filed_in_vote_month: bool
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        call_mid = fill(w, filed_in_vote_month=filed_in_vote_month)
        # the fake serves the date as it is: epoch and date string in year 10000
        poison_mid = w.lists.mid_of(POISON_ID)
        outcome = asyncio.run(discover_and_count(w))
        mbox_months = [r.param("d") for r in w.lists.matching("/api/mbox")]
        shown = [r for r in w.lists.matching("/api/email") if r.param("id") == [poison_mid]]
    assert datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp() < POISON_EPOCH

    # discovery completed, adopted the vote and stored its thread with all three messages
    assert outcome.adopted == 1
    (vote,) = outcome.votes
    assert vote.title == TITLE
    assert vote.status == votes.OPEN
    assert outcome.threads == [w.lists.thread_url(call_mid)]
    assert outcome.stored_ids == {"mail": {"m0@example.org", "m1@example.org", POISON_ID}}
    # the month walk stayed in the vote's month, not 2,000 months up to 2199
    assert mbox_months == [["2026-11"]]
    # own-date: only email.lua has the reply; vote-month: the mbox had it, no email.lua needed
    assert len(shown) == (0 if filed_in_vote_month else 1)

    # the first count: the window is the call's 72 hours, the reply neither closed nor moved it
    assert outcome.polled == 1
    report = outcome.report
    assert report is not None
    assert report["opened_at"] == "2026-11-02T09:00:00Z"
    assert report["earliest_close"] == "2026-11-05T09:00:00Z"
    assert report["closes_at"] is None
    assert report["closed_by"] is None
    # Alice and Bob count; Carol's ballot in the undated reply does not
    assert report["counts"]["binding"]["+1"] == 2
    assert sorted(b["voter"] for b in report["ballots"]) == ["Alice Archer", "Bob Baker"]
    # and a review item names the reply and says why
    flagged = [r for r in report["review"] if UNDATED in r["reason"]]
    assert flagged == [{"url": w.lists.thread_url(poison_mid), "reason": f"Carol Cruz: {UNDATED}"}]
