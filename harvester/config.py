"""Settings from a TOML file plus HARVESTER_<SECTION>__<KEY> environment variables.

Validated once, when the command starts; nothing here runs at import time. Secrets are read from
the environment only, never from the file.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harvester.errors import ConfigError
from harvester.model import Electorate, RuleName

ENV_PREFIX = "HARVESTER_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoteSettings(_Section):
    default_rule: RuleName = RuleName.LAZY_TWO_THIRDS
    electorate: Electorate = Electorate.PMC
    zero_counts_as_cast: bool = True
    pmc_majority_minimum: int = Field(default=4, ge=1)
    emoji_votes: bool = False
    default_min_hours: int = Field(default=72, ge=0)
    bots: tuple[str, ...] = ("tvm-archiver", "asfgit", "github-actions[bot]")


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


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    vote: VoteSettings = VoteSettings()
    draft: DraftSettings = DraftSettings()
    http: HttpSettings = HttpSettings()
    sources: SourcesSettings = SourcesSettings()


# Secrets may only come from the environment; the file would end up in a repository or a backup.
SECRETS = {
    ("sources", "discourse", "api_key"): "HARVESTER_SOURCES__DISCOURSE__API_KEY",
    ("sources", "github", "token"): "GITHUB_TOKEN",
}
# Names the design and other tools already use for the same settings.
ENV_ALIASES = {
    "GITHUB_TOKEN": ("sources", "github", "token"),
    "HARVESTER_GITHUB_API_URL": ("sources", "github", "api_url"),
}


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
        if path[-1] == "bots":
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
    return ConfigError(where, error["msg"], field=key)


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
