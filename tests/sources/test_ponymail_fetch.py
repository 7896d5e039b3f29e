"""harvester.sources.ponymail against the fake lists.apache.org: what comes back, and what it cost.

Every test counts the requests it caused (thread.lua, mbox.lua, email.lua), because the point of
the module is to read a whole thread with real senders in as few calls as the archive allows.
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TypeVar

import pytest

from harvester.errors import SourceError
from harvester.model import Thread
from harvester.sources.http import HttpClient, HttpOptions
from harvester.sources.ponymail import (
    ListedMail,
    ThreadRef,
    fetch_thread,
    list_mails,
    months_spanned,
    parse_thread_url,
    subject_phrase,
)
from tests.fakes.base import status
from tests.fakes.mails import raw_mail
from tests.fakes.ponymail import FakePonyMail

T = TypeVar("T")

SUBJECT = "[VOTE] Release Apache TVM v0.14.0"
ROOT_ID = "vote-root@mail.gmail.com"
MID = "rt6hrlhc4cwz0bwzf4lys43cb7lz30h6"
LONG_REASON = (
    "+1 (binding)\n\n"
    "I checked the signatures and the checksums, built from source on Ubuntu 22.04 with LLVM 15,\n"
    "ran the unit tests and the tutorials, and looked through the LICENSE and NOTICE files.\n"
    "Everything is in order as far as I can tell.\n"
)


@contextmanager
def pony() -> Iterator[FakePonyMail]:
    """A running FakePonyMail, typed as such (FakeSite.__enter__ returns the base class)."""
    site = FakePonyMail()
    with site:
        yield site


def rfc_date(when: datetime) -> str:
    return format_datetime(when)


def run(fetch: Callable[[HttpClient], Awaitable[T]], options: HttpOptions | None = None) -> T:
    """Run one fetch in a fresh client that never really sleeps."""
    opts = options or HttpOptions(per_host_rate=0, backoff_base=0.0)

    async def no_sleep(seconds: float) -> None:
        return None

    async def main() -> T:
        async with HttpClient(opts, sleep=no_sleep) as client:
            return await fetch(client)

    return asyncio.run(main())


def thread_of(url: str, options: HttpOptions | None = None) -> Thread:
    return run(lambda client: fetch_thread(client, url), options)


# (name, Message-ID, From, Date, body, In-Reply-To, References, extra headers), added out of order.
VOTE_MAILS: list[tuple[str, str, str, str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "frank",
        "CAF-frank@mail.gmail.com",
        "Frank Castle <frank@apache.org>",
        "Thu, 17 Aug 2023 08:00:00 +0000",
        "+1\n\nFrom here on I will test every release candidate.\n>From the notes\n",
        ROOT_ID,
        (ROOT_ID,),
        (),
    ),
    (
        "root",
        ROOT_ID,
        "Alice Example <Alice.Example@Apache.org>",
        "Mon, 14 Aug 2023 16:02:11 +0000",
        "Hi all,\n\nPlease vote on releasing Apache TVM v0.14.0.\n\n[ ] +1 approve\n[ ] -1 no\n",
        "",
        (),
        (),
    ),
    (
        "bob",
        "CAB9bob@mail.gmail.com",
        "Bob Builder <bob@apache.org>",
        "Mon, 14 Aug 2023 18:00:00 +0000",
        LONG_REASON,
        ROOT_ID,
        (ROOT_ID,),
        (),
    ),
    (
        "carol",  # nested under bob; 02:11:35 UTC, before jane's 05:00 UTC despite the local time
        "20230815.GA1@example.net",
        "=?UTF-8?B?Q2Fyb2wgQ2jDqW4=?= <carol@example.net>",
        "Tue, 15 Aug 2023 10:11:35 +0800",
        "-1, the NOTICE file is out of date.\n",
        "CAB9bob@mail.gmail.com",
        (ROOT_ID, "CAB9bob@mail.gmail.com"),
        (),
    ),
    (
        "jane",  # DMARC rewrite by the list: the real address is only in Reply-To
        "jane-1@example.com",
        "Jane Doe via dev <dev@tvm.apache.org>",
        "Tue, 15 Aug 2023 05:00:00 +0000",
        "+1 (non-binding)\n",
        ROOT_ID,
        (ROOT_ID,),
        ("Reply-To: Jane Doe <Jane@Example.com>",),
    ),
    (
        "dan",
        "pony-dan@tvm.apache.org",
        "dan@apache.org",
        "Wed, 16 Aug 2023 09:00:00 +0000",
        "+1\n",
        ROOT_ID,
        (ROOT_ID,),
        (),
    ),
    (
        "erin",
        "erin-2@apache.org",
        "Erin Hale <erin@apache.org>",
        "Wed, 16 Aug 2023 10:00:00 +0000",
        "+1\n\nOn Mon, Alice Example <alice.example@apache.org> wrote:\n> Please vote.\n",
        ROOT_ID,
        (ROOT_ID,),
        (),
    ),
]
VOTE_ORDER = ["root", "bob", "carol", "jane", "dan", "erin", "frank"]


def add_vote(site: FakePonyMail) -> dict[str, str]:
    """The vote thread plus an unrelated August mail; returns name -> mid."""
    mids = {}
    for name, message_id, sender, date, body, irt, refs, extra in VOTE_MAILS:
        raw = raw_mail(
            message_id,
            sender=sender,
            date=date,
            body=body,
            subject=SUBJECT if name == "root" else f"Re: {SUBJECT}",
            irt=irt or None,
            refs=refs,
            extra=extra,
        )
        mids[name] = site.add_mail(raw)
    site.add_mail(
        raw_mail(
            "other@apache.org",
            sender="Gus <gus@apache.org>",
            subject="Voters guide draft",
            date="Thu, 17 Aug 2023 09:00:00 +0000",
            body="Not a vote.\n",
        )
    )
    return mids


# --- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://lists.apache.org/thread/{MID}", ThreadRef("https://lists.apache.org", MID)),
        (f"https://lists.apache.org/thread/{MID}/", ThreadRef("https://lists.apache.org", MID)),
        (
            f"https://lists.apache.org/thread.html/{MID}",
            ThreadRef("https://lists.apache.org", MID),
        ),
        (
            f"https://lists.apache.org/api/thread.lua?id={MID}",
            ThreadRef("https://lists.apache.org", MID),
        ),
        (
            f"https://lists.apache.org/api/email.lua?id={MID}",
            ThreadRef("https://lists.apache.org", MID),
        ),
        (
            f"https://lists.apache.org/list.html?dev@tvm.apache.org:2023-8:{MID}",
            ThreadRef("https://lists.apache.org", MID),
        ),
        (f"http://127.0.0.1:8080/thread/{MID}", ThreadRef("http://127.0.0.1:8080", MID)),
    ],
)
def test_parse_thread_url_accepts_every_permalink_form(url: str, expected: ThreadRef) -> None:
    assert parse_thread_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://lists.apache.org/list.html?dev@tvm.apache.org",
        "https://lists.apache.org/list.html?dev@tvm.apache.org:2023-8",
        "https://lists.apache.org/list?dev@tvm.apache.org:lte=1M:vote",
        "https://lists.apache.org/thread/",
        "https://lists.apache.org/api/thread.lua",
        "https://lists.apache.org/api/stats.lua?list=dev&domain=tvm.apache.org",
        "https://lists.apache.org/",
        f"ftp://lists.apache.org/thread/{MID}",
        f"lists.apache.org/thread/{MID}",
        "https://github.com/apache/tvm/issues/15521",
        "https://discuss.tvm.apache.org/t/vote-release/15521",
    ],
)
def test_parse_thread_url_rejects_other_urls(url: str) -> None:
    assert parse_thread_url(url) is None


def test_months_spanned_and_subject_phrase() -> None:
    nov30 = calendar.timegm((2023, 11, 30, 23, 59, 59))
    feb1 = calendar.timegm((2024, 2, 1, 0, 0, 0))
    assert months_spanned(nov30, feb1) == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert months_spanned(feb1, feb1 + 3600) == ["2024-02"]
    dec31_late = calendar.timegm((2023, 12, 31, 23, 30, 0))
    assert months_spanned(dec31_late, dec31_late + 3600) == ["2023-12", "2024-01"]
    assert subject_phrase("Re: Re: AW: [VOTE] Release 1.0 rc1") == "[VOTE] Release 1.0 rc1"
    assert subject_phrase("RE:re:  Fwd: SV: [VOTE] Adopt X") == "[VOTE] Adopt X"
    assert (
        subject_phrase("[VOTE] Release 1.0: Re: the notes") == "[VOTE] Release 1.0: Re: the notes"
    )


# --- fetch_thread -------------------------------------------------------------------------------


def test_fetch_vote_thread_reads_real_senders_from_one_mbox() -> None:
    with pony() as site:
        mids = add_vote(site)
        thread = thread_of(site.thread_url(mids["root"]))

        assert site.count(r"^/api/thread\.") == 1
        assert site.count(r"^/api/mbox\.") == 1
        assert site.count(r"^/api/email\.") == 0
        (mbox,) = site.matching(r"^/api/mbox\.")
        assert mbox.param("d") == ["2023-08"]
        assert mbox.param("header_subject") == [SUBJECT]

    assert thread.kind == "ponymail"
    assert thread.url == f"{site.url}/thread/{mids['root']}"
    assert thread.title == SUBJECT
    messages = {m.source_id: m for m in thread.messages}
    by_name = {name: messages[message_id] for name, message_id, *_ in VOTE_MAILS}
    assert [m.url for m in thread.messages] == [
        f"{site.url}/thread/{mids[name]}" for name in VOTE_ORDER
    ]
    message_ids = {name: message_id for name, message_id, *_ in VOTE_MAILS}
    assert [m.source_id for m in thread.messages] == [message_ids[n] for n in VOTE_ORDER]
    times = [m.sent_at for m in thread.messages]
    assert times == sorted(times)
    assert all(t.tzinfo is not None for t in times)
    assert {m.thread_url for m in thread.messages} == {thread.url}
    assert {m.source for m in thread.messages} == {"mail"}

    root = by_name["root"]
    assert root.source_id == ROOT_ID
    assert root.author.name == "Alice Example"
    assert root.author.address == "alice.example@apache.org"
    assert by_name["bob"].author.address == "bob@apache.org"
    assert by_name["bob"].body == LONG_REASON  # full, not Pony Mail's 200-character body_short
    assert by_name["carol"].author.name == "Carol Chén"
    assert by_name["carol"].author.address == "carol@example.net"
    assert by_name["carol"].in_reply_to == "CAB9bob@mail.gmail.com"
    assert by_name["carol"].sent_at == datetime(2023, 8, 15, 2, 11, 35, tzinfo=UTC)
    jane = by_name["jane"].author
    assert (jane.name, jane.address, jane.reply_to) == (
        "Jane Doe via dev",
        "dev@tvm.apache.org",
        ("jane@example.com",),
    )
    assert (by_name["dan"].author.name, by_name["dan"].author.address) == ("", "dan@apache.org")
    assert "<alice.example@apache.org>" in by_name["erin"].body  # bodies are not anonymised
    assert by_name["frank"].body == (
        "+1\n\nFrom here on I will test every release candidate.\n>From the notes\n"
    )
    assert not any("...@" in m.author.address or "...@" in m.body for m in thread.messages)


def test_thread_spanning_two_months_reads_both_mboxes() -> None:
    root_id = "v15@mail.gmail.com"
    subject = "[VOTE] Release Apache TVM v0.15.0"
    mails = [
        (root_id, "Mon, 28 Aug 2023 09:00:00 +0000", None),
        ("r1@apache.org", "Thu, 31 Aug 2023 12:00:00 +0000", root_id),
        ("r2@apache.org", "Fri, 1 Sep 2023 02:00:00 +0800", root_id),  # Aug 31 18:00 UTC
        ("r3@apache.org", "Sat, 2 Sep 2023 10:00:00 +0000", "r1@apache.org"),
    ]
    with pony() as site:
        mids = [
            site.add_mail(
                raw_mail(
                    message_id,
                    sender=f"Voter {n} <voter{n}@apache.org>",
                    date=date,
                    body=f"+1 from {n}\n",
                    subject=subject if irt is None else f"Re: {subject}",
                    irt=irt,
                )
            )
            for n, (message_id, date, irt) in enumerate(mails)
        ]
        thread = thread_of(site.thread_url(mids[0]))
        requests = site.matching(r"^/api/mbox\.")
        assert site.count(r"^/api/email\.") == 0
        assert site.count(r"^/api/thread\.") == 1

    assert len(requests) == 2
    assert sorted(p for r in requests for p in r.param("d")) == ["2023-08", "2023-09"]
    for request in requests:
        assert request.param("header_subject") == [subject]
        assert request.param("list") == ["dev"]
        assert request.param("domain") == ["tvm.apache.org"]
    assert [m.source_id for m in thread.messages] == [m[0] for m in mails]
    assert [m.url for m in thread.messages] == [f"{site.url}/thread/{mid}" for mid in mids]
    assert thread.messages[-1].author.address == "voter3@apache.org"
    assert thread.messages[-1].body == "+1 from 3\n"


def test_reply_permalink_gives_the_whole_thread() -> None:
    with pony() as site:
        mids = add_vote(site)
        from_root = thread_of(site.thread_url(mids["root"]))
        site.reset_log()
        from_reply = thread_of(site.thread_url(mids["carol"]))
        (request,) = site.matching(r"^/api/thread\.")
        assert request.param("id") == [mids["carol"]]
        assert request.param("find_parent") == ["true"]
        assert site.count(r"^/api/mbox\.") == 1

    assert from_reply.url == f"{site.url}/thread/{mids['root']}"
    assert from_reply.title == SUBJECT
    assert len(from_reply.messages) == len(VOTE_ORDER)
    assert from_reply == from_root


def test_without_mbox_falls_back_to_email_lua_with_names_only() -> None:
    with pony() as site:
        mids = add_vote(site)
        site.mbox_enabled = False
        options = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=2)
        thread = thread_of(site.thread_url(mids["root"]), options)
        assert site.count(r"^/api/thread\.") == 1
        assert site.count(r"^/api/mbox\.") == 2  # one month, tried max_attempts times
        emails = site.matching(r"^/api/email\.")

    assert len(emails) == len(VOTE_ORDER)
    assert sorted(p for r in emails for p in r.param("id")) == sorted(mids[n] for n in VOTE_ORDER)
    assert [m.url for m in thread.messages] == [
        f"{site.url}/thread/{mids[name]}" for name in VOTE_ORDER
    ]
    assert [m.author.name for m in thread.messages] == [
        "Alice Example",
        "Bob Builder",
        "Carol Chén",
        "Jane Doe via dev",
        "",
        "Erin Hale",
        "Frank Castle",
    ]
    assert {m.author.address for m in thread.messages} == {""}
    by_id = {m.source_id: m for m in thread.messages}
    assert by_id["CAB9bob@mail.gmail.com"].body == LONG_REASON  # email.lua's body is not short
    assert by_id["CAF-frank@mail.gmail.com"].body.startswith("+1\n\nFrom here on I will")
    assert by_id["20230815.GA1@example.net"].in_reply_to == "CAB9bob@mail.gmail.com"
    assert by_id[ROOT_ID].sent_at == datetime(2023, 8, 14, 16, 2, 11, tzinfo=UTC)
    times = [m.sent_at for m in thread.messages]
    assert times == sorted(times)
    assert thread.warnings == (
        "the archive's mbox could not be read: senders are matched by name only",
    )
    assert thread.expected_messages == len(VOTE_ORDER)


def test_a_capped_listing_without_the_mbox_is_reported_not_hidden() -> None:
    start = datetime(2023, 8, 1, 0, 0, tzinfo=UTC)
    with pony() as site:
        root = site.add_mail(
            raw_mail(
                "capped-root@apache.org",
                sender="Alice <alice@apache.org>",
                date=rfc_date(start),
                body="Vote, please.\n",
                subject=SUBJECT,
            )
        )
        for n in range(1, 256):
            site.add_mail(
                raw_mail(
                    f"capped-{n}@apache.org",
                    sender=f"Voter {n} <voter{n}@apache.org>",
                    date=rfc_date(start + timedelta(minutes=n)),
                    body="+1\n",
                    irt="capped-root@apache.org",
                )
            )
        site.mbox_enabled = False
        options = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=1)
        thread = run(lambda client: fetch_thread(client, site.thread_url(root)), options)
    assert len(thread.messages) == 251  # the root and the 250 replies the archive listed
    assert any("later replies may be missing" in warning for warning in thread.warnings)


def test_replies_beyond_the_250_children_cap_come_from_the_mbox() -> None:
    start = datetime(2023, 8, 1, 0, 0, tzinfo=UTC)
    root_id = "flat-root@apache.org"
    with pony() as site:
        site.max_children = 250
        root_mid = site.add_mail(
            raw_mail(
                root_id,
                sender="Alice <alice@apache.org>",
                date=rfc_date(start),
                body="Vote, please.\n",
                subject=SUBJECT,
            )
        )
        for n in range(1, 261):  # In-Reply-To only: membership must come from it
            site.add_mail(
                raw_mail(
                    f"reply-{n:03d}@apache.org",
                    sender=f"Voter {n} <voter{n}@apache.org>",
                    date=rfc_date(start + timedelta(minutes=10 * n)),
                    body=f"+1 ({n})\n",
                    irt=root_id,
                )
            )
        thread = thread_of(site.thread_url(root_mid))
        assert site.count(r"^/api/thread\.") == 1
        # The listing was capped, so the next month is read too, in case the newest replies
        # are there; it adds nothing, so reading stops.
        assert site.count(r"^/api/mbox\.") == 2
        assert site.count(r"^/api/email\.") == 0
        listed = {
            f"reply-{n:03d}@apache.org": site.mid_of(f"reply-{n:03d}@apache.org")
            for n in range(1, 251)
        }

    assert len(thread.messages) == 261
    assert [m.source_id for m in thread.messages] == [root_id] + [
        f"reply-{n:03d}@apache.org" for n in range(1, 261)
    ]
    assert thread.messages[-1].body == "+1 (260)\n"
    assert thread.messages[-1].author.address == "voter260@apache.org"
    for message in thread.messages[1:251]:
        assert message.url == f"{site.url}/thread/{listed[message.source_id]}"
    assert all(m.url.startswith(f"{site.url}/thread/") for m in thread.messages)


def test_capped_replies_in_a_later_month_are_still_found() -> None:
    """The module promises that replies the 250-per-level walk missed come from the mbox. The
    missed ones are the newest, so they may fall in a month none of the listed nodes is in."""
    start = datetime(2023, 8, 30, 0, 0, tzinfo=UTC)
    root_id = "cap-root@apache.org"
    with pony() as site:
        root_mid = site.add_mail(
            raw_mail(
                root_id,
                sender="Alice <alice@apache.org>",
                date=rfc_date(start),
                body="Vote, please.\n",
                subject=SUBJECT,
            )
        )
        for n in range(1, 261):  # 250 on Aug 30 (listed), then 10 on Sep 1 (beyond the cap)
            when = start + (timedelta(minutes=n) if n <= 250 else timedelta(days=2, hours=n - 250))
            site.add_mail(
                raw_mail(
                    f"cap-{n:03d}@apache.org",
                    sender=f"Voter {n} <voter{n}@apache.org>",
                    date=rfc_date(when),
                    body=f"+1 ({n})\n",
                    irt=root_id,
                    refs=(root_id,),
                )
            )
        thread = thread_of(site.thread_url(root_mid))

    assert len(thread.messages) == 261
    assert thread.messages[-1].source_id == "cap-260@apache.org"
    assert thread.messages[-1].sent_at == datetime(2023, 9, 1, 10, 0, tzinfo=UTC)


def test_reply_with_a_changed_subject_comes_from_email_lua() -> None:
    with pony() as site:
        mids = add_vote(site)
        detour = site.add_mail(
            raw_mail(
                "detour@apache.org",
                sender="Hal Jordan <hal@apache.org>",
                subject="Re: Release notes for TVM v0.14.0 (was: the vote)",
                date="Fri, 18 Aug 2023 09:00:00 +0000",
                body="+1, and the notes look fine.\n",
                irt="CAB9bob@mail.gmail.com",
                refs=(ROOT_ID, "CAB9bob@mail.gmail.com"),
            )
        )
        thread = thread_of(site.thread_url(mids["root"]))
        (email,) = site.matching(r"^/api/email\.")
        assert email.param("id") == [detour]
        assert site.count(r"^/api/mbox\.") == 1

    assert len(thread.messages) == len(VOTE_ORDER) + 1
    last = thread.messages[-1]
    assert last.source_id == "detour@apache.org"
    assert last.url == f"{site.url}/thread/{detour}"
    assert last.thread_url == thread.url
    assert (last.author.name, last.author.address) == ("Hal Jordan", "")
    assert last.body == "+1, and the notes look fine.\n"
    assert last.in_reply_to == "CAB9bob@mail.gmail.com"
    assert last.references == (ROOT_ID, "CAB9bob@mail.gmail.com")
    assert thread.messages[0].author.address == "alice.example@apache.org"  # the rest: mbox


def test_similar_subjects_in_the_same_month_are_not_mixed_in() -> None:
    def thread_mails(tag: str, day: int) -> list[bytes]:
        subject = f"[VOTE] Release 1.0 {tag}"
        root = f"{tag}-root@apache.org"
        when = f"{day} Aug 2023"
        return [
            raw_mail(
                root,
                sender="RM <rm@apache.org>",
                subject=subject,
                date=f"{when} 09:00:00 +0000",
                body=f"Vote on {tag}.\n",
            ),
            raw_mail(
                f"{tag}-a@apache.org",
                sender="A <a@apache.org>",
                subject=f"Re: {subject}",
                date=f"{when} 10:00:00 +0000",
                body="+1\n",
                irt=root,
                refs=(root,),
            ),
            raw_mail(
                f"{tag}-b@apache.org",
                sender="B <b@apache.org>",
                subject=f"Re: {subject}",
                date=f"{when} 11:00:00 +0000",
                body="-1\n",
                irt=f"{tag}-a@apache.org",
                refs=(root, f"{tag}-a@apache.org"),
            ),
        ]

    with pony() as site:
        for raw in thread_mails("rc1", 3) + thread_mails("rc2", 10):
            site.add_mail(raw)
        # A new thread whose subject holds rc1's whole subject phrase: the mbox query returns it.
        site.add_mail(
            raw_mail(
                "rc1-result@apache.org",
                sender="RM <rm@apache.org>",
                subject="[RESULT] [VOTE] Release 1.0 rc1",
                date="14 Aug 2023 09:00:00 +0000",
                body="The vote passed.\n",
            )
        )
        thread = thread_of(site.thread_url(site.mid_of("rc1-root@apache.org")))
        (mbox,) = site.matching(r"^/api/mbox\.")
        assert mbox.param("header_subject") == ["[VOTE] Release 1.0 rc1"]
        assert site.count(r"^/api/email\.") == 0

    assert [m.source_id for m in thread.messages] == [
        "rc1-root@apache.org",
        "rc1-a@apache.org",
        "rc1-b@apache.org",
    ]
    assert thread.title == "[VOTE] Release 1.0 rc1"


def test_unknown_mid_is_no_such_thread() -> None:
    with pony() as site:
        add_vote(site)
        url = site.thread_url("nosuchmid0000000000000000000000a")
        with pytest.raises(SourceError) as caught:
            thread_of(url)
        assert site.count(r"^/api/thread\.") == 1  # a 404 is final, not retried
        assert site.count(r"^/api/(mbox|email)\.") == 0

    assert str(caught.value).startswith(url)
    assert "no such thread" in str(caught.value)


def test_server_error_on_thread_lua_is_retried() -> None:
    waits: list[float] = []

    async def recorder(seconds: float) -> None:
        waits.append(seconds)

    with pony() as site:
        mids = add_vote(site)
        site.fail_next(r"/api/thread", status(500, "Internal server error"))

        async def main() -> Thread:
            options = HttpOptions(per_host_rate=0, backoff_base=0.0)
            async with HttpClient(options, sleep=recorder) as client:
                return await fetch_thread(client, site.thread_url(mids["root"]))

        thread = asyncio.run(main())
        assert site.count(r"^/api/thread\.") == 2
        assert site.count(r"^/api/mbox\.") == 1
        assert site.count(r"^/api/email\.") == 0

    assert len(waits) == 1
    assert [m.url for m in thread.messages] == [
        f"{site.url}/thread/{mids[name]}" for name in VOTE_ORDER
    ]
    assert thread.messages[0].author.address == "alice.example@apache.org"


# --- list_mails ---------------------------------------------------------------------------------


def test_list_mails_returns_every_fuzzy_hit_for_the_caller_to_filter() -> None:
    with pony() as site:
        root_mid = site.add_mail(
            raw_mail(
                "lm-root@apache.org",
                sender="Alice <alice@apache.org>",
                subject=SUBJECT,
                date="Mon, 14 Aug 2023 16:02:11 +0000",
                body="Please vote.\n",
            )
        )
        reply_mid = site.add_mail(
            raw_mail(
                "lm-reply@apache.org",
                sender="Bob <bob@apache.org>",
                date="Mon, 14 Aug 2023 18:00:00 +0000",
                body="+1\n",
                irt="lm-root@apache.org",
            )
        )
        loose = site.add_mail(
            raw_mail(
                "loose@apache.org",
                sender="Carol <carol@example.net>",
                subject="Re: vote on something",
                date="Tue, 15 Aug 2023 09:00:00 +0000",
                body="Shall we?\n",
            )
        )
        how = site.add_mail(
            raw_mail(
                "how@apache.org",
                sender="Dan <dan@apache.org>",
                subject="[DISCUSS] How we vote on releases",
                date="Wed, 16 Aug 2023 09:00:00 +0000",
                body="Thoughts?\n",
            )
        )
        site.add_mail(  # no "vote" token at all
            raw_mail(
                "logo@apache.org",
                sender="Erin <erin@apache.org>",
                subject="New logo",
                date="Wed, 16 Aug 2023 10:00:00 +0000",
                body="Look.\n",
            )
        )
        site.add_mail(  # September
            raw_mail(
                "sep@apache.org",
                sender="Erin <erin@apache.org>",
                subject="[VOTE] Next",
                date="Fri, 1 Sep 2023 00:00:01 +0000",
                body="Vote.\n",
            )
        )
        site.add_mail(  # another list
            raw_mail(
                "user@apache.org",
                sender="Erin <erin@apache.org>",
                subject="[VOTE] Users",
                date="Wed, 16 Aug 2023 10:00:00 +0000",
                body="Vote.\n",
            ),
            list_id="user@tvm.apache.org",
        )
        listed = run(
            lambda client: list_mails(client, site.url + "/", "dev", "tvm.apache.org", "2023-08")
        )
        (request,) = site.matching(r"^/api/stats\.")

    assert request.param("emailsOnly") == ["true"]
    assert request.param("header_subject") == ["vote"]
    assert request.param("list") == ["dev"]
    assert request.param("domain") == ["tvm.apache.org"]
    assert request.param("d") == ["2023-08"]
    assert listed == [
        ListedMail(
            mid=root_mid,
            message_id="lm-root@apache.org",
            subject=SUBJECT,
            epoch=calendar.timegm((2023, 8, 14, 16, 2, 11)),
            sender="Alice <al...@apache.org>",
            in_reply_to="",
        ),
        ListedMail(
            mid=reply_mid,
            message_id="lm-reply@apache.org",
            subject=f"Re: {SUBJECT}",
            epoch=calendar.timegm((2023, 8, 14, 18, 0, 0)),
            sender="Bob <bo...@apache.org>",
            in_reply_to="lm-root@apache.org",
        ),
        ListedMail(
            mid=loose,
            message_id="loose@apache.org",
            subject="Re: vote on something",
            epoch=calendar.timegm((2023, 8, 15, 9, 0, 0)),
            sender="Carol <ca...@example.net>",
            in_reply_to="",
        ),
        ListedMail(
            mid=how,
            message_id="how@apache.org",
            subject="[DISCUSS] How we vote on releases",
            epoch=calendar.timegm((2023, 8, 16, 9, 0, 0)),
            sender="Dan <da...@apache.org>",
            in_reply_to="",
        ),
    ]


def test_a_list_search_url_is_not_taken_for_a_thread() -> None:
    assert (
        parse_thread_url("https://lists.apache.org/list?dev@tvm.apache.org:lte=1M:releases") is None
    )
    assert parse_thread_url(
        "https://lists.apache.org/list.html?dev@tvm.apache.org:2023-8:rt6hrlhc4cwz0bwzf4lys43cb7lz30h6"
    ) == ThreadRef("https://lists.apache.org", "rt6hrlhc4cwz0bwzf4lys43cb7lz30h6")


def test_a_poison_date_does_not_walk_ten_thousand_months() -> None:
    jan = calendar.timegm((2026, 1, 5, 10, 0, 0))
    year_9999 = calendar.timegm((9999, 12, 31, 23, 59, 59))
    months = months_spanned(jan, year_9999)
    assert months[0] == "2026-01"
    assert months[-1] == "2199-12"  # brought into the sane range, never past year 9999
