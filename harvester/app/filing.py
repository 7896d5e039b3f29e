"""Which vote a discovered thread is filed under: the vote its call links to, the open vote of
its subject, or a new one."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.discover import FoundVote, ThreadRole
from harvester.core.threads import vote_key, vote_title
from harvester.model import Thread
from harvester.store import votes

_URL = re.compile(r"https?://[^\s<>()\"']+")


async def vote_for_thread(
    connection: AsyncConnection, thread: Thread, item: FoundVote, now: datetime, project: str = ""
) -> int | None:
    """The project's vote a discovered thread belongs to: the one its call links to, the vote of
    its subject, or a new one for a call; None for a result or cancel of no open vote."""
    linked = await linked_vote(connection, thread, project)
    if linked is not None:
        return linked
    title = vote_title(thread.title or item.title)
    key = vote_key(title)
    existing = await votes.vote_by_key(connection, key, project)
    if item.role is not ThreadRole.CALL:
        # A result or cancel belongs to an open vote; alone it is not a vote to count.
        return existing.id if existing and existing.status == votes.OPEN else None
    if existing is not None and existing.status != votes.OPEN:
        key = f"{key} @{item.opened_at:%Y-%m-%dT%H:%M}"  # the same subject called again
    return await votes.ensure_vote(connection, key, title, now, project)


async def linked_vote(connection: AsyncConnection, thread: Thread, project: str = "") -> int | None:
    """A call that links to a thread we track ("also voting on the list: …") is that
    vote's thread in another place. Only a vote of the same project: a call linking another
    project's vote (the IPMC's round of a podling's release) is a vote of its own."""
    if not thread.messages:
        return None
    for url in _URL.findall(thread.messages[0].body):
        vote_id = await votes.vote_of_thread(connection, url.rstrip(".,;:!?"))
        linked = await votes.get_vote(connection, vote_id) if vote_id is not None else None
        if linked is not None and linked.project == project:
            return linked.id
    return None
