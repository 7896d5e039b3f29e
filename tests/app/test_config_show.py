"""`harvest config show`: every effective setting, secrets masked, and where each came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.app.cli import main


def test_every_value_names_its_source_and_no_secret_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "h.toml"
    config.write_text('[mail]\nport = 2525\nto = ["dev@x.org"]\n')
    monkeypatch.setenv("HARVESTER_MAIL__PASSWORD", "hunter2")
    monkeypatch.setenv("HARVESTER_MAIL__TO", "a@x.org, b@x.org")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    assert main(["config", "show", "--config", str(config), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out
    assert "ghp_secret" not in out
    shown = json.loads(out)
    assert shown["file"] == str(config)
    settings = shown["settings"]
    assert settings["mail.port"] == {"value": 2525, "source": f"file {config}"}
    assert settings["mail.to"] == {
        "value": ["a@x.org", "b@x.org"],
        "source": "env HARVESTER_MAIL__TO",
    }
    assert settings["mail.password"] == {
        "value": "********",
        "source": "env HARVESTER_MAIL__PASSWORD",
    }
    assert settings["sources.github.token"]["source"] == "env GITHUB_TOKEN"
    assert settings["web.port"] == {"value": 8080, "source": "default"}


def test_the_text_form_is_one_line_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HARVESTER_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert main(["config", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "# settings file: (none: defaults and environment)"
    assert any(line.startswith("web.port") and line.endswith("= 8080  # default") for line in lines)
    assert all(" = " in line for line in lines[1:])


def test_a_bad_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HARVESTER_WEB__PORT", "eighty")
    assert main(["config", "show"]) == 2
    assert capsys.readouterr().err.startswith(
        "harvest: error: HARVESTER_WEB__PORT: web.port: Input should be a valid integer"
    )
