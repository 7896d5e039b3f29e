"""The optional daily digest mail: open votes, counts so far, closing soon, who has not voted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from harvester import metrics
from harvester.app.deliver import mail_options, new_message_id
from harvester.config import Settings
from harvester.core.digest import OpenVote, build_digest
from harvester.core.draft import as_email
from harvester.mail import deliver
from harvester.store import votes

if TYPE_CHECKING:
    from harvester.app.watch import Watcher

log = logging.getLogger("harvester.daemon")


async def send_digest(watcher: Watcher, settings: Settings, *, worker: str) -> str | None:
    """Mail (or, in dry-run, write) the digest; None when mail is off or nothing is open."""
    mail = settings.mail
    if not (mail.enabled or mail.dry_run_dir):
        return None
    now = watcher.clock()
    async with watcher.engine.connect() as connection:
        roster = await watcher.roster(connection)
        entries = []
        for vote in await votes.list_votes(connection, status=votes.OPEN):
            result = await watcher.recount(connection, vote, now)
            own = await watcher.vote_roster(connection, vote)
            entry = OpenVote(
                vote.id, result.tally, result.outcome, vote.closes_at, own, vote.project
            )
            entries.append(entry)
    if not entries:
        return None
    draft = build_digest(entries, roster, now)
    raw = as_email(
        draft,
        sender=mail.sender,
        to=", ".join(mail.to),
        cc=", ".join(mail.cc),
        date=now,
        message_id=new_message_id(settings, 0),
    )
    where = await deliver(raw, mail_options(settings), name=f"digest-{now:%Y%m%dT%H%M%S}")
    metrics.MAILS_SENT.inc()
    log.info("digest of %d open vote(s) sent by %s: %s", len(entries), worker, where)
    return where
