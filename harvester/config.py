"""Settings: defaults, then a TOML file, then HARVESTER_<SECTION>__<KEY> environment variables
(pydantic-settings). Validated once, when the command starts; nothing here runs at import time.
Secrets are read from the environment only, never from the file, and are SecretStr: they show
masked wherever settings are printed or logged.

Which file is read, and how the environment is read, is in config_sources.py.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from harvester.config_outreach import PostSettings, ReminderSettings
from harvester.config_sources import (
    ENV_ALIASES,
    ENV_PREFIX,
    MappingEnvSource,
    find_config_file,
    read_toml,
    reject_secrets,
)
from harvester.config_types import Section as _Section
from harvester.config_types import Words
from harvester.core.draft import check_template
from harvester.errors import ConfigError
from harvester.model import ClosePolicy, Closing, Electorate, RuleName, VoteProfile
from harvester.projects_config import FoundationSettings, ProjectFields, ProjectName, check_projects


class ProfileSettings(_Section):
    """[[vote.profiles]]: subject pattern or labels -> rule, electorate, minimum duration."""

    name: str = Field(min_length=1, max_length=60)
    subject: str = ""
    labels: Words = ()
    rule: RuleName | None = None
    electorate: Electorate | None = None
    min_hours: int | None = Field(default=None, ge=0, le=8784)  # a year at most
    # A Jinja2 file for this kind of vote's result mail, relative to the settings file.
    template: str = ""
    # When the daemon closes it: "deadline", "when-decided" (once the rule is met after the
    # minimum time) or "extend" (while short of the minimum ballots, by extend_hours, up to
    # max_hours after the call).
    close: ClosePolicy = ClosePolicy.DEADLINE
    extend_hours: int = Field(default=24, ge=1, le=8784)
    max_hours: int = Field(default=168, ge=1, le=8784)

    @field_validator("subject")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _matches_something(self) -> ProfileSettings:
        if not self.subject and not self.labels:
            raise ValueError("a profile needs a subject pattern or labels to match")
        return self

    def profile(self) -> VoteProfile:
        return VoteProfile(
            name=self.name,
            subject=self.subject,
            labels=self.labels,
            rule=self.rule,
            electorate=self.electorate,
            min_hours=self.min_hours,
            template=read_template(self.template, f"vote.profiles[{self.name}].template"),
            closing=Closing(self.close, self.extend_hours, self.max_hours),
        )


class VoteSettings(_Section):
    default_rule: RuleName = RuleName.LAZY_TWO_THIRDS
    electorate: Electorate = Electorate.PMC
    zero_counts_as_cast: bool = True
    pmc_majority_minimum: int = Field(default=4, ge=1)
    emoji_votes: bool = False
    default_min_hours: int = Field(default=72, ge=0, le=8784)  # a year at most
    bots: Words = ("tvm-archiver", "asfgit", "github-actions[bot]")
    profiles: tuple[ProfileSettings, ...] = ()


class DraftSettings(_Section):
    sender: str = "Release Manager <dev@example.apache.org>"
    to: str = "dev@example.apache.org"
    outcome_in_subject: bool = False  # "[RESULT][VOTE] X - PASSED" rather than "… X"


class HttpSettings(_Section):
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    total_timeout: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=60.0, ge=0)
    max_wait: float = Field(default=300.0, ge=0)
    per_host_concurrency: int = Field(default=4, ge=1, le=64)
    per_host_rate: float = Field(default=4.0, ge=0)
    max_response_mb: int = Field(default=64, ge=1)


class DiscourseSettings(_Section):
    enabled: bool = True
    api_username: str = ""
    api_key: SecretStr = SecretStr("")  # secret: HARVESTER_SOURCES__DISCOURSE__API_KEY only


class PonyMailSettings(_Section):
    enabled: bool = True


class GitHubSettings(_Section):
    enabled: bool = True
    api_url: str = "https://api.github.com"
    token: SecretStr = SecretStr(
        ""
    )  # secret: GITHUB_TOKEN or HARVESTER_SOURCES__GITHUB__TOKEN only


class SourceKind(enum.StrEnum):
    DISCOURSE = "discourse"
    PONYMAIL = "ponymail"
    GITHUB = "github"
    MBOX = "mbox"


class SourcesSettings(_Section):
    discourse: DiscourseSettings = DiscourseSettings()
    ponymail: PonyMailSettings = PonyMailSettings()
    github: GitHubSettings = GitHubSettings()
    # Hosts whose URLs do not show their kind, e.g. {"forum.example.org" = "discourse"}.
    hosts: dict[str, SourceKind] = Field(default_factory=dict)


class DatabaseSettings(_Section):
    # sqlite:///FILE (default, no setup) or postgresql://user@host/db; --db overrides it.
    url: str = "sqlite:///harvester.db"


_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MailSettings(_Section):
    """[mail]: how result drafts leave. Off until enabled; dry_run_dir writes .eml files instead."""

    enabled: bool = False
    dry_run_dir: str = ""
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")  # secret: HARVESTER_MAIL__PASSWORD only
    sender: str = ""
    to: Words = ()
    cc: Words = ()
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_minutes: float = Field(default=5.0, ge=0)
    stale_minutes: float = Field(default=15.0, gt=0)  # a send claimed longer ago was interrupted
    digest_at: str = ""  # "HH:MM" UTC for a daily digest of open votes; empty: no digest
    # Mail a result even when unconfirmed or flagged ballots could change it (not advised).
    send_unreviewed: bool = False

    @field_validator("digest_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if value and not _HH_MM.match(value):
            raise ValueError("expected HH:MM (24-hour, UTC) or empty")
        return value

    @model_validator(mode="after")
    def _addressed(self) -> MailSettings:
        if self.enabled and not self.to:
            raise ValueError("mail.enabled needs at least one recipient in mail.to")
        if self.enabled and not self.sender:
            raise ValueError("mail.enabled needs mail.sender")
        return self


class DaemonSettings(_Section):
    """[daemon]: what `harvest daemon` watches and how often."""

    project: ProjectName = ""  # this config's project, on its votes; [[projects]] name theirs
    roster: str = ""  # file or URL of the roster; the last good snapshot is kept in the database
    committee: str = ""  # committee key when the roster is committee-info.json
    ponymail_url: str = "https://lists.apache.org"
    lists: Words = ()  # e.g. ["dev@tvm.apache.org"]
    categories: Words = ()  # Discourse category URLs: https://site/c/slug/id
    repos: Words = ()  # GitHub "owner/name"
    repo_labels: Words = ()  # only issues with one of these labels (empty: any)
    discover_minutes: float = Field(default=30.0, gt=0)
    lookback_days: int = Field(default=14, ge=1, le=366)
    poll_minutes: float = Field(default=30.0, gt=0)
    poll_min_minutes: float = Field(default=2.0, gt=0)  # polls get this close near the deadline
    jitter: float = Field(default=0.2, ge=0, le=0.9)  # +/- this fraction of each interval
    full_refresh_every: int = Field(default=6, ge=1)  # re-read whole threads: catches edits
    tick_seconds: float = Field(default=30.0, gt=0)  # how often due polls and mail are looked for
    worker: str = ""  # this replica's name in the outbox; default host:pid


class LimitSettings(_Section):
    """[limits]: the most one mail may hold; bigger is reported for review, never decoded.

    The defaults fit every real list mail with room: list mail with a ballot is kilobytes."""

    message_mb: float = Field(default=64.0, gt=0, le=4096)  # one raw message, attachments included
    part_mb: float = Field(default=8.0, gt=0, le=4096)  # one text part, before decoding
    header_kb: float = Field(default=1024.0, gt=0, le=1024 * 1024)  # one message's header block


class WebSettings(_Section):
    """[web]: the dashboard, JSON API, /healthz and /metrics (`harvest serve`, and the daemon)."""

    enabled: bool = True  # the daemon serves the dashboard too
    host: str = "127.0.0.1"  # 0.0.0.0 in a container; put a TLS proxy in front
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port
    token: SecretStr = SecretStr("")  # secret: HARVESTER_WEB__TOKEN only; empty: read-only
    # Signs session cookies; separate from the token, so a leaked cookie never reveals it.
    # Empty: a random key per process (sessions end when it restarts). Secret: env only.
    session_key: SecretStr = SecretStr("")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    login_attempts: int = Field(default=5, ge=1, le=1000)  # wrong tokens per client per window
    login_window_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    request_timeout: float = Field(default=30.0, gt=0, le=3600)  # a client slower than this is cut
    # A page the public reads is built at most once per this many seconds (0: every time).
    public_cache_seconds: float = Field(default=2.0, ge=0, le=3600)


class ProjectSettings(ProjectFields):
    """[[projects]]: one of the projects the daemon follows (see projects_config.py)."""

    profiles: tuple[ProfileSettings, ...] | None = None  # None: the [[vote.profiles]]


class LogSettings(_Section):
    """[log]: how `harvest daemon` and `harvest serve` write their log."""

    format: Literal["text", "json"] = "text"  # json: one JSON object a line, with event fields


class Settings(BaseSettings):
    """Every setting; the file's values come in as init arguments, the environment wins."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="forbid",
        frozen=True,
    )

    database: DatabaseSettings = DatabaseSettings()
    vote: VoteSettings = VoteSettings()
    draft: DraftSettings = DraftSettings()
    http: HttpSettings = HttpSettings()
    sources: SourcesSettings = SourcesSettings()
    mail: MailSettings = MailSettings()
    daemon: DaemonSettings = DaemonSettings()
    web: WebSettings = WebSettings()
    limits: LimitSettings = LimitSettings()
    log: LogSettings = LogSettings()
    reminder: ReminderSettings = ReminderSettings()
    post: PostSettings = PostSettings()
    foundation: FoundationSettings = FoundationSettings()
    projects: tuple[ProjectSettings, ...] = ()

    @model_validator(mode="after")
    def _projects_followable(self) -> Settings:
        check_projects(self)
        return self

    @model_validator(mode="after")
    def _can_remind(self) -> Settings:
        reminder, watched = self.reminder, self.daemon.lists or self.projects
        if reminder.enabled and not (reminder.to or watched or self.foundation.enabled):
            raise ValueError(
                "reminder.hours_before needs the list's address in reminder.to (or lists "
                "watched in [daemon] or [[projects]], which reminders then go to)"
            )
        return self

    @model_validator(mode="after")
    def _can_post(self) -> Settings:
        github, discourse = self.sources.github, self.sources.discourse
        if self.post.github and not github.token.get_secret_value():
            raise ValueError("post.github needs a token that may comment: set GITHUB_TOKEN")
        if self.post.discourse and not (
            discourse.api_key.get_secret_value() and discourse.api_username
        ):
            raise ValueError(
                "post.discourse needs sources.discourse.api_username and "
                "HARVESTER_SOURCES__DISCOURSE__API_KEY"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, file_secret_settings  # see load_settings: env, then file


def load_settings(path: str | None, env: Mapping[str, str]) -> Settings:
    """The validated settings from `path` (else the file find_config_file finds, else none) and
    `env`; a bad key or value is one ConfigError naming the file or variable and the key."""
    path = find_config_file(path, env)
    data = read_toml(path) if path else {}
    reject_secrets(data, path or "")
    try:
        from_env = MappingEnvSource(Settings, env)()
    except SettingsError:
        raise _undecodable(env) from None
    merged = _merge(data, from_env)
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise _first_problem(exc, path, env) from None
    return _with_templates(settings, Path(path).parent if path else Path.cwd())


def _with_templates(settings: Settings, folder: Path) -> Settings:
    """Profiles' template files found from the settings file's folder, and read once now, so a
    missing or broken one is said at start rather than when a vote closes."""
    vote = settings.vote.model_copy(update={"profiles": _found(settings.vote.profiles, folder)})
    projects = tuple(
        p.model_copy(update={"profiles": _found(p.profiles, folder)}) if p.profiles else p
        for p in settings.projects
    )
    return settings.model_copy(update={"vote": vote, "projects": projects})


def _found(profiles: tuple[ProfileSettings, ...], folder: Path) -> tuple[ProfileSettings, ...]:
    found = []
    for profile in profiles:
        if profile.template:
            path = str(folder / Path(profile.template).expanduser())
            profile = profile.model_copy(update={"template": path})
            profile.profile()  # reads and checks it
        found.append(profile)
    return tuple(found)


def read_template(path: str, key: str) -> str:
    """A result template's text; one ConfigError naming the file and what is wrong with it."""
    if not path:
        return ""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(path, f"cannot read the result template ({reason})", field=key) from None
    problem = check_template(text)
    if problem:
        raise ConfigError(path, f"not a valid Jinja2 template ({problem})", field=key)
    return text


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _undecodable(env: Mapping[str, str]) -> ConfigError:
    """pydantic-settings names only the section a bad value is in: find the variable, alone."""
    for name, value in sorted(env.items()):
        try:
            MappingEnvSource(Settings, {name: value})()
        except SettingsError as exc:
            key = name.upper().removeprefix(ENV_PREFIX).lower().replace("__", ".")
            reason = f" ({exc.__cause__})" if exc.__cause__ else ""
            return ConfigError(name, f"not valid JSON{reason}", field=key)
    return ConfigError("environment", "a value could not be read")


def _first_problem(exc: ValidationError, path: str | None, env: Mapping[str, str]) -> ConfigError:
    error = exc.errors()[0]
    parts = [str(part) for part in error["loc"]]
    key = ".".join(parts)
    message = error["msg"].removeprefix("Value error, ")
    where = path or "environment"
    variable = env_variable_for(parts, env)
    if variable is not None:
        where = variable
    return ConfigError(where, message, field=key)


def env_variable_for(path: list[str], env: Mapping[str, str]) -> str | None:
    """The environment variable that set `path` (or a section above it), if one did."""
    names = {name.upper(): name for name in env}
    for cut in range(len(path), 0, -1):
        name = ENV_PREFIX + "__".join(path[:cut]).upper()
        if name in names:
            return names[name]
    for alias, target in ENV_ALIASES.items():
        if tuple(path[: len(target)]) == target and alias in env:
            return alias
    return None
