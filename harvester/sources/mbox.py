"""Local mail files -> Messages: mbox (mboxrd, as Pony Mail exports it) and single .eml files.

The mbox is split here rather than by `mailbox.mbox`, which splits at *any* "From " line, does not
undo mboxrd's ">From " escaping, needs a path and reads the whole file for its table of contents.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from harvester.errors import SourceError
from harvester.model import Message
from harvester.sources.files import open_binary, read_bytes
from harvester.sources.mailparse import parse_mail

CHUNK = 1 << 18  # bytes read at a time; memory use is about one chunk plus the longest message
_MBOX_SUFFIXES = (".mbox", ".mbx")
_EML_SUFFIXES = (".eml",)
_SEPARATOR = b"\nFrom "
_FIRST_LINE_SHOWN = 80  # characters of a bad first line quoted in the error
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def iter_raw_mbox(stream: BinaryIO, *, where: str) -> Iterator[bytes]:
    """Yield each message of an mboxrd stream without its From_ line, ">From " un-escaped.

    A message starts at a line beginning "From " that follows an empty line (or starts the file).
    Reads CHUNK bytes at a time, so a large mbox is never held in memory.
    """
    buf = _skip_leading_blank_lines(stream)
    if not buf:
        return
    if not buf.startswith(b"From "):
        raise SourceError(where, f"not an mbox: first line {_first_line(buf)!r}")
    start = 0  # where the current entry (its From_ line) begins in buf
    scan = 0  # where to look for the next separator
    eof = False
    while True:
        at = _find_separator(buf, scan)
        if at >= 0:
            # buf[at] ends the blank line before "From "; that line is the mbox's, not the mail's.
            end = at - 1 if buf[at - 1 : at] == b"\r" else at
            yield _message(buf[start:end])
            start = scan = at + 1
            continue
        if eof:
            break
        # Keep the unfinished entry plus the last bytes a separator may straddle.
        scan = max(start, len(buf) - len(_SEPARATOR) - 2)
        buf, scan, start = buf[start:], scan - start, 0
        chunk = stream.read(CHUNK)
        eof = not chunk
        buf += chunk
    if start < len(buf):
        yield _message(_drop_final_blank_line(buf[start:]))


def _skip_leading_blank_lines(stream: BinaryIO) -> bytes:
    """The stream's start without leading blank lines, long enough to judge its first line."""
    buf = b""
    while True:
        chunk = stream.read(CHUNK)
        buf = (buf + chunk).lstrip(b"\r\n")
        if not chunk or b"\n" in buf or len(buf) >= _FIRST_LINE_SHOWN:
            return buf


def _first_line(buf: bytes) -> str:
    line = buf.split(b"\n", 1)[0][:_FIRST_LINE_SHOWN]
    return line.decode("utf-8", "replace").rstrip("\r")


def _find_separator(buf: bytes, scan: int) -> int:
    """Index of the newline ending a blank line that is followed by "From ", or -1."""
    while True:
        at = buf.find(_SEPARATOR, scan)
        if at < 0:
            return -1
        if buf[at - 1 : at] == b"\n" or (at >= 2 and buf[at - 2 : at] == b"\n\r"):
            return at
        scan = at + 1  # "From " after a non-empty line belongs to the body


def _drop_final_blank_line(entry: bytes) -> bytes:
    """mboxrd ends every message, the last one too, with a blank line."""
    if entry.endswith(b"\r\n\r\n"):
        return entry[:-2]
    if entry.endswith(b"\n\n"):
        return entry[:-1]
    return entry


def _message(entry: bytes) -> bytes:
    """One mbox entry -> the message bytes: From_ line off and ">From " lines un-escaped."""
    newline = entry.find(b"\n")
    body = b"" if newline < 0 else entry[newline + 1 :]
    if b">From " in body:
        body = _ESCAPED_FROM.sub(rb"\1", body)
    return body


def iter_mbox(path: str) -> Iterator[Message]:
    """Every message of the mbox file at `path`, in file order."""
    with open_binary(path, what="mail file") as stream:
        for number, raw in enumerate(iter_raw_mbox(stream, where=path), start=1):
            yield parse_mail(raw, where=f"{path} (message {number})")


def iter_mbox_bytes(data: bytes, *, where: str) -> Iterator[Message]:
    """Every message of an mbox held in memory (a download), in order."""
    for number, raw in enumerate(iter_raw_mbox(io.BytesIO(data), where=where), start=1):
        yield parse_mail(raw, where=f"{where} (message {number})")


MID_MESSAGE = "the mail file ends mid-message: its last message may be cut short"


def ends_mid_message(data: bytes) -> bool:
    """An mbox always ends with a line break; one that does not was cut short (a download that
    stopped, a copy that filled the disk)."""
    return bool(data) and not data.endswith(b"\n")


def file_ends_mid_message(path: str) -> bool:
    """Whether the mbox at `path` was cut short; an .eml may well end without a line break."""
    if not _is_mbox(path):
        return False
    with open_binary(path, what="mail file") as stream:
        stream.seek(0, os.SEEK_END)
        if stream.tell() == 0:
            return False
        stream.seek(-1, os.SEEK_END)
        return ends_mid_message(stream.read(1))


def read_eml(path: str) -> Message:
    """The one message of an .eml file."""
    return parse_mail(read_bytes(path, what="mail file"), where=path)


def read_mail_file(path: str) -> Iterator[Message]:
    """Messages of a mail file: .mbox/.mbx or .eml by extension, otherwise by its first line."""
    if _is_mbox(path):
        yield from iter_mbox(path)
    else:
        yield read_eml(path)


def _is_mbox(path: str) -> bool:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in _MBOX_SUFFIXES:
        return True
    if suffix in _EML_SUFFIXES:
        return False
    with open_binary(path, what="mail file") as stream:
        return _skip_leading_blank_lines(stream).startswith(b"From ")
