"""`harvest daemon` end to end, in-process with a clock the test moves: discovery finds one vote
in three places, polls keep its tally current at one request per place, the deadline closes it,
the result is mailed once, and a restart sends nothing more."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from harvester.app import corrections, record
from harvester.app.daemon import run_daemon
from harvester.app.digest import send_digest
from harvester.app.fetch import Fetcher
from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.metrics import REGISTRY
from harvester.sources.http import HttpClient
from harvester.store import polls, votes
from harvester.store.db import engine_for, upgrade
from tests.app.daemon_world import CALL, CATEGORY, TITLE, TOPIC, World, eventually, list_mail, world
from tests.fakes.discourse import FakePost


async def start(w: World, settings: Settings) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(settings, w.url, clock=w.clock, stop=stop))
    return stop, task


async def scenario(w: World, counts: list[int]) -> None:
    settings = w.settings()
    stop, task = await start(w, settings)

    async def one_vote_three_threads() -> bool:
        found = await w.votes()
        return len(found) == 1 and len(await w.threads_of(found[0].id)) == 3

    await eventually(one_vote_three_threads, "discovery to link the three threads")
    (vote,) = await w.votes()
    await eventually(lambda: _tallied(w, vote.id, 2), "the first count")
    assert vote.title == "[VOTE] Adopt the S0 process"

    # An unchanged vote costs one request per place per poll (two on GitHub: its state too).
    await asyncio.sleep(0.3)  # let the first poll settle
    for site in (w.discourse, w.lists, w.github):
        site.reset_log()
    harvests, requests = _metric("harvester_harvests_total"), _local_requests()
    counted = len(counts)
    w.clock.advance(minutes=31)
    await eventually(lambda: _asked_each(w), "the next poll")
    await asyncio.sleep(0.2)
    assert (w.discourse.count(), w.lists.count(), w.github.count()) == (1, 1, 2)
    assert _metric("harvester_harvests_total") == harvests + 3  # one read of each thread
    assert _local_requests() == requests + 4  # all on 127.0.0.1
    assert len(counts) == counted  # nothing changed: no recount

    # A new ballot on Discourse is counted at the next poll.
    w.discourse.add_post(
        TOPIC, FakePost("carol", "<p>+1 (binding)</p>", w.t0 + timedelta(hours=2), name="Carol")
    )
    w.clock.advance(hours=2)
    await eventually(lambda: _tallied(w, vote.id, 3), "Carol's ballot")
    assert len(counts) > counted

    # Past the 72 hours the daemon closes the vote and mails the result once.
    sent_before = _metric("harvester_mails_sent_total")
    w.clock.now = w.t0 + timedelta(hours=73)
    await eventually(lambda: _mails(w, 1), "the result mail")
    stop.set()
    await task
    assert _metric("harvester_mails_sent_total") == sent_before + 1

    (closed,) = await w.votes()
    assert (closed.status, closed.closed_by) == ("passed", "deadline")
    (sent,) = w.smtp.received
    message: EmailMessage = sent.message()
    assert message["Subject"] == "[RESULT][VOTE] Adopt the S0 process"
    assert message["In-Reply-To"] == "<m0@example.org>"
    assert sent.rcpt_tos == ("private@tvm.example.org",)
    body = message.get_content()
    assert "Alice Archer" in body
    assert "Carol Cruz" in body
    rows = await w.outbox()
    assert [r.state for r in rows] == ["sent"]

    # A restart resumes: nothing is polled, drafted or sent again.
    stop, task = await start(w, settings)
    w.clock.advance(days=1)
    await asyncio.sleep(1.0)
    stop.set()
    await task
    assert len(w.smtp.received) == 1
    assert [r.state for r in await w.outbox()] == ["sent"]


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _local_requests() -> float:
    return _metric("harvester_http_requests_total", host="127.0.0.1")


async def _tallied(w: World, vote_id: int, plus: int) -> bool:
    report = await w.tally(vote_id)
    return report is not None and report["counts"]["binding"]["+1"] == plus


async def _asked_each(w: World) -> bool:
    return all(site.count() >= 1 for site in (w.discourse, w.lists, w.github))


async def _mails(w: World, n: int) -> bool:
    return len(w.smtp.received) >= n


def test_discover_poll_close_and_mail_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts: list[int] = []
    real = record.tally_vote

    def counting(*args: Any, **kwargs: Any) -> Any:
        counts.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(record, "tally_vote", counting)
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        asyncio.run(scenario(w, counts))


async def two_replicas(w: World) -> None:
    settings = w.settings()
    first = await start(w, settings.model_copy(update={"daemon": _named(settings, "one")}))
    second = await start(w, settings.model_copy(update={"daemon": _named(settings, "two")}))

    async def linked() -> bool:
        found = await w.votes()
        return len(found) == 1 and len(await w.threads_of(found[0].id)) == 3

    await eventually(linked, "discovery by either replica")
    for hours in (2, 10, 30, 60, 73):
        w.clock.now = w.t0 + timedelta(hours=hours)
        await asyncio.sleep(0.3)
    await eventually(lambda: _mails(w, 1), "the result mail")
    await asyncio.sleep(1.0)  # time for a second mail, were one to be sent
    for stop, task in (first, second):
        stop.set()
        await task
    assert len(w.smtp.received) == 1
    rows = await w.outbox()
    assert [r.state for r in rows] == ["sent"]
    assert len(await w.votes()) == 1


def _named(settings: Settings, worker: str) -> object:
    return settings.daemon.model_copy(update={"worker": worker})


def test_two_daemons_on_one_postgresql_database_send_one_mail(
    tmp_path: Path, postgres_url: str
) -> None:
    upgrade(postgres_url)
    with world(postgres_url, tmp_path) as w:
        w.fill()
        asyncio.run(two_replicas(w))


async def cancelled(w: World) -> None:
    stop, task = await start(w, w.settings())

    async def linked() -> bool:
        found = await w.votes()
        return len(found) == 1 and len(await w.threads_of(found[0].id)) == 3

    await eventually(linked, "discovery")
    w.lists.add_mail(
        list_mail(
            5,
            "Alice Archer <alice@apache.org>",
            "Cancelling: the proposal needs another round.\n",
            w.t0 + timedelta(hours=3),
            subject="[CANCEL][VOTE] Adopt the S0 process",
        )
    )
    w.clock.advance(hours=3)

    async def closed() -> bool:
        (vote,) = await w.votes()
        return vote.status != "open"

    await eventually(closed, "the cancel to close the vote")
    w.clock.now = w.t0 + timedelta(hours=80)
    await asyncio.sleep(0.5)
    stop.set()
    await task
    (vote,) = await w.votes()
    assert (vote.status, vote.closed_by) == ("cancelled", "cancel")
    assert w.smtp.received == []
    assert await w.outbox() == []


def test_a_cancel_ends_the_vote_without_a_result_mail(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        asyncio.run(cancelled(w))


async def digest(w: World, out: Path) -> str:
    settings = w.settings()
    stop, task = await start(w, settings)

    async def counted() -> bool:
        found = await w.votes()
        return len(found) == 1 and await w.tally(found[0].id) is not None

    await eventually(counted, "the first count")
    stop.set()
    await task
    dry = w.settings(mail={"enabled": False, "dry_run_dir": str(out)})
    w.clock.now = w.t0 + timedelta(hours=60)
    engine = engine_for(w.url)
    try:
        async with HttpClient() as client:
            watcher = Watcher(engine, dry, Fetcher(client, dry), w.clock)
            where = await send_digest(watcher, dry, worker="test")
    finally:
        await engine.dispose()
    assert where is not None
    return Path(where).read_text(encoding="utf-8")


def test_the_digest_lists_open_votes_and_who_has_not_voted(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        text = asyncio.run(digest(w, tmp_path / "out"))
    assert "Subject: [DIGEST] 1 open vote(s)" in text
    assert "[VOTE] Adopt the S0 process" in text
    assert "in 12 h (closing soon)" in text
    assert "not voted yet (2): Carol Cruz, Dave Dunn" in text


async def linked_by_url(w: World) -> list[str]:
    root = w.lists.add_mail(list_mail(0, "Alice Archer <alice@apache.org>", CALL, w.t0, TITLE))
    w.discourse.add_topic(
        88,
        "s0-vote-here-too",
        "[VOTE] S0 on the forum",
        [FakePost("alice", f"<p>Also voting on dev@: {w.lists.thread_url(root)}.</p>", w.t0)],
        category_id=CATEGORY,
    )
    stop, task = await start(w, w.settings(daemon={"repos": []}))

    async def both() -> bool:
        found = await w.votes()
        return len(found) == 1 and len(await w.threads_of(found[0].id)) == 2

    await eventually(both, "the forum topic to join the list thread's vote")
    stop.set()
    await task
    (vote,) = await w.votes()
    return await w.threads_of(vote.id)


def test_a_call_linking_to_a_tracked_thread_joins_its_vote(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        urls = asyncio.run(linked_by_url(w))
    assert urls[1].endswith("/t/s0-vote-here-too/88")


async def interrupted_poll(w: World) -> tuple[list[int], list[int], int, float]:
    """A replica dies part way through a vote's first poll (before anything knew the deadline);
    another replica, or the restarted daemon, may take the vote again once the short lease is
    over, not only at the vote's next regular poll half an hour later."""
    settings = w.settings()
    engine = engine_for(w.url)
    try:
        async with HttpClient() as client:
            dying = Watcher(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            await dying.discover()

            async def die(*args: object, **kwargs: object) -> None:
                raise RuntimeError("killed mid-poll")

            dying.poll_vote = die  # type: ignore[method-assign]
            with pytest.raises(RuntimeError):
                await dying.poll_due()
            lease = timedelta(minutes=settings.daemon.poll_min_minutes)
            async with engine.connect() as connection:
                before = await polls.due_votes(connection, w.clock() + lease / 2)
                after = await polls.due_votes(connection, w.clock() + lease)
            w.clock.advance(minutes=lease.total_seconds() / 60)
            other = Watcher(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            polled = await other.poll_due()
            async with engine.connect() as connection:
                (vote,) = await votes.list_votes(connection)
    finally:
        await engine.dispose()
    assert vote.next_poll_at is not None
    planned = (vote.next_poll_at - w.clock()).total_seconds() / 60
    return [v.id for v in before], [v.id for v in after], polled, planned


def test_a_replica_dying_mid_poll_leaves_only_a_short_lease(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        before, after, polled, planned_minutes = asyncio.run(interrupted_poll(w))
    assert before == []
    assert len(after) == 1
    assert polled == 1
    # after the other replica's poll the vote is back on its regular 30 minutes, the lease gone
    assert planned_minutes == pytest.approx(30, abs=0.1)


async def corrected_then_closed(w: World) -> tuple[dict[str, Any], str]:
    """A correction made while the vote runs is kept by every later poll and is in the result
    mail the daemon sends at the close."""
    settings = w.settings()
    stop, task = await start(w, settings)
    await eventually(lambda: _one_vote_tallied(w), "the first count")
    (vote,) = await w.votes()
    report = await w.tally(vote.id)
    assert report is not None
    bob = next(b["url"] for b in report["ballots"] if b["voter"].startswith("Bob"))
    engine = engine_for(w.url)
    try:
        change = corrections.Change(bob, "asked on the list: he meant 0", value="0")
        await corrections.correct(engine, settings, vote.id, change, "chair", w.clock())
    finally:
        await engine.dispose()
    w.clock.advance(hours=2)  # a poll or two more, then the close
    await asyncio.sleep(0.3)
    w.clock.now = w.t0 + timedelta(hours=73)
    await eventually(lambda: _mails(w, 1), "the result mail")
    stop.set()
    await task
    final = await w.tally(vote.id)
    assert final is not None
    body = w.smtp.received[0].message().get_content()
    return final, body


async def _one_vote_tallied(w: World) -> bool:
    found = await w.votes()
    return len(found) == 1 and await w.tally(found[0].id) is not None


def test_a_correction_outlives_polls_and_is_in_the_result_mail(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        final, body = asyncio.run(corrected_then_closed(w))
    assert final["counts"]["binding"]["0"] == 1
    assert [c["by"] for c in final["corrections"]] == ["chair"]
    assert "Corrected by hand:" in body
    assert "counted as 0: asked on the list: he meant 0 (chair)" in body


def test_a_step_cancelled_by_the_stop_ends_quietly(caplog: pytest.LogCaptureFixture) -> None:
    """A step still running past the grace period is cancelled at the stop: that is no failure,
    and no traceback reaches the log (the scheduler would print one for an exception)."""
    from harvester.app.daemon import _Steps

    async def scenario() -> None:
        steps = _Steps()
        started = asyncio.Event()

        async def slow() -> None:
            started.set()
            await asyncio.sleep(30)

        task = asyncio.create_task(steps.job("tick", slow)())
        await started.wait()
        task.cancel()
        await task  # ends, does not raise
        assert steps.busy == set()

    caplog.set_level("INFO")
    asyncio.run(scenario())
    assert "tick: stopped with the daemon" in caplog.text
