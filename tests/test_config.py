from __future__ import annotations

from pathlib import Path

import pytest

from harvester.config import load_settings
from harvester.errors import ConfigError
from harvester.model import Electorate, RuleName

EXAMPLE = Path(__file__).parent.parent / "config" / "harvester.example.toml"


def test_example_config_is_valid_and_matches_defaults() -> None:
    settings = load_settings(str(EXAMPLE), {})
    assert settings == load_settings(None, {})
    assert settings.vote.default_rule is RuleName.LAZY_TWO_THIRDS


def test_environment_overrides_the_file() -> None:
    env = {
        "HARVESTER_VOTE__DEFAULT_RULE": "majority-approval",
        "HARVESTER_VOTE__BOTS": "a, b",
        "HARVESTER_VOTE__ELECTORATE": "committers",
        "OTHER": "x",
    }
    settings = load_settings(str(EXAMPLE), env)
    assert settings.vote.default_rule is RuleName.MAJORITY_APPROVAL
    assert settings.vote.electorate is Electorate.COMMITTERS
    assert settings.vote.bots == ("a", "b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[vote]\ndefault_rule = "simple"\n', "vote.default_rule: Input should be 'lazy-2/3'"),
        ("[vote]\ncolour = 1\n", "vote.colour: Extra inputs are not permitted"),
        ("[vote]\npmc_majority_minimum = 0\n", "vote.pmc_majority_minimum"),
        ("[vote\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "h.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(str(path), {})
    assert str(info.value).startswith(str(path))
    assert expected in str(info.value)


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: no such config file"):
        load_settings("nope.toml", {})
