"""Result drafts and the outbox that sends each of them exactly once.

States of an outbox row (one per draft):

    held --update_held--> pending --claim--> sending --mark_sent--> sent
                             ^                  |
                             +--mark_failed-----+--mark_failed (final) / interrupt_stale--> failed
                                with retry_at

'held' is a result that rests on ballots no person has confirmed: it is never claimed, and
update_held moves it (pointed at the newest draft) to 'pending' exactly once, when the review
items that mattered are settled. A retry is modelled as state 'pending' with `next_attempt_at`
in the future: a row is due when it is pending and next_attempt_at is NULL or has passed.
'failed' is always final; only an operator (`harvest send ID`, claim_draft) sends a failed draft
again. Whoever sends decides how many attempts are enough: mark_failed without a retry time is
final.

Claims are safe with several daemons on one database: the candidate row is read with
SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite ignores it and serialises writers itself) and
taken with an UPDATE guarded by the state it was read in, whose row count says who won.
mark_sent and mark_failed only touch a row still claimed by the same worker in state 'sending'.

Exactly once: the claim is committed before the SMTP conversation and mark_sent after it, each
in its own transaction (callers commit). A crash in between leaves the row in 'sending';
interrupt_stale turns such rows into 'failed' with a line telling the operator to check the
archive — a mail that may have gone out is never resent automatically.

A draft goes out on one or more channels, one row each: the mail (`target`: its recipients, or
NULL for [mail] to) and, opt-in, a comment on the vote's GitHub issue or a reply on its
Discourse topic (`target`: the issue or topic URL). A post, unlike a mail, can be looked for:
its text carries the row's Message-ID as a marker, and the sender looks for it before posting.
So a post interrupted while 'sending' goes back to 'pending' instead of 'failed', and its next
attempt finds it rather than posting it twice.

The outbox table has no column of its own for where a sent mail went, so mark_sent keeps that
line ("smtp host:port", the .eml path, the post's URL) in `last_error`; OutboxRow calls it
`detail`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.errors import SelectionError
from harvester.model import Draft
from harvester.store.drafts import RESULT, draft_of_row, load_draft
from harvester.store.tables import drafts, outbox, utc, votes

PENDING, SENDING, SENT, FAILED, HELD = "pending", "sending", "sent", "failed", "held"
MAIL, GITHUB, DISCOURSE = "mail", "github", "discourse"  # channels
_CLAIM_TRIES = 5  # a claim lost to another worker is retried on the next due row


@dataclass(frozen=True)
class Claim:
    outbox_id: int
    draft_id: int
    attempts: int  # including this one
    message_id: str
    draft: Draft
    channel: str = MAIL
    target: str = ""  # a mail's recipients (empty: [mail] to); a post's issue or topic URL
    kind: str = RESULT  # of the draft: a result or a reminder
    vote_open: bool = False  # the draft's vote is still open (a reminder is for such a vote)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    draft_id: int
    state: str
    attempts: int
    detail: str  # the last error, or where a sent mail went
    claimed_by: str
    claimed_at: datetime | None
    sent_at: datetime | None
    message_id: str
    next_attempt_at: datetime | None
    channel: str = MAIL
    target: str = ""


def _maybe_utc(when: datetime | None) -> datetime | None:
    return utc(when) if when is not None else None


def _insert(connection: AsyncConnection) -> Any:
    """INSERT … ON CONFLICT needs the dialect's own insert()."""
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


async def enqueue(
    connection: AsyncConnection,
    draft_id: int,
    now: datetime,
    message_id: str,
    *,
    held: bool = False,
    channel: str = MAIL,
    target: str | None = None,
) -> int:
    """Queue a draft for sending on a channel, once: a draft already queued there keeps its row
    and Message-ID. `held`: it waits for review (release_held) instead of going out."""
    if await load_draft(connection, draft_id) is None:
        raise SelectionError(f"draft {draft_id}", "no such draft")
    statement = _insert(connection)(outbox).values(
        draft_id=draft_id,
        channel=channel,
        target=target or "",
        state=HELD if held else PENDING,
        attempts=0,
        message_id=message_id,
        next_attempt_at=utc(now),
    )
    await connection.execute(
        statement.on_conflict_do_nothing(index_elements=["draft_id", "channel", "target"])
    )
    found = await connection.execute(
        select(outbox.c.id).where(
            outbox.c.draft_id == draft_id,
            outbox.c.channel == channel,
            outbox.c.target == (target or ""),
        )
    )
    return int(found.scalar_one())


async def held_rows(connection: AsyncConnection, vote_id: int) -> list[int]:
    """The outbox rows of a vote's result that wait for review, one a channel."""
    found = await connection.execute(
        select(outbox.c.id)
        .join(drafts, drafts.c.id == outbox.c.draft_id)
        .where(drafts.c.vote_id == vote_id, outbox.c.state == HELD)
        .order_by(outbox.c.id)
    )
    return [int(value) for value in found.scalars()]


async def update_held(
    connection: AsyncConnection, outbox_id: int, draft_id: int, now: datetime, *, release: bool
) -> bool:
    """Point a held row at the newest draft; with `release`, let it go out. False when the row
    is no longer held (another replica released it first): a result is released once."""
    values: dict[str, Any] = {"draft_id": draft_id}
    if release:
        values |= {"state": PENDING, "next_attempt_at": utc(now)}
    changed = await connection.execute(
        update(outbox).where(outbox.c.id == outbox_id, outbox.c.state == HELD).values(**values)
    )
    return changed.rowcount == 1


def _due(now: datetime) -> Any:
    return and_(
        outbox.c.state == PENDING,
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= utc(now)),
    )


def _locked(query: Select[Any], *, skip: bool) -> Select[Any]:
    # SKIP LOCKED: another daemon's candidate is not waited for, the next due row is taken.
    return query.with_for_update(skip_locked=skip)


async def claim_next(
    connection: AsyncConnection,
    worker: str,
    now: datetime,
    channels: tuple[str, ...] = (MAIL,),
) -> Claim | None:
    """Move the oldest due row of these channels to 'sending' for `worker`; None when nothing
    is due."""
    for _ in range(_CLAIM_TRIES):
        query = (
            select(outbox.c.id)
            .where(_due(now), outbox.c.channel.in_(channels))
            .order_by(outbox.c.id)
            .limit(1)
        )
        outbox_id = (await connection.execute(_locked(query, skip=True))).scalar()
        if outbox_id is None:
            return None
        if await _take(connection, outbox_id, PENDING, worker, now):
            return await _claim(connection, outbox_id)
    return None  # others keep winning: they are sending, so nothing is lost by waiting


async def _take(
    connection: AsyncConnection, outbox_id: int, expected: str, worker: str, now: datetime
) -> bool:
    """The guarded UPDATE: only one claimer can move a row out of `expected`."""
    result = await connection.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id, outbox.c.state == expected)
        .values(
            state=SENDING,
            claimed_by=worker,
            claimed_at=utc(now),
            attempts=outbox.c.attempts + 1,
            next_attempt_at=None,
        )
    )
    return result.rowcount == 1


async def _claim(connection: AsyncConnection, outbox_id: int) -> Claim:
    row = (
        await connection.execute(
            select(
                outbox.c.draft_id,
                outbox.c.attempts,
                outbox.c.message_id,
                outbox.c.channel,
                outbox.c.target,
                drafts.c.kind,
                drafts.c.subject,
                drafts.c.body,
                drafts.c.in_reply_to,
                drafts.c.references,
                votes.c.status,
            )
            .join(drafts, drafts.c.id == outbox.c.draft_id)
            .join(votes, votes.c.id == drafts.c.vote_id)
            .where(outbox.c.id == outbox_id)
        )
    ).one()
    return Claim(
        outbox_id=outbox_id,
        draft_id=row.draft_id,
        attempts=row.attempts,
        message_id=row.message_id or "",
        draft=draft_of_row(row),
        channel=row.channel,
        target=row.target or "",
        kind=row.kind,
        vote_open=row.status == "open",
    )


async def claim_draft(
    connection: AsyncConnection,
    draft_id: int,
    worker: str,
    now: datetime,
    *,
    again: bool = False,
    channel: str = MAIL,
) -> Claim:
    """Claim one queued draft for an operator's `harvest send ID`, due or not. A draft being
    sent, or already sent (unless `again`), is a SelectionError with one line saying why."""
    # With two of a channel (two issues of one vote), the one not yet sent first.
    query = (
        select(outbox)
        .where(outbox.c.draft_id == draft_id, outbox.c.channel == channel)
        .order_by(outbox.c.state == SENT, outbox.c.id)
        .limit(1)
    )
    row = (await connection.execute(_locked(query, skip=False))).first()
    if row is None:
        known = await load_draft(connection, draft_id) is not None
        raise SelectionError(f"draft {draft_id}", "not queued" if known else "no such draft")
    _check_sendable(row, again)
    if not await _take(connection, row.id, row.state, worker, now):
        raise SelectionError(f"draft {draft_id}", "claimed by another worker just now; try again")
    return await _claim(connection, row.id)


def _check_sendable(row: Any, again: bool) -> None:
    where = f"draft {row.draft_id}"
    if row.state == SENDING:
        since = utc(row.claimed_at).isoformat() if row.claimed_at else "?"
        raise SelectionError(where, f"is being sent by {row.claimed_by} since {since}")
    if row.state == SENT and not again:
        when = utc(row.sent_at).isoformat() if row.sent_at else "?"
        raise SelectionError(
            where,
            f"was already sent at {when} as Message-ID <{row.message_id}>; "
            "use --again to send it once more",
        )


def _ours(outbox_id: int, worker: str) -> Any:
    return and_(outbox.c.id == outbox_id, outbox.c.state == SENDING, outbox.c.claimed_by == worker)


async def mark_sent(
    connection: AsyncConnection, outbox_id: int, worker: str, now: datetime, detail: str
) -> bool:
    """The mail went out. False when the row is no longer this worker's claim (it was
    interrupted as stale meanwhile): it is then left as the other side put it."""
    result = await connection.execute(
        update(outbox)
        .where(_ours(outbox_id, worker))
        .values(state=SENT, sent_at=utc(now), last_error=detail, next_attempt_at=None)
    )
    return result.rowcount == 1


async def mark_failed(
    connection: AsyncConnection,
    outbox_id: int,
    worker: str,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """The mail did not go out: due again at `retry_at`, or failed for good when it is None."""
    values: Mapping[str, Any] = (
        {"state": PENDING, "next_attempt_at": utc(retry_at)}
        if retry_at is not None
        else {"state": FAILED, "next_attempt_at": None}
    )
    result = await connection.execute(
        update(outbox).where(_ours(outbox_id, worker)).values(last_error=error, **values)
    )
    return result.rowcount == 1


def interrupted_line(draft_id: int, message_id: str) -> str:
    return (
        "interrupted while sending: it may have been delivered; check the archive for "
        f"Message-ID <{message_id}> and resend with `harvest send {draft_id} --again`"
    )


async def interrupt_stale(
    connection: AsyncConnection, stale_before: datetime, now: datetime
) -> list[tuple[int, str]]:
    """Rows left in 'sending' since before `stale_before` (their sender died, perhaps after the
    server took it): a mail becomes 'failed' for an operator to check, a post 'pending' again
    (its sender looks for it before posting). Returns (outbox id, new state) of each."""
    query = select(outbox.c.id, outbox.c.draft_id, outbox.c.message_id, outbox.c.channel).where(
        outbox.c.state == SENDING, outbox.c.claimed_at < utc(stale_before)
    )
    stale = (await connection.execute(_locked(query, skip=True))).all()
    interrupted = []
    for outbox_id, draft_id, message_id, channel in stale:
        values: dict[str, Any]
        if channel == MAIL:
            values = {
                "state": FAILED,
                "next_attempt_at": None,
                "last_error": interrupted_line(draft_id, message_id or "?"),
            }
        else:
            values = {
                "state": PENDING,
                "next_attempt_at": utc(now),
                "last_error": "interrupted while posting: looked for before posting again",
            }
        result = await connection.execute(
            update(outbox)
            .where(
                outbox.c.id == outbox_id,
                outbox.c.state == SENDING,
                outbox.c.claimed_at < utc(stale_before),
            )
            .values(**values)
        )
        if result.rowcount == 1:
            interrupted.append((outbox_id, str(values["state"])))
    return interrupted


async def outbox_rows(
    connection: AsyncConnection, *, vote_id: int | None = None
) -> list[OutboxRow]:
    """Every outbox row (of one vote's drafts when `vote_id` is given), oldest first."""
    query = select(outbox).order_by(outbox.c.id)
    if vote_id is not None:
        query = query.join(drafts, drafts.c.id == outbox.c.draft_id).where(
            drafts.c.vote_id == vote_id
        )
    return [_row(row) for row in await connection.execute(query)]


def _row(row: Any) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        draft_id=row.draft_id,
        state=row.state,
        attempts=row.attempts,
        detail=row.last_error or "",
        claimed_by=row.claimed_by or "",
        claimed_at=_maybe_utc(row.claimed_at),
        sent_at=_maybe_utc(row.sent_at),
        message_id=row.message_id or "",
        next_attempt_at=_maybe_utc(row.next_attempt_at),
        channel=row.channel,
        target=row.target or "",
    )
