"""[[projects]] and [foundation]: what each project runs with, what it falls back to, and the
configs refused at start (one line naming the key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harvester.config import Settings, load_settings
from harvester.errors import ConfigError
from harvester.model import Electorate, RuleName
from harvester.projects_config import (
    followed,
    named_project,
    project_settings,
    roster_source,
    settings_for,
)
from harvester.sources.whimsy import Committee, list_committees

COMMITTEE_INFO = Path(__file__).parent / "data" / "roster" / "committee_info_excerpt.json"
WHIMSY = "https://whimsy.example.org/public/committee-info.json"


def settings(**data: Any) -> Settings:
    return Settings.model_validate(data)


def excerpt() -> list[Committee]:
    data = json.loads(COMMITTEE_INFO.read_text(encoding="utf-8"))
    committees, problems = list_committees(data, where=str(COMMITTEE_INFO))
    assert problems == []
    return committees


def test_a_config_without_projects_is_one_project_and_keeps_its_keys() -> None:
    config = settings(
        daemon={"roster": WHIMSY, "committee": "tvm", "lists": ["dev@tvm.apache.org"]}
    )
    (project,) = followed(config)
    assert project.name == ""
    assert project_settings(config, project) is config
    assert settings_for(config, "") is config
    assert roster_source(config) == WHIMSY  # the snapshots stored before stay in use


def test_a_project_runs_with_its_own_places_rule_profiles_and_recipients() -> None:
    config = settings(
        daemon={"roster": WHIMSY, "repo_labels": ["vote"]},
        vote={"default_rule": "lazy-2/3", "profiles": [{"name": "all", "subject": "."}]},
        mail={"to": ["everyone@example.org"]},
        projects=[
            {
                "name": "tvm",
                "lists": ["dev@tvm.apache.org"],
                "repos": ["apache/tvm"],
                "default_rule": "majority-approval",
                "electorate": "committers",
                "profiles": [{"name": "release", "subject": "release", "rule": "pmc-majority"}],
                "mail_to": ["private@tvm.apache.org"],
            },
            {"name": "arrow", "roster": "arrow.toml", "committee": "ARROW", "lists": ["a@b"]},
        ],
    )
    tvm, arrow = (project_settings(config, p) for p in followed(config))
    assert tvm.daemon.project == "tvm"
    assert (tvm.daemon.lists, tvm.daemon.repos, tvm.daemon.categories) == (
        ("dev@tvm.apache.org",),
        ("apache/tvm",),
        (),
    )
    assert tvm.daemon.repo_labels == ("vote",)  # from [daemon]
    assert (tvm.daemon.roster, tvm.daemon.committee) == (WHIMSY, "tvm")  # committee: its name
    assert tvm.vote.default_rule is RuleName.MAJORITY_APPROVAL
    assert tvm.vote.electorate is Electorate.COMMITTERS
    assert [p.name for p in tvm.vote.profiles] == ["release"]
    assert tvm.mail.to == ("private@tvm.apache.org",)
    # What arrow leaves out comes from [vote] and [mail].
    assert arrow.vote.default_rule is RuleName.LAZY_TWO_THIRDS
    assert [p.name for p in arrow.vote.profiles] == ["all"]
    assert arrow.mail.to == ("everyone@example.org",)
    assert (arrow.daemon.roster, arrow.daemon.committee) == ("arrow.toml", "ARROW")
    # Each project's snapshots under a key of its own, even from one file.
    assert roster_source(tvm) == f"{WHIMSY}#tvm"
    assert roster_source(arrow) == "arrow.toml#arrow"
    assert settings_for(config, "tvm") == tvm
    assert settings_for(tvm, "tvm") is tvm  # already a project's settings


def test_a_foundation_follows_every_committee_with_a_pmc() -> None:
    config = settings(foundation={"committee_info": WHIMSY})
    projects = followed(config, excerpt())
    assert [p.name for p in projects] == ["example", "samplecache"]  # not infrastructure
    example = project_settings(config, projects[0])
    assert example.daemon.lists == ("dev@example.apache.org",)
    assert (example.daemon.roster, example.daemon.committee) == (WHIMSY, "example")
    assert roster_source(example) == f"{WHIMSY}#example"
    # Before committee-info.json is read the config alone still says how to count a vote.
    assert followed(config) == []
    assert settings_for(config, "example").daemon.roster == WHIMSY


def test_include_exclude_and_an_entry_of_a_committees_name() -> None:
    config = settings(
        foundation={"committee_info": WHIMSY, "include": ["Example", "infrastructure"]},
        projects=[
            {"name": "infrastructure", "lists": ["ops@infra.apache.org"]},
            {"name": "podling", "roster": "podling.toml", "repos": ["apache/podling"]},
        ],
    )
    projects = {p.name: p for p in followed(config, excerpt())}
    assert list(projects) == ["infrastructure", "podling", "example"]  # entries first
    assert projects["infrastructure"].lists == ("ops@infra.apache.org",)  # the entry wins
    assert projects["infrastructure"].roster == WHIMSY
    assert projects["podling"].roster == "podling.toml"
    assert projects["podling"].lists == ()  # no committee of that name
    excluded = settings(foundation={"committee_info": WHIMSY, "exclude": ["SampleCache"]})
    assert [p.name for p in followed(excluded, excerpt())] == ["example"]


def test_an_entry_adding_to_a_committee_keeps_its_list() -> None:
    config = settings(
        foundation={"committee_info": WHIMSY},
        projects=[{"name": "samplecache", "mail_to": ["private@samplecache.apache.org"]}],
    )
    project = next(p for p in followed(config, excerpt()) if p.name == "samplecache")
    assert project.lists == ("dev@samplecache.apache.org",)
    assert project.mail_to == ("private@samplecache.apache.org",)
    assert named_project(config, "samplecache") is not None
    assert named_project(config, "") is None


def test_a_vote_of_a_project_no_longer_named_keeps_the_configs_settings() -> None:
    config = settings(daemon={"roster": "tvm.toml"}, projects=[{"name": "a", "lists": ["x@y"]}])
    gone = settings_for(config, "retired")
    assert gone.daemon.project == "retired"
    assert gone.daemon.roster == "tvm.toml"


def test_committees_of_committee_info_json() -> None:
    data = {
        "committees": {
            "comdev": {"mail_list": "community", "pmc": True},
            "tvm": {"roster": {}},
            "Bad Key": {},
            "broken": "not an object",
            "odd": {"mail_list": "no spaces allowed"},
        }
    }
    committees, problems = list_committees(data, where="ci.json")
    assert [(c.key, c.mail_list, c.pmc) for c in committees] == [
        ("comdev", "community", True),
        ("tvm", "tvm", True),
        ("odd", "odd", True),
    ]
    assert problems == [
        "ci.json: committees.Bad Key: not a committee entry (skipped)",
        "ci.json: committees.broken: not a committee entry (skipped)",
    ]


def test_projects_come_from_the_environment_as_json() -> None:
    env = {
        "HARVESTER_PROJECTS": '[{"name": "tvm", "lists": ["dev@tvm.apache.org"]}]',
        "HARVESTER_FOUNDATION__EXCLUDE": "incubator, Attic",
    }
    loaded = load_settings(None, env)
    assert [p.name for p in loaded.projects] == ["tvm"]
    assert loaded.foundation.exclude == ("incubator", "attic")


def test_a_projects_profile_template_is_found_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / "release.j2").write_text("{{ title }}\n", encoding="utf-8")
    config = tmp_path / "harvester.toml"
    config.write_text(
        '[[projects]]\nname = "tvm"\nlists = ["dev@tvm.apache.org"]\n'
        '[[projects.profiles]]\nname = "release"\nsubject = "release"\n'
        'template = "release.j2"\n',
        encoding="utf-8",
    )
    (project,) = load_settings(str(config), {}).projects
    assert project.profiles is not None
    assert project.profiles[0].template == str(tmp_path / "release.j2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[projects]]\nname = "tvm"\nlists = ["a@b"]\n[[projects]]\nname = "tvm"\n'
            'lists = ["c@d"]\n',
            "projects.1.name: 'tvm' names two projects",
        ),
        ('[[projects]]\nname = "tvm"\n', "projects.0: project 'tvm' watches nothing"),
        ('[[projects]]\nlists = ["a@b"]\n', "projects.0.name: Field required"),
        ('[[projects]]\nname = "Apache TVM"\nlists = ["a@b"]\n', "projects.0.name: a project's"),
        (
            '[[projects]]\nname = "a"\nlists = ["dev@x.org"]\n'
            '[[projects]]\nname = "b"\nlists = ["DEV@x.org"]\n',
            "projects.1.lists: DEV@x.org is watched by 'a' too",
        ),
        (
            '[daemon]\nlists = ["dev@x.org"]\n[[projects]]\nname = "a"\nlists = ["a@b"]\n',
            "daemon.lists: with [[projects]] or [foundation] each project names its own",
        ),
        (
            '[daemon]\nproject = "tvm"\n[foundation]\ncommittee_info = "ci.json"\n',
            "daemon.project names the one project of a config without",
        ),
        ('[daemon]\nproject = "TVM!"\n', "daemon.project: a project's name is a short key"),
        ('[foundation]\ncommittee_info = "ci.txt"\n', "foundation.committee_info: expected"),
        ('[[projects]]\nname = "a"\nlists = ["a@b"]\ncolour = 1\n', "projects.0.colour"),
    ],
)
def test_a_bad_projects_config_names_its_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "h.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(str(path), {})
    said = str(raised.value)
    assert said.startswith(f"{path}: ")
    assert expected in said
    assert "\n" not in said


def test_each_projects_reminder_goes_to_its_own_list_unless_one_is_named() -> None:
    from harvester.app.remind import reminder_recipients

    config = settings(
        reminder={"hours_before": 24},
        projects=[
            {"name": "tvm", "lists": ["dev@tvm.apache.org"]},
            {"name": "arrow", "lists": ["dev@arrow.apache.org"]},
        ],
    )
    by_project = {p.name: project_settings(config, p) for p in followed(config)}
    assert reminder_recipients(by_project["tvm"]) == ("dev@tvm.apache.org",)
    assert reminder_recipients(by_project["arrow"]) == ("dev@arrow.apache.org",)
    named = settings(
        reminder={"hours_before": 24, "to": ["votes@example.org"]},
        projects=[{"name": "tvm", "lists": ["dev@tvm.apache.org"]}],
    )
    (tvm,) = followed(named)
    assert reminder_recipients(project_settings(named, tvm)) == ("votes@example.org",)
