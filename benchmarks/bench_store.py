"""How fast harvester's store saves and reads back many messages, on SQLite and PostgreSQL.

    python benchmarks/bench_store.py                      # SQLite only, 100 x 1,000 messages
    python benchmarks/bench_store.py --postgres           # and then the machine's PostgreSQL

The messages are Discourse-like posts (cooked HTML bodies of about 1 KB, global post ids as
source ids), --threads topics of --per-thread posts each, generated from --seed one thread at a
time and never all held at once. Each database runs in a fresh interpreter, so that its peak RSS
is its own, through harvester.store.messages, one transaction per thread as the app does:
  1 first save   save_thread for every thread into an empty schema (db.upgrade);
  2 same again   the same threads again: nothing is new or edited, and that is checked;
  3 1 % edited   again, with 1 % of each thread's posts edited (version + 1, later updated_at,
                 a changed body): exactly those are stored again, and that is checked;
  4 load_thread  every thread read back, as a recount does; counts and versions are checked.
Then the ceiling of step 1 on this machine, from the same threads in the same run:
  5 rows only    the rows of every thread built as harvester.store.bulk builds them (payload
                 JSON, times, tuples), no database: the Python side of a save;
  6 raw driver   those rows (built untimed) written with the bare driver into an empty messages
                 table, one transaction per thread: sqlite3 executemany of the same upsert in a
                 fresh file, or asyncpg COPY straight into messages after TRUNCATE; no
                 SQLAlchemy, no lookup;
  the serial ceiling of a save is 5 then 6, 1 / (1/rate5 + 1/rate6) rows/s. The last table
  sets step 1 against it, and against step 4 ("save / load": what storing a harvest costs
  beside reading it back).
With --analyze, PostgreSQL runs ANALYZE messages after step 1 (untimed), as autovacuum would.
Seconds are the sum over threads of the transaction alone (begin, save_thread or load_thread,
commit); building the threads is not timed. "lookup s" is the part of it spent in
harvester.store.messages._known_versions (wrapped by this script to time it). Database size is
the SQLite file, or pg_total_relation_size('messages') (table, TOAST and indexes), at the end.

--postgres creates a database of its own (harvester_bench_<random>) on --postgres-server and
drops it afterwards; it never touches another database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from words import FIRST, LAST, SENTENCES, VOTES  # noqa: E402

import harvester.store.messages as store  # noqa: E402
from harvester.model import Author, BodyFormat, Message, Poll, PollOption, Thread  # noqa: E402
from harvester.store import bulk  # noqa: E402
from harvester.store.db import engine_for, upgrade  # noqa: E402
from harvester.store.payload import payload_text  # noqa: E402

DATABASES = ("sqlite", "postgresql")
DEFAULT_SERVER = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SITE = "https://discuss.example.org"
STARTS = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
EDITED_SHARE = 0.01

USERS = [(f"{f} {last}", f"{f[0].lower()}{last.lower()}") for f in FIRST for last in LAST]


# --- the threads ----------------------------------------------------------------------------------


def cooked(rng: random.Random, quoted: tuple[str, int, str] | None) -> str:
    """Cooked HTML of about 1 KB on average (200 to 1,800 characters): a vote, prose, maybe a
    quote of an earlier post in Discourse's <aside class="quote"> markup."""
    parts = [f"<p>{rng.choice(VOTES)}</p>"]
    if quoted is not None:
        username, number, said = quoted
        parts.append(
            f'<aside class="quote no-group" data-username="{username}" data-post="{number}">'
            f'<div class="title">{username}:</div><blockquote><p>{said}</p></blockquote></aside>'
        )
    target = rng.randint(200, 1800)
    while sum(map(len, parts)) < target:
        sentences = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4)))
        parts.append(f"<p>{sentences}</p>")
    return "\n".join(parts)


def make_thread(seed: int, index: int, per_thread: int) -> Thread:
    """Topic `index`: post ids are global and increasing, as on a Discourse site, and never
    shared between topics. 5 % of posts were edited before the first harvest, 1 % are hidden,
    0.5 % carry a poll, 30 % reply to an earlier post."""
    rng = random.Random(seed * 1_000_003 + index)
    topic_id = 20_000 + index
    title = f"[VOTE] Release Apache TVM v0.{index}.0.rc0"
    url = f"{SITE}/t/vote-release-apache-tvm-v0-{index}-0-rc0/{topic_id}"
    post_id = 1_000_000 + index * per_thread * 4
    sent_at = STARTS + timedelta(days=index)
    posts: list[Message] = []
    for number in range(1, per_thread + 1):
        post_id += rng.randint(1, 3)
        sent_at += timedelta(seconds=rng.randint(30, 900))
        name, username = rng.choice(USERS)
        parent = rng.choice(posts) if posts and rng.random() < 0.3 else None
        quoted = None
        if parent is not None and rng.random() < 0.5:
            quoted = (parent.author.username, int(parent.url.rsplit("/", 1)[1]), SENTENCES[0])
        edited_before = rng.random() < 0.05
        polls: tuple[Poll, ...] = ()
        if rng.random() < 0.005:
            voters = tuple(rng.choice(USERS)[1] for _ in range(rng.randint(1, 6)))
            polls = (Poll("poll", "open", True, len(voters), (PollOption("+1", 1, voters),)),)
        posts.append(
            Message(
                source="discourse",
                source_id=str(post_id),
                url=f"{url}/{number}",
                subject=title if number == 1 else f"Re: {title}",
                author=Author(name=name, username=username),
                sent_at=sent_at,
                body=cooked(rng, quoted),
                body_format=BodyFormat.COOKED,
                in_reply_to=parent.source_id if parent is not None else "",
                thread_url=url,
                visible=rng.random() >= 0.01,
                version=2 if edited_before else 1,
                updated_at=sent_at + timedelta(minutes=rng.randint(1, 600))
                if edited_before
                else None,
                polls=polls,
            )
        )
    return Thread(
        kind="discourse",
        url=url,
        messages=tuple(posts),
        title=title,
        expected_messages=per_thread,
    )


def edited_copy(seed: int, thread: Thread) -> tuple[Thread, set[str]]:
    """The thread with 1 % of its posts (at least one) edited since: version + 1, a later
    updated_at and one more paragraph. Returns it and the edited source ids."""
    rng = random.Random(f"{seed}-{thread.url}-edits")
    count = max(1, round(len(thread.messages) * EDITED_SHARE))
    chosen = set(rng.sample(range(len(thread.messages)), count))
    posts = tuple(
        replace(
            post,
            version=post.version + 1,
            updated_at=NOW - timedelta(hours=1),
            body=post.body + "\n<p>Edit: checked the signatures again, still fine.</p>",
        )
        if i in chosen
        else post
        for i, post in enumerate(thread.messages)
    )
    return replace(thread, messages=posts), {thread.messages[i].source_id for i in chosen}


# --- one database (run inside the child) ----------------------------------------------------------


@dataclass
class Step:
    name: str
    messages: int = 0
    seconds: float = 0.0
    lookup_seconds: float = 0.0
    result: str = ""


class LookupClock:
    """Wraps store._known_versions (looked up by name at every call) to time it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = store._known_versions

    async def __call__(self, connection: Any, found: Sequence[Message]) -> Any:
        start = time.perf_counter()
        try:
            return await self._original(connection, found)
        finally:
            self.seconds += time.perf_counter() - start


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _on_server(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(server: str, statement: str) -> None:
    async def work() -> None:
        engine = create_async_engine(
            _on_server(server, "postgres").replace("postgresql://", "postgresql+asyncpg://", 1),
            isolation_level="AUTOCOMMIT",
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(work())


@contextlib.contextmanager
def own_postgres_database(server: str) -> Iterator[str]:
    """A database of this run's own on the server, dropped afterwards: the benchmark never
    touches a database it did not create."""
    name = f"harvester_bench_{secrets.token_hex(6)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield _on_server(server, name)
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def save_pass(
    engine: AsyncEngine, step: Step, threads: Iterator[Thread], now: datetime, clock: LookupClock
) -> list[store.Saved]:
    """save_thread for every thread, one transaction each; only the transactions are timed."""
    results = []
    clock.seconds = 0.0
    for thread in threads:
        start = time.perf_counter()
        async with engine.begin() as connection:
            saved = await store.save_thread(connection, thread, now)
        step.seconds += time.perf_counter() - start
        step.messages += len(thread.messages)
        results.append(saved)
    step.lookup_seconds = clock.seconds
    return results


async def run_database(url: str, args: argparse.Namespace) -> tuple[list[Step], int]:
    """The four steps on an empty, upgraded database; returns them and the database size."""
    seed, count, per_thread = args.seed, args.threads, args.per_thread
    clock = LookupClock()
    store._known_versions = clock
    engine = engine_for(url)
    steps = [Step("1 first save"), Step("2 same again"), Step("3 1 % edited"), Step("4 load")]
    try:

        def generated() -> Iterator[Thread]:
            return (make_thread(seed, index, per_thread) for index in range(count))

        first = await save_pass(engine, steps[0], generated(), NOW, clock)
        assert all(s == store.Saved(new=per_thread, edited=0) for s in first), first
        steps[0].result = f"new {sum(s.new for s in first)}"
        log(f"  {steps[0].name}: {steps[0].seconds:.2f} s")
        if args.analyze and url.startswith("postgresql"):
            start = time.perf_counter()
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE messages"))
            log(f"  ANALYZE messages: {time.perf_counter() - start:.2f} s (not in the steps)")

        again = await save_pass(engine, steps[1], generated(), NOW + timedelta(hours=1), clock)
        assert all(s.new == 0 and s.edited == 0 for s in again), again  # idempotent
        steps[1].result = "new 0, edited 0"
        log(f"  {steps[1].name}: {steps[1].seconds:.2f} s")

        edited_ids: dict[str, set[str]] = {}

        def with_edits() -> Iterator[Thread]:
            for thread in generated():
                changed, ids = edited_copy(seed, thread)
                edited_ids[thread.url] = ids
                yield changed

        edits = await save_pass(engine, steps[2], with_edits(), NOW + timedelta(hours=2), clock)
        wanted = [len(ids) for ids in edited_ids.values()]
        assert [s.edited for s in edits] == wanted, edits
        assert all(s.new == 0 for s in edits), edits
        steps[2].result = f"new 0, edited {sum(s.edited for s in edits)}"
        log(f"  {steps[2].name}: {steps[2].seconds:.2f} s")

        load = steps[3]
        for index, generated_thread in enumerate(generated()):
            start = time.perf_counter()
            async with engine.connect() as connection:
                loaded = await store.load_thread(connection, generated_thread.url)
            load.seconds += time.perf_counter() - start
            assert loaded is not None, generated_thread.url
            assert len(loaded.messages) == per_thread, generated_thread.url
            load.messages += len(loaded.messages)
            ids = edited_ids[generated_thread.url]
            versions = {m.source_id: m.version for m in generated_thread.messages}
            for message in loaded.messages:
                wanted_version = versions[message.source_id] + (message.source_id in ids)
                assert message.version == wanted_version, message.source_id
            if index == 0:  # one whole thread must come back exactly as it was saved
                assert loaded == edited_copy(seed, generated_thread)[0], "thread 0 differs"
        load.result = f"read {load.messages}"
        log(f"  {load.name}: {load.seconds:.2f} s")

        if url.startswith("postgresql"):
            async with engine.connect() as connection:
                size_query = text("SELECT pg_total_relation_size('messages')")
                size = int((await connection.execute(size_query)).scalar_one())
        else:
            size = Path(url.split("///", 1)[1]).stat().st_size
    finally:
        await engine.dispose()
    return steps, size


def _rows_of(database: str, thread: Thread, thread_id: int) -> list[tuple[Any, ...]]:
    """The rows harvester.store.bulk writes for a new thread on this database."""
    if database == "postgresql":
        return list(bulk._postgres_rows(thread.messages, thread_id, NOW))
    return list(bulk._sqlite_rows(thread.messages, thread_id, NOW))


def rows_only(database: str, threads: Iterator[Thread]) -> Step:
    """Step 5: building the rows alone, no database."""
    step = Step("5 rows only")
    for thread in threads:
        start = time.perf_counter()
        _rows_of(database, thread, 1)
        step.seconds += time.perf_counter() - start
        step.messages += len(thread.messages)
    step.result = "no database"
    return step


def raw_sqlite(directory: str, threads: Iterator[Thread]) -> Step:
    """Step 6 on SQLite: sqlite3 executemany of bulk's upsert into a fresh file."""
    url = f"sqlite:///{directory}/raw.db"
    upgrade(url)
    step = Step("6 raw driver")
    connection = sqlite3.connect(f"{directory}/raw.db", isolation_level=None)
    try:
        for index, thread in enumerate(threads, start=1):
            connection.execute(
                "INSERT INTO threads (id, url, kind, title, closed, warnings, first_seen, "
                "last_fetched) VALUES (?, ?, 'discourse', '', 0, '[]', '', '')",
                (index, thread.url),
            )
            rows = _rows_of("sqlite", thread, index)
            start = time.perf_counter()
            connection.execute("BEGIN")
            connection.executemany(bulk._SQLITE_UPSERT, rows)
            connection.execute("COMMIT")
            step.seconds += time.perf_counter() - start
            step.messages += len(rows)
    finally:
        connection.close()
    step.result = "sqlite3 executemany"
    return step


async def raw_postgres(url: str, threads: Iterator[Thread]) -> Step:
    """Step 6 on PostgreSQL: asyncpg COPY into messages, emptied first (untimed)."""
    import asyncpg

    step = Step("6 raw driver")
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("TRUNCATE messages")
        ids = dict(await connection.fetch("SELECT url, id FROM threads"))
        for thread in threads:
            rows = _rows_of("postgresql", thread, ids[thread.url])
            start = time.perf_counter()
            async with connection.transaction():
                await connection.copy_records_to_table(
                    "messages", records=rows, columns=bulk.COLUMNS
                )
            step.seconds += time.perf_counter() - start
            step.messages += len(rows)
    finally:
        await connection.close()
    step.result = "asyncpg COPY"
    return step


def child_main(args: argparse.Namespace) -> None:
    """Run one database and print its steps, size and peak RSS as JSON on stdout."""
    with contextlib.ExitStack() as stack:
        if args.child == "postgresql":
            url = stack.enter_context(own_postgres_database(args.postgres_server))
        else:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-store-"))
            url = f"sqlite:///{directory}/harvester.db"
        upgrade(url)
        start = time.perf_counter()
        steps, size = asyncio.run(run_database(url, args))
        total = time.perf_counter() - start
        threads = (make_thread(args.seed, i, args.per_thread) for i in range(args.threads))
        steps.append(rows_only(args.child, threads))
        log(f"  {steps[-1].name}: {steps[-1].seconds:.2f} s")
        threads = (make_thread(args.seed, i, args.per_thread) for i in range(args.threads))
        if args.child == "postgresql":
            steps.append(asyncio.run(raw_postgres(url, threads)))
        else:
            steps.append(raw_sqlite(stack.enter_context(tempfile.TemporaryDirectory()), threads))
        log(f"  {steps[-1].name}: {steps[-1].seconds:.2f} s")
    sample = make_thread(args.seed, 0, args.per_thread)
    body = sum(len(m.body.encode()) for m in sample.messages) / len(sample.messages)
    payload = sum(len(payload_text(m).encode()) for m in sample.messages) / len(sample.messages)
    before = sum(len(json.dumps(store.message_json(m)).encode()) for m in sample.messages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    report = {
        "steps": [vars(step) for step in steps],
        "size": size,
        "peak_rss_mb": peak,
        "total_s": total,
        "body_bytes": body,
        "payload_bytes": payload,
        "payload_bytes_before": before / len(sample.messages),
    }
    print(json.dumps(report))


# --- the parent -----------------------------------------------------------------------------------


def run_child(database: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", database]
    command += ["--threads", str(args.threads), "--per-thread", str(args.per_thread)]
    command += ["--seed", str(args.seed), "--postgres-server", args.postgres_server]
    command += ["--analyze"] if args.analyze else []
    log(f"{database}: {args.threads} threads x {args.per_thread} messages")
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{database}: the benchmark failed (exit code {finished.returncode})")
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


TITLES = ("database", "step", "messages", "seconds", "msgs/s", "lookup s", "stored / read")
RIGHT = {2, 3, 4, 5}
SUMMARY = ("database", "messages", "size MB", "bytes/msg", "peak RSS MB", "total s")
CEILING = ("database", "first save msgs/s", "ceiling msgs/s", "of ceiling", "save / load")


def ceiling_row(database: str, result: dict[str, Any]) -> tuple[str, ...]:
    """Step 1 against the serial ceiling (steps 5 then 6), and against reading it back."""
    by_name = {step["name"][0]: step for step in result["steps"]}

    def rate(key: str) -> float:
        return float(by_name[key]["messages"] / by_name[key]["seconds"])

    ceiling = 1 / (1 / rate("5") + 1 / rate("6"))
    save_load = by_name["1"]["seconds"] / by_name["4"]["seconds"]
    return (
        database,
        f"{rate('1'):.0f}",
        f"{ceiling:.0f}",
        f"{100 * rate('1') / ceiling:.0f} %",
        f"{save_load:.2f}",
    )


def table(titles: Sequence[str], cells: Sequence[Sequence[str]], right: set[int], md: bool) -> str:
    """An aligned text table, or the same as GitHub markdown (for benchmarks/README.md)."""
    widths = [max(len(row[i]) for row in [titles, *cells]) for i in range(len(titles))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |" if md else "  ".join(padded).rstrip()

    if md:
        rule = "|".join("-" * (w + 1) + (":" if i in right else "-") for i, w in enumerate(widths))
        return "\n".join([line(titles), f"|{rule}|", *map(line, cells)])
    return "\n".join([line(titles), "-" * sum(w + 2 for w in widths), *map(line, cells)])


def report(results: dict[str, dict[str, Any]], markdown: bool) -> None:
    steps, summary = [], []
    for database, result in results.items():
        for index, step in enumerate(result["steps"]):
            lookup = f"{step['lookup_seconds']:.2f}" if step["name"][0] in "123" else ""
            steps.append(
                (
                    database if index == 0 else "",
                    step["name"],
                    str(step["messages"]),
                    f"{step['seconds']:.2f}",
                    f"{step['messages'] / step['seconds']:.0f}",
                    lookup,
                    step["result"],
                )
            )
        stored = result["steps"][0]["messages"]
        summary.append(
            (
                database,
                str(stored),
                f"{result['size'] / 1e6:.1f}",
                f"{result['size'] / stored:.0f}",
                f"{result['peak_rss_mb']:.1f}",
                f"{result['total_s']:.1f}",
            )
        )
    print(table(TITLES, steps, RIGHT, markdown))
    print()
    print(table(SUMMARY, summary, {1, 2, 3, 4, 5}, markdown))
    print()
    print(
        table(
            CEILING, [ceiling_row(name, r) for name, r in results.items()], {1, 2, 3, 4}, markdown
        )
    )
    first = next(iter(results.values()))
    print(
        f"\nper message: body {first['body_bytes']:.0f} bytes, stored JSON payload "
        f"{first['payload_bytes']:.0f} bytes ({first['payload_bytes_before']:.0f} in the form "
        "stored before, json.dumps of message_json) (thread 0). Size: SQLite file, or "
        "pg_total_relation_size('messages'); peak RSS: ru_maxrss of that database's process."
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--threads", type=int, default=100, help="threads (Discourse topics)")
    parser.add_argument("--per-thread", type=int, default=1000, help="messages in each thread")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also run on PostgreSQL, in a database of its own it creates and drops",
    )
    parser.add_argument(
        "--postgres-server", default=DEFAULT_SERVER, help="a server to create it on: %(default)s"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="PostgreSQL: ANALYZE messages after step 1, as autovacuum would (off on some servers)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated threads")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument("--child", choices=DATABASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads < 1 or args.per_thread < 1:
        parser.error("need --threads >= 1 and --per-thread >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return 0
    databases = DATABASES if args.postgres else DATABASES[:1]
    results = {}
    for database in databases:
        name = f"{database}, analyzed" if database == "postgresql" and args.analyze else database
        results[name] = run_child(database, args)
    report(results, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
