"""`harvest config show`: the effective settings, secrets masked, with where each came from."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr

from harvester.config import env_variable_for, load_settings
from harvester.config_sources import find_config_file, has_key, read_toml

MASK = "********"
Key = tuple[str, ...]  # ("mail", "port")


@dataclass(frozen=True)
class Shown:
    key: str  # "mail.port"
    value: Any  # as JSON would hold it; a secret masked
    source: str  # "default", "file PATH" or "env NAME"


def effective(given: str | None, env: Mapping[str, str]) -> tuple[str | None, list[Shown]]:
    """The file read (if any) and every setting with its value and its source."""
    settings = load_settings(given, env)
    path = find_config_file(given, env)
    data = read_toml(path) if path else {}
    return path, [
        Shown(".".join(key), _shown(value), _source(key, data, path, env))
        for key, value in _leaves(settings)
    ]


def _leaves(
    model: BaseModel, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _leaves(value, (*prefix, name))
        else:
            yield (*prefix, name), value


def _shown(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if isinstance(value, tuple):
        return [_shown(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _shown(v) for k, v in value.items()}
    return value if isinstance(value, (bool, int, float, str, type(None))) else str(value)


def _source(key: Key, data: Mapping[str, Any], path: str | None, env: Mapping[str, str]) -> str:
    variable = env_variable_for(list(key), env)
    if variable is not None:
        return f"env {variable}"
    if path and has_key(data, key):
        return f"file {path}"
    return "default"


def run_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path, rows = effective(args.config, os.environ)
    if args.format == "json":
        document = {row.key: {"value": row.value, "source": row.source} for row in rows}
        out.write(json.dumps({"file": path, "settings": document}, ensure_ascii=False) + "\n")
        return 0
    out.write(f"# settings file: {path or '(none: defaults and environment)'}\n")
    width = max(len(row.key) for row in rows)
    for row in rows:
        value = json.dumps(row.value, ensure_ascii=False)
        out.write(f"{row.key:<{width}} = {value}  # {row.source}\n")
    return 0
