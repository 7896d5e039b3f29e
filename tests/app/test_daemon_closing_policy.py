"""The daemon closes a vote by its profile's policy: extended while short of ballots (and held to
the step it closed at), or closed as soon as it is decided once the minimum time has passed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.store import votes
from harvester.store.db import upgrade
from tests.app.daemon_world import World, list_mail, polled_at, world

# t0 is 2026-11-02 09:00 UTC: the named end is a week later.
CALL_WITH_END = (
    "Hi all,\n\nThis is a vote to adopt the S0 process. It is open for at least 72 hours and "
    "closes on 2026-11-09 09:00 UTC.\n\n+1 from me (binding)\n\nAlice\n"
)


def profile_settings(w: World, **closing: Any) -> Settings:
    profile = {"name": "s0", "subject": "S0 process", "rule": "majority-approval", **closing}
    return w.settings(vote={"profiles": [profile]})


async def poll_at(w: World, settings: Settings, hours_after_call: list[float]) -> list[Any]:
    """Discover, then one poll tick at each moment; the vote's row after each."""

    async def the_vote(watcher: Watcher) -> Any:
        (row,) = await w.votes()
        return row

    return await polled_at(w, settings, hours_after_call, the_vote)


def add_ballot(w: World, n: int, sender: str, hours: float) -> None:
    w.lists.add_mail(list_mail(n, sender, "+1 (binding)\n", w.t0 + timedelta(hours=hours)))


def test_a_vote_short_of_ballots_is_extended_then_closed_at_the_step(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(database_url)
    caplog.set_level("INFO", logger="harvester")
    with world(database_url, tmp_path) as w:
        w.fill()  # Alice's call and Bob's +1: two binding +1s of the three majority approval needs
        settings = profile_settings(w, close="extend", extend_hours=24, max_hours=168)

        async def run() -> list[Any]:
            short = await poll_at(w, settings, [73])
            add_ballot(w, 2, "Carol Cruz <carol@apache.org>", 80)  # inside the extension
            add_ballot(w, 3, "Dave Dunn <dave@apache.org>", 96.5)  # after the step it closes at
            return short + await poll_at(w, settings, [97])

        extended, closed = asyncio.run(run())
        final = asyncio.run(w.tally(closed.id))
        mails = asyncio.run(w.outbox())
    assert extended.status == votes.OPEN
    assert extended.closes_at == w.t0 + timedelta(hours=96)  # 72 h and one step of 24
    assert "short of ballots, extended to" in caplog.text
    assert (closed.status, closed.closed_by) == ("passed", "deadline")
    assert closed.closes_at == w.t0 + timedelta(hours=96)
    assert final is not None
    assert final["counts"]["binding"]["+1"] == 3  # Dave's came after the close: late
    assert len(mails) == 1


def test_a_vote_that_never_gathers_enough_closes_at_the_maximum(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = profile_settings(w, close="extend", extend_hours=24, max_hours=100)
        rows = asyncio.run(poll_at(w, settings, [73, 99, 101]))
    assert [r.status for r in rows] == [votes.OPEN, votes.OPEN, "failed"]
    assert rows[1].closes_at == w.t0 + timedelta(hours=100)  # the next step, capped
    assert rows[2].closes_at == w.t0 + timedelta(hours=100)


@pytest.mark.parametrize(
    ("policy", "after_73h", "closed_by"),
    [("when-decided", "passed", "decided"), ("deadline", votes.OPEN, None)],
)
def test_a_decided_vote_closes_before_the_end_its_call_names(
    database_url: str, tmp_path: Path, policy: str, after_73h: str, closed_by: str | None
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill(CALL_WITH_END)
        add_ballot(w, 2, "Carol Cruz <carol@apache.org>", 2)  # met at 2 h
        rows = asyncio.run(poll_at(w, profile_settings(w, close=policy), [10, 73]))
    assert [r.status for r in rows] == [votes.OPEN, after_73h]  # never before the minimum time
    assert rows[1].closed_by == closed_by
    if closed_by:  # a later recount keeps what came after the close out, as at a deadline
        assert rows[1].closes_at == w.t0 + timedelta(hours=73)
    else:
        assert rows[1].closes_at == w.t0 + timedelta(days=7)


def test_a_ballot_just_after_a_step_the_vote_was_short_at_counts(
    database_url: str, tmp_path: Path
) -> None:
    """Short at 96 h, so extended to 120 h; Carol's +1 at 96.2 h (polled at 96.5 h) is in
    time, and the vote closes at 120 h with it."""
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = profile_settings(w, close="extend", extend_hours=24, max_hours=168)

        async def run() -> list[Any]:
            before = await poll_at(w, settings, [73])
            add_ballot(w, 2, "Carol Cruz <carol@apache.org>", 96.2)
            return before + await poll_at(w, settings, [96.5, 121])

        _, after_step, closed = asyncio.run(run())
        final = asyncio.run(w.tally(closed.id))
    assert (after_step.status, after_step.closes_at) == (votes.OPEN, w.t0 + timedelta(hours=120))
    assert (closed.status, closed.closes_at) == ("passed", w.t0 + timedelta(hours=120))
    assert final is not None
    assert final["counts"]["binding"]["+1"] == 3
