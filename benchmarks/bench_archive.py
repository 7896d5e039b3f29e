"""Reading and counting a whole list archive, side by side with a bare standard-library pass,
on one process and on several (issue 13).

    .venv/bin/python benchmarks/bench_archive.py --messages 20000 [--jobs 2]

For a generated archive (benchmarks/generate_mbox.py, seeded; written to benchmarks/out/ when
missing), each in a fresh process: a bare `mailbox.mbox` compat32 pass; `harvest --thread FILE
--format json` with --jobs 1 and with --jobs N. Wall seconds, peak RSS (ru_maxrss), and the
ratio to the compat32 pass; the JSON of the two harvests must be byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HARVEST = [sys.executable, "-c", "from harvester.app.cli import main; raise SystemExit(main())"]
COMPAT32 = "import mailbox, sys\nfor _ in mailbox.mbox(sys.argv[1]): pass\n"


def archive(messages: int, seed: int) -> Path:
    path = OUT / f"bench-{messages}-seed{seed}.mbox"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(HERE / "generate_mbox.py"), "--messages", str(messages)]
        subprocess.run([*command, "--out", str(path), "--seed", str(seed)], check=True)
    return path


def timed(command: list[str]) -> tuple[float, float, bytes]:
    """(wall s, peak RSS MB, stdout) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read() if child.stdout else b""
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[-4:])}: failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = archive(args.messages, args.seed)
    path.read_bytes()  # into the page cache before the first pass
    base, base_rss, _ = timed([sys.executable, "-c", COMPAT32, str(path)])
    rows = [("compat32 pass", base, base_rss, "")]
    digests = []
    for jobs in (1, args.jobs):
        command = [*HARVEST, "--thread", str(path), "--format", "json", "--jobs", str(jobs)]
        wall, rss, out = timed(command)
        digests.append(hashlib.sha256(out).hexdigest())
        votes = out.count(b"\n")  # one JSON line a vote
        rows.append((f"harvest --jobs {jobs}", wall, rss, f"{votes} votes"))
    size = path.stat().st_size / 1e6
    print(f"{path.name}: {args.messages} messages, {size:.0f} MB")
    print(f"{'pass':<18} {'wall s':>7} {'x compat32':>10} {'peak RSS MB':>11}  note")
    for name, wall, rss, note in rows:
        print(f"{name:<18} {wall:>7.2f} {base / wall:>10.2f} {rss:>11.1f}  {note}")
    print("outputs identical" if len(set(digests)) == 1 else "OUTPUTS DIFFER")


if __name__ == "__main__":
    main()
