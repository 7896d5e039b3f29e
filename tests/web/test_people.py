"""People on the dashboard: who in the electorate has not voted, a page per person (open votes and
ballots) and its API twin, and badges only where a person should look."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harvester.web.privacy import HIDDEN
from tests.web.harness import TOKEN, Client, get_page, parse, run, sign_in
from tests.web.memory_backend import (
    HOSTILE_TITLE,
    JAVASCRIPT_URL,
    SCRIPT_RAW,
    MemoryBackend,
    ballot,
)

MALLORY_NAME = "<img src=x onerror=alert(1)>"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class CountingBackend(MemoryBackend):
    """Counts reads of people and of the roster."""

    person_reads: list[str] = field(default_factory=list)
    roster_reads: int = 0

    async def person(self, member_id: str) -> dict[str, Any] | None:
        self.person_reads.append(member_id)
        return await super().person(member_id)

    async def roster(self) -> dict[str, Any] | None:
        self.roster_reads += 1
        return await super().roster()


def texts(elements: list[Any]) -> list[str]:
    return [" ".join(element.text_content().split()) for element in elements]


# --- who has not voted ---------------------------------------------------------------------


def test_an_open_vote_names_who_has_not_voted_yet() -> None:
    async def scenario(client: Client) -> None:
        section = (await get_page(client, "/votes/1")).get_element_by_id("not-voted")
        assert texts(section.xpath("h2")) == ["Not voted yet (2 of 12)"]
        mallory, masahi = section.xpath(".//ul[@class='people']/li")
        assert mallory.xpath("a/@href") == ["/people/mallory"]
        assert mallory.xpath("a")[0].text_content() == MALLORY_NAME  # as text, not as an image
        assert not section.xpath(".//img")
        # An id the roster lacks is shown as it is, with no link to a page that has nothing.
        assert masahi.text_content().split() == ["masahi", "(not", "on", "the", "roster)"]
        assert not masahi.xpath(".//a")

    run(MemoryBackend(), scenario)


def test_a_closed_vote_says_who_did_not_vote() -> None:
    backend = MemoryBackend()
    backend.details[2]["report"]["not_voted"] = ["tqchen"]

    async def scenario(client: Client) -> None:
        section = (await get_page(client, "/votes/2")).get_element_by_id("not-voted")
        assert texts(section.xpath("h2")) == ["Did not vote (1)"]
        assert section.xpath(".//li/a/@href") == ["/people/tqchen"]
        assert texts(section.xpath(".//li")) == ["Tianqi Chen"]

    run(backend, scenario)


def test_everyone_voted_or_the_count_does_not_say() -> None:
    backend = CountingBackend()
    backend.details[1]["report"]["not_voted"] = []

    async def scenario(client: Client) -> None:
        everyone = (await get_page(client, "/votes/1")).get_element_by_id("not-voted")
        assert texts(everyone.xpath("p")) == ["Everyone in the electorate has voted."]
        unknown = await get_page(client, "/votes/2")  # counted before "not_voted" existed
        assert not unknown.xpath("//section[@id='not-voted']")

    run(backend, scenario)
    assert backend.roster_reads == 0, "no names are needed when nobody is missing"


def test_the_api_names_who_has_not_voted() -> None:
    async def scenario(client: Client) -> None:
        detail = await (await client.get("/api/votes/1")).json()
        assert detail["not_voted"] == [
            {"id": "mallory", "name": MALLORY_NAME},
            {"id": "masahi", "name": None},
        ]
        assert detail["report"]["not_voted"] == ["mallory", "masahi"]  # the contract's ids
        assert (await (await client.get("/api/votes/2")).json())["not_voted"] is None

    run(MemoryBackend(), scenario)


# --- a page per person ---------------------------------------------------------------------


def test_a_person_page_shows_their_open_votes_and_ballots() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/people/tqchen")
        assert texts(doc.xpath("//h1")) == ["Tianqi Chen"]
        assert "Tianqi Chen" in doc.xpath("string(//title)")
        facts = dict(zip(texts(doc.xpath("//dl/dt")), texts(doc.xpath("//dl/dd")), strict=True))
        assert facts == {
            "Id": "tqchen",
            "Role": "pmc",
            "On the roster": "2019-03-08 to now",
            "E-mail": "tqchen@apache.org",
            "GitHub": "tqchen",
            "Discourse": "tqchen",
        }
        (open_vote,) = doc.xpath("//table[@class='open-votes']/tbody/tr")
        assert open_vote.get("class") == "voted"
        assert open_vote.xpath("td[1]/a/@href") == ["/votes/1"]
        assert texts(open_vote.xpath("td"))[1:] == [
            "in 2 d 3 h",
            "+1 binding, 2026-10-30 10:00 UTC",
        ]
        (row,) = doc.xpath("//table[@class='ballots']/tbody/tr")
        assert row.xpath("td[1]/a/@href") == ["/votes/1"]
        assert texts(row.xpath("td[1]/a | td[1]/span")) == [HOSTILE_TITLE, "open"]
        assert texts(row.xpath("td"))[1:5] == ["+1", "yes", "", "+1 (binding)"]
        assert texts(row.xpath("td[6]/time")) == ["2026-10-30 10:00 UTC"]
        assert [(a.get("href"), a.text_content()) for a in row.xpath("td[6]/a")] == [
            ("https://lists.apache.org/thread/abc123", "lists.apache.org thread"),
            ("https://discuss.tvm.apache.org/t/16123/4", "discuss.tvm.apache.org #16123 post 4"),
        ]

    run(MemoryBackend(), scenario)


def test_an_open_vote_waiting_for_someone_says_so_with_a_badge() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/people/mallory")
        assert doc.xpath("//h1")[0].text_content() == MALLORY_NAME
        assert not doc.xpath("//img")
        (waiting,) = doc.xpath("//table[@class='open-votes']/tbody/tr")
        assert waiting.get("class") == "waiting"
        assert waiting.xpath("td[3]/span[@class='badge']/text()") == ["not voted yet"]
        empty = texts(doc.xpath("//section[@id='ballots']/p[@class='empty']"))
        assert empty == ["No ballot of this person in any stored vote."]

    run(MemoryBackend(), scenario)


def test_someone_off_the_roster_is_known_by_their_ballots_old_and_new() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/people/junrushao")
        assert texts(doc.xpath("//h1")) == ["Junru Shao"]  # the name the ballots carry
        assert "Not on the stored roster" in doc.get_element_by_id("not-on-roster").text_content()
        rows = doc.xpath("//table[@class='ballots']/tbody/tr")
        assert [texts(row.xpath("td"))[1:4] for row in rows] == [
            ["-1", "yes", "veto · changed"],
            ["+1", "yes", "replaced later"],
        ]
        assert texts(doc.xpath("//table[@class='open-votes']/tbody/tr/td[3]")) == [
            "-1 binding, 2026-10-30 10:00 UTC veto · changed"
        ]

    run(MemoryBackend(), scenario)


def test_ballots_and_the_roster_link_to_the_person() -> None:
    async def scenario(client: Client) -> None:
        vote = await get_page(client, "/votes/1")
        linked = vote.xpath("//table[@class='ballots']//a[@class='person']/@href")
        assert linked == ["/people/tqchen", "/people/junrushao", "/people/yuchenj", "/people/wuwei"]
        history = vote.xpath("//table[@class='history']//a[@class='person']/@href")
        assert history == ["/people/junrushao"]
        roster = await get_page(client, "/roster")
        assert roster.xpath("//a[@class='person']/@href") == ["/people/tqchen", "/people/mallory"]

    run(MemoryBackend(), scenario)


def test_an_id_is_one_path_segment_whatever_it_holds() -> None:
    backend = MemoryBackend()
    odd = '../api/votes?x="><b>'
    extra = ballot("Odd One", "+1", "https://lists.apache.org/thread/odd", member_id=odd)
    backend.details[1]["report"]["ballots"].append(extra)

    async def scenario(client: Client) -> None:
        vote = await get_page(client, "/votes/1")
        (href,) = vote.xpath("//a[text()='Odd One']/@href")
        assert href == "/people/..%2Fapi%2Fvotes%3Fx%3D%22%3E%3Cb%3E"
        person = await get_page(client, href)
        assert texts(person.xpath("//h1")) == ["Odd One"]
        assert not person.xpath("//b")

    run(backend, scenario)


def test_an_unknown_person_is_a_404_and_a_bad_id_a_400() -> None:
    async def scenario(client: Client) -> None:
        missing = await get_page(client, "/people/nobody", status=404)
        assert missing.get_element_by_id("error").text_content() == "no such person: nobody"
        hostile = await get_page(client, "/people/%3Cscript%3Ex", status=404)
        assert not hostile.xpath("//script")
        long = await get_page(client, "/people/" + "x" * 101, status=400)
        assert long.get_element_by_id("error").text_content().startswith("not a person id: ")
        await get_page(client, "/people/a%01b", status=400)
        api_missing = await client.get("/api/people/nobody")
        assert api_missing.status == 404
        assert await api_missing.json() == {"error": "no such person: nobody"}
        assert (await client.get("/api/people/" + "x" * 101)).status == 400
        broken = await client.get("/people/boom")
        assert broken.status == 500
        assert "secret" not in await broken.text()

    run(MemoryBackend(), scenario)


def test_the_api_gives_the_person_as_data() -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/api/people/junrushao")
        assert response.status == 200
        person = await response.json()
        assert (person["id"], person["member"]) == ("junrushao", None)
        assert [b["effective"] for b in person["ballots"]] == [True, False]
        assert person["ballots"][0]["vote"] == {"id": 1, "title": HOSTILE_TITLE, "status": "open"}
        (entry,) = person["open_votes"]
        assert (entry["id"], entry["closes_at"], entry["ballot"]["value"]) == (
            1, "2026-11-04T12:00:00Z", "-1",
        )  # fmt: skip

    run(MemoryBackend(), scenario)


def test_private_addresses_are_hidden_from_readers_not_signed_in() -> None:
    backend = MemoryBackend()
    assert backend.stored_roster is not None
    backend.stored_roster["members"][0]["emails"].append("tianqi@gmail.com")
    tianqi = backend.details[1]["report"]["ballots"][0]
    tianqi["usernames"] = ["tianqi@gmail.com"]

    async def scenario(client: Client) -> None:
        public = await (await client.get("/people/tqchen")).text()
        public_api = await (await client.get("/api/people/tqchen")).text()
        assert "tianqi@gmail.com" not in public + public_api
        assert HIDDEN in parse(public).xpath("string(//dl)")
        assert "tqchen@apache.org" in public
        script = await (await client.get("/api/people/tqchen", headers=BEARER)).json()
        assert "tianqi@gmail.com" in script["member"]["emails"]
        await sign_in(client)
        signed_in = await get_page(client, "/people/tqchen")
        assert "tianqi@gmail.com" in signed_in.xpath("string(//dl)")

    run(backend, scenario, token=TOKEN)


def test_the_public_gets_one_build_of_a_person_page_signed_in_readers_a_fresh_one() -> None:
    backend = CountingBackend()

    async def scenario(client: Client) -> None:
        for _ in range(3):
            assert (await client.get("/people/tqchen")).status == 200
            assert (await client.get("/api/people/tqchen")).status == 200
        assert backend.person_reads == ["tqchen", "tqchen"]
        await sign_in(client)
        for _ in range(2):
            assert (await client.get("/people/tqchen")).status == 200

    run(backend, scenario, token=TOKEN)
    assert backend.person_reads == ["tqchen"] * 4


# --- badges only where a person should look ------------------------------------------------


def test_a_vote_waiting_for_review_and_its_held_mail_carry_badges() -> None:
    backend = MemoryBackend()
    detail = backend.details[1]
    detail["report"]["needs_review"] = True
    detail["report"]["pending_review"] = []
    detail["mails"] = [{"id": 7, "subject": "[RESULT][VOTE] X", "state": "held"}]
    tianqi = detail["report"]["ballots"][0]
    tianqi["flags"] = ["unconfirmed"]

    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/votes/1")
        attention = doc.get_element_by_id("attention")
        assert texts(attention.xpath("span[@class='badge']")) == [
            "needs review",
            "result mail held",
        ]
        assert texts(doc.xpath("//section[@id='mails']//span[@class='badge']")) == [
            "held: waiting for review"
        ]
        ballots = doc.xpath("//table[@class='ballots']//span[@class='badge']")
        assert texts(ballots) == ["unconfirmed identity", "claims binding"]  # Tianqi, Mallory

    run(backend, scenario)


def test_an_ordinary_closed_vote_and_the_list_carry_no_badge() -> None:
    async def scenario(client: Client) -> None:
        failed = await get_page(client, "/votes/2")
        assert not failed.xpath("//*[contains(@class, 'badge')]")
        assert texts(failed.xpath("//dl[@class='facts']/dd[1]")) == ["failed"]
        listing = await get_page(client, "/")
        assert not listing.xpath("//*[contains(@class, 'badge')]")

    run(MemoryBackend(), scenario)


# --- hostile text --------------------------------------------------------------------------


def test_hostile_text_on_a_person_page_is_shown_as_text() -> None:
    backend = MemoryBackend()
    ballots = backend.details[1]["report"]["ballots"]
    mallory = next(b for b in ballots if b["raw"] == SCRIPT_RAW)
    mallory["member_id"] = "mallory"  # her javascript: URL and script line, on her page
    mallory["mirrors"] = ['https://x.example/" onmouseover="alert(1)']

    async def scenario(client: Client) -> None:
        text = await (await client.get("/people/mallory")).text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert "&lt;b&gt;Community&lt;/b&gt;" in text
        doc = parse(text)
        assert not doc.xpath("//script | //b | //i | //img")
        assert not [el for el in doc.iter() if el.get("onmouseover") is not None]
        assert not [h for h in doc.xpath("//a/@href") if h.strip().lower().startswith("javascript")]
        # Neither URL may be a link: one is javascript:, the other holds blanks and a quote.
        assert doc.xpath("//td[@class='message']/code[@class='url']/@title") == [
            JAVASCRIPT_URL,
            'https://x.example/" onmouseover="alert(1)',
        ]
        assert not doc.xpath("//*[@style]"), "inline styles would be blocked by the CSP"

    run(backend, scenario)
