"""Where settings come from: which file, the environment, and what may not be in the file.

The file is `--config`, else $HARVESTER_CONFIG, else ./harvester.toml, else
$XDG_CONFIG_HOME/harvester/harvester.toml (~/.config when unset); none of them: the defaults.
The environment is read from the mapping given (os.environ in use, a dict in tests) by
pydantic-settings' own reader: HARVESTER_<SECTION>__<KEY>, lists comma-separated or JSON,
tables and arrays of tables as JSON.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_settings import EnvSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from harvester.errors import ConfigError

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

ENV_PREFIX = "HARVESTER_"
CONFIG_VARIABLE = "HARVESTER_CONFIG"
FILE_NAME = "harvester.toml"

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


def variable_of(path: tuple[str, ...]) -> str:
    """("sources", "github", "token") -> HARVESTER_SOURCES__GITHUB__TOKEN."""
    return ENV_PREFIX + "__".join(path).upper()


def find_config_file(given: str | None, env: Mapping[str, str]) -> str | None:
    """The settings file to read: the one named, else the usual places, else None."""
    if given:
        return given
    if env.get(CONFIG_VARIABLE):
        return env[CONFIG_VARIABLE]
    for candidate in _usual_places(env):
        if candidate.is_file():
            return str(candidate)
    return None


def _usual_places(env: Mapping[str, str]) -> list[Path]:
    places = [Path.cwd() / FILE_NAME]
    config_home = env.get("XDG_CONFIG_HOME") or (
        str(Path(env["HOME"]) / ".config") if env.get("HOME") else ""
    )
    if config_home:
        places.append(Path(config_home) / "harvester" / FILE_NAME)
    return places


def read_toml(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "no such config file") from None
    except IsADirectoryError:
        raise ConfigError(path, "is a directory, not a config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read config file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML ({exc})") from None


def has_key(tree: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(tree, Mapping) or key not in tree:
            return False
        tree = tree[key]
    return True


def reject_secrets(data: Mapping[str, Any], where: str) -> None:
    for path, variable in SECRETS.items():
        if has_key(data, path):
            raise ConfigError(
                where,
                f"secrets are read from the environment only; remove it and set {variable}",
                field=".".join(path),
            )


def with_aliases(env: Mapping[str, str]) -> dict[str, str]:
    """The environment with the common names (GITHUB_TOKEN …) as harvester's own, which win."""
    found = dict(env)
    present = {name.upper() for name in env}
    for alias, path in ENV_ALIASES.items():
        own = variable_of(path)
        if alias in env and own not in present:
            found[own] = env[alias]
        found.pop(alias, None)
    return found


class MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment reader over a given mapping rather than os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = with_aliases(env)
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )
