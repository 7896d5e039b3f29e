"""Finding the [VOTE] threads started on a list in a month (the daemon's discovery step)."""

from __future__ import annotations

from dataclasses import dataclass

from harvester.core import threads
from harvester.sources import ponymail
from harvester.sources.http import HttpClient


@dataclass(frozen=True)
class FoundVote:
    title: str
    url: str  # the call's permalink, ready for --thread
    epoch: int


async def list_votes(
    client: HttpClient, base: str, list_address: str, month: str
) -> list[FoundVote]:
    """Calls for votes on `list_address` ("dev@tvm.apache.org") in `month` ("2026-03").

    The server matches "vote" anywhere in a subject, in any case ("Re: voting", "devote"); a call
    is a subject tagged [VOTE] that is not a reply and not a [RESULT]/[CANCEL]."""
    name, _, domain = list_address.partition("@")
    hits = await ponymail.list_mails(client, base, name, domain, month)
    calls = [
        hit
        for hit in hits
        if threads.is_vote_subject(hit.subject)
        and not threads.is_reply_subject(hit.subject)
        and not threads.is_result_subject(hit.subject)
        and not threads.is_cancel_subject(hit.subject)
    ]
    return [
        FoundVote(
            threads.vote_title(hit.subject), f"{base.rstrip('/')}/thread/{hit.mid}", hit.epoch
        )
        for hit in calls
    ]
