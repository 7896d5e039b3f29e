"""A mail archive is read twice and only its votes' messages are kept (issue 13): the same vote
threads as grouping the whole archive in memory, earlier messages a call replies to included,
with memory that does not grow with the archive; a pipe, read once, is held whole."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import replace
from pathlib import Path

from harvester.app.harvest import read_thread_file, vote_messages
from harvester.app.mail_files import mail_threads
from harvester.core.clean import clean_thread
from harvester.core.threads import VoteLinks
from harvester.model import Message
from harvester.sources.limits import DEFAULT_LIMITS
from harvester.sources.mbox import read_mail_file
from tests.core.factories import mail

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "examples" / "strategy-vote.mbox"


def generated(tmp_path: Path, messages: int) -> Path:
    path = tmp_path / f"list-{messages}.mbox"
    generator = ROOT / "benchmarks" / "generate_mbox.py"
    command = [sys.executable, str(generator), "--messages", str(messages), "--out", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path


def in_memory(path: Path) -> list[tuple[str, list[str]]]:
    """What grouping the whole archive at once finds: each vote thread and its message ids."""
    threads = mail_threads(str(path), list(read_mail_file(str(path))))
    return [(t.url, [m.source_id for m in t.messages]) for t in map(clean_thread, threads)]


def streamed(path: Path) -> list[tuple[str, list[str]]]:
    return [(t.url, [m.source_id for m in t.messages]) for t in read_thread_file(str(path))]


def test_a_generated_archive_gives_the_same_vote_threads(tmp_path: Path) -> None:
    path = generated(tmp_path, 3000)
    expected = in_memory(path)
    assert len(expected) >= 3  # the generator's mix has several votes
    assert streamed(path) == expected
    kept, last = vote_messages(str(path), DEFAULT_LIMITS)
    assert sum(len(ids) for _, ids in expected) == len(kept) < 3000
    final = list(read_mail_file(str(path)))[-1]  # the file's last mail: one of the votes?
    in_a_vote = any(final.source_id in ids for _, ids in expected)
    assert (last.source_id if last else None) == (final.source_id if in_a_vote else None)


def message(n: int, subject: str, replies_to: str = "") -> Message:
    refs = (replies_to,) if replies_to else ()
    return replace(mail(n, "text", subject=subject), in_reply_to=replies_to, references=refs)


def test_links_keep_what_a_call_replies_to_and_drop_the_rest() -> None:
    discuss = message(1, "[DISCUSS] Adopt the plan")
    other = message(2, "Lunch?")
    call = message(3, "[VOTE] Adopt the plan", replies_to=discuss.source_id)
    reply = message(4, "Re: Adopt the plan", replies_to=call.source_id)
    result = message(5, "[RESULT][VOTE] Adopt the plan")
    stream = [discuss, other, call, reply, result]
    links = VoteLinks()
    first = [m.source_id for m in stream if links.take(m)]
    assert first == [call.source_id, reply.source_id, result.source_id]
    second = [m.source_id for m in stream if links.take(m)]  # the discussion, now it is known
    assert second == [discuss.source_id, call.source_id, reply.source_id, result.source_id]


def unrelated(count: int) -> bytes:
    """List traffic that is no vote: build reports and a long discussion."""
    return b"".join(
        (
            f"From dev-return-{n}@tvm.apache.org  Mon Jan  5 10:00:00 2026\n"
            f"Message-ID: <other{n}@example.org>\nIn-Reply-To: <other{n // 10 * 10}@example.org>\n"
            f"From: Dev {n} <dev{n}@example.org>\nSubject: Re: nightly build {n // 10}\n"
            "Date: Mon, 05 Jan 2026 08:00:00 +0000\n\n" + "The build failed again.\n" * 40 + "\n"
        ).encode()
        for n in range(count)
    )


def test_reading_an_archive_keeps_only_the_votes_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "list.mbox"
    vote = EXAMPLE.read_bytes()
    path.write_bytes(unrelated(3000) + vote + b"\n" + unrelated(3000))
    tracemalloc.start()
    try:
        kept, _ = vote_messages(str(path), DEFAULT_LIMITS)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        everything = list(read_mail_file(str(path)))
        _, whole_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    example = len(list(read_mail_file(str(EXAMPLE))))
    assert len(kept) == sum(len(ids) for _, ids in in_memory(EXAMPLE))
    assert len(everything) == 6000 + example
    assert streamed_peak < whole_peak / 5


def test_a_pipe_is_read_once_and_held(tmp_path: Path) -> None:
    source = EXAMPLE.read_bytes()
    fifo = tmp_path / "vote.mbox"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("wb") as out:
            out.write(source)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        (thread,) = read_thread_file(str(fifo))
    finally:
        writer.join()
    assert thread.title.startswith("[VOTE]")
    assert [(thread.url.replace(str(fifo), ""), [m.source_id for m in thread.messages])] == [
        (url.replace(str(EXAMPLE), ""), ids) for url, ids in in_memory(EXAMPLE)
    ]
