"""The dashboard in Chromium, over real `harvest serve` processes and harvested SQLite files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.browser.conftest import (
    EXAMPLE_ROSTER,
    EXAMPLE_THREAD,
    TOKEN,
    Server,
    assert_laid_out_cleanly,
    copy_db,
    get_json,
    harvest,
    harvested_db,
    keep_screenshot,
    serve,
)

TITLE = "[VOTE] Clarify Community Strategy Decision Process"
KEVIN = "Kevin Brandt"
KEVIN_URL = "mid:CAKb7rN4pT1xWq8mZs2eLv5dYh3cFj9aGo6uIk0Rn_KB1z@mail.gmail.com"
CHAIR = "Chair Person"
REASON = "Kevin is on the PMC since December; the roster export is stale"
HARVESTED_BINDING = {"+1": 6, "0": 1, "-1": 1}
CORRECTED_BINDING = {"+1": 6, "0": 1, "-1": 2}
CORRECTED_NON_BINDING = {"+1": 3, "0": 1, "-1": 0}
ALERT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'

# A vote whose call has markup and an encoded CR/LF in its subject, and a reply whose ballot line
# carries a script and an image with an onerror handler. Both senders are on examples/roster.toml.
HOSTILE_MBOX = f"""\
From dev-return-1-archive@tvm.apache.org  Mon Jan  5 16:30:03 2026
From: Hannah Morgan <hmorgan@apache.org>
Date: Mon, 5 Jan 2026 08:30:00 -0800
Message-ID: <hostile-call@example.org>
Subject: [VOTE] <b>Bold</b> idea =?UTF-8?Q?=0D=0AX-Injected=3A_yes=0D=0A=0Djunk?=
To: dev@tvm.apache.org
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Please vote on the <b>Bold</b> idea.

+1 (binding) from me.

From dev-return-2-archive@tvm.apache.org  Tue Jan  6 10:00:00 2026
From: Bob Okafor <bokafor@apache.org>
Date: Tue, 6 Jan 2026 10:00:00 +0000
Message-ID: <hostile-reply@example.org>
Subject: Re: [VOTE] <b>Bold</b> idea
In-Reply-To: <hostile-call@example.org>
References: <hostile-call@example.org>
To: dev@tvm.apache.org
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

+1 {ALERT}

"""


# -- servers: one per module and purpose, each on its own copy of the database ------------------


@pytest.fixture(scope="module")
def chair_server(example_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Writes enabled; the click-through test corrects Kevin's ballot here."""
    directory = tmp_path_factory.mktemp("chair")
    yield from serve(copy_db(example_db, directory), TOKEN, directory / "serve.log")


@pytest.fixture(scope="module")
def reharvest_server(
    example_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Writes enabled; a correction is made here and then the thread is harvested again."""
    directory = tmp_path_factory.mktemp("reharvest")
    yield from serve(copy_db(example_db, directory), TOKEN, directory / "serve.log")


@pytest.fixture(scope="module")
def readonly_server(example_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No HARVESTER_WEB__TOKEN: the dashboard is read-only."""
    directory = tmp_path_factory.mktemp("readonly")
    yield from serve(copy_db(example_db, directory), None, directory / "serve.log")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The hostile thread above, harvested into its own database."""
    directory = tmp_path_factory.mktemp("hostile")
    thread = directory / "hostile.mbox"
    thread.write_text(HOSTILE_MBOX, encoding="utf-8")
    # Closed, so that it also has a [RESULT] draft carrying the title.
    db_url = harvested_db(directory / "h.db", thread, "--closes-at", "2026-01-10T00:00:00Z")
    yield from serve(db_url, None, directory / "serve.log")


# -- helpers --------------------------------------------------------------------------------------


def new_page(browser: Browser, server: Server, *, javascript: bool = True) -> Page:
    """A page in a fresh context (no cookies) whose relative URLs go to `server`."""
    context = browser.new_context(base_url=server.base_url, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


def record_dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt the page opens (dismissed at once), to assert there are none."""
    opened: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def close(page: Page) -> None:
    context: BrowserContext = page.context
    context.close()


def sign_in(page: Page, name: str, token: str) -> None:
    """From a page with a "Sign in" link: follow it, fill the form and submit."""
    page.get_by_role("link", name="Sign in").first.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def correct_kevin(page: Page, reason: str) -> None:
    """On the signed-in vote page: open Kevin's correction form, make him a binding -1, save."""
    kevin = page.locator("table.ballots tbody tr", has_text=KEVIN)
    kevin.get_by_role("link", name="correct…").click()
    form = page.locator("form#correct")
    expect(form).to_be_visible()
    # The ballot's "correct…" link fills in the URL of Kevin's message.
    expect(form.get_by_label("Message URL")).to_have_value(KEVIN_URL)
    form.get_by_label("Value").select_option("-1")
    form.get_by_label("Binding").select_option("yes")
    form.get_by_label("Reason").fill(reason)
    form.get_by_role("button", name="Save correction").click()


def counts_row(page: Page, group: str) -> list[str]:
    """The +1, 0, -1 cells of the counts table's "Binding" or "Non-binding" row."""
    headers = [text.strip() for text in page.locator("#counts tbody tr th").all_inner_texts()]
    assert headers == ["Binding", "Non-binding"]
    row = page.locator("#counts tbody tr").nth(headers.index(group))
    return [text.strip() for text in row.locator("td").all_inner_texts()]


# -- 1. click-through: list, vote, sign in, correct, audit, screenshot ----------------------------


def test_click_through_sign_in_and_correct_a_ballot(
    browser: Browser, chair_server: Server, tmp_path: Path
) -> None:
    assert chair_server.vote_json()["report"]["counts"]["binding"] == HARVESTED_BINDING
    page = new_page(browser, chair_server)
    dialogs = record_dialogs(page)

    # The list: the vote with its binding and non-binding counts.
    page.goto("/")
    row = page.locator("table.votes tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row.locator("td.num")).to_have_text(["6", "1", "1", "4", "1", "0"])
    expect(row).to_contain_text("passed")
    expect(row).to_contain_text("lazy-2/3")

    # The vote: ballots with their evidence, thresholds, the [RESULT] draft.
    row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(f"{chair_server.base_url}/votes/1")
    expect(page.locator("h1")).to_contain_text(TITLE)
    kevin = page.locator("table.ballots tbody tr", has_text=KEVIN)
    expect(kevin).to_have_count(1)
    expect(kevin.locator("q.evidence")).to_have_text("+1 (binding)")
    expect(kevin.locator("td").nth(1)).to_have_text("+1")
    expect(kevin.locator("td").nth(2)).to_have_text("no")
    # He wrote "(binding)" but is on no roster: the one thing in his row that needs a person.
    expect(kevin.locator(".badge")).to_have_text("claims binding")
    expect(page.locator("#review ul.review li", has_text=KEVIN)).to_have_count(2)

    conditions = page.locator("#conditions li.condition")
    expect(conditions).to_have_count(2)
    expect(conditions.nth(0).locator(".label")).to_have_text("binding votes cast")
    expect(conditions.nth(0).get_by_role("img")).to_have_attribute("aria-label", "8 of 3")
    expect(conditions.nth(0).locator(".figures")).to_have_text("8 / 3")
    expect(conditions.nth(1).get_by_role("img")).to_have_attribute("aria-label", "6 of 2")
    for index in range(2):
        expect(conditions.nth(index)).to_have_class("condition met")
        expect(conditions.nth(index).locator(".verdict")).to_have_text("met")
        expect(conditions.nth(index).locator(".bar .fill")).to_have_class("fill w-100")
        box = conditions.nth(index).locator(".bar .fill").bounding_box()
        assert box is not None
        assert box["width"] > 0, "a full threshold bar is drawn"

    expect(page.locator("#draft-subject")).to_have_value(f"[RESULT]{TITLE}")
    draft = page.locator("textarea#draft").input_value()
    assert "The vote has passed with 10 +1 votes (6 binding)" in draft
    assert "- Tomás Quintero\n- Kevin Brandt\n" in draft
    expect(page.locator("form[action='/votes/1/corrections']")).to_have_count(0)

    # Sign in: back on the vote page, named in the header, with the forms.
    sign_in(page, CHAIR, TOKEN)
    expect(page).to_have_url(f"{chair_server.base_url}/votes/1")
    expect(page.locator("header .who")).to_contain_text(f"Signed in as {CHAIR}")
    expect(page.locator("form#correct")).to_have_count(1)

    correct_kevin(page, REASON)

    # Back on the vote, at the corrections; the correction, the recount and the audit are shown.
    expect(page).to_have_url(f"{chair_server.base_url}/votes/1#corrections")
    correction = page.locator("#corrections table.corrections tbody tr")
    expect(correction).to_have_count(1)
    # The message shows as a short label; the whole Message-ID is in its title.
    expect(correction.locator("td").nth(0)).to_have_text("mid:CAKb7rN4…@mail.gmail.com")
    expect(correction.locator("td").nth(0).locator("code.url")).to_have_attribute(
        "title", KEVIN_URL
    )
    expect(correction.locator("td").nth(1)).to_have_text("-1")
    expect(correction.locator("td").nth(2)).to_have_text("yes")
    expect(correction.locator("td").nth(3)).to_have_text("as read")
    expect(correction.locator("td").nth(4)).to_have_text(REASON)
    expect(correction.locator("td").nth(5)).to_have_text(CHAIR)

    kevin = page.locator("table.ballots tbody tr", has_text=KEVIN)
    expect(kevin.locator("td").nth(1)).to_have_text("-1")
    expect(kevin.locator("td").nth(2)).to_have_text("yes")
    expect(kevin.locator(".notes")).to_have_text("corrected by hand")
    expect(kevin.locator(".badge")).to_have_count(0)  # binding now, as he claimed
    # What he wrote is still shown as he wrote it.
    expect(kevin.locator("q.evidence")).to_have_text("+1 (binding)")

    assert counts_row(page, "Non-binding") == ["3", "1", "0"]
    assert counts_row(page, "Binding")[2] == "2"
    assert counts_row(page, "Binding") == ["6", "1", "2"]
    conditions = page.locator("#conditions li.condition")
    expect(conditions.nth(0).locator(".figures")).to_have_text("9 / 3")
    expect(conditions.nth(1).locator(".figures")).to_have_text("6 / 4")

    audit = page.locator("#audit table.audit tbody tr", has_text=CHAIR)
    expect(audit).to_have_count(1)
    expect(audit.locator("td").nth(1)).to_have_text(CHAIR)
    expect(audit.locator("td").nth(2)).to_have_text("override")
    expect(audit.locator("td").nth(3).locator("code.url")).to_have_attribute("title", KEVIN_URL)
    expect(audit.locator("td").nth(3)).to_contain_text(REASON)

    # The [RESULT] draft is written again from the corrected tally.
    draft = page.locator("textarea#draft").input_value()
    assert "-1:\n- Kevin Brandt (binding)\n- Priya Raman (binding)\n" in draft
    assert f"Corrected by hand:\n- counted as -1, binding: {REASON} ({CHAIR})" in draft
    assert "- Tomás Quintero\n- Siddharth Iyer\n- Chloé Dubois\n\n0:" in draft

    report = chair_server.vote_json()["report"]
    assert report["counts"]["binding"] == CORRECTED_BINDING
    assert report["counts"]["non_binding"] == CORRECTED_NON_BINDING
    ballot = next(b for b in report["ballots"] if b["url"] == KEVIN_URL)
    assert (ballot["value"], ballot["binding"]) == ("-1", True)
    assert "corrected" in ballot["flags"]

    # The list follows the correction too.
    page.goto("/")
    expect(page.locator("table.votes tbody tr", has_text=TITLE).locator("td.num")).to_have_text(
        ["6", "1", "2", "3", "1", "0"]
    )
    page.goto("/votes/1")

    assert_laid_out_cleanly(page)
    keep_screenshot(page, "vote-corrected", tmp_path)

    assert dialogs == []
    close(page)


# -- 2. a correction survives the next harvest of the same thread ---------------------------------


def test_correction_survives_a_reharvest(browser: Browser, reharvest_server: Server) -> None:
    page = new_page(browser, reharvest_server)
    page.goto("/votes/1")
    sign_in(page, CHAIR, TOKEN)
    correct_kevin(page, REASON)
    expect(page.locator("#corrections table.corrections tbody tr")).to_have_count(1)
    assert reharvest_server.vote_json()["report"]["counts"]["binding"] == CORRECTED_BINDING
    close(page)

    # The one-off harvest again, into the same database, while the dashboard keeps running.
    done = harvest(
        "--thread",
        EXAMPLE_THREAD,
        "--roster",
        EXAMPLE_ROSTER,
        "--db",
        reharvest_server.db_url,
    )
    assert "as vote(s) 1" in done.stderr + done.stdout, "the re-harvest updates vote 1"

    detail = reharvest_server.vote_json()
    report = detail["report"]
    assert report["counts"]["binding"] == CORRECTED_BINDING
    assert report["counts"]["non_binding"] == CORRECTED_NON_BINDING
    ballot = next(b for b in report["ballots"] if b["url"] == KEVIN_URL)
    assert (ballot["value"], ballot["binding"]) == ("-1", True)
    assert [c["reason"] for c in detail["corrections"]] == [REASON]
    listing = get_json(f"{reharvest_server.base_url}/api/votes")
    assert len(listing["votes"]) == 1, "the re-harvest files the thread under the same vote"

    assert "-1:\n- Kevin Brandt (binding)\n- Priya Raman (binding)\n" in detail["draft"]["body"]
    assert [entry["action"] for entry in detail["audit"]] == ["override"]

    page = new_page(browser, reharvest_server)
    page.goto("/votes/1")
    assert counts_row(page, "Binding") == ["6", "1", "2"]
    expect(page.locator("#corrections table.corrections tbody tr")).to_contain_text(CHAIR)
    kevin = page.locator("table.ballots tbody tr", has_text=KEVIN)
    expect(kevin.locator(".notes")).to_have_text("corrected by hand")
    close(page)


# -- 3. the draft's Copy buttons: clipboard with JavaScript, plain page without ------------------


def test_copy_button_puts_the_draft_on_the_clipboard(
    browser: Browser, chair_server: Server
) -> None:
    context = browser.new_context(base_url=chair_server.base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=chair_server.base_url)
    page = context.new_page()
    page.goto("/votes/1")
    assert page.evaluate("window.isSecureContext")

    # Located by what they copy: a role name would stop matching once the label changes.
    button = page.locator("#result button[data-copy='draft']")
    expect(button).to_be_visible()
    expect(button).to_have_text("Copy")
    button.click()
    expect(button).to_have_text("Copied")
    expected = page.locator("textarea#draft").input_value()
    assert expected.startswith("Hi all,")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    # The label comes back after a moment.
    expect(button).to_have_text("Copy")

    subject = page.locator("#result button[data-copy='draft-subject']")
    expect(subject).to_be_visible()
    subject.click()
    expect(subject).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"[RESULT]{TITLE}"
    context.close()


def test_without_javascript_the_page_is_whole_and_copy_buttons_stay_hidden(
    browser: Browser, chair_server: Server
) -> None:
    page = new_page(browser, chair_server, javascript=False)
    page.goto("/votes/1")
    assert page.locator("button[data-copy]").count() == 2
    for button in page.locator("button[data-copy]").all():
        expect(button).to_be_hidden()
    ballots = chair_server.vote_json()["report"]["ballots"]
    expect(page.locator("table.ballots tbody tr")).to_have_count(len(ballots))
    for ballot in ballots:
        row = page.locator("table.ballots tbody tr", has_text=ballot["voter"])
        expect(row.first.locator("q.evidence")).to_have_text(ballot["raw"])
    expect(page.locator("#draft-subject")).to_have_value(f"[RESULT]{TITLE}")
    expect(page.locator("textarea#draft")).to_be_visible()
    assert "Thank you to everyone who voted." in page.locator("textarea#draft").input_value()
    close(page)


# -- 4. text from posts is shown as text, never run ---------------------------------------------


def test_untrusted_text_is_shown_not_run(browser: Browser, hostile_server: Server) -> None:
    page = new_page(browser, hostile_server)
    dialogs = record_dialogs(page)
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto("/")
    link = page.locator("table.votes tbody tr a").first
    expect(link).to_contain_text("[VOTE] <b>Bold</b> idea")
    assert page.locator("table.votes b").count() == 0

    link.click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(f"{hostile_server.base_url}/votes/1")
    assert page.evaluate("window.__pwned === undefined")

    title = page.locator("h1")
    expect(title).to_contain_text("[VOTE] <b>Bold</b> idea")
    assert title.locator("b").count() == 0, "the title's markup is not rendered"
    assert "<b>Bold</b>" in page.title()

    bob = page.locator("table.ballots tbody tr", has_text="Bob Okafor")
    evidence = bob.locator("q.evidence")
    expect(evidence).to_be_visible()
    expect(evidence).to_contain_text("<script>window.__pwned=1</script>")
    expect(evidence).to_have_text(f"+1 {ALERT}")
    assert evidence.locator("script, img").count() == 0
    # The only script on the page is the dashboard's own file; no image came from the post.
    sources = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.src)")
    assert sources == [f"{hostile_server.base_url}/static/copy.js"]
    assert page.locator("img").count() == 0

    # The draft holds the title as plain text; no line break from the call's subject reaches
    # the stored [RESULT] subject (a browser would hide one in an <input>, so ask the API).
    expect(page.locator("#draft-subject")).to_have_value(re.compile(r"^\[RESULT\]\[VOTE\] <b>Bold"))
    stored_subject = hostile_server.vote_json()["draft"]["subject"]
    assert not re.search(r"[\r\n]", stored_subject), repr(stored_subject)
    body = page.locator("textarea#draft").input_value()
    assert body.startswith("Hi all,")
    assert "Thank you to everyone who voted." in body
    assert page.locator("#result b").count() == 0

    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert console_errors == []
    close(page)


# -- 5. without a token the dashboard is read-only -----------------------------------------------


def test_without_token_the_dashboard_is_read_only(
    browser: Browser, readonly_server: Server
) -> None:
    page = new_page(browser, readonly_server)
    page.goto("/votes/1")
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("form")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
    expect(page.get_by_role("link", name="correct…")).to_have_count(0)

    login_page = page.request.get("/login?next=/votes/1")
    assert login_page.status == 403
    login = page.request.post("/login", form={"name": CHAIR, "token": TOKEN, "next": "/votes/1"})
    assert login.status == 403
    assert "writes are disabled" in login.text()

    posted = page.request.post(
        "/votes/1/corrections",
        form={"url": KEVIN_URL, "value": "-1", "binding": "yes", "reason": REASON},
        max_redirects=0,
    )
    assert posted.status == 403
    assert "writes are disabled" in posted.text()
    dismissed = page.request.post(
        "/votes/1/dismissals",
        form={"url": KEVIN_URL, "review": "anything", "note": "no"},
        max_redirects=0,
    )
    assert dismissed.status == 403
    api = page.request.post(
        "/api/votes/1/corrections",
        data={"url": KEVIN_URL, "value": "-1", "binding": True, "reason": REASON},
        headers={"Authorization": f"Bearer {TOKEN}", "X-Harvester-Actor": CHAIR},
    )
    assert api.status == 403

    detail = readonly_server.vote_json()
    assert detail["report"]["counts"]["binding"] == HARVESTED_BINDING
    assert detail["corrections"] == []
    close(page)
