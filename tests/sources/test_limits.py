"""Caps on one message, one text part and one header (issue 12): what is over a cap is not read
and not held in memory, and the message says why in `problems`; the rest of the file is read."""

from __future__ import annotations

import base64
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvester.errors import SourceError
from harvester.sources import mbox
from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import parse_mail
from harvester.sources.mbox import iter_mbox, iter_mbox_bytes, iter_raw_mbox, read_eml

SMALL = ReadLimits(message_bytes=20_000, part_bytes=5_000, header_bytes=2_000)


def mail(number: int, body: str, *, extra_headers: str = "") -> bytes:
    return (
        f"From x@y Mon Jan  5 10:00:00 2026\n"
        f"From: Voter {number} <v{number}@apache.org>\nSubject: Re: [VOTE] Adopt\n"
        f"Message-ID: <m{number}@x>\nDate: Mon, 5 Jan 2026 1{number % 10}:00:00 +0000\n"
        f"{extra_headers}\n{body}\n\n"
    ).encode()


def base64_mail(number: int, size: int) -> bytes:
    payload = base64.encodebytes(b"+1 (binding)\n" + b"x" * size).decode()
    return mail(
        number,
        payload,
        extra_headers="Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n",
    )


def test_a_message_over_the_cap_keeps_its_header_and_loses_its_text() -> None:
    data = mail(1, "+1 (binding)") + mail(2, "+1\n" + "y" * 50_000) + mail(3, "-1 (binding)")
    first, big, last = iter_mbox_bytes(data, where="t.mbox", limits=SMALL)
    assert (first.body, last.body) == ("+1 (binding)\n", "-1 (binding)\n")
    assert (first.problems, last.problems) == ((), ())
    # the header still names it: who sent it, when and in which thread
    assert big.source_id == "m2@x"
    assert big.author.address == "v2@apache.org"
    assert big.subject == "Re: [VOTE] Adopt"
    assert big.body == ""
    (problem,) = big.problems
    assert problem.startswith("the message is 49 KB, over the 20 KB cap on one message")
    assert "[limits] message_mb" in problem


def test_a_message_over_the_cap_streams_past_in_small_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mbox, "CHUNK", 512)  # the cap is crossed many chunks before its end
    data = mail(1, "+1") + mail(2, "z" * 100_000) + mail(3, "0")
    entries = list(iter_raw_mbox(io.BytesIO(data), where="t.mbox", limits=SMALL))
    assert [len(e.data) <= SMALL.header_bytes + 2 for e in entries] == [True, True, True]
    assert entries[1].size == len(mail(2, "z" * 100_000)) - 1  # without the mbox's blank line
    assert [parse_mail(e.data, where="t", limits=SMALL, size=e.size).body for e in entries] == [
        "+1\n",
        "",
        "0\n",
    ]


def test_the_last_message_over_the_cap_is_reported_too() -> None:
    (one, big) = iter_mbox_bytes(mail(1, "+1") + mail(2, "w" * 30_000), where="t", limits=SMALL)
    assert one.problems == ()
    assert big.body == ""
    assert "over the 20 KB cap" in big.problems[0]


def test_a_text_part_over_the_cap_is_not_decoded() -> None:
    (message,) = iter_mbox_bytes(base64_mail(1, 6_000), where="t.mbox", limits=SMALL)
    assert message.body == ""
    (problem,) = message.problems
    assert problem.startswith("its text part is 8 KB, over the 5 KB cap on one part")
    assert "[limits] part_mb" in problem
    # under the cap the same part is read
    (small,) = iter_mbox_bytes(base64_mail(1, 1_000), where="t.mbox", limits=SMALL)
    assert small.body.startswith("+1 (binding)\n")
    assert small.problems == ()


def test_a_header_over_the_cap_is_read_up_to_the_cap() -> None:
    junk = "".join(f"X-Junk-{i}: {'j' * 60}\n" for i in range(100))
    (message,) = iter_mbox_bytes(mail(1, "+1", extra_headers=junk), where="t", limits=SMALL)
    assert message.source_id == "m1@x"  # the fields before the junk are kept
    assert message.body == "+1\n"
    (problem,) = message.problems
    assert problem.startswith("its header is 7 KB, over the 2 KB cap")


def test_one_header_line_of_megabytes_costs_no_more_than_the_cap() -> None:
    raw = mail(1, "+1", extra_headers="X-Long: " + "s" * 20_000_000 + "\n")
    tracemalloc.start()
    try:
        (message,) = iter_mbox_bytes(raw, where="t", limits=ReadLimits(header_bytes=2_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message.problems[0].startswith("its header is 19.1 MB, over the 2 KB cap")
    assert (message.source_id, message.body) == ("m1@x", "+1\n")
    assert peak < 3 * len(raw)  # the raw bytes and their copies, not the decoded text of them


def _huge_mbox(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(mail(1, "+1 (binding)"))
        out.write(mail(2, "", extra_headers="Content-Type: text/plain\n")[:-1])
        line = b"A" * 76 + b"\n"
        for _ in range(size // len(line)):
            out.write(line)
        out.write(b"\n")
        out.write(mail(3, "-1 (binding)"))


def test_reading_a_huge_message_stays_flat_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.mbox"
    _huge_mbox(path, 60_000_000)
    limits = ReadLimits(message_bytes=4_000_000, part_bytes=1_000_000, header_bytes=100_000)
    tracemalloc.start()
    try:
        messages = list(iter_mbox(str(path), limits))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [m.body for m in messages] == ["+1 (binding)\n", "", "-1 (binding)\n"]
    assert "57.2 MB, over the 3.8 MB cap" in messages[1].problems[0]
    assert peak < 12_000_000  # about the cap plus a chunk, never the 60 MB message


def test_an_eml_over_the_cap_is_refused_naming_the_file_and_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "big.eml"
    path.write_bytes(mail(1, "q" * 30_000)[len("From x@y Mon Jan  5 10:00:00 2026\n") :])
    with pytest.raises(SourceError) as caught:
        read_eml(str(path), SMALL)
    assert str(caught.value) == (
        f"{path}: holds more than 20 KB, the cap on one mail file ([limits] message_mb)"
    )


def test_a_stream_that_never_ends_is_refused_at_the_cap() -> None:
    with pytest.raises(SourceError) as caught:
        read_eml("/dev/zero", SMALL)
    assert "holds more than 20 KB" in str(caught.value)


def _entries(limits: ReadLimits, data: bytes) -> Iterator[bytes]:
    for raw in iter_raw_mbox(io.BytesIO(data), where="t", limits=limits):
        yield raw.data


@pytest.mark.parametrize("chunk", [7, 64, 1 << 18])
def test_caps_do_not_change_what_fits(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(mbox, "CHUNK", chunk)
    data = b"".join(mail(n, f"+1 from {n}\n\nFrom here on\n>From quoted") for n in range(20))
    assert list(_entries(SMALL, data)) == list(_entries(ReadLimits(), data))
