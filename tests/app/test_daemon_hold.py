"""The daemon holds a result that rests on an unconfirmed ballot and mails it once, only after a
person has dismissed the item that mattered: fake sites, a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from harvester.app import corrections
from harvester.app.daemon import run_daemon
from harvester.config import Settings
from harvester.model import Dismissal
from harvester.store.db import engine_for, upgrade
from tests.app.daemon_world import World, eventually, list_mail, world


async def start(w: World, settings: Settings) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(settings, w.url, clock=w.clock, stop=stop))
    return stop, task


async def held_then_released(w: World) -> tuple[list[str], list[str], int, dict[str, Any]]:
    """Alice (the call) and Bob vote from their apache.org addresses; Dave's +1 comes from
    gmail under his name: the third binding vote the rule needs rests on it."""
    w.lists.add_mail(
        list_mail(2, "Dave Dunn <dave.dunn@gmail.com>", "+1\n", w.t0 + timedelta(minutes=40))
    )
    settings = w.settings()
    stop, task = await start(w, settings)

    async def tallied() -> bool:
        found = await w.votes()
        return len(found) == 1 and await w.tally(found[0].id) is not None

    await eventually(tallied, "the first count")
    (vote,) = await w.votes()
    w.clock.now = w.t0 + timedelta(hours=73)

    async def closed() -> bool:
        return [r.state for r in await w.outbox()] == ["held"]

    await eventually(closed, "the close, holding the result")
    w.clock.advance(minutes=30)
    await asyncio.sleep(1.0)  # ticks go by: nothing may be sent while it is held
    held_states = [r.state for r in await w.outbox()]
    mails_while_held = len(w.smtp.received)
    report = await w.tally(vote.id)
    assert report is not None
    (pending,) = report["pending_review"]
    engine = engine_for(w.url)
    try:
        note = Dismissal(pending["url"], pending["reason"], "Dave confirmed it on the list")
        await corrections.dismiss(engine, settings, vote.id, note, "chair", w.clock())
    finally:
        await engine.dispose()

    async def mailed() -> bool:
        return len(w.smtp.received) >= 1

    await eventually(mailed, "the result mail after the dismissal")
    w.clock.advance(hours=1)
    await asyncio.sleep(1.0)
    stop.set()
    await task
    final_states = [r.state for r in await w.outbox()]
    return held_states, final_states, mails_while_held, report


def test_a_result_pending_review_is_mailed_once_after_the_dismissal(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        held, final, mails_while_held, report = asyncio.run(held_then_released(w))
        received = list(w.smtp.received)
    assert report["needs_review"] is True
    assert report["status"] == "passed"
    assert (held, mails_while_held) == (["held"], 0)
    assert final == ["sent"]
    assert len(received) == 1
    body = received[0].message().get_content()
    assert "Needs review before sending" not in body
    assert "Dave Dunn" in body
