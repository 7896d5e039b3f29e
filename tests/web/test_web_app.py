"""The dashboard pages through a real server: what they show, how they escape hostile text,
and who may write through the forms."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

from lxml.html import HtmlElement

from harvester.web.auth import COOKIE
from harvester.web.backend import Correction, Dismissal, IdentityJudgement
from harvester.web.sessions import Security, Sessions
from tests.web.harness import NOW, SECURITY, TOKEN, Client, get_page, parse, run, sign_in
from tests.web.memory_backend import (
    ATTRIBUTE_RAW,
    DRAFT_BODY,
    HOSTILE_TITLE,
    JAVASCRIPT_URL,
    SCRIPT_RAW,
    MemoryBackend,
    cancelled_vote,
)

CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
YUCHEN = "https://discuss.tvm.apache.org/t/16123/7"


def with_cancelled() -> MemoryBackend:
    backend = MemoryBackend()
    backend.details[3] = cancelled_vote()
    return backend


def cells(row: HtmlElement) -> list[str]:
    return [cell.text_content().strip() for cell in row.xpath("td")]


# --- reading -------------------------------------------------------------------------------


def test_list_page_shows_each_vote_with_counts_state_and_time_left() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/")
        rows = doc.xpath("//table[@class='votes']/tbody/tr")
        assert [row.xpath("td[1]/a/@href")[0] for row in rows] == [
            "/votes/3",
            "/votes/2",
            "/votes/1",
        ]
        by_id = {row.xpath("td[1]/a/@href")[0]: cells(row) for row in rows}
        strategy = by_id["/votes/1"]
        assert strategy[0] == HOSTILE_TITLE  # shown as text, <b> and all
        assert strategy[1:] == ["open", "lazy-2/3", "2", "0", "1", "2", "0", "0", "in 2 d 3 h"]
        assert by_id["/votes/2"][1:] == [
            "failed", "consensus-approval", "1", "0", "1", "0", "0", "0", "closed",
        ]  # fmt: skip
        assert by_id["/votes/3"][1:] == ["cancelled", "—", "—", "—", "—", "—", "—", "—", "closed"]
        assert not doc.xpath("//b"), "a title's <b> must not become markup"

    run(with_cancelled(), scenario)


def test_list_page_says_so_when_there_are_no_votes() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/")
        assert not doc.xpath("//table")
        assert "No votes yet" in doc.xpath("//p[@class='empty']")[0].text_content()

    run(MemoryBackend(details={}), scenario)


def test_vote_page_shows_outcome_evidence_and_every_section() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/1")
        assert doc.xpath("//h1")[0].text_content() == HOSTILE_TITLE
        facts = doc.xpath("//dl[@class='facts']")[0]
        assert facts.xpath("string(dt[1])") == "Status"
        assert facts.xpath("string(dd[1])") == "open"
        assert "would pass if closed now" in doc.xpath("//dd[@class='outcome']")[0].text_content()
        assert "3 binding votes cast" in doc.get_element_by_id("explanation").text_content()
        evidence = [q.text_content() for q in doc.xpath("//table[@class='ballots']//q")]
        assert evidence == [
            "+1 (binding)",
            "-1, the process needs a quorum",
            "+1 from me",
            SCRIPT_RAW,
            ATTRIBUTE_RAW,
            "+0 (binding)",
        ]
        rows = doc.xpath("//table[@class='ballots']/tbody/tr")
        tianqi, junru, yuchen, _mallory, _eve, wuwei = (cells(row) for row in rows)
        voter = rows[0].xpath("td[1]")[0]
        assert voter.xpath("strong/a/text()") == ["Tianqi Chen"]
        assert voter.xpath("strong/a/@href") == ["/people/tqchen"]
        assert [span.text_content() for span in voter.xpath("span")] == [
            "tqchen · matched by asf-address",
            "tqchen@apache.org",
        ]
        assert "not on the roster" in rows[3].xpath("td[1]")[0].text_content()  # Mallory
        assert not rows[3].xpath("td[1]//a"), "no page for a voter the roster does not know"
        assert tianqi[1:3] == ["+1", "yes"]
        assert rows[0].xpath("string(td[@class='message']/time)") == "2026-10-30 10:00 UTC"
        sources = rows[0].xpath("td[@class='message']//a")
        assert [(a.get("href"), a.text_content()) for a in sources] == [
            ("https://lists.apache.org/thread/abc123", "lists.apache.org thread"),
            ("https://discuss.tvm.apache.org/t/16123/4", "discuss.tvm.apache.org #16123 post 4"),
        ]
        assert junru[3] == "veto · changed"
        assert yuchen[3] == "corrected by hand"
        assert wuwei[3] == "late · not counted"
        assert tianqi[3] == "", "a claim the roster agrees with is no news"
        assert rows[5].get("class") == "not-counted"
        history = doc.xpath("//table[@class='history']//q")
        assert [q.text_content() for q in history] == ["+1 in principle"]
        review = doc.xpath("//ul[@class='review']/li")
        assert "claims (binding) but is not on the roster" in review[1].text_content()
        dismissed = doc.xpath("//ul[@class='dismissed']/li")[0].text_content()
        assert "the poll was informal" in dismissed
        assert "Chair Person" in dismissed
        row = doc.xpath("//table[@class='corrections']/tbody/tr")[0]
        reason = "Discourse name differs from the roster"
        label = "discuss.tvm.apache.org #16123 post 7"
        assert cells(row)[:6] == [label, "as read", "yes", "yuchenj", reason, "Chair Person"]
        assert row.xpath("td[1]/a/@title") == [YUCHEN]
        assert row.xpath("td[4]/a/@href") == ["/people/yuchenj"]
        mail_row = cells(doc.xpath("//table[@class='mails']/tbody/tr")[0])
        assert mail_row[2:] == ["—", "draft"]  # no own recipients: [mail] to
        posted = doc.xpath("//table[@class='mails']/tbody/tr")[1]
        assert cells(posted)[2:] == ["github thread · post", "sent"]
        assert posted.xpath("td[3]/a/@href")[1].endswith("#issuecomment-9")
        assert "binding=yes" in doc.xpath("//table[@class='audit']")[0].text_content()
        sources = doc.get_element_by_id("sources")
        assert sources.xpath(".//code[@class='url']/text()") == ["saved.mbox"]
        assert sources.xpath(".//code[@class='url']/@title") == ["/var/lib/harvester/saved.mbox"]

    run(MemoryBackend(), scenario)


def test_threshold_bars_show_have_need_and_whether_met() -> None:
    async def scenario(client: Client) -> None:
        passing = (await get_page(client, "/votes/1")).xpath("//li[contains(@class,'condition')]")
        assert [li.get("class") for li in passing] == ["condition met", "condition met"]
        first = passing[0]
        assert first.xpath("string(span[@class='label'])") == "binding votes cast"
        assert first.xpath("string(span[@class='figures'])") == "3 / 3"
        assert first.xpath("string(span[@class='verdict'])") == "met"
        assert first.xpath("span[@class='bar']/span/@class") == ["fill w-100"]

        failing = (await get_page(client, "/votes/2")).xpath("//li[contains(@class,'condition')]")
        assert [li.xpath("span[@class='bar']/span/@class")[0] for li in failing] == [
            "fill w-30",  # 1 of 3, rounded down: the bar never looks fuller than it is
            "fill w-100",  # one -1 where none is allowed fills an at-most-0 bar
        ]
        assert [li.xpath("string(span[@class='figures'])") for li in failing] == [
            "1 / 3",
            "1 / at most 0",
        ]
        assert {li.xpath("string(span[@class='verdict'])") for li in failing} == {"not met"}

    run(MemoryBackend(), scenario)


def test_result_draft_sits_in_a_readonly_textarea_with_a_copy_button() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/1")
        draft = doc.get_element_by_id("draft")
        assert draft.tag == "textarea"
        assert draft.get("readonly") is not None
        assert draft.text_content() == DRAFT_BODY  # "</textarea>" in the body did not end it
        assert doc.get_element_by_id("draft-subject").get("value") == "[RESULT]" + HOSTILE_TITLE
        button = doc.xpath("//button[@data-copy='draft']")[0]
        assert button.get("type") == "button"
        # Without JavaScript the button stays hidden; copy.js shows it.
        assert button.get("hidden") is not None
        assert doc.xpath("//script/@src") == ["/static/copy.js"]

    run(MemoryBackend(), scenario)


def test_vote_without_report_or_draft_says_so() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/3")
        empty = " ".join(p.text_content() for p in doc.xpath("//p[@class='empty']"))
        assert "not been counted yet" in empty
        assert "No result draft yet" in empty
        assert not doc.xpath("//textarea")

    run(with_cancelled(), scenario)


def test_hostile_text_is_escaped_and_never_becomes_markup() -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/votes/1")
        text = await response.text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;b&gt;Community&lt;/b&gt;" in text
        doc = parse(text)
        assert [s.get("src") for s in doc.iter("script")] == ["/static/copy.js"]
        assert not [el for el in doc.iter() if el.get("onmouseover") is not None]
        assert not doc.xpath("//b | //i | //img")
        hrefs = [href.strip().lower() for href in doc.xpath("//a/@href")]
        assert not [href for href in hrefs if href.startswith("javascript:")]
        # The javascript: URL is still visible, as text.
        assert JAVASCRIPT_URL in doc.xpath("//code[@class='url']/text()")
        assert JAVASCRIPT_URL in doc.xpath("//code[@class='url']/@title")
        assert not doc.xpath("//*[@style]"), "inline styles would be blocked by the CSP"

    run(MemoryBackend(), scenario)


def test_roster_page_lists_members_and_escapes_names() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/roster")
        rows = doc.xpath("//table[@class='roster']/tbody/tr")
        assert cells(rows[0]) == ["tqchen", "Tianqi Chen", "pmc", "tqchen@apache.org", "tqchen",
                                  "tqchen", "2019-03-08", "—"]  # fmt: skip
        assert cells(rows[1])[1] == "<img src=x onerror=alert(1)>"
        assert not doc.xpath("//img")
        meta = doc.xpath("//p[@class='meta']")[0]
        assert meta.xpath(".//a/@href") == ["https://whimsy.apache.org/public/committee-info.json"]
        assert "2 members" in meta.text_content()

    run(MemoryBackend(), scenario)


def test_roster_page_without_a_roster_explains_what_to_do() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/roster")
        assert "harvest roster import" in doc.xpath("//p[@class='empty']")[0].text_content()

    run(MemoryBackend(stored_roster=None), scenario)


def test_unknown_vote_is_404_and_a_non_number_is_400() -> None:
    async def scenario(client: Client) -> None:
        missing = await get_page(client, "/votes/99", status=404)
        assert missing.get_element_by_id("error").text_content() == "no such vote: 99"
        bad = await get_page(client, "/votes/1x", status=400)
        assert bad.get_element_by_id("error").text_content() == "not a vote id: 1x"
        await get_page(client, "/votes/-1", status=400)

    run(MemoryBackend(), scenario)


def test_an_unexpected_error_is_a_500_without_traceback() -> None:
    async def scenario(client: Client) -> None:
        for path in ("/votes/500", "/api/votes/500"):
            response = await client.get(path)
            assert response.status == 500
            text = await response.text()
            assert "internal error" in text
            assert "Traceback" not in text
            assert "secret" not in text
            assert response.headers["Content-Security-Policy"] == CSP

    run(MemoryBackend(), scenario)


def test_every_response_carries_the_security_headers() -> None:
    async def scenario(client: Client) -> None:
        paths = ["/", "/votes/1", "/votes/99", "/roster", "/people/tqchen", "/people/nobody"]
        paths += ["/nowhere", "/static/style.css", "/api/votes", "/api/people/tqchen"]
        for path in [*paths, "/healthz", "/metrics"]:
            response = await client.get(path)
            assert response.headers["Content-Security-Policy"] == CSP, path
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            assert response.headers["Referrer-Policy"] == "same-origin", path
        posted = await client.post("/votes/1/corrections", data={})
        assert posted.headers["Content-Security-Policy"] == CSP

    run(MemoryBackend(), scenario)


def test_static_files_are_served_with_their_types() -> None:
    async def scenario(client: Client) -> None:
        css = await client.get("/static/style.css")
        assert css.status == 200
        assert css.content_type == "text/css"
        assert ".w-100" in await css.text()
        js = await client.get("/static/copy.js")
        assert js.status == 200
        assert "javascript" in js.content_type
        assert "navigator.clipboard" in await js.text()
        assert (await client.get("/static/../app.py")).status in (403, 404)

    run(MemoryBackend(), scenario)


# --- writing: off without a token ------------------------------------------------------------


def test_without_a_token_writes_are_refused_and_no_form_is_shown() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        for path in ("/", "/votes/1", "/roster"):
            doc = await get_page(client, path)
            assert not doc.xpath("//form"), path
            assert not doc.xpath("//a[starts-with(@href, '/login')]"), path
        form = {"url": YUCHEN, "value": "+1", "reason": "r"}
        for path in ("/votes/1/corrections", "/votes/1/dismissals", "/login"):
            response = await client.post(path, data=form)
            assert response.status == 403, path
            assert "writes are disabled: set HARVESTER_WEB__TOKEN" in await response.text()

    run(backend, scenario)
    assert backend.corrections == []
    assert backend.dismissals == []


# --- signing in ------------------------------------------------------------------------------


def test_wrong_token_is_401_with_the_form_again() -> None:
    async def scenario(client: Client) -> None:
        form = {"name": "Jane", "token": "guess", "next": "/votes/1"}
        response = await client.post("/login", data=form, allow_redirects=False)
        assert response.status == 401
        assert COOKIE not in response.cookies
        doc = parse(await response.text())
        assert doc.get_element_by_id("error").text_content() == "wrong token"
        assert doc.xpath("//form[@action='/login']//input[@name='name']/@value") == ["Jane"]
        assert doc.xpath("//input[@name='token']/@value") == [], "the token is never echoed"

    run(MemoryBackend(), scenario, token=TOKEN)


def test_a_blank_or_overlong_name_is_refused() -> None:
    async def scenario(client: Client) -> None:
        for name in ("   ", "x" * 101, "Jane\nAdmin"):
            form = {"name": name, "token": TOKEN}
            response = await client.post("/login", data=form, allow_redirects=False)
            assert response.status == 400, name
            assert COOKIE not in response.cookies

    run(MemoryBackend(), scenario, token=TOKEN)


def test_right_token_sets_a_signed_cookie_and_forms_appear() -> None:
    async def scenario(client: Client) -> None:
        before = await get_page(client, "/votes/1")
        assert not before.xpath("//form[@method='post' and contains(@action, '/votes/')]")
        assert before.xpath("//a[@href='/login?next=/votes/1']")
        assert (await get_page(client, "/login?next=/votes/1")).xpath(
            "//input[@name='next']/@value"
        ) == ["/votes/1"]

        form = {"name": "  Jane Chair ", "token": TOKEN, "next": "/votes/1"}
        response = await client.post("/login", data=form, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/votes/1"
        cookie = SimpleCookie(response.headers["Set-Cookie"])[COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == "/"
        assert cookie["max-age"] == str(12 * 3600)  # it expires, in the browser and here
        assert Sessions(TOKEN, SECURITY, lambda: NOW).name_of(cookie.value) == "Jane Chair"
        assert TOKEN not in cookie.value

        after = await get_page(client, "/votes/1")
        assert "Jane Chair" in after.xpath("string(//div[@class='who'])")
        actions = set(after.xpath("//form/@action"))
        assert actions == {"/logout", "/votes/1/corrections", "/votes/1/dismissals"}
        correct_links = after.xpath("//a[text()='correct…']/@href")
        assert correct_links[0] == "?correct=https%3A//lists.apache.org/thread/abc123#corrections"

    run(MemoryBackend(), scenario, token=TOKEN)


def test_correct_link_prefills_the_form() -> None:
    async def scenario(client: Client) -> None:
        await sign_in(client)
        doc = await get_page(client, "/votes/1?correct=" + YUCHEN)
        assert doc.xpath("//form[@id='correct']//input[@name='url']/@value") == [YUCHEN]
        options = doc.xpath("//datalist[@id='message-urls']/option/@value")
        assert YUCHEN in options
        assert len(options) == len(set(options))

    run(MemoryBackend(), scenario, token=TOKEN)


def test_next_must_be_a_local_path() -> None:
    async def scenario(client: Client) -> None:
        for target, expected in [
            ("//evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/\\evil.example", "/"),
            ("javascript:alert(1)", "/"),
            ("/votes/2#review", "/votes/2#review"),
        ]:
            form = {"name": "Jane", "token": TOKEN, "next": target}
            response = await client.post("/login", data=form, allow_redirects=False)
            assert response.headers["Location"] == expected, target

    run(MemoryBackend(), scenario, token=TOKEN)


def test_forged_or_foreign_cookies_do_not_sign_anyone_in() -> None:
    backend = MemoryBackend()

    async def post_with(client: Client, cookie: str) -> int:
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({COOKIE: cookie})
        form = {"url": YUCHEN, "value": "-1", "reason": "forged"}
        response = await client.post("/votes/1/corrections", data=form, allow_redirects=False)
        return response.status

    async def scenario(client: Client) -> None:
        good = Sessions(TOKEN, SECURITY, lambda: NOW).issue("Jane")
        payload, stamp, signature = good.split(".")
        mallory = Sessions(TOKEN, SECURITY, lambda: NOW).issue("Mallory").split(".")[0]
        forged = {
            "other name": f"{mallory}.{stamp}.{signature}",  # Mallory with Jane's signature
            "no signature": f"{payload}.{stamp}",
            "bad base64": f"!!!.{stamp}.{signature}",
            "old token": Sessions("old-token", SECURITY, lambda: NOW).issue("Jane"),
            "other key": Sessions(TOKEN, Security(session_key="x"), lambda: NOW).issue("Jane"),
            "expired": Sessions(TOKEN, SECURITY, lambda: NOW - timedelta(hours=13)).issue("Jane"),
            "old format": "SmFuZQ|" + "0" * 64,  # what harvester signed before sessions expired
        }
        for label, value in forged.items():
            assert await post_with(client, value) == 403, label
        assert backend.corrections == []
        assert await post_with(client, good) == 303  # the same way, a real cookie works

    run(backend, scenario, token=TOKEN)
    assert [actor for _, _, actor in backend.corrections] == ["Jane"]


def test_logout_clears_the_cookie() -> None:
    async def scenario(client: Client) -> None:
        await sign_in(client)
        response = await client.post("/logout", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/"
        assert response.cookies[COOKIE].value == ""
        doc = await get_page(client, "/votes/1")
        assert not doc.xpath("//form")

    run(MemoryBackend(), scenario, token=TOKEN)


# --- writing through the forms ---------------------------------------------------------------


def test_correction_form_calls_the_backend_and_redirects() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        await sign_in(client, "Jane Chair")
        form = {
            "url": YUCHEN,
            "value": "-1",
            "binding": "no",
            "member_id": "",
            "reason": " read the wrong line ",
        }
        response = await client.post("/votes/1/corrections", data=form, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/votes/1#corrections"
        cleared = {"url": YUCHEN, "clear": "1", "reason": "was right after all"}
        response = await client.post("/votes/1/corrections", data=cleared, allow_redirects=False)
        assert response.status == 303

    run(backend, scenario, token=TOKEN)
    assert backend.corrections == [
        (1, Correction(url=YUCHEN, reason="read the wrong line", value="-1", binding=False),
         "Jane Chair"),
        (1, Correction(url=YUCHEN, reason="was right after all", clear=True), "Jane Chair"),
    ]  # fmt: skip


def test_bad_form_input_is_400_and_reaches_no_backend() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        await sign_in(client)
        cases = {
            "reason is required": {"url": YUCHEN, "value": "+1", "reason": "  "},
            "url is required": {"value": "+1", "reason": "r"},
            "value must be one of +1, 0, -1, none": {"url": YUCHEN, "value": "+2", "reason": "r"},
            "binding must be yes, no or empty": {"url": YUCHEN, "binding": "maybe", "reason": "r"},
            "nothing to change": {"url": YUCHEN, "reason": "r"},
        }
        for message, form in cases.items():
            response = await client.post("/votes/1/corrections", data=form)
            assert response.status == 400, message
            error = parse(await response.text()).get_element_by_id("error").text_content()
            assert error.startswith(message), error

    run(backend, scenario, token=TOKEN)
    assert backend.corrections == []


def test_backend_usage_error_is_a_400_page_with_its_one_line() -> None:
    async def scenario(client: Client) -> None:
        await sign_in(client)
        form = {"url": "https://example.org/elsewhere", "value": "+1", "reason": "r"}
        response = await client.post("/votes/1/corrections", data=form)
        assert response.status == 400
        text = await response.text()
        error = parse(text).get_element_by_id("error").text_content()
        assert error == (
            "https://example.org/elsewhere: no ballot or message from this URL in vote 1"
        )
        assert "Traceback" not in text
        unknown = {"url": YUCHEN, "member_id": "nobody", "reason": "r"}
        response = await client.post("/votes/1/corrections", data=unknown)
        assert response.status == 400
        assert "no roster member with id &#39;nobody&#39;" in await response.text()

    run(MemoryBackend(), scenario, token=TOKEN)


def test_writing_to_an_unknown_vote_is_404() -> None:
    async def scenario(client: Client) -> None:
        await sign_in(client)
        form = {"url": YUCHEN, "value": "+1", "reason": "r"}
        response = await client.post("/votes/42/corrections", data=form)
        assert response.status == 404
        assert "vote 42: no such vote" in await response.text()
        response = await client.post("/votes/forty/corrections", data=form)
        assert response.status == 400

    run(MemoryBackend(), scenario, token=TOKEN)


def test_dismissal_form_calls_the_backend_and_returns_to_the_review() -> None:
    backend = MemoryBackend()
    reason = 'mixed ballot: "+1 source, -1 binaries" <i>'

    async def scenario(client: Client) -> None:
        await sign_in(client, "Jane Chair")
        doc = await get_page(client, "/votes/1")
        # The page's own dismiss form carries the exact review text back, quotes and all.
        hidden = doc.xpath("//form[@action='/votes/1/dismissals']/input[@name='review']/@value")
        assert hidden[0] == reason
        form = {"url": JAVASCRIPT_URL, "review": reason, "note": "asked the voter"}
        response = await client.post("/votes/1/dismissals", data=form, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/votes/1#review"
        missing = await client.post("/votes/1/dismissals", data={**form, "note": ""})
        assert missing.status == 400
        unknown = await client.post("/votes/1/dismissals", data={**form, "review": "other"})
        assert unknown.status == 400

    run(backend, scenario, token=TOKEN)
    assert backend.dismissals == [
        (1, Dismissal(url=JAVASCRIPT_URL, review=reason, note="asked the voter"), "Jane Chair")
    ]


def test_cross_origin_form_posts_are_refused() -> None:
    backend = MemoryBackend()

    async def scenario(client: Client) -> None:
        await sign_in(client)
        form = {"url": YUCHEN, "value": "+1", "reason": "r"}
        for origin in ("https://evil.example", "null"):
            response = await client.post(
                "/votes/1/corrections", data=form, headers={"Origin": origin}
            )
            assert response.status == 403, origin
            assert "cross-origin" in await response.text()
        response = await client.post(
            "/votes/1/corrections", data=form, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert response.status == 403
        login = await client.post(
            "/login", data={"name": "x", "token": TOKEN}, headers={"Origin": "https://evil.example"}
        )
        assert login.status == 403
        assert backend.corrections == []
        own = str(client.make_url("")).rstrip("/")
        response = await client.post(
            "/votes/1/corrections", data=form, headers={"Origin": own}, allow_redirects=False
        )
        assert response.status == 303

    run(backend, scenario, token=TOKEN)
    assert len(backend.corrections) == 1


def test_identity_form_confirms_an_unconfirmed_ballot_and_returns_to_the_ballots() -> None:
    backend = MemoryBackend()
    ballots = backend.details[1]["report"]["ballots"]
    yuchen = next(b for b in ballots if b["url"] == YUCHEN)
    yuchen["flags"] = ["unconfirmed"]

    async def scenario(client: Client) -> None:
        anonymous = await get_page(client, "/votes/1")
        assert not anonymous.xpath("//form[@action='/votes/1/identities']")
        await sign_in(client, "Jane Chair")
        doc = await get_page(client, "/votes/1")
        (form,) = doc.xpath("//form[@action='/votes/1/identities']")
        assert form.xpath("input[@name='url']/@value") == [YUCHEN]
        assert form.xpath(".//button/@value") == ["confirm", "reject"]
        posted = {"url": YUCHEN, "note": "he said so on the list", "verdict": "confirm"}
        response = await client.post("/votes/1/identities", data=posted, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/votes/1#ballots"
        wrong = await client.post("/votes/1/identities", data={**posted, "verdict": "maybe"})
        assert wrong.status == 400
        no_note = await client.post("/votes/1/identities", data={**posted, "note": ""})
        assert no_note.status == 400

    run(backend, scenario, token=TOKEN)
    assert backend.identities == [
        (1, IdentityJudgement(YUCHEN, "he said so on the list", confirmed=True), "Jane Chair")
    ]


def test_a_result_waiting_for_review_says_so_and_its_held_mail_too() -> None:
    backend = MemoryBackend()
    detail = backend.details[1]
    pending = {"url": YUCHEN, "reason": "Yuchen Jin: matched to yuchenj by display name only"}
    detail["report"]["needs_review"] = True
    detail["report"]["pending_review"] = [pending]
    detail["mails"] = [{"id": 7, "subject": "[RESULT][VOTE] X", "state": "held"}]

    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/1")
        banner = doc.get_element_by_id("pending").text_content()
        assert "Waiting for review: 1 item could change the outcome" in banner
        assert "matched to yuchenj by display name only" in banner
        mails = doc.get_element_by_id("mails").text_content()
        assert "held: waiting for review" in mails

    run(backend, scenario, token=TOKEN)


def test_the_announced_result_what_was_voted_on_and_the_digest_are_shown() -> None:
    backend = MemoryBackend()
    report = backend.details[1]["report"]
    report["announced"] = {
        "url": "mid:result@x",
        "counts": {"binding": {"+1": 3, "0": None, "-1": 0}, "total": None},
        "differences": ["The result leaves out Tianqi Chen's +1 (binding)."],
    }
    report["voted_on"] = {
        "release": "Apache TVM v0.16.0.rc0",
        "commit": "8d9e1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d",
        "hashes": ["ab" * 64],
        "links": ["https://dist.apache.org/repos/dist/dev/tvm/"],
    }
    report["digest"] = "cd" * 32

    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/1")
        announced = doc.get_element_by_id("announced").text_content()
        assert "1 differences" in announced
        assert "binding +1 3, 0 ?, −1 0; in all not stated" in " ".join(announced.split())
        assert "The result leaves out Tianqi Chen's +1 (binding)." in announced
        voted_on = doc.get_element_by_id("voted-on").text_content()
        assert "Apache TVM v0.16.0.rc0" in voted_on
        assert "ab" * 64 in voted_on
        assert "cd" * 32 in doc.get_element_by_id("sources").text_content()

    run(backend, scenario)
