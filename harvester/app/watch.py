"""What the daemon does, one step at a time: discover vote threads, poll open votes, close them.

No scheduling here (app/daemon.py triggers these steps) and no vote logic (core decides). All
state lives in the database, so any replica can take any step and a restart resumes: a vote is
created once, polled by the replica that claims it, closed and drafted by the one that moves it
out of `open`, in the same transaction as its draft and outbox row.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from harvester.app import discover, filing
from harvester.app.counting import VoteResult
from harvester.app.deliver import mail_on, new_message_id
from harvester.app.discover import FoundVote
from harvester.app.fetch import Fetcher
from harvester.app.harvest import is_url
from harvester.app.hold import must_hold
from harvester.app.post import queue_posts
from harvester.app.record import count_stored, final_status, save_count
from harvester.app.remind import queue_reminder
from harvester.app.thread_polls import QuietPolls, ThreadPoller
from harvester.app.verdicts import clock_matters_at, decide_end
from harvester.config import Settings
from harvester.core.schedule import next_poll
from harvester.errors import HarvesterError
from harvester.model import Roster
from harvester.projects_config import roster_source
from harvester.sources.roster import load_roster
from harvester.store import drafts, outbox, polls, votes
from harvester.store.votes import VoteRow

log = logging.getLogger("harvester.daemon")
Clock = Callable[[], datetime]
CLAIM_BATCH = 100  # due votes claimed in one statement; the lease covers polling them all


@dataclass(frozen=True)
class Plan:
    """What a tick read for one vote before polling it: its threads and their last cursors
    (None: read each thread's own), and where its unchanged polls are noted (None: write
    their moved cursors at once)."""

    urls: list[str]
    cursors: Mapping[str, dict[str, Any]] | None
    quiet: QuietPolls | None = None


@dataclass
class Watcher:
    engine: AsyncEngine
    settings: Settings
    fetcher: Fetcher
    clock: Clock
    jitter: Callable[[], float] = field(default_factory=lambda: uniform_jitter(0.2))
    on_close: Callable[[int], None] = lambda vote_id: None
    # vote id -> the roster it was last counted with by this replica and the next moment the
    # clock alone can change its count (its minimum time): an unchanged poll before then of a
    # vote counted with the current roster needs no recount
    _counted: dict[int, tuple[str, datetime | None]] = field(default_factory=dict)
    _held_without_roster: set[int] = field(default_factory=set)  # said once a vote
    # Reads the roster (spec, committee); None: the fetcher, or the file. The watchers of a
    # daemon of many projects share one that reads each document once a discovery round.
    read_roster: Callable[[str, str | None], Awaitable[Roster]] | None = None

    # -- discovery ---------------------------------------------------------------------------

    async def discover(self) -> int:
        """Look for new vote threads in every configured place; returns the threads adopted."""
        now = self.clock()
        await self.refresh_roster(now)
        since = now - timedelta(days=self.settings.daemon.lookback_days)
        found = [f for f in await self._found(since, now) if f.opened_at >= since]
        adopted = 0
        for item in sorted(found, key=lambda f: f.epoch):
            try:
                adopted += await self.adopt(item)
            except HarvesterError as error:
                log.warning("discovery: %s", error)
        return adopted

    async def _found(self, since: datetime, now: datetime) -> list[FoundVote]:
        found: list[FoundVote] = []
        for name, listing in discover.listings(self.settings, self.fetcher, since, now):
            try:
                found.extend(await listing)
            except HarvesterError as error:
                log.warning("discovery of %s failed: %s", name, error)
        return found

    async def adopt(self, item: FoundVote) -> int:
        """Track a discovered thread: read it whole, file it under its vote (new for a call,
        the open vote of the same subject for a [RESULT]/[CANCEL])."""
        async with self.engine.connect() as connection:
            if await votes.vote_of_thread(connection, item.url) is not None:
                return 0
        update = await self.fetcher.poll(item.url, None)
        thread = update.thread
        now = self.clock()
        async with self.engine.begin() as connection:
            if await votes.vote_of_thread(connection, thread.url) is not None:
                return 0
            project = self.settings.daemon.project
            vote_id = await filing.vote_for_thread(connection, thread, item, now, project)
            if vote_id is None:
                return 0
            await self.threads.store(connection, thread.url, update, now)
            await votes.link_thread(connection, vote_id, thread.url)
            await polls.record_run(connection, thread.url, now, now, cursor=update.cursor)
        named = f" of {project}" if project else ""
        log.info("vote %d%s: tracking %s", vote_id, named, thread.url, extra={"project": project})
        return 1

    # -- roster ------------------------------------------------------------------------------

    async def refresh_roster(self, now: datetime) -> None:
        """Read the configured roster and keep a snapshot; on failure the last one stays."""
        spec = self.settings.daemon.roster
        if not spec:
            return
        committee = self.settings.daemon.committee or None
        try:
            if self.read_roster is not None:
                roster = await self.read_roster(spec, committee)
            elif is_url(spec):
                roster = await self.fetcher.roster(spec, committee)
            else:
                roster = load_roster(spec, committee=committee)
        except HarvesterError as error:
            project = self.settings.daemon.project
            named = f"{project}: " if project else ""
            log.warning("%sroster: %s (the last snapshot is used)", named, error)
            return
        # Kept under the project's key: two committees of one committee-info.json stay apart.
        roster = replace(roster, source=roster_source(self.settings))
        async with self.engine.begin() as connection:
            await votes.save_roster(connection, roster, now)

    async def roster(self, connection: AsyncConnection) -> Roster:
        source = roster_source(self.settings)
        found = await votes.latest_roster(connection, source) if source else None
        return found or Roster(members=(), source="")

    async def vote_roster(self, connection: AsyncConnection, vote: VoteRow) -> Roster:
        """The roster a stored vote is counted with: this watcher's (Fleet: its project's)."""
        return await self.roster(connection)

    # -- polling -----------------------------------------------------------------------------

    async def poll_due(self) -> int:
        """Poll every open vote whose time has come; returns how many this replica polled.

        One connection serves the tick's bookkeeping: due votes and the roster are read once,
        each batch of CLAIM_BATCH is claimed in one statement with its threads' URLs and
        cursors read at once, and its next polls are planned together, with the cursors its
        unchanged polls moved. A poll that found nothing new writes nothing of its own, so an
        idle vote costs no statement and no commit of its own."""
        now = self.clock()
        lease = now + timedelta(minutes=self.settings.daemon.poll_min_minutes)
        polled = 0
        async with self.engine.connect() as tick:
            async with tick.begin():
                project = self.settings.daemon.project
                due = await polls.due_votes(tick, now, limit=None, project=project)
                roster = await self.roster(tick)  # once a tick, not once a vote
            roster_key = _roster_key(roster)
            for start in range(0, len(due), CLAIM_BATCH):
                batch = due[start : start + CLAIM_BATCH]
                polled += await self._poll_batch(tick, batch, now, lease, roster, roster_key)
        return polled

    async def _poll_batch(
        self,
        tick: AsyncConnection,
        batch: list[VoteRow],
        now: datetime,
        lease: datetime,
        roster: Roster,
        roster_key: str,
    ) -> int:
        """Claim these due votes (the ones no other replica took first), poll them, plan their
        next polls. The lease covers polling the whole batch."""
        async with tick.begin():
            ids, project = [v.id for v in batch], self.settings.daemon.project
            claimed = await polls.claim_polls(tick, ids, now, lease, project=project)
            mine = [vote for vote in batch if vote.id in claimed]
            urls = await votes.thread_urls_for(tick, [v.id for v in mine])
            cursors = await polls.last_cursors(tick, [u for v in mine for u in urls[v.id]])
        quiet = QuietPolls()
        for vote in mine:
            # every Nth poll reads whole threads: edits beyond what a cursor shows
            full = (vote.polls + 1) % self._refresh_every == 0
            plan = Plan(urls[vote.id], {} if full else cursors, quiet)
            try:
                await self.poll_vote(
                    vote, full=full, roster=roster, roster_key=roster_key, plan=plan
                )
            except HarvesterError as error:
                log.warning("vote %d: %s", vote.id, error)
        async with tick.begin():
            await polls.record_quiet_runs(tick, sorted(quiet.urls), list(quiet.moved.values()))
            await self._plan_next_polls(tick, [v.id for v in mine], now, lease)
        return len(mine)

    async def _plan_next_polls(
        self, connection: AsyncConnection, vote_ids: list[int], polled_at: datetime, lease: datetime
    ) -> None:
        """Schedule from what the polls learned (a first count finds the deadline), counting
        from when the polls started: what they read may be as old as that."""
        open_now = await polls.poll_plans(connection, vote_ids)
        moments = {
            vote_id: self._next_poll(polled_at, closes_at)
            for vote_id, closes_at in open_now.items()
        }
        await polls.plan_polls(connection, lease, moments)

    @property
    def _refresh_every(self) -> int:
        return self.settings.daemon.full_refresh_every

    def _next_poll(self, now: datetime, closes_at: datetime | None) -> datetime:
        daemon = self.settings.daemon
        return next_poll(
            now,
            closes_at,
            every=timedelta(minutes=daemon.poll_minutes),
            floor=timedelta(minutes=daemon.poll_min_minutes),
            jitter=self.jitter(),
        )

    async def poll_vote(
        self,
        vote: VoteRow,
        *,
        full: bool,
        roster: Roster | None = None,
        roster_key: str | None = None,
        plan: Plan | None = None,
    ) -> VoteResult | None:
        """Bring every thread of the vote up to date, recount when something changed, and close
        the vote when it is over. `plan`: the thread URLs and cursors the tick read already."""
        if plan is None:
            async with self.engine.connect() as connection:
                urls = await votes.thread_urls(connection, vote.id)
            plan = Plan(urls, None)
        changed = [
            await self.threads.harvest_thread(
                url, full=full, cursors=plan.cursors, quiet=plan.quiet
            )
            for url in plan.urls
        ]
        now = self.clock()
        key = roster_key if roster_key is not None else _roster_key(roster)
        # Nothing new since the last count with this roster: only the clock can change it, at
        # its minimum time or its deadline, and then the vote's policy decides from a count.
        counted_with, recount_at = self._counted.get(vote.id, ("", None))
        unchanged = not any(changed) and vote.id in self._counted and counted_with == key
        due = [t for t in (recount_at, vote.closes_at) if t is not None]
        if unchanged and not any(t <= now for t in due):
            return None
        async with self.engine.begin() as connection:
            current = await votes.get_vote(connection, vote.id)
            if current is None or current.status != votes.OPEN:
                return None
            result = await self.count(connection, current, now, roster=roster)
            verdict = await decide_end(
                connection,
                current,
                result,
                now,
                lambda at: self.recount(connection, current, now, cut_off=at),
                self._held_without_roster,
            )
            if not verdict.close:
                who = roster or await self.roster(connection)
                await queue_reminder(connection, vote.id, result, who, self.settings, now)
            fresh = await votes.get_vote(connection, vote.id)
        assert fresh is not None
        self._counted[vote.id] = (key, clock_matters_at(result, self.settings, now))
        if verdict.close:
            return await self.close(fresh, verdict.close, verdict.cut_off)
        return result

    @cached_property
    def threads(self) -> ThreadPoller:
        return ThreadPoller(self.engine, self.fetcher, self.clock)

    async def count(
        self,
        connection: AsyncConnection,
        vote: VoteRow,
        now: datetime,
        *,
        cut_off: datetime | None = None,
        roster: Roster | None = None,
    ) -> VoteResult:
        """Recount from the stored messages (no network) and keep the tally and schedule."""
        result = await self.recount(connection, vote, now, cut_off=cut_off, roster=roster)
        await save_count(connection, vote.id, result, now)
        window = result.tally.window
        deadline = window.closes_at or window.earliest_close
        if deadline is not None and deadline > now:  # one passed is decided by this very poll
            await polls.poll_by(connection, vote.id, deadline)
        return result

    async def recount(
        self,
        connection: AsyncConnection,
        vote: VoteRow,
        now: datetime,
        *,
        cut_off: datetime | None = None,
        roster: Roster | None = None,
    ) -> VoteResult:
        """The vote counted from its stored messages and the last roster snapshot; no writes."""
        roster = roster or await self.roster(connection)
        return await count_stored(
            connection, vote.id, roster, self.settings, now, closes_at=cut_off
        )

    # -- closing -----------------------------------------------------------------------------

    async def close(
        self, vote: VoteRow, closed_by: str, cut_off: datetime | None = None
    ) -> VoteResult | None:
        """A final whole read (edits made late count too), the final count (ballots after
        `cut_off` late), and, in one transaction, the vote's status, its draft and its outbox
        row. Only the replica that moves the vote out of `open` drafts it."""
        async with self.engine.connect() as connection:
            urls = await votes.thread_urls(connection, vote.id)
        for url in urls:
            await self.threads.harvest_thread(url, full=True)
        now = self.clock()
        async with self.engine.begin() as connection:
            result = await self.count(connection, vote, now, cut_off=cut_off)
            status = final_status(result)
            if not await votes.close_vote(connection, vote.id, status, closed_by, now):
                return None
            if status != "cancelled":
                await self._queue_result(connection, vote.id, result, urls, now)
        log.info("vote %d closed (%s): %s", vote.id, closed_by, status)
        if result.outcome.needs_review:
            pending = len(result.outcome.pending)
            log.info("vote %d: result held until %d review items are settled", vote.id, pending)
        self.on_close(vote.id)
        return result

    async def _queue_result(
        self,
        connection: AsyncConnection,
        vote_id: int,
        result: VoteResult,
        urls: list[str],
        now: datetime,
    ) -> None:
        """The result draft, its mail to this watcher's recipients and its posts back to the
        vote's threads, held alike when it waits for review."""
        settings = self.settings
        draft_id = await drafts.save_draft(connection, vote_id, result.draft, now)
        held = must_hold(result, settings)
        if mail_on(settings):
            message_id = new_message_id(settings, draft_id)
            to = ", ".join(settings.mail.to) or None
            await outbox.enqueue(connection, draft_id, now, message_id, held=held, target=to)
        await queue_posts(connection, draft_id, urls, settings, now, held=held)


def _roster_key(roster: Roster | None) -> str:
    return votes.digest_of(votes.roster_json(roster)) if roster is not None else ""


def uniform_jitter(spread: float) -> Callable[[], float]:
    generator = random.Random()
    return lambda: generator.uniform(1 - spread, 1 + spread)
