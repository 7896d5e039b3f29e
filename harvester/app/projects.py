"""A daemon of many projects: a Watcher per project ([[projects]], the committees of
[foundation]), sharing one engine, one HTTP client and the roster documents.

The Fleet is a Watcher itself, so the daemon's jobs (discovery, the tick, the digest) take it as
they take the one watcher of a config of one project. Discovery reads committee-info.json once,
then each project's roster and places in turn; a tick asks only the projects with a vote due to
poll; a recount counts a vote with its own project's settings and roster. A vote of a project
the config no longer names is still polled and closed, by a watcher made for its name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.app.counting import VoteResult
from harvester.app.fetch import Fetcher
from harvester.app.harvest import is_url
from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.errors import HarvesterError
from harvester.model import Roster
from harvester.projects_config import Project, chosen, followed, project_settings, settings_for
from harvester.sources.roster import (
    combine,
    load_json,
    parse_roster_part,
    parse_whimsy_part,
    roster_kind,
    roster_text,
)
from harvester.sources.whimsy import Committee, list_committees
from harvester.store import polls, votes
from harvester.store.votes import VoteRow

log = logging.getLogger("harvester.daemon")


@dataclass
class RosterDocuments:
    """The roster documents of one discovery round, each read (and decoded) once: a
    foundation's committees all come from one download of committee-info.json, and a document
    that cannot be read fails once, not once a project."""

    fetcher: Fetcher
    _texts: dict[str, str | HarvesterError] = field(default_factory=dict)
    _decoded: dict[str, object] = field(default_factory=dict)

    def clear(self) -> None:
        """A new round reads every document again."""
        self._texts.clear()
        self._decoded.clear()

    async def text(self, spec: str) -> str:
        if spec not in self._texts:
            try:
                self._texts[spec] = await self._read(spec)
            except HarvesterError as error:
                self._texts[spec] = error
        found = self._texts[spec]
        if isinstance(found, HarvesterError):
            raise found
        return found

    async def decoded(self, spec: str) -> object:
        """A JSON document, decoded once a round (and found broken once)."""
        if spec not in self._decoded:
            try:
                self._decoded[spec] = load_json(await self.text(spec), where=spec)
            except HarvesterError as error:
                self._decoded[spec] = error
        found = self._decoded[spec]
        if isinstance(found, HarvesterError):
            raise found
        return found

    async def roster(self, spec: str, committee: str | None) -> Roster:
        """A watcher's roster (Watcher.read_roster)."""
        kind = roster_kind(urlsplit(spec).path if is_url(spec) else spec, where=spec)
        if kind == "whimsy":
            data = await self.decoded(spec)
            return combine([parse_whimsy_part(data, where=spec, committee=committee)])
        text = await self.text(spec)
        return combine([parse_roster_part(text, kind=kind, where=spec, committee=committee)])

    async def _read(self, spec: str) -> str:
        return await self.fetcher.roster_text(spec) if is_url(spec) else roster_text(spec)


@dataclass
class Fleet(Watcher):
    """Every project's watcher, behind the one Watcher the daemon's jobs know."""

    watchers: dict[str, Watcher] = field(default_factory=dict)  # by project name, in order
    _strays: dict[str, Watcher] = field(default_factory=dict)  # votes of no followed project
    _ready: dict[str, Watcher] = field(default_factory=dict)  # roster looked for before polling
    _committees: list[Committee] = field(default_factory=list)  # committee-info.json, last read
    _said: set[object] = field(default_factory=set)  # what was said once: idle, shared
    _documents: RosterDocuments | None = None

    def __post_init__(self) -> None:
        self._documents = RosterDocuments(self.fetcher)
        self._follow(followed(self.settings))  # the committees join at the first discovery

    # -- discovery ---------------------------------------------------------------------------

    async def discover(self) -> int:
        """Read committee-info.json (with [foundation]), then discover each project in turn;
        a project that fails is logged and skips only itself."""
        assert self._documents is not None
        self._documents.clear()
        if self.settings.foundation.enabled:
            await self._read_committees()
        self._follow(followed(self.settings, self._committees))
        await self._file_unfiled()
        self._warn_idle()
        self._warn_shared()
        adopted = 0
        for name, watcher in list(self.watchers.items()):
            try:
                adopted += await watcher.discover()
            except HarvesterError as error:
                log.warning("%sdiscovery: %s", _prefix(name), error)
            except Exception:  # a bug in one project must not stop the others' discovery
                log.exception("%sdiscovery failed", _prefix(name))
        self._documents.clear()  # a foundation's documents are large: not kept between rounds
        return adopted

    async def _read_committees(self) -> None:
        """The committees of committee-info.json; when it cannot be read, the last ones."""
        assert self._documents is not None
        where = self.settings.foundation.committee_info
        try:
            committees, problems = list_committees(
                await self._documents.decoded(where), where=where
            )
        except HarvesterError as error:
            kept = len(chosen(self.settings, self._committees))
            log.warning("foundation: %s (following the %d committees read before)", error, kept)
            return
        for problem in problems:
            log.warning("foundation: %s", problem)
        self._committees = committees
        known = {committee.key for committee in committees}
        for key in sorted(set(self.settings.foundation.include) - known):
            log.warning("foundation.include: no committee '%s' in %s", key, where)
        log.info("foundation: %d committees followed", len(chosen(self.settings, committees)))

    def _follow(self, projects: list[Project]) -> None:
        """A watcher per project; a project whose settings did not change keeps its watcher
        (and what it knows of its votes)."""
        watchers: dict[str, Watcher] = {}
        for project in projects:
            settings = project_settings(self.settings, project)
            current = self.watchers.get(project.name)
            keep = current is not None and current.settings == settings
            watchers[project.name] = current if keep and current else self._watcher(settings)
            self._strays.pop(project.name, None)  # polled before its first discovery
        self.watchers = watchers

    async def _file_unfiled(self) -> None:
        """With one project and no [daemon] roster left to count them, the votes stored before
        it had a name (a config of one project moved into [[projects]]) are its own. Otherwise
        they stay under no project: counted with [daemon]'s roster, or, with none, not closed
        while no roster counts them."""
        if len(self.watchers) != 1 or "" in self.watchers or self.settings.daemon.roster:
            return
        (name,) = self.watchers
        async with self.engine.begin() as connection:
            moved = await votes.file_unfiled(connection, name)
        if moved:
            log.info("%d vote(s) stored under no project are now %s's", moved, name)

    def _warn_idle(self) -> None:
        """A [[projects]] entry that only adds to a committee of [foundation] watches nothing
        when committee-info.json has no committee of its name: said once."""
        if not self._committees:
            return  # not read yet (or not used): config validation said what it could
        for name, watcher in self.watchers.items():
            daemon = watcher.settings.daemon
            if not (daemon.lists or daemon.categories or daemon.repos) and name not in self._said:
                self._said.add(name)
                log.warning(
                    "%s: watches nothing: no lists, categories or repos of its own, and no "
                    "committee of that name in %s",
                    name,
                    self.settings.foundation.committee_info,
                )

    def _warn_shared(self) -> None:
        """A list a [[projects]] entry shares with a committee's project: its threads go to
        whichever project finds them first (the entries come first). Said once."""
        owner: dict[str, str] = {}
        for name, watcher in self.watchers.items():
            for address in watcher.settings.daemon.lists:
                first = owner.setdefault(address.lower(), name)
                if first != name and (address, name) not in self._said:
                    self._said.add((address, name))
                    log.warning(
                        "%s: %s is watched by %s too; its votes are filed under %s",
                        name,
                        address,
                        first,
                        first,
                    )

    def _watcher(self, settings: Settings) -> Watcher:
        assert self._documents is not None
        return Watcher(
            self.engine,
            settings,
            self.fetcher,
            self.clock,
            self.jitter,
            self.on_close,
            read_roster=self._documents.roster,
        )

    # -- polling and counting ----------------------------------------------------------------

    async def poll_due(self) -> int:
        """Poll the due votes, each by its project's watcher; one statement finds which
        projects have one."""
        async with self.engine.connect() as connection:
            due = await polls.due_projects(connection, self.clock())
        polled = 0
        for name in sorted(due):
            watcher = self.watcher_for(name)
            try:
                await self._roster_ready(name, watcher)
                polled += await watcher.poll_due()
            except HarvesterError as error:
                log.warning("%spoll: %s", _prefix(name), error)
            except Exception:  # a bug in one project must not stop the others' polls
                log.exception("%spoll failed", _prefix(name))
        return polled

    async def _roster_ready(self, name: str, watcher: Watcher) -> None:
        """Before a watcher's first poll, read its roster when no snapshot of it is stored (a
        project new to the daemon polled before its discovery ran): never count a vote with an
        empty roster when one can be read."""
        if self._ready.get(name) is watcher:
            return
        async with self.engine.connect() as connection:
            stored = (await watcher.roster(connection)).members
        if not stored:
            await watcher.refresh_roster(self.clock())
        self._ready[name] = watcher

    def watcher_for(self, project: str) -> Watcher:
        """The watcher of a project; for a vote of a project the config no longer names (or a
        one-off harvest's), one made for its name (see projects_config.settings_for)."""
        found = self.watchers.get(project) or self._strays.get(project)
        if found is None:
            found = self._strays[project] = self._watcher(settings_for(self.settings, project))
        return found

    async def recount(
        self,
        connection: AsyncConnection,
        vote: VoteRow,
        now: datetime,
        *,
        cut_off: datetime | None = None,
        roster: Roster | None = None,
    ) -> VoteResult:
        """The vote counted with its own project's settings and roster."""
        watcher = self.watcher_for(vote.project)
        return await watcher.recount(connection, vote, now, cut_off=cut_off, roster=roster)

    async def vote_roster(self, connection: AsyncConnection, vote: VoteRow) -> Roster:
        return await self.watcher_for(vote.project).roster(connection)

    async def roster(self, connection: AsyncConnection) -> Roster:
        """The first project's roster (a vote's own: vote_roster)."""
        first = next(iter(self.watchers.values()), None)
        return await (first or self.watcher_for("")).roster(connection)


def _prefix(project: str) -> str:
    return f"{project}: " if project else ""
