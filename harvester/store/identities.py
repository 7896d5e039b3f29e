"""Identity verdicts: a person's word that an address or username is, or is not, a member.
Kept for every later vote; a later verdict on the same identity revokes the earlier one, and
each write is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.store.corrections import audit
from harvester.store.tables import identity_verdicts


@dataclass(frozen=True)
class VerdictRow:
    identity: str
    member_id: str
    confirmed: bool
    reason: str
    actor: str
    created_at: datetime


async def save_verdict(
    connection: AsyncConnection,
    identity: str,
    member_id: str,
    *,
    confirmed: bool,
    reason: str,
    actor: str,
    now: datetime,
    vote_id: int | None = None,
) -> None:
    key = identity.strip().lower()
    await connection.execute(
        update(identity_verdicts)
        .where(identity_verdicts.c.identity == key, identity_verdicts.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await connection.execute(
        insert(identity_verdicts).values(
            identity=key,
            member_id=member_id,
            confirmed=confirmed,
            reason=reason,
            actor=actor,
            created_at=now,
        )
    )
    action = "confirm-identity" if confirmed else "reject-identity"
    detail = {"identity": key, "member_id": member_id, "reason": reason}
    await audit(connection, actor, action, vote_id, detail, now)


async def verdicts_in_force(connection: AsyncConnection) -> list[VerdictRow]:
    """Every verdict not revoked, oldest first."""
    rows = await connection.execute(
        select(identity_verdicts)
        .where(identity_verdicts.c.revoked_at.is_(None))
        .order_by(identity_verdicts.c.created_at, identity_verdicts.c.id)
    )
    return [
        VerdictRow(r.identity, r.member_id, r.confirmed, r.reason, r.actor, r.created_at)
        for r in rows
    ]
