"""`harvest daemon`, `harvest votes list|show|recount`, `harvest send`: the stored-vote commands."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

from harvester.app import corrections, logs, record
from harvester.app.arguments import parse_rule
from harvester.app.counting import VoteResult
from harvester.app.daemon import on_signals, run_daemon
from harvester.app.db_command import database_errors
from harvester.app.deliver import send_draft, send_post, worker_name
from harvester.app.fetch import Fetcher, http_options
from harvester.app.hold import settle_held
from harvester.app.output import as_json_line, as_text, shown
from harvester.app.parsers import LARGEST_ID
from harvester.app.post import Poster
from harvester.app.webapp import DatabaseBackend, web_server
from harvester.config import Settings, load_settings
from harvester.core.proof import digest_of, what_changed
from harvester.core.report import iso_or_none
from harvester.core.rules import parse_rule_name
from harvester.errors import SelectionError
from harvester.model import Dismissal, RuleName
from harvester.sources.http import HttpClient
from harvester.sources.roster import load_rosters
from harvester.store import votes
from harvester.store.db import check_current, engine_for

T = TypeVar("T")


def _settings(args: argparse.Namespace) -> tuple[Settings, str]:
    settings = load_settings(args.config, os.environ)
    return settings, args.db or settings.database.url


def _with_database(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(engine)` on a current schema; database trouble is one line."""

    async def run() -> T:
        engine = engine_for(url)
        try:
            await check_current(engine, url)
            return await work(engine)
        finally:
            await engine.dispose()

    with database_errors(url):
        return asyncio.run(run())


# -- harvest daemon ---------------------------------------------------------------------------


def run_daemon_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings, url = _settings(args)
    logs.configure(err, args.log_level, args.log_format or settings.log.format)
    with database_errors(url):
        asyncio.run(run_daemon(settings, url))
    return 0


def run_serve_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings, url = _settings(args)
    web_settings = settings.web.model_copy(
        update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    )
    settings = settings.model_copy(update={"web": web_settings})
    logs.configure(err, args.log_level, args.log_format or settings.log.format)
    with database_errors(url):
        asyncio.run(serve(settings, url))
    return 0


async def serve(settings: Settings, url: str, stop: asyncio.Event | None = None) -> None:
    """The dashboard alone (no polling), until SIGTERM/SIGINT or `stop`."""
    stop = stop or asyncio.Event()
    engine = engine_for(url)
    try:
        await check_current(engine, url)
        backend = DatabaseBackend(engine, settings, lambda: datetime.now(UTC))
        async with web_server(backend, settings):
            on_signals(stop)
            await stop.wait()
    finally:
        await engine.dispose()
    logging.getLogger("harvester.web").info("harvest serve stopped")


# -- harvest votes ----------------------------------------------------------------------------


def _existing(vote_id: int) -> int:
    """A vote ID no database column can hold names no vote."""
    if vote_id > LARGEST_ID:
        raise SelectionError(f"vote {vote_id}", "no such vote in the database")
    return vote_id


def run_votes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings, url = _settings(args)
    if args.action in ("override", "dismiss", "confirm", "reject"):
        return _run_correction(args, settings, url, out)
    if args.action == "list":
        rows = _with_database(url, lambda e: _list(e, args.status, args.project))
        out.write(_list_text(rows) if args.format == "text" else _list_json(rows))
        return 0
    vote_id = _existing(args.id)
    if args.action == "verify":
        said, agrees = _with_database(url, lambda e: _verify(e, vote_id, settings))
        out.write(f"vote {vote_id}: {said}\n")
        return 0 if agrees else 1
    if args.action == "show":
        count, drafts = _with_database(url, lambda e: _shown(e, vote_id))
        if args.format == "json":
            out.write(json.dumps(count.report, ensure_ascii=False) + "\n")
        else:
            out.write(_show_text(vote_id, count, drafts))
        return 0
    rule = parse_rule(args.rule)
    roster = load_rosters(args.roster, committee=args.committee) if args.roster else None
    result = _with_database(url, lambda e: _recount(e, vote_id, roster, settings, rule))
    out.write(as_json_line(result) + "\n" if args.format == "json" else as_text(result))
    return 0


def _run_correction(args: argparse.Namespace, settings: Settings, url: str, out: TextIO) -> int:
    vote_id = _existing(args.id)
    actor = args.by or os.environ.get("USER") or "cli"
    now = datetime.now(UTC)
    if args.action == "override":
        change = corrections.Change(
            url=args.url,
            reason=args.reason or "",
            value=args.value,
            binding=None if args.binding is None else args.binding == "yes",
            member_id=args.member,
            clear=args.clear,
        )
        _with_database(url, lambda e: corrections.correct(e, settings, vote_id, change, actor, now))
        out.write(f"vote {vote_id}: {'cleared' if args.clear else 'corrected'} {args.url}\n")
        return 0
    if args.action in ("confirm", "reject"):
        word = corrections.IdentityWord(
            args.url, args.note or "", args.member, confirmed=args.action == "confirm"
        )
        sender = _with_database(
            url, lambda e: corrections.judge_identity(e, settings, vote_id, word, actor, now)
        )
        done = "confirmed" if word.confirmed else "rejected"
        out.write(f"vote {vote_id}: {done} {sender} for every vote\n")
        return 0
    dismissal = Dismissal(args.url, args.review or "", args.note or "")
    _with_database(url, lambda e: corrections.dismiss(e, settings, vote_id, dismissal, actor, now))
    out.write(f"vote {vote_id}: dismissed {args.review!r}\n")
    return 0


async def _list(engine: Any, status: str | None, project: str | None) -> list[votes.VoteRow]:
    async with engine.connect() as connection:
        return await votes.list_votes(connection, status=status, project=project)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _list_text(rows: Sequence[votes.VoteRow]) -> str:
    """A tab-separated table; with a project column when a vote has a project."""
    named = any(r.project for r in rows)
    lines = ["id\t" + ("project\t" if named else "") + "status\trule\tcloses (UTC)\ttitle"]
    for r in rows:
        project = f"{r.project or '-'}\t" if named else ""
        lines.append(
            f"{r.id}\t{project}{r.status}\t{r.rule or '-'}\t{_when(r.closes_at)}\t{r.title}"
        )
    return "\n".join(lines) + "\n"


def _list_json(rows: Sequence[votes.VoteRow]) -> str:
    return "".join(
        json.dumps(
            {
                "id": r.id,
                "project": r.project,
                "title": r.title,
                "status": r.status,
                "rule": r.rule,
                "profile": r.profile,
                "opened_at": iso_or_none(r.opened_at),
                "closes_at": iso_or_none(r.closes_at),
                "closed_by": r.closed_by,
            }
        )
        + "\n"
        for r in rows
    )


async def _latest(engine: Any, vote_id: int) -> votes.StoredCount:
    async with engine.connect() as connection:
        if await votes.get_vote(connection, vote_id) is None:
            raise SelectionError(f"vote {vote_id}", "no such vote in the database")
        count = await votes.current_count(connection, vote_id)
    if count is None:
        raise SelectionError(f"vote {vote_id}", "has not been counted yet")
    return count


async def _shown(engine: Any, vote_id: int) -> tuple[votes.StoredCount, list[votes.DraftLine]]:
    count = await _latest(engine, vote_id)
    async with engine.connect() as connection:
        return count, await votes.vote_drafts(connection, vote_id)


def _counts_line(counts: dict[str, dict[str, int]]) -> str:
    def said(part: dict[str, int]) -> str:
        return f"+1 {part['+1']}, 0 {part['0']}, -1 {part['-1']}"

    return f"binding {said(counts['binding'])}   non-binding {said(counts['non_binding'])}"


def _ballot_mark(ballot: dict[str, Any]) -> str:
    marks = [word for word in ("late", "changed") if ballot.get(word)]
    if ballot.get("counted") is False:
        marks.append("not counted")
    if "corrected" in ballot.get("flags", []):
        marks.append("corrected")
    return f"{ballot['value']}" + (f" ({', '.join(marks)})" if marks else "")


def _sections(
    report: dict[str, Any], drafts: Sequence[votes.DraftLine]
) -> list[tuple[str, list[str]]]:
    review, fixed, dismissed = (report.get(k, []) for k in ("review", "corrections", "dismissed"))
    return [
        ("needs review:", [f"{shown(i['reason'])} <{i['url']}>" for i in review]),
        ("corrected:", [f"{i['url']} by {i['by']}: {i['reason']}" for i in fixed]),
        (
            "dismissed:",
            [f"{i['url']} by {i['by']}: {i['reason']} ({i['note']})" for i in dismissed],
        ),
        ("mails:", [_draft_line(d) for d in drafts]),
    ]


def _draft_line(draft: votes.DraftLine) -> str:
    """ "draft 4 (sent): [RESULT][VOTE] X", with the kind and channel when it is not the mail
    of a result."""
    how = [
        k
        for k in (draft.kind != "result" and draft.kind, draft.channel != "mail" and draft.channel)
        if k
    ]
    where = f" to {draft.target}" if draft.target and draft.channel != "mail" else ""
    label = f" {' '.join(how)}" if how else ""
    return f"draft {draft.id}{label} ({draft.state}){where}: {shown(draft.subject)}"


def _show_text(vote_id: int, count: votes.StoredCount, drafts: Sequence[votes.DraftLine]) -> str:
    """What the vote's page shows, as text: outcome, all counts, every ballot with its marks,
    what needs review, corrections, the result draft and the mails sent of it."""
    report = count.report
    window = f"opened {report.get('opened_at') or '-'}, closes {report.get('closes_at') or '-'}"
    if report.get("closed_by"):
        window += f" ({report['closed_by']})"
    lines = [
        f"#{vote_id} {shown(report['title'])}",
        f"{report['status']} ({report['rule']}); {window}",
        report["explanation"],
        _counts_line(report["counts"]),
        "",
        "ballots:",
    ]
    marks = [_ballot_mark(b) for b in report["ballots"]]
    width = max((len(m) for m in marks), default=0)
    for ballot, mark in zip(report["ballots"], marks, strict=True):
        binding = "binding" if ballot["binding"] else "non-binding"
        voter = shown(ballot["voter"])
        lines.append(f"  {mark:<{width}}  {binding:<11}  {voter}: {shown(ballot['raw'])}")
    for title, items in _sections(report, drafts):
        if items:
            lines += ["", title, *(f"  {item}" for item in items)]
    if count.draft is not None:
        subject, body = count.draft["subject"], count.draft["body"]
        lines += ["", "result draft:", f"Subject: {subject}", "", body]
    return "\n".join(lines).rstrip("\n") + "\n"


async def _verify(engine: Any, vote_id: int, settings: Settings) -> tuple[str, bool]:
    """The stored count's digest against one recomputed from what is stored now."""
    count = await _latest(engine, vote_id)
    before, digest = count.report.get("digest_parts"), count.report.get("digest")
    if not before or not digest:
        raise SelectionError(f"vote {vote_id}", "was counted before digests were kept")
    if digest_of(before) != digest:
        return f"the stored count's parts do not give its digest {digest}", False
    async with engine.connect() as connection:
        rule = parse_rule_name(str(count.report.get("rule", "")))
        now = datetime.now(UTC)
        result = await record.recount(connection, vote_id, None, settings, now, rule=rule)
    proof = result.outcome.proof
    assert proof is not None  # every count has one
    changed = what_changed(before, proof.parts)
    if changed is None and proof.digest == digest:
        return f"the digest agrees: {digest}", True
    return f"{changed or 'the count changed'} (digest {digest}, now {proof.digest})", False


async def _recount(
    engine: Any, vote_id: int, roster: Any, settings: Settings, rule: RuleName | None
) -> VoteResult:
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        result = await record.recount(connection, vote_id, roster, settings, now, rule=rule)
        if roster is not None:
            await votes.save_roster(connection, roster, now)
        await record.save_count(connection, vote_id, result, now)
        await settle_held(connection, vote_id, result, settings, now)
    return result


# -- harvest send -----------------------------------------------------------------------------


def run_send(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings, url = _settings(args)
    draft_id = _existing(args.id)
    worker = worker_name(settings)

    async def send(engine: Any) -> Any:
        now = datetime.now(UTC)
        if args.channel == "mail":
            return await send_draft(
                engine, settings, draft_id, worker=worker, now=now, again=args.again
            )
        async with HttpClient(http_options(settings)) as client:
            poster = Poster(Fetcher(client, settings))
            return await send_post(
                engine, settings, draft_id, args.channel, poster, worker=worker, now=now
            )

    delivery = _with_database(url, send)
    out.write(f"draft {draft_id}: {delivery.said()}\n")
    return 0 if delivery.state == "sent" else 1
