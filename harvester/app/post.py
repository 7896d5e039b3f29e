"""WIRING: the result posted back where the vote was held ([post]): outbox rows of channel
"github" (a comment on the issue) and "discourse" (a reply on the topic), queued with the mail
when a vote closes and sent by the same outbox, exactly once.

A post cannot be taken back, and its answer can be lost after the site took it. So every
attempt first reads the thread and looks for the row's marker (its Message-ID): found, the row
is sent with that post's URL; only when it is not there is the post made. A retry, or a row
interrupted while 'sending' (outbox.interrupt_stale puts posts back to 'pending'), is safe."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.deliver import new_message_id, post_channels
from harvester.app.fetch import Fetcher, kind_of
from harvester.config import Settings, SourceKind
from harvester.core import text
from harvester.core.posts import marker_in, post_text
from harvester.errors import HarvesterError
from harvester.sources.replies import comment_on_issue, reply_on_topic
from harvester.store import outbox

log = logging.getLogger("harvester.post")

_CHANNELS = {SourceKind.GITHUB: outbox.GITHUB, SourceKind.DISCOURSE: outbox.DISCOURSE}


def post_targets(urls: list[str], settings: Settings) -> list[tuple[str, str]]:
    """(channel, thread URL) of each of the vote's threads the result is posted to."""
    wanted = post_channels(settings)
    if not wanted:
        return []
    found = [(_channel_of(url, settings), url) for url in urls]
    return [(channel, url) for channel, url in found if channel in wanted]


def _channel_of(url: str, settings: Settings) -> str:
    """The channel a thread can be posted to; "" for a list thread or a local file."""
    try:
        return _CHANNELS.get(kind_of(url, settings), "")
    except HarvesterError:  # a file's path, a URL of no known kind: nothing to post to
        return ""


async def queue_posts(
    connection: AsyncConnection,
    draft_id: int,
    urls: list[str],
    settings: Settings,
    now: datetime,
    *,
    held: bool,
) -> int:
    """One outbox row for each thread the result goes back to; returns how many."""
    targets = post_targets(urls, settings)
    for channel, url in targets:
        message_id = new_message_id(settings, draft_id)
        await outbox.enqueue(
            connection, draft_id, now, message_id, held=held, channel=channel, target=url
        )
    return len(targets)


@dataclass(frozen=True)
class Poster:
    """Finds and makes posts through the daemon's Fetcher (its client, options and keys)."""

    fetcher: Fetcher

    async def find(self, claim: outbox.Claim) -> str:
        """The URL of the post carrying the claim's marker, or "" when there is none."""
        update = await self.fetcher.poll(claim.target, None)
        for message in update.thread.messages:
            if marker_in(text.own_lines(message)) == claim.message_id:
                return message.url
        return ""

    async def post(self, claim: outbox.Claim) -> str:
        body = post_text(claim.draft, claim.message_id)
        client = self.fetcher.client
        if claim.channel == outbox.GITHUB:
            options = self.fetcher.github_options()
            return await comment_on_issue(client, claim.target, body, options)
        auth = self.fetcher.discourse_auth()
        return await reply_on_topic(client, claim.target, body, auth)

    async def deliver(self, claim: outbox.Claim) -> tuple[str, bool]:
        """(the post's URL, whether it was there already)."""
        found = await self.find(claim)
        if found:
            log.info("draft %d: already posted at %s", claim.draft_id, found)
            return found, True
        return await self.post(claim), False
