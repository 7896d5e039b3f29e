"""What every roster parser shares: where a value sits (for one-line errors) and small checks."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from harvester.errors import ConfigError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Place:
    """Where in a roster a value sits, so every error names the file, line and field."""

    where: str
    field: str
    line: int | None = None

    def error(self, problem: str, key: str = "") -> ConfigError:
        field = f"{self.field}.{key}" if key and self.field else key or self.field
        return ConfigError(self.where, problem, field=field, line=self.line)


def type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    if isinstance(value, dict):
        return "table"
    return names.get(type(value), type(value).__name__)


def iso_date(text: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise ValueError("expected YYYY-MM-DD")
    return date.fromisoformat(text)


def json_object(value: object, place: Place) -> dict[str, object]:
    if value is None:
        raise place.error("is missing")
    if not isinstance(value, dict):
        raise place.error(f"must be a JSON object, not {type_name(value)}")
    return value


def describe_choices(wanted: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, choices, n=3)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    shown = sorted(choices)[:5]
    more = len(choices) - len(shown)
    listed = ", ".join(shown) + (f" … ({more} more)" if more else "")
    return f"available: {listed}" if shown else "the file lists no committees"
