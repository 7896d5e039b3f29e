"""The dashboard of a daemon that follows a whole foundation, in Chromium: the votes it found on
two committees' dev@ lists are listed under a heading per project, and a project's own page and
roster show that project alone. The database is filled by the daemon itself (in this process,
over fake lists.apache.org and Whimsy), then served by a real `harvest serve` process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from harvester.store.db import upgrade
from tests.app.daemon_world import world
from tests.app.test_daemon_projects import committee_info, counted, many, running, vote_on
from tests.browser.conftest import Server, keep_screenshot, serve, sqlite_url
from tests.fakes.files import FakeWhimsy

TITLE = "[VOTE] Release 1.0.0"


def followed_by_the_daemon(directory: Path) -> str:
    """A SQLite database where the daemon, following the committees of committee-info.json,
    has found and counted one vote on dev@example and one on dev@samplecache."""
    url = sqlite_url(directory / "h.db")
    upgrade(url)
    with world(url, directory) as w, FakeWhimsy(committee_info()) as whimsy:
        vote_on(w, "dev@example.apache.org", "Alice Example <alicee@apache.org>", "bobb@apache.org")
        vote_on(w, "dev@samplecache.apache.org", "Eve Evans <evee@apache.org>", "alicee@apache.org")
        settings = many(w, {"foundation": {"committee_info": whimsy.committee_info_url}})
        asyncio.run(running(w, settings, lambda: counted(w, 2), "both votes counted"))
    return url


# Listed before `browser` in the test: the daemon's event loop runs and ends before playwright's.
@pytest.fixture(scope="module")
def foundation_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("foundation")
    yield from serve(followed_by_the_daemon(directory), None, directory / "serve.log")


def test_votes_are_listed_under_their_project(
    foundation_server: Server, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=foundation_server.base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.locator("h2.project")).to_have_count(2)
        for project in ("example", "samplecache"):
            heading = page.get_by_role("heading", name=project)
            expect(heading).to_be_visible()
            # The table right after a project's heading holds its vote, and only it.
            table = page.locator(f"h2#project-{project} + table.votes")
            expect(table.locator("tbody tr")).to_have_count(1)
            expect(table).to_contain_text(TITLE)
        keep_screenshot(page, "projects", tmp_path)

        # A project's heading leads to its own page, whose roster is that committee's PMC.
        page.locator("h2.project").get_by_role("link", name="samplecache").click()
        expect(page).to_have_url(f"{foundation_server.base_url}/projects/samplecache")
        expect(page.locator("h1")).to_have_text("Votes of samplecache")
        expect(page.locator("table.votes tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Roster of samplecache").click()
        expect(page.locator("h1")).to_have_text("Roster of samplecache")
        members = page.locator("table.roster tbody tr")
        expect(members).to_have_count(2)
        expect(members).to_contain_text(["Eve Evans", "Frank Fischer"])
    finally:
        context.close()

    listed = foundation_server.vote_json(1)
    assert listed["project"] in ("example", "samplecache")
