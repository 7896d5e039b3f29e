"""WIRING: the outbox (store) + the draft's e-mail form (core) + SMTP (mail): each result mail is
sent exactly once, also with several daemons and across crashes. Posts of the result (app/post.py)
go through the same rows and claims.

Every step is its own short transaction: the claim is committed before the SMTP conversation, so
no database lock is held while a server is slow, and the outcome is recorded after it. A crash in
between leaves the row 'sending'; the next run marks it failed for an operator to check
(outbox.interrupt_stale) instead of sending it again.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from harvester import metrics
from harvester.config import Settings
from harvester.core.draft import as_email
from harvester.errors import ConfigError, HarvesterError
from harvester.mail import MailError, MailOptions, deliver
from harvester.store import outbox
from harvester.store.drafts import REMINDER, RESULT

log = logging.getLogger("harvester.mail")


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    draft_id: int
    state: str  # the row's state afterwards: sent, pending (retry due later) or failed
    detail: str  # where it went, or the error
    dry_run: bool = False  # "sent" into an .eml file, not to anyone

    def said(self) -> str:
        """What happened, in words: a dry run wrote a file and sent nothing."""
        if self.state == "sent" and self.dry_run:
            return f"written to {self.detail} (dry run: not sent)"
        if self.state == "sent":
            return f"sent: {self.detail}"
        return f"{self.state}: {self.detail}"


class PostSender(Protocol):
    """Posts a claimed draft where it belongs: (its URL, whether it was there already)."""

    async def deliver(self, claim: outbox.Claim) -> tuple[str, bool]: ...


def dry_run(settings: Settings) -> bool:
    return bool(settings.mail.dry_run_dir)


def mail_options(settings: Settings) -> MailOptions:
    mail = settings.mail
    return MailOptions(
        host=mail.host,
        port=mail.port,
        security=mail.security,
        username=mail.username,
        password=mail.password.get_secret_value(),
        sender=mail.sender,
        to=mail.to,
        cc=mail.cc,
        timeout=mail.timeout,
        dry_run_dir=mail.dry_run_dir,
    )


def mail_on(settings: Settings) -> bool:
    return settings.mail.enabled or bool(settings.mail.dry_run_dir)


def post_channels(settings: Settings) -> tuple[str, ...]:
    """The channels [post] turns on."""
    on = {outbox.GITHUB: settings.post.github, outbox.DISCOURSE: settings.post.discourse}
    return tuple(channel for channel, wanted in on.items() if wanted)


def worker_name(settings: Settings) -> str:
    """This replica's name in the outbox (claimed_by)."""
    return settings.daemon.worker or f"{socket.gethostname()}:{os.getpid()}"


def new_message_id(settings: Settings, draft_id: int) -> str:
    """A Message-ID of our own, fixed when a draft is queued, so that a resend keeps it and an
    archive search finds what went out."""
    address = parseaddr(settings.mail.sender or settings.draft.sender)[1]
    domain = address.rpartition("@")[2] or "harvester.invalid"
    return f"harvester.{draft_id}.{uuid.uuid4().hex}@{domain}"


def recipients(claim: outbox.Claim, settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(to, cc) of a claimed mail: its row's own recipients (a project's, the list for a
    reminder) else [mail] to; [mail] cc only for a result."""
    mail = settings.mail
    to = tuple(a.strip() for a in claim.target.split(",") if a.strip()) or mail.to
    return to, (mail.cc if claim.kind == RESULT else ())


def compose(claim: outbox.Claim, settings: Settings, now: datetime) -> str:
    """The claimed draft as it leaves; without [mail] addresses (a dry run) the draft's own."""
    mail = settings.mail
    to, cc = recipients(claim, settings)
    return as_email(
        claim.draft,
        sender=mail.sender or settings.draft.sender,
        to=", ".join(to) or settings.draft.to,
        cc=", ".join(cc),
        date=now,
        message_id=claim.message_id,
    )


def retry_at(settings: Settings, attempts: int, now: datetime) -> datetime | None:
    """Exponential backoff while attempts remain; None: give up (a final failure)."""
    mail = settings.mail
    if attempts >= mail.max_attempts:
        return None
    return now + timedelta(minutes=mail.retry_minutes * 2 ** (attempts - 1))


async def deliver_pending(
    engine: AsyncEngine,
    settings: Settings,
    *,
    worker: str,
    now: datetime,
    limit: int = 20,
    poster: PostSender | None = None,
) -> list[Delivery]:
    """Send what is due in the outbox, at most `limit` rows: mails while mail is on, posts
    with a `poster` while [post] turns them on."""
    channels = ((outbox.MAIL,) if mail_on(settings) else ()) + (
        post_channels(settings) if poster is not None else ()
    )
    if not channels:
        return []
    stale_before = now - timedelta(minutes=settings.mail.stale_minutes)
    async with engine.begin() as connection:
        for outbox_id, state in await outbox.interrupt_stale(connection, stale_before, now):
            what = "not resent" if state == outbox.FAILED else "will look for it, then post"
            log.warning("outbox row %d was interrupted while sending; %s", outbox_id, what)
    done: list[Delivery] = []
    for _ in range(limit):
        async with engine.begin() as connection:
            claim = await outbox.claim_next(connection, worker, now, channels)
        if claim is None:
            break
        if claim.channel == outbox.MAIL:
            done.append(await _send(engine, settings, claim, worker=worker, now=now))
        elif poster is not None:
            done.append(await _post(engine, settings, claim, poster, worker=worker, now=now))
    return done


async def send_draft(
    engine: AsyncEngine,
    settings: Settings,
    draft_id: int,
    *,
    worker: str,
    now: datetime,
    again: bool = False,
) -> Delivery:
    """`harvest send ID`: send one stored draft now, queueing it first if it never was. A draft
    being sent, already sent (unless `again`) or unknown is a SelectionError."""
    if not mail_on(settings):
        raise ConfigError(
            "[mail]",
            "sending is off: set mail.enabled = true (with mail.sender and mail.to), "
            "or mail.dry_run_dir to write .eml files",
            field="mail.enabled",
        )
    async with engine.begin() as connection:
        # Idempotent: a queued draft keeps its row and Message-ID; the new id is then unused.
        await outbox.enqueue(connection, draft_id, now, new_message_id(settings, draft_id))
        claim = await outbox.claim_draft(connection, draft_id, worker, now, again=again)
    return await _send(engine, settings, claim, worker=worker, now=now)


async def send_post(
    engine: AsyncEngine,
    settings: Settings,
    draft_id: int,
    channel: str,
    poster: PostSender,
    *,
    worker: str,
    now: datetime,
) -> Delivery:
    """`harvest send ID --channel github|discourse`: the queued post of a draft, now (a failed
    one too). Looked for first, like every attempt: it is never made twice."""
    async with engine.begin() as connection:
        claim = await outbox.claim_draft(
            connection, draft_id, worker, now, again=True, channel=channel
        )
    return await _post(engine, settings, claim, poster, worker=worker, now=now)


async def _send(
    engine: AsyncEngine, settings: Settings, claim: outbox.Claim, *, worker: str, now: datetime
) -> Delivery:
    """One claimed row: compose, send, then record the outcome in a transaction of its own."""
    if claim.kind == REMINDER and not claim.vote_open:  # retried until after the close
        why = "not sent: the vote closed before its reminder went out"
        return await _dropped(engine, claim, why, worker=worker)
    try:
        raw = compose(claim, settings, now)
        to, cc = recipients(claim, settings)
        options = replace(mail_options(settings), to=to, cc=cc)
        detail = await deliver(raw, options, name=f"draft-{claim.draft_id}")
    except MailError as exc:
        return await _failed(engine, settings, claim, exc, worker=worker, now=now)
    metrics.MAILS_SENT.inc()
    async with engine.begin() as connection:
        marked = await outbox.mark_sent(connection, claim.outbox_id, worker, now, detail)
    if not marked:  # interrupted as stale meanwhile: the row already says "may have gone out"
        log.warning("draft %d was sent but its outbox row was no longer ours", claim.draft_id)
    delivery = Delivery(claim.outbox_id, claim.draft_id, "sent", detail, dry_run(settings))
    log.info("draft %d %s (attempt %d)", claim.draft_id, delivery.said(), claim.attempts)
    return delivery


async def _failed(
    engine: AsyncEngine,
    settings: Settings,
    claim: outbox.Claim,
    error: MailError,
    *,
    worker: str,
    now: datetime,
) -> Delivery:
    when = retry_at(settings, claim.attempts, now) if error.transient else None
    line = str(error)
    if error.maybe_sent:
        line += (
            f"; check the archive for Message-ID <{claim.message_id}> before resending "
            f"with `harvest send {claim.draft_id}`"
        )
    elif error.transient and when is None:
        line += f" (gave up after {claim.attempts} attempts)"
    async with engine.begin() as connection:
        await outbox.mark_failed(connection, claim.outbox_id, worker, line, when)
    state = outbox.PENDING if when is not None else outbox.FAILED
    log.warning("draft %d not sent (attempt %d): %s", claim.draft_id, claim.attempts, line)
    return Delivery(claim.outbox_id, claim.draft_id, state, line)


async def _post(
    engine: AsyncEngine,
    settings: Settings,
    claim: outbox.Claim,
    poster: PostSender,
    *,
    worker: str,
    now: datetime,
) -> Delivery:
    """One claimed post: looked for, made if missing, recorded. Every failure may be retried
    (the next attempt looks first), up to [mail] max_attempts."""
    try:
        where, found = await poster.deliver(claim)
    except HarvesterError as error:
        when = retry_at(settings, claim.attempts, now)
        line = str(error) + ("" if when else f" (gave up after {claim.attempts} attempts)")
        async with engine.begin() as connection:
            await outbox.mark_failed(connection, claim.outbox_id, worker, line, when)
        log.warning("draft %d not posted to %s: %s", claim.draft_id, claim.target, line)
        state = outbox.PENDING if when is not None else outbox.FAILED
        return Delivery(claim.outbox_id, claim.draft_id, state, line)
    async with engine.begin() as connection:
        await outbox.mark_sent(connection, claim.outbox_id, worker, now, where)
    if not found:
        metrics.POSTS_MADE.inc()
        log.info("draft %d posted: %s", claim.draft_id, where)
    return Delivery(claim.outbox_id, claim.draft_id, "sent", where)


async def _dropped(engine: AsyncEngine, claim: outbox.Claim, why: str, *, worker: str) -> Delivery:
    """A row not worth sending any more: failed for good, with why."""
    async with engine.begin() as connection:
        await outbox.mark_failed(connection, claim.outbox_id, worker, why, None)
    log.info("draft %d %s", claim.draft_id, why)
    return Delivery(claim.outbox_id, claim.draft_id, outbox.FAILED, why)
