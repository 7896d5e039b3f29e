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
from harvester.store import outbox

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
    row = await outbox.held_row(connection, vote_id)
    if row is None:
        return ""
    draft_id = await outbox.save_draft(connection, vote_id, result.draft, now)
    release = not must_hold(result, settings)
    if not await outbox.update_held(connection, row, draft_id, now, release=release):
        return ""
    if release:
        log.info("vote %d: review settled, result draft %d released for mail", vote_id, draft_id)
        return "released"
    pending = len(result.outcome.pending)
    log.info("vote %d: result still held, %d review items could change it", vote_id, pending)
    return "held"
