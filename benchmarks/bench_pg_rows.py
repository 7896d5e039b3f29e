"""What PostgreSQL itself costs a stored message: raw COPY of harvester's own rows into tables
shaped like `messages` with one thing taken away at a time, on one connection and on two.

    .venv/bin/python benchmarks/bench_pg_rows.py [--threads 20] [--per-thread 1000] [--runs 3]

Issue 13 asks for 50,000 message rows a second on PostgreSQL. A save (bench_store.py) reaches
85-94 % of a raw COPY of the same rows, so the question is what the server spends on a row.
The rows are the ones harvester.store.bulk writes (bench_store.py's generated Discourse topics,
payload JSON and all), built before the clock starts. Each shape is a table of its own in a
database this run creates (harvester_bench_rows_<random>) and drops; it never touches another:

  as stored        messages as it is: a surrogate id (serial primary key), unique (source,
                   source_id), an index on thread_id, a foreign key to threads, payload json;
  no FK            without the foreign key to threads (one `SELECT … FOR KEY SHARE` a row);
  no id            (source, source_id) as the primary key, no serial id (a sequence call and
                   one index fewer);
  no id, no FK     both;
  no id, no FK, text   and the payload as text, not json (no input check);
  as stored, text  only the payload as text.

Every thread is one transaction of one `copy_records_to_table`, into the emptied table after a
CHECKPOINT (untimed). "one connection": the threads in order; "two connections": even and odd
threads on two connections at once, as two writers would. Server CPU is read from
/proc/<backend pid>/stat (the server runs on this machine), client CPU from process_time().
The shapes take turns, the order reversed every other run; each cell is the best of --runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_archive import positive
from bench_store import NOW, make_thread, own_postgres_database

from harvester.store import bulk

SERVER = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Shape:
    name: str
    table: str
    surrogate_id: bool
    foreign_key: bool
    payload: str  # the payload column's type


SHAPES = (
    Shape("as stored", "as_stored", True, True, "json"),
    Shape("no FK", "no_fk", True, False, "json"),
    Shape("no id", "no_id", False, True, "json"),
    Shape("no id, no FK", "no_id_no_fk", False, False, "json"),
    Shape("no id, no FK, text", "no_id_no_fk_text", False, False, "text"),
    Shape("as stored, text", "as_stored_text", True, True, "text"),
)


def ddl(shape: Shape) -> list[str]:
    columns = ["id serial PRIMARY KEY"] if shape.surrogate_id else []
    thread = "thread_id integer NOT NULL"
    if shape.foreign_key:
        thread += " REFERENCES threads (id) ON DELETE CASCADE"
    columns += [
        "source varchar(20) NOT NULL",
        "source_id varchar(998) NOT NULL",
        thread,
        "sent_at timestamptz NOT NULL",
        "updated_at timestamptz",
        "version integer NOT NULL",
        f"payload {shape.payload} NOT NULL",
        "stored_at timestamptz NOT NULL",
    ]
    key = "UNIQUE" if shape.surrogate_id else "PRIMARY KEY"
    return [
        f"CREATE TABLE {shape.table} ({', '.join(columns)}, {key} (source, source_id))",
        f"CREATE INDEX ON {shape.table} (thread_id)",
    ]


def backend_seconds(pid: int) -> float:
    """User and system CPU of a server backend on this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    wall: float
    client: float
    server: float


async def copy_threads(connection: Any, table: str, rows: Sequence[list[tuple[Any, ...]]]) -> None:
    for thread_rows in rows:
        async with connection.transaction():
            await connection.copy_records_to_table(table, records=thread_rows, columns=bulk.COLUMNS)


async def measure(
    connections: Sequence[Any], pids: Sequence[int], shape: Shape, rows: list[list[Any]]
) -> Measured:
    await connections[0].execute(f"TRUNCATE {shape.table}")
    await connections[0].execute("CHECKPOINT")
    server = sum(backend_seconds(pid) for pid in pids)
    client, start = time.process_time(), time.perf_counter()
    shares = [rows[k :: len(connections)] for k in range(len(connections))]
    await asyncio.gather(
        *(copy_threads(c, shape.table, share) for c, share in zip(connections, shares, strict=True))
    )
    wall = time.perf_counter() - start
    client = time.process_time() - client
    server = sum(backend_seconds(pid) for pid in pids) - server
    return Measured(wall, client, server)


async def run(url: str, args: argparse.Namespace) -> dict[tuple[str, int], list[Measured]]:
    import asyncpg  # type: ignore[import-untyped]

    connections = [await asyncpg.connect(url) for _ in range(2)]
    try:
        first = connections[0]
        await first.execute("CREATE TABLE threads (id integer PRIMARY KEY)")
        await first.execute(f"INSERT INTO threads SELECT generate_series(1, {args.threads})")
        for shape in SHAPES:
            for statement in ddl(shape):
                await first.execute(statement)
        pids = [await c.fetchval("SELECT pg_backend_pid()") for c in connections]
        rows = [
            list(
                bulk._postgres_rows(make_thread(args.seed, k, args.per_thread).messages, k + 1, NOW)
            )
            for k in range(args.threads)
        ]
        results: dict[tuple[str, int], list[Measured]] = {}
        for number in range(args.runs):
            order = SHAPES if number % 2 == 0 else SHAPES[::-1]
            for shape in order:
                for count in (1, 2):
                    measured = await measure(connections[:count], pids[:count], shape, rows)
                    results.setdefault((shape.name, count), []).append(measured)
            print(f"run {number + 1} of {args.runs} done", file=sys.stderr, flush=True)
        return results
    finally:
        for connection in connections:
            await connection.close()


def report(results: dict[tuple[str, int], list[Measured]], rows: int) -> None:
    print("| table | connections | end to end rows/s | server CPU µs a row | client CPU µs a row |")
    print("|---|---:|---:|---:|---:|")
    for shape in SHAPES:
        for count in (1, 2):
            runs = results[(shape.name, count)]
            best = min(runs, key=lambda m: m.wall)
            rates = "/".join(f"{rows / m.wall:,.0f}" for m in runs)
            server = min(m.server for m in runs) / rows * 1e6
            client = min(m.client for m in runs) / rows * 1e6
            print(
                f"| {shape.name} | {count} | **{rows / best.wall:,.0f}** ({rates}) "
                f"| {server:.1f} | {client:.1f} |"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=positive, default=20)
    parser.add_argument("--per-thread", type=positive, default=1000)
    parser.add_argument("--runs", type=positive, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-server", default=SERVER)
    args = parser.parse_args(argv)
    try:
        with own_postgres_database(args.postgres_server) as url:
            results = asyncio.run(run(url, args))
    except (OSError, ConnectionError) as error:
        print(f"bench_pg_rows: {args.postgres_server}: {error}", file=sys.stderr)
        return 1
    report(results, args.threads * args.per_thread)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
