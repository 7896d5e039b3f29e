"""One daemon, many projects: [[projects]] with their own rosters, lists and recipients, and
[foundation] following every committee of a committee-info.json. Each project's votes are
counted with its own roster, and its result mail goes to its own recipients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from harvester.app.cli import main
from harvester.app.daemon import run_daemon
from harvester.app.fetch import Fetcher, http_options
from harvester.app.projects import Fleet
from harvester.config import Settings
from harvester.sources.http import HttpClient
from harvester.store import votes
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import roster_snapshots
from tests.app.daemon_world import World, eventually, world
from tests.fakes.base import status
from tests.fakes.discourse import FakePost
from tests.fakes.files import COMMITTEE_INFO_PATH, FakeWhimsy

SUBJECT = "[VOTE] Release 1.0.0"
ARROW_ROSTER = """
[[members]]
id = "alice"
name = "Alice Archer"
emails = ["alice@apache.org"]
role = "pmc"

[[members]]
id = "erin"
name = "Erin Eyre"
emails = ["erin@apache.org"]
role = "pmc"

[[members]]
id = "bob"
name = "Bob Baker"
emails = ["bob@apache.org"]
role = "committer"
"""
COMMITTEE_INFO = Path(__file__).parents[1] / "data" / "roster" / "committee_info_excerpt.json"


def mail(ident: str, sender: str, body: str, at: datetime, *, to: str, call: str = "") -> bytes:
    """A list mail; with `call` a reply to that call's Message-ID."""
    headers = [
        f"Message-ID: <{ident}@example.org>",
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {'Re: ' if call else ''}{SUBJECT}",
        f"Date: {format_datetime(at)}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if call:
        headers += [f"In-Reply-To: <{call}@example.org>", f"References: <{call}@example.org>"]
    return ("\n".join(headers) + "\n\n" + body).encode()


def vote_on(w: World, address: str, caller: str, voter: str) -> None:
    """The same call on `address`, then a +1 from `voter`."""
    name = address.split("@")[1].split(".")[0]
    call = f"call-{name}"
    body = "Please vote on releasing 1.0.0. Open for at least 72 hours.\n\n+1 (binding)\n"
    w.lists.add_mail(mail(call, caller, body, w.t0, to=address), list_id=address)
    later = w.t0 + timedelta(minutes=30)
    w.lists.add_mail(
        mail(f"reply-{name}", voter, "+1\n", later, to=address, call=call), list_id=address
    )


def many(w: World, top: dict[str, Any]) -> Settings:
    """The world's settings with no places of its own in [daemon]: the projects name theirs."""
    empty = {"lists": [], "categories": [], "repos": [], "roster": ""}
    return w.settings(daemon=empty, top=top)


async def running(
    w: World, settings: Settings, until: Callable[[], Awaitable[bool]], what: str
) -> None:
    """Run the daemon until `until` holds, then stop it."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_daemon(settings, w.url, clock=w.clock, stop=stop))
    try:
        await eventually(until, what)
    finally:
        stop.set()
        await task


async def counted(w: World, n: int) -> bool:
    found = await w.votes()
    return len(found) == n and all([await w.tally(v.id) is not None for v in found])


def by_project(found: list[votes.VoteRow]) -> dict[str, votes.VoteRow]:
    return {vote.project: vote for vote in found}


def bob(report: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in report["ballots"] if b["voter"] == "Bob Baker")


async def snapshot_sources(w: World) -> set[str]:
    async def read(connection: Any) -> set[str]:
        return set((await connection.execute(select(roster_snapshots.c.source))).scalars())

    return await w.query(read)


# -- two projects, two rosters --------------------------------------------------------------


async def two_projects(w: World, arrow_roster: Path) -> None:
    settings = many(
        w,
        {
            "projects": [
                {
                    "name": "tvm",
                    "roster": str(w.roster),
                    "lists": ["dev@tvm.apache.org"],
                    "mail_to": ["private@tvm.apache.org"],
                },
                {
                    "name": "arrow",
                    "roster": str(arrow_roster),
                    "lists": ["dev@arrow.apache.org"],
                    "mail_to": ["private@arrow.apache.org"],
                },
            ]
        },
    )
    await running(w, settings, lambda: counted(w, 2), "a count of each project's vote")
    found = by_project(await w.votes())
    assert set(found) == {"tvm", "arrow"}
    assert found["tvm"].title == found["arrow"].title == SUBJECT  # one subject, two votes
    tvm, arrow = await w.tally(found["tvm"].id), await w.tally(found["arrow"].id)
    assert tvm is not None
    assert arrow is not None
    # Bob is on TVM's PMC and only a committer of Arrow: the same +1, binding in one of them.
    assert bob(tvm)["binding"] is True
    assert bob(arrow)["binding"] is False
    assert tvm["counts"]["binding"]["+1"] == 2
    assert (arrow["counts"]["binding"]["+1"], arrow["counts"]["non_binding"]["+1"]) == (1, 1)
    assert await snapshot_sources(w) == {f"{w.roster}#tvm", f"{arrow_roster}#arrow"}

    # Past the deadline each vote closes, and its result goes to its own project's recipients.
    w.clock.now = w.t0 + timedelta(hours=73)
    await running(w, settings, lambda: _mails(w, 2), "both result mails")
    sent = {m.message()["In-Reply-To"]: m.rcpt_tos for m in w.smtp.received}
    assert sent == {
        "<call-tvm@example.org>": ("private@tvm.apache.org",),
        "<call-arrow@example.org>": ("private@arrow.apache.org",),
    }


async def _mails(w: World, n: int) -> bool:
    return len(w.smtp.received) >= n


def test_two_projects_count_with_their_own_rosters_and_mail_their_own_recipients(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    arrow_roster = tmp_path / "arrow.toml"
    arrow_roster.write_text(ARROW_ROSTER, encoding="utf-8")
    with world(database_url, tmp_path) as w:
        caller, voter = "Alice Archer <alice@apache.org>", "Bob <bob@apache.org>"
        vote_on(w, "dev@tvm.apache.org", caller, voter)
        vote_on(w, "dev@arrow.apache.org", caller, voter)
        asyncio.run(two_projects(w, arrow_roster))

    # `harvest votes list` shows the project column, and --project picks one project's votes.
    assert main(["votes", "list", "--db", database_url]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split("\t")[:2] == ["id", "project"]
    assert sorted(line.split("\t")[1] for line in lines) == ["arrow", "tvm"]
    assert main(["votes", "list", "--db", database_url, "--project", "arrow"]) == 0
    (line,) = capsys.readouterr().out.splitlines()[1:]
    assert line.split("\t")[1] == "arrow"
    assert main(["votes", "list", "--db", database_url, "--format", "json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(item["project"] for item in listed) == ["arrow", "tvm"]


# -- a whole foundation -----------------------------------------------------------------------


def committee_info() -> dict[str, Any]:
    """The excerpt: Alice (alicee) and Bob (bobb) on Example's PMC, Eve on SampleCache's, and
    Infrastructure, an officer's committee with no PMC."""
    data: dict[str, Any] = json.loads(COMMITTEE_INFO.read_text(encoding="utf-8"))
    return data


async def foundation(w: World, whimsy: FakeWhimsy) -> None:
    settings = many(
        w,
        {
            "foundation": {"committee_info": whimsy.committee_info_url},
            # An entry of a committee's name adds to it: here, its own recipients.
            "projects": [{"name": "samplecache", "mail_to": ["private@samplecache.apache.org"]}],
        },
    )
    await running(w, settings, lambda: counted(w, 2), "a count of each committee's vote")
    found = by_project(await w.votes())
    # Infrastructure (no PMC of its own) is not followed: its vote is not found.
    assert set(found) == {"example", "samplecache"}
    example, sample = await w.tally(found["example"].id), await w.tally(found["samplecache"].id)
    assert example is not None
    assert sample is not None
    # Alice (alicee) is on Example's PMC, not on SampleCache's; Eve is on SampleCache's.
    alice = [b for b in example["ballots"] if b["member_id"] == "alicee"]
    assert [b["binding"] for b in alice] == [True]
    assert {b["voter"]: b["binding"] for b in sample["ballots"]} == {
        "Alice Example": False,
        "Eve Evans": True,
    }
    url = whimsy.committee_info_url
    assert await snapshot_sources(w) == {f"{url}#example", f"{url}#samplecache"}
    # One download of committee-info.json serves every committee of a discovery round.
    assert whimsy.count() == 1

    w.clock.now = w.t0 + timedelta(hours=73)
    await running(w, settings, lambda: _mails(w, 2), "both result mails")
    sent = {m.message()["In-Reply-To"]: m.rcpt_tos for m in w.smtp.received}
    assert sent == {
        "<call-example@example.org>": ("private@tvm.example.org",),  # [mail] to
        "<call-samplecache@example.org>": ("private@samplecache.apache.org",),
    }


def test_a_foundation_follows_each_committee_with_its_own_pmc(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w, FakeWhimsy(committee_info()) as whimsy:
        alice = "Alice Example <alicee@apache.org>"
        vote_on(w, "dev@example.apache.org", alice, "Bob Builder <bobb@apache.org>")
        vote_on(w, "dev@samplecache.apache.org", "Eve Evans <evee@apache.org>", alice)
        vote_on(w, "dev@infrastructure.apache.org", "Vic <vpinfra@apache.org>", alice)
        asyncio.run(foundation(w, whimsy))


# -- a vote of no project --------------------------------------------------------------------


async def before_projects(w: World, arrow_roster: Path) -> None:
    await running(w, w.settings(), lambda: counted(w, 1), "the count of the config's one vote")
    (before,) = await w.votes()
    assert before.project == ""
    # The config now names its projects; the vote found before belongs to none of them, and is
    # still polled and closed, with [daemon]'s roster.
    settings = w.settings(
        daemon={"lists": [], "categories": [], "repos": []},
        top={
            "projects": [
                {"name": "arrow", "roster": str(arrow_roster), "lists": ["dev@arrow.apache.org"]}
            ]
        },
    )
    w.clock.now = w.t0 + timedelta(hours=73)
    await running(w, settings, lambda: _mails(w, 1), "the result mail of the earlier vote")
    (after,) = await w.votes()
    assert (after.id, after.project, after.status) == (before.id, "", "passed")
    report = await w.tally(after.id)
    assert report is not None
    assert bob(report)["binding"] is True  # [daemon]'s roster: Bob is on its PMC


def test_a_vote_found_before_projects_were_named_still_closes(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    arrow_roster = tmp_path / "arrow.toml"
    arrow_roster.write_text(ARROW_ROSTER, encoding="utf-8")
    with world(database_url, tmp_path) as w:
        w.fill()
        w.discourse.add_post(
            77, FakePost("carol", "<p>+1 (binding)</p>", w.t0 + timedelta(hours=2), name="Carol")
        )
        asyncio.run(before_projects(w, arrow_roster))


async def roster_moved_into_a_project(w: World) -> None:
    await running(w, w.settings(), lambda: counted(w, 1), "the count of the config's one vote")
    settings = many(
        w,
        {
            "projects": [
                {
                    "name": "tvm",
                    "roster": str(w.roster),
                    "lists": ["dev@tvm.apache.org"],
                    "categories": [f"{w.discourse.url}/c/votes/5"],
                    "repos": ["apache/tvm"],
                }
            ]
        },
    )
    w.clock.now = w.t0 + timedelta(hours=73)
    await running(w, settings, lambda: _mails(w, 1), "the result mail of the earlier vote")
    (after,) = await w.votes()
    assert (after.project, after.status) == ("tvm", "passed")  # its roster moved with it


def test_a_vote_found_before_its_roster_moved_into_the_one_project_is_that_projects(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        w.fill()
        w.discourse.add_post(
            77, FakePost("carol", "<p>+1 (binding)</p>", w.t0 + timedelta(hours=2), name="Carol")
        )
        asyncio.run(roster_moved_into_a_project(w))


# -- a list two projects watch ----------------------------------------------------------------


async def shared_list(w: World, whimsy: FakeWhimsy) -> None:
    settings = many(
        w,
        {
            "foundation": {"committee_info": whimsy.committee_info_url, "include": ["example"]},
            "projects": [{"name": "example-rfcs", "lists": ["dev@example.apache.org"]}],
        },
    )
    await running(w, settings, lambda: counted(w, 1), "the vote's count")
    await asyncio.sleep(0.3)  # a second adoption, were there one, has had its time
    (vote,) = await w.votes()
    assert vote.project == "example-rfcs"  # the entry comes before the committee
    assert len(await w.threads_of(vote.id)) == 1


def test_a_thread_two_projects_watch_is_adopted_once(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w, FakeWhimsy(committee_info()) as whimsy:
        alice = "Alice Example <alicee@apache.org>"
        vote_on(w, "dev@example.apache.org", alice, "Bob Builder <bobb@apache.org>")
        asyncio.run(shared_list(w, whimsy))


# -- committee-info.json out of reach ---------------------------------------------------------


async def whimsy_down(w: World, whimsy: FakeWhimsy) -> list[str]:
    settings = many(w, {"foundation": {"committee_info": whimsy.committee_info_url}})
    engine = engine_for(w.url)
    try:
        async with HttpClient(http_options(settings)) as client:
            fleet = Fleet(engine, settings, Fetcher(client, settings), w.clock, lambda: 1.0)
            assert fleet.watchers == {}  # the committees are known once the file is read
            await fleet.discover()
            first = dict(fleet.watchers)
            assert list(first) == ["example", "samplecache"]
            asked = whimsy.count()
            whimsy.fail_next(COMMITTEE_INFO_PATH, *[status(503)] * 10)
            await fleet.discover()
            # The committees read before are still followed, by the same watchers, and the
            # file out of reach was asked for once this round (its retries aside), not once
            # for each committee's roster.
            assert all(fleet.watchers[name] is first[name] for name in first)
            assert whimsy.count() - asked == settings.http.max_attempts
            return [v.project for v in await w.votes()]
    finally:
        await engine.dispose()


def test_committees_stay_followed_while_committee_info_is_out_of_reach(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w, FakeWhimsy(committee_info()) as whimsy:
        vote_on(w, "dev@example.apache.org", "Alice Example <alicee@apache.org>", "bobb@apache.org")
        found = asyncio.run(whimsy_down(w, whimsy))
    assert found == ["example"]
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("foundation:")]
    assert any("(following the 2 committees read before)" in line for line in said), said


# -- a bad config -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[projects]]\nname = "tvm"\nlists = ["dev@tvm.apache.org"]\n'
            '[[projects]]\nname = "tvm"\nrepos = ["apache/tvm"]\n',
            "projects.1.name: 'tvm' names two projects",
        ),
        ('[[projects]]\nname = "tvm"\n', "projects.0: project 'tvm' watches nothing"),
        ('[foundation]\ncommittee_info = "committees.txt"\n', "foundation.committee_info"),
    ],
)
def test_a_bad_projects_config_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    config = tmp_path / "harvester.toml"
    config.write_text(text, encoding="utf-8")
    code = main(["daemon", "--config", str(config), "--db", f"sqlite:///{tmp_path}/h.db"])
    err = capsys.readouterr().err
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(f"harvest: error: {config}: ")
    assert expected in line
    assert "Traceback" not in err
