"""Settings from a TOML file plus HARVESTER_<SECTION>__<KEY> environment variables.

Validated once, when the command starts; nothing here runs at import time. Secrets are read from
the environment only, never from the file.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harvester.errors import ConfigError
from harvester.model import Electorate, RuleName, VoteProfile

ENV_PREFIX = "HARVESTER_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileSettings(_Section):
    """[[vote.profiles]]: subject pattern or labels -> rule, electorate, minimum duration."""

    name: str = Field(min_length=1, max_length=60)
    subject: str = ""
    labels: tuple[str, ...] = ()
    rule: RuleName | None = None
    electorate: Electorate | None = None
    min_hours: int | None = Field(default=None, ge=0, le=8784)  # a year at most

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
        )


class VoteSettings(_Section):
    default_rule: RuleName = RuleName.LAZY_TWO_THIRDS
    electorate: Electorate = Electorate.PMC
    zero_counts_as_cast: bool = True
    pmc_majority_minimum: int = Field(default=4, ge=1)
    emoji_votes: bool = False
    default_min_hours: int = Field(default=72, ge=0, le=8784)  # a year at most
    bots: tuple[str, ...] = ("tvm-archiver", "asfgit", "github-actions[bot]")
    profiles: tuple[ProfileSettings, ...] = ()


class DraftSettings(_Section):
    sender: str = "Release Manager <dev@example.apache.org>"
    to: str = "dev@example.apache.org"


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
    api_key: str = ""  # secret: HARVESTER_SOURCES__DISCOURSE__API_KEY only


class PonyMailSettings(_Section):
    enabled: bool = True


class GitHubSettings(_Section):
    enabled: bool = True
    api_url: str = "https://api.github.com"
    token: str = ""  # secret: GITHUB_TOKEN or HARVESTER_SOURCES__GITHUB__TOKEN only


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
    password: str = ""  # secret: HARVESTER_MAIL__PASSWORD only
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
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

    roster: str = ""  # file or URL of the roster; the last good snapshot is kept in the database
    committee: str = ""  # committee key when the roster is committee-info.json
    ponymail_url: str = "https://lists.apache.org"
    lists: tuple[str, ...] = ()  # e.g. ["dev@tvm.apache.org"]
    categories: tuple[str, ...] = ()  # Discourse category URLs: https://site/c/slug/id
    repos: tuple[str, ...] = ()  # GitHub "owner/name"
    repo_labels: tuple[str, ...] = ()  # only issues with one of these labels (empty: any)
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
    token: str = ""  # secret: HARVESTER_WEB__TOKEN only; empty: pages are read-only
    # Signs session cookies; separate from the token, so a leaked cookie never reveals it.
    # Empty: a random key per process (sessions end when it restarts). Secret: env only.
    session_key: str = ""
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    login_attempts: int = Field(default=5, ge=1, le=1000)  # wrong tokens per client per window
    login_window_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    request_timeout: float = Field(default=30.0, gt=0, le=3600)  # a client slower than this is cut
    # A page the public reads is built at most once per this many seconds (0: every time).
    public_cache_seconds: float = Field(default=2.0, ge=0, le=3600)


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    vote: VoteSettings = VoteSettings()
    draft: DraftSettings = DraftSettings()
    http: HttpSettings = HttpSettings()
    sources: SourcesSettings = SourcesSettings()
    mail: MailSettings = MailSettings()
    daemon: DaemonSettings = DaemonSettings()
    web: WebSettings = WebSettings()
    limits: LimitSettings = LimitSettings()


# Secrets may only come from the environment; the file would end up in a repository or a backup.
SECRETS = {
    ("sources", "discourse", "api_key"): "HARVESTER_SOURCES__DISCOURSE__API_KEY",
    ("sources", "github", "token"): "GITHUB_TOKEN",
    ("mail", "password"): "HARVESTER_MAIL__PASSWORD",
    ("web", "token"): "HARVESTER_WEB__TOKEN",
    ("web", "session_key"): "HARVESTER_WEB__SESSION_KEY",
}
# Names the design and other tools already use for the same settings.
ENV_ALIASES = {
    "GITHUB_TOKEN": ("sources", "github", "token"),
    "HARVESTER_GITHUB_API_URL": ("sources", "github", "api_url"),
}


# Keys holding lists: from the environment they are comma-separated.
_LIST_KEYS = {"bots", "to", "cc", "lists", "categories", "repos", "repo_labels", "labels"}


def _env_path(name: str) -> tuple[str, ...] | None:
    """HARVESTER_SOURCES__GITHUB__API_URL -> ("sources", "github", "api_url")."""
    if name in ENV_ALIASES:
        return ENV_ALIASES[name]
    if not name.startswith(ENV_PREFIX) or "__" not in name:
        return None
    return tuple(name[len(ENV_PREFIX) :].lower().split("__"))


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    """HARVESTER_VOTE__DEFAULT_RULE=majority-approval -> {"vote": {"default_rule": …}}."""
    found: dict[str, Any] = {}
    for name in sorted(env, key=lambda n: n in ENV_ALIASES):  # the HARVESTER_ names win
        path = _env_path(name)
        if path is None or (name in ENV_ALIASES and _has(found, path)):
            continue
        value: Any = env[name]
        if path[-1] in _LIST_KEYS:
            value = [v.strip() for v in env[name].split(",")]
        _put(found, path, value)
    return found


def _has(tree: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(tree, Mapping) or key not in tree:
            return False
        tree = tree[key]
    return True


def _put(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        child = tree.get(key)
        if not isinstance(child, dict):
            child = tree[key] = {}
        tree = child
    tree[path[-1]] = value


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _reject_secrets(data: Mapping[str, Any], where: str) -> None:
    for path, variable in SECRETS.items():
        if _has(data, path):
            raise ConfigError(
                where,
                f"secrets are read from the environment only; remove it and set {variable}",
                field=".".join(path),
            )


def _read_toml(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read config file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML ({exc})") from None


def _first_problem(exc: ValidationError, where: str) -> ConfigError:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return ConfigError(where, message, field=key)


def load_settings(path: str | None, env: Mapping[str, str]) -> Settings:
    """The validated settings; a bad key or value is one ConfigError naming it."""
    data = _read_toml(path) if path else {}
    _reject_secrets(data, path or "")
    overrides = _env_overrides(env)
    where = path or "environment"
    try:
        return Settings.model_validate(_merge(data, overrides))
    except ValidationError as exc:
        raise _first_problem(exc, where) from None
