"""How fast harvester reads an mbox, against the standard library on the same file.

    python benchmarks/bench_read.py --messages 50000

Passes, each in a fresh interpreter so that their peak memory does not mix:
  compat32        for m in mailbox.mbox(path): pass                  (default compat32 policy)
  policy.default  the same with email.policy.default as the message factory
  harvester       iter_mbox -> own_lines -> read_ballot for every message, keeping nothing
and the harvester pass once more on a smaller file, to show that memory does not grow with it.
Peak RSS is the kernel's ru_maxrss of each child (os.wait4); imports happen before the clock
starts. Files are generated into benchmarks/out/ (git-ignored) when missing.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import mailbox
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from email.message import Message as EmailMessage
from pathlib import Path
from typing import BinaryIO

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
PASS_NAMES = ("compat32", "policy.default", "harvester")
TARGET_RATIO = 0.80


@dataclass(frozen=True)
class PassResult:
    name: str
    file: str
    messages: int
    megabytes: float  # file size, 10**6 bytes
    wall_s: float
    peak_rss_mb: float  # kernel ru_maxrss of the child process
    import_rss_mb: float  # the child's RSS high-water mark after imports, before the pass

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.wall_s

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.wall_s


# --- the passes (run inside the child) ----------------------------------------------------------


def count_compat32(path: str) -> int:
    count = 0
    for _message in mailbox.mbox(path):
        count += 1
    return count


def _default_policy_message(stream: BinaryIO) -> EmailMessage:
    return email.message_from_binary_file(stream, policy=email.policy.default)


def count_policy_default(path: str) -> int:
    count = 0
    # typeshed wants the factory to return an mboxMessage; any Message works at run time.
    box = mailbox.mbox(path, factory=_default_policy_message)  # type: ignore[arg-type]
    for _message in box:
        count += 1
    return count


def count_harvester(path: str) -> int:
    from harvester.core.ballots import read_ballot
    from harvester.core.text import own_lines
    from harvester.sources.mbox import iter_mbox

    count = 0
    for message in iter_mbox(path):
        read_ballot(own_lines(message))
        count += 1
    return count


def _import_for(name: str) -> None:
    """Load what a pass needs before the clock starts (harvester pulls in lxml)."""
    if name == "harvester":
        import harvester.core.ballots
        import harvester.core.text
        import harvester.sources.mbox  # noqa: F401


PASSES: dict[str, Callable[[str], int]] = {
    "compat32": count_compat32,
    "policy.default": count_policy_default,
    "harvester": count_harvester,
}


def _rss_mb(kilobytes: int) -> float:
    return kilobytes / 1024  # Linux reports ru_maxrss in KiB


def child_main(name: str, path: str) -> None:
    """Run one pass and print {"messages", "wall_s", "import_rss_mb"} as JSON."""
    _import_for(name)
    import_rss = _rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    start = time.perf_counter()
    messages = PASSES[name](path)
    wall = time.perf_counter() - start
    print(json.dumps({"messages": messages, "wall_s": wall, "import_rss_mb": import_rss}))


# --- the parent ---------------------------------------------------------------------------------


def mbox_path(out_dir: Path, messages: int, seed: int) -> Path:
    return out_dir / f"bench-{messages}-seed{seed}.mbox"


def ensure_mbox(out_dir: Path, messages: int, seed: int) -> Path:
    path = mbox_path(out_dir, messages, seed)
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        command = [sys.executable, str(HERE / "generate_mbox.py"), "--messages", str(messages)]
        command += ["--out", str(path), "--seed", str(seed)]
        subprocess.run(command, check=True)
    return path


def warm_cache(path: Path) -> None:
    """Read the file once so that no pass pays for the first disk read."""
    with path.open("rb") as stream:
        while stream.read(1 << 22):
            pass


def run_pass(name: str, path: Path) -> PassResult:
    """Run a pass in a fresh interpreter; its peak RSS comes from wait4 on that child alone."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--file", str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        output = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"pass {name} on {path} failed with exit code {child.returncode}")
    report = json.loads(output)
    return PassResult(
        name=name,
        file=path.name,
        messages=int(report["messages"]),
        megabytes=path.stat().st_size / 1e6,
        wall_s=float(report["wall_s"]),
        peak_rss_mb=_rss_mb(usage.ru_maxrss),
        import_rss_mb=float(report["import_rss_mb"]),
    )


def best_of(name: str, path: Path, repeat: int) -> PassResult:
    """The fastest of `repeat` runs; peak RSS is the largest seen."""
    runs = [run_pass(name, path) for _ in range(repeat)]
    fastest = min(runs, key=lambda run: run.wall_s)
    peak = max(run.peak_rss_mb for run in runs)
    return PassResult(**{**asdict(fastest), "peak_rss_mb": peak})


def format_table(results: Sequence[PassResult]) -> str:
    header = (
        f"{'pass':<16} {'file':<26} {'messages':>8} {'MB':>7} {'wall s':>7} "
        f"{'msgs/s':>8} {'MB/s':>6} {'peak RSS MB':>11} {'after imports':>13}"
    )
    rows = [
        f"{r.name:<16} {r.file:<26} {r.messages:>8} {r.megabytes:>7.1f} {r.wall_s:>7.2f} "
        f"{r.msgs_per_s:>8.0f} {r.mb_per_s:>6.1f} {r.peak_rss_mb:>11.1f} {r.import_rss_mb:>13.1f}"
        for r in results
    ]
    return "\n".join([header, "-" * len(header), *rows])


def check_counts(results: Sequence[PassResult], expected: dict[str, int]) -> list[str]:
    """Every pass must see every message of its file (mboxrd escaping keeps them apart)."""
    return [
        f"WARNING: {r.name} saw {r.messages} messages in {r.file}, expected {expected[r.file]}"
        for r in results
        if r.messages != expected[r.file]
    ]


def summary(results: Sequence[PassResult], small: PassResult) -> dict[str, float]:
    by_name = {r.name: r for r in results}
    ratio = by_name["harvester"].msgs_per_s / by_name["compat32"].msgs_per_s
    return {
        "harvester_vs_compat32": ratio,
        "policy_default_vs_compat32": (
            by_name["policy.default"].msgs_per_s / by_name["compat32"].msgs_per_s
        ),
        "harvester_peak_rss_mb_small": small.peak_rss_mb,
        "harvester_peak_rss_mb_large": by_name["harvester"].peak_rss_mb,
    }


def write_json(path: Path, args: argparse.Namespace, results: Sequence[PassResult]) -> None:
    record = {
        "date": date.today().isoformat(),
        "command": "python benchmarks/bench_read.py " + " ".join(sys.argv[1:]),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "repeat": args.repeat,
        "passes": [
            {**asdict(r), "msgs_per_s": r.msgs_per_s, "mb_per_s": r.mb_per_s} for r in results
        ],
        "summary": summary(results[:-1], results[-1]),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def run_all(args: argparse.Namespace) -> list[PassResult]:
    out_dir: Path = args.out_dir
    large = ensure_mbox(out_dir, args.messages, args.seed)
    small = ensure_mbox(out_dir, args.small, args.seed)
    for path in (large, small):
        warm_cache(path)
    results = [best_of(name, large, args.repeat) for name in PASS_NAMES]
    results.append(best_of("harvester", small, args.repeat))
    expected = {large.name: args.messages, small.name: args.small}
    for warning in check_counts(results, expected):
        print(warning)
    return results


def report(args: argparse.Namespace, results: Sequence[PassResult]) -> None:
    print(format_table(results))
    facts = summary(results[:-1], results[-1])
    verdict = "ok" if facts["harvester_vs_compat32"] >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"\nharvester / compat32 throughput: {facts['harvester_vs_compat32']:.2f} "
        f"(target >= {TARGET_RATIO:.2f}: {verdict}); "
        f"policy.default / compat32: {facts['policy_default_vs_compat32']:.2f}"
    )
    print(
        f"harvester peak RSS: {facts['harvester_peak_rss_mb_small']:.1f} MB at {args.small} "
        f"messages, {facts['harvester_peak_rss_mb_large']:.1f} MB at {args.messages} messages"
    )
    json_path = args.out_dir / "results.json"
    write_json(json_path, args, results)
    print(f"wrote {json_path}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=50_000, help="messages in the main file")
    parser.add_argument("--small", type=int, default=10_000, help="messages in the memory check")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--repeat", type=int, default=1, help="runs per pass; the best is kept")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT, help="where files go")
    parser.add_argument("--child", choices=PASS_NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        child_main(args.child, args.file)
        return
    report(args, run_all(args))


if __name__ == "__main__":
    main()
