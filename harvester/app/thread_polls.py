"""One poll of one thread into the store: read from its cursor, stored with its new cursor in
one transaction, or, when the source found nothing new, noted without a write of its own."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from harvester import metrics
from harvester.app.fetch import Fetcher
from harvester.errors import HarvesterError
from harvester.model import ThreadUpdate
from harvester.store import messages as stored
from harvester.store import polls

log = logging.getLogger("harvester.daemon")


@dataclass
class QuietPolls:
    """The polls of one claimed batch that found nothing new. Nothing is stored for them at
    once: no thread row, no run row. The cursors that moved (a new ETag) are written with the
    batch's next polls, in one transaction. A crash before that loses only those cursors, and
    the older one reads the same thread again (a 200 in place of a 304), never a message."""

    urls: set[str] = field(default_factory=set)  # polled without a failure or a change
    moved: dict[str, polls.PollRun] = field(default_factory=dict)  # url -> its new cursor

    def add(self, url: str, used: Mapping[str, object] | None, run: polls.PollRun) -> None:
        self.urls.add(url)
        if run.cursor != used:
            self.moved[url] = run

    def drop(self, url: str) -> None:
        """This thread's run was written by a later poll of the same batch: that one stands."""
        self.urls.discard(url)
        self.moved.pop(url, None)


@dataclass(frozen=True)
class ThreadPoller:
    engine: AsyncEngine
    fetcher: Fetcher
    clock: Callable[[], datetime]

    async def harvest_thread(
        self,
        url: str,
        *,
        full: bool,
        cursors: Mapping[str, dict[str, Any]] | None = None,
        quiet: QuietPolls | None = None,
    ) -> bool:
        """One poll of one thread, stored with its cursor in one transaction; a failure is
        recorded and the last good state stays. Returns whether anything changed. `cursors`:
        the threads' last cursors when the caller read them already. A poll that found nothing
        new stores nothing: it is noted in `quiet` (the tick writes its moved cursor later), or
        without one its run is settled at once (record_quiet_runs)."""
        started = self.clock()
        if full:
            cursor = None
        elif cursors is not None:
            cursor = cursors.get(url)
        else:
            async with self.engine.connect() as connection:
                cursor = await polls.last_cursor(connection, url)
        try:
            update = await self.fetcher.poll(url, cursor)
        except HarvesterError as error:
            metrics.HARVEST_FAILURES.inc()
            if quiet is not None:
                quiet.drop(url)
            async with self.engine.begin() as connection:
                await polls.record_run(connection, url, started, self.clock(), error=str(error))
            log.warning("%s", error)
            return False
        metrics.HARVESTS.inc()
        run = polls.PollRun(url, started, self.clock(), update.cursor)
        if _nothing_new(update):
            await self._note_quiet(run, cursor, quiet)
            return False
        if quiet is not None:
            quiet.drop(url)
        async with self.engine.begin() as connection:
            await self.store(connection, url, update, started)
            await polls.record_run(connection, url, started, run.finished, cursor=update.cursor)
        return True

    async def _note_quiet(
        self, run: polls.PollRun, used: Mapping[str, object] | None, quiet: QuietPolls | None
    ) -> None:
        if quiet is not None:
            quiet.add(run.source_url, used, run)
            return
        moved = [run] if run.cursor != used else []
        async with self.engine.begin() as connection:
            await polls.record_quiet_runs(connection, [run.source_url], moved)

    async def store(
        self, connection: AsyncConnection, url: str, update: ThreadUpdate, now: datetime
    ) -> None:
        thread = update.thread
        await stored.save_thread(connection, thread, now, complete=update.complete)
        if update.complete or update.removed:  # only these can forget stored messages
            gone = _gone(update, await stored.stored_ids(connection, thread.url))
            for source, ids in gone.items():
                await stored.remove_messages(connection, thread.url, source, sorted(ids))
        if url != thread.url:
            log.info("%s is now read as %s", url, thread.url)


def _nothing_new(update: ThreadUpdate) -> bool:
    """A cursor poll that the source says found nothing new: no message, edit, removal or
    change of the thread itself (the posts a Discourse page always shows are stored already,
    with the versions the cursor remembers)."""
    return not (update.changed or update.complete or update.removed)


def _gone(update: ThreadUpdate, have: dict[str, set[str]]) -> dict[str, set[str]]:
    """Messages to forget: those the source says are removed, and, after a whole read without
    warnings, those it no longer lists."""
    gone: dict[str, set[str]] = {}
    sources = {m.source for m in update.thread.messages}
    for source in sources:
        gone[source] = have.get(source, set()) & set(update.removed)
    if update.complete and not update.thread.warnings:
        for source in sources:
            listed = {m.source_id for m in update.thread.messages if m.source == source}
            gone[source] |= have.get(source, set()) - listed
    return {source: ids for source, ids in gone.items() if ids}
