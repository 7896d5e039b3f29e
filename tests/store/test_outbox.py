"""The outbox state machine on SQLite and PostgreSQL: queued once, claimed by one worker, retried
only when due, never resent after a send that may have gone out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from harvester.errors import SelectionError
from harvester.model import Draft
from harvester.store import drafts, outbox
from harvester.store.db import engine_for, upgrade
from harvester.store.tables import votes
from tests.store.test_messages_store import with_connection

T = TypeVar("T")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DRAFT = Draft("[RESULT][VOTE] Adopt the plan", "It passed.\n", "call@x", ("root@x", "call@x"))


run = with_connection  # one transaction, committed: what a caller of the store does


@pytest.fixture
def db(database_url: str) -> str:
    upgrade(database_url)
    return database_url


async def new_vote(connection: AsyncConnection, key: str = "adopt-the-plan") -> int:
    result = await connection.execute(
        votes.insert()
        .values(key=key, title="[VOTE] Adopt the plan", status="passed", created_at=NOW)
        .returning(votes.c.id)
    )
    return int(result.scalar_one())


def queued(url: str, count: int = 1) -> list[int]:
    """`count` drafts of one vote, each queued; returns the draft ids."""

    async def work(connection: AsyncConnection) -> list[int]:
        vote_id = await new_vote(connection)
        ids = []
        for n in range(count):
            draft_id = await drafts.save_draft(connection, vote_id, DRAFT, NOW)
            await outbox.enqueue(connection, draft_id, NOW, f"m{n}@test.invalid")
            ids.append(draft_id)
        return ids

    return run(url, work)


def claim(url: str, worker: str = "w1", now: datetime = NOW) -> outbox.Claim | None:
    return run(url, lambda c: outbox.claim_next(c, worker, now))


def rows(url: str) -> list[outbox.OutboxRow]:
    return run(url, outbox.outbox_rows)


def test_a_draft_is_stored_and_read_back(db: str) -> None:
    async def work(connection: AsyncConnection) -> drafts.StoredDraft | None:
        draft_id = await drafts.save_draft(connection, await new_vote(connection), DRAFT, NOW)
        return await drafts.load_draft(connection, draft_id)

    stored = run(db, work)
    assert stored is not None
    assert stored.draft == DRAFT
    assert stored.created_at == NOW
    assert run(db, lambda c: drafts.load_draft(c, 999)) is None


def test_enqueue_is_idempotent_and_keeps_the_first_message_id(db: str) -> None:
    [draft_id] = queued(db)
    again = run(db, lambda c: outbox.enqueue(c, draft_id, NOW, "other@test.invalid"))
    [row] = rows(db)
    assert again == row.id
    assert row.message_id == "m0@test.invalid"
    assert (row.state, row.attempts) == ("pending", 0)


def test_enqueue_of_an_unknown_draft_is_one_clear_line(db: str) -> None:
    with pytest.raises(SelectionError, match="draft 42: no such draft"):
        run(db, lambda c: outbox.enqueue(c, 42, NOW, "m@x"))


def test_claim_takes_the_oldest_pending_row_once(db: str) -> None:
    first, second = queued(db, 2)
    got = claim(db, "w1")
    assert got is not None
    assert (got.draft_id, got.attempts, got.message_id) == (first, 1, "m0@test.invalid")
    assert got.draft == DRAFT
    other = claim(db, "w2")
    assert other is not None
    assert other.draft_id == second
    assert claim(db, "w3") is None
    assert [(r.state, r.claimed_by, r.claimed_at) for r in rows(db)] == [
        ("sending", "w1", NOW),
        ("sending", "w2", NOW),
    ]


def test_only_the_claiming_worker_can_mark_the_row(db: str) -> None:
    queued(db)
    got = claim(db, "w1")
    assert got is not None
    assert not run(db, lambda c: outbox.mark_sent(c, got.outbox_id, "w2", NOW, "smtp x:25"))
    assert not run(db, lambda c: outbox.mark_failed(c, got.outbox_id, "w2", "boom", None))
    assert rows(db)[0].state == "sending"
    assert run(db, lambda c: outbox.mark_sent(c, got.outbox_id, "w1", NOW, "smtp x:25"))
    [row] = rows(db)
    assert (row.state, row.sent_at, row.detail) == ("sent", NOW, "smtp x:25")
    assert not run(db, lambda c: outbox.mark_failed(c, got.outbox_id, "w1", "late", None))
    assert claim(db) is None


def test_a_retry_is_claimed_only_when_due(db: str) -> None:
    queued(db)
    got = claim(db)
    assert got is not None
    later = NOW + timedelta(minutes=5)
    assert run(db, lambda c: outbox.mark_failed(c, got.outbox_id, "w1", "451 later", later))
    [row] = rows(db)
    assert (row.state, row.next_attempt_at, row.detail) == ("pending", later, "451 later")
    assert claim(db, now=later - timedelta(seconds=1)) is None
    retry = claim(db, now=later)
    assert retry is not None
    assert retry.attempts == 2


def test_a_final_failure_is_never_claimed_again(db: str) -> None:
    queued(db)
    got = claim(db)
    assert got is not None
    run(db, lambda c: outbox.mark_failed(c, got.outbox_id, "w1", "550 no", None))
    assert rows(db)[0].state == "failed"
    assert claim(db, now=NOW + timedelta(days=365)) is None


def test_a_stale_send_fails_with_the_may_have_been_delivered_line(db: str) -> None:
    stale_id, _fresh_id = queued(db, 2)
    assert claim(db, "dead", NOW) is not None
    assert claim(db, "alive", NOW + timedelta(minutes=20)) is not None
    cut = NOW + timedelta(minutes=15)
    interrupted = run(db, lambda c: outbox.interrupt_stale(c, cut, cut))
    stale, fresh = rows(db)
    assert interrupted == [(stale.id, "failed")]
    assert stale.state == "failed"
    assert stale.next_attempt_at is None
    assert stale.detail == (
        "interrupted while sending: it may have been delivered; check the archive for "
        f"Message-ID <m0@test.invalid> and resend with `harvest send {stale_id} --again`"
    )
    assert fresh.state == "sending"
    assert run(db, lambda c: outbox.interrupt_stale(c, cut, cut)) == []
    assert claim(db, now=NOW + timedelta(days=1)) is None  # never resent on its own


def claim_draft(url: str, draft_id: int, *, again: bool = False) -> outbox.Claim:
    return run(url, lambda c: outbox.claim_draft(c, draft_id, "op", NOW, again=again))


def test_claim_draft_says_why_a_draft_cannot_be_sent(db: str) -> None:
    [draft_id] = queued(db)
    unqueued = run(db, lambda c: drafts.save_draft(c, 1, Draft("[RESULT][VOTE] B", "body\n"), NOW))
    with pytest.raises(SelectionError, match=r"^draft 99: no such draft$"):
        claim_draft(db, 99)
    with pytest.raises(SelectionError, match=rf"^draft {unqueued}: not queued$"):
        claim_draft(db, unqueued)
    got = claim_draft(db, draft_id)
    with pytest.raises(
        SelectionError, match=r"is being sent by op since 2026-11-21T12:00:00\+00:00"
    ):
        claim_draft(db, draft_id)
    run(db, lambda c: outbox.mark_sent(c, got.outbox_id, "op", NOW, "smtp x:25"))
    with pytest.raises(SelectionError, match=r"already sent .* <m0@test\.invalid>; use --again"):
        claim_draft(db, draft_id)
    resend = claim_draft(db, draft_id, again=True)
    assert (resend.attempts, resend.message_id) == (2, "m0@test.invalid")


def test_claim_draft_takes_a_failed_or_not_yet_due_row(db: str) -> None:
    failed_id, waiting_id = queued(db, 2)
    got = claim(db)
    assert got is not None
    run(db, lambda c: outbox.mark_failed(c, got.outbox_id, "w1", "550", None))
    assert claim_draft(db, failed_id).attempts == 2
    waiting = claim(db)
    assert waiting is not None
    retry_at = NOW + timedelta(hours=1)
    run(db, lambda c: outbox.mark_failed(c, waiting.outbox_id, "w1", "451", retry_at))
    assert claim_draft(db, waiting_id).draft_id == waiting_id


def test_outbox_rows_of_one_vote(db: str) -> None:
    queued(db)

    async def other_vote(connection: AsyncConnection) -> int:
        vote_id = await new_vote(connection, "other")
        draft_id = await drafts.save_draft(connection, vote_id, DRAFT, NOW)
        await outbox.enqueue(connection, draft_id, NOW, "other@test.invalid")
        return vote_id

    vote_id = run(db, other_vote)
    mine = run(db, lambda c: outbox.outbox_rows(c, vote_id=vote_id))
    assert [r.message_id for r in mine] == ["other@test.invalid"]


def test_concurrent_claimers_on_separate_engines_never_share_a_row(db: str) -> None:
    queued(db, 8)

    async def worker(name: str) -> list[int]:
        engine = engine_for(db)
        taken: list[int] = []
        try:
            while True:
                async with engine.begin() as connection:
                    got = await outbox.claim_next(connection, name, NOW)
                if got is None:
                    return taken
                taken.append(got.outbox_id)
                await asyncio.sleep(0)  # let the others in between claims
        finally:
            await engine.dispose()

    async def main() -> list[list[int]]:
        return list(await asyncio.gather(*(worker(f"w{n}") for n in range(4))))

    claimed = [outbox_id for taken in asyncio.run(main()) for outbox_id in taken]
    assert sorted(claimed) == [r.id for r in rows(db)]  # each row exactly once
    assert all(r.state == "sending" and r.attempts == 1 for r in rows(db))


def test_one_row_a_draft_channel_and_target_and_claims_keep_to_their_channels(db: str) -> None:
    async def work(connection: AsyncConnection) -> list[int]:
        vote_id = await new_vote(connection)
        draft_id = await drafts.save_draft(connection, vote_id, DRAFT, NOW)
        issue = "https://github.com/apache/tvm/issues/9"
        return [
            await outbox.enqueue(connection, draft_id, NOW, "a@x", target="private@x.org"),
            await outbox.enqueue(connection, draft_id, NOW, "b@x", channel="github", target=issue),
            await outbox.enqueue(connection, draft_id, NOW, "c@x", channel="github", target=issue),
            await outbox.enqueue(
                connection, draft_id, NOW, "d@x", channel="github", target=issue + "0"
            ),
        ]

    mail_row, post_row, again, second_issue = run(db, work)
    assert again == post_row != mail_row  # queued once a channel and target
    assert second_issue not in (mail_row, post_row)  # a vote of two issues: a post on each
    assert [(r.channel, r.target, r.message_id) for r in rows(db)] == [
        ("mail", "private@x.org", "a@x"),
        ("github", "https://github.com/apache/tvm/issues/9", "b@x"),
        ("github", "https://github.com/apache/tvm/issues/90", "d@x"),
    ]
    posts = run(db, lambda c: outbox.claim_next(c, "w1", NOW, ("github",)))
    assert posts is not None
    assert posts.outbox_id == post_row
    assert posts.target.endswith("/9")
    mails = claim(db)  # the default: mail only
    assert mails is not None
    assert mails.outbox_id == mail_row
    assert claim(db) is None


def test_an_interrupted_post_is_due_again_and_an_interrupted_mail_is_not(db: str) -> None:
    async def work(connection: AsyncConnection) -> None:
        draft_id = await drafts.save_draft(connection, await new_vote(connection), DRAFT, NOW)
        await outbox.enqueue(connection, draft_id, NOW, "a@x")
        await outbox.enqueue(connection, draft_id, NOW, "b@x", channel="discourse", target="t")

    run(db, work)
    assert run(db, lambda c: outbox.claim_next(c, "dead", NOW, ("mail", "discourse")))
    assert run(db, lambda c: outbox.claim_next(c, "dead", NOW, ("mail", "discourse")))
    later = NOW + timedelta(hours=1)
    interrupted = run(db, lambda c: outbox.interrupt_stale(c, later, later))
    mail_row, post_row = rows(db)
    assert interrupted == [(mail_row.id, "failed"), (post_row.id, "pending")]
    again = run(db, lambda c: outbox.claim_next(c, "alive", later, ("mail", "discourse")))
    assert again is not None
    assert again.outbox_id == post_row.id
    assert again.attempts == 2


def test_a_vote_has_at_most_one_reminder(db: str) -> None:
    async def work(connection: AsyncConnection) -> tuple[bool, bool, str]:
        vote_id = await new_vote(connection)
        before = await drafts.has_draft(connection, vote_id, drafts.REMINDER)
        draft_id = await drafts.save_draft(connection, vote_id, DRAFT, NOW, drafts.REMINDER)
        after = await drafts.has_draft(connection, vote_id, drafts.REMINDER)
        try:
            async with connection.begin_nested():
                await drafts.save_draft(connection, vote_id, DRAFT, NOW, drafts.REMINDER)
        except IntegrityError:
            refused = "refused"
        else:
            refused = "stored twice"
        await drafts.save_draft(connection, vote_id, DRAFT, NOW)  # results are history: many
        await drafts.save_draft(connection, vote_id, DRAFT, NOW)
        stored = await drafts.load_draft(connection, draft_id)
        assert stored is not None
        assert stored.kind == "reminder"
        return before, after, refused

    assert run(db, work) == (False, True, "refused")
