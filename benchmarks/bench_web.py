"""How fast the dashboard answers: `harvest serve` as a real process over the shipped example vote
kept in SQLite, asked by one client in a loop. The vote page recounts from stored messages on every
view, so it is the one to watch.

    python benchmarks/bench_web.py [--requests 200] [--votes 20]

--votes stores the example that many times (under different subjects), so the list page has rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
HARVEST = [sys.executable, "-c", "from harvester.app.cli import main; raise SystemExit(main())"]
PATHS = ("/", "/votes/1", "/api/votes", "/api/votes/1", "/roster", "/healthz", "/metrics")


def harvest(*args: str) -> None:
    subprocess.run([*HARVEST, *args], check=True, capture_output=True, cwd=ROOT)


def stored_votes(directory: Path, count: int) -> str:
    url = f"sqlite:///{directory / 'bench.db'}"
    harvest("db", "upgrade", "--db", url)
    text = (ROOT / "examples" / "strategy-vote.mbox").read_text(encoding="utf-8")
    for n in range(count):
        copy = directory / f"vote{n}.mbox"
        copy.write_text(re.sub(r"Decision Process", f"Decision Process {n}", text), "utf-8")
        harvest("--thread", str(copy), "--roster", "examples/roster.toml", "--db", url)
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def timings(base: str, path: str, requests: int) -> list[float]:
    seconds = []
    async with aiohttp.ClientSession() as session:
        for _ in range(requests):
            started = time.perf_counter()
            async with session.get(base + path) as response:
                await response.read()
                assert response.status == 200, (path, response.status)
            seconds.append(time.perf_counter() - started)
    return seconds


def wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            asyncio.run(timings(base, "/healthz", 1))
            return
        except (aiohttp.ClientError, AssertionError):
            time.sleep(0.2)
    raise SystemExit("harvest serve did not answer /healthz")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--votes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = stored_votes(Path(tmp), args.votes)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HARVESTER_")}
        server = subprocess.Popen(
            [*HARVEST, "serve", "--db", url, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base)
            print(f"{args.votes} stored votes, {args.requests} sequential requests per path")
            print("| path | median ms | p95 ms | requests/s |")
            print("|---|---:|---:|---:|")
            for path in PATHS:
                seconds = asyncio.run(timings(base, path, args.requests))
                p95 = statistics.quantiles(seconds, n=20)[18]
                print(
                    f"| `{path}` | {statistics.median(seconds) * 1000:.1f} | {p95 * 1000:.1f} "
                    f"| {len(seconds) / sum(seconds):.0f} |"
                )
            print(f"\npeak RSS of harvest serve: {rss_mb(server.pid):.1f} MB")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
