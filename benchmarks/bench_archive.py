"""Reading and counting a whole list archive, side by side with a bare standard-library pass,
on one process and on several (issue 13).

    .venv/bin/python benchmarks/bench_archive.py --messages 20000 [100000 1000000] [--jobs 2]
        [--compiled] [--repeat N]

For a generated archive (benchmarks/generate_mbox.py, seeded; written to benchmarks/out/ when
missing), each in a fresh process: a bare `mailbox.mbox` compat32 pass; `harvest --thread FILE
--format json` with --jobs 1 and with --jobs N; with --compiled, the same two again on the
compiled build (setup.py; a copy made by .ci/compiled-copy in a temporary folder). Wall seconds,
peak RSS (ru_maxrss), and the ratio to the compat32 pass; the JSON of every harvest must be
byte-identical. With --repeat N, each pass runs N times, the passes taking turns, and the
best of each is shown (the range of its wall times beside it): a shared machine drifts by tens
of percent over minutes, and the best runs are the ones least slowed by it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
# -P: not the working folder first on the path, so PYTHONPATH picks the build (--compiled)
HARVEST = [
    sys.executable,
    "-P",
    "-c",
    "from harvester.app.cli import main; raise SystemExit(main())",
]
COMPAT32 = "import mailbox, sys\nfor _ in mailbox.mbox(sys.argv[1]): pass\n"


def archive(messages: int, seed: int) -> Path:
    path = OUT / f"bench-{messages}-seed{seed}.mbox"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(HERE / "generate_mbox.py"), "--messages", str(messages)]
        subprocess.run([*command, "--out", str(path), "--seed", str(seed)], check=True)
    return path


def compiled_copy(folder: str) -> dict[str, str]:
    """The environment that runs the compiled build: a copy of the checkout in `folder`."""
    if subprocess.run([str(HERE.parent / ".ci" / "compiled-copy"), folder]).returncode:
        raise SystemExit("bench_archive: --compiled: the compiled build failed (its log above)")
    env = {**os.environ, "PYTHONPATH": folder}
    check = "import harvester.core.quotes as q; raise SystemExit(not q.__file__.endswith('.so'))"
    if subprocess.run([sys.executable, "-P", "-c", check], env=env).returncode:
        raise SystemExit(f"bench_archive: --compiled: {folder} does not load compiled modules")
    return env


def timed(
    command: list[str], env: Mapping[str, str] | None = None
) -> tuple[float, float, float, str, int]:
    """(wall s, CPU s, peak RSS MB, SHA-256 of stdout, lines of stdout) of one child process,
    its output hashed as it streams (a million-message archive prints hundreds of MB)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    digest, lines = hashlib.sha256(), 0
    assert child.stdout is not None
    while chunk := child.stdout.read(1 << 20):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[-4:])}: failed")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024, digest.hexdigest(), lines


def measure(
    messages: int, jobs: int, seed: int, compiled: Mapping[str, str] | None, repeat: int
) -> list[tuple[str, ...]]:
    """compat32, harvest --jobs 1 and --jobs N (and on the compiled build) over one archive,
    each `repeat` times, the passes taking turns; the best (least wall time) of each: table
    rows."""
    path = archive(messages, seed)
    with path.open("rb") as stream:  # into the page cache before the first pass
        while stream.read(1 << 24):
            pass
    passes: list[tuple[str, list[str], Mapping[str, str] | None]] = [
        ("compat32 pass", [sys.executable, "-c", COMPAT32, str(path)], None)
    ]
    builds = [("", None)] + ([(" (compiled)", compiled)] if compiled is not None else [])
    for (build, env), each in [(b, j) for b in builds for j in dict.fromkeys((1, jobs))]:
        command = [*HARVEST, "--thread", str(path), "--format", "json", "--jobs", str(each)]
        passes.append((f"harvest --jobs {each}{build}", command, env))
    runs: list[list[tuple[float, float, float, str, int]]] = [[] for _ in passes]
    for _ in range(repeat):
        for (_, command, env), done in zip(passes, runs, strict=True):
            done.append(timed(command, env))
    best = [min(done) for done in runs]
    base = best[0][0]
    size = f"{messages:,} ({path.stat().st_size / 1e6:,.0f} MB)"
    rows = []
    for number, ((name, _, _), done) in enumerate(zip(passes, runs, strict=True)):
        wall, cpu, rss, _, votes = best[number]
        spread = f" ({min(d[0] for d in done):.1f}-{max(d[0] for d in done):.1f})"
        note = f"{votes} votes" if number else ""
        row = (size if not number else "", name, f"{wall:.1f}" + (spread if repeat > 1 else ""))
        rows.append((*row, f"{cpu:.1f}", f"{base / wall:.2f}", f"{rss:.0f}", note))
    digests = {d[3] for done in runs[1:] for d in done}
    rows.append(("", "outputs", "", "", "", "", "identical" if len(digests) == 1 else "DIFFER"))
    return rows


def positive(raw: str) -> int:
    """A count of at least 1 (argparse's one line on anything else)."""
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of at least 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[20_000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compiled", action="store_true", help="also on the compiled build")
    parser.add_argument(
        "--repeat", type=positive, default=1, help="runs of each pass, in turns: the best is shown"
    )
    args = parser.parse_args()
    head = ("messages", "pass", "wall s", "CPU s", "x compat32", "peak RSS MB", "note")
    with tempfile.TemporaryDirectory(prefix="harvester-compiled-") as folder:
        env = compiled_copy(folder) if args.compiled else None
        rows = [
            row for n in args.messages for row in measure(n, args.jobs, args.seed, env, args.repeat)
        ]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
