"""Does the dashboard stay responsive under load? `/healthz` latency while idle versus while a
flood of page views runs, against `harvest serve` as a real process over SQLite.

    .venv/bin/python benchmarks/bench_flood.py [--replies 2000] [--requests 2000]
                                               [--concurrency 50] [--probes 200]

One generated vote of --replies ballots (vote 1) and a few copies of the shipped example are
harvested into a fresh database. --probes sequential /healthz requests measure the idle server;
then --requests page views (/votes/1, /api/votes/1, /) run --concurrency at a time while one
client keeps asking /healthz. Goal: /healthz p95 under the flood < 250 ms. Results also go to
benchmarks/out/flood.json. `--cache-seconds 0` builds every page view (no public page cache).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp

# Running as `python benchmarks/bench_flood.py` puts this directory first already; -m does not.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import HARVEST, ROOT, free_port, harvest, rss_mb, wait_healthy
from words import FIRST, LAST, SENTENCES

GOAL_MS = 250.0  # /healthz p95 under the flood must stay below this
FLOOD_PATHS = ("/votes/1", "/api/votes/1", "/")
PROBE_PAUSE = 0.02  # seconds between /healthz probes during the flood
PMC_MEMBERS = 40  # the first senders on the roster, as PMC members
EXAMPLE_COPIES = 4  # small votes stored after the big one, so the list page has rows
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VOTE_HOURS = 72
SUBJECT = "[VOTE] Release Apache Widget 4.2.0 (RC1)"
CALL_ID = "<flood-call-0@widget.example.org>"
CALLER = ("Hannah Morgan", "hmorgan@apache.org")
OUT = ROOT / "benchmarks" / "out" / "flood.json"
_FROM_LINE = re.compile(r"^(>*From )", re.MULTILINE)


@dataclass(frozen=True)
class Sender:
    name: str
    email: str


@dataclass
class Flood:
    """What the page-view flood saw, and the /healthz probes taken while it ran."""

    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, by path
    probes: list[float] = field(default_factory=list)  # /healthz ms


# ---- the data: one big vote thread, its roster, a database ----


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--replies", type=int, default=2000, help="replies to the big vote")
    parser.add_argument("--requests", type=int, default=2000, help="page views in the flood")
    parser.add_argument("--concurrency", type=int, default=50, help="flood requests at once")
    parser.add_argument("--probes", type=int, default=200, help="idle /healthz probes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache-seconds",
        type=float,
        default=None,
        help="[web] public_cache_seconds for the server (default: its own; 0: no cache)",
    )
    return parser.parse_args()


def sender(n: int) -> Sender:
    """The n-th replier; names are distinct so nobody is matched to a member by name alone."""
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    tier = n // (len(FIRST) * len(LAST))
    middle = "" if tier == 0 else f" {chr(ord('A') + (tier - 1) % 26)}."
    suffix = "" if tier <= 26 else f" {tier // 27 + 1}"
    name = f"{first}{middle} {last}{suffix}"
    return Sender(name, f"{first.lower()}.{last.lower()}.{n}@widget-users.example.org")


def mbox_entry(who: Sender, date: datetime, headers: dict[str, str], body: str) -> str:
    """One mboxrd message: body lines starting with "From " are escaped, as archives do."""
    lines = [
        f"From {who.email}  {date.strftime('%a %b %d %H:%M:%S %Y')}",
        f"From: {who.name} <{who.email}>",
        f"Date: {format_datetime(date)}",
        *(f"{key}: {value}" for key, value in headers.items()),
        "To: dev@widget.apache.org",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="UTF-8"',
        "Content-Transfer-Encoding: 8bit",
        "",
        _FROM_LINE.sub(r">\1", body),
        "",
    ]
    return "\n".join(lines) + "\n"


def call_body() -> str:
    return (
        "Hi all,\n\n"
        "I'd like to call a vote to release Apache Widget 4.2.0 from RC1.\n\n"
        "The tag is v4.2.0-rc1, the source tarball, signatures and checksums are on\n"
        "dist/dev, and the release notes are on the wiki.\n\n"
        "This vote is held under majority approval: it passes with at least 3 binding\n"
        "+1 votes and more binding +1 than -1 votes. Votes of PMC members are binding.\n\n"
        "The vote is open for at least 72 hours.\n\n"
        "[ ] +1 release this package\n"
        "[ ] 0 no opinion\n"
        "[ ] -1 do not release (please state why)\n\n"
        "+1 (binding) from me.\n\n"
        "Thanks,\nHannah\n"
    )


def ballot_line(rng: random.Random, member: bool) -> str:
    """Mostly approval; members often say binding, others sometimes say non-binding."""
    value = rng.choices(("+1", "0", "-1"), weights=(85, 8, 7))[0]
    tag = (
        rng.choice(("", " (binding)", " (binding)"))
        if member
        else rng.choice(("", "", " (non-binding)"))
    )
    return value + tag


def reply_body(rng: random.Random, member: bool) -> str:
    prose = " ".join(rng.sample(SENTENCES, k=rng.randint(1, 3)))
    quoted = "\n".join("> " + line if line else ">" for line in call_body().splitlines()[:8])
    attribution = f"On {format_datetime(OPENED)}, {CALLER[0]} <{CALLER[1]}> wrote:"
    return f"{ballot_line(rng, member)}\n\n{prose}\n\nCheers\n\n{attribution}\n{quoted}\n"


def write_thread(path: Path, replies: int, rng: random.Random) -> None:
    """The call, then `replies` answers to it from distinct senders spread over the 72 hours."""
    caller = Sender(*CALLER)
    call_headers = {"Message-ID": CALL_ID, "Subject": SUBJECT}
    span = timedelta(hours=VOTE_HOURS).total_seconds() - 120  # all before the close
    offsets = sorted(rng.uniform(60, span) for _ in range(replies))
    with path.open("w", encoding="utf-8") as out:
        out.write(mbox_entry(caller, OPENED, call_headers, call_body()))
        for n, offset in enumerate(offsets):
            headers = {
                "Message-ID": f"<flood-reply-{n}@widget-users.example.org>",
                "Subject": "Re: " + SUBJECT,
                "In-Reply-To": CALL_ID,
                "References": CALL_ID,
            }
            body = reply_body(rng, n < PMC_MEMBERS)
            out.write(mbox_entry(sender(n), OPENED + timedelta(seconds=offset), headers, body))


def write_roster(path: Path) -> None:
    """The caller and the first PMC_MEMBERS repliers as PMC members (examples/roster.toml)."""
    members = [Sender(*CALLER), *(sender(n) for n in range(PMC_MEMBERS))]
    blocks = [
        f'[[members]]\nid = "m{i:03d}"\nname = "{m.name}"\nemails = ["{m.email}"]\n'
        'role = "pmc"\nsince = 2020-01-01\n'
        for i, m in enumerate(members)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")


def run_harvest(*args: str) -> None:
    """bench_web.harvest, but a failure shows the CLI's own message."""
    try:
        harvest(*args)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"harvest {' '.join(args)} failed:\n{error.stderr.decode()}") from None


def build_db(directory: Path, replies: int, seed: int) -> str:
    """A fresh SQLite database: the big vote first (id 1), then copies of the example."""
    url = f"sqlite:///{directory / 'flood.db'}"
    thread, roster = directory / "flood.mbox", directory / "roster.toml"
    write_thread(thread, replies, random.Random(seed))
    write_roster(roster)
    run_harvest("db", "upgrade", "--db", url)
    run_harvest("--thread", str(thread), "--roster", str(roster), "--db", url)
    example = (ROOT / "examples" / "strategy-vote.mbox").read_text(encoding="utf-8")
    for n in range(EXAMPLE_COPIES):
        # A different subject makes each copy its own vote.
        copy = directory / f"example{n}.mbox"
        copy.write_text(example.replace("Decision Process", f"Decision Process {n}"), "utf-8")
        run_harvest("--thread", str(copy), "--roster", "examples/roster.toml", "--db", url)
    return url


def ballot_count(url: str) -> int:
    """Ballots of the stored vote 1, as `harvest votes show 1 --format json` reports them."""
    shown = subprocess.run(
        [*HARVEST, "votes", "show", "1", "--db", url, "--format", "json"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return len(json.loads(shown.stdout)["ballots"])


def check_ballots(url: str, replies: int) -> int:
    """Fail loudly when the stored vote is not the size we meant to measure."""
    count = ballot_count(url)
    expected = replies + 1  # the call votes too
    print(f"vote 1 is stored with {count} ballots (expected {expected})")
    if abs(count - expected) > max(5, expected // 50):
        raise SystemExit(f"vote 1 has {count} ballots, not about {expected}: the data is wrong")
    return count


# ---- the server ----


def start_server(
    url: str, port: int, log: Path, cache_seconds: float | None
) -> subprocess.Popen[bytes]:
    # No HARVESTER_ settings from the caller's shell: no token, so every page is public.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARVESTER_")}
    if cache_seconds is not None:  # [web] public_cache_seconds, 0 = build every view
        env["HARVESTER_WEB__PUBLIC_CACHE_SECONDS"] = str(cache_seconds)
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [*HARVEST, "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()  # never leave it behind
        server.wait()


# ---- the measurements ----


async def probe(session: aiohttp.ClientSession, base: str) -> float:
    """One /healthz round trip in ms; it must answer 200."""
    started = time.perf_counter()
    async with session.get(base + "/healthz") as response:
        await response.read()
        if response.status != 200:
            raise SystemExit(f"/healthz answered {response.status}")
    return (time.perf_counter() - started) * 1000


async def warm_up(base: str) -> None:
    """One view of each page first: template compilation is not what we measure."""
    async with aiohttp.ClientSession() as session:
        for path in FLOOD_PATHS:
            async with session.get(base + path) as response:
                await response.read()


async def idle_probes(base: str, count: int) -> list[float]:
    async with aiohttp.ClientSession() as session:
        return [await probe(session, base) for _ in range(count)]


async def probe_until(base: str, done: asyncio.Event) -> list[float]:
    """/healthz asked by its own client (own connection), so it never queues behind the flood."""
    seconds: list[float] = []
    async with aiohttp.ClientSession() as session:
        while not done.is_set():
            seconds.append(await probe(session, base))
            await asyncio.sleep(PROBE_PAUSE)
    return seconds


async def view(session: aiohttp.ClientSession, base: str, path: str, flood: Flood) -> None:
    started = time.perf_counter()
    try:
        async with session.get(base + path) as response:
            await response.read()
            status = str(response.status)
    except (aiohttp.ClientError, TimeoutError) as error:
        status = type(error).__name__
    flood.statuses[f"{path} {status}"] += 1
    flood.latencies[path].append((time.perf_counter() - started) * 1000)


async def flood_worker(
    base: str, paths: list[str], flood: Flood, session: aiohttp.ClientSession
) -> None:
    while paths:
        await view(session, base, paths.pop(), flood)


async def run_flood(base: str, requests: int, concurrency: int) -> Flood:
    """`requests` page views, `concurrency` at a time, with /healthz probed meanwhile."""
    flood = Flood(latencies={path: [] for path in FLOOD_PATHS})
    paths = [FLOOD_PATHS[n % len(FLOOD_PATHS)] for n in range(requests)][::-1]
    done = asyncio.Event()
    prober = asyncio.create_task(probe_until(base, done))
    connector = aiohttp.TCPConnector(limit=concurrency)
    started = time.perf_counter()
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            workers = [flood_worker(base, paths, flood, session) for _ in range(concurrency)]
            await asyncio.gather(*workers)
    finally:
        flood.seconds = time.perf_counter() - started
        done.set()
        flood.probes = await prober
    return flood


# ---- the report ----


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        only = values[0] if values else float("nan")
        return {"p50": only, "p95": only, "max": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": statistics.median(values), "p95": cuts[94], "max": max(values)}


def report(
    idle: list[float], flood: Flood, rss: float, ballots: int, args: argparse.Namespace
) -> dict[str, Any]:
    all_views = [ms for values in flood.latencies.values() for ms in values]
    return {
        "replies": args.replies,
        "ballots": ballots,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "healthz_idle": {"probes": len(idle), **percentiles(idle)},
        "healthz_flood": {"probes": len(flood.probes), **percentiles(flood.probes)},
        "flood_seconds": flood.seconds,
        "flood_requests_per_s": len(all_views) / flood.seconds,
        "flood_pages": percentiles(all_views),
        "flood_by_path": {path: percentiles(ms) for path, ms in flood.latencies.items()},
        "statuses": dict(sorted(flood.statuses.items())),
        "server_peak_rss_mb": rss,
        "goal_ms": GOAL_MS,
    }


def print_report(results: dict[str, Any]) -> None:
    idle, busy = results["healthz_idle"], results["healthz_flood"]
    print(f"\n{results['requests']} page views, {results['concurrency']} at a time")
    print("| phase | probes | healthz p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, row in (("idle", idle), ("flood", busy)):
        print(
            f"| {name} | {row['probes']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['max']:.1f} |"
        )
    print("\n| flood path | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for path, row in [*results["flood_by_path"].items(), ("all", results["flood_pages"])]:
        print(f"| `{path}` | {row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} |")
    print(f"\nflood: {results['flood_seconds']:.1f} s, {results['flood_requests_per_s']:.1f} req/s")
    print("statuses: " + ", ".join(f"{key}: {n}" for key, n in results["statuses"].items()))
    print(f"peak RSS of harvest serve: {results['server_peak_rss_mb']:.1f} MB")
    ratio = busy["p95"] / idle["p95"]
    verdict = "met" if busy["p95"] < GOAL_MS else "NOT met"
    print(f"healthz p95 flood/idle: {ratio:.1f}x")
    print(f"goal: healthz p95 under flood < {GOAL_MS:.0f} ms: {verdict} ({busy['p95']:.1f} ms)")


def server_warnings(log: Path) -> list[str]:
    """The server's warnings and errors (timeouts, failed requests), to explain non-200s."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if "WARNING" in line or "ERROR" in line or "no answer" in line]


def measure(base: str, args: argparse.Namespace) -> tuple[list[float], Flood]:
    wait_healthy(base)
    asyncio.run(warm_up(base))
    idle = asyncio.run(idle_probes(base, args.probes))
    return idle, asyncio.run(run_flood(base, args.requests, args.concurrency))


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        directory = Path(tmp)
        url = build_db(directory, args.replies, args.seed)
        ballots = check_ballots(url, args.replies)
        log = directory / "serve.log"
        port = free_port()
        server = start_server(url, port, log, args.cache_seconds)
        try:
            idle, flood = measure(f"http://127.0.0.1:{port}", args)
            rss = rss_mb(server.pid)
        finally:
            stop_server(server)
        results = report(idle, flood, rss, ballots, args)
        results["server_warnings"] = server_warnings(log)
    print_report(results)
    for line in results["server_warnings"][:5]:
        print("server: " + line)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
