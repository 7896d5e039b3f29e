"""`harvest audit`: recount every vote of an archive that has a [RESULT], and set what each
result announced against the count: a table (vote, announced, counted, differences), or one
JSON object a vote.

The archive is a mail file (every vote in it), or a list on lists.apache.org
("https://lists.apache.org/list.html?dev@tvm.apache.org"): its [VOTE] and [RESULT] threads are
found month by month since --since, and each vote is read with its result thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from harvester.app.counting import VoteResult
from harvester.app.discover import ThreadRole, list_threads, months_between
from harvester.app.fetch import Fetcher, http_options
from harvester.app.harvest import HarvestRequest, harvest, is_url
from harvester.app.output import shown
from harvester.app.progress import TerminalProgress
from harvester.config import Settings, load_settings
from harvester.core.report import announced_json, iso_utc
from harvester.core.threads import vote_key
from harvester.errors import UsageError
from harvester.sources.http import HttpClient

DEFAULT_MONTHS = 12  # a list is audited this far back when --since is not given
_LIST_ADDRESS = re.compile(r"([\w.+-]+@[\w.-]+\.\w+)")


@dataclass(frozen=True)
class Audited:
    """One vote with a result: what it announced against what the threads hold."""

    result: VoteResult

    @property
    def announced(self) -> dict[str, Any]:
        said = announced_json(self.result.outcome.announced)
        return said if said is not None else {"counts": {}, "differences": []}

    def as_json(self) -> dict[str, object]:
        tally, outcome = self.result.tally, self.result.outcome
        counted = {
            name: {"+1": c.plus, "0": c.zero, "-1": c.minus}
            for name, c in (("binding", outcome.binding), ("non_binding", outcome.non_binding))
        }
        return {
            "title": tally.title,
            "url": tally.call_url,
            "opened_at": iso_utc(tally.window.opened_at),
            "status": outcome.status.value,
            "counts": counted,
            "announced": self.announced,
        }


def parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError("--since", f"not a date (YYYY-MM-DD): {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_of(url: str) -> str | None:
    """The list address of a lists.apache.org list URL, or None for any other URL."""
    parts = urlsplit(url)
    if "/thread/" in parts.path or not parts.path.startswith(("/list", "/api/stats")):
        return None
    found = _LIST_ADDRESS.search(unquote(parts.query) or unquote(parts.path))
    return found.group(1) if found else None


async def _list_votes(
    fetcher: Fetcher, url: str, address: str, since: datetime, now: datetime
) -> list[tuple[str, ...]]:
    """The votes of a list since `since` that have a result: (call thread, result thread)."""
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    calls: dict[str, str] = {}
    results: dict[str, str] = {}
    for month in months_between(since, now):
        for found in await list_threads(fetcher.client, base, address, month):
            if found.opened_at < since and found.role is ThreadRole.CALL:
                continue
            table = calls if found.role is ThreadRole.CALL else results
            table.setdefault(vote_key(found.title), found.url)
    return [(call, results[key]) for key, call in calls.items() if key in results]


async def _audit(
    spec: str, args: argparse.Namespace, settings: Settings, now: datetime, err: TextIO
) -> list[Audited]:
    since = parse_since(args.since)
    progress = TerminalProgress(err)
    async with HttpClient(http_options(settings)) as client:
        fetcher = Fetcher(client, settings, progress.for_source)
        address = list_of(spec) if is_url(spec) else None
        if address is not None:
            start = since or now - timedelta(days=31 * DEFAULT_MONTHS)
            votes = await _list_votes(fetcher, spec, address, start, now)
        else:
            votes = [(spec,)]
        found: list[VoteResult] = []
        for threads in votes:
            request = HarvestRequest(
                threads=threads,
                roster=tuple(args.roster or ()),
                committee=args.committee,
                jobs=args.jobs,
            )
            found += await harvest(request, settings, now, fetcher, progress.bar)
    return [
        Audited(r)
        for r in found
        if r.outcome.announced is not None and (since is None or r.tally.window.opened_at >= since)
    ]


def _said(counts: dict[str, int | None] | None) -> str:
    if counts is None:
        return "-"
    return " ".join(f"{key} {'?' if n is None else n}" for key, n in counts.items())


def _counted(item: Audited) -> str:
    outcome = item.result.outcome
    b, n = outcome.binding, outcome.non_binding
    return (
        f"+1 {b.plus} 0 {b.zero} -1 {b.minus} / "
        f"+1 {b.plus + n.plus} 0 {b.zero + n.zero} -1 {b.minus + n.minus} "
        f"({outcome.status.value})"
    )


def table(audited: Sequence[Audited]) -> str:
    """vote | announced | counted | differences, then each difference under its vote."""
    rows = [("vote", "announced (binding / in all)", "counted (binding / in all)", "differences")]
    notes: list[list[str]] = [[]]
    for item in audited:
        said = item.announced
        differences = said["differences"]
        counts = said["counts"]
        announced = f"{_said(counts.get('binding'))} / {_said(counts.get('total'))}"
        title = shown(item.result.tally.title)[:50]
        count = str(len(differences)) if differences else "none"
        rows.append((title, announced, _counted(item), count))
        notes.append([shown(d) for d in differences])
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row, under in zip(rows, notes, strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        lines += [f"    - {note}" for note in under]
    differing = sum(1 for item in audited if item.announced["differences"])
    lines.append(f"\n{len(audited)} votes with a result, {differing} with differences")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = load_settings(args.config, os.environ)
    now = datetime.now(UTC)
    audited: list[Audited] = []
    for spec in args.thread:
        audited += asyncio.run(_audit(spec, args, settings, now, err))
    if args.format == "json":
        out.write("".join(json.dumps(a.as_json(), ensure_ascii=False) + "\n" for a in audited))
    else:
        out.write(table(audited))
    return 0
