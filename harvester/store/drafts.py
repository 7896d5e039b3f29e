"""Drafts of a vote's mails: its [RESULT] (again at each re-draft of a held result) and the
reminder before it closes. Drafts are history: every one is a new row, never changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.model import Draft
from harvester.store.tables import drafts, utc

RESULT, REMINDER = "result", "reminder"  # kinds of draft


@dataclass(frozen=True)
class StoredDraft:
    id: int
    vote_id: int
    draft: Draft
    created_at: datetime
    kind: str = RESULT


async def save_draft(
    connection: AsyncConnection, vote_id: int, draft: Draft, now: datetime, kind: str = RESULT
) -> int:
    """Store a draft of a vote; returns its id (always a new row: drafts are history)."""
    result = await connection.execute(
        drafts.insert()
        .values(
            vote_id=vote_id,
            subject=draft.subject,
            body=draft.body,
            in_reply_to=draft.in_reply_to,
            references=list(draft.references),
            created_at=utc(now),
            kind=kind,
        )
        .returning(drafts.c.id)
    )
    return int(result.scalar_one())


def draft_of_row(row: Any) -> Draft:
    return Draft(row.subject, row.body, row.in_reply_to or "", tuple(row.references or ()))


async def load_draft(connection: AsyncConnection, draft_id: int) -> StoredDraft | None:
    row = (await connection.execute(select(drafts).where(drafts.c.id == draft_id))).first()
    if row is None:
        return None
    return StoredDraft(row.id, row.vote_id, draft_of_row(row), utc(row.created_at), row.kind)


async def has_draft(connection: AsyncConnection, vote_id: int, kind: str) -> bool:
    found = await connection.execute(
        select(drafts.c.id).where(drafts.c.vote_id == vote_id, drafts.c.kind == kind).limit(1)
    )
    return found.first() is not None
