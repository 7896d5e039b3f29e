"""[[projects]] and [foundation]: one daemon following many projects.

A project is what one watcher follows: its roster, where its votes are called (lists, Discourse
categories, GitHub repositories), how they are counted (rule, electorate, profiles) and who gets
its result mail. Each becomes a whole Settings of its own (`project_settings`), so the daemon, a
recount and a correction count a project's vote exactly as they count the vote of a config
without [[projects]]: such a config is one project, named by `daemon.project` (default "").

[foundation] adds one project per committee of Whimsy's committee-info.json: its PMC is the
roster, its dev@ list the place to look. A [[projects]] entry of the same name overrides what the
committee gives (its lists, roster) and adds the rest (categories, repositories, recipients).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, field_validator

from harvester.config_types import Section, Words
from harvester.model import Electorate, RuleName
from harvester.sources.whimsy import Committee, committee_key

if TYPE_CHECKING:
    from harvester.config import DaemonSettings, ProfileSettings, ProjectSettings, Settings

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")
LIST_DOMAIN = "apache.org"  # a committee's lists: dev@<mail_list>.apache.org
PLACES = ("lists", "categories", "repos")


def _project_name(value: str) -> str:
    if value and not _NAME.fullmatch(value):
        raise ValueError(
            "a project's name is a short key: lower-case letters, digits, '-', '_' or '.', "
            'at most 60 (e.g. "tvm")'
        )
    return value


# A project's name as votes store it and the dashboard shows it; "" only for daemon.project.
ProjectName = Annotated[str, AfterValidator(_project_name)]


class ProjectFields(Section):
    """[[projects]] but its profiles (config.ProjectSettings adds them: ProfileSettings lives in
    config.py, which imports this module). What an entry leaves out comes from its committee
    under [foundation], else from [daemon], [vote] and [mail]."""

    name: ProjectName
    roster: str = ""  # file or URL; "": [foundation] committee_info, else [daemon] roster
    committee: str = ""  # its key in Whimsy's files; "": the project's name
    lists: Words = ()  # e.g. ["dev@tvm.apache.org"]; under [foundation], its dev@ list
    categories: Words = ()  # Discourse category URLs
    repos: Words = ()  # GitHub "owner/name"
    repo_labels: Words = ()  # only issues with one of these labels; (): [daemon] repo_labels
    default_rule: RuleName | None = None  # None: [vote] default_rule
    electorate: Electorate | None = None  # None: [vote] electorate
    mail_to: Words = ()  # the result mail's recipients; (): [mail] to

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError('every project needs a name, a short key such as "tvm"')
        return value


class FoundationSettings(Section):
    """[foundation]: a project for every committee of committee-info.json (off while
    committee_info is empty), read again at every discovery."""

    committee_info: str = ""  # file or URL of Whimsy's committee-info.json
    include: Words = ()  # only these committees; (): every committee with a PMC
    exclude: Words = ()  # never these

    @property
    def enabled(self) -> bool:
        return bool(self.committee_info)

    @field_validator("committee_info")
    @classmethod
    def _json(cls, value: str) -> str:
        if value and not urlsplit(value).path.lower().endswith(".json"):
            raise ValueError("expected Whimsy's committee-info.json (a .json file or URL)")
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(committee_key(key) for key in value)


@dataclass(frozen=True)
class Project:
    """One project as the daemon follows it: an entry, a committee, or a whole config."""

    name: str
    roster: str = ""
    committee: str = ""
    lists: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    repo_labels: tuple[str, ...] = ()  # (): [daemon] repo_labels
    default_rule: RuleName | None = None
    electorate: Electorate | None = None
    profiles: tuple[ProfileSettings, ...] | None = None  # None: [[vote.profiles]]
    mail_to: tuple[str, ...] = ()  # (): [mail] to


def follows_many(settings: Settings) -> bool:
    """Whether the config names its projects rather than being one."""
    return bool(settings.projects) or settings.foundation.enabled


def followed(settings: Settings, committees: Sequence[Committee] = ()) -> list[Project]:
    """The projects to follow: a config without [[projects]] or [foundation] is one project;
    else the [[projects]] entries in file order, then every committee of `committees` that
    [foundation] takes and no entry names, by key."""
    if not follows_many(settings):
        return [Project(settings.daemon.project)]
    by_key = {committee.key: committee for committee in committees}
    projects = [_entry_project(settings, e, by_key.get(e.name)) for e in settings.projects]
    named = {project.name for project in projects}
    for committee in sorted(chosen(settings, committees), key=lambda c: c.key):
        if committee.key not in named:
            projects.append(committee_project(settings, committee.key, committee.mail_list))
    return projects


def chosen(settings: Settings, committees: Iterable[Committee]) -> list[Committee]:
    """The committees [foundation] follows: those included (else every one with a PMC), less
    those excluded."""
    foundation = settings.foundation
    include, exclude = set(foundation.include), set(foundation.exclude)
    return [
        committee
        for committee in committees
        if (committee.key in include if include else committee.pmc) and committee.key not in exclude
    ]


def committee_project(settings: Settings, key: str, mail_list: str = "") -> Project:
    """A committee of committee-info.json as a project: its PMC the roster, its dev@ list the
    place (none when the list is not known: a stored vote is counted without it)."""
    lists = (f"dev@{mail_list}.{LIST_DOMAIN}",) if mail_list else ()
    return Project(key, settings.foundation.committee_info, key, lists)


def _entry_project(
    settings: Settings, entry: ProjectSettings, committee: Committee | None
) -> Project:
    """A [[projects]] entry over its committee's project under [foundation], if there is one."""
    if settings.foundation.enabled:
        base = committee_project(settings, entry.name, committee.mail_list if committee else "")
    else:
        base = Project(entry.name, settings.daemon.roster)
    given = entry.model_fields_set
    return Project(
        name=entry.name,
        roster=entry.roster or base.roster,
        committee=entry.committee or entry.name,
        lists=entry.lists if "lists" in given else base.lists,
        categories=entry.categories,
        repos=entry.repos,
        repo_labels=entry.repo_labels,
        default_rule=entry.default_rule,
        electorate=entry.electorate,
        profiles=entry.profiles,
        mail_to=entry.mail_to,
    )


def named_project(settings: Settings, name: str) -> Project | None:
    """The project of this name as far as the config alone says (committee-info.json unread):
    its entry, or its committee under [foundation]; None when the config names no such one."""
    if not follows_many(settings):
        return Project(name) if name == settings.daemon.project else None
    for entry in settings.projects:
        if entry.name == name:
            return _entry_project(settings, entry, None)
    if settings.foundation.enabled and name:
        return committee_project(settings, name)
    return None


def project_settings(settings: Settings, project: Project) -> Settings:
    """The whole Settings one project runs with: the config's, with the project's roster,
    places, rule, electorate, profiles and recipients in place of the config's own."""
    if not follows_many(settings):
        return settings
    daemon = settings.daemon.model_copy(
        update={
            "project": project.name,
            "roster": project.roster,
            "committee": project.committee,
            "lists": project.lists,
            "categories": project.categories,
            "repos": project.repos,
            "repo_labels": project.repo_labels or settings.daemon.repo_labels,
        }
    )
    vote = settings.vote.model_copy(update=_vote_update(project))
    mail = settings.mail.model_copy(update={"to": project.mail_to}) if project.mail_to else None
    return settings.model_copy(
        update={"daemon": daemon, "vote": vote, "mail": mail or settings.mail}
    )


def _vote_update(project: Project) -> dict[str, object]:
    update: dict[str, object] = {}
    if project.default_rule is not None:
        update["default_rule"] = project.default_rule
    if project.electorate is not None:
        update["electorate"] = project.electorate
    if project.profiles is not None:
        update["profiles"] = project.profiles
    return update


def settings_for(settings: Settings, name: str) -> Settings:
    """The settings a stored vote of project `name` is counted with. A name the config does not
    know (a project since removed, a one-off harvest's "") keeps the config's own settings."""
    if name == settings.daemon.project:
        return settings
    project = named_project(settings, name)
    if project is None:
        daemon = settings.daemon.model_copy(update={"project": name})
        return settings.model_copy(update={"daemon": daemon})
    return project_settings(settings, project)


def roster_source(settings: Settings) -> str:
    """The key a project's roster snapshots are stored under: the roster's file or URL, and its
    committee after '#' when the config follows many projects, so two committees of one
    committee-info.json keep apart (a config that is one project keeps the key it always had)."""
    daemon = settings.daemon
    if not daemon.roster or not daemon.committee or not follows_many(settings):
        return daemon.roster
    return f"{daemon.roster}#{committee_key(daemon.committee)}"


# -- checks at start: each raises one ValueError naming the key ---------------------------------


def check_projects(settings: Settings) -> None:
    """Projects that cannot be followed as written are refused at start, one line each."""
    if not follows_many(settings):
        return
    if settings.daemon.project:
        raise ValueError(
            "daemon.project names the one project of a config without [[projects]] or "
            "[foundation]; name each [[projects]] entry instead"
        )
    _no_shared_places(settings.daemon)
    _names_once(settings.projects)
    if not settings.foundation.enabled:
        _each_watches(settings.projects)
    _places_once(settings.projects)


def _no_shared_places(daemon: DaemonSettings) -> None:
    for place in PLACES:
        if getattr(daemon, place):
            raise ValueError(
                f"daemon.{place}: with [[projects]] or [foundation] each project names its own "
                f"{place}; move these into a [[projects]] entry"
            )


def _names_once(projects: Sequence[ProjectSettings]) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(projects):
        if entry.name in seen:
            raise ValueError(
                f"projects.{index}.name: '{entry.name}' names two projects; each needs its own"
            )
        seen.add(entry.name)


def _each_watches(projects: Sequence[ProjectSettings]) -> None:
    for index, entry in enumerate(projects):
        if not any(getattr(entry, place) for place in PLACES):
            raise ValueError(
                f"projects.{index}: project '{entry.name}' watches nothing; give it lists, "
                "categories or repos"
            )


def _places_once(projects: Sequence[ProjectSettings]) -> None:
    """A thread belongs to one vote of one project: two projects may not watch one place."""
    owner: dict[str, str] = {}
    for index, entry in enumerate(projects):
        for place in PLACES:
            for value in getattr(entry, place):
                key = value.strip().lower().rstrip("/")
                if key in owner and owner[key] != entry.name:
                    raise ValueError(
                        f"projects.{index}.{place}: {value} is watched by '{owner[key]}' too; "
                        "a place belongs to one project"
                    )
                owner[key] = entry.name
