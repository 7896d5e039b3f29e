"""What one daemon cycle costs with many open votes: requests per site, seconds, CPU, memory.

    python benchmarks/bench_daemon.py --discourse 100 --lists 60 --github 40 --cycles 3

The fake sites of tests/fakes (each served from a background thread of this process, or with
--fakes-apart all from a child process of their own, filled there) hold
--discourse topics in one Discourse category (--posts posts each), --lists threads on
dev@tvm.apache.org (a call and --replies replies, with In-Reply-To and References) and --github
issues in apache/tvm (--comments comments each). Every thread is its own vote ("[VOTE] Proposal
N", N unique), opened in the two days before a hand-moved clock; the roster is a TOML file of
--members members. The database is SQLite in a temporary directory (db.upgrade), deleted at the
end.

The harvester.app.watch.Watcher is driven directly, as run_daemon wires it (one HttpClient, no
rate pacing, jitter 1.0), without APScheduler:
  discover     watcher.discover() once: the listings, then a whole read of every thread;
  idle N       the clock moves poll_minutes + 1, so every vote is due, and poll_due() runs until
               it polls nothing (it polls every due vote, 100 claimed at a time); nothing has
               changed;
  changed      the same, after --changed % of the votes got one new post, mail or comment;
  full         the same with daemon.full_refresh_every = 1: every thread is read whole;
  idle after full  an idle cycle again (GitHub answers 200, not 304, after a whole read);
  profiled     one more idle cycle under cProfile (its times include the profiler's overhead);
  recount      watcher.recount() of every open vote, read-only and without the network: what
               each poll spends counting from the database.
Requests are counted by each site (per endpoint) and by the client (HttpClient.requests, all
on 127.0.0.1); GitHub's 304s are the requests that did not spend its rate limit. A vote not
polled, or a client count that differs from the sites', prints WRONG and exits 1. CPU is split
by thread: the three fake sites' threads (or their child process), the event-loop thread
(harvester, aiohttp client, SQLAlchemy) and the rest (aiosqlite's connection threads, where
SQLite itself runs). The wall
time is split into phases by wrapping a few harvester functions for the run (see Meter); SQL
statements and commits are counted with SQLAlchemy events. "own ms/vote" is harvester's CPU
(loop and sqlite threads, not the fake sites) per polled vote. RSS is the whole process's
(fake sites included unless --fakes-apart): resident after each step, and the peak at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection as DriverConnection
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.app import record, watch  # noqa: E402
from harvester.app.fetch import Fetcher, http_options  # noqa: E402
from harvester.app.watch import Watcher  # noqa: E402
from harvester.config import Settings  # noqa: E402
from harvester.sources.http import Fetched, HttpClient  # noqa: E402
from harvester.store import messages as stored  # noqa: E402
from harvester.store import polls, votes  # noqa: E402
from harvester.store.db import engine_for, upgrade  # noqa: E402
from harvester.store.tables import harvest_runs, tally_snapshots  # noqa: E402
from tests.fakes.base import FakeSite  # noqa: E402
from tests.fakes.discourse import FakeDiscourse, FakePost  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.ponymail import FakePonyMail  # noqa: E402

CATEGORY = 7
LIST_ID = "dev@tvm.apache.org"
OWNER, REPO = "apache", "tvm"
FIRST_TOPIC = 5000
FIRST_ISSUE = 17000
POLL_MINUTES = 30.0
OUTSIDERS = ("jdoe", "asmith", "kwong", "lmartin", "pnovak", "rgarcia", "tlee", "ymori")
BALLOTS = (
    "+1",
    "+1 (binding)",
    "+1 (non-binding)",
    "+1, I checked the proposal text and the linked design doc.",
    "0",
    "-1: the migration plan needs another round first.",
)
PROSE = (
    "Thanks for writing this up, the motivation section is clear.",
    "I read the design doc and the discussion thread before voting.",
    "Could we note in the proposal how this affects the release process?",
    "This matches what we discussed at the community meeting.",
    "I'd like us to revisit the timeline after the next release.",
)
DISCOURSE_ENDPOINTS = {
    "category": r"^/c/",
    "topic": r"^/t/[^/]+/\d+\.json$",
    "posts": r"/posts\.json$",
}
LIST_ENDPOINTS = {
    "stats": r"/api/stats\.",
    "thread": r"/api/thread\.",
    "mbox": r"/api/mbox\.",
    "email": r"/api/email\.",
}
GITHUB_ENDPOINTS = {
    "list": r"/issues$",
    "issue": r"/issues/\d+$",
    "comments": r"/comments$",
}


@dataclass
class Clock:
    """The daemon's clock, moved by hand (as tests/app/daemon_world.py does)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Member:
    name: str
    login: str  # Discourse username; the GitHub login is login + "-gh"
    address: str


@dataclass
class Sites:
    discourse: FakeDiscourse
    lists: FakePonyMail
    github: FakeGitHub
    members: list[Member]
    list_calls: dict[int, str] = field(default_factory=dict)  # vote number -> call Message-ID
    next_mail: int = 0
    apart: int = 0  # the pid of the process serving the sites (--fakes-apart), or 0

    @property
    def all(self) -> tuple[FakeSite, ...]:
        return (self.discourse, self.lists, self.github)

    @property
    def named(self) -> dict[str, FakeSite]:
        return {"discourse": self.discourse, "lists": self.lists, "github": self.github}


class SiteProxy:
    """A fake site served by the child process (--fakes-apart): what the benchmark asks of it
    (count, reset_log, add_post, remaining, ...) goes over a pipe."""

    def __init__(self, pipe: Connection, name: str, port: int) -> None:
        self._pipe, self._name, self.port = pipe, name, port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def remaining(self) -> Any:
        return self._ask("get", "remaining", (), {})

    def __getattr__(self, method: str) -> Callable[..., Any]:
        return lambda *args, **kwargs: self._ask("call", method, args, kwargs)

    def _ask(self, kind: str, attribute: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self._pipe.send((kind, self._name, attribute, args, kwargs))
        status, value = self._pipe.recv()
        if status != "ok":
            raise RuntimeError(f"fake {self._name}.{attribute}: {value}")
        return value


def start_sites(
    sites: Sites, apart: bool, fill_sites: Callable[[], dict[str, list[int]]]
) -> tuple[dict[str, list[int]], Callable[[], None]]:
    """Fill the sites and serve them from threads of this process, or (apart) fill and serve
    them from a child process of their own, so that their data, CPU and GIL stay out of
    harvester's. Returns the vote numbers per site and the stop."""
    if not apart:
        numbers = fill_sites()
        for site in sites.all:
            site.start()

        def stop_here() -> None:
            for site in sites.all:
                site.stop()

        return numbers, stop_here
    ours, theirs = Pipe()
    pid = os.fork()  # before any thread or event loop of this process exists
    if pid == 0:
        ours.close()
        serve_commands(sites, fill_sites, theirs)
    theirs.close()
    ports, numbers, list_calls = ours.recv()
    for name, port in ports.items():
        setattr(sites, name, SiteProxy(ours, name, port))
    sites.list_calls, sites.apart = list_calls, pid

    def stop() -> None:
        ours.send(("stop", "", "", (), {}))
        os.waitpid(pid, 0)

    return numbers, stop


def serve_commands(
    sites: Sites, fill_sites: Callable[[], dict[str, list[int]]], pipe: Connection
) -> None:
    """The child: fill and start the sites, then answer the parent's calls until it says stop."""
    numbers = fill_sites()
    for site in sites.all:
        site.start()
    pipe.send(({name: site.port for name, site in sites.named.items()}, numbers, sites.list_calls))
    while True:
        kind, name, attribute, args, kwargs = pipe.recv()
        if kind == "stop":
            for site in sites.all:
                site.stop()
            os._exit(0)
        try:
            target = getattr(sites.named[name], attribute)
            pipe.send(("ok", target(*args, **kwargs) if kind == "call" else target))
        except Exception as error:  # reported to the parent, which stops
            pipe.send(("error", repr(error)))


# --- the world -----------------------------------------------------------------------------------


def make_members(count: int) -> list[Member]:
    return [Member(f"Member {n:02d}", f"m{n:02d}", f"m{n:02d}@apache.org") for n in range(count)]


def roster_toml(members: Sequence[Member]) -> str:
    """Half the members on the PMC, the rest committers."""
    entries = []
    for index, m in enumerate(members):
        role = "pmc" if index < (len(members) + 1) // 2 else "committer"
        entries.append(
            f'[[members]]\nid = "{m.login}"\nname = "{m.name}"\nemails = ["{m.address}"]\n'
            f'discourse = ["{m.login}"]\ngithub = ["{m.login}-gh"]\nrole = "{role}"\n'
        )
    return "\n".join(entries)


def call_text(number: int) -> str:
    return (
        f"Hi all,\n\nThis is a vote on proposal {number}, as discussed on the list. "
        "It is open for at least 72 hours.\n\n[ ] +1 approve\n[ ] 0 no opinion\n"
        "[ ] -1 disapprove (and why)\n\n+1 from me (binding)\n"
    )


def reply_text(rng: random.Random) -> str:
    own = rng.choice(BALLOTS)
    if rng.random() < 0.5:
        own += "\n\n" + " ".join(rng.choice(PROSE) for _ in range(rng.randint(1, 3)))
    return own


def voter(rng: random.Random, members: Sequence[Member]) -> tuple[str, str, str]:
    """(name, login, address): a roster member three times in four, else an outsider."""
    if rng.random() < 0.75:
        m = rng.choice(members)
        return m.name, m.login, m.address
    login = rng.choice(OUTSIDERS)
    return login.title(), login, f"{login}@example.com"


def spread(rng: random.Random, opened: datetime, until: datetime, count: int) -> list[datetime]:
    span = (until - opened).total_seconds()
    return [
        opened + timedelta(seconds=s) for s in sorted(rng.uniform(60, span) for _ in range(count))
    ]


def html(text_: str) -> str:
    return "".join(f"<p>{part}</p>" for part in text_.split("\n\n"))


def list_mail(
    message_id: str, name: str, address: str, subject: str, at: datetime, body: str, refs: list[str]
) -> bytes:
    headers = [
        f"From: {name} <{address}>",
        f"To: {LIST_ID}",
        f"Subject: {subject}",
        f"Date: {format_datetime(at)}",
        f"Message-ID: <{message_id}>",
    ]
    if refs:
        headers.append(f"In-Reply-To: <{refs[-1]}>")
        headers.append("References: " + "\n ".join(f"<{r}>" for r in refs))
    headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8"]
    return ("\n".join(headers) + "\n\n" + body).encode()


def fill(args: argparse.Namespace, sites: Sites, now: datetime) -> dict[str, list[int]]:
    """Every vote, opened in the two days before `now`; returns the vote numbers per site."""
    rng = random.Random(args.seed)
    members = sites.members
    numbers: dict[str, list[int]] = {"discourse": [], "lists": [], "github": []}
    number = 0
    for index in range(args.discourse):
        number += 1
        opened = now - timedelta(hours=rng.uniform(2, 47))
        first = rng.choice(members)
        posts = [FakePost(first.login, html(call_text(number)), opened, name=first.name)]
        for at in spread(rng, opened, now - timedelta(minutes=5), args.posts - 1):
            name, login, _ = voter(rng, members)
            posts.append(FakePost(login, html(reply_text(rng)), at, name=name))
        topic = FIRST_TOPIC + index
        title = f"[VOTE] Proposal {number}"
        sites.discourse.add_topic(
            topic, f"vote-proposal-{number}", title, posts, category_id=CATEGORY
        )
        numbers["discourse"].append(number)
    for _ in range(args.lists):
        number += 1
        opened = now - timedelta(hours=rng.uniform(2, 47))
        subject = f"[VOTE] Proposal {number}"
        first = rng.choice(members)
        call_id = f"call{number}.{rng.getrandbits(32):x}@mail.gmail.com"
        sites.list_calls[number] = call_id
        chains: list[list[str]] = [[call_id]]
        sites.lists.add_mail(
            list_mail(call_id, first.name, first.address, subject, opened, call_text(number), []),
            list_id=LIST_ID,
        )
        for at in spread(rng, opened, now - timedelta(minutes=5), args.replies):
            parent = chains[0] if rng.random() < 0.5 else rng.choice(chains)
            name, _, address = voter(rng, members)
            message_id = f"r{number}.{len(chains)}.{rng.getrandbits(32):x}@mail.gmail.com"
            raw = list_mail(
                message_id, name, address, "Re: " + subject, at, reply_text(rng), parent
            )
            sites.lists.add_mail(raw, list_id=LIST_ID)
            chains.append([*parent, message_id][-10:])
        numbers["lists"].append(number)
    for index in range(args.github):
        number += 1
        opened = now - timedelta(hours=rng.uniform(2, 47))
        first = rng.choice(members)
        issue = FIRST_ISSUE + index
        sites.github.add_issue(
            OWNER,
            REPO,
            issue,
            title=f"[VOTE] Proposal {number}",
            body=call_text(number),
            user=first.login + "-gh",
            created_at=opened,
        )
        for at in spread(rng, opened, now - timedelta(minutes=5), args.comments):
            _, login, _ = voter(rng, members)
            body = reply_text(rng)
            sites.github.add_comment(
                OWNER, REPO, issue, user=login + "-gh", body=body, created_at=at
            )
        numbers["github"].append(number)
    return numbers


def add_changes(
    args: argparse.Namespace, sites: Sites, numbers: dict[str, list[int]], at: datetime
) -> dict[str, int]:
    """One new post, mail or comment in --changed % of each site's votes."""
    rng = random.Random(args.seed + 1)
    changed: dict[str, int] = {}
    for place, nums in numbers.items():
        picked = rng.sample(range(len(nums)), round(len(nums) * args.changed / 100))
        changed[place] = len(picked)
        for index in picked:
            name, login, address = voter(rng, sites.members)
            body = reply_text(rng)
            if place == "discourse":
                post = FakePost(login, html(body), at, name=name)
                sites.discourse.add_post(FIRST_TOPIC + index, post)
            elif place == "lists":
                number = nums[index]
                call_id = sites.list_calls[number]
                message_id = f"late{number}.{rng.getrandbits(32):x}@mail.gmail.com"
                subject = f"Re: [VOTE] Proposal {number}"
                raw = list_mail(message_id, name, address, subject, at, body, [call_id])
                sites.lists.add_mail(raw, list_id=LIST_ID)
            else:
                sites.github.add_comment(
                    OWNER, REPO, FIRST_ISSUE + index, user=login + "-gh", body=body, created_at=at
                )
    return changed


def settings_for(sites: Sites, roster: Path) -> Settings:
    return Settings.model_validate(
        {
            "http": {"per_host_rate": 0},
            "sources": {"github": {"api_url": sites.github.url}},
            "daemon": {
                "roster": str(roster),
                "ponymail_url": sites.lists.url,
                "lists": [LIST_ID],
                "categories": [f"{sites.discourse.url}/c/votes/{CATEGORY}"],
                "repos": [f"{OWNER}/{REPO}"],
                "poll_minutes": POLL_MINUTES,
                "jitter": 0,
                "full_refresh_every": 1000,  # idle cycles stay incremental
            },
            "mail": {"enabled": False},
        }
    )


def with_full_refresh(settings: Settings) -> Settings:
    daemon = settings.daemon.model_copy(update={"full_refresh_every": 1})
    return settings.model_copy(update={"daemon": daemon})


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Cpu:
    """CPU seconds of the process, of the fake sites' threads and of the event-loop thread."""

    process: float
    fakes: float
    loop: float

    @classmethod
    def now(cls, sites: Sites) -> Cpu:
        if sites.apart:  # the child's CPU, all its threads
            stat = Path(f"/proc/{sites.apart}/stat").read_text().rsplit(")", 1)[1].split()
            fakes = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            return cls(time.process_time() + fakes, fakes, time.thread_time())
        fakes = 0.0
        for site in sites.all:
            thread: threading.Thread | None = site._thread  # the site's serving thread
            assert thread is not None
            assert thread.ident is not None
            fakes += time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        return cls(time.process_time(), fakes, time.thread_time())

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.process - other.process, self.fakes - other.fakes, self.loop - other.loop)

    @property
    def harvester(self) -> float:
        return self.process - self.fakes

    @property
    def other(self) -> float:
        """Threads that are neither the loop nor a fake site: aiosqlite's, where SQLite runs."""
        return self.process - self.fakes - self.loop


PHASES = ("fetch", "store", "load", "roster", "tally", "save_count", "sql", "commit")
BOOKKEEPING = (  # in store.votes or store.polls
    "due_votes",
    "claim_polls",
    "thread_urls",
    "thread_urls_for",
    "last_cursor",
    "last_cursors",
    "record_run",
    "record_quiet_runs",
    "get_vote",
    "poll_by",
    "poll_plans",
    "plan_polls",
)


@dataclass
class Meter:
    """Seconds inside some harvester calls, SQL statements and commits, bytes received per port.

    The daemon polls one vote at a time, so the seconds inside a call are its share of the wall
    time; the phases do not nest:
      fetch       Fetcher.poll: HTTP, JSON decoding and the source's parsing (the fake site
                  answers in the same process, so its serving time is in here too);
      store       Watcher._store: save_thread, stored_ids, remove_messages;
      load        store.messages.load_thread, as recount reads every stored message;
      roster      Watcher.roster: the latest roster snapshot, read and parsed;
      tally       harvest.tally_vote: counting, deciding, drafting (pure CPU);
      save_count  record.save_count: the tally snapshot and the vote's schedule;
      sql         the bookkeeping statements of store.votes and store.polls: due_votes,
                  claim_polls, thread_urls(_for), last_cursor(s), record_run,
                  record_quiet_runs, get_vote, poll_by, poll_plans, plan_polls;
      commit      the driver's COMMIT and ROLLBACK (a read-only connection rolls back when it
                  goes back to the pool).
    The rest is checking connections out of the pool, BEGIN, and the code in between."""

    seconds: Counter[str] = field(default_factory=Counter)
    statements: int = 0
    commits: int = 0
    received: Counter[int] = field(default_factory=Counter)  # body bytes per port
    restore: list[Callable[[], None]] = field(default_factory=list)

    def timed(self, name: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await call(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return run

    def timed_sync(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return run

    def patch(self, owner: Any, attribute: str, replacement: Any) -> None:
        original = getattr(owner, attribute)
        setattr(owner, attribute, replacement)
        self.restore.append(lambda: setattr(owner, attribute, original))

    def install(self, engine: AsyncEngine, client: HttpClient, fetcher: Fetcher) -> None:
        """Wrap what every watcher shares: the client, the fetcher, module functions, the engine."""

        def on_statement(*_: Any) -> None:
            self.statements += 1

        def on_commit(*_: Any) -> None:
            self.commits += 1

        event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
        event.listen(engine.sync_engine, "commit", on_commit)
        get = client.get

        async def counted_get(url: str, **kwargs: Any) -> Fetched:
            fetched = await get(url, **kwargs)
            self.received[urlsplit(url).port or 0] += len(fetched.body)
            return fetched

        self.patch(client, "get", counted_get)
        self.patch(fetcher, "poll", self.timed("fetch", fetcher.poll))
        self.patch(record, "tally_vote", self.timed_sync("tally", record.tally_vote))
        self.patch(watch, "save_count", self.timed("save_count", watch.save_count))
        self.patch(stored, "load_thread", self.timed("load", stored.load_thread))
        for name in BOOKKEEPING:
            module = votes if hasattr(votes, name) else polls
            self.patch(module, name, self.timed("sql", getattr(module, name)))
        for name in ("commit", "rollback"):
            original = getattr(DriverConnection, name)
            self.patch(DriverConnection, name, self.timed_sync("commit", original))

    def install_watcher(self, watcher: Watcher) -> None:
        self.patch(watcher, "_store", self.timed("store", watcher._store))
        self.patch(watcher, "roster", self.timed("roster", watcher.roster))

    def uninstall(self) -> None:
        while self.restore:
            self.restore.pop()()

    def reset(self) -> None:
        self.seconds.clear()
        self.received.clear()
        self.statements = self.commits = 0


@dataclass
class Row:
    step: str
    polled: int
    calls: int  # poll_due calls
    discourse: dict[str, int]
    lists: dict[str, int]
    github: dict[str, int]
    github_304: int
    client: int
    received: dict[str, int]  # response body bytes per site
    wall: float
    cpu: Cpu
    statements: int
    commits: int
    phases: dict[str, float]
    db_bytes: int
    runs: int
    snapshots: int
    rss_mb: float
    note: str = ""

    @property
    def site_total(self) -> int:
        return sum(self.discourse.values()) + sum(self.lists.values()) + sum(self.github.values())


@dataclass
class Checks:
    problems: list[str] = field(default_factory=list)

    def expect(self, what: str, got: object, wanted: object) -> None:
        if got != wanted:
            self.problems.append(f"{what}: got {got}, expected {wanted}")


def counts(site: FakeSite, endpoints: dict[str, str]) -> dict[str, int]:
    return {name: site.count(regex) for name, regex in endpoints.items()}


def resident_mb() -> float:
    """The process's resident set now (/proc/self/statm), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


async def db_state(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        runs = (await connection.execute(select(func.count()).select_from(harvest_runs))).scalar()
        taken = select(func.count()).select_from(tally_snapshots)
        snapshots = (await connection.execute(taken)).scalar()
    return int(runs or 0), int(snapshots or 0)


async def cursor_sizes(engine: AsyncEngine) -> dict[str, tuple[int, float]]:
    """Per source kind: harvest_runs rows and their average cursor size (JSON bytes)."""
    sizes: dict[str, list[int]] = {}
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(harvest_runs.c.source_url, func.length(cast(harvest_runs.c.cursor, Text)))
        )
        for url, size in rows:
            kind = "discourse" if "/t/" in url else "lists" if "/thread/" in url else "github"
            sizes.setdefault(kind, []).append(int(size or 0))
    return {kind: (len(s), sum(s) / len(s)) for kind, s in sizes.items()}


@dataclass
class World:
    sites: Sites
    client: HttpClient
    engine: AsyncEngine
    db_path: Path
    meter: Meter


async def step(
    world: World, name: str, work: Callable[[], Awaitable[tuple[int, int]]], note: str = ""
) -> Row:
    """Run one step with clean request logs and counters, and count what it cost."""
    sites, meter = world.sites, world.meter
    for site in sites.all:
        site.reset_log()
    meter.reset()
    requests_before = sum(world.client.requests.values())
    spent_before = sites.github.remaining
    cpu_before = Cpu.now(sites)
    start = time.perf_counter()
    polled, calls = await work()
    wall = time.perf_counter() - start
    cpu = Cpu.now(sites) - cpu_before
    github = counts(sites.github, GITHUB_ENDPOINTS)
    spent = spent_before - sites.github.remaining  # 304s do not spend the rate limit
    runs, snapshots = await db_state(world.engine)
    return Row(
        step=name,
        polled=polled,
        calls=calls,
        discourse=counts(sites.discourse, DISCOURSE_ENDPOINTS),
        lists=counts(sites.lists, LIST_ENDPOINTS),
        github=github,
        github_304=sum(github.values()) - spent,
        client=sum(world.client.requests.values()) - requests_before,
        received={kind: meter.received[site.port] for kind, site in sites.named.items()},
        wall=wall,
        cpu=cpu,
        statements=meter.statements,
        commits=meter.commits,
        phases={phase: meter.seconds[phase] for phase in PHASES},
        db_bytes=world.db_path.stat().st_size,
        runs=runs,
        snapshots=snapshots,
        rss_mb=resident_mb(),
        note=note,
    )


def poll_cycle(watcher: Watcher, clock: Clock) -> Callable[[], Awaitable[tuple[int, int]]]:
    """Move the clock past every vote's next poll, then poll until nothing is due."""

    async def run() -> tuple[int, int]:
        clock.advance(minutes=POLL_MINUTES + 1)
        polled, calls = 0, 0
        while True:
            calls += 1
            done = await watcher.poll_due()
            polled += done
            if not done:
                return polled, calls

    return run


def recount_all(watcher: Watcher, clock: Clock) -> Callable[[], Awaitable[tuple[int, int]]]:
    """What poll_vote's count reads and computes, for every open vote: no network, no writes."""

    async def run() -> tuple[int, int]:
        async with watcher.engine.connect() as connection:
            open_votes = await votes.list_votes(connection, status=votes.OPEN)
            for vote in open_votes:
                await watcher.recount(connection, vote, clock())
        return len(open_votes), 0

    return run


@dataclass
class Profiled:
    stats: pstats.Stats | None = None


def profiled(
    work: Callable[[], Awaitable[tuple[int, int]]], into: Profiled
) -> Callable[[], Awaitable[tuple[int, int]]]:
    async def run() -> tuple[int, int]:
        profile = cProfile.Profile()
        profile.enable()
        try:
            return await work()
        finally:
            profile.disable()
            into.stats = pstats.Stats(profile)

    return run


@dataclass
class Outcome:
    rows: list[Row]
    profile: Profiled
    cursors: dict[str, tuple[int, float]]


async def run_all(
    args: argparse.Namespace,
    sites: Sites,
    tmp: Path,
    checks: Checks,
    clock: Clock,
    numbers: dict[str, list[int]],
) -> Outcome:
    roster = tmp / "roster.toml"
    roster.write_text(roster_toml(sites.members), encoding="utf-8")
    db_path = tmp / "daemon.db"
    url = f"sqlite:///{db_path}"
    await asyncio.to_thread(upgrade, url)
    settings = settings_for(sites, roster)
    total = args.discourse + args.lists + args.github
    engine = engine_for(url)
    rows: list[Row] = []
    profile = Profiled()
    meter = Meter()
    try:
        async with HttpClient(http_options(settings), clock=clock) as client:
            fetcher = Fetcher(client, settings)
            watcher = Watcher(engine, settings, fetcher, clock, jitter=lambda: 1.0)
            meter.install(engine, client, fetcher)
            meter.install_watcher(watcher)
            world = World(sites, client, engine, db_path, meter)

            async def discover() -> tuple[int, int]:
                return await watcher.discover(), 1

            rows.append(await step(world, "discover", discover, "listings + whole reads"))
            checks.expect("discover: votes adopted", rows[-1].polled, total)
            for n in range(1, args.cycles + 1):
                rows.append(await step(world, f"idle {n}", poll_cycle(watcher, clock)))
            changed = add_changes(args, sites, numbers, clock() + timedelta(minutes=1))
            note = ", ".join(f"{place} {n}" for place, n in changed.items()) + " changed"
            rows.append(await step(world, "changed", poll_cycle(watcher, clock), note))
            full = replace(watcher, settings=with_full_refresh(settings))
            meter.install_watcher(full)
            rows.append(await step(world, "full", poll_cycle(full, clock), "full_refresh_every=1"))
            rows.append(await step(world, "idle after full", poll_cycle(watcher, clock)))
            if args.profile:
                work = profiled(poll_cycle(watcher, clock), profile)
                rows.append(await step(world, "profiled idle", work, "under cProfile"))
            recount = recount_all(watcher, clock)
            rows.append(await step(world, "recount only", recount, "no network, no writes"))
            cursors = await cursor_sizes(engine)
    finally:
        meter.uninstall()
        await engine.dispose()
    for row in rows:
        if row.step != "discover":
            checks.expect(f"{row.step}: votes polled", row.polled, total)
        checks.expect(f"{row.step}: client counted what the sites saw", row.client, row.site_total)
    return Outcome(rows, profile, cursors)


# --- report --------------------------------------------------------------------------------------


def detail(values: dict[str, int]) -> str:
    shown = [f"{name} {n}" for name, n in values.items() if n]
    return f"{sum(values.values())}" + (": " + ", ".join(shown) if shown else "")


def table(titles: Sequence[str], cells: list[list[str]], right: set[int], markdown: bool) -> str:
    widths = [max(len(row[i]) for row in [list(titles), *cells]) for i in range(len(titles))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded).rstrip()

    if markdown:
        rule = "|".join("-" * (w + 1) + (":" if i in right else "-") for i, w in enumerate(widths))
        return "\n".join([line(titles), f"|{rule}|", *map(line, cells)])
    return "\n".join([line(titles), "-" * sum(w + 2 for w in widths), *map(line, cells)])


def request_table(rows: Sequence[Row], markdown: bool) -> str:
    titles = ("step", "polled", "calls", "discourse", "lists", "github", "client", "KB in", "note")
    kinds = ("discourse", "lists", "github")
    cells = [
        [
            r.step,
            str(r.polled),
            str(r.calls),
            detail(r.discourse),
            detail(r.lists),
            detail(r.github) + (f" ({r.github_304} x 304)" if r.github_304 else ""),
            str(r.client),
            " / ".join(f"{r.received[kind] / 1000:.0f}" for kind in kinds),
            r.note,
        ]
        for r in rows
    ]
    return table(titles, cells, {1, 2, 6, 7}, markdown)


def time_table(rows: Sequence[Row], markdown: bool) -> str:
    titles = (
        "step",
        "wall s",
        "ms/vote",
        "CPU s",
        "fakes",
        "loop",
        "sqlite",
        "own ms/vote",
        "SQL stmts",
        "commits",
        "DB MB",
        "RSS MB",
        "runs",
        "tallies",
    )
    cells = [
        [
            r.step,
            f"{r.wall:.2f}",
            f"{1000 * r.wall / r.polled:.1f}" if r.polled else "",
            f"{r.cpu.process:.2f}",
            f"{r.cpu.fakes:.2f}",
            f"{r.cpu.loop:.2f}",
            f"{r.cpu.other:.2f}",
            f"{1000 * (r.cpu.loop + r.cpu.other) / r.polled:.2f}" if r.polled else "",
            str(r.statements),
            str(r.commits),
            f"{r.db_bytes / 1e6:.1f}",
            f"{r.rss_mb:.0f}",
            str(r.runs),
            str(r.snapshots),
        ]
        for r in rows
    ]
    return table(titles, cells, set(range(1, len(titles))), markdown)


def phase_table(rows: Sequence[Row], markdown: bool) -> str:
    titles = ("step", "wall s", *PHASES, "rest")
    cells = []
    for r in rows:
        rest = r.wall - sum(r.phases.values())
        cells.append(
            [r.step, f"{r.wall:.2f}", *(f"{r.phases[p]:.2f}" for p in PHASES), f"{rest:.2f}"]
        )
    return table(titles, cells, set(range(1, len(titles))), markdown)


def hotspots(stats: pstats.Stats, top: int) -> str:
    """The harvester functions with the most cumulative time, and the top tottime overall."""
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    root = str(ROOT / "harvester") + os.sep
    ours = [(key, value) for key, value in raw.items() if key[0].startswith(root)]
    ours.sort(key=lambda item: item[1][3], reverse=True)
    lines = ["cumulative s  calls  harvester function (one profiled idle cycle)"]
    for (path, lineno, name), (_, calls, _, cumulative, _) in ours[:top]:
        where = os.path.relpath(path, ROOT)
        lines.append(f"{cumulative:12.3f}  {calls:5d}  {where}:{lineno} {name}")
    every = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)
    lines.append("\n    own s  calls  any function, by time spent in itself")
    for (path, lineno, name), (_, calls, own, _, _) in every[:top]:
        where = os.path.relpath(path, ROOT) if path.startswith(str(ROOT)) else path
        where = where.split("site-packages/")[-1]
        lines.append(f"{own:9.3f}  {calls:5d}  {where}:{lineno} {name}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--discourse", type=int, default=100, help="votes as Discourse topics")
    parser.add_argument("--lists", type=int, default=60, help="votes as list threads")
    parser.add_argument("--github", type=int, default=40, help="votes as GitHub issues")
    parser.add_argument("--cycles", type=int, default=3, help="idle cycles before the change")
    parser.add_argument("--posts", type=int, default=30, help="posts per topic, the call included")
    parser.add_argument("--replies", type=int, default=20, help="replies per list thread")
    parser.add_argument("--comments", type=int, default=15, help="comments per GitHub issue")
    parser.add_argument("--members", type=int, default=30, help="roster members")
    parser.add_argument(
        "--changed", type=float, default=10, help="%% of each site's votes given one new message"
    )
    parser.add_argument("--profile", type=int, default=12, help="hotspot lines to print (0: off)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated threads")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument(
        "--fakes-apart",
        action="store_true",
        help="serve the fake sites from a child process: their CPU and GIL stay out of the loop",
    )
    args = parser.parse_args(argv)
    if min(args.discourse, args.lists, args.github, args.cycles, args.replies, args.comments) < 0:
        parser.error("counts must not be negative")
    if args.posts < 1 or args.members < 1 or args.discourse + args.lists + args.github < 1:
        parser.error("need --posts >= 1, --members >= 1 and at least one vote")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    checks = Checks()
    start = time.perf_counter()
    sites = Sites(
        FakeDiscourse(), FakePonyMail(), FakeGitHub(rate_limit=100_000), make_members(args.members)
    )
    clock = Clock(datetime.now(UTC).replace(second=0, microsecond=0))
    numbers, stop = start_sites(sites, args.fakes_apart, lambda: fill(args, sites, clock()))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-daemon-") as tmp:
            outcome = asyncio.run(run_all(args, sites, Path(tmp), checks, clock, numbers))
    finally:
        stop()
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rows = outcome.rows
    print(request_table(rows, args.markdown))
    print()
    print(time_table(rows, args.markdown))
    print()
    print(phase_table(rows, args.markdown))
    print("\nharvest_runs at the end, average cursor JSON:")
    for kind, (runs, size) in sorted(outcome.cursors.items()):
        print(f"  {kind:9s} {runs:5d} runs, {size:7.0f} bytes")
    whose = "harvester's process alone" if args.fakes_apart else "fake sites included"
    print(f"\npeak RSS {peak:.1f} MB ({whose}); total {total:.1f} s")
    if outcome.profile.stats is not None:
        print()
        print(hotspots(outcome.profile.stats, args.profile))
    for problem in checks.problems:
        print(f"WRONG: {problem}")
    return 1 if checks.problems else 0


if __name__ == "__main__":
    sys.exit(main())
