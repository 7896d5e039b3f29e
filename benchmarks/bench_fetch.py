"""How many requests and how much time harvester's network sources spend on big threads.

    python benchmarks/bench_fetch.py --posts 1000 --mails 300 --comments 250 --repeat 3

Everything runs against the fake sites of tests/fakes on 127.0.0.1, each served from a background
thread of this process:
  discourse  a --posts topic read by fetch_topic (per-host concurrency 4 and 1, no rate pacing),
             by a naive client that walks /t/{id}.json?page=N until 404 one page at a time, and
             by fetch_topic at the default polite rate of 4 requests a second;
  ponymail   a --mails [VOTE] thread read by fetch_thread: a branching thread, a flat one (every
             reply answers the call, so thread.lua's 250-children cap cuts the tree), and the
             branching one again with mbox.lua failing, so messages come from email.lua;
  github     an issue with --comments comments read by fetch_issue.
Each run counts the requests the site saw, per endpoint, and checks what came back; a wrong count
or a missing message makes the exit status 1. Wall time is the best and the median of --repeat
runs (one run for the polite line, whose time is set by the rate). Peak RSS is the whole
process's, fake sites included, at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import quopri
import random
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harvester.model import Thread  # noqa: E402
from harvester.sources.discourse import fetch_topic  # noqa: E402
from harvester.sources.github import GitHubOptions, fetch_issue  # noqa: E402
from harvester.sources.http import HttpClient, HttpOptions  # noqa: E402
from harvester.sources.ponymail import fetch_thread  # noqa: E402
from tests.fakes.base import FakeSite, Handler  # noqa: E402
from tests.fakes.discourse import FakeDiscourse, FakePost  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.ponymail import FakePonyMail  # noqa: E402

TOPIC_ID = 4242
BATCH = 20  # posts a Discourse page or posts.json batch holds
NO_PACING = HttpOptions(per_host_rate=0)
POLITE = HttpOptions()  # the defaults: 4 requests a second, 4 at a time per host
LIST_ID = "dev@tvm.apache.org"
VOTE_SUBJECT = "[VOTE] Release Apache TVM v0.19.0.rc0"
CALL_AT = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
LAST_REPLY_AT = datetime(2026, 10, 30, 22, 0, tzinfo=UTC)  # the thread spans two months

FIRST = ("Hannah", "Tom", "Priya", "Wei", "Olga", "Kenji", "Maria", "David", "Aisha", "Lars")
LAST = ("Morgan", "Becker", "Iyer", "Nakamura", "Kowalski", "Silva", "Okafor", "Jensen", "Rossi")
SENTENCES = (
    "I verified the signatures and the SHA-512 checksums of the source tarball.",
    "The build from source passes on Ubuntu 22.04 with LLVM 17 and CUDA 12.2.",
    "LICENSE and NOTICE look right, and there are no unexpected binaries in the archive.",
    "The unit tests pass locally, except for one flaky RPC test that also fails on main.",
    "I ran the ResNet-50 and BERT tutorials end to end against the release candidate.",
    "The release notes mention the new Relax frontend but not the removed legacy passes.",
    "Could we add the migration guide to the website before the announcement goes out?",
    "This is not a blocker for me, but we should fix the wheel metadata in the next release.",
    "Thanks to everyone who worked on this release, it has been a long cycle.",
    "I agree with the points above; the known issues are documented in the tracker.",
)
VOTES = ("+1", "+1 (binding)", "+1 (non-binding)", "+1, thanks for driving this", "0", "-1")


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one fetch returned, as counted by the benchmark."""

    returned: int  # messages (or unique posts, for the naive client)
    visible: int  # of which visible (Discourse: not hidden)
    client_requests: int  # attempts the client itself counted
    waited: float = 0.0  # seconds HttpClient spent in backoff and server-asked waits
    ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    source: str
    run: str
    requests: str
    best_s: float
    median_s: float
    returned: str
    note: str


@dataclass
class Checks:
    """Correctness problems found along the way; any of them makes the exit status 1."""

    problems: list[str] = field(default_factory=list)

    def expect(self, what: str, got: object, wanted: object) -> None:
        if got != wanted:
            self.problems.append(f"{what}: got {got}, expected {wanted}")


@dataclass(frozen=True)
class Measured:
    """Every run of one configuration: wall times, outcomes and the site's request counts."""

    walls: list[float]
    outcomes: list[Outcome]
    counts: list[dict[str, int]]

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


async def measure(
    site: FakeSite,
    endpoints: dict[str, str],
    run: Callable[[], Awaitable[Outcome]],
    repeat: int,
) -> Measured:
    """Run `repeat` times with a clean request log; count requests per endpoint regex."""
    walls: list[float] = []
    outcomes: list[Outcome] = []
    counts: list[dict[str, int]] = []
    for _ in range(repeat):
        site.reset_log()
        start = time.perf_counter()
        outcome = await run()
        walls.append(time.perf_counter() - start)
        outcomes.append(outcome)
        counts.append({name: site.count(regex) for name, regex in endpoints.items()})
    return Measured(walls, outcomes, counts)


def same_every_run(checks: Checks, label: str, measured: Measured) -> dict[str, int]:
    """The request counts of the first run, after checking every run made the same requests."""
    first = measured.counts[0]
    for index, counts in enumerate(measured.counts[1:], start=2):
        checks.expect(f"{label}: requests in run {index} vs run 1", counts, first)
    return first


def threaded(thread: Thread, client_requests: int, waited: float) -> Outcome:
    return Outcome(
        returned=len(thread.messages),
        visible=sum(1 for m in thread.messages if m.visible),
        client_requests=client_requests,
        waited=waited,
        ids=frozenset(m.source_id for m in thread.messages),
    )


# --- simulated network latency --------------------------------------------------------------------


class Latency:
    """A middleware that holds every answer back by `seconds` (0 by default): a distant server."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.seconds:
            await asyncio.sleep(self.seconds)
        return await handler(request)


# --- Discourse ------------------------------------------------------------------------------------


def cooked_post(rng: random.Random, number: int, usernames: Sequence[str]) -> tuple[str, int | None]:
    """Cooked HTML as Discourse renders it: bare +1s, quote-and-reply, prose; and what it answers."""
    kind = rng.random()
    if kind < 0.45 or number < 3:
        return rng.choice(("<p>+1</p>", "<p>+1 (binding)</p>", "<p>+1, great work!</p>")), None
    if kind < 0.70:
        target = rng.randrange(1, number)
        who = rng.choice(usernames)
        quoted = rng.choice(SENTENCES)
        html = (
            f'<aside class="quote no-group" data-username="{who}" data-post="{target}" '
            f'data-topic="{TOPIC_ID}">\n<div class="title">\n<div class="quote-controls"></div>\n'
            f'<img loading="lazy" alt="" width="24" height="24" '
            f'src="/user_avatar/discuss.tvm.apache.org/{who}/48/12_2.png" class="avatar"> '
            f"{who}:</div>\n<blockquote>\n<p>{quoted}</p>\n</blockquote>\n</aside>\n"
            f"<p>{rng.choice(VOTES)}. {rng.choice(SENTENCES)}</p>"
        )
        return html, target
    paragraphs = [
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.randint(1, 4))
    ]
    if rng.random() < 0.3:
        paragraphs.append("<code>pip install apache-tvm==0.19.0rc0</code> works on macOS too.")
    return "\n".join(f"<p>{p}</p>" for p in paragraphs), None


def topic_posts(rng: random.Random, count: int) -> list[FakePost]:
    """`count` posts an hour or so apart; about 0.5 % hidden and 0.5 % whispers."""
    usernames = [f"{f.lower()}{l.lower()}" for f in FIRST for l in LAST][:60]
    when = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    posts = []
    odd = rng.sample(range(2, count + 1), k=min(count - 1, 2 * max(1, count // 200)))
    hidden, whispers = set(odd[: len(odd) // 2]), set(odd[len(odd) // 2 :])
    for number in range(1, count + 1):
        cooked, target = cooked_post(rng, number, usernames)
        if number == 1:
            cooked = f"<p>{SENTENCES[0]}</p>\n<p>Please vote within 72 hours.</p>"
        username = rng.choice(usernames)
        posts.append(
            FakePost(
                username=username,
                name=username.title(),
                cooked=cooked,
                created_at=when,
                post_type=4 if number in whispers else 1,
                hidden=number in hidden,
                reply_to_post_number=target,
            )
        )
        when += timedelta(minutes=rng.randint(5, 120))
    return posts


async def harvester_topic(url: str, options: HttpOptions) -> Outcome:
    async with HttpClient(options) as client:
        thread = await fetch_topic(client, url)
    return threaded(thread, sum(client.requests.values()), client.waited)


async def naive_topic(base: str, topic_id: int, options: HttpOptions) -> Outcome:
    """The obvious client: /t/{id}.json?page=1, 2, … one after another until a 404."""
    timeout = aiohttp.ClientTimeout(
        total=options.total_timeout,
        sock_connect=options.connect_timeout,
        sock_read=options.read_timeout,
    )
    connector = aiohttp.TCPConnector(limit_per_host=options.per_host_concurrency)
    headers = {"User-Agent": options.user_agent}
    ids: set[str] = set()
    visible = requests = 0
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, headers=headers) as http:
        for page in range(1, 100_000):
            async with http.get(f"{base}/t/{topic_id}.json", params={"page": str(page)}) as answer:
                requests += 1
                if answer.status == 404:
                    break
                answer.raise_for_status()
                data = await answer.json()
            posts = data["post_stream"]["posts"]
            if not posts:
                break
            for post in posts:
                if str(post["id"]) not in ids:
                    ids.add(str(post["id"]))
                    visible += not post["hidden"]
    return Outcome(len(ids), visible, requests, ids=frozenset(ids))


async def bench_discourse(args: argparse.Namespace, checks: Checks) -> list[Row]:
    rng = random.Random(args.seed)
    posts = topic_posts(rng, args.posts)
    latency = Latency()
    rows: list[Row] = []
    with FakeDiscourse() as site:
        site.app.middlewares.append(latency.middleware)  # frozen only once the app starts
        site.add_topic(TOPIC_ID, "vote-release-tvm-v0-19-0", VOTE_SUBJECT, posts)
        url = site.topic_url(TOPIC_ID)
        shown = [p for p in posts if p.post_type != 4]  # whispers are for staff only
        stream = len(shown)
        unhidden = sum(1 for p in shown if not p.hidden)
        expected = 1 + math.ceil(max(stream - BATCH, 0) / BATCH)
        pages = math.ceil(stream / BATCH) + 1  # the last page is the 404
        endpoints = {"all": r"^/t/"}
        label = f"{args.posts} posts ({stream} shown, {stream - unhidden} hidden)"

        def harvester_run(options: HttpOptions) -> Callable[[], Awaitable[Outcome]]:
            return lambda: harvester_topic(url, options)

        def naive_run() -> Awaitable[Outcome]:
            return naive_topic(site.url, TOPIC_ID, NO_PACING)

        concurrent = replace_options(NO_PACING, per_host_concurrency=1)
        runs: list[tuple[str, Callable[[], Awaitable[Outcome]], int, int, str]] = [
            ("harvester, 4 at a time", harvester_run(NO_PACING), args.repeat, expected, ""),
            ("harvester, 1 at a time", harvester_run(concurrent), args.repeat, expected, ""),
            ("naive ?page=N, sequential", naive_run, args.repeat, pages, ""),
        ]
        if args.latency_ms > 0:
            ms = f"+{args.latency_ms:g} ms"
            runs += [
                (f"harvester, 4 at a time, {ms}", harvester_run(NO_PACING), args.repeat, expected, ""),
                (f"harvester, 1 at a time, {ms}", harvester_run(concurrent), args.repeat, expected, ""),
                (f"naive ?page=N, sequential, {ms}", naive_run, args.repeat, pages, ""),
            ]
        floor = (expected - 1) / POLITE.per_host_rate
        runs.append(
            (
                "harvester, polite 4 req/s (default)",
                harvester_run(POLITE),
                1,
                expected,
                f"floor (requests-1)/rate = {floor:.2f} s",
            )
        )
        for name, run, repeat, wanted, note in runs:
            latency.seconds = args.latency_ms / 1000 if "ms" in name else 0.0
            measured = await measure(site, endpoints, run, repeat)
            what = f"discourse {name}"
            seen = same_every_run(checks, what, measured)["all"]
            checks.expect(f"{what}: requests", seen, wanted)
            for outcome in measured.outcomes:
                checks.expect(f"{what}: requests counted by the client", outcome.client_requests, seen)
                checks.expect(f"{what}: posts returned", outcome.returned, stream)
                checks.expect(f"{what}: visible posts returned", outcome.visible, unhidden)
            returned = f"{measured.outcomes[0].returned} ({measured.outcomes[0].visible} vis.)"
            if not note and name.startswith("harvester"):
                note = f"1+ceil(({stream}-20)/20) = {expected}"
            rows.append(
                Row(label, name, str(seen), measured.best, measured.median, returned, note)
            )
            label = ""
    return rows


def replace_options(options: HttpOptions, **changes: int | float) -> HttpOptions:
    from dataclasses import replace

    return replace(options, **changes)
