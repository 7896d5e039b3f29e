"""The fake lists.apache.org must speak Foal's wire format, or the client tests prove nothing.

Shapes are checked against the reference examples in tests/data/reference/ (hand-written from the
Foal source, see wire-formats.md §4); behaviour against the quirks that section lists.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.fakes.mails import raw_mail
from tests.fakes.ponymail import FakePonyMail

REFERENCE = Path(__file__).parent.parent / "data" / "reference"
ROOT_ID = "<CAF1vote@mail.gmail.com>"


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api(site: FakePonyMail, name: str, **params: str) -> Any:
    status, _, body = get(f"{site.url}/api/{name}.lua?{urlencode(params)}")
    assert status == 200, body
    return json.loads(body)


def reference_keys(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE / name).read_text())
    return data


@pytest.fixture
def site() -> Iterator[FakePonyMail]:
    fake = FakePonyMail()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def vote(site: FakePonyMail) -> dict[str, str]:
    """A vote thread in Aug 2023: root, a reply, a reply to the reply (References only), a later
    reply; plus a September mail and an unrelated August discussion."""
    mails = {
        "root": raw_mail(
            ROOT_ID,
            sender="Alice Example <alice@apache.org>",
            subject="[VOTE] Release Apache TVM v0.14.0",
            date="Mon, 14 Aug 2023 16:02:11 +0000",
            body="Please vote.\n\nFrom here on the vote is open for 72 hours.\n",
        ),
        "bob": raw_mail(
            "<CAB9bob@mail.gmail.com>",
            sender="Bob Builder <bob@apache.org>",
            date="Mon, 14 Aug 2023 18:00:00 +0000",
            body="+1 (binding)\n\nOn Mon, Alice <alice@apache.org> wrote:\n> Please vote.\n",
            irt=ROOT_ID,
            refs=(ROOT_ID,),
        ),
        "carol": raw_mail(
            "<20230815.GA1@example.net>",
            sender="=?UTF-8?B?Q2Fyb2wgQ2jDqW4=?= <carol@example.net>",
            date="Tue, 15 Aug 2023 10:11:35 +0800",
            body="-1\n>From the notes\n",
            refs=(ROOT_ID, "<CAB9bob@mail.gmail.com>"),
        ),
        "dan": raw_mail(
            "<pony-dan@tvm.apache.org>",
            sender="dan@apache.org",
            date="Wed, 16 Aug 2023 09:00:00 +0000",
            body="+1\n",
            irt=ROOT_ID,
        ),
        "late": raw_mail(
            "<late@apache.org>",
            sender="Erin <erin@apache.org>",
            date="Fri, 1 Sep 2023 00:00:01 +0000",
            body="+1 late\n",
            irt=ROOT_ID,
        ),
        "other": raw_mail(
            "<other@apache.org>",
            sender="Frank <frank@apache.org>",
            subject="Voters guide draft",
            date="Thu, 17 Aug 2023 09:00:00 +0000",
            body="Not a vote.\n",
        ),
    }
    return {name: site.add_mail(raw) for name, raw in mails.items()}


def test_thread_nests_short_children_and_anonymises(
    site: FakePonyMail, vote: dict[str, str]
) -> None:
    doc = api(site, "thread", id=vote["root"])
    ref = reference_keys("ponymail_thread.json")
    root, emails = doc["thread"], doc["emails"]
    assert set(doc) == {"thread", "emails"}
    assert set(root) == set(ref["thread"]) - {"_comment"}
    assert root["from"] == "Alice Example <al...@apache.org>"
    assert "Please vote." in root["body"]
    assert [e["mid"] for e in emails] == [vote["root"]]
    assert "children" not in emails[0]
    kids = root["children"]
    assert [k["mid"] for k in kids] == [vote["bob"], vote["dan"], vote["late"]]
    assert set(kids[0]) == set(ref["thread"]["children"][0])
    assert [k["mid"] for k in kids[0]["children"]] == [vote["carol"]]
    assert kids[0]["children"][0]["from"] == "Carol Chén <ca...@example.net>"
    assert kids[0]["irt"] == ROOT_ID
    assert kids[1]["from"] == "da...@apache.org"


def test_thread_by_message_id_find_parent_and_unknown(
    site: FakePonyMail, vote: dict[str, str]
) -> None:
    by_id = api(site, "thread", id=ROOT_ID, listid="dev.tvm.apache.org")
    assert by_id["thread"]["mid"] == vote["root"] == site.mid_of(ROOT_ID)
    up = api(site, "thread", id=vote["bob"], find_parent="true")
    assert up["thread"]["mid"] == vote["root"]
    status, headers, _ = get(f"{site.url}/api/thread.json?id=nosuchmid")
    assert status == 404
    assert headers["Content-Type"].startswith("text/plain")
    assert site.thread_url(vote["root"]) == f"{site.url}/thread/{vote['root']}"


def test_email_is_the_full_document(site: FakePonyMail, vote: dict[str, str]) -> None:
    doc = api(site, "email", id=vote["bob"])
    assert (
        doc["body"] == "+1 (binding)\n\nOn Mon, Alice <al...@apache.org> wrote:\n> Please vote.\n"
    )
    assert doc["from"] == "Bob Builder <bo...@apache.org>"
    assert doc["to"] == "de...@tvm.apache.org"
    assert doc["date"] == "2023/08/14 18:00:00"
    assert doc["epoch"] == 1692036000
    assert doc["references"] == ROOT_ID
    assert doc["in-reply-to"] == ROOT_ID
    assert doc["forum"] == "dev@tvm.apache.org"
    assert doc["list_raw"] == "<dev.tvm.apache.org>"
    assert doc["private"] is False
    assert len(doc["mid"]) == 32
    assert doc["mid"].islower()
    status, _, _ = get(f"{site.url}/api/email.lua?id=nosuchmid")
    assert status == 404


def test_mbox_is_mboxrd_for_one_month(site: FakePonyMail, vote: dict[str, str]) -> None:
    query = urlencode({"list": "dev", "domain": "tvm.apache.org", "d": "2023-08"})
    status, headers, body = get(f"{site.url}/api/mbox.lua?{query}")
    assert status == 200
    assert headers["Content-Type"].startswith("application/mbox")
    assert headers["Content-Disposition"] == "attachment; filename=dev_tvm.apache.org_2023-08.mbox"
    text = body.decode()
    assert text.startswith("From dev-return-1-archiver=mbox-vm.apache.org@tvm.apache.org ")
    assert text.splitlines()[0].endswith("Mon Aug 14 16:02:11 2023")
    assert "\n>From here on the vote" in text
    assert "\nFrom here" not in text
    assert "\n>>From the notes\n" in text
    assert "alice@apache.org" in text  # the raw source is not anonymised
    assert text.count("\n\nFrom dev-return-") == 4  # 5 August mails; September's is left out
    assert "late@apache.org" not in text


def test_header_subject_is_a_fuzzy_phrase_match(site: FakePonyMail, vote: dict[str, str]) -> None:
    def subjects(phrase: str) -> set[str]:
        doc = api(site, "stats", list="dev@tvm.apache.org", d="2023-08", header_subject=phrase)
        return {e["subject"] for e in doc["emails"]}

    every = {"[VOTE] Release Apache TVM v0.14.0", "Re: [VOTE] Release Apache TVM v0.14.0"}
    assert subjects("[VOTE]") == every
    assert subjects("release apache") == every
    assert subjects("apache release") == set()
    assert subjects("voters") == {"Voters guide draft"}
    query = urlencode({"list": "dev@tvm.apache.org", "d": "2023-08", "header_subject": "voters"})
    _, _, body = get(f"{site.url}/api/mbox.lua?{query}")
    assert body.count(b"\nSubject: ") == 1


def test_stats_shape_matches_reference(site: FakePonyMail, vote: dict[str, str]) -> None:
    params = {"list": "dev", "domain": "tvm.apache.org", "d": "2023-08", "emailsOnly": "0"}
    doc = api(site, "stats", **params)
    ref = reference_keys("ponymail_stats.json")
    assert set(doc) == set(ref) - {"_comment"}
    assert set(doc["emails"][0]) == set(ref["emails"][0])
    assert [e["epoch"] for e in doc["emails"]] == sorted(e["epoch"] for e in doc["emails"])
    assert doc["hits"] == 5
    assert doc["active_months"] == {"2023-08": 5, "2023-09": 1}
    assert (doc["firstYear"], doc["firstMonth"], doc["lastMonth"]) == (2023, 8, 9)
    assert doc["participants"] == {}
    assert doc["searchParams"] == params
    full = api(site, "stats", list="dev", domain="tvm.apache.org", d="2023-08")
    threads = {t["subject"]: t for t in full["thread_struct"]}
    assert set(threads) == {"[VOTE] Release Apache TVM v0.14.0", "Voters guide draft"}
    assert len(threads["[VOTE] Release Apache TVM v0.14.0"]["children"]) == 3


def test_stats_body_is_short_and_anonymised(site: FakePonyMail) -> None:
    body = "+1\n" + "x" * 300 + "\n<alice@apache.org>\n"
    site.add_mail(
        raw_mail("<long@a>", sender="a@apache.org", date="1 Aug 2023 00:00 +0000", body=body)
    )
    status, _, _ = get(f"{site.url}/api/stats.lua?list=dev&domain=tvm.apache.org&d=2023-8x")
    assert status == 400
    (doc,) = api(site, "stats", list="dev", domain="tvm.apache.org", d="2023-8")["emails"]
    assert doc["body"] == body[:200] + "..."
    assert api(site, "email", id=doc["mid"])["body"].endswith("<al...@apache.org>\n")


def test_stats_since_answers_changed_false(site: FakePonyMail, vote: dict[str, str]) -> None:
    newest = 1692176400  # dan's mail, 2023-08-16 09:00 UTC; Frank's is later on the 17th
    base = {"list": "dev", "domain": "tvm.apache.org", "d": "2023-08", "header_subject": "vote"}
    assert api(site, "stats", **base, since=str(newest)) == {"changed": False}
    changed = api(site, "stats", **base, since=str(newest - 1))
    assert changed["hits"] == 4


def test_mbox_disabled_answers_500(site: FakePonyMail, vote: dict[str, str]) -> None:
    site.mbox_enabled = False
    status, _, _ = get(f"{site.url}/api/mbox.lua?list=dev@tvm.apache.org&d=2023-08")
    assert status == 500
    assert api(site, "email", id=vote["root"])["mid"] == vote["root"]
