"""Every dashboard page in Chromium as a reader who is not signed in sees it: the vote list, a
vote with who has not voted, the roster, a person, sign-in and an error; each laid out without
anything cut off, and each kept as a screenshot when HARVESTER_SCREENSHOTS names a directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    EXAMPLE_ROSTER,
    EXAMPLE_THREAD,
    TOKEN,
    Server,
    assert_laid_out_cleanly,
    harvest,
    harvested_db,
    keep_screenshot,
    serve,
)

STRATEGY = "[VOTE] Clarify Community Strategy Decision Process"
CHECKLIST = "[VOTE] Adopt the release checklist"
CALL_ID = "CAG7+Hm9checklist0Call1xP4kQzN1vTa9Lr8eYw3dS0u5@mail.gmail.com"
NOT_VOTED = ["Bob Okafor", "Sofía Valdés", "Priya Raman", "Takeshi Nakamura", "Olusegun Adeyemi"]


def _mail(number: int, sender: str, date: str, message_id: str, body: str) -> str:
    reply = f"In-Reply-To: <{CALL_ID}>\nReferences: <{CALL_ID}>\n" if number > 1 else ""
    subject = ("Re: " if number > 1 else "") + CHECKLIST
    return (
        f"From dev-return-{number}-archive@tvm.apache.org  Mon Feb  2 09:00:00 2026\n"
        f"From: {sender}\nDate: {date}\nMessage-ID: <{message_id}>\nSubject: {subject}\n"
        f"{reply}To: dev@tvm.apache.org\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{body}\n\n"
    )


# An open vote (no [RESULT], no deadline) on the example roster: four of nine PMC members have
# voted, one of them (Zoë) from an address the roster does not list.
OPEN_MBOX = "".join(
    [
        _mail(
            1,
            "Hannah Morgan <hmorgan@apache.org>",
            "Mon, 2 Feb 2026 09:00:00 +0000",
            CALL_ID,
            "Please vote on adopting the release checklist in RFC 0112. The vote is open\n"
            "for at least 72 hours.\n\n+1 (binding) from me.",
        ),
        _mail(
            2,
            "Yuxin Liu <yuxinliu@apache.org>",
            "Mon, 2 Feb 2026 11:00:00 +0000",
            "5C1E8A2F-checklist-4E9A-9F61-2D4C7B8E0A14@apache.org",
            "+1 (binding)",
        ),
        _mail(
            3,
            '"Lindqvist, Zoë" <zoe@lindqvist.se>',
            "Mon, 2 Feb 2026 15:30:00 +0000",
            "a9c2e4f1-checklist-4a7b-8c6f-1e2d3a4b5c6e@app.fastmail.com",
            "+1",
        ),
        _mail(
            4,
            "Markus Fischer <mfischer@apache.org>",
            "Tue, 3 Feb 2026 08:10:00 +0000",
            "CAM5fKs9checklist2vTr8xPw1eLz6bKd9aYc3gJs5uRi@mail.gmail.com",
            "-1 (binding): the checklist skips the license review.",
        ),
    ]
)


@pytest.fixture(scope="module")
def tour_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example vote (closed) as vote 1 and the open checklist vote as vote 2."""
    directory = tmp_path_factory.mktemp("tour")
    db_url = harvested_db(directory / "h.db", EXAMPLE_THREAD)
    thread = directory / "checklist.mbox"
    thread.write_text(OPEN_MBOX, encoding="utf-8")
    harvest("--thread", thread, "--roster", EXAMPLE_ROSTER, "--db", db_url)
    yield from serve(db_url, TOKEN, directory / "serve.log")


@pytest.fixture
def page(browser: Browser, tour_server: Server) -> Iterator[Page]:
    context = browser.new_context(base_url=tour_server.base_url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(selector).all_inner_texts()]


def test_the_vote_list(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    rows = page.locator("table.votes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("open")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("passed")
    expect(page.locator(".badge")).to_have_count(0)  # nothing here needs anyone
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "list", tmp_path)


def test_an_open_vote_names_who_has_not_voted_with_short_sources(
    page: Page, tour_server: Server, tmp_path: Path
) -> None:
    page.goto("/")
    page.get_by_role("link", name=CHECKLIST).click()
    expect(page.locator("h1")).to_have_text(CHECKLIST)
    not_voted = page.locator("#not-voted")
    expect(not_voted.locator("h2")).to_have_text("Not voted yet (5 of 9)")
    expect(not_voted.locator("li a.person")).to_have_text(NOT_VOTED)

    hannah = page.locator("table.ballots tbody tr", has_text="Hannah Morgan")
    source = hannah.locator("td.message code.url")
    expect(source).to_have_text("mid:CAG7+Hm9…@mail.gmail.com")
    expect(source).to_have_attribute("title", f"mid:{CALL_ID}")
    expect(hannah.locator(".badge")).to_have_count(0)  # a claim the roster agrees with
    zoe = page.locator("table.ballots tbody tr", has_text="Zoë Lindqvist")
    expect(zoe.locator(".badge")).to_have_text("unconfirmed identity")
    expect(page.locator("table.ballots .badge")).to_have_count(1)
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "vote", tmp_path)

    # A name in the list is a link to that person's page.
    not_voted.get_by_role("link", name="Bob Okafor").click()
    expect(page).to_have_url(f"{tour_server.base_url}/people/bokafor")
    expect(page.locator("h1")).to_have_text("Bob Okafor")


def test_a_closed_vote_says_who_did_not_vote(page: Page) -> None:
    page.goto("/votes/1")
    expect(page.locator("#not-voted h2")).to_have_text("Did not vote (1 of 9)")
    expect(page.locator("#not-voted li")).to_have_text(["Olusegun Adeyemi"])
    assert texts(page, "#sources li") == ["strategy-vote.mbox mbox, 19 messages"]
    expect(page.locator("#sources code.url")).to_have_attribute(
        "title",
        f"{EXAMPLE_THREAD}#mid:CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5JfKq6bVn-Rr1hMg@mail.gmail.com",
    )
    assert_laid_out_cleanly(page)


def test_the_roster_leads_to_a_person_with_open_votes_and_ballots(
    page: Page, tmp_path: Path
) -> None:
    page.goto("/roster")
    expect(page.locator("table.roster tbody tr")).to_have_count(13)
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "roster", tmp_path)

    page.get_by_role("link", name="Markus Fischer").click()
    expect(page.locator("h1")).to_have_text("Markus Fischer")
    (entry,) = texts(page, "table.open-votes tbody tr")
    assert entry.startswith(CHECKLIST)
    assert entry.endswith("-1 binding, 2026-02-03 08:10 UTC")
    rows = page.locator("table.ballots tbody tr")
    expect(rows).to_have_count(3)
    assert [t.split("\t")[:3] for t in rows.all_inner_texts()] == [
        [f"{CHECKLIST}\nopen", "-1", "yes"],
        [f"{STRATEGY}\npassed", "+1", "yes"],
        [f"{STRATEGY}\npassed", "-1", "yes"],
    ]
    expect(rows.nth(1).locator(".notes")).to_have_text("changed")
    expect(rows.nth(2).locator(".notes")).to_have_text("replaced later")
    expect(rows.nth(2).locator("q.evidence")).to_have_text(
        "-1 (binding) until the wording of section 3 is fixed."
    )
    assert_laid_out_cleanly(page)


def test_a_person_who_has_not_voted_yet(page: Page, tmp_path: Path) -> None:
    page.goto("/votes/1")
    page.locator("table.ballots").get_by_role("link", name="Bob Okafor").click()
    expect(page.locator("h1")).to_have_text("Bob Okafor")
    waiting = page.locator("table.open-votes tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".badge")).to_have_text("not voted yet")
    expect(waiting.get_by_role("link", name=CHECKLIST)).to_have_attribute("href", "/votes/2")
    expect(page.locator("table.ballots tbody tr")).to_have_count(2)  # +1, and an earlier +1
    # His gmail address is private: readers who are not signed in do not see it.
    expect(page.locator("dl.facts")).not_to_contain_text("bob.okafor@gmail.com")
    expect(page.locator("dl.facts")).to_contain_text("bokafor@apache.org")
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "person", tmp_path)


def test_sign_in_and_an_error(page: Page, tmp_path: Path) -> None:
    page.goto("/login?next=/people/hmorgan")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "login", tmp_path)

    answer = page.goto("/people/nobody")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("#error")).to_have_text("no such person: nobody")
    assert_laid_out_cleanly(page)
    keep_screenshot(page, "error", tmp_path)
