"""Command-line values every `harvest` command reads the same way."""

from __future__ import annotations

from harvester.core.rules import parse_rule_name
from harvester.errors import UsageError
from harvester.model import RuleName


def parse_rule(raw: str | None) -> RuleName | None:
    if raw is None:
        return None
    rule = parse_rule_name(raw)
    if rule is None:
        accepted = ", ".join(r.value for r in RuleName)
        raise UsageError("--rule", f"unknown rule {raw!r}; accepted: {accepted}")
    return rule
