"""People's corrections of a vote (overrides of one message's ballot, dismissed review items)
and the audit log. A correction is never updated in place: a later one for the same message
or review item revokes it, so the history of who changed what stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.store.tables import audit_log, corrections

OVERRIDE = "override"
DISMISSAL = "dismissal"


@dataclass(frozen=True)
class CorrectionRow:
    id: int
    vote_id: int
    kind: str
    url: str
    value: str | None
    binding: bool | None
    member_id: str | None
    review: str | None
    reason: str
    actor: str
    created_at: datetime


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    vote_id: int | None
    detail: dict[str, Any]


async def add_override(
    connection: AsyncConnection,
    vote_id: int,
    url: str,
    *,
    value: str | None,
    binding: bool | None,
    member_id: str | None,
    reason: str,
    actor: str,
    now: datetime,
) -> int:
    """The override of the ballot read from `url`; it replaces an earlier one for that message."""
    await _revoke(connection, vote_id, OVERRIDE, url, None, now)
    row = {"value": value, "binding": binding, "member_id": member_id}
    new_id = await _insert(connection, vote_id, OVERRIDE, url, row, reason, actor, now)
    await audit(connection, actor, "override", vote_id, {"url": url, **row, "reason": reason}, now)
    return new_id


async def clear_override(
    connection: AsyncConnection, vote_id: int, url: str, *, reason: str, actor: str, now: datetime
) -> bool:
    """Back to what was read from `url`; False when no override was in force."""
    cleared = await _revoke(connection, vote_id, OVERRIDE, url, None, now)
    if cleared:
        detail = {"url": url, "reason": reason}
        await audit(connection, actor, "clear-override", vote_id, detail, now)
    return cleared


async def add_dismissal(
    connection: AsyncConnection,
    vote_id: int,
    url: str,
    review: str,
    *,
    note: str,
    actor: str,
    now: datetime,
) -> int:
    await _revoke(connection, vote_id, DISMISSAL, url, review, now)
    new_id = await _insert(
        connection, vote_id, DISMISSAL, url, {"review": review}, note, actor, now
    )
    detail = {"url": url, "review": review, "note": note}
    await audit(connection, actor, "dismiss", vote_id, detail, now)
    return new_id


async def in_force(connection: AsyncConnection, vote_id: int) -> list[CorrectionRow]:
    """The corrections of a vote not revoked, oldest first."""
    result = await connection.execute(
        select(corrections)
        .where(corrections.c.vote_id == vote_id, corrections.c.revoked_at.is_(None))
        .order_by(corrections.c.id)
    )
    return [
        CorrectionRow(
            id=row.id,
            vote_id=row.vote_id,
            kind=row.kind,
            url=row.url,
            value=row.value,
            binding=row.binding,
            member_id=row.member_id,
            review=row.review,
            reason=row.reason,
            actor=row.actor,
            created_at=row.created_at,
        )
        for row in result
    ]


async def audit(
    connection: AsyncConnection,
    actor: str,
    action: str,
    vote_id: int | None,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    await connection.execute(
        insert(audit_log).values(at=now, actor=actor, action=action, vote_id=vote_id, detail=detail)
    )


async def audit_entries(connection: AsyncConnection, vote_id: int | None = None) -> list[AuditRow]:
    query = select(audit_log).order_by(audit_log.c.id)
    if vote_id is not None:
        query = query.where(audit_log.c.vote_id == vote_id)
    return [
        AuditRow(row.at, row.actor, row.action, row.vote_id, dict(row.detail))
        for row in await connection.execute(query)
    ]


async def _insert(
    connection: AsyncConnection,
    vote_id: int,
    kind: str,
    url: str,
    fields: dict[str, Any],
    reason: str,
    actor: str,
    now: datetime,
) -> int:
    result = await connection.execute(
        insert(corrections)
        .values(
            vote_id=vote_id,
            kind=kind,
            url=url,
            reason=reason,
            actor=actor,
            created_at=now,
            **fields,
        )
        .returning(corrections.c.id)
    )
    return int(result.scalar_one())


async def _revoke(
    connection: AsyncConnection,
    vote_id: int,
    kind: str,
    url: str,
    review: str | None,
    now: datetime,
) -> bool:
    query = update(corrections).where(
        corrections.c.vote_id == vote_id,
        corrections.c.kind == kind,
        corrections.c.url == url,
        corrections.c.revoked_at.is_(None),
    )
    if review is not None:
        query = query.where(corrections.c.review == review)
    result = await connection.execute(query.values(revoked_at=now))
    return bool(result.rowcount)
