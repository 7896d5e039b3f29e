"""[reminder]: one mail to the list some hours before a vote's earliest close, through the
outbox, naming who has not voted except those who asked not to be; harvester reads its own
reminder in the thread without counting it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from harvester.app.deliver import deliver_pending
from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.store import votes
from harvester.store.db import upgrade
from tests.app.daemon_world import World, list_mail, polled_at, world


def reminder_settings(w: World, **reminder: Any) -> Settings:
    return w.settings(reminder={"hours_before": 24, "to": ["dev@tvm.apache.org"], **reminder})


async def polls_and_sends(w: World, settings: Settings, hours: list[float]) -> list[int]:
    """Discover, then at each moment a poll tick and the outbox; mails received after each."""

    async def send(watcher: Watcher) -> int:
        await deliver_pending(watcher.engine, settings, worker="w1", now=w.clock())
        return len(w.smtp.received)

    return await polled_at(w, settings, hours, send)


def test_one_reminder_to_the_list_before_the_earliest_close(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()  # Alice (the call) and Bob have voted; Carol and Dave have not
        settings = reminder_settings(w, not_named=["dave@apache.org"])
        counts = asyncio.run(polls_and_sends(w, settings, [10, 47, 48.5, 50, 60]))
        (reminder,) = w.smtp.received
        rows = asyncio.run(w.outbox())
    assert counts == [0, 0, 1, 1, 1]  # due from 48 h (72 - 24), and once
    message: EmailMessage = reminder.message()
    assert reminder.rcpt_tos == ("dev@tvm.apache.org",)
    assert message["Subject"] == "Re: [VOTE] Adopt the S0 process"
    assert message["In-Reply-To"] == "<m0@example.org>"
    body = message.get_content()
    assert "2 binding votes in favour" in body
    assert "PMC members who have not voted yet: Carol Cruz." in body  # not Dave: he asked
    assert [(r.channel, r.target, r.state) for r in rows] == [
        ("mail", "dev@tvm.apache.org", "sent")
    ]


def test_no_reminder_for_a_vote_already_passing_and_none_when_off(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        carol = list_mail(2, "Carol Cruz <carol@apache.org>", "+1\n", w.t0 + timedelta(hours=3))
        w.lists.add_mail(carol)  # three binding +1s: the lazy 2/3 rule is met
        counts = asyncio.run(polls_and_sends(w, reminder_settings(w), [49, 60]))
    assert counts == [0, 0]


def test_the_reminder_echoed_by_the_list_is_not_counted(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = reminder_settings(w)
        asyncio.run(polls_and_sends(w, settings, [49]))
        (reminder,) = w.smtp.received
        w.lists.add_mail(reminder.data)  # the list archives what it was sent
        asyncio.run(polls_and_sends(w, settings, [55]))
        (vote,) = asyncio.run(w.votes())
        report = asyncio.run(w.tally(vote.id))
        threads = asyncio.run(w.threads_of(vote.id))
    assert report is not None
    assert report["counts"]["binding"]["+1"] == 2
    assert report["counts"]["non_binding"]["+1"] == 0
    assert report["review"] == []  # not even a doubt about it
    assert not [b for b in report["ballots"] if "harvester" in b["voter"].lower()]
    assert len(threads) == 3  # the reply joined its thread; it did not start a vote
    assert vote.status == votes.OPEN


def test_without_its_own_recipients_the_reminder_goes_to_the_watched_list(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = w.settings(reminder={"hours_before": 24})  # [daemon] lists: dev@tvm
        assert asyncio.run(polls_and_sends(w, settings, [50])) == [1]
        (reminder,) = w.smtp.received
    assert reminder.rcpt_tos == ("dev@tvm.apache.org",)


def test_a_reminder_still_queued_when_the_vote_closes_is_not_sent(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = reminder_settings(w)

        async def nothing(watcher: Watcher) -> None:
            return None

        asyncio.run(polled_at(w, settings, [49, 73], nothing))  # queued, then the vote closed
        counts = asyncio.run(polls_and_sends(w, settings, [74]))
        rows = asyncio.run(w.outbox())
    assert counts == [1]  # the result only
    (sent,) = w.smtp.received
    assert sent.message()["Subject"].startswith("[RESULT]")
    reminder = next(r for r in rows if r.target == "dev@tvm.apache.org")
    assert (reminder.state, reminder.detail) == (
        "failed",
        "not sent: the vote closed before its reminder went out",
    )


def test_a_vote_without_a_roster_is_not_closed_by_the_clock(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(database_url)
    caplog.set_level("WARNING", logger="harvester")
    with world(database_url, tmp_path) as w:
        w.fill()
        settings = w.settings(daemon={"roster": ""})

        async def the_vote(watcher: Watcher) -> Any:
            (row,) = await w.votes()
            return row

        rows = asyncio.run(polled_at(w, settings, [73, 80], the_vote))
        mails = asyncio.run(w.outbox())
    assert [r.status for r in rows] == [votes.OPEN, votes.OPEN]
    assert mails == []
    assert caplog.text.count("but its roster is empty") == 1  # said once
