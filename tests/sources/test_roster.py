"""Roster parsers: our TOML, Whimsy committee-info.json, TVM CONTRIBUTORS.md, the file loader."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from harvester.errors import ConfigError, HarvesterError, SourceError
from harvester.model import Member, Role, Roster
from harvester.sources.contributors import parse_contributors_md
from harvester.sources.roster import (
    format_toml_roster,
    load_roster,
    load_rosters,
    parse_toml_roster,
    roster_kind,
)
from harvester.sources.whimsy import committee_key, parse_committee_info

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "roster"
EXAMPLE_TOML = ROOT / "config" / "roster.example.toml"
COMMITTEE_INFO = DATA / "committee_info_excerpt.json"
CONTRIBUTORS = DATA / "CONTRIBUTORS_excerpt.md"
WHERE = "roster-under-test"


def assert_names(err: HarvesterError, field: str, *fragments: str) -> None:
    """The one-line message names the file and the field, and says what is wrong."""
    message = str(err)
    assert err.where == WHERE
    assert message.startswith(WHERE)
    assert err.field == field
    assert f": {field}: " in message
    for fragment in fragments:
        assert fragment in message


def by_id(roster: Roster) -> dict[str, Member]:
    return {member.id: member for member in roster.members}


def toml_member(**fields: str) -> str:
    """One [[members]] table; values are TOML source text, e.g. role='"pmc"'."""
    defaults = {"id": '"ann"', "name": '"Ann"', "role": '"pmc"'}
    merged = {**defaults, **fields}
    body = "".join(f"{key} = {value}\n" for key, value in merged.items() if value != "<omit>")
    return "[[members]]\n" + body


# --- our TOML --------------------------------------------------------------------------------


def test_example_toml_parses_into_the_documented_members() -> None:
    roster = parse_toml_roster(EXAMPLE_TOML.read_text(encoding="utf-8"), where=WHERE)

    members = by_id(roster)
    assert list(members) == ["alicee", "bobb", "carolc", "zhangw", "dmueller"]
    assert roster.source == WHERE
    assert members["alicee"] == Member(
        id="alicee",
        name="Alice Example",
        role=Role.PMC,
        emails=("alicee@apache.org", "alice.example@example.com"),
        github=("alice-ex",),
        discourse=("alice",),
        since=date(2019, 3, 8),
    )
    assert members["carolc"].role is Role.COMMITTER
    assert members["zhangw"].until == date(2023, 6, 30)
    assert members["dmueller"].since is None
    assert members["dmueller"].name == "Dörte Müller"


def test_example_toml_round_trips_through_format() -> None:
    original = parse_toml_roster(EXAMPLE_TOML.read_text(encoding="utf-8"), where=WHERE)

    again = parse_toml_roster(format_toml_roster(original), where=WHERE)

    assert again == original


@pytest.mark.parametrize(
    "name",
    ['Quote " and backslash \\', "tab\there", "new\nline", "del\x7fchar", "Zoë 陈 🎉", "'single'"],
)
def test_format_escapes_strings_so_they_read_back_unchanged(name: str) -> None:
    roster = Roster(members=(Member(id="x", name=name, role=Role.COMMITTER),))

    assert parse_toml_roster(format_toml_roster(roster), where=WHERE).members == roster.members


def test_toml_normalises_emails_usernames_and_role_but_keeps_username_case() -> None:
    text = toml_member(
        emails='["Ann.Smith@Example.COM"]',
        github='["@AnnS"]',
        discourse='["AnnDisc"]',
        role='"PMC"',
    )

    (member,) = parse_toml_roster(text, where=WHERE).members

    assert member.emails == ("ann.smith@example.com",)
    assert member.github == ("AnnS",)
    assert member.discourse == ("AnnDisc",)
    assert member.role is Role.PMC


@pytest.mark.parametrize(
    ("since", "expected"),
    [("2019-03-08", date(2019, 3, 8)), ('"2019-03-08"', date(2019, 3, 8)), ("<omit>", None)],
)
def test_toml_since_accepts_a_date_or_a_quoted_iso_date(since: str, expected: date | None) -> None:
    (member,) = parse_toml_roster(toml_member(since=since), where=WHERE).members

    assert member.since == expected


@pytest.mark.parametrize(
    ("text", "field", "fragments"),
    [
        pytest.param(
            toml_member(id='"ann"') + toml_member(id='"bob"', name='"Bob"') + toml_member(),
            "members[2].id",
            ("duplicate id 'ann'", "members[0]"),
            id="duplicate-id",
        ),
        pytest.param(
            toml_member() + toml_member(id='"ANN"'),
            "members[1].id",
            ("duplicate id 'ANN'",),
            id="duplicate-id-other-case",
        ),
        pytest.param(
            toml_member(emails='["a@x.org"]') + toml_member(id='"bob"', emails='["A@X.org"]'),
            "members[1].emails",
            ("a@x.org", "id 'ann'"),
            id="address-on-two-members",
        ),
        pytest.param(
            toml_member(github='["ann"]') + toml_member(id='"bob"', github='["Ann"]'),
            "members[1].github",
            ("'Ann'",),
            id="github-login-on-two-members",
        ),
        pytest.param(toml_member(id="<omit>"), "members[0].id", ("is required",), id="no-id"),
        pytest.param(toml_member(name="<omit>"), "members[0].name", ("required",), id="no-name"),
        pytest.param(toml_member(name='"  "'), "members[0].name", ("empty",), id="blank-name"),
        pytest.param(toml_member(id="7"), "members[0].id", ("string", "integer"), id="int-id"),
        pytest.param(
            toml_member(role='"chair"'),
            "members[0].role",
            ("'chair'", '"pmc"', '"committer"'),
            id="bad-role",
        ),
        pytest.param(
            toml_member(role="<omit>"), "members[0].role", ("required", '"pmc"'), id="no-role"
        ),
        pytest.param(
            toml_member(since='"2019-13-45"'),
            "members[0].since",
            ("'2019-13-45'", "not a date"),
            id="impossible-date-string",
        ),
        pytest.param(
            toml_member(until='"30/06/2023"'),
            "members[0].until",
            ("'30/06/2023'",),
            id="non-iso-date-string",
        ),
        pytest.param(
            toml_member(since="2019"), "members[0].since", ("integer",), id="integer-date"
        ),
        pytest.param(
            toml_member(since="2019-03-08T10:00:00"),
            "members[0].since",
            ("has a time",),
            id="datetime-not-date",
        ),
        pytest.param(
            toml_member(since="2020-01-02", until="2020-01-01"),
            "members[0].until",
            ("2020-01-01 is before since = 2020-01-02",),
            id="until-before-since",
        ),
        pytest.param(
            toml_member(email='["a@x.org"]'),
            "members[0].email",
            ("unknown key", "did you mean 'emails'"),
            id="unknown-member-key",
        ),
        pytest.param(
            'title = "PMC"\n' + toml_member(), "title", ("unknown key",), id="unknown-top-key"
        ),
        pytest.param(
            toml_member(emails='"a@x.org"'),
            "members[0].emails",
            ("array of strings",),
            id="emails-not-a-list",
        ),
        pytest.param(
            toml_member(github='["ok", 3]'),
            "members[0].github[1]",
            ("non-empty string",),
            id="github-item-not-a-string",
        ),
        pytest.param(
            toml_member(emails='["ann at x.org"]'),
            "members[0].emails",
            ("'ann at x.org' is not an e-mail address",),
            id="not-an-address",
        ),
        pytest.param("", "members", ("no [[members]]",), id="empty-file"),
        pytest.param('members = "ann"', "members", ("array",), id="members-not-an-array"),
        pytest.param("members = [1]", "members[0]", ("table", "integer"), id="member-not-a-table"),
    ],
)
def test_toml_errors_name_the_file_and_field(
    text: str, field: str, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_toml_roster(text, where=WHERE)

    assert_names(caught.value, field, *fragments)


def test_toml_error_points_at_the_line_of_the_offending_member() -> None:
    text = "# roster\n\n" + toml_member() + "\n" + toml_member(id='"bob"', role='"chair"')
    header_line = text.splitlines().index("[[members]]", 3) + 1

    with pytest.raises(ConfigError) as caught:
        parse_toml_roster(text, where=WHERE)

    assert caught.value.line == header_line
    assert str(caught.value).startswith(f"{WHERE}:{header_line}: members[1].role: ")


def test_toml_syntax_error_carries_tomllib_position() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_toml_roster('[[members]]\nid = "ann"\nname = \n', where=WHERE)

    message = str(caught.value)
    assert message.startswith(f"{WHERE}: invalid TOML: ")
    assert "line 3" in message


# --- Whimsy committee-info.json --------------------------------------------------------------


def committee_info() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(COMMITTEE_INFO.read_text(encoding="utf-8"))
    return loaded


def test_committee_info_gives_the_pmc_with_apache_addresses_and_dates() -> None:
    roster = parse_committee_info(committee_info(), committee="example", where=WHERE)

    assert roster.source == WHERE
    assert [m.id for m in roster.members] == ["alicee", "bobb", "carolc", "zhangw"]
    assert roster.members[2] == Member(
        id="carolc",
        name="Carol Chen",
        role=Role.PMC,
        emails=("carolc@apache.org",),
        since=date(2023, 6, 2),
    )
    assert all(m.role is Role.PMC and m.github == () for m in roster.members)


def test_committee_info_null_date_means_unknown_since() -> None:
    members = by_id(parse_committee_info(committee_info(), committee="samplecache", where=WHERE))

    assert members["evee"].since == date(2012, 4, 18)
    assert members["frankf"].since is None


@pytest.mark.parametrize("given", ["example", "Example", " EXAMPLE ", "Ex.ample"])
def test_committee_name_is_normalised_like_whimsy_keys(given: str) -> None:
    roster = parse_committee_info(committee_info(), committee=given, where=WHERE)

    assert len(roster.members) == 4


def test_committee_key_drops_characters_outside_word_and_dash() -> None:
    assert committee_key("Web Services") == "webservices"
    assert committee_key("db-jdo") == "db-jdo"


@pytest.mark.parametrize(
    ("committee", "fragments"),
    [
        ("exmple", ("no committee 'exmple'", "did you mean 'example'")),
        ("tvm", ("no committee 'tvm'", "available: example, infrastructure, samplecache")),
    ],
)
def test_unknown_committee_names_the_committees_field_and_lists_keys(
    committee: str, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_committee_info(committee_info(), committee=committee, where=WHERE)

    assert_names(caught.value, "committees", *fragments)


def test_unknown_committee_among_many_shows_a_few_and_a_count() -> None:
    data: dict[str, object] = {"committees": {f"c{i:02}": {"roster": {}} for i in range(12)}}

    with pytest.raises(ConfigError) as caught:
        parse_committee_info(data, committee="zzz", where=WHERE)

    assert "c00, c01, c02, c03, c04 … (7 more)" in str(caught.value)


def _with_example(example: object) -> dict[str, object]:
    return {"committees": {"example": example}}


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        pytest.param([], "(top level)", "JSON object", id="top-is-array"),
        pytest.param({"last_updated": "x"}, "committees", "missing", id="no-committees"),
        pytest.param({"committees": []}, "committees", "not array", id="committees-array"),
        pytest.param(_with_example("x"), "committees.example", "not string", id="entry-string"),
        pytest.param(_with_example({}), "committees.example.roster", "missing", id="no-roster"),
        pytest.param(
            _with_example({"roster": {}}), "committees.example.roster", "nobody", id="empty"
        ),
        pytest.param(
            _with_example({"roster": {"ann": "Ann"}}),
            "committees.example.roster.ann",
            "JSON object",
            id="person-string",
        ),
        pytest.param(
            _with_example({"roster": {"ann": {"date": None}}}),
            "committees.example.roster.ann.name",
            "non-empty string",
            id="no-name",
        ),
        pytest.param(
            _with_example({"roster": {"ann": {"name": "Ann", "date": "2020-02-30"}}}),
            "committees.example.roster.ann.date",
            "'2020-02-30' is not a date",
            id="impossible-date",
        ),
        pytest.param(
            _with_example({"roster": {"ann": {"name": "Ann", "date": 2020}}}),
            "committees.example.roster.ann.date",
            "YYYY-MM-DD or null",
            id="number-date",
        ),
    ],
)
def test_committee_info_shape_errors_name_the_field(
    data: object, field: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_committee_info(data, committee="example", where=WHERE)

    assert_names(caught.value, field, fragment)


# --- TVM CONTRIBUTORS.md ---------------------------------------------------------------------


def contributors_excerpt() -> Roster:
    return parse_contributors_md(CONTRIBUTORS.read_text(encoding="utf-8"), where=WHERE)


def test_contributors_excerpt_lists_only_the_committers_section() -> None:
    roster = contributors_excerpt()

    assert roster.source == WHERE
    # Reviewers repeat ada/bochen and add gortega; Mentors add hberg/imarsh: none of them count.
    assert [m.id for m in roster.members] == [
        "adalove",
        "bochen",
        "cdias-dev",
        "devp",
        "eunkim",
        "femiade",
        "wrongway-intl",
    ]


@pytest.mark.parametrize(
    ("member_id", "name", "github", "role"),
    [
        pytest.param("adalove", "Ada Lovegood", "adalove", Role.PMC, id="marker-before-handle"),
        pytest.param("bochen", "Bo Chen", "bochen", Role.COMMITTER, id="plain-committer"),
        pytest.param("cdias-dev", "Carla Dias", "cdias-dev", Role.PMC, id="marker-after-colon"),
        pytest.param("devp", "Dev Patel", "devp", Role.PMC, id="marker-after-handle"),
        pytest.param("eunkim", "Eun Kim", "eunkim", Role.COMMITTER, id="stray-colon"),
        pytest.param("femiade", "Femi Ade", "FemiAde", Role.PMC, id="mixed-case-stray-colon"),
        pytest.param(
            "wrongway-intl", "wrongway", "wrongway-intl", Role.COMMITTER, id="name-is-a-nick"
        ),
    ],
)
def test_contributors_entry_traps(member_id: str, name: str, github: str, role: Role) -> None:
    member = by_id(contributors_excerpt())[member_id]

    assert member == Member(id=member_id, name=name, role=role, github=(github,))


def committers(*entries: str, before: str = "", after: str = "## Reviewers\n") -> str:
    return before + "## Committers\n\nIntro text.\n\n" + "\n".join(entries) + "\n\n" + after


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            "- [Gus Ortega](https://github.com/gortega/)",
            Member(id="gortega", name="Gus Ortega", role=Role.COMMITTER, github=("gortega",)),
            id="url-with-trailing-slash-no-handle",
        ),
        pytest.param(
            "- [Ivo Marsh](https://www.github.com/IMarsh) (PMC)",
            Member(id="imarsh", name="Ivo Marsh", role=Role.PMC, github=("IMarsh",)),
            id="url-only-with-marker",
        ),
        pytest.param(
            "- [Tianqi Chen](https://github.com/tqchen) (PPMC): @tqchen - topi, compiler",
            Member(id="tqchen", name="Tianqi Chen", role=Role.PMC, github=("tqchen",)),
            id="incubator-ppmc-marker",
        ),
        pytest.param(
            "- [Yizhi Liu](https://github.com/yzhliu) (pmc) : @yzhliu:: - jvm",
            Member(id="yzhliu", name="Yizhi Liu", role=Role.PMC, github=("yzhliu",)),
            id="lower-case-marker-double-colon",
        ),
        pytest.param(
            "- [Old Link](https://github.com/oldname): @newname - runtime",
            Member(id="newname", name="Old Link", role=Role.COMMITTER, github=("newname",)),
            id="handle-wins-over-url",
        ),
        pytest.param(
            "- [Kim Lee](https://github.com/kimlee): mail kim@example.com - relay",
            Member(id="kimlee", name="Kim Lee", role=Role.COMMITTER, github=("kimlee",)),
            id="address-is-not-a-handle",
        ),
        pytest.param(
            "* Hana Berg @hberg (PMC)",
            Member(id="hberg", name="Hana Berg", role=Role.PMC, github=("hberg",)),
            id="no-link-name-before-handle",
        ),
    ],
)
def test_contributors_single_entry_shapes(entry: str, expected: Member) -> None:
    roster = parse_contributors_md(committers(entry), where=WHERE)

    assert roster.members == (expected,)


def test_contributors_real_layout_mentors_first_and_comment_headings_ignored() -> None:
    text = (
        "<!--- Licensed to the ASF\n## Committers\n- [Fake](https://github.com/fake): @fake -->\n"
        "TVM Contributors\n================\n\n"
        "## Mentors\n\n- Markus Weimer @markusweimer\n\n"
        + committers(
            "- [Aditya Atluri](https://github.com/adityaatluri): @adityaatluri - rocm",
            "### Emeritus",  # a sub-heading does not end the section
            "- [Nick Hynes](https://github.com/nhynes) (PPMC): @nhynes: - sgx, rust",
            "  - nested note mentioning @someoneelse",
            after="# Other\n- [Late](https://github.com/late): @late\n",
        )
    )

    roster = parse_contributors_md(text, where=WHERE)

    assert [(m.id, m.role) for m in roster.members] == [
        ("adityaatluri", Role.COMMITTER),
        ("nhynes", Role.PMC),
    ]


def test_contributors_duplicate_handles_keep_the_first_listing() -> None:
    text = committers(
        "- [Ann A](https://github.com/AnnA) (PMC): @AnnA",
        "- [Bob](https://github.com/bob): @bob",
        "- [Ann again](https://github.com/anna): @anna - listed twice",
    )

    members = parse_contributors_md(text, where=WHERE).members

    assert [(m.id, m.name, m.role) for m in members] == [
        ("anna", "Ann A", Role.PMC),
        ("bob", "Bob", Role.COMMITTER),
    ]


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        pytest.param(
            "## Reviewers\n- [Ada](https://github.com/ada): @ada\n",
            "no '## Committers' section",
            None,
            id="no-section",
        ),
        pytest.param(
            "### Committers\n- [Ada](https://github.com/ada): @ada\n",
            "no '## Committers' section",
            None,
            id="wrong-heading-level",
        ),
        pytest.param(committers(), "lists nobody", None, id="empty-section"),
        pytest.param(
            committers("- [Ada](https://gitlab.com/ada) (PMC) - compiler"),
            "no GitHub handle",
            5,
            id="entry-without-handle",
        ),
    ],
)
def test_contributors_errors_name_the_file(text: str, fragment: str, line: int | None) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_contributors_md(text, where=WHERE)

    assert caught.value.where == WHERE
    assert caught.value.line == line
    assert str(caught.value).startswith(WHERE)
    assert fragment in str(caught.value)


# --- load_roster -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name", "committee", "first_id"),
    [
        (EXAMPLE_TOML, "roster.toml", None, "alicee"),
        (EXAMPLE_TOML, "ROSTER.TOML", None, "alicee"),
        (COMMITTEE_INFO, "committee-info.json", "example", "alicee"),
        (CONTRIBUTORS, "CONTRIBUTORS.md", None, "adalove"),
        (CONTRIBUTORS, "CONTRIBUTORS.markdown", "ignored", "adalove"),
    ],
)
def test_load_roster_picks_the_parser_by_extension(
    tmp_path: Path, source: Path, name: str, committee: str | None, first_id: str
) -> None:
    path = tmp_path / name
    shutil.copyfile(source, path)

    roster = load_roster(str(path), committee=committee)

    assert roster.source == str(path)
    assert roster.members[0].id == first_id


def test_load_roster_json_without_committee_names_the_option() -> None:
    with pytest.raises(ConfigError) as caught:
        load_roster(str(COMMITTEE_INFO))

    assert caught.value.where == str(COMMITTEE_INFO)
    assert "--committee" in str(caught.value)


def test_load_roster_missing_file_is_a_source_error(tmp_path: Path) -> None:
    path = str(tmp_path / "absent.toml")

    with pytest.raises(SourceError) as caught:
        load_roster(path)

    assert caught.value.where == path
    assert caught.value.problem == "no such file"


def test_load_roster_directory_is_a_source_error(tmp_path: Path) -> None:
    folder = tmp_path / "roster.toml"
    folder.mkdir()

    with pytest.raises(SourceError) as caught:
        load_roster(str(folder))

    assert "directory" in str(caught.value)


def test_load_roster_invalid_json_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "committee-info.json"
    path.write_text('{\n  "committees": {\n    "tvm": ,\n  }\n}\n', encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_roster(str(path), committee="tvm")

    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: invalid JSON: ")


@pytest.mark.parametrize("name", ["roster.yaml", "roster", "roster.toml.bak"])
def test_load_roster_unknown_extension_is_a_config_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copyfile(EXAMPLE_TOML, path)

    with pytest.raises(ConfigError) as caught:
        load_roster(str(path))

    assert caught.value.where == str(path)
    assert "unknown roster format" in str(caught.value)
    assert ".toml" in caught.value.problem  # says what would have worked


def test_load_roster_accepts_a_bom_and_rejects_non_utf8(tmp_path: Path) -> None:
    good = tmp_path / "bom.toml"
    good.write_bytes(b"\xef\xbb\xbf" + toml_member().encode())
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(toml_member(name='"D\xf6rte"').encode("latin-1"))

    assert load_roster(str(good)).members[0].id == "ann"
    with pytest.raises(ConfigError) as caught:
        load_roster(str(bad))
    assert caught.value.where == str(bad)
    assert "not UTF-8" in str(caught.value)


def test_roster_kind_is_reusable_for_url_paths() -> None:
    assert roster_kind("/public/committee-info.json", where="url") == "whimsy"
    assert roster_kind("/apache/tvm/main/CONTRIBUTORS.md", where="url") == "contributors"


# --- Whimsy's LDAP files, combined with committee-info.json ----------------------------------

LDAP_PROJECTS = DATA / "public_ldap_projects_excerpt.json"
LDAP_PEOPLE = DATA / "public_ldap_people_excerpt.json"


def roles(roster: Roster) -> dict[str, tuple[str, str]]:
    return {m.id: (m.name, m.role.value) for m in roster.members}


def test_ldap_projects_alone_owners_are_the_pmc_and_members_committers() -> None:
    roster = load_rosters([str(LDAP_PROJECTS)], committee="example")
    assert roles(roster)["carol2"] == ("carol2", "pmc")  # no names without the people file
    assert roles(roster)["dand"] == ("dand", "committer")
    assert {m.emails for m in roster.members if m.id == "dand"} == {("dand@apache.org",)}


def test_committee_info_says_who_is_on_the_pmc_ldap_adds_the_committers_people_their_names() -> (
    None
):
    roster = load_rosters(
        [str(LDAP_PROJECTS), str(COMMITTEE_INFO), str(LDAP_PEOPLE)], committee="example"
    )
    assert roles(roster) == {
        "alicee": ("Alice Example", "pmc"),  # committee-info's name over the people file's
        "bobb": ("Bob Builder", "pmc"),
        "carolc": ("Carol Chen", "pmc"),
        "dand": ("Dan Dorsey", "committer"),
        "gwenk": ("Gwen Kim", "committer"),
        "zhangw": ("Wei Zhang", "pmc"),
        "carol2": ("carol2", "committer"),  # an LDAP owner the official record does not list
    }
    bob = next(m for m in roster.members if m.id == "bobb")
    assert bob.since == date(2020, 11, 18)


def test_the_people_file_alone_names_nobody(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"public_ldap_people\.json only names the ids"):
        load_rosters([str(LDAP_PEOPLE)], committee="example")


def test_a_json_file_of_another_kind_is_one_clear_line(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(ConfigError) as raised:
        load_roster(str(other), committee="example")
    assert str(raised.value).startswith(f"{other}: not a Whimsy roster: expected committee-info")
