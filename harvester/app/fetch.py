"""Wiring of the network sources: which source reads a URL, with which settings and secrets."""

from __future__ import annotations

import os.path
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from harvester.app.mail_files import mail_threads, read_limits, with_cut_warning
from harvester.app.mail_votes import split_vote_url
from harvester.config import Settings, SourceKind
from harvester.core.clean import clean_thread
from harvester.errors import SelectionError, SourceError, UsageError
from harvester.model import Roster, Thread, ThreadUpdate
from harvester.sources import discourse, github, ponymail
from harvester.sources.http import HttpClient, HttpOptions
from harvester.sources.mbox import ends_mid_message, iter_mbox_bytes
from harvester.sources.progress import Progress
from harvester.sources.roster import RosterPart, combine, parse_roster_part, roster_kind

ProgressFor = Callable[[str], Progress | None]


def http_options(settings: Settings) -> HttpOptions:
    http = settings.http
    return HttpOptions(
        connect_timeout=http.connect_timeout,
        read_timeout=http.read_timeout,
        total_timeout=http.total_timeout,
        max_attempts=http.max_attempts,
        backoff_base=http.backoff_base,
        backoff_max=http.backoff_max,
        max_wait=http.max_wait,
        per_host_concurrency=http.per_host_concurrency,
        per_host_rate=http.per_host_rate,
        max_response_bytes=http.max_response_mb * 1024 * 1024,
    )


def checked_url(url: str) -> str:
    """A URL the sources can parse; a malformed one (bad port, broken IPv6 host) is a usage
    error here, once, rather than a ValueError deep in a source."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise UsageError(url, f"not a valid URL ({exc})") from None
    if not parts.hostname:
        raise UsageError(url, "not a valid URL (no host)")
    return url


def kind_of(url: str, settings: Settings) -> SourceKind:
    """A URL's source: configured by host, else known from the URL's shape."""
    host = (urlsplit(checked_url(url)).hostname or "").lower()
    configured = settings.sources.hosts.get(host)
    if configured is not None:
        return configured
    if discourse.parse_topic_url(url) is not None:
        return SourceKind.DISCOURSE
    if ponymail.parse_thread_url(url) is not None:
        return SourceKind.PONYMAIL
    if github.parse_issue_url(url) is not None:
        return SourceKind.GITHUB
    if urlsplit(url).path.lower().endswith((".mbox", ".mbx")):
        return SourceKind.MBOX
    raise UsageError(
        url,
        "not a thread URL harvester knows: expected a Discourse topic (…/t/slug/id), a "
        "lists.apache.org thread (…/thread/<id>), a GitHub issue or pull request, or an .mbox",
    )


@dataclass
class Fetcher:
    """Reads threads and rosters over one HttpClient, with the sources the settings enable."""

    client: HttpClient
    settings: Settings
    progress_for: ProgressFor = lambda label: None

    async def thread(self, url: str) -> list[Thread]:
        """The threads `url` holds, their text cleaned where it enters (core/clean.py)."""
        return [clean_thread(thread) for thread in await self._thread(url)]

    async def poll(self, url: str, cursor: Mapping[str, object] | None) -> ThreadUpdate:
        """What changed since `cursor`, its text cleaned where it enters."""
        update = await self._poll(url, cursor)
        return replace(update, thread=clean_thread(update.thread))

    async def _thread(self, url: str) -> list[Thread]:
        kind = kind_of(url, self.settings)
        self._check_enabled(kind, url)
        progress = self.progress_for(f"{kind.value} {url}")
        if kind is SourceKind.DISCOURSE:
            auth = self.discourse_auth()
            return [await discourse.fetch_topic(self.client, url, auth, progress)]
        if kind is SourceKind.PONYMAIL:
            return [await ponymail.fetch_thread(self.client, url, progress)]
        if kind is SourceKind.GITHUB:
            options = self.github_options()
            return [await github.fetch_issue(self.client, url, options, progress)]
        return await self.mbox_threads(url)

    async def _poll(self, url: str, cursor: Mapping[str, object] | None) -> ThreadUpdate:
        """What changed in one thread since `cursor` (None: read it whole)."""
        kind = kind_of(url, self.settings)
        self._check_enabled(kind, url)
        progress = self.progress_for(f"{kind.value} {url}")
        if kind is SourceKind.DISCOURSE:
            return await discourse.poll_topic(
                self.client, url, self.discourse_auth(), cursor, progress
            )
        if kind is SourceKind.PONYMAIL:
            return await ponymail.poll_thread(self.client, url, cursor, progress)
        if kind is SourceKind.GITHUB:
            return await github.poll_issue(
                self.client, url, self.github_options(), cursor, progress
            )
        found = await self.mbox_threads(url)
        if not found and split_vote_url(url)[1]:
            raise SelectionError(url, "the file no longer holds this vote's call")
        if len(found) != 1:
            raise SelectionError(url, f"holds {len(found)} votes; a watched thread must hold one")
        return ThreadUpdate(thread=found[0], cursor={}, complete=True)

    def discourse_auth(self) -> discourse.DiscourseAuth:
        settings = self.settings.sources.discourse
        return discourse.DiscourseAuth(settings.api_key.get_secret_value(), settings.api_username)

    def github_options(self) -> github.GitHubOptions:
        settings = self.settings.sources.github
        return github.GitHubOptions(settings.api_url, settings.token.get_secret_value())

    async def mbox_threads(self, url: str) -> list[Thread]:
        """The vote threads of an mbox download (a vote's fragment names a part of it, not
        another file), warned when the download ends mid-message."""
        base = split_vote_url(url)[0]
        body = (await self.client.get(base)).body
        messages = list(iter_mbox_bytes(body, where=base, limits=read_limits(self.settings)))
        threads = mail_threads(url, messages)
        if not ends_mid_message(body):
            return threads
        return with_cut_warning(threads, messages[-1] if messages else None)

    def _check_enabled(self, kind: SourceKind, url: str) -> None:
        switch = getattr(self.settings.sources, kind.value, None)
        if switch is not None and not switch.enabled:
            raise UsageError(
                url, f"the {kind.value} source is turned off (sources.{kind.value}.enabled)"
            )

    async def roster(self, url: str, committee: str | None) -> Roster:
        """Whimsy's committee-info.json or LDAP files, a raw CONTRIBUTORS.md, or our TOML."""
        return combine([await self.roster_part(url, committee)])

    async def roster_part(self, url: str, committee: str | None) -> RosterPart:
        """One roster file by URL, to combine with others of the same project."""
        kind = roster_kind(os.path.basename(urlsplit(checked_url(url)).path), where=url)
        text = await self.roster_text(url)
        return parse_roster_part(text, kind=kind, where=url, committee=committee)

    async def roster_text(self, url: str) -> str:
        """A roster document's text by URL."""
        fetched = await self.client.get(checked_url(url))
        try:
            return fetched.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(url, f"roster is not UTF-8 text (byte {exc.start})") from None
