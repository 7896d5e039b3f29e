"""Peak memory of `harvest --thread FILE` on the worst inputs a list member can send (issue 12),
with the default [limits] and with the caps lifted, side by side in one run.

    .venv/bin/python benchmarks/bench_memory.py            # about 2 minutes, ~400 MB of files

Inputs (generated into benchmarks/out/, git-ignored):
  baseline     the shipped example vote (examples/strategy-vote.mbox)
  part-40mb    a vote whose one reply carries a 40 MB base64 text part (under the message cap)
  mail-154mb   a vote whose one reply is 154 MB (over the message cap)
  header-50mb  a vote whose one reply has a 50 MB header line
  /dev/zero    a stream that never ends (capped only: uncapped it is read until memory runs out)
Each run is a fresh `harvest` process; peak RSS is the kernel's ru_maxrss from os.wait4.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
HARVEST = [sys.executable, "-c", "from harvester.app.cli import main; raise SystemExit(main())"]
UNCAPPED = "[limits]\nmessage_mb = 4096\npart_mb = 4096\nheader_kb = 1048576\n"
CALL = (
    "From a@x Mon Jan  5 10:00:00 2026\n"
    "Message-ID: <call@example.org>\nFrom: Hannah Morgan <hmorgan@apache.org>\n"
    "Subject: [VOTE] Adopt the plan\nDate: Mon, 05 Jan 2026 10:00:00 +0000\n\n"
    "Please vote. Open for at least 72 hours.\n\n+1 (binding) from me.\n\n"
)
REPLY_HEAD = (
    "From b@x Mon Jan  5 11:00:00 2026\n"
    "Message-ID: <big@example.org>\nFrom: Bob Okafor <bokafor@apache.org>\n"
    "Subject: Re: [VOTE] Adopt the plan\nIn-Reply-To: <call@example.org>\n"
    "Date: Mon, 05 Jan 2026 11:00:00 +0000\n"
)


@dataclass(frozen=True)
class Run:
    input: str
    megabytes: float
    caps: str  # "default" or "lifted"
    exit_code: int
    wall_s: float
    peak_rss_mb: float


def _base64_lines(size: int) -> Iterator[bytes]:
    """`size` bytes of text, base64-encoded in 57-byte lines as mailers do, without holding it."""
    line = b"+1 (binding) and a long log of a build. " * 2
    block = base64.encodebytes((line * (1 + 57 * 1000 // len(line)))[: 57 * 1000])
    for _ in range(size // (57 * 1000)):
        yield block


def write_part_vote(path: Path, part_bytes: int) -> None:
    with path.open("wb") as out:
        out.write(CALL.encode())
        out.write(REPLY_HEAD.encode())
        out.write(b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n")
        for block in _base64_lines(part_bytes):
            out.write(block)
        out.write(b"\n")


def write_header_vote(path: Path, header_bytes: int) -> None:
    with path.open("wb") as out:
        out.write(CALL.encode())
        out.write(REPLY_HEAD.encode())
        out.write(b"X-Padding: ")
        chunk = b"p" * (1 << 20)
        for _ in range(header_bytes // len(chunk)):
            out.write(chunk)
        out.write(b"\n\n+1 (binding)\n\n")


def inputs(out: Path) -> dict[str, Path]:
    """Each input's path, generated when missing."""
    out.mkdir(parents=True, exist_ok=True)
    made = {
        "part-40mb": (out / "hostile-part-40mb.mbox", lambda p: write_part_vote(p, 30 << 20)),
        "mail-154mb": (out / "hostile-mail-154mb.mbox", lambda p: write_part_vote(p, 115 << 20)),
        "header-50mb": (out / "hostile-header-50mb.mbox", lambda p: write_header_vote(p, 50 << 20)),
    }
    paths = {"baseline": ROOT / "examples" / "strategy-vote.mbox"}
    for name, (path, write) in made.items():
        if not path.exists():
            print(f"generating {path} ...", flush=True)
            write(path)
        paths[name] = path
    paths["/dev/zero"] = Path("/dev/zero")
    return paths


def run_harvest(name: str, path: Path, config: Path | None) -> Run:
    command = [*HARVEST, "--thread", str(path), "--format", "json"]
    if config is not None:
        command += ["--config", str(config)]
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    size = 0.0 if name == "/dev/zero" else path.stat().st_size / 1e6
    return Run(
        input=name,
        megabytes=round(size, 1),
        caps="default" if config is None else "lifted",
        exit_code=os.waitstatus_to_exitcode(status),
        wall_s=round(wall, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
    )


def table(runs: list[Run]) -> str:
    base = next(r.peak_rss_mb for r in runs if r.input == "baseline" and r.caps == "default")
    rows = [
        f"{'input':<12} {'MB':>7} {'caps':<8} {'exit':>4} {'wall s':>7} "
        f"{'peak RSS MB':>11} {'x baseline':>10}"
    ]
    for r in runs:
        rows.append(
            f"{r.input:<12} {r.megabytes:>7.1f} {r.caps:<8} {r.exit_code:>4} {r.wall_s:>7.2f} "
            f"{r.peak_rss_mb:>11.1f} {r.peak_rss_mb / base:>10.2f}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT)
    parser.add_argument("--no-lifted", action="store_true", help="only the default caps")
    args = parser.parse_args()
    paths = inputs(args.out_dir)
    lifted = args.out_dir / "uncapped.toml"
    lifted.write_text(UNCAPPED, encoding="utf-8")
    runs: list[Run] = []
    for name, path in paths.items():
        runs.append(run_harvest(name, path, None))
        if not args.no_lifted and name != "/dev/zero":
            runs.append(run_harvest(name, path, lifted))
    print(table(runs))
    (args.out_dir / "memory.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))


if __name__ == "__main__":
    main()
