"""Result mail through the outbox, end to end on SQLite and PostgreSQL with a real SMTP server on
loopback: sent exactly once — across retries, crashes and two daemons at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from harvester.app.deliver import Delivery, deliver_pending, new_message_id, send_draft
from harvester.config import Settings
from harvester.errors import ConfigError, SelectionError
from harvester.model import Draft
from harvester.store import outbox
from harvester.store.db import engine_for, upgrade
from harvester.store.drafts import save_draft
from harvester.store.tables import votes
from tests.fakes.smtp import PERMANENT, TRANSIENT, FakeSMTP, smtp_server
from tests.store.conftest import database_url as _database_url  # noqa: F401  (the fixture)

T = TypeVar("T")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def db(database_url: str) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture
def server() -> Iterator[FakeSMTP]:
    with smtp_server() as running:
        yield running


def settings(server: FakeSMTP | None, **mail: Any) -> Settings:
    section: dict[str, Any] = {
        "enabled": server is not None,
        "host": "127.0.0.1",
        "port": server.port if server else 25,
        "security": "none",
        "sender": "Release Manager <rm@tvm.apache.org>",
        "to": ["dev@tvm.apache.org"],
        "cc": ["private@tvm.apache.org"],
        "timeout": 5,
        "retry_minutes": 5,
        "max_attempts": 3,
        "stale_minutes": 15,
    }
    return Settings.model_validate({"mail": {**section, **mail}})


def with_engine(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = engine_for(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def drafts(url: str, count: int = 1, *, queue: bool = True) -> list[int]:
    """`count` result drafts of one closed vote, queued as the daemon queues them."""

    async def work(engine: AsyncEngine) -> list[int]:
        async with engine.begin() as connection:
            vote_id = await new_vote(connection)
            ids = []
            for n in range(count):
                draft = Draft(f"[RESULT][VOTE] Plan {n}", f"Plan {n} passed.\n", "call@x")
                draft_id = await save_draft(connection, vote_id, draft, NOW)
                if queue:
                    message_id = new_message_id(settings(None), draft_id)
                    await outbox.enqueue(connection, draft_id, NOW, message_id)
                ids.append(draft_id)
            return ids

    return with_engine(url, work)


async def new_vote(connection: AsyncConnection) -> int:
    result = await connection.execute(
        votes.insert()
        .values(key="plan", title="[VOTE] Plan", status="passed", created_at=NOW)
        .returning(votes.c.id)
    )
    return int(result.scalar_one())


def pending(url: str, config: Settings, now: datetime, worker: str = "w1") -> list[Delivery]:
    return with_engine(url, lambda e: deliver_pending(e, config, worker=worker, now=now))


def send(
    url: str, config: Settings, draft_id: int, *, again: bool = False, now: datetime = NOW
) -> Delivery:
    return with_engine(
        url, lambda e: send_draft(e, config, draft_id, worker="op", now=now, again=again)
    )


def rows(url: str) -> list[outbox.OutboxRow]:
    async def work(engine: AsyncEngine) -> list[outbox.OutboxRow]:
        async with engine.connect() as connection:
            return await outbox.outbox_rows(connection)

    return with_engine(url, work)


def test_one_pending_draft_is_one_mail_and_a_second_run_sends_nothing(
    db: str, server: FakeSMTP
) -> None:
    [draft_id] = drafts(db)
    config = settings(server)
    [done] = pending(db, config, NOW)
    assert (done.draft_id, done.state, done.detail) == (
        draft_id,
        "sent",
        f"smtp 127.0.0.1:{server.port}",
    )
    assert pending(db, config, NOW + MINUTE) == []
    [got] = server.received
    [row] = rows(db)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, NOW)
    message = got.message()
    assert message["Message-ID"] == f"<{row.message_id}>"
    assert row.message_id.startswith(f"harvester.{draft_id}.")
    assert row.message_id.endswith("@tvm.apache.org")
    assert message["Subject"] == "[RESULT][VOTE] Plan 0"
    assert message["Cc"] == "private@tvm.apache.org"
    assert message["In-Reply-To"] == "<call@x>"
    assert got.rcpt_tos == ("dev@tvm.apache.org", "private@tvm.apache.org")


def test_a_451_is_retried_after_the_retry_time(db: str, server: FakeSMTP) -> None:
    drafts(db)
    config = settings(server)
    server.fail_next(1, TRANSIENT)
    [first] = pending(db, config, NOW)
    assert first.state == "pending"
    assert "451" in first.detail
    [row] = rows(db)
    assert (row.attempts, row.next_attempt_at) == (1, NOW + 5 * MINUTE)
    assert pending(db, config, NOW + 4 * MINUTE) == []
    [second] = pending(db, config, NOW + 5 * MINUTE)
    assert second.state == "sent"
    assert rows(db)[0].attempts == 2
    assert len(server.received) == 1


def test_retries_back_off_and_stop_at_max_attempts(db: str, server: FakeSMTP) -> None:
    drafts(db)
    config = settings(server, max_attempts=3)
    server.fail_next(10, TRANSIENT)
    pending(db, config, NOW)
    assert rows(db)[0].next_attempt_at == NOW + 5 * MINUTE
    pending(db, config, NOW + 5 * MINUTE)
    assert rows(db)[0].next_attempt_at == NOW + 15 * MINUTE  # 5 min, then 10
    [last] = pending(db, config, NOW + 15 * MINUTE)
    assert last.state == "failed"
    assert last.detail.endswith("(gave up after 3 attempts)")
    assert pending(db, config, NOW + timedelta(days=30)) == []
    [row] = rows(db)
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert server.received == []


def test_a_550_fails_at_once_and_is_not_retried(db: str, server: FakeSMTP) -> None:
    drafts(db)
    config = settings(server)
    server.fail_next(1, PERMANENT)
    [done] = pending(db, config, NOW)
    assert done.state == "failed"
    assert done.detail == f"smtp 127.0.0.1:{server.port}: server said {PERMANENT}"
    assert pending(db, config, NOW + timedelta(days=1)) == []
    assert rows(db)[0].attempts == 1
    assert server.received == []


def test_a_crash_after_the_send_is_never_followed_by_a_second_mail(
    db: str, server: FakeSMTP, monkeypatch: pytest.MonkeyPatch
) -> None:
    [draft_id] = drafts(db)
    config = settings(server)

    async def crash(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("killed between the SMTP answer and the commit")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "mark_sent", crash)
        with pytest.raises(RuntimeError):
            pending(db, config, NOW)
    assert len(server.received) == 1
    assert rows(db)[0].state == "sending"
    assert pending(db, config, NOW + 10 * MINUTE) == []  # not stale yet: maybe still sending
    assert pending(db, config, NOW + 16 * MINUTE) == []  # stale: failed, not resent
    [row] = rows(db)
    assert row.state == "failed"
    assert row.detail == (
        "interrupted while sending: it may have been delivered; check the archive for "
        f"Message-ID <{row.message_id}> and resend with `harvest send {draft_id} --again`"
    )
    assert pending(db, config, NOW + timedelta(days=7)) == []
    assert len(server.received) == 1


def test_no_answer_to_the_message_is_not_retried(db: str, server: FakeSMTP) -> None:
    drafts(db)
    config = settings(server, timeout=0.5)
    server.hang_next(2.0)
    [done] = pending(db, config, NOW)
    assert done.state == "failed"
    assert "may have been delivered" in done.detail
    assert pending(db, config, NOW + timedelta(days=1)) == []
    assert len(server.received) == 1


def test_send_draft_refuses_a_sent_draft_unless_again(db: str, server: FakeSMTP) -> None:
    [draft_id] = drafts(db)
    config = settings(server)
    pending(db, config, NOW)
    with pytest.raises(SelectionError, match=f"draft {draft_id}: was already sent at"):
        send(db, config, draft_id)
    assert send(db, config, draft_id, again=True, now=NOW + MINUTE).state == "sent"
    first, second = (r.message() for r in server.received)
    assert first["Message-ID"] == second["Message-ID"]  # archives see the same mail
    assert rows(db)[0].attempts == 2


def test_send_draft_queues_a_draft_that_never_was(db: str, server: FakeSMTP) -> None:
    [draft_id] = drafts(db, queue=False)
    done = send(db, settings(server), draft_id)
    assert (done.draft_id, done.state) == (draft_id, "sent")
    assert len(server.received) == 1
    with pytest.raises(SelectionError, match="draft 999: no such draft"):
        send(db, settings(server), 999)


def test_mail_off_sends_nothing_and_send_names_the_settings(db: str) -> None:
    [draft_id] = drafts(db)
    off = settings(None)
    assert pending(db, off, NOW) == []
    assert rows(db)[0].state == "pending"
    with pytest.raises(ConfigError, match=r"mail\.enabled.*mail\.dry_run_dir"):
        send(db, off, draft_id)


def test_dry_run_writes_the_eml_and_marks_it_sent(db: str, tmp_path: Path) -> None:
    [draft_id] = drafts(db)
    config = settings(None, dry_run_dir=str(tmp_path / "mail"))
    [done] = pending(db, config, NOW)
    path = tmp_path / "mail" / f"draft-{draft_id}.eml"
    assert (done.state, done.detail) == ("sent", str(path))
    assert "Subject: [RESULT][VOTE] Plan 0" in path.read_text(encoding="utf-8")
    assert rows(db)[0].detail == str(path)


@pytest.mark.parametrize("workers", [2, 3])
def test_concurrent_daemons_send_each_draft_exactly_once(
    db: str, server: FakeSMTP, workers: int
) -> None:
    drafts(db, 5)
    config = settings(server)

    async def daemon(name: str) -> list[Delivery]:
        engine = engine_for(db)  # a replica of its own: separate engine, separate connections
        try:
            return await deliver_pending(engine, config, worker=name, now=NOW)
        finally:
            await engine.dispose()

    async def main() -> list[list[Delivery]]:
        return list(await asyncio.gather(*(daemon(f"w{n}") for n in range(workers))))

    done = [d for each in asyncio.run(main()) for d in each]
    assert sorted(d.draft_id for d in done) == sorted(r.draft_id for r in rows(db))
    assert all(d.state == "sent" for d in done)
    ids = [r.message()["Message-ID"] for r in server.received]
    assert len(ids) == 5
    assert len(set(ids)) == 5
    assert all(r.state == "sent" and r.attempts == 1 for r in rows(db))
