"""A small world for daemon tests: fake Discourse, lists.apache.org and GitHub holding one vote,
a roster file, a real SMTP server, a database, and a clock the test moves by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.fetch import Fetcher, http_options
from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.sources.http import HttpClient
from harvester.store import votes
from harvester.store.db import engine_for
from harvester.store.outbox import OutboxRow, outbox_rows
from tests.fakes.discourse import FakeDiscourse, FakePost
from tests.fakes.github import FakeGitHub
from tests.fakes.ponymail import FakePonyMail
from tests.fakes.smtp import FakeSMTP, smtp_server

T = TypeVar("T")
TITLE = "[VOTE] Adopt the S0 process"
CALL = (
    "Hi all,\n\nThis is a vote to adopt the S0 process. It is open for at least 72 hours.\n\n"
    "+1 from me (binding)\n\nAlice\n"
)
ROSTER = """
[[members]]
id = "alice"
name = "Alice Archer"
emails = ["alice@apache.org"]
discourse = ["alice"]
github = ["alice-a"]
role = "pmc"

[[members]]
id = "bob"
name = "Bob Baker"
emails = ["bob@apache.org"]
discourse = ["bobb"]
role = "pmc"

[[members]]
id = "carol"
name = "Carol Cruz"
emails = ["carol@apache.org"]
discourse = ["carol"]
github = ["carolc"]
role = "pmc"

[[members]]
id = "dave"
name = "Dave Dunn"
emails = ["dave@apache.org"]
role = "pmc"
"""
CATEGORY = 5
TOPIC = 77


def list_mail(n: int, sender: str, body: str, at: datetime, subject: str = "Re: " + TITLE) -> bytes:
    headers = [
        f"Message-ID: <m{n}@example.org>",
        f"From: {sender}",
        "To: dev@tvm.apache.org",
        f"Subject: {subject}",
        f"Date: {format_datetime(at)}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if n:
        headers += ["In-Reply-To: <m0@example.org>", "References: <m0@example.org>"]
    return ("\n".join(headers) + "\n\n" + body).encode()


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    discourse: FakeDiscourse
    lists: FakePonyMail
    github: FakeGitHub
    smtp: FakeSMTP
    url: str
    roster: Path
    t0: datetime
    clock: Clock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = Clock(self.t0 + timedelta(hours=1))

    def fill(self, call: str = CALL) -> None:
        """The call on dev@, mirrored as a Discourse topic and a GitHub issue; a few ballots."""
        t0 = self.t0
        self.lists.add_mail(list_mail(0, "Alice Archer <alice@apache.org>", call, t0, TITLE))
        self.lists.add_mail(
            list_mail(1, "Bob Baker <bob@apache.org>", "+1 (binding)\n", t0 + timedelta(minutes=30))
        )
        self.discourse.add_topic(
            TOPIC,
            "vote-adopt-the-s0-process",
            TITLE,
            [FakePost("alice", "<p>" + call.replace("\n\n", "</p><p>") + "</p>", t0)],
            category_id=CATEGORY,
        )
        self.github.add_issue(
            "apache", "tvm", 99, title=TITLE, body=call, user="alice-a", created_at=t0
        )

    def settings(self, *, top: dict[str, Any] | None = None, **overrides: Any) -> Settings:
        """The world's settings; `overrides` update sections, `top` sets top-level keys as
        given (projects, foundation)."""
        data: dict[str, Any] = {
            "http": {"per_host_rate": 0, "max_attempts": 2, "backoff_base": 0},
            "sources": {"github": {"api_url": self.github.url}},
            "daemon": {
                "roster": str(self.roster),
                "ponymail_url": self.lists.url,
                "lists": ["dev@tvm.apache.org"],
                "categories": [f"{self.discourse.url}/c/votes/{CATEGORY}"],
                "repos": ["apache/tvm"],
                "discover_minutes": 60,  # real minutes: once at start in a test
                "tick_seconds": 0.05,
                "jitter": 0,
            },
            "web": {"port": 0},  # any free port: replicas and tests run side by side
            "mail": {
                "enabled": True,
                "host": self.smtp.host,
                "port": self.smtp.port,
                "security": "none",
                "sender": "harvester <harvester@tvm.example.org>",
                "to": ["private@tvm.example.org"],
                "retry_minutes": 0,
            },
        }
        for section, values in overrides.items():
            data.setdefault(section, {}).update(values)
        data.update(top or {})
        return Settings.model_validate(data)

    def query(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> Awaitable[T]:
        async def run() -> T:
            engine = engine_for(self.url)
            try:
                async with engine.connect() as connection:
                    return await work(connection)
            finally:
                await engine.dispose()

        return run()

    async def votes(self) -> list[votes.VoteRow]:
        return await self.query(votes.list_votes)

    async def threads_of(self, vote_id: int) -> list[str]:
        return await self.query(lambda c: votes.thread_urls(c, vote_id))

    async def tally(self, vote_id: int) -> dict[str, Any] | None:
        return await self.query(lambda c: votes.latest_tally(c, vote_id))

    async def outbox(self) -> list[OutboxRow]:
        return await self.query(outbox_rows)


async def polled_at(
    w: World,
    settings: Settings,
    hours_after_call: list[float],
    after: Callable[[Watcher], Awaitable[T]],
) -> list[T]:
    """Discover, then at each moment one poll tick by hand and `after` it; what each gave."""
    engine = engine_for(w.url)
    found = []
    try:
        async with HttpClient(http_options(settings)) as client:
            watcher = Watcher(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            await watcher.discover()
            for hours in hours_after_call:
                w.clock.now = w.t0 + timedelta(hours=hours)
                await watcher.poll_due()
                found.append(await after(watcher))
    finally:
        await engine.dispose()
    return found


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 20) -> None:
    """Wait for the daemon (running in the same loop) to get somewhere."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@contextmanager
def world(url: str, tmp_path: Path, t0: datetime | None = None) -> Iterator[World]:
    with ExitStack() as stack:
        sites = (FakeDiscourse(), FakePonyMail(), FakeGitHub())
        for site in sites:
            site.start()
            stack.callback(site.stop)
        smtp = stack.enter_context(smtp_server())
        roster = tmp_path / "roster.toml"
        roster.write_text(ROSTER, encoding="utf-8")
        start = t0 or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        yield World(sites[0], sites[1], sites[2], smtp, url, roster, start)
