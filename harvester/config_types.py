"""The building blocks every settings section uses: a section that forbids unknown keys, and
a list that the environment gives comma-separated."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_settings import NoDecode


def _comma_list(value: object) -> object:
    """From the environment a list is "a, b" (or JSON: ["a", "b"]); from the file, a list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


# A list of words: a TOML array, or comma-separated in the environment.
Words = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
