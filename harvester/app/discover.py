"""Finding vote threads where they start: a list (Pony Mail stats), a Discourse category, a
GitHub repository. Subjects are judged by core's rules; the sources only list what is there."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from harvester.app.fetch import Fetcher
from harvester.config import Settings
from harvester.core import threads
from harvester.sources import discourse, github, ponymail
from harvester.sources.http import HttpClient


class ThreadRole(enum.StrEnum):
    CALL = "call"  # [VOTE] …: a new vote
    RESULT = "result"  # [RESULT][VOTE] …: closes the vote of the same subject
    CANCEL = "cancel"  # [CANCEL][VOTE] …: ends it without a result


@dataclass(frozen=True)
class FoundVote:
    title: str
    url: str  # the thread's permalink, ready for --thread
    epoch: int
    role: ThreadRole = ThreadRole.CALL

    @property
    def opened_at(self) -> datetime:
        return datetime.fromtimestamp(self.epoch, UTC)


def role_of(subject: str) -> ThreadRole | None:
    """A thread that starts a vote, or ends one by its subject; replies and chatter are None."""
    if not threads.is_vote_subject(subject) or threads.is_reply_subject(subject):
        return None
    if threads.is_cancel_subject(subject):
        return ThreadRole.CANCEL
    if threads.is_result_subject(subject):
        return ThreadRole.RESULT
    return ThreadRole.CALL


async def list_threads(
    client: HttpClient, base: str, list_address: str, month: str
) -> list[FoundVote]:
    """[VOTE], [RESULT] and [CANCEL] threads started on `list_address` in `month` ("2026-03").

    The server matches "vote" anywhere in a subject, in any case ("Re: voting", "devote")."""
    name, _, domain = list_address.partition("@")
    hits = await ponymail.list_mails(client, base, name, domain, month)
    found = []
    for hit in hits:
        role = role_of(hit.subject)
        if role is not None:
            url = f"{base.rstrip('/')}/thread/{hit.mid}"
            found.append(FoundVote(threads.vote_title(hit.subject), url, hit.epoch, role))
    return found


async def list_votes(
    client: HttpClient, base: str, list_address: str, month: str
) -> list[FoundVote]:
    """Only the calls for votes on a list in a month."""
    found = await list_threads(client, base, list_address, month)
    return [f for f in found if f.role is ThreadRole.CALL]


def _epoch(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


async def category_threads(
    client: HttpClient,
    category_url: str,
    auth: discourse.DiscourseAuth | None,
    since: datetime | None = None,
) -> list[FoundVote]:
    topics = await discourse.list_category_topics(client, category_url, auth, since)
    return [
        FoundVote(threads.vote_title(t.title), t.url, _epoch(t.created_at), role)
        for t in topics
        if (role := role_of(t.title)) is not None
    ]


async def repo_threads(
    client: HttpClient,
    repo: str,
    options: github.GitHubOptions,
    since: datetime,
    labels: Sequence[str],
) -> list[FoundVote]:
    owner, _, name = repo.partition("/")
    issues = await github.list_repo_issues(client, owner, name, options, since=since, labels=labels)
    return [
        FoundVote(threads.vote_title(i.title), i.url, _epoch(i.created_at), role)
        for i in issues
        if (role := role_of(i.title)) is not None
    ]


def months_between(start: datetime, end: datetime) -> list[str]:
    """ "2026-10", "2026-11": the months a discovery window touches, oldest first."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def listings(
    settings: Settings, fetcher: Fetcher, since: datetime, now: datetime
) -> Iterator[tuple[str, Awaitable[list[FoundVote]]]]:
    """Each configured place, listed one at a time: one failing place skips only itself."""
    daemon = settings.daemon
    client = fetcher.client
    for address in daemon.lists:
        for month in months_between(since, now):
            yield (
                f"{address} {month}",
                list_threads(client, daemon.ponymail_url, address, month),
            )
    for category in daemon.categories:
        auth = fetcher.discourse_auth()
        yield category, category_threads(client, category, auth, since)
    options = fetcher.github_options()
    for repo in daemon.repos:
        yield repo, repo_threads(client, repo, options, since, daemon.repo_labels)
