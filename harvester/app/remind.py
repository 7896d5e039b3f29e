"""WIRING: the reminder before a vote closes ([reminder]): drafted from the poll's count and
queued in the outbox once a vote, in the poll's transaction, to the list."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.counting import VoteResult
from harvester.app.deliver import mail_on, new_message_id
from harvester.config import Settings
from harvester.core.reminder import ReminderPolicy, build_reminder, remind_at, reminder_due
from harvester.model import Roster
from harvester.store import drafts, outbox

log = logging.getLogger("harvester.daemon")


def reminder_recipients(settings: Settings) -> tuple[str, ...]:
    """[reminder] to, else the lists the vote's project watches (its dev@ list)."""
    return settings.reminder.to or settings.daemon.lists


def reminder_policy(settings: Settings) -> ReminderPolicy | None:
    """None when reminders are off, mail is (a reminder is a mail), or nobody would get one."""
    reminder = settings.reminder
    if not reminder.enabled or not mail_on(settings) or not reminder_recipients(settings):
        return None
    return ReminderPolicy(
        reminder.hours_before,
        reminder.only_when_short,
        reminder.name_non_voters,
        reminder.not_named,
    )


def next_reminder(result: VoteResult, settings: Settings, now: datetime) -> datetime | None:
    """When the clock alone makes the vote's reminder due, if that is still ahead."""
    policy = reminder_policy(settings)
    at = remind_at(result.tally, policy) if policy else None
    return at if at is not None and at > now else None


async def queue_reminder(
    connection: AsyncConnection,
    vote_id: int,
    result: VoteResult,
    roster: Roster,
    settings: Settings,
    now: datetime,
) -> bool:
    """Draft and queue the vote's reminder when it is due and was never queued."""
    policy = reminder_policy(settings)
    if policy is None or not reminder_due(result.tally, result.outcome, policy, now):
        return False
    if await drafts.has_draft(connection, vote_id, drafts.REMINDER):
        return False
    draft = build_reminder(result.tally, result.outcome, roster, policy, now)
    try:
        async with connection.begin_nested():  # another replica may have queued it just now
            draft_id = await drafts.save_draft(connection, vote_id, draft, now, drafts.REMINDER)
    except IntegrityError:
        return False
    to = ", ".join(reminder_recipients(settings))
    await outbox.enqueue(connection, draft_id, now, new_message_id(settings, draft_id), target=to)
    log.info("vote %d: reminder queued for %s", vote_id, to)
    return True
