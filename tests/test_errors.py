"""Errors cross process boundaries whole (--jobs): a worker's error reaches the CLI as itself."""

from __future__ import annotations

import pickle

import pytest

from harvester.errors import ConfigError, HarvesterError, SelectionError, SourceError, UsageError


@pytest.mark.parametrize(
    "kind", [HarvesterError, UsageError, ConfigError, SelectionError, SourceError]
)
def test_an_error_pickles_with_its_place_field_and_line(kind: type[HarvesterError]) -> None:
    error = kind("roster.toml", "must be a list", field="members", line=7)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is kind
    assert str(back) == str(error) == "roster.toml:7: members: must be a list"
    assert (back.where, back.problem, back.field, back.line, back.exit_code) == (
        "roster.toml", "must be a list", "members", 7, error.exit_code,
    )  # fmt: skip
