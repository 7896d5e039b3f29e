"""poll_thread against the fake lists.apache.org: one stats.lua search per poll, a full read only
when the list holds mail of the thread that the cursor does not know, and the overlap that
catches a reply whose Date header lies in the past."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from harvester.model import ThreadUpdate
from harvester.sources.http import HttpClient, HttpOptions
from harvester.sources.ponymail import months_spanned, poll_thread
from tests.fakes.base import Recorded
from tests.fakes.mails import raw_mail
from tests.fakes.ponymail import FakePonyMail

SUBJECT = "[VOTE] Adopt the plan"
REPLY = f"Re: {SUBJECT}"
ROOT = "vote-root@mail.example.org"
BOB = "bob-1@mail.example.org"
CAROL = "carol-1@mail.example.org"
NOW = datetime.now(UTC).replace(microsecond=0)
ROOT_AT = NOW - timedelta(days=2)
CAROL_AT = NOW - timedelta(hours=3)  # the newest mail of the thread
OPTIONS = HttpOptions(per_host_rate=0, backoff_base=0.0, max_attempts=3)
STATS = r"^/api/stats\.lua$"


def mail(
    message_id: str, sender: str, when: datetime, body: str, subject: str = REPLY, irt: str = ""
) -> bytes:
    date = format_datetime(when)
    return raw_mail(message_id, sender=sender, date=date, body=body, subject=subject, irt=irt)


@contextmanager
def archive() -> Iterator[tuple[FakePonyMail, str]]:
    """A three-mail vote thread; yields the site and the thread URL."""
    site = FakePonyMail()
    root = site.add_mail(
        mail(ROOT, "Alice <alice@apache.org>", ROOT_AT, "Please vote.", subject=SUBJECT)
    )
    site.add_mail(mail(BOB, "Bob <bob@apache.org>", NOW - timedelta(days=1), "+1", irt=ROOT))
    site.add_mail(mail(CAROL, "Carol <carol@apache.org>", CAROL_AT, "-1", irt=BOB))
    with site:
        yield site, site.thread_url(root)


def poll(
    url: str, cursor: Mapping[str, object] | None = None, *, overlap: int | None = None
) -> ThreadUpdate:
    """One poll; the cursor goes through JSON first, as a caller storing it would do."""
    stored = json.loads(json.dumps(cursor)) if cursor is not None else None

    async def main() -> ThreadUpdate:
        async with HttpClient(OPTIONS) as client:
            if overlap is None:
                return await poll_thread(client, url, stored)
            return await poll_thread(client, url, stored, overlap_seconds=overlap)

    return asyncio.run(main())


def full_then_reset(site: FakePonyMail, url: str) -> ThreadUpdate:
    update = poll(url)
    site.reset_log()
    return update


def ids_of(update: ThreadUpdate) -> set[str]:
    return {m.source_id for m in update.thread.messages}


def epoch(when: datetime) -> int:
    return int(when.timestamp())


def assert_full_read(site: FakePonyMail, first: datetime, last: datetime) -> None:
    assert site.count(STATS) == 1
    assert site.count(r"^/api/thread\.lua$") == 1
    assert site.count(r"^/api/mbox\.lua$") == len(months_spanned(epoch(first), epoch(last)))
    assert site.count(r"^/api/email\.lua$") == 0


# --- full read ----------------------------------------------------------------------------------


def test_no_cursor_is_a_full_read_with_a_json_cursor() -> None:
    with archive() as (site, url):
        update = poll(url)
        assert update.complete
        assert update.changed
        assert ids_of(update) == {ROOT, BOB, CAROL}
        assert update.cursor == {
            "thread_url": url,
            "title": SUBJECT,
            "root_mid": site.mid_of(ROOT),
            "list": "dev",
            "domain": "tvm.apache.org",
            "phrase": SUBJECT,
            "first_date": ROOT_AT.strftime("%Y-%m-%d"),
            "newest": epoch(CAROL_AT),
            "known": sorted([ROOT, BOB, CAROL]),
        }
        assert site.count(STATS) == 0


# --- unchanged ----------------------------------------------------------------------------------


def test_an_unchanged_thread_costs_one_stats_request() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        update = poll(url, full.cursor)
        assert not update.changed
        assert not update.complete
        assert update.thread.messages == ()
        assert update.thread.url == url
        assert update.thread.title == SUBJECT
        assert update.cursor == full.cursor
        assert site.count() == 1
        [request] = site.matching(STATS)
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
        assert request.param("list") == ["dev"]
        assert request.param("domain") == ["tvm.apache.org"]
        assert request.param("header_subject") == [SUBJECT]
        assert request.param("d") == [f"dfr={ROOT_AT:%Y-%m-%d}|dto={tomorrow}"]
        assert request.param("since") == [str(epoch(CAROL_AT) - 6 * 3600)]
        assert "emailsOnly" in dict(request.query)


def stats_answer(site: FakePonyMail, request: Recorded) -> object:
    """What the archive answers to the same stats query again."""

    async def main() -> object:
        async with HttpClient(OPTIONS) as client:
            return await client.get_json(site.url + request.path, params=list(request.query))

    return asyncio.run(main())


def test_the_overlap_keeps_the_newest_mail_in_the_answer_so_the_hits_are_filtered_here() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        assert not poll(url, full.cursor).changed
        answer = stats_answer(site, site.matching(STATS)[0])
        assert isinstance(answer, dict)
        assert {hit["message-id"] for hit in answer["emails"]} == {
            f"<{i}>" for i in (ROOT, BOB, CAROL)
        }


def test_without_overlap_an_unchanged_thread_gets_the_short_changed_false_answer() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        update = poll(url, full.cursor, overlap=0)
        assert not update.changed
        assert site.count() == 1
        [request] = site.matching(STATS)
        assert request.param("since") == [str(epoch(CAROL_AT))]
        assert stats_answer(site, request) == {"changed": False}


# --- new mail -----------------------------------------------------------------------------------


def test_a_new_reply_triggers_one_full_read() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        dan_at = NOW - timedelta(minutes=5)
        site.add_mail(mail("dan-1@x.org", "Dan <dan@apache.org>", dan_at, "+1", irt=ROOT))
        update = poll(url, full.cursor)
        assert update.changed
        assert update.complete
        assert ids_of(update) == {ROOT, BOB, CAROL, "dan-1@x.org"}
        assert update.cursor["newest"] == epoch(dan_at)
        assert_full_read(site, ROOT_AT, dan_at)

        site.reset_log()
        quiet = poll(url, update.cursor)
        assert not quiet.changed
        assert site.count() == 1


def test_a_reply_dated_an_hour_in_the_past_is_found_thanks_to_the_overlap() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        skewed_at = CAROL_AT - timedelta(hours=1)  # arrives now, but its clock was wrong
        site.add_mail(mail("eve-1@x.org", "Eve <eve@apache.org>", skewed_at, "+1", irt=CAROL))
        missed = poll(url, full.cursor, overlap=0)
        assert not missed.changed
        assert site.count() == 1

        site.reset_log()
        found = poll(url, full.cursor)
        assert found.changed
        assert "eve-1@x.org" in ids_of(found)
        assert_full_read(site, ROOT_AT, CAROL_AT)


def test_another_thread_with_a_similar_subject_costs_nothing_more() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        site.add_mail(
            mail(
                "result@x.org",
                "Alice <alice@apache.org>",
                NOW,
                "Passed.",
                subject="[RESULT]" + SUBJECT,
            )
        )
        update = poll(url, full.cursor)
        assert not update.changed
        assert site.count() == 1


def test_a_same_subject_mail_outside_the_thread_costs_one_full_read_once() -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        site.add_mail(
            mail("again@x.org", "Zed <zed@apache.org>", NOW, "Vote again?", subject=SUBJECT)
        )
        update = poll(url, full.cursor)
        assert update.changed
        assert update.complete
        assert ids_of(update) == {ROOT, BOB, CAROL}
        known = update.cursor["known"]
        assert isinstance(known, list)
        assert "again@x.org" in known

        site.reset_log()
        assert not poll(url, update.cursor).changed
        assert site.count() == 1


# --- malformed cursors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mangle",
    [
        {},
        {"newest": "yesterday"},
        {"known": "a@b"},
        {"known": [1, 2]},
        {"first_date": "2026-3-2"},
        {"domain": ""},
        {"newest": True},
    ],
)
def test_a_malformed_cursor_falls_back_to_a_full_read(mangle: dict[str, object]) -> None:
    with archive() as (site, url):
        full = full_then_reset(site, url)
        cursor = {**full.cursor, **mangle} if mangle else {}
        update = poll(url, cursor)
        assert update.complete
        assert update.changed
        assert ids_of(update) == {ROOT, BOB, CAROL}
        assert site.count(STATS) == 0
        assert site.count(r"^/api/thread\.lua$") == 1
