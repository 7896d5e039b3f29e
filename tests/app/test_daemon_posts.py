"""[post]: the result goes back where the vote was held — a comment on the GitHub issue, a reply
on the Discourse topic — exactly once, through the outbox: also when the site took the post but
its answer was lost, and when the daemon died between posting and recording it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.app.cli import main
from harvester.app.deliver import Delivery, deliver_pending, send_post
from harvester.app.fetch import Fetcher, http_options
from harvester.app.post import Poster, post_targets
from harvester.app.watch import Watcher
from harvester.config import Settings
from harvester.sources.http import HttpClient
from harvester.store import outbox, votes
from harvester.store.db import engine_for, upgrade
from tests.app.daemon_world import TOPIC, World, list_mail, world
from tests.fakes.base import Fault

TOKEN, BOT = "ghp-test-token", "harvester-bot"
COMMENTS = r"/repos/apache/tvm/issues/99/comments$"


def posting_world(w: World) -> Settings:
    """The vote with three binding +1s on the list; tokens that may post on both sites."""
    w.fill()
    w.lists.add_mail(
        list_mail(2, "Carol Cruz <carol@apache.org>", "+1 (binding)\n", w.t0 + timedelta(hours=2))
    )
    w.github.tokens[TOKEN] = BOT
    w.discourse.api_key, w.discourse.api_username = "discourse-key", "harvester"
    w.github.clock = w.discourse.clock = w.clock
    return w.settings(
        post={"github": True, "discourse": True},
        sources={
            "github": {"api_url": w.github.url, "token": TOKEN},
            "discourse": {"api_key": "discourse-key", "api_username": "harvester"},
        },
    )


Step = Callable[[Watcher, Poster], Awaitable[Any]]


async def daemon_steps(w: World, settings: Settings, *steps: Step) -> list[Any]:
    engine = engine_for(w.url)
    try:
        async with HttpClient(http_options(settings)) as client:
            fetcher = Fetcher(client, settings)
            watcher = Watcher(engine, settings, fetcher, w.clock, lambda: 1.0)
            poster = Poster(fetcher)
            await watcher.discover()
            return [await step(watcher, poster) for step in steps]
    finally:
        await engine.dispose()


def close_the_vote(w: World) -> Step:
    async def step(watcher: Watcher, poster: Poster) -> int:
        w.clock.now = w.t0 + timedelta(hours=73)
        return await watcher.poll_due()

    return step


def deliver(w: World, settings: Settings, *, minutes_later: float = 0) -> Step:
    async def step(watcher: Watcher, poster: Poster) -> list[Delivery]:
        w.clock.advance(minutes=minutes_later)
        return await deliver_pending(
            watcher.engine, settings, worker="w1", now=w.clock(), poster=poster
        )

    return step


def ours(w: World) -> tuple[list[str], list[str]]:
    """Our posts: the issue's comments by the bot, the topic's posts by the API user."""
    issue = w.github._issues[("apache", "tvm", 99)]
    comments = [c.body for c in issue.comments if c.user == BOT]
    topic = w.discourse._topics[TOPIC]
    replies = [p.cooked for p in topic.posts if p.username == "harvester"]
    return comments, replies


def test_the_result_is_posted_once_on_the_issue_and_the_topic(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        settings = posting_world(w)

        async def recount(watcher: Watcher, poster: Poster) -> Any:
            async with watcher.engine.connect() as connection:
                (vote,) = await votes.list_votes(connection)
            for url in await w.threads_of(vote.id):
                await watcher.threads.harvest_thread(
                    url, full=True
                )  # our posts are in the threads now
            async with watcher.engine.connect() as connection:
                return await watcher.recount(connection, vote, w.clock())

        steps = [close_the_vote(w), deliver(w, settings), deliver(w, settings), recount]
        _, first, again, recounted = asyncio.run(daemon_steps(w, settings, *steps))
        comments, replies = ours(w)
        rows = asyncio.run(w.outbox())
        capsys.readouterr()
        (vote,) = asyncio.run(w.votes())
        assert main(["votes", "show", str(vote.id), "--db", database_url]) == 0
    assert sorted(d.state for d in first) == ["sent", "sent", "sent"]
    assert again == []  # nothing twice
    by_channel = {r.channel: r for r in rows}
    assert sorted(by_channel) == ["discourse", "github", "mail"]
    assert {r.state for r in rows} == {"sent"}
    github_row, discourse_row = by_channel["github"], by_channel["discourse"]
    (comment,) = comments
    assert "**[RESULT][VOTE] Adopt the S0 process**" in comment
    assert f"harvester-ref: {github_row.message_id}" in comment
    assert github_row.detail.startswith("https://github.com/apache/tvm/issues/99#issuecomment-")
    (reply,) = replies
    assert f"harvester-ref: {discourse_row.message_id}" in reply
    assert discourse_row.detail.startswith(f"{w.discourse.url}/t/")
    shown = capsys.readouterr().out
    assert (
        f"draft {github_row.draft_id} github (sent) to https://github.com/apache/tvm/issues/99"
        in shown
    )
    assert f"draft {github_row.draft_id} (sent): [RESULT][VOTE] Adopt the S0 process" in shown
    # Read back from both threads, our posts are no ballots: the count is what it was.
    assert recounted.outcome.binding.plus == 3
    assert recounted.outcome.non_binding.plus == 0


def crash_once(monkeypatch: pytest.MonkeyPatch, channel: str) -> list[str]:
    """The daemon dies right after the post is made, before the outbox records it."""
    real, crashed = outbox.mark_sent, []

    async def dying(connection: Any, outbox_id: int, worker: str, now: Any, detail: str) -> bool:
        if channel in detail and not crashed:
            crashed.append(detail)
            raise RuntimeError("killed between posting and recording")
        return await real(connection, outbox_id, worker, now, detail)

    monkeypatch.setattr(outbox, "mark_sent", dying)
    return crashed


def test_a_crash_between_posting_and_recording_does_not_post_twice(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        settings = posting_world(w)
        crashed = crash_once(monkeypatch, "github.com")

        async def crash(watcher: Watcher, poster: Poster) -> str:
            try:
                await deliver(w, settings)(watcher, poster)
            except RuntimeError as error:
                return str(error)
            return "no crash"

        stale = settings.mail.stale_minutes + 1
        steps = [close_the_vote(w), crash, deliver(w, settings, minutes_later=stale)]
        _, died, replayed = asyncio.run(daemon_steps(w, settings, *steps))
        comments, _ = ours(w)
        posts = len(w.github.matching(COMMENTS)) - len(
            [r for r in w.github.matching(COMMENTS) if r.method == "GET"]
        )
        rows = asyncio.run(w.outbox())
    assert died == "killed between posting and recording"
    assert len(crashed) == 1
    assert len(comments) == 1  # found on the issue after the restart, not posted again
    assert posts == 1
    github_row = next(r for r in rows if r.channel == "github")
    assert github_row.state == "sent"
    assert github_row.detail == crashed[0]  # the same comment's URL
    assert [d.outbox_id for d in replayed] == [github_row.id]


@pytest.mark.parametrize("site", ["github", "discourse"])
def test_a_post_whose_answer_was_lost_is_found_not_repeated(
    database_url: str, tmp_path: Path, site: str
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        settings = posting_world(w)
        fake = w.github if site == "github" else w.discourse
        path = COMMENTS if site == "github" else r"^/posts\.json$"
        fake.fail_next(path, Fault(lose_answer=True, method="POST"))
        steps = [close_the_vote(w), deliver(w, settings), deliver(w, settings)]
        _, first, second = asyncio.run(daemon_steps(w, settings, *steps))
        comments, replies = ours(w)
        rows = asyncio.run(w.outbox())
        posted = [r for r in fake.requests if r.method == "POST"]
    lost = next(d for d in first if d.state != "sent")
    assert lost.state == "pending"  # the answer was lost: tried again later …
    assert len(posted) == 1  # … by looking first, so the post was made once
    assert len(comments if site == "github" else replies) == 1
    row = next(r for r in rows if r.channel == site)
    assert (row.state, row.attempts) == ("sent", 2)
    # retry_minutes = 0: due again at once, in the same round, and then done
    assert [d.state for d in first if d.outbox_id == row.id] == ["pending", "sent"]
    assert second == []


def test_a_post_that_failed_for_good_is_sent_again_by_the_operator(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with world(database_url, tmp_path) as w:
        settings = posting_world(w)
        del w.github.tokens[TOKEN]  # the token lost its rights: every attempt is refused

        async def by_hand(watcher: Watcher, poster: Poster) -> Delivery:
            w.github.tokens[TOKEN] = BOT  # fixed
            rows = await w.outbox()
            failed = next(r for r in rows if r.channel == "github")
            return await send_post(
                watcher.engine,
                settings,
                failed.draft_id,
                "github",
                poster,
                worker="op",
                now=w.clock(),
            )

        steps = [close_the_vote(w), deliver(w, settings), by_hand]
        _, attempts, sent = asyncio.run(daemon_steps(w, settings, *steps))
        comments, _ = ours(w)
    refused = [d for d in attempts if d.state != "sent"]
    assert [d.state for d in refused][-1] == "failed"
    assert "HTTP 401" in refused[-1].detail
    assert "gave up after 5 attempts" in refused[-1].detail
    assert sent.state == "sent"
    assert len(comments) == 1


def test_only_issues_and_topics_are_posted_to_and_a_file_thread_is_no_error(
    tmp_path: Path,
) -> None:
    issue, topic = "https://github.com/apache/tvm/issues/9", "https://discuss.tvm.apache.org/t/v/7"
    urls = [str(tmp_path / "vote.mbox"), "https://lists.apache.org/thread/abc", issue, topic]
    on = Settings.model_validate(
        {"post": {"github": True}, "sources": {"github": {"token": TOKEN}}}
    )
    assert post_targets(urls, on) == [("github", issue)]
    assert post_targets(urls, Settings()) == []  # off: not even looked at
