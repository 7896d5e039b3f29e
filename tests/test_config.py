from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from harvester.config import Settings, load_settings
from harvester.config_sources import SECRETS
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
        ("[reminder]\nhours_before = 24\n", "reminder.hours_before needs the list's address"),
        ("[post]\ngithub = true\n", "post.github needs a token that may comment"),
        ("[post]\ndiscourse = true\n", "post.discourse needs sources.discourse.api_username"),
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


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ('[sources.discourse]\napi_key = "k"\n', "HARVESTER_SOURCES__DISCOURSE__API_KEY"),
        ('[sources.github]\ntoken = "t"\n', "GITHUB_TOKEN"),
    ],
)
def test_secrets_in_the_file_are_refused(tmp_path: Path, text: str, variable: str) -> None:
    path = tmp_path / "h.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(str(path), {})
    assert "secrets are read from the environment only" in str(info.value)
    assert variable in str(info.value)


def test_secrets_and_api_url_come_from_the_environment() -> None:
    env = {
        "GITHUB_TOKEN": "from-github-env",
        "HARVESTER_GITHUB_API_URL": "http://127.0.0.1:9/api",
        "HARVESTER_SOURCES__DISCOURSE__API_KEY": "k",
        "HARVESTER_SOURCES__DISCOURSE__API_USERNAME": "system",
        "HARVESTER_HTTP__PER_HOST_RATE": "0.5",
    }
    settings = load_settings(str(EXAMPLE), env)
    assert settings.sources.github.token.get_secret_value() == "from-github-env"
    assert settings.sources.github.api_url == "http://127.0.0.1:9/api"
    assert settings.sources.discourse.api_key.get_secret_value() == "k"
    assert settings.sources.discourse.api_username == "system"
    assert settings.http.per_host_rate == 0.5


def test_the_harvester_name_wins_over_the_common_alias() -> None:
    env = {"GITHUB_TOKEN": "generic", "HARVESTER_SOURCES__GITHUB__TOKEN": "specific"}
    assert load_settings(None, env).sources.github.token.get_secret_value() == "specific"


def test_a_bad_nested_value_names_its_key() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^HARVESTER_HTTP__PER_HOST_CONCURRENCY: http.per_host_concurrency: Input should be",
    ):
        load_settings(None, {"HARVESTER_HTTP__PER_HOST_CONCURRENCY": "0"})


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _keys(annotation, f"{prefix}{name}.")
        else:
            found.append(f"{prefix}{name}")
    return found


def test_the_example_config_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    secrets = {".".join(path) for path in SECRETS}
    tables = {"vote.profiles": "[[vote.profiles]]", "sources.hosts": "[sources.hosts]"}
    for key in _keys(Settings):
        if key in tables:
            assert tables[key] in text, key
            continue
        section, _, name = key.rpartition(".")
        if key in secrets:
            assert name.upper() in text, key  # its environment variable is named instead
            continue
        assert f"[{section}]" in text or section == "", key
        assert f"\n{name} =" in text or f"# {name} =" in text or f"{name} =" in text, key
    for key in ("name", "subject", "labels", "rule", "electorate", "min_hours"):
        assert f"# {key} =" in text or key in text, f"vote.profiles.{key}"


def test_a_minimum_duration_past_a_year_is_refused_with_its_key(tmp_path: Path) -> None:
    config = tmp_path / "harvester.toml"
    config.write_text("[vote]\ndefault_min_hours = 99999999999\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(str(config), {})
    assert "vote.default_min_hours" in str(raised.value)
    assert "8784" in str(raised.value)


def test_lists_and_tables_come_from_the_environment() -> None:
    env = {
        "HARVESTER_DAEMON__LISTS": "dev@tvm.apache.org, dev@arrow.apache.org",
        "HARVESTER_DAEMON__REPOS": '["apache/tvm"]',
        "HARVESTER_SOURCES__HOSTS": '{"forum.example.org": "discourse"}',
        "HARVESTER_VOTE__PROFILES": '[{"name": "release", "subject": "release", '
        '"rule": "majority-approval"}]',
        "HARVESTER_MAIL__TO": "dev@tvm.apache.org",
    }
    settings = load_settings(None, env)
    assert settings.daemon.lists == ("dev@tvm.apache.org", "dev@arrow.apache.org")
    assert settings.daemon.repos == ("apache/tvm",)
    assert settings.sources.hosts == {"forum.example.org": "discourse"}
    assert settings.vote.profiles[0].rule is RuleName.MAJORITY_APPROVAL
    assert settings.mail.to == ("dev@tvm.apache.org",)


def test_a_table_that_is_not_json_is_one_line_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, {"HARVESTER_SOURCES__HOSTS": "forum.example.org=discourse"})
    assert str(raised.value).startswith("HARVESTER_SOURCES__HOSTS: sources.hosts:")


def test_secrets_are_masked_wherever_settings_are_shown() -> None:
    settings = load_settings(None, {"HARVESTER_MAIL__PASSWORD": "hunter2"})
    assert settings.mail.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in settings.model_dump_json()


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A working directory and a config home, each with a harvester.toml of its own rule."""
    work, home = tmp_path / "work", tmp_path / "xdg"
    (home / "harvester").mkdir(parents=True)
    work.mkdir()
    monkeypatch.chdir(work)
    named = tmp_path / "named.toml"
    for path, rule in (
        (named, "consensus-approval"),
        (work / "harvester.toml", "majority-approval"),
        (home / "harvester" / "harvester.toml", "lazy-consensus"),
    ):
        path.write_text(f'[vote]\ndefault_rule = "{rule}"\n')
    return {"named": named, "work": work, "home": home}


def test_the_config_file_is_found_in_the_usual_order(places: dict[str, Path]) -> None:
    env = {"XDG_CONFIG_HOME": str(places["home"]), "HARVESTER_CONFIG": str(places["named"])}
    rule = lambda given, env: load_settings(given, env).vote.default_rule  # noqa: E731
    assert rule(str(places["named"]), {}) is RuleName.CONSENSUS_APPROVAL
    assert rule(None, env) is RuleName.CONSENSUS_APPROVAL  # $HARVESTER_CONFIG
    del env["HARVESTER_CONFIG"]
    assert rule(None, env) is RuleName.MAJORITY_APPROVAL  # ./harvester.toml
    (places["work"] / "harvester.toml").unlink()
    assert rule(None, env) is RuleName.LAZY_CONSENSUS  # $XDG_CONFIG_HOME/harvester/
    assert rule(None, {"HOME": str(places["work"])}) is RuleName.LAZY_TWO_THIRDS  # none: defaults
