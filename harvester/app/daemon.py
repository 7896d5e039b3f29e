"""`harvest daemon`: APScheduler jobs that call the watcher's steps; no logic of their own.

Two jobs: discovery (new vote threads, the roster) and a tick (poll the votes that are due, then
send what the outbox holds). The schedule of each vote lives in the database, not in the
scheduler, so a restart or a second replica carries on where the last left off. SIGTERM and
SIGINT let a running step finish (up to `GRACE` seconds), then stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from harvester.app.deliver import deliver_pending, worker_name
from harvester.app.digest import send_digest
from harvester.app.fetch import Fetcher, http_options
from harvester.app.post import Poster
from harvester.app.projects import Fleet
from harvester.app.watch import Watcher, uniform_jitter
from harvester.app.webapp import DatabaseBackend, Heartbeat, web_server
from harvester.config import Settings
from harvester.entry import stop_asked
from harvester.errors import HarvesterError
from harvester.sources.http import HttpClient
from harvester.store.db import check_current, engine_for

log = logging.getLogger("harvester.daemon")
GRACE = 60.0  # seconds a running step may take to finish after SIGTERM


def utc_now() -> datetime:
    return datetime.now(UTC)


class _NoSkipNoise(logging.Filter):
    """APScheduler warns at every run it skips while the last one still runs; the step says
    so itself, once (see _Steps)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


@dataclass
class _Steps:
    """Runs one step at a time per job and knows whether one is still running."""

    busy: set[asyncio.Task[object]] = field(default_factory=set)

    def job(
        self, name: str, step: Callable[[], Awaitable[object]], every: float = 0.0
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self.busy.add(task)
            began = time.monotonic()
            try:
                await step()
                took = time.monotonic() - began
                if every and took > every:
                    log.info(
                        "%s took %.0f s, more than its %.0f s interval: the runs due "
                        "meanwhile were skipped",
                        name,
                        took,
                        every,
                        extra={"step": name, "seconds": round(took, 1)},
                    )
            except asyncio.CancelledError:
                # The daemon is stopping and this step outlived the grace period: it ends here
                # (its transaction rolls back), quietly, since it is not a failure.
                log.info("%s: stopped with the daemon", name)
            except HarvesterError as error:
                log.warning("%s: %s", name, error)
            except Exception:  # a bug: report it and keep the daemon running
                log.exception("%s failed", name)
            finally:
                self.busy.discard(task)

        return run

    async def settle(self, grace: float) -> None:
        if self.busy:
            await asyncio.wait(set(self.busy), timeout=grace)


async def run_daemon(
    settings: Settings,
    url: str,
    *,
    clock: Callable[[], datetime] = utc_now,
    stop: asyncio.Event | None = None,
    jitter: Callable[[], float] | None = None,
) -> None:
    """Run until `stop` is set or a SIGTERM/SIGINT arrives."""
    stop = stop or asyncio.Event()
    on_signals(stop)  # first: from here a SIGTERM is a clean stop, never a kill mid-setup
    engine = engine_for(url)
    try:
        await check_current(engine, url)
        async with HttpClient(http_options(settings), clock=clock) as client:
            spread = jitter or uniform_jitter(settings.daemon.jitter)
            # Every project's watcher behind one: a config of one project is a fleet of one.
            watcher = Fleet(engine, settings, Fetcher(client, settings), clock, spread)
            heartbeat = Heartbeat(every=settings.daemon.tick_seconds)
            async with AsyncExitStack() as stack:
                if settings.web.enabled:
                    backend = DatabaseBackend(engine, settings, clock, heartbeat)
                    await stack.enter_async_context(web_server(backend, settings))
                await _serve(watcher, settings, stop, heartbeat)
    finally:
        await engine.dispose()


async def _serve(
    watcher: Watcher, settings: Settings, stop: asyncio.Event, heartbeat: Heartbeat
) -> None:
    steps = _Steps()
    worker = worker_name(settings)
    poster = Poster(watcher.fetcher)  # results posted back ([post]) go with the mail
    daemon = settings.daemon

    async def tick() -> None:
        await watcher.poll_due()
        await deliver_pending(
            watcher.engine, settings, worker=worker, now=watcher.clock(), poster=poster
        )
        heartbeat.beat()

    async def digest() -> None:
        await send_digest(watcher, settings, worker=worker)

    scheduler = AsyncIOScheduler(timezone=UTC)
    started = utc_now()
    discover_every = timedelta(minutes=daemon.discover_minutes)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _NoSkipNoise) for f in scheduler_log.filters):
        scheduler_log.addFilter(_NoSkipNoise())
    scheduler.add_job(
        steps.job("discovery", watcher.discover, discover_every.total_seconds()),
        IntervalTrigger(
            seconds=discover_every.total_seconds(),
            jitter=discover_every.total_seconds() * daemon.jitter,
        ),
        next_run_time=started,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        steps.job("poll", tick, daemon.tick_seconds),
        IntervalTrigger(seconds=daemon.tick_seconds),
        next_run_time=started,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if settings.mail.digest_at:
        hour, minute = settings.mail.digest_at.split(":")
        scheduler.add_job(
            steps.job("digest", digest),
            CronTrigger(hour=int(hour), minute=int(minute), timezone=UTC),
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    heartbeat.running = True
    log.info("harvest daemon started (worker %s)", worker)
    try:
        await stop.wait()
    finally:
        heartbeat.running = False
        scheduler.pause()
        await steps.settle(GRACE)
        scheduler.shutdown(wait=False)
        log.info("harvest daemon stopped")


def on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set `stop`; one that came while the command was starting already has."""
    if stop_asked():
        stop.set()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests) or Windows
            return
