"""The dashboard's data from the database (web.Backend), and serving it: `harvest serve` and the
daemon. The web layer gets plain dicts in the CLI's JSON shapes; a vote page shows the stored
count, which every write that changes the vote (poll, correction, recount) stores again."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from harvester import metrics
from harvester.app import corrections
from harvester.app.record import stored_roster
from harvester.config import Settings
from harvester.core.report import iso_or_none, iso_utc
from harvester.errors import HarvesterError
from harvester.model import Dismissal, Roster
from harvester.projects_config import follows_many, settings_for
from harvester.store import corrections as stored_corrections
from harvester.store import people, votes
from harvester.web import Backend, Correction, IdentityJudgement, Security, create_app
from harvester.web import Dismissal as WebDismissal

log = logging.getLogger("harvester.web")


@dataclass
class Heartbeat:
    """Whether the daemon's scheduler still ticks: /healthz fails when it stopped."""

    every: float  # seconds between ticks
    running: bool = False
    last: float | None = None  # time.monotonic() of the last tick that finished

    def beat(self) -> None:
        self.last = time.monotonic()

    def state(self) -> str:
        if not self.running:
            return "stopped"
        if self.last is None:
            return "ok"  # the first tick is still running
        late = time.monotonic() - self.last
        if late > 3 * self.every + 300:  # a tick polling many votes may run for minutes
            return f"no tick finished for {late:.0f} s"
        return "ok"


@dataclass
class DatabaseBackend(Backend):
    engine: AsyncEngine
    settings: Settings
    clock: Callable[[], datetime]
    heartbeat: Heartbeat | None = None  # None: no scheduler in this process (`harvest serve`)

    async def votes(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            found = await votes.vote_summaries(connection)
        return [_summary(row, summary) for row, summary in reversed(found)]

    async def vote(self, vote_id: int) -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            row = await votes.get_vote(connection, vote_id)
            if row is None:
                return None
            # The stored count: every write that changes it (a poll, a correction, a recount)
            # stores it again, so a view never counts.
            count = await votes.current_count(connection, vote_id)
            report = count.report if count else None
            draft = count.draft if count else None
            in_force = await stored_corrections.in_force(connection, vote_id)
            mails = await votes.vote_drafts(connection, vote_id)
            audit = await stored_corrections.audit_entries(connection, vote_id)
        detail = _summary(row, report)
        detail.update(
            closed_by=row.closed_by,
            profile=row.profile,
            electorate=row.electorate,
            report=report,
            corrections=[_override(c) for c in in_force if c.kind == stored_corrections.OVERRIDE],
            draft=draft,
            mails=[_mail(m) for m in mails],
            audit=[_audit(a) for a in audit],
        )
        return detail

    async def roster(self, project: str = "") -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            found = await stored_roster(connection, settings_for(self.settings, project))
        if found is None:
            return None
        return {"source": found.source, "taken_at": None, "members": votes.roster_json(found)}

    async def person(self, member_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            rosters = await _rosters_of_person(connection, self.settings)
            record = await people.person_record(connection, member_id)
        members = [m for roster in rosters for m in votes.roster_json(roster)]
        member = next((m for m in members if m["id"] == member_id), None)
        if member is None and not record.ballots:
            return None
        return {
            "id": member_id,
            "member": member,
            "open_votes": person_open_votes(record),
            "ballots": [_person_ballot(b) for b in record.ballots],
        }

    async def correct(self, vote_id: int, change: Correction, actor: str) -> None:
        asked = corrections.Change(
            url=change.url,
            reason=change.reason,
            value=change.value,
            binding=change.binding,
            member_id=change.member_id,
            clear=change.clear,
        )
        await corrections.correct(self.engine, self.settings, vote_id, asked, actor, self.clock())

    async def dismiss(self, vote_id: int, dismissal: WebDismissal, actor: str) -> None:
        asked = Dismissal(dismissal.url, dismissal.review, dismissal.note)
        await corrections.dismiss(self.engine, self.settings, vote_id, asked, actor, self.clock())

    async def judge_identity(self, vote_id: int, judgement: IdentityJudgement, actor: str) -> None:
        word = corrections.IdentityWord(
            judgement.url, judgement.note, judgement.member_id, judgement.confirmed
        )
        await corrections.judge_identity(
            self.engine, self.settings, vote_id, word, actor, self.clock()
        )

    async def health(self) -> dict[str, str]:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            database = "ok"
        except Exception as error:  # any failure is the answer, not a crash
            database = f"{type(error).__name__}: {error}".splitlines()[0]
        scheduler = self.heartbeat.state() if self.heartbeat else "absent"
        return {"database": database, "scheduler": scheduler}

    async def update_gauges(self) -> None:
        async with self.engine.connect() as connection:
            open_votes = await votes.list_votes(connection, status=votes.OPEN)
        metrics.OPEN_VOTES.set(len(open_votes))


def _summary(row: votes.VoteRow, report: Mapping[str, Any] | None) -> dict[str, Any]:
    """VoteSummary from the vote and its count's report (or the report's stored summary)."""
    return {
        "id": row.id,
        "project": row.project,
        "title": row.title,
        "status": row.status,
        "rule": row.rule,
        "opened_at": iso_or_none(row.opened_at),
        "closes_at": iso_or_none(row.closes_at),
        "passes": report.get("passes") if report else None,
        "explanation": report.get("explanation") if report else None,
        "counts": report.get("counts") if report else None,
    }


def _person_ballot(row: people.PersonBallot) -> dict[str, Any]:
    details = row.details
    return {
        "vote": {"id": row.vote_id, "title": row.vote_title, "status": row.vote_status},
        "voter": row.voter,
        "value": row.value,
        "binding": row.binding,
        "counted": row.counted,
        "effective": row.effective,
        "late": bool(details.get("late")),
        "changed": bool(details.get("changed")),
        "match": details.get("match"),
        "flags": list(details.get("flags") or []),
        "raw": row.raw,
        "url": row.url,
        "mirrors": list(details.get("mirrors") or []),
        "cast_at": iso_utc(row.cast_at),
    }


def person_open_votes(record: people.PersonRecord) -> list[dict[str, Any]]:
    """The open votes waiting for the person's ballot and those holding it, closing soonest
    first, each with the person's ballot there: the counted one when a vote also shows others
    of theirs (a late or a blocked one)."""
    entries = {w.id: _open_entry(w.id, w.title, w.closes_at) for w in record.waiting}
    for ballot in record.ballots:
        if ballot.vote_status != votes.OPEN or not ballot.effective:
            continue
        entry = entries.setdefault(
            ballot.vote_id, _open_entry(ballot.vote_id, ballot.vote_title, ballot.vote_closes_at)
        )
        if entry["ballot"] is None or (ballot.counted and not entry["ballot"]["counted"]):
            entry["ballot"] = _person_ballot(ballot)
    return sorted(entries.values(), key=_closing_order)


def _open_entry(vote_id: int, title: str, closes_at: datetime | None) -> dict[str, Any]:
    return {"id": vote_id, "title": title, "closes_at": iso_or_none(closes_at), "ballot": None}


def _closing_order(entry: Mapping[str, Any]) -> tuple[bool, str, int]:
    # ISO UTC strings of one format sort as times do; no deadline goes last.
    closes_at = entry["closes_at"]
    return (closes_at is None, closes_at or "", int(entry["id"]))


def _override(row: stored_corrections.CorrectionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "value": row.value,
        "binding": row.binding,
        "member_id": row.member_id,
        "reason": row.reason,
        "by": row.actor,
        "at": iso_utc(row.created_at),
    }


def _audit(row: stored_corrections.AuditRow) -> dict[str, Any]:
    detail = "; ".join(f"{k}: {v}" for k, v in row.detail.items() if v is not None)
    return {"at": iso_utc(row.at), "actor": row.actor, "action": row.action, "detail": detail}


@asynccontextmanager
async def web_server(
    backend: DatabaseBackend, settings: Settings, *, port: int | None = None
) -> AsyncIterator[str]:
    """The dashboard served on [web] host:port while the block runs; yields its base URL."""
    web_settings = settings.web
    security = Security(
        session_key=web_settings.session_key.get_secret_value(),
        session_hours=web_settings.session_hours,
        login_attempts=web_settings.login_attempts,
        login_window_minutes=web_settings.login_window_minutes,
        request_timeout=web_settings.request_timeout,
        public_cache_seconds=web_settings.public_cache_seconds,
    )
    token = web_settings.token.get_secret_value()
    app = create_app(backend, token=token, clock=backend.clock, security=security)
    # keepalive_timeout also closes a connection that has not sent a whole request by then.
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=web_settings.request_timeout)
    await runner.setup()
    host = settings.web.host
    site = web.TCPSite(runner, host, settings.web.port if port is None else port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        where = f"web {host}:{settings.web.port}"
        raise HarvesterError(where, f"cannot listen ({error.strerror or error})") from None
    bound = _bound_port(runner, settings.web.port)
    url = f"http://{host}:{bound}"
    log.info("dashboard on %s%s", url, "" if token else " (read-only: no token)")
    try:
        yield url
    finally:
        await runner.cleanup()


def _bound_port(runner: web.AppRunner, asked: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return asked


def _mail(line: votes.DraftLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "subject": line.subject,
        "state": line.state,
        "kind": line.kind,
        "channel": line.channel or None,
        "target": line.target or None,
        "detail": line.detail or None,
    }


async def _rosters_of_person(connection: AsyncConnection, settings: Settings) -> list[Roster]:
    """Where a person is looked up: the config's roster, or with many projects each project's
    newest snapshot (a member of any of them)."""
    if follows_many(settings):
        return await votes.newest_rosters(connection)
    found = await stored_roster(connection, settings)
    return [found] if found is not None else []
