"""A result that rests on unconfirmed or flagged ballots waits for a person before it is mailed.

The close queues such a draft as held; each correction, dismissal or recount of the closed vote
re-drafts it, and once nothing that could change the outcome is open the held row goes out,
exactly once (the release is an UPDATE guarded by the held state). `[mail] send_unreviewed`
lets an operator mail such results anyway; it is off by default.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.counting import VoteResult
from harvester.config import Settings
from harvester.store import drafts, outbox

log = logging.getLogger(__name__)


def must_hold(result: VoteResult, settings: Settings) -> bool:
    return result.outcome.needs_review and not settings.mail.send_unreviewed


async def settle_held(
    connection: AsyncConnection,
    vote_id: int,
    result: VoteResult,
    settings: Settings,
    now: datetime,
) -> str:
    """Re-draft a held result from the newest count and release it when nothing that matters
    is open: "released", "held", or "" when the vote has no held result."""
    rows = await outbox.held_rows(connection, vote_id)  # the mail, and any post of it
    if not rows:
        return ""
    draft_id = await drafts.save_draft(connection, vote_id, result.draft, now)
    release = not must_hold(result, settings)
    moved = [await outbox.update_held(connection, r, draft_id, now, release=release) for r in rows]
    if not any(moved):
        return ""
    if release:
        log.info("vote %d: review settled, result draft %d released for mail", vote_id, draft_id)
        return "released"
    pending = len(result.outcome.pending)
    log.info("vote %d: result still held, %d review items could change it", vote_id, pending)
    return "held"
