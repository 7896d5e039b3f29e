"""Where each mbox entry is (RawMail.offset and .span), so an archive's vote mails can be read
again later instead of held (issue 13): reading an entry again gives the same bytes, whatever
the line ends, the blank lines, the cap or the chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import SourceError
from harvester.sources import mbox
from harvester.sources.limits import DEFAULT_LIMITS, ReadLimits
from harvester.sources.mbox import RawMail, iter_raw_range, mbox_chunks, read_entries

FROM = "From a@x Mon Jan  5 10:00:00 2026"


def read_entry(path: str, offset: int, span: int, limits: ReadLimits) -> RawMail:
    """One entry read again, as read_stubs reads a batch."""
    (entry,) = read_entries(path, [(offset, span)], limits)
    return entry


def entry(n: int, body: str = "+1\n", eol: str = "\n") -> str:
    head = f"{FROM}\nMessage-ID: <m{n}@x>\nSubject: [VOTE] X\n\n"
    return (head + body).replace("\n", eol)


CASES = {
    "plain": "".join(entry(n) + "\n" for n in range(5)),
    "leading blank lines": "\n\n\n" + "".join(entry(n) + "\n" for n in range(5)),
    "bodies ending in blank lines": "".join(entry(n, "+1\n\n\n") + "\n" for n in range(5)),
    "crlf": "".join(entry(n, eol="\r\n") + "\r\n" for n in range(5)),
    "escaped From lines": "".join(entry(n, ">From me\n+1\n") + "\n" for n in range(5)),
    "last entry cut short": "".join(entry(n) + "\n" for n in range(4)) + entry(4, "+1 and mo"),
    "no blank line at the end": "".join(entry(n) + "\n" for n in range(4)) + entry(4),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.mbox"
    path.write_bytes(text.encode())
    return path


@pytest.mark.parametrize("name", CASES)
def test_every_entry_reads_again_the_same(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, CASES[name])
    size = path.stat().st_size
    for start, end in mbox_chunks(str(path), 3):
        entries = list(iter_raw_range(str(path), start, end, DEFAULT_LIMITS))
        assert entries
        assert entries[0].offset == (start or len(CASES[name]) - len(CASES[name].lstrip("\r\n")))
        for one, following in zip(entries, [*entries[1:], None], strict=True):
            assert one.offset + one.span == (following.offset if following else end)
            assert read_entry(str(path), one.offset, one.span, DEFAULT_LIMITS) == one
    assert end == size


def test_offsets_hold_across_chunks_and_over_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small read chunks, and entries over the message cap whose bytes are let go as they pass:
    the offsets still name each entry, and reading one again keeps the same start."""
    monkeypatch.setattr(mbox, "CHUNK", 97)
    limits = ReadLimits(message_bytes=400, header_bytes=200)
    text = "".join(entry(n, "x" * (50 if n % 2 else 900) + "\n") + "\n" for n in range(9))
    path = write(tmp_path, text)
    entries = list(iter_raw_range(str(path), 0, path.stat().st_size, limits))
    assert len(entries) == 9
    assert [e.size > 400 for e in entries] == [n % 2 == 0 for n in range(9)]
    for one in entries:
        assert text.encode()[one.offset :].startswith(FROM.encode())
        assert read_entry(str(path), one.offset, one.span, limits) == one


def test_a_file_that_changed_since_it_was_read_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, CASES["plain"])
    first, second = list(iter_raw_range(str(path), 0, path.stat().st_size, DEFAULT_LIMITS))[:2]
    path.write_bytes(path.read_bytes()[: second.offset] + b"From b@x\nSubject: y\n\nno\n\n" * 2)
    with pytest.raises(SourceError) as raised:
        read_entry(str(path), second.offset, second.span, DEFAULT_LIMITS)
    assert str(raised.value) == (
        f"{path} at byte {second.offset}: the mail file changed while it was read"
    )
    assert read_entry(str(path), first.offset, first.span, DEFAULT_LIMITS) == first


def test_a_crlf_blank_line_between_lf_mails_reads_again_the_same(tmp_path: Path) -> None:
    """The blank line before "From " ends in CRLF though the mail's lines end in LF: read
    again alone, the entry must still end where the separator cut it."""
    text = (
        f"{FROM}\nSubject: [VOTE] X\nMessage-ID: <c@x>\n\nvote\n\r\n"
        f"{FROM}\nSubject: Re: [VOTE] X\nMessage-ID: <r@x>\n\n+1\n"
    )
    path = write(tmp_path, text)
    first, _ = list(iter_raw_range(str(path), 0, path.stat().st_size, DEFAULT_LIMITS))
    assert first.data.endswith(b"vote\n")
    assert read_entry(str(path), first.offset, first.span, DEFAULT_LIMITS) == first


@pytest.mark.parametrize("short_by", range(0, 10))
def test_a_mail_just_under_the_cap_across_a_chunk_boundary_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short_by: int
) -> None:
    """Bytes that may be the next separator do not make a mail over the cap: one of cap - 9 to
    cap bytes is read whole, not cut to nothing (and its vote lost as a mail without header)."""
    monkeypatch.setattr(mbox, "CHUNK", 64)
    cap = 300
    head = f"{FROM}\nMessage-ID: <c@x>\nSubject: [VOTE] X\n\n"
    body = "v" * (cap - short_by - len(head) - 1) + "\n"
    text = head + body + "\n" + entry(2)
    path = write(tmp_path, text)
    limits = ReadLimits(message_bytes=cap, header_bytes=200)
    for chunk in (61, 64, 67, 70, 73):
        monkeypatch.setattr(mbox, "CHUNK", chunk)
        first, second = list(iter_raw_range(str(path), 0, path.stat().st_size, limits))
        assert first.size == cap - short_by
        assert first.data == (head + body).split("\n", 1)[1].encode()
        assert second.data.startswith(b"Message-ID: <m2@x>")


def test_what_is_kept_of_a_mail_over_the_cap_never_runs_past_it(tmp_path: Path) -> None:
    """A header cap above the message cap: the start kept of a mail one byte over the cap is
    the same however the file is read (first read, or again alone)."""
    limits = ReadLimits(message_bytes=120, header_bytes=4096)
    head = f"{FROM}\nMessage-ID: <c@x>\nSubject: [VOTE] X\n\n"
    text = head + "w" * (121 - len(head) - 1) + "\n\n" + entry(2)
    path = write(tmp_path, text)
    first, _ = list(iter_raw_range(str(path), 0, path.stat().st_size, limits))
    assert first.size == 121
    assert read_entry(str(path), first.offset, first.span, limits) == first
