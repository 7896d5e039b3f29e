"""Corrections by people, from the CLI or the web: checked against the stored vote, written with
an audit entry, and the vote recounted in the same transaction so every view shows them at once.
Recounts (daemon polls, `votes recount`, the close) load them again, so a re-harvest keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from harvester.app import record
from harvester.app.hold import settle_held
from harvester.app.record import stored_roster
from harvester.config import Settings
from harvester.core.identity import identity_of
from harvester.errors import SelectionError, UsageError
from harvester.model import Dismissal
from harvester.projects_config import settings_for
from harvester.store import corrections as stored
from harvester.store import identities, messages, votes

VALUES = ("+1", "0", "-1", "none")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Change:
    """An override as a person asks for it: None keeps what was read."""

    url: str
    reason: str
    value: str | None = None  # "+1" "0" "-1", or "none": the message is not a vote
    binding: bool | None = None
    member_id: str | None = None
    clear: bool = False  # back to what was read


async def correct(
    engine: AsyncEngine,
    settings: Settings,
    vote_id: int,
    change: Change,
    actor: str,
    now: datetime,
) -> None:
    where = f"vote {vote_id}"
    _check_text(where, "reason", change.reason)
    _check_text(where, "actor", actor)
    if change.value is not None and change.value not in VALUES:
        raise UsageError(where, f"value must be one of {', '.join(VALUES)}, not {change.value!r}")
    async with engine.begin() as connection:
        settings = settings_for(settings, (await _vote(connection, vote_id)).project)
        if change.clear:
            cleared = await stored.clear_override(
                connection, vote_id, change.url, reason=change.reason, actor=actor, now=now
            )
            if not cleared:
                raise SelectionError(where, f"no correction of {change.url} to clear")
        else:
            await _check_override(connection, settings, vote_id, change)
            await stored.add_override(
                connection,
                vote_id,
                change.url,
                value=change.value,
                binding=change.binding,
                member_id=change.member_id,
                reason=change.reason,
                actor=actor,
                now=now,
            )
        await _recount(connection, settings, vote_id, now)


async def dismiss(
    engine: AsyncEngine,
    settings: Settings,
    vote_id: int,
    dismissal: Dismissal,
    actor: str,
    now: datetime,
) -> None:
    where = f"vote {vote_id}"
    _check_text(where, "note", dismissal.note)
    _check_text(where, "actor", actor)
    async with engine.begin() as connection:
        settings = settings_for(settings, (await _vote(connection, vote_id)).project)
        result = await record.recount(connection, vote_id, None, settings, now)
        raised = {(r.url, r.reason) for r in result.tally.review}
        if (dismissal.url, dismissal.review) not in raised:
            raise SelectionError(
                where, f"no open review item {dismissal.review!r} for {dismissal.url}"
            )
        await stored.add_dismissal(
            connection,
            vote_id,
            dismissal.url,
            dismissal.review,
            note=dismissal.note,
            actor=actor,
            now=now,
        )
        await _recount(connection, settings, vote_id, now)


def _check_text(where: str, name: str, text: str) -> None:
    if not text.strip():
        raise UsageError(where, f"{name} must not be empty")
    if len(text) > MAX_TEXT:
        raise UsageError(where, f"{name} is longer than {MAX_TEXT} characters")


async def _vote(connection: AsyncConnection, vote_id: int) -> votes.VoteRow:
    vote = await votes.get_vote(connection, vote_id)
    if vote is None:
        raise SelectionError(f"vote {vote_id}", "no such vote")
    return vote


async def _check_override(
    connection: AsyncConnection, settings: Settings, vote_id: int, change: Change
) -> None:
    where = f"vote {vote_id}"
    if change.value is None and change.binding is None and change.member_id is None:
        raise UsageError(where, "a correction needs a value, binding or member to change")
    found = False
    for url in await votes.thread_urls(connection, vote_id):
        thread = await messages.load_thread(connection, url)
        found = found or (thread is not None and any(m.url == change.url for m in thread.messages))
    if not found:
        raise SelectionError(where, f"no message {change.url} in this vote's threads")
    if change.member_id is not None:
        await _check_member(connection, settings, where, change.member_id)


async def _check_member(
    connection: AsyncConnection, settings: Settings, where: str, member_id: str
) -> None:
    roster = await stored_roster(connection, settings)
    known = {m.id.lower() for m in roster.members} if roster else set()
    if member_id.lower() not in known:
        raise SelectionError(where, f"no member {member_id!r} on the stored roster")


async def _recount(
    connection: AsyncConnection, settings: Settings, vote_id: int, now: datetime
) -> None:
    result = await record.recount(connection, vote_id, None, settings, now)
    await record.save_count(connection, vote_id, result, now)
    await settle_held(connection, vote_id, result, settings, now)


@dataclass(frozen=True)
class IdentityWord:
    """A person's word on who wrote a message: its sender is (or, rejected, is not) a member."""

    url: str  # a message of the vote
    note: str
    member_id: str | None = None  # default: the member the message was matched to
    confirmed: bool = True


async def judge_identity(
    engine: AsyncEngine,
    settings: Settings,
    vote_id: int,
    word: IdentityWord,
    actor: str,
    now: datetime,
) -> str:
    """Confirm or reject the identity that sent `word.url` once, for this and every later vote;
    the vote is recounted at once. Returns the identity judged."""
    where = f"vote {vote_id}"
    _check_text(where, "note", word.note)
    _check_text(where, "actor", actor)
    async with engine.begin() as connection:
        settings = settings_for(settings, (await _vote(connection, vote_id)).project)
        result = await record.recount(connection, vote_id, None, settings, now)
        ballot = next((b for b in result.tally.history if b.url == word.url), None)
        ballot = ballot or next((b for b in result.tally.ballots if b.url == word.url), None)
        author = next(
            (m.author for t in result.sources for m in t.messages if m.url == word.url), None
        )
        if author is None:
            raise SelectionError(where, f"no message {word.url} in this vote")
        sender = identity_of(author)
        member_id = word.member_id or (ballot.member_id if ballot else None)
        if not sender:
            raise SelectionError(where, f"{word.url} names no address or username to judge")
        if not member_id:
            raise SelectionError(where, f"{word.url} matched nobody: name the member (--member)")
        await _check_member(connection, settings, where, member_id)
        await identities.save_verdict(
            connection,
            sender,
            member_id,
            confirmed=word.confirmed,
            reason=word.note,
            actor=actor,
            now=now,
            vote_id=vote_id,
        )
        await _recount(connection, settings, vote_id, now)
    return sender
