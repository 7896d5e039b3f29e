"""mbox splitting (mboxrd), file handling and streaming of local mail files."""

from __future__ import annotations

import io
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvester.errors import SourceError
from harvester.model import BodyFormat
from harvester.sources import mbox
from harvester.sources.mbox import (
    ends_mid_message,
    file_ends_mid_message,
    iter_mbox,
    iter_mbox_bytes,
    iter_raw_mbox,
    read_eml,
    read_mail_file,
)

DATA = Path(__file__).parent.parent / "data" / "mail"
FROM_LINE = b"From dev-return-1-archive@tvm.apache.org  Tue Mar  4 02:11:40 2025\n"


def split(data: bytes) -> list[bytes]:
    return [raw.data for raw in iter_raw_mbox(io.BytesIO(data), where="t.mbox")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            FROM_LINE + b"Subject: a\n\n+1\n\n" + FROM_LINE + b"Subject: b\n\n-1\n\n",
            [b"Subject: a\n\n+1\n", b"Subject: b\n\n-1\n"],
            id="two-messages",
        ),
        pytest.param(
            FROM_LINE + b"Subject: a\n\n>From the notes\n>>From quoted\n>>>From deeper\n\n",
            [b"Subject: a\n\nFrom the notes\n>From quoted\n>>From deeper\n"],
            id="mboxrd-unescape",
        ),
        pytest.param(
            FROM_LINE + b"Subject: a\n\n> From is a quote\n>From: a header-like line\n>Fromage\n",
            [b"Subject: a\n\n> From is a quote\n>From: a header-like line\n>Fromage\n"],
            id="only-exact-from-space-unescaped",
        ),
        pytest.param(
            FROM_LINE + b"Subject: a\n\nSee below.\nFrom the release notes: all fine.\n\n",
            [b"Subject: a\n\nSee below.\nFrom the release notes: all fine.\n"],
            id="from-after-text-line-does-not-split",
        ),
        pytest.param(
            FROM_LINE + b"Subject: a\n\n+1\n\n\n" + FROM_LINE + b"Subject: b\n\n-1\n",
            [b"Subject: a\n\n+1\n\n", b"Subject: b\n\n-1\n"],
            id="message-ending-in-blank-line",
        ),
        pytest.param(
            b"\n\n" + FROM_LINE + b"Subject: a\n\n+1\n",
            [b"Subject: a\n\n+1\n"],
            id="leading-blank-lines",
        ),
        pytest.param(
            (FROM_LINE + b"Subject: a\n\n+1\n\n" + FROM_LINE + b"Subject: b\n\n-1\n\n").replace(
                b"\n", b"\r\n"
            ),
            [b"Subject: a\r\n\r\n+1\r\n", b"Subject: b\r\n\r\n-1\r\n"],
            id="crlf",
        ),
        pytest.param(FROM_LINE, [b""], id="from-line-only"),
        pytest.param(b"", [], id="empty-file"),
        pytest.param(b"\n\n", [], id="blank-file"),
    ],
)
def test_iter_raw_mbox(data: bytes, expected: list[bytes]) -> None:
    assert split(data) == expected


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 1 << 18])
def test_split_does_not_depend_on_chunk_boundaries(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (DATA / "vote_thread.mbox").read_bytes()
    expected = split(data)
    monkeypatch.setattr(mbox, "CHUNK", chunk)
    assert split(data) == expected
    assert split(data.replace(b"\n", b"\r\n")) == [m.replace(b"\n", b"\r\n") for m in expected]


@pytest.mark.parametrize(
    ("data", "first_line"),
    [
        (b"Subject: hello\n\nbody\n", "Subject: hello"),
        (b'\n\n{"post_stream": {}}\n', '{"post_stream": {}}'),
        (b">From escaped at the start\n", ">From escaped at the start"),
    ],
)
def test_not_an_mbox(data: bytes, first_line: str) -> None:
    with pytest.raises(SourceError) as caught:
        split(data)
    assert str(caught.value) == f"t.mbox: not an mbox: first line {first_line!r}"


def test_iter_mbox_yields_messages_in_order() -> None:
    messages = list(iter_mbox(str(DATA / "vote_thread.mbox")))
    assert [m.source_id for m in messages] == [
        "CAF1x2y3z4Example0vote@mail.gmail.com",
        "CAB9q8w7e6Example1@mail.gmail.com",
        "20250304021135.GA1234@example.net",
        "0100018f.jane@email.amazonses.com",
        "tencent.4260@qq.example",
    ]
    call, bob, carol, jane, wei = messages
    assert "\nFrom the release notes: the runtime ABI changed" in call.body
    assert bob.body == (
        "+1 (binding)\n\nFrom my side the signatures check out.\n"
        ">From here on it is quoted mboxrd text.\n"
    )
    assert bob.author.address == "bob@apache.org"
    assert (carol.author.name, carol.in_reply_to) == ("Carol Chén", bob.source_id)
    assert carol.references == (call.source_id, bob.source_id)
    assert carol.body.startswith("-1 (non-binding) until the LICENSE issue is fixed…\n")
    assert (jane.body_format, jane.author.reply_to) == (BodyFormat.HTML, ("jane.doe@example.com",))
    assert wei.author.address == "wzhang@apache.org.invalid"
    assert wei.body == "+1 (binding)\n\n我已经检查过签名和校验和。\n"


def test_shared_mbox_snippet() -> None:
    (message,) = iter_mbox(str(DATA / "mbox_snippet.mbox"))
    assert message.source_id == "20250304021135.GA1234@example.net"
    assert "\nFrom the release notes I can't tell whether …\n" in message.body


def test_read_eml() -> None:
    message = read_eml(str(DATA / "github_notification.eml"))
    assert message.author.github_sender == "tqchen"
    assert message.subject == (
        "Re: [apache/tvm] [VOTE] Clarify Community Strategy Decision Process (Issue #17001)"
    )
    assert message.body.startswith(
        "+1, thanks everyone for the discussion. The new process keeps the lazy 2/3 majority"
    )


@pytest.mark.parametrize(
    ("source", "name", "count"),
    [
        ("vote_thread.mbox", "thread.mbox", 5),
        ("vote_thread.mbox", "thread.MBX", 5),
        ("vote_thread.mbox", "thread.txt", 5),  # sniffed: first line is "From "
        ("vote_thread.mbox", "thread", 5),
        ("github_notification.eml", "notification.eml", 1),
        ("github_notification.eml", "notification.msg", 1),  # sniffed: not an mbox
    ],
)
def test_read_mail_file_picks_the_format(
    source: str, name: str, count: int, tmp_path: Path
) -> None:
    path = tmp_path / name
    shutil.copy(DATA / source, path)
    assert len(list(read_mail_file(str(path)))) == count


def test_not_an_mbox_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.mbox"
    path.write_bytes(b"These are my notes\nFrom me\n")
    with pytest.raises(SourceError, match=r"notes\.mbox: not an mbox: first line 'These are my"):
        list(iter_mbox(str(path)))


@pytest.mark.parametrize(
    "read", [lambda p: list(iter_mbox(p)), read_eml, lambda p: list(read_mail_file(p))]
)
def test_missing_file_names_the_file(read: object, tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere" / "votes.mbox")
    assert callable(read)
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.where == path
    assert str(caught.value) == f"{path}: no such file"


def test_directory_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        read_eml(str(tmp_path))


def test_eml_without_headers_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"empty\.eml: not an e-mail message"):
        read_eml(str(path))


# --- streaming ------------------------------------------------------------------------------------


def generated_mbox(count: int) -> Iterator[bytes]:
    """Realistic list mail, about 3 KB each: long Received/DKIM headers, quoted replies."""
    received = (
        "Received: from mailrelay1-ec2-va.apache.org (mailrelay1-ec2-va.apache.org [3.227.148.255])"
        "\n\tby mbox-vm.apache.org (ASF Mail Server) with ESMTP id 8C2F5C0102\n"
        "\tfor <archiver@mbox-vm.apache.org>; Tue,  4 Mar 2025 02:11:40 +0000 (UTC)\n"
    )
    dkim = "DKIM-Signature: v=1; a=rsa-sha256; d=gmail.com; s=20230601;\n" + "".join(
        f" b=VGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSwgaXQgaXMgcGFkZGluZyB0byBtYWtlIHRoZSBoZWFk{i}\n"
        for i in range(4)
    )
    quote = "".join(f"> line {i} of the call for vote: [ ] +1 approve\n" for i in range(30))
    for n in range(count):
        yield (
            f"From dev-return-{n}-archive@tvm.apache.org  Tue Mar  4 02:11:40 2025\n"
            f"{received}{received}{dkim}"
            f"Message-ID: <msg{n}@example.org>\nIn-Reply-To: <msg0@example.org>\n"
            f"From: Voter {n} <voter{n}@apache.org>\nSubject: Re: [VOTE] Release\n"
            "Date: Tue, 4 Mar 2025 10:11:35 +0800\nContent-Type: text/plain; charset=utf-8\n\n"
            f"+1 (binding)\n\n>From the notes: fine.\n\nOn Mon, Alice wrote:\n{quote}\n"
        ).encode()


def test_iter_raw_mbox_streams(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    with path.open("wb") as out:
        for message in generated_mbox(12_000):
            out.write(message)
    assert path.stat().st_size > 30_000_000
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            count = sum(1 for _ in iter_raw_mbox(stream, where=str(path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 12_000
    assert peak < 5_000_000, f"peak {peak:,} bytes: the mbox is not streamed"


def test_an_mbox_that_does_not_end_with_a_line_break_was_cut_short(tmp_path: Path) -> None:
    assert ends_mid_message(b"From a@b Mon Jan  5 10:00:00 2026\nSubject: x\n\n+1")
    assert not ends_mid_message(b"From a@b Mon Jan  5 10:00:00 2026\nSubject: x\n\n+1\n")
    assert not ends_mid_message(b"")
    eml = tmp_path / "reply.eml"
    eml.write_bytes(b"Subject: x\n\n+1")  # an .eml may end without one
    assert not file_ends_mid_message(str(eml))


def test_an_entry_without_a_header_does_not_stop_the_file() -> None:
    """An mbox that did not escape a "From " line of a text (mboxo) splits that mail in two;
    the part without a header is flagged on the mail before it, and the file goes on."""
    data = (
        FROM_LINE + b"From: A <a@apache.org>\nSubject: [VOTE] X\nMessage-ID: <c@x>\n\nvote\n\n"
        b"From here on we vote.\n+1\n\n"
        + FROM_LINE
        + b"From: B <b@apache.org>\nSubject: Re: [VOTE] X\nMessage-ID: <r@x>\n\n+1\n"
    )
    call, reply = iter_mbox_bytes(data, where="t.mbox")
    assert (call.source_id, reply.source_id) == ("c@x", "r@x")
    (problem,) = call.problems
    assert problem.startswith("the mail file goes on for 25 bytes after this message without")
    assert reply.problems == ()


def test_a_file_that_starts_without_a_header_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        list(iter_mbox_bytes(FROM_LINE + b"\njust text\n", where="t.mbox"))
    assert str(caught.value) == "t.mbox (message 1): not an e-mail message: no header lines found"
