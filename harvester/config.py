"""Settings from a TOML file plus HARVESTER_<SECTION>__<KEY> environment variables.

Validated once, when the command starts; nothing here runs at import time. Secrets are read from
the environment only, never from the file.
"""

from __future__ import annotations

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


class Settings(_Section):
    vote: VoteSettings = VoteSettings()
    draft: DraftSettings = DraftSettings()


def _env_overrides(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """HARVESTER_VOTE__DEFAULT_RULE=majority-approval -> {"vote": {"default_rule": …}}."""
    found: dict[str, dict[str, Any]] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        parsed: Any = [v.strip() for v in value.split(",")] if key == "bots" else value
        found.setdefault(section, {})[key] = parsed
    return found


def _merge(base: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = dict(base)
    for section, values in overrides.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), **values}
    return merged


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
    overrides = _env_overrides(env)
    where = path or "environment"
    try:
        return Settings.model_validate(_merge(data, overrides))
    except ValidationError as exc:
        raise _first_problem(exc, where) from None
