"""How many requests and how much time harvester's network sources spend on big threads.

    python benchmarks/bench_fetch.py --posts 1000 --mails 300 --comments 250 --repeat 3

Everything runs against the fake sites of tests/fakes on 127.0.0.1, each served from a background
thread of this process:
  discourse  a --posts topic read by fetch_topic (4 requests in flight per host, and 1; no rate
             pacing), by a naive client that walks /t/{id}.json?page=N one page at a time until
             the 404, the same three again with --latency-ms added to every answer, and once by
             fetch_topic at the default polite rate of 4 requests a second;
  ponymail   a --mails [VOTE] thread read by fetch_thread: a branching thread and a flat one
             (every reply answers the call, so thread.lua's 250-children cap cuts the tree), each
             through mbox.lua and again with mbox.lua answering 500 (retried, then email.lua);
             the branching one also with mbox.lua answering 404 (not retried: email.lua alone);
  github     an issue with --comments comments read by fetch_issue.
Every run counts the requests the site saw, per endpoint, and checks what came back; a wrong
count or a missing message makes the exit status 1. Wall time is the best and the median of
--repeat runs; the polite line and the mbox.lua 500 lines run once, as the rate or the random
backoff sets their time. Peak RSS is the whole process's at the end, fake sites included.
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
import textwrap
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from words import FIRST, LAST, SENTENCES, VOTES  # noqa: E402

from harvester.model import Thread  # noqa: E402
from harvester.sources.discourse import fetch_topic  # noqa: E402
from harvester.sources.github import GitHubOptions, fetch_issue  # noqa: E402
from harvester.sources.http import HttpClient, HttpOptions  # noqa: E402
from harvester.sources.ponymail import fetch_thread  # noqa: E402
from tests.fakes.base import FakeSite, Handler, status  # noqa: E402
from tests.fakes.discourse import FakeDiscourse, FakePost  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.ponymail import FakePonyMail  # noqa: E402

BATCH = 20  # posts in a Discourse page or posts.json batch
GITHUB_PAGE = 100  # comments a page, as fetch_issue asks for them
WHISPER = 4  # Discourse post_type
NO_PACING = HttpOptions(per_host_rate=0)  # for the speed comparisons
ONE_AT_A_TIME = replace(NO_PACING, per_host_concurrency=1)
POLITE = HttpOptions()  # the defaults: 4 requests a second, 4 in flight per host
TOPIC_ID = 4242
LIST_ID = "dev@tvm.apache.org"
VOTE_SUBJECT = "[VOTE] Release Apache TVM v0.19.0.rc0"
CALL_AT = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
LAST_REPLY_AT = datetime(2026, 10, 30, 22, 0, tzinfo=UTC)  # the thread spans two months
MONTHS = 2


# --- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one fetch returned, as the benchmark counts it."""

    returned: int  # messages, or unique posts for the naive client
    visible: int  # of which visible (Discourse: not hidden)
    client_requests: int  # attempts the client counted itself
    ids: frozenset[str]


@dataclass(frozen=True)
class Measured:
    """Every run of one configuration."""

    walls: list[float]
    outcomes: list[Outcome]
    counts: list[dict[str, int]]  # requests the site saw, per endpoint

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


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


Run = Callable[[], Awaitable[Outcome]]


async def measure(site: FakeSite, endpoints: Mapping[str, str], run: Run, repeat: int) -> Measured:
    """Run `repeat` times, each with a clean request log; count requests per endpoint regex."""
    walls: list[float] = []
    outcomes: list[Outcome] = []
    counts: list[dict[str, int]] = []
    for _ in range(repeat):
        site.reset_log()
        start = time.perf_counter()
        outcomes.append(await run())
        walls.append(time.perf_counter() - start)
        counts.append({name: site.count(regex) for name, regex in endpoints.items()})
    return Measured(walls, outcomes, counts)


def check_requests(
    checks: Checks,
    what: str,
    measured: Measured,
    wanted: Mapping[str, int],
    cancelled: int = 0,
) -> dict[str, int]:
    """Every run must make the requests expected, and the client must count what the site saw.

    `cancelled`: requests the client may have started but cancelled before the site saw them
    (the other months' mbox.lua requests once one month has failed)."""
    for index, (counts, outcome) in enumerate(zip(measured.counts, measured.outcomes, strict=True)):
        run = f"{what} (run {index + 1})"
        for endpoint, number in wanted.items():
            checks.expect(f"{run}: {endpoint} requests", counts[endpoint], number)
        seen = sum(counts.values())
        if not seen <= outcome.client_requests <= seen + cancelled:
            checks.problems.append(
                f"{run}: the client counted {outcome.client_requests} requests, the site saw {seen}"
            )
    return measured.counts[0]


def outcome_of(thread: Thread, client: HttpClient) -> Outcome:
    return Outcome(
        returned=len(thread.messages),
        visible=sum(1 for m in thread.messages if m.visible),
        client_requests=sum(client.requests.values()),
        ids=frozenset(m.source_id for m in thread.messages),
    )


class Latency:
    """A middleware that holds every answer back `seconds` (0 to start with): a distant server."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.seconds:
            await asyncio.sleep(self.seconds)
        return await handler(request)


# --- Discourse ------------------------------------------------------------------------------------


def cooked_post(rng: random.Random, number: int, users: Sequence[str]) -> tuple[str, int | None]:
    """Cooked HTML as Discourse renders it (a bare +1, quote and reply, or prose), and the
    post_number it replies to."""
    kind = rng.random()
    if kind < 0.45 or number < 3:
        return rng.choice(("<p>+1</p>", "<p>+1 (binding)</p>", "<p>+1, great work!</p>")), None
    if kind < 0.70:
        target = rng.randrange(1, number)
        who = rng.choice(users)
        html = (
            f'<aside class="quote no-group" data-username="{who}" data-post="{target}" '
            f'data-topic="{TOPIC_ID}">\n<div class="title">\n<div class="quote-controls"></div>\n'
            '<img loading="lazy" alt="" width="24" height="24" '
            f'src="/user_avatar/discuss.tvm.apache.org/{who}/48/12_2.png" class="avatar"> '
            f"{who}:</div>\n<blockquote>\n<p>{rng.choice(SENTENCES)}</p>\n</blockquote>\n"
            f"</aside>\n<p>{rng.choice(VOTES)}. {rng.choice(SENTENCES)}</p>"
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
    """`count` posts minutes to hours apart; 1 in 200 hidden by flags, 1 in 200 whispers."""
    users = [f"{first.lower()}_{last.lower()}" for first in FIRST for last in LAST]
    odd = rng.sample(range(2, count + 1), k=min(count - 1, 2 * max(1, count // 200)))
    hidden, whispers = set(odd[: len(odd) // 2]), set(odd[len(odd) // 2 :])
    when = CALL_AT
    posts = []
    for number in range(1, count + 1):
        cooked, target = cooked_post(rng, number, users)
        if number == 1:
            cooked = f"<p>{SENTENCES[0]}</p>\n<p>Please vote within the next 72 hours.</p>"
        username = rng.choice(users)
        posts.append(
            FakePost(
                username=username,
                name=username.replace("_", " ").title(),
                cooked=cooked,
                created_at=when,
                post_type=WHISPER if number in whispers else 1,
                hidden=number in hidden,
                reply_to_post_number=target,
            )
        )
        when += timedelta(minutes=rng.randint(5, 120))
    return posts


async def harvester_topic(url: str, options: HttpOptions) -> Outcome:
    async with HttpClient(options) as client:
        thread = await fetch_topic(client, url)
    return outcome_of(thread, client)


async def naive_topic(base: str, topic_id: int, options: HttpOptions) -> Outcome:
    """The obvious client: /t/{id}.json?page=1, 2, … one after another until a 404."""
    timeout = aiohttp.ClientTimeout(
        total=options.total_timeout,
        sock_connect=options.connect_timeout,
        sock_read=options.read_timeout,
    )
    connector = aiohttp.TCPConnector(limit_per_host=options.per_host_concurrency)
    headers = {"User-Agent": options.user_agent}
    hidden: dict[str, bool] = {}
    requests = 0
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, headers=headers) as http:
        page = 1
        while True:
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
                hidden[str(post["id"])] = bool(post.get("hidden"))
            page += 1
    visible = sum(1 for flag in hidden.values() if not flag)
    return Outcome(len(hidden), visible, requests, frozenset(hidden))


async def bench_discourse(args: argparse.Namespace, checks: Checks) -> list[Row]:
    """fetch_topic against the naive pager, with and without concurrency, latency and pacing."""
    posts = topic_posts(random.Random(args.seed), args.posts)
    shown = [p for p in posts if p.post_type != WHISPER]  # whispers are for staff only
    stream = len(shown)
    unhidden = sum(1 for p in shown if not p.hidden)
    harvester_requests = 1 + math.ceil(max(stream - BATCH, 0) / BATCH)
    naive_requests = math.ceil(stream / BATCH) + 1  # the page after the last one is the 404
    latency = Latency()
    rows: list[Row] = []
    site = FakeDiscourse()
    site.app.middlewares.append(latency.middleware)  # before start: the app freezes then
    with site:
        site.add_topic(TOPIC_ID, "vote-release-apache-tvm-v0-19-0-rc0", VOTE_SUBJECT, posts)
        url = site.topic_url(TOPIC_ID)

        def harvester(options: HttpOptions) -> Run:
            return lambda: harvester_topic(url, options)

        def naive() -> Awaitable[Outcome]:
            return naive_topic(site.url, TOPIC_ID, NO_PACING)

        delays = [0.0] + ([args.latency_ms / 1000] if args.latency_ms > 0 else [])
        plan: list[tuple[str, Run, float, int]] = []
        for delay in delays:
            extra = f", +{delay * 1000:g} ms" if delay else ""
            plan += [
                (f"harvester, 4 in flight{extra}", harvester(NO_PACING), delay, args.repeat),
                (f"harvester, 1 in flight{extra}", harvester(ONE_AT_A_TIME), delay, args.repeat),
                (f"naive ?page=N, sequential{extra}", naive, delay, args.repeat),
            ]
        plan.append(("harvester, polite 4 req/s (default)", harvester(POLITE), 0.0, 1))
        source = f"discourse, {args.posts} posts ({stream} public, {stream - unhidden} hidden)"
        for name, run, delay, repeat in plan:
            latency.seconds = delay
            measured = await measure(site, {"t": r"^/t/"}, run, repeat)
            is_harvester = name.startswith("harvester")
            wanted = harvester_requests if is_harvester else naive_requests
            what = f"discourse {name}"
            seen = check_requests(checks, what, measured, {"t": wanted})["t"]
            for outcome in measured.outcomes:
                checks.expect(f"{what}: posts returned", outcome.returned, stream)
                checks.expect(f"{what}: visible posts returned", outcome.visible, unhidden)
            if "polite" in name:
                floor = (seen - 1) / POLITE.per_host_rate
                note = f"floor (requests-1)/rate = {floor:.2f} s"
            elif is_harvester:
                note = f"1+ceil(({stream}-20)/20) = {harvester_requests}"
            else:
                note = f"ceil({stream}/20) pages + the 404"
            first = measured.outcomes[0]
            returned = f"{first.returned} ({first.visible} visible)"
            rows.append(
                Row(source, name, str(seen), measured.best, measured.median, returned, note)
            )
            source = ""
    return rows


# --- Pony Mail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    message_id: str  # without angle brackets
    name: str
    address: str
    sent_at: datetime
    body: str
    references: tuple[str, ...]  # oldest first; the last one is the parent


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(("apache.org", "apache.org", "gmail.com", "example.com"))
    return f"{first} {last}", f"{first[0].lower()}{last.lower()}@{domain}"


def call_body(name: str) -> str:
    return (
        "Hi all,\n\nThis is a call for vote to release Apache TVM v0.19.0.rc0.\n\n"
        "The source tarball, signatures and checksums are at\n"
        "https://dist.apache.org/repos/dist/dev/tvm/tvm-v0.19.0-rc0/\n\n"
        "The vote will be open for at least 72 hours.\n\n"
        "[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove (and reason why)\n\n"
        f"Thanks,\n{name}\n"
    )


def reply_body(rng: random.Random, name: str, parent: Mail) -> str:
    """A vote and some prose above the parent quoted under a Gmail-style attribution."""
    prose = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(0, 4)))
    own = rng.choice(VOTES) + ("\n\n" + textwrap.fill(prose, 72) if prose else "")
    when = parent.sent_at.strftime("%a, %b %-d, %Y at %-I:%M %p")
    quoted = "\n".join(f"> {line}".rstrip() for line in parent.body.splitlines()[:15])
    return f"{own}\n\nOn {when}, {parent.name} <{parent.address}> wrote:\n{quoted}\n\n-- \n{name}\n"


def vote_thread(rng: random.Random, count: int, *, flat: bool) -> list[Mail]:
    """A call and count-1 replies over two months; flat: every reply answers the call."""
    name, address = person(rng)
    call_id = f"CALL.{rng.getrandbits(40):x}@mail.gmail.com"
    root = Mail(call_id, name, address, CALL_AT, call_body(name), references=())
    span = (LAST_REPLY_AT - CALL_AT).total_seconds()
    offsets = sorted(rng.uniform(600, span) for _ in range(count - 1))
    mails = [root]
    for offset in offsets:
        parent = root if flat or rng.random() < 0.4 else rng.choice(mails)
        name, address = person(rng)
        chain = (*parent.references, parent.message_id)
        references = chain if len(chain) <= 10 else (chain[0], *chain[-9:])
        mails.append(
            Mail(
                message_id=f"CA+{rng.getrandbits(64):x}@mail.gmail.com",
                name=name,
                address=address,
                sent_at=CALL_AT + timedelta(seconds=offset),
                body=reply_body(rng, name, parent),
                references=references,
            )
        )
    return mails


def raw_mail(mail: Mail, quoted_printable: bool) -> bytes:
    """RFC 5322 source as the list archives it: folded References, 8bit or quoted-printable."""
    subject = f"Re: {VOTE_SUBJECT}" if mail.references else VOTE_SUBJECT
    headers = [
        f"From: {mail.name} <{mail.address}>",
        f"To: {LIST_ID}",
        f"Subject: {subject}",
        f"Date: {format_datetime(mail.sent_at)}",
        f"Message-ID: <{mail.message_id}>",
    ]
    if mail.references:
        headers.append(f"In-Reply-To: <{mail.references[-1]}>")
        headers.append("References: " + "\n ".join(f"<{r}>" for r in mail.references))
    encoding = "quoted-printable" if quoted_printable else "8bit"
    headers += [
        "MIME-Version: 1.0",
        "List-Id: <dev.tvm.apache.org>",
        "Content-Type: text/plain; charset=UTF-8",
        f"Content-Transfer-Encoding: {encoding}",
    ]
    body = mail.body.encode()
    if quoted_printable:
        body = quopri.encodestring(body)
    return "\n".join(headers).encode() + b"\n\n" + body


async def listed_nodes(base: str, mid: str) -> int:
    """How many mails thread.lua lists for the thread (it caps each level at 250)."""
    api = f"{base}/api/thread.lua"
    async with aiohttp.ClientSession() as http, http.get(api, params={"id": mid}) as answer:
        data = await answer.json()
    stack, count = [data["thread"]], 0
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.get("children") or [])
    return count


async def harvester_thread(url: str, options: HttpOptions) -> Outcome:
    async with HttpClient(options) as client:
        thread = await fetch_thread(client, url)
    return outcome_of(thread, client)


MAIL_ENDPOINTS = {
    "thread": r"/api/thread\.lua$",
    "mbox": r"/api/mbox\.lua$",
    "email": r"/api/email\.lua$",
}


def ponymail_plan(
    site: FakePonyMail, url: str, flat: bool, repeat: int
) -> list[tuple[str, str, Run, int]]:
    """(mode, run name, run, runs): through the mbox; mbox.lua failing with 500, retried like
    any 5xx with random backoff (once: the jitter sets its time, up to 15 s); and, for the
    branching thread, mbox.lua refused with 404 (not retried): the cost of email.lua alone."""

    def run() -> Awaitable[Outcome]:
        return harvester_thread(url, NO_PACING)

    def refused() -> Awaitable[Outcome]:
        site.fail_next(MAIL_ENDPOINTS["mbox"], *(status(404, "Not found") for _ in range(MONTHS)))
        return run()

    plan = [
        ("mbox", "harvester via mbox.lua", run, repeat),
        ("500", "harvester, mbox.lua 500", run, 1),
    ]
    if not flat:
        plan.append(("404", "harvester, mbox.lua 404", refused, repeat))
    return plan


async def bench_ponymail(args: argparse.Namespace, checks: Checks) -> list[Row]:
    """fetch_thread on a branching and a flat thread, through the mbox and through email.lua."""
    rows: list[Row] = []
    for shape, flat in (("branching", False), ("flat", True)):
        rng = random.Random(args.seed)
        mails = vote_thread(rng, args.mails, flat=flat)
        every_id = frozenset(mail.message_id for mail in mails)
        site = FakePonyMail()
        with site:
            mids = [site.add_mail(raw_mail(m, rng.random() < 0.25), list_id=LIST_ID) for m in mails]
            url = site.thread_url(mids[0])
            listed = await listed_nodes(site.url, mids[0])
            # a capped thread may go on in later months: harvester reads on, month by month,
            # until a month adds nothing, so it asks for one month past the thread's last
            past_cap = 1 if flat and args.mails - 1 >= site.max_children else 0
            source = f"ponymail, {args.mails} mails, {shape} (thread.lua lists {listed})"
            for mode, name, run, repeat in ponymail_plan(site, url, flat, args.repeat):
                site.mbox_enabled = mode != "500"
                measured = await measure(site, MAIL_ENDPOINTS, run, repeat)
                what = f"ponymail {shape} {name}"
                if mode == "mbox":
                    wanted = {"thread": 1, "mbox": MONTHS + past_cap, "email": 0}
                    expected = args.mails  # the mbox holds every reply, listed or not
                    note = "every reply found in the mbox"
                    if past_cap:
                        note = "all found; 2 months + 1 past the cap"
                else:
                    # the first month whose mbox fails cancels the other months' requests
                    wanted = {"thread": 1, "email": listed}
                    expected = listed  # email.lua can only fetch what thread.lua listed
                    lost = args.mails - listed
                    if mode == "404":
                        note = "no retries: email.lua alone"
                    else:
                        note = "one run, mostly retry backoff"
                    if lost:
                        note += f"; {lost} unlisted, flagged for review"
                cancelled = 0 if mode == "mbox" else MONTHS - 1
                counts = check_requests(checks, what, measured, wanted, cancelled)
                for outcome in measured.outcomes:
                    checks.expect(f"{what}: messages returned", outcome.returned, expected)
                    checks.expect(f"{what}: unknown Message-IDs", outcome.ids - every_id, set())
                total = sum(counts.values())
                requests = f"{total}: " + ", ".join(f"{n} {counts[n]}" for n in MAIL_ENDPOINTS)
                returned = str(measured.outcomes[0].returned)
                best, median = measured.best, measured.median
                rows.append(Row(source, name, requests, best, median, returned, note))
                source = ""
    return rows


# --- GitHub ---------------------------------------------------------------------------------------


def comment_body(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(("+1", "LGTM +1", "+1 (binding)", "Thanks, +1 from me."))
    if kind < 0.7:
        quoted = rng.choice(SENTENCES)
        return f"> {quoted}\n\n{rng.choice(VOTES)}. {rng.choice(SENTENCES)}"
    code = "```\n$ python -m pytest tests/python/relax -x\n412 passed, 3 skipped in 88.2s\n```"
    return f"{rng.choice(SENTENCES)}\n\n{code}\n\n{rng.choice(VOTES)}"


async def harvester_issue(url: str, api_url: str) -> Outcome:
    async with HttpClient(NO_PACING) as client:
        thread = await fetch_issue(client, url, GitHubOptions(api_url=api_url, token=""))
    return outcome_of(thread, client)


async def bench_github(args: argparse.Namespace, checks: Checks) -> list[Row]:
    rng = random.Random(args.seed)
    site = FakeGitHub(rate_limit=10_000)
    with site:
        site.add_issue(
            "apache",
            "tvm",
            17001,
            title=VOTE_SUBJECT,
            body="Please vote on the release candidate.",
            user="release-manager",
            created_at=CALL_AT,
        )
        for index in range(args.comments):
            site.add_comment(
                "apache",
                "tvm",
                17001,
                user=f"user{rng.randrange(120)}",
                body=comment_body(rng),
                created_at=CALL_AT + timedelta(minutes=10 * (index + 1)),
            )
        url = site.issue_url("apache", "tvm", 17001)
        endpoints = {"issue": r"/issues/\d+$", "comments": r"/comments$"}
        measured = await measure(
            site, endpoints, lambda: harvester_issue(url, site.url), args.repeat
        )
        pages = max(1, math.ceil(args.comments / GITHUB_PAGE))
        what = "github harvester"
        counts = check_requests(checks, what, measured, {"issue": 1, "comments": pages})
        for outcome in measured.outcomes:
            checks.expect(f"{what}: messages returned", outcome.returned, 1 + args.comments)
    requests = f"{sum(counts.values())}: issue {counts['issue']}, comments {counts['comments']}"
    return [
        Row(
            f"github, {args.comments} comments",
            "harvester",
            requests,
            measured.best,
            measured.median,
            str(measured.outcomes[0].returned),
            f"1+ceil({args.comments}/100) = {1 + pages}" if args.comments else "1 + an empty page",
        )
    ]


# --- report ---------------------------------------------------------------------------------------


TITLES = ("source", "run", "requests", "best s", "median s", "returned", "note")
RIGHT = {3, 4}  # the columns of seconds


def format_table(rows: Sequence[Row], *, markdown: bool = False) -> str:
    """An aligned text table, or the same as GitHub markdown (for benchmarks/README.md)."""
    cells = [
        (r.source, r.run, r.requests, f"{r.best_s:.2f}", f"{r.median_s:.2f}", r.returned, r.note)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [TITLES, *cells]) for i in range(len(TITLES))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.rjust(w) if i in RIGHT else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded).rstrip()

    if markdown:
        rule = "|".join("-" * (w + 1) + (":" if i in RIGHT else "-") for i, w in enumerate(widths))
        return "\n".join([line(TITLES), f"|{rule}|", *map(line, cells)])
    return "\n".join([line(TITLES), "-" * sum(w + 2 for w in widths), *map(line, cells)])


async def run_all(args: argparse.Namespace, checks: Checks) -> list[Row]:
    rows = await bench_discourse(args, checks)
    rows += await bench_ponymail(args, checks)
    rows += await bench_github(args, checks)
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts in the Discourse topic")
    parser.add_argument("--mails", type=int, default=300, help="mails in the list thread")
    parser.add_argument("--comments", type=int, default=250, help="comments on the GitHub issue")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    parser.add_argument(
        "--latency-ms", type=float, default=50, help="added to every Discourse answer (0: none)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated threads")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    if args.posts < 1 or args.mails < 2 or args.comments < 0 or args.repeat < 1:
        parser.error("need --posts >= 1, --mails >= 2, --comments >= 0 and --repeat >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    checks = Checks()
    start = time.perf_counter()
    rows = asyncio.run(run_all(args, checks))
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(format_table(rows, markdown=args.markdown))
    print(f"\npeak RSS {peak:.1f} MB (whole process, fake sites included); total {total:.1f} s")
    for problem in checks.problems:
        print(f"WRONG: {problem}")
    return 1 if checks.problems else 0


if __name__ == "__main__":
    sys.exit(main())
