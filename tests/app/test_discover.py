"""Discovery of [VOTE] threads on a list: the server's match is fuzzy, ours is not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from harvester.app.discover import FoundVote, list_votes
from harvester.sources.http import HttpClient, HttpOptions
from tests.fakes.ponymail import FakePonyMail

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def raw(n: int, subject: str, *, days: int = 0, reply: bool = False) -> bytes:
    lines = [
        f"Message-ID: <d{n}@example.org>",
        "From: Alice Archer <alice@apache.org>",
        f"Subject: {subject}",
        f"Date: {format_datetime(T0 + timedelta(days=days, minutes=n))}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if reply:
        lines.append("In-Reply-To: <d0@example.org>")
    return ("\n".join(lines) + "\n\nbody\n").encode()


def test_only_calls_tagged_vote_are_found() -> None:
    subjects = [
        "[VOTE] Release Apache TVM v0.20.0.rc0",
        "Re: [VOTE] Release Apache TVM v0.20.0.rc0",
        "[RESULT][VOTE] Release Apache TVM v0.20.0.rc0",
        "Voting on the roadmap?",
        "[DISCUSS] how we vote",
        "[vote] Adopt the S0 process",
    ]
    with FakePonyMail() as site:
        mids = [site.add_mail(raw(n, s, reply=s.startswith("Re:"))) for n, s in enumerate(subjects)]
        site.add_mail(raw(9, "[VOTE] Next month's vote", days=40))

        async def main() -> list[FoundVote]:
            async with HttpClient(HttpOptions(per_host_rate=0)) as client:
                return await list_votes(client, site.url, "dev@tvm.apache.org", "2026-03")

        found = asyncio.run(main())
        (request,) = site.matching("/api/stats")
    assert [(f.title, f.url) for f in found] == [
        ("[VOTE] Release Apache TVM v0.20.0.rc0", site.thread_url(mids[0])),
        ("[vote] Adopt the S0 process", site.thread_url(mids[5])),
    ]
    assert request.param("list") == ["dev"]
    assert request.param("domain") == ["tvm.apache.org"]
    assert request.param("d") == ["2026-03"]
