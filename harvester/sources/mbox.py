"""Local mail files -> Messages: mbox (mboxrd, as Pony Mail exports it) and single .eml files.

The mbox is split here rather than by `mailbox.mbox`, which splits at *any* "From " line, does not
undo mboxrd's ">From " escaping, needs a path and reads the whole file for its table of contents.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, TypeVar

from harvester.errors import SourceError
from harvester.model import Message
from harvester.sources.files import open_binary, read_bytes
from harvester.sources.limits import DEFAULT_LIMITS, ReadLimits, size_text
from harvester.sources.mailparse import parse_mail

CHUNK = 1 << 18  # bytes read at a time; memory use is about one chunk plus the longest message
_MBOX_SUFFIXES = (".mbox", ".mbx")
_EML_SUFFIXES = (".eml",)
_SEPARATOR = b"\nFrom "
_FIRST_LINE_SHOWN = 80  # characters of a bad first line quoted in the error
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RawMail:
    """One mbox entry: the message bytes, or only their start when it is over the cap."""

    data: bytes
    size: int  # the whole entry's size, From_ line included
    # Where the entry is in the file, to read it again (read_entries): its From_ line's offset,
    # and its bytes up to the next entry (the blank line between them included).
    offset: int = 0
    span: int = 0


def iter_raw_mbox(
    stream: BinaryIO, *, where: str, limits: ReadLimits = DEFAULT_LIMITS, origin: int = 0
) -> Iterator[RawMail]:
    """Yield each message of an mboxrd stream without its From_ line, ">From " un-escaped.

    A message starts at a line beginning "From " that follows an empty line (or starts the file).
    Reads CHUNK bytes at a time; a message over the cap is not held: only its start (the header,
    which names it) is kept while the rest streams past, so memory stays about one chunk plus
    the cap whatever the file holds. `origin` is the stream's offset in its file.
    """
    first, skipped = _skip_leading_blank_lines(stream)
    if not first:
        return
    if not first.startswith(b"From "):
        raise SourceError(where, f"not an mbox: first line {_first_line(first)!r}")
    entry = _Entry(bytearray(first), limits, origin + skipped)
    while True:
        at = _find_separator(entry.buf, entry.scan)
        if at >= 0:
            # buf[at] ends the blank line before "From "; that line is the mbox's, not the mail's.
            end = at - 1 if entry.buf[at - 1 : at] == b"\r" else at
            yield entry.take(end, next_start=at + 1)
            continue
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        entry.make_room()
        entry.buf += chunk
    if entry.start < len(entry.buf):
        yield entry.take(_final_end(entry.buf, entry.start), next_start=len(entry.buf))


class _Entry:
    """The read buffer and where the current entry starts in it; past the cap the entry's bytes
    are dropped as they come (only its start is kept) and counted in `dropped`."""

    def __init__(self, buf: bytearray, limits: ReadLimits, origin: int) -> None:
        self.buf = buf
        self.limits = limits
        self.base = origin  # the file offset of buf[0]
        self.offset = origin  # the file offset of the current entry
        self.start = 0  # where the current entry (its From_ line) begins in buf
        self.scan = 0  # where to look for the next separator
        self.dropped = 0  # bytes of the current entry already let go (it is over the cap)
        self.kept = b""  # the start of an entry over the cap

    def take(self, end: int, *, next_start: int) -> RawMail:
        """The entry ending at `end`; the next one starts at `next_start`."""
        size = self.dropped + end - self.start
        if size > self.limits.message_bytes:
            kept = self.kept or bytes(memoryview(self.buf)[self.start : self.start + self._keep])
            data = _message(kept, 0, len(kept))
        else:
            data = _message(self.buf, self.start, end)
        following = self.base + next_start
        raw = RawMail(data, size, self.offset, following - self.offset)
        self.offset = following
        self.start = self.scan = next_start
        self.dropped, self.kept = 0, b""
        return raw

    @property
    def _keep(self) -> int:
        # Never more than the cap + 1 bytes: a mail over the cap has that many, however read.
        return min(self.limits.header_bytes + 2, self.limits.message_bytes + 1)

    def make_room(self) -> None:
        """Before reading on: drop what is done; past the cap, drop the entry's bytes as well
        except the last few a separator may straddle."""
        straddle = len(_SEPARATOR) + 2
        tail = max(self.start, len(self.buf) - straddle)
        # Only bytes before `tail` are surely the entry's: the rest may be the next separator.
        if self.dropped or tail - self.start > self.limits.message_bytes:
            if not self.dropped:
                self.kept = bytes(memoryview(self.buf)[self.start : self.start + self._keep])
            self.dropped += tail - self.start
            cut = tail
        else:
            cut = self.start
        del self.buf[:cut]
        self.base += cut
        self.scan, self.start = tail - cut, 0


def _skip_leading_blank_lines(stream: BinaryIO) -> tuple[bytes, int]:
    """The stream's start without leading blank lines, long enough to judge its first line, and
    how many bytes were skipped."""
    buf, skipped = b"", 0
    while True:
        chunk = stream.read(CHUNK)
        read = buf + chunk
        buf = read.lstrip(b"\r\n")
        skipped += len(read) - len(buf)
        if not chunk or b"\n" in buf or len(buf) >= _FIRST_LINE_SHOWN:
            return buf, skipped


def _first_line(buf: bytes) -> str:
    line = buf.split(b"\n", 1)[0][:_FIRST_LINE_SHOWN]
    return line.decode("utf-8", "replace").rstrip("\r")


def _find_separator(buf: bytes | bytearray, scan: int) -> int:
    """Index of the newline ending a blank line that is followed by "From ", or -1."""
    while True:
        at = buf.find(_SEPARATOR, scan)
        if at < 0:
            return -1
        if buf[at - 1 : at] == b"\n" or (at >= 2 and buf[at - 2 : at] == b"\n\r"):
            return at
        scan = at + 1  # "From " after a non-empty line belongs to the body


def _final_end(buf: bytearray, start: int) -> int:
    """Where the last entry ends: mboxrd ends every message, the last one too, with a blank
    line, which is the mbox's."""
    if buf.endswith(b"\r\n\r\n") and len(buf) - start >= 4:
        return len(buf) - 2
    if buf.endswith(b"\n\n") and len(buf) - start >= 2:
        return len(buf) - 1
    return len(buf)


def _message(buf: bytes | bytearray, start: int, end: int) -> bytes:
    """The mbox entry buf[start:end] -> the message bytes (one copy): From_ line off and
    ">From " lines un-escaped."""
    newline = buf.find(b"\n", start, end)
    body = b"" if newline < 0 else bytes(memoryview(buf)[newline + 1 : end])
    if b">From " in body:
        body = _ESCAPED_FROM.sub(rb"\1", body)
    return body


def iter_mbox(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Message]:
    """Every message of the mbox file at `path`, in file order."""
    with open_binary(path, what="mail file") as stream:
        yield from _parsed(iter_raw_mbox(stream, where=path, limits=limits), path, limits)


def iter_mbox_bytes(
    data: bytes, *, where: str, limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[Message]:
    """Every message of an mbox held in memory (a download), in order."""
    entries = iter_raw_mbox(io.BytesIO(data), where=where, limits=limits)
    yield from _parsed(entries, where, limits)


def _parsed(entries: Iterator[RawMail], where: str, limits: ReadLimits) -> Iterator[Message]:
    """Each entry parsed; what follows it without a header is in its `problems`."""
    for message, _raw, _at, after in headed(entries, where, limits, parse_mail):
        yield replace(message, problems=(*message.problems, *after)) if after else message


T = TypeVar("T")


def headed(
    entries: Iterable[RawMail],
    where: str,
    limits: ReadLimits,
    read: Callable[..., T],
) -> Iterator[tuple[T, RawMail, str, tuple[str, ...]]]:
    """(what `read` made of it, the entry, where it is, problems) for each entry with a header.

    An entry without a header after the first is most likely the rest of the message before
    it, split at an unescaped "From " line of its text (mboxo): it is not read, the message
    before gets a problem saying so for review, and the rest of the file goes on. `read` is
    parse_mail, or read_links for a header-only pass.
    """
    before: tuple[T, RawMail, str, tuple[str, ...]] | None = None
    for number, raw in enumerate(entries, start=1):
        at = f"{where} (message {number})"
        try:
            made = read(raw.data, where=at, limits=limits, size=raw.size)
        except SourceError:
            if before is None:
                raise  # the file (or part) does not start with a mail: not a mail file
            before = (*before[:3], (*before[3], headerless(raw.size)))
            continue
        if before is not None:
            yield before
        before = (made, raw, at, ())
    if before is not None:
        yield before


def headerless(size: int) -> str:
    return (
        f"the mail file goes on for {size_text(size)} after this message without a header "
        '(a line of its text starting "From " that the file did not escape?): that part is '
        "not read, and a ballot in it is not counted"
    )


_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_BOUNDARY_SCAN = 1 << 20  # bytes looked at, at a time, for the next message boundary


def mbox_chunks(path: str, parts: int) -> list[tuple[int, int]]:
    """About `parts` byte ranges [start, end) of the mbox at `path`, each starting at a message
    (a "From " line after a blank line, followed by a header line), for reading in parallel;
    reading them in order gives the messages of the whole file."""
    with open_binary(path, what="mail file") as stream:
        size = stream.seek(0, os.SEEK_END)
        starts = [0]
        for k in range(1, max(parts, 1)):
            found = _next_boundary(stream, max(size * k // parts, starts[-1] + 1), size)
            if found is None:
                break
            if found > starts[-1]:
                starts.append(found)
    return list(zip(starts, [*starts[1:], size], strict=True))


def _next_boundary(stream: BinaryIO, offset: int, size: int) -> int | None:
    """Where the first message starting at or after `offset` begins, or None. Blocks overlap
    by a few bytes: a separator needs the two bytes before its "From "."""
    position = max(offset - 4, 0)
    while position < size:
        stream.seek(position)
        block = stream.read(_BOUNDARY_SCAN + 4096)  # the tail: the header line after "From "
        scan = 0
        while (at := _find_separator(block, scan)) >= 0 and at < _BOUNDARY_SCAN:
            start = position + at + 1
            line_end = block.find(b"\n", at + 1)
            if start >= offset and line_end >= 0 and _HEADER_LINE.match(block, line_end + 1):
                return start
            scan = at + 1
        position += _BOUNDARY_SCAN - 4
    return None


class _Range:
    """A read-only view of bytes [start, end) of a file, for iter_raw_mbox."""

    def __init__(self, stream: BinaryIO, start: int, end: int) -> None:
        self._stream = stream
        self._left = end - start
        stream.seek(start)

    def read(self, size: int = -1) -> bytes:
        wanted = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(wanted)
        self._left -= len(data)
        return data


def iter_raw_range(path: str, start: int, end: int, limits: ReadLimits) -> Iterator[RawMail]:
    """The entries of one range from mbox_chunks."""
    with open_binary(path, what="mail file") as stream:
        yield from _entries_in(stream, path, start, end, limits)


def _entries_in(
    stream: BinaryIO, path: str, start: int, end: int, limits: ReadLimits
) -> Iterator[RawMail]:
    view = _Range(stream, start, end)
    yield from iter_raw_mbox(view, where=path, limits=limits, origin=start)  # type: ignore[arg-type]


def read_entries(
    path: str, places: Sequence[tuple[int, int]], limits: ReadLimits
) -> Iterator[RawMail]:
    """The entries a read of the file found at these (RawMail.offset, .span), read again with
    the file opened once: the same bytes as then, so an archive's votes need not be held while
    the rest is read. The next entry's "From " is read too: where an entry ends depends on the
    separator after it. Unbuffered: each entry is read from the file as it is now, so one
    rewritten since is caught, never served from what a buffer kept of the old one."""
    following = len(_SEPARATOR) - 1
    try:
        opened = open_binary(path, what="mail file", buffered=False)
    except SourceError:  # gone, or no longer a file, since it was read
        raise SourceError(f"{path} at byte {places[0][0] if places else 0}", CHANGED) from None
    with opened as stream:
        for offset, span in places:
            where = f"{path} at byte {offset}"
            try:
                entries = list(_entries_in(stream, path, offset, offset + span + following, limits))
            except SourceError:  # no mail starts there any more
                raise SourceError(where, CHANGED) from None
            second_is_next = len(entries) == 2 and entries[1].offset == offset + span
            if not entries or entries[0].span != span or not (len(entries) == 1 or second_is_next):
                raise SourceError(where, CHANGED)
            yield entries[0]


CHANGED = "the mail file changed while it was read"


MID_MESSAGE = "the mail file ends mid-message: its last message may be cut short"


def ends_mid_message(data: bytes) -> bool:
    """An mbox always ends with a line break; one that does not was cut short (a download that
    stopped, a copy that filled the disk)."""
    return bool(data) and not data.endswith(b"\n")


def file_ends_mid_message(path: str) -> bool:
    """Whether the mbox at `path` was cut short; an .eml may well end without a line break."""
    if not is_mbox(path):
        return False
    with open_binary(path, what="mail file") as stream:
        stream.seek(0, os.SEEK_END)
        if stream.tell() == 0:
            return False
        stream.seek(-1, os.SEEK_END)
        return ends_mid_message(stream.read(1))


def read_eml(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> Message:
    """The one message of an .eml file; a file over the message cap (or a stream that never
    ends, such as /dev/zero) is refused at the cap."""
    raw = read_bytes(path, what="mail file", limit=limits.message_bytes, setting="message_mb")
    return parse_mail(raw, where=path, limits=limits)


def read_mail_file(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Message]:
    """Messages of a mail file: .mbox/.mbx or .eml by extension, otherwise by its first line."""
    if is_mbox(path):
        yield from iter_mbox(path, limits)
    else:
        yield read_eml(path, limits)


def is_mbox(path: str) -> bool:
    suffix = str.lower(os.path.splitext(path)[1])
    if suffix in _MBOX_SUFFIXES:
        return True
    if suffix in _EML_SUFFIXES:
        return False
    with open_binary(path, what="mail file") as stream:
        return _skip_leading_blank_lines(stream)[0].startswith(b"From ")
