"""The vote list of a daemon of many projects: a heading per project (none for one project), a
page and a roster per project, and names of who has not voted from the vote's own project."""

from __future__ import annotations

from typing import Any

from tests.web.harness import Client, get_page, run
from tests.web.memory_backend import MemoryBackend, cancelled_vote, sample_roster


def three_projects() -> MemoryBackend:
    """Vote 1 of tvm, vote 2 of arrow, vote 3 of no project (a one-off count)."""
    backend = MemoryBackend()
    backend.details[3] = cancelled_vote()
    backend.details[1]["project"] = "tvm"
    backend.details[2]["project"] = "arrow"
    tvm = sample_roster()
    tvm["source"] = "https://whimsy.apache.org/public/committee-info.json#tvm"
    tvm["members"].append({**tvm["members"][0], "id": "masahi", "name": "Masahiro Masuda"})
    backend.project_rosters["tvm"] = tvm
    backend.stored_roster = {**sample_roster(), "members": []}  # the config's own: nobody
    return backend


def headings(doc: Any) -> list[str]:
    return [" ".join(h.text_content().split()) for h in doc.xpath("//h2[@class='project']")]


def links(doc: Any, table: int) -> list[str]:
    rows = doc.xpath(f"(//table[@class='votes'])[{table}]/tbody/tr")
    return [row.xpath("td[1]/a/@href")[0] for row in rows]


def test_the_list_has_a_heading_per_project_and_the_votes_of_none_last() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/")
        assert [h.split()[0] for h in headings(doc)] == ["arrow", "tvm", "Other"]
        assert (links(doc, 1), links(doc, 2), links(doc, 3)) == (
            ["/votes/2"],
            ["/votes/1"],
            ["/votes/3"],
        )
        assert doc.xpath("//h2[@class='project']/a/@href") == ["/projects/arrow", "/projects/tvm"]
        nav = doc.xpath("//nav[@class='projects']/a/@href")
        assert nav == ["#project-arrow", "#project-tvm", "#no-project"]

    run(three_projects(), scenario)


def test_one_project_needs_no_headings() -> None:
    backend = MemoryBackend()
    for detail in backend.details.values():
        detail["project"] = "tvm"

    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/")
        assert headings(doc) == []
        assert not doc.xpath("//nav[@class='projects']")
        assert links(doc, 1) == ["/votes/2", "/votes/1"]

    run(backend, scenario)


def test_a_project_page_lists_its_votes_and_links_its_roster() -> None:
    async def scenario(client: Client) -> None:
        doc = await get_page(client, "/projects/tvm")
        assert doc.xpath("//h1")[0].text_content() == "Votes of tvm"
        assert links(doc, 1) == ["/votes/1"]
        assert "/projects/tvm/roster" in doc.xpath("//p[@class='meta']/a/@href")
        await get_page(client, "/projects/nobody", status=404)
        await get_page(client, "/projects/Not%20A%20Name", status=400)
        roster = await get_page(client, "/projects/tvm/roster")
        assert roster.xpath("//h1")[0].text_content() == "Roster of tvm"
        assert "Masahiro Masuda" in roster.text_content()
        everyone = await get_page(client, "/roster")
        each = everyone.xpath("//nav[@class='projects']/a/@href")
        assert each == ["/projects/arrow/roster", "/projects/tvm/roster"]

    run(three_projects(), scenario)


def test_who_has_not_voted_is_named_from_the_votes_own_project() -> None:
    async def scenario(client: Client) -> None:
        section = (await get_page(client, "/votes/1")).get_element_by_id("not-voted")
        names = [" ".join(li.text_content().split()) for li in section.xpath(".//li")]
        assert names[1] == "Masahiro Masuda"  # on tvm's roster, not on the config's own
        crumbs = (await get_page(client, "/votes/1")).xpath("//p[@class='crumbs']/a/@href")
        assert crumbs == ["/", "/projects/tvm"]

    run(three_projects(), scenario)


def test_the_api_says_each_votes_project() -> None:
    async def scenario(client: Client) -> None:
        body = await (await client.get("/api/votes")).json()
        assert {vote["id"]: vote["project"] for vote in body["votes"]} == {
            3: "",
            2: "arrow",
            1: "tvm",
        }
        detail = await (await client.get("/api/votes/1")).json()
        assert detail["project"] == "tvm"

    run(three_projects(), scenario)
