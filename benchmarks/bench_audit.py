"""How well `harvest audit` checks [RESULT] mails: a generated archive of votes whose results are
right, or wrong in one planted way each, against what the audit reports.

    .venv/bin/python benchmarks/bench_audit.py [--votes 1000] [--seed 1] [--share 0.3]

The archive (benchmarks/audit_mails.py, seeded) is written to benchmarks/out/: the mbox, the
roster (TOML), an empty settings file (so no local config changes the rules) and the ground
truth (one JSON object a vote: its rule, counts, outcome, result shape and planted error). Then
one process runs

    harvest audit --thread FILE.mbox --roster ROSTER.toml --config EMPTY.toml --format json

and every vote is checked:
- a planted error is found when at least one difference of its vote names the voter involved
  (full name, display name or ASF id) or, for an error of numbers, the number stated;
- a clean result (exactly what harvester should count) must have no difference at all;
- every vote must be audited, with the counts and outcome the generator meant.

Prints the table (votes, planted by kind, found, missed, false differences, wall seconds) and
every miss and false difference; exit 1 when anything is missed, falsely reported, not audited
or counted otherwise than meant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_mails import KINDS, SHAPES, Archive, Vote, make_archive, roster_toml, write_mbox

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HARVEST = [sys.executable, "-c", "from harvester.app.cli import main; raise SystemExit(main())"]


@dataclass
class Finding:
    vote: Vote
    text: str  # what was planted, or what disagrees
    reported: list[str]  # the audit's differences for the vote
    miscounted: bool = False  # the vote's ballots were not counted as the generator meant


@dataclass
class Report:
    votes: int = 0
    audited: int = 0
    planted: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    clean: int = 0
    by_shape: dict[str, Counter[str]] = field(default_factory=dict)
    misses: list[Finding] = field(default_factory=list)
    false: list[Finding] = field(default_factory=list)  # clean, counted as meant, differences
    unaudited: list[Vote] = field(default_factory=list)
    miscounted: list[Finding] = field(default_factory=list)
    wall: float = 0.0
    mails: int = 0

    @property
    def false_differences(self) -> int:
        return sum(len(f.reported) for f in self.false)

    @property
    def clean_miscounted(self) -> int:
        return sum(1 for f in self.miscounted if f.vote.planted is None)

    @property
    def failed(self) -> bool:
        return bool(self.misses or self.false or self.unaudited or self.miscounted)


# --- generating ----------------------------------------------------------------------------------


def generate(votes: int, seed: int, share: float, shapes: Sequence[str]) -> tuple[Archive, Path]:
    """Write the archive's files to benchmarks/out/ and return it with the mbox's path."""
    OUT.mkdir(parents=True, exist_ok=True)
    only = "" if list(shapes) == list(SHAPES) else "-" + "+".join(shapes)
    stem = OUT / f"audit-{votes}-seed{seed}{only}"
    archive = make_archive(seed, votes, share, shapes)
    mbox = stem.with_suffix(".mbox")
    write_mbox(archive, str(mbox), seed)
    stem.with_suffix(".roster.toml").write_text(roster_toml(archive.people), encoding="utf-8")
    stem.with_suffix(".config.toml").write_text("# no settings: the built-in defaults\n")
    truth = "".join(json.dumps(v.truth(), ensure_ascii=False) + "\n" for v in archive.votes)
    stem.with_suffix(".truth.jsonl").write_text(truth, encoding="utf-8")
    return archive, mbox


def audit(mbox: Path, jobs: int) -> tuple[float, list[dict[str, Any]]]:
    """Wall seconds and the JSON objects of one `harvest audit` run."""
    stem = mbox.with_suffix("")
    command = [
        *HARVEST,
        "audit",
        "--thread",
        str(mbox),
        "--roster",
        str(stem.with_suffix(".roster.toml")),
        "--config",
        str(stem.with_suffix(".config.toml")),
        "--format",
        "json",
        "--jobs",
        str(jobs),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARVESTER_")}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"harvest audit exited {done.returncode}")
    lines = done.stdout.decode().splitlines()
    return wall, [json.loads(line) for line in lines if line.strip()]


# --- checking ------------------------------------------------------------------------------------


def reported_for(
    needles: tuple[tuple[str, ...], ...], differences: Sequence[str], counted_binding: int
) -> bool:
    """Whether one difference matches every pattern of one alternative of `needles`."""
    return any(
        all(
            re.search(pattern.replace("COUNTED_BINDING", str(counted_binding)), d, re.IGNORECASE)
            for pattern in alternative
        )
        for alternative in needles
        for d in differences
    )


def _counts_of(item: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        k: {v: int(n) for v, n in item["counts"][k].items()} for k in ("binding", "non_binding")
    }


def check(archive: Archive, audited: Sequence[dict[str, Any]]) -> Report:
    """Each vote against its audit: planted errors found or missed; differences on clean
    results counted as meant (the result misread); votes counted otherwise than meant (the
    ballots misread: their differences follow from the count, not from the result)."""
    report = Report(votes=len(archive.votes), mails=len(archive.mails))
    by_title = {item["title"]: item for item in audited}
    for vote in archive.votes:
        shape = report.by_shape.setdefault(vote.shape, Counter())
        shape["votes"] += 1
        if vote.planted is not None:
            report.planted[vote.planted.kind] += 1
            shape["planted"] += 1
        else:
            report.clean += 1
            shape["clean"] += 1
        item = by_title.get(vote.title)
        if item is None:
            report.unaudited.append(vote)
            if vote.planted is not None:
                report.misses.append(Finding(vote, vote.planted.detail, []))
                shape["missed"] += 1
            continue
        report.audited += 1
        differences = list(item["announced"]["differences"])
        counted = _counts_of(item)
        miscounted = counted != vote.counts or item["status"] != vote.status
        if miscounted:
            meant = f"{_short(vote.counts)} {vote.status}"
            got = f"{_short(counted)} {item['status']}"
            report.miscounted.append(Finding(vote, f"meant {meant}; counted {got}", differences))
            shape["miscounted"] += 1
        if vote.planted is None:
            if differences and not miscounted:
                report.false.append(Finding(vote, "clean result", differences))
                shape["misread"] += 1
            continue
        binding = sum(counted["binding"].values())
        if reported_for(vote.planted.needles, differences, binding):
            report.found[vote.planted.kind] += 1
            shape["found"] += 1
        else:
            report.misses.append(Finding(vote, vote.planted.detail, differences, miscounted))
            shape["missed"] += 1
    return report


def _short(counts: dict[str, dict[str, int]]) -> str:
    b, n = counts["binding"], counts["non_binding"]
    return f"binding {b['+1']}/{b['0']}/{b['-1']}, non-binding {n['+1']}/{n['0']}/{n['-1']}"


# --- printing ------------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[object]], markdown: bool) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    numeric = [
        all(re.fullmatch(r"[\d.,]*", row[i]) for row in cells[1:]) for i in range(len(widths))
    ]

    def line(row: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ]
        return f"| {' | '.join(parts)} |" if markdown else "  ".join(parts).rstrip()

    out = [line(cells[0])]
    if markdown:
        rules = [
            ("-" * (w + 1) + ":") if num else "-" * (w + 2)
            for w, num in zip(widths, numeric, strict=True)
        ]
        out.append("|" + "|".join(rules) + "|")
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


def summary(report: Report, markdown: bool) -> str:
    head: list[list[object]] = [
        [
            "votes",
            "audited",
            "clean",
            "clean with false differences",
            "false differences",
            "votes miscounted",
            "wall s",
        ],
        [
            report.votes,
            report.audited,
            report.clean,
            len(report.false),
            report.false_differences,
            len(report.miscounted),
            f"{report.wall:.2f}",
        ],
    ]
    kinds: list[list[object]] = [["planted error", "planted", "found", "missed"]]
    for kind in KINDS:
        planted = report.planted[kind]
        kinds.append([kind, planted, report.found[kind], planted - report.found[kind]])
    total, found = sum(report.planted.values()), sum(report.found.values())
    kinds.append(["all", total, found, total - found])
    shapes: list[list[object]] = [
        [
            "result shape",
            "votes",
            "clean",
            "clean with false differences",
            "planted",
            "found",
            "missed",
            "miscounted",
        ]
    ]
    for shape in SHAPES:
        c = report.by_shape.get(shape)
        if c is not None:
            shapes.append(
                [
                    shape,
                    c["votes"],
                    c["clean"],
                    c["misread"],
                    c["planted"],
                    c["found"],
                    c["missed"],
                    c["miscounted"],
                ]
            )
    return "\n\n".join(_table(rows, markdown) for rows in (head, kinds, shapes))


def _finding(finding: Finding, show_mail: bool) -> str:
    vote = finding.vote
    kind = vote.planted.kind if vote.planted else "clean"
    note = " (ballots miscounted too)" if finding.miscounted else ""
    lines = [f"- {vote.title}  [{vote.shape}; {kind}] {finding.text}{note}"]
    lines += [f"    reported: {d}" for d in finding.reported] or ["    reported: nothing"]
    if show_mail:
        lines += ["    | " + line for line in vote.result_body.rstrip().split("\n")]
    return "\n".join(lines)


def forms(report: Report, names: Sequence[str]) -> str:
    """The false differences by result shape and sentence form (names and numbers taken out)."""
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    counted: Counter[tuple[str, str]] = Counter()
    for finding in report.false:
        for difference in finding.reported:
            form = re.sub(r"\d+", "N", pattern.sub("NAME", difference))
            counted[(finding.vote.shape, form)] += 1
    return "\n".join(f"{n:5d}  {shape:<15} {form}" for (shape, form), n in counted.most_common())


def details(report: Report, show_mail: bool, names: Sequence[str]) -> str:
    parts = []
    if report.misses:
        parts.append(f"MISSED ({len(report.misses)}):")
        parts += [_finding(f, show_mail) for f in report.misses]
    if report.false:
        parts.append(
            f"\nFALSE DIFFERENCES ({report.false_differences} on {len(report.false)} clean "
            "votes counted as meant), by form:"
        )
        parts.append(forms(report, names))
        parts.append("\nEach of them:")
        parts += [_finding(f, show_mail) for f in report.false]
    if report.unaudited:
        parts.append(f"\nNOT AUDITED ({len(report.unaudited)}):")
        parts += [f"- {v.title}  [{v.shape}]" for v in report.unaudited]
    if report.miscounted:
        parts.append(
            f"\nCOUNTED OTHERWISE THAN MEANT ({len(report.miscounted)} votes, "
            f"{report.clean_miscounted} of them clean; their differences follow from the count):"
        )
        parts += [_finding(f, show_mail) for f in report.miscounted]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--votes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--share", type=float, default=0.3, help="share of results made wrong")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--shapes", default=",".join(SHAPES), help=f"result shapes to use (of {', '.join(SHAPES)})"
    )
    parser.add_argument("--markdown", action="store_true", help="tables as Markdown")
    parser.add_argument("--show-mail", action="store_true", help="print each listed result mail")
    args = parser.parse_args(argv)
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown:
        parser.error(f"unknown shapes: {', '.join(unknown)}")
    start = time.perf_counter()
    archive, mbox = generate(args.votes, args.seed, args.share, shapes)
    generated = time.perf_counter() - start
    mbox.read_bytes()  # into the page cache before the timed run
    wall, audited = audit(mbox, args.jobs)
    report = check(archive, audited)
    report.wall = wall
    size = mbox.stat().st_size / 1e6
    print(
        f"{mbox.name}: {report.votes} votes, {report.mails} mails, {size:.1f} MB "
        f"(generated in {generated:.1f} s); harvest audit --jobs {args.jobs}: {wall:.2f} s\n"
    )
    print(summary(report, args.markdown))
    names = sorted({n for p in archive.everyone for n in (p.name, p.display, p.asf_id) if n})
    listed = details(report, args.show_mail, names)
    if listed:
        print("\n" + listed)
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
