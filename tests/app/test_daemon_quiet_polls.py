"""A poll that finds nothing new stores nothing of its own: no thread row, no run row, no
commit. Only a cursor that moved (GitHub's new ETag) is written, with the tick's next polls;
losing it in a crash costs a 200 in place of a 304 and nothing else. A good quiet poll still
clears the thread's earlier failures, as any good run does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from harvester.app.fetch import Fetcher, http_options
from harvester.app.watch import Watcher
from harvester.sources.http import HttpClient
from harvester.store import polls
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import harvest_runs, messages, threads
from tests.app.daemon_world import World, world
from tests.fakes.base import status

State = dict[str, Any]
COMMENTS = r"/repos/apache/tvm/issues/99/comments"


async def stored_state(engine: AsyncEngine) -> State:
    """Every thread's row, every run row and how many messages are stored."""
    async with engine.connect() as connection:
        thread_rows = (await connection.execute(select(threads))).all()
        run_rows = (await connection.execute(select(harvest_runs))).all()
        stored = (await connection.execute(select(messages.c.id))).all()
    return {
        "threads": {row.url: tuple(row) for row in thread_rows},
        "runs": {(row.source_url, row.id, row.status): row.cursor for row in run_rows},
        "messages": len(stored),
    }


def github_cursor(state: State) -> dict[str, Any]:
    (cursor,) = [c for (url, _, status), c in state["runs"].items() if "github" in url]
    assert isinstance(cursor, dict)
    return cursor


async def ticks(
    w: World, work: Callable[[Watcher, AsyncEngine], Awaitable[list[State]]]
) -> list[State]:
    settings = w.settings()
    engine = engine_for(w.url)
    try:
        async with HttpClient(http_options(settings)) as client:  # 2 attempts, no backoff
            watcher = Watcher(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            await watcher.discover()
            return await work(watcher, engine)
    finally:
        await engine.dispose()


def test_a_quiet_poll_stores_nothing_but_a_moved_cursor(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()

        async def work(watcher: Watcher, engine: AsyncEngine) -> list[State]:
            found = [await stored_state(engine)]
            for _ in range(3):
                w.clock.advance(minutes=31)
                assert await watcher.poll_due() == 1
                found.append(await stored_state(engine))
            return found

        discovered, first, second, third = asyncio.run(ticks(w, work))
        github_requests = [r.headers.get("If-None-Match", "") for r in w.github.matching(COMMENTS)]
    # The first poll counts the vote; nothing of the threads is new, so no thread row is
    # written (last_fetched stays) and no run row is replaced (the same ids)...
    assert first["threads"] == discovered["threads"]
    assert first["messages"] == discovered["messages"]
    assert list(first["runs"]) == list(discovered["runs"])
    # ...but the GitHub cursor now holds the ETag of the comments' first 200.
    assert github_cursor(first) != github_cursor(discovered)
    assert github_cursor(first)["etag"]
    # Then GitHub answers 304 and nothing at all is written.
    assert second == first
    assert third == first
    assert github_requests[-1] == github_cursor(first)["etag"]


def test_a_crash_before_the_plan_loses_only_the_moved_cursor(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url)
    real = polls.record_quiet_runs

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed before the tick's plan was written")

    with world(database_url, tmp_path) as w:
        w.fill()

        async def work(watcher: Watcher, engine: AsyncEngine) -> list[State]:
            discovered = await stored_state(engine)
            monkeypatch.setattr(polls, "record_quiet_runs", crash)
            w.clock.advance(minutes=31)
            with pytest.raises(RuntimeError):
                await watcher.poll_due()
            crashed = await stored_state(engine)
            monkeypatch.setattr(polls, "record_quiet_runs", real)
            w.clock.advance(minutes=watcher.settings.daemon.poll_min_minutes)
            assert await watcher.poll_due() == 1  # the lease is over: polled from the old cursor
            return [discovered, crashed, await stored_state(engine)]

        discovered, crashed, again = asyncio.run(ticks(w, work))
        github_requests = [r.headers.get("If-None-Match", "") for r in w.github.matching(COMMENTS)]
    assert github_cursor(crashed) == github_cursor(discovered)  # the ETag was lost...
    assert github_requests[-2:] == ["", ""]  # ...so the next poll asked without it (a 200)
    assert github_cursor(again)["etag"]  # and kept it this time
    assert again["messages"] == discovered["messages"]
    assert again["threads"] == discovered["threads"]


def test_a_quiet_good_poll_clears_the_threads_earlier_failures(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()

        async def work(watcher: Watcher, engine: AsyncEngine) -> list[State]:
            w.clock.advance(minutes=31)
            await watcher.poll_due()
            w.discourse.fail_next(r"^/t/", status(502), status(502))  # both attempts
            w.clock.advance(minutes=31)
            await watcher.poll_due()
            failed = await stored_state(engine)
            w.clock.advance(minutes=31)
            await watcher.poll_due()
            return [failed, await stored_state(engine)]

        failed, recovered = asyncio.run(ticks(w, work))

    def topic_runs(state: State) -> list[tuple[str, int, str]]:
        return [key for key in state["runs"] if "/t/" in key[0]]

    assert sorted(status for (_, _, status) in topic_runs(failed)) == ["failed", "ok"]
    ok_before = [key for key in topic_runs(failed) if key[2] == "ok"]
    assert topic_runs(recovered) == ok_before  # the failure is gone, the good run not rewritten
