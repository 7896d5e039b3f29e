"""One RFC 5322 message (bytes) -> Message: headers decoded, body decoded to text.

Speed matters: whole mboxes are read. Python's `email.policy.default` is about four times slower
than compat32, and even compat32's feedparser spends most of its time going line by line through
20-40 header lines (Received, DKIM, List-*) and through MIME parts we then throw away. So this
module splits headers and MIME parts itself with a few regular expressions, decodes only the
headers and the one body part it returns, and leaves the hard parts to the standard library:
encoded words (`decode_header`), addresses (`parseaddr`), dates (`parsedate_to_datetime`),
quoted-printable (`binascii.a2b_qp`) and base64 (`binascii.a2b_base64`). Content-Type
parameters (RFC 2231 forms too) and charset names are read in `mimeparams`.

Wire format only: no quote stripping, no ballot reading.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from harvester.errors import SourceError
from harvester.model import Author, BodyFormat, Message, is_sane_time
from harvester.sources.flowed import unflow
from harvester.sources.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    header_too_large,
    message_too_large,
    part_too_large,
)
from harvester.sources.mimeparams import content_params, decode_bytes

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_MIME_DEPTH = 16  # deeper nesting is not a real mail; stop rather than recurse forever
_MID_SAFE = "@!$&'()*+,;=:._-~"

_WANTED = (
    "message-id|in-reply-to|references|subject|from|reply-to|cc|date|received-spf|received|"
    "x-github-sender"
)
_MIME = "content-type|content-transfer-encoding|content-disposition"
# A header and its continuation lines; only the names we use, so the others cost nothing. A
# field starts after a line break (_fields puts one before the first): a literal first
# character lets the regex engine skip from line to line instead of trying every position.
_FIELD = r"\n({names})[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)"
_WANTED_FIELD = re.compile(_FIELD.format(names=f"{_WANTED}|{_MIME}"), re.IGNORECASE)
_MIME_FIELD = re.compile(_FIELD.format(names=_MIME), re.IGNORECASE)
_LINK_FIELD = re.compile(
    _FIELD.format(names="message-id|in-reply-to|references|subject|date"), re.IGNORECASE
)
_DATE_FIELD = re.compile(_FIELD.format(names="date|received"), re.IGNORECASE)
# A line that is neither "Name:" nor a continuation ends the header block (as in compat32).
# Searched in b"\n" + head: the literal line break lets the engine jump from line to line (three
# times faster than "^" with MULTILINE, which is tried at every byte).
_NOT_A_HEADER_LINE = re.compile(rb"\n(?![!-9;-~]+[ \t]*:|[ \t])")

_ANGLE_ID = re.compile(r"<([^>]+)>")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_USUAL_DATE = re.compile(  # ASCII: "٠٠٩٩" is a year to email.utils, and 1999 at that
    rf"(?:[A-Za-z]{{3}}, )?(\d{{1,2}}) ({'|'.join(_MONTHS)}) (\d{{4}}) "
    r"(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)",
    re.ASCII,
)
_FOLD = re.compile(r"\r?\n[ \t]")
_CRLF = re.compile(r"[\r\n]")
_WSP = re.compile(r"\s+")
_NAME_ADDR = re.compile(r"(.*)<([^<>]*)>\s*\Z", re.DOTALL)
_BARE_ADDR = re.compile(r"\s*<?([^\s<>(),;:\"@]+@[^\s<>(),;:\"@]+)>?\s*\Z")
_QUOTED_PAIR = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class _Part:
    """A leaf MIME part: what body selection and decoding need, nothing more."""

    content_type: str  # lower-cased "type/subtype"
    params: dict[str, str]  # Content-Type parameters, lower-cased names, unquoted values
    encoding: str  # lower-cased Content-Transfer-Encoding
    payload: bytes  # still transfer-encoded


@dataclass(frozen=True, slots=True)
class Links:
    """What threading reads of a mail, the same as parse_mail gives, from its header alone."""

    source_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    # The first Date: as written, for sent_at_of: not part of what threading compares.
    date: str = field(default="", compare=False)


def read_links(
    raw: bytes, *, where: str, limits: ReadLimits = DEFAULT_LIMITS, size: int | None = None
) -> Links:
    """A mail's ids and subject without decoding its body: a fraction of parse_mail's cost,
    for finding which mails of an archive belong to a vote before reading those."""
    head = _head_only(raw, limits.header_bytes)
    if not head:
        raise SourceError(where, "not an e-mail message: no header lines found")
    headers = _fields(head.decode("utf-8", "replace"), _LINK_FIELD)
    # the whole mail, as parse_mail sees it, only for the id of a mail that has none
    named = bool(_first_id(_first(headers, "message-id")))
    return _links(headers, raw if named else _normalise(raw))


def read_sent_at(raw: bytes, *, limits: ReadLimits = DEFAULT_LIMITS) -> datetime:
    """When a mail was sent, the same as parse_mail gives, from its header alone."""
    head = _head_only(raw, limits.header_bytes)
    return _sent_at(_fields(head.decode("utf-8", "replace"), _DATE_FIELD))


def sent_at_of(links: Links, raw: bytes, *, limits: ReadLimits = DEFAULT_LIMITS) -> datetime:
    """read_sent_at, from the Date: read_links kept when that one is good (nearly always),
    without reading the header again."""
    parsed = _parse_date(links.date)
    return parsed if parsed is not None else read_sent_at(raw, limits=limits)


def mail_url(source_id: str) -> str:
    """A mail's URL: its Message-ID as a mid: URL (RFC 2392)."""
    return "mid:" + urllib.parse.quote(source_id, safe=_MID_SAFE)


def _links(headers: dict[str, list[str]], raw: bytes) -> Links:
    return Links(
        source_id=_message_id(headers, raw),
        in_reply_to=_first_id(_first(headers, "in-reply-to")),
        references=tuple(_ids(_first(headers, "references"))),
        subject=decode_words(_first(headers, "subject")).strip(),
        date=_first(headers, "date"),
    )


def parse_mail(
    raw: bytes, *, where: str, limits: ReadLimits = DEFAULT_LIMITS, size: int | None = None
) -> Message:
    """Turn one mail into a Message; raise SourceError only when `raw` holds no header at all.

    `size` is the whole message's when `raw` is only its start (an mbox entry over the cap):
    then only the header is read. What the caps kept from being read is in `problems`.
    """
    problems: list[str] = []
    full_size = len(raw) if size is None else size
    raw = _normalise(raw)
    head, body, head_size = _split_head(raw, limits.header_bytes)
    if not head:
        raise SourceError(where, "not an e-mail message: no header lines found")
    if head_size > limits.header_bytes:
        problems.append(header_too_large(head_size, limits))
    headers = _fields(head.decode("utf-8", "replace"), _WANTED_FIELD)
    links = _links(headers, raw)
    if full_size > limits.message_bytes:
        problems.append(message_too_large(full_size, limits))
        text, body_format = "", BodyFormat.PLAIN
    else:
        leaves = _leaves(headers, body, limits.header_bytes, depth=0)
        text, body_format = _body(leaves, limits, problems)
    return Message(
        source="mail",
        source_id=links.source_id,
        url=mail_url(links.source_id),
        subject=links.subject,
        author=_author(headers),
        sent_at=_sent_at(headers),
        body=text,
        body_format=body_format,
        in_reply_to=links.in_reply_to,
        references=links.references,
        problems=tuple(problems),
    )


# --- splitting raw bytes -------------------------------------------------------------------------


def _normalise(raw: bytes) -> bytes:
    """Drop an mbox From_ line if one is still there and use LF line ends throughout."""
    if raw.startswith(b"From "):
        end = raw.find(b"\n")
        raw = b"" if end < 0 else raw[end + 1 :]
    if b"\r\n" in raw:
        raw = raw.replace(b"\r\n", b"\n")
    return raw


def _head_only(raw: bytes, cap: int) -> bytes:
    """The header block _split_head finds in the normalised mail, without copying the body:
    most of an archive is read for its headers alone. A CR before the blank line that ends the
    header (CRLF line ends) takes the long way."""
    start = 0
    if raw.startswith(b"From "):
        start = raw.find(b"\n") + 1
        if start == 0:
            return b""
    end = raw.find(b"\n\n", start)
    stop = len(raw) if end < 0 else end + 2
    if raw.find(b"\r", start, stop) >= 0:
        return _split_head(_normalise(raw), cap)[0]
    return _split_head(raw[start:stop], cap)[0]


def _split_head(raw: bytes, cap: int) -> tuple[bytes, bytes, int]:
    """(header block without its last newline, at most `cap` bytes of it; body; the block's
    full length); a non-header line starts the body."""
    if raw.startswith(b"\n"):
        return b"", raw[1:], 0
    end = raw.find(b"\n\n")
    size = len(raw.rstrip(b"\n")) if end < 0 else end
    head = raw[: min(size, cap)]
    if size > cap:  # whole lines up to the cap; one endless line is cut at it
        head = head[: head.rfind(b"\n")] if b"\n" in head else head
    body = b"" if end < 0 else raw[end + 2 :]
    bad = _NOT_A_HEADER_LINE.search(b"\n" + head)
    if bad is not None:  # compat32's rule: the header block ends early, the rest is body
        at = bad.start()  # where the line starts in `head`: the search text starts with b"\n"
        return head[: max(at - 1, 0)], raw[at:], at
    return head, body, size


def _fields(head: str, pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Values of the headers `pattern` names, in order, folding kept, keyed by lower-case name."""
    found: dict[str, list[str]] = {}
    for one in pattern.finditer("\n" + head):
        found.setdefault(str.lower(one.group(1)), []).append(one.group(2))
    return found


def _first(headers: dict[str, list[str]], key: str) -> str:
    values = headers.get(key)
    return values[0] if values else ""


# --- header values ------------------------------------------------------------------------------


def unfold(value: str) -> str:
    """RFC 5322 unfolding: a line break followed by white space becomes one space; no CR/LF stay."""
    if "\n" not in value and "\r" not in value:
        return value  # most values are one line: no regex needed
    return _CRLF.sub("", _FOLD.sub(" ", value))


def decode_words(value: str) -> str:
    """Unfold and decode RFC 2047 encoded words; a bad charset falls back to UTF-8 with replace."""
    text = unfold(value)
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except (HeaderParseError, ValueError, TypeError, AssertionError):
        return text
    # decode_header hands back the plain runs between encoded words as raw-unicode-escape bytes.
    plain = "ascii" if text.isascii() else "raw-unicode-escape"
    return "".join(_decode_word(chunk, charset, plain) for chunk, charset in parts)


def _decode_word(chunk: bytes | str, charset: str | None, plain: str) -> str:
    if isinstance(chunk, str):
        return chunk
    if charset is None:
        return chunk.decode(plain, "replace")
    return decode_bytes(chunk, charset)


def _ids(value: str) -> Iterator[str]:
    """Message ids inside angle brackets, without brackets or any folding white space."""
    # nothing after the last ">" can close an id: a run of "<" is not tried to the end each
    for found in _ANGLE_ID.finditer(value, 0, value.rfind(">") + 1):
        ident = "".join(found.group(1).split())  # what _WSP.sub("", …) gives, faster
        if ident:
            yield ident


def _first_id(value: str) -> str:
    """The first <id>; a bare id without brackets is accepted when it is a single word."""
    for ident in _ids(value):
        return ident
    bare = value.strip()
    return bare if bare and not _WSP.search(bare) and "<" not in bare else ""


def _message_id(headers: dict[str, list[str]], raw: bytes) -> str:
    """The Message-ID without brackets, or a stable synthetic id from the message bytes."""
    found = _first_id(_first(headers, "message-id"))
    if found:
        return found
    return f"sha1-{hashlib.sha1(raw).hexdigest()}@harvester.invalid"


def _author(headers: dict[str, list[str]]) -> Author:
    name, address = _address(_first(headers, "from"))
    return Author(
        name=name,
        address=address,
        reply_to=tuple(_addresses(headers.get("reply-to", []))),
        cc=tuple(_addresses(headers.get("cc", []))),
        github_sender=unfold(_first(headers, "x-github-sender")).strip(),
        envelope_from=tuple(_spf_senders(headers.get("received-spf", []))),
    )


_ENVELOPE_FROM = re.compile(r"\benvelope-from=\s*\"?<?([^\s<>;\"]+@[^\s<>;\"]+)", re.IGNORECASE)


def _spf_senders(values: Iterable[str]) -> Iterator[str]:
    """The envelope senders a receiving server checked with SPF and found allowed ("pass"):
    who really sent a mail whose From the list rewrote for DMARC ("Jane via dev")."""
    for value in values:
        text = unfold(value).strip()
        if not str.lower(text).startswith("pass"):
            continue
        found = _ENVELOPE_FROM.search(text)
        if found:
            yield str.lower(found.group(1))


def _address(value: str) -> tuple[str, str]:
    """(decoded display name, lower-cased address); ezmlm's .INVALID suffix is kept as given.

    `Name <addr>` is split by hand: parseaddr breaks on encoded words holding a comma
    ("=?UTF-8?Q?Doe,_Jane?=") and drops words of a bare name ("From: Jane Doe").
    """
    raw = unfold(value).strip()
    angle = _NAME_ADDR.match(raw)
    if angle is not None:
        name, address = _unquote(angle.group(1).strip()), angle.group(2).strip()
    else:
        name, address = parseaddr(raw)
    if "@" not in address:
        name, address = name if angle is not None else raw, ""
    return decode_words(name).strip(), str.lower(address)


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", name[1:-1])
    return name


def _addresses(values: Iterable[str]) -> Iterator[str]:
    """Lower-cased addresses of address-list headers (Reply-To, Cc)."""
    for value in values:
        bare = _BARE_ADDR.match(unfold(value))  # the common case, without getaddresses' cost
        pairs = [("", bare.group(1))] if bare else getaddresses([unfold(value)])
        for _name, address in pairs:
            if "@" in address:
                yield str.lower(address.strip())


def _sent_at(headers: dict[str, list[str]]) -> datetime:
    """Date:, else the top (latest) Received: header's date, else the epoch; always aware."""
    parsed = _parse_date(_first(headers, "date"))
    if parsed is None:
        parsed = _parse_date(_received_date(_first(headers, "received")))
    return EPOCH if parsed is None else parsed


def _common_date(text: str) -> datetime | None:
    """The date of the usual form ("Mon, 5 Jan 2026 10:00:00 +0100") read directly, as
    parsedate_to_datetime reads it but several times faster; None for any other form, and for
    a value datetime refuses (parsedate_to_datetime then decides)."""
    found = _USUAL_DATE.fullmatch(text)
    if found is None or found.group(3) < "0100":  # email.utils reads "0099" as 1999
        return None
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = found.groups()
    offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
    try:
        if offset == 0 and sign == "-":
            zone = UTC  # "-0000": zone unknown, read as UTC (see _parse_date)
        else:
            zone = timezone(timedelta(seconds=-offset if sign == "-" else offset))
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        return None


def _received_date(value: str) -> str:
    """A Received: header ends with "; <date>"."""
    _, sep, date = unfold(value).rpartition(";")
    return date if sep else ""


def _parse_date(value: str) -> datetime | None:
    text = unfold(value).strip()
    if not text:
        return None
    try:
        parsed = _common_date(text) or parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000" means "zone unknown"; RFC 5322 says read it as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if is_sane_time(parsed) else None  # then the server's Received: date


# --- MIME structure -----------------------------------------------------------------------------


def _leaves(
    headers: dict[str, list[str]],
    body: bytes,
    header_cap: int,
    *,
    depth: int,
    default: str = "text/plain",
) -> Iterator[_Part]:
    """Inline leaf parts, depth first; attachments and attached mails (message/*) are skipped.

    `default` is the type of a part without Content-Type: text/plain, but message/rfc822 inside
    multipart/digest (RFC 2046 5.1.5), so a digest's mails are not read as the author's text.
    """
    if _is_attachment(_first(headers, "content-disposition")):
        return
    content_type, params = _content_type(headers.get("content-type"), default)
    major = content_type.partition("/")[0]
    if major == "message":
        return  # a forwarded or bounced mail is not this author's text
    if major != "multipart":
        encoding = str.lower(unfold(_first(headers, "content-transfer-encoding")).strip())
        yield _Part(content_type, params, encoding, body)
        return
    if depth >= MAX_MIME_DEPTH:
        return
    child_default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
    for child in _split_multipart(body, params.get("boundary", "")):
        child_head, child_body, _ = _split_head(child, header_cap)
        child_headers = _fields(child_head.decode("utf-8", "replace"), _MIME_FIELD)
        yield from _leaves(
            child_headers, child_body, header_cap, depth=depth + 1, default=child_default
        )


def _content_type(values: list[str] | None, default: str) -> tuple[str, dict[str, str]]:
    """("type/subtype", params); a missing type is `default`, a malformed one text/plain."""
    text = unfold(values[0]) if values else ""
    if not text.strip():
        return default, {}
    kind = str.lower(text.partition(";")[0].strip())
    if kind.count("/") != 1:
        kind = "text/plain"  # RFC 2045 5.2
    return kind, content_params(text)


def _is_attachment(disposition: str) -> bool:
    return str.lower(disposition.partition(";")[0].strip()) == "attachment"


def _split_multipart(body: bytes, boundary: str) -> list[bytes]:
    """The body parts between "--boundary" lines; preamble and epilogue are dropped."""
    if not boundary:
        return []
    marker = b"--" + boundary.encode("utf-8", "replace")
    parts: list[bytes] = []
    start = -1  # where the current part begins, once the first delimiter is seen
    for line_start, closing in _delimiters(body, marker):
        if start >= 0:
            # The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
            parts.append(body[start : max(line_start - 1, start)])
        if closing:
            return parts
        end = body.find(b"\n", line_start)
        start = len(body) if end < 0 else end + 1
    if start >= 0:
        parts.append(body[start:])  # no closing delimiter: keep what is there
    return parts


def _delimiters(body: bytes, marker: bytes) -> Iterator[tuple[int, bool]]:
    """(line start, is closing) of each "--boundary" / "--boundary--" line, padding allowed."""
    at = body.find(marker)
    while at >= 0:
        if at == 0 or body[at - 1] == 0x0A:  # only at the start of a line
            end = body.find(b"\n", at)
            tail = body[at + len(marker) : None if end < 0 else end].rstrip(b" \t")
            if tail in (b"", b"--"):
                yield at, tail == b"--"
        at = body.find(marker, at + 1)


# --- body ---------------------------------------------------------------------------------------


def _body(
    leaves: Iterable[_Part], limits: ReadLimits, problems: list[str]
) -> tuple[str, BodyFormat]:
    """The first text/plain part, else the first text/html part (kept as HTML), else "".

    A chosen part over the cap is not decoded: its text is "" and `problems` says why."""
    html: _Part | None = None
    for part in leaves:
        if part.content_type == "text/plain":
            return _checked(part, limits, problems, _plain_text), BodyFormat.PLAIN
        if part.content_type == "text/html" and html is None:
            html = part
    if html is not None:
        return _checked(html, limits, problems, _text), BodyFormat.HTML
    return "", BodyFormat.PLAIN


def _checked(
    part: _Part, limits: ReadLimits, problems: list[str], decode: Callable[[_Part], str]
) -> str:
    if len(part.payload) > limits.part_bytes:
        problems.append(part_too_large(len(part.payload), limits))
        return ""
    return decode(part)


def _plain_text(part: _Part) -> str:
    text = _text(part)
    if str.lower(part.params.get("format", "")) == "flowed":
        text = unflow(text, delsp=str.lower(part.params.get("delsp", "")) == "yes")
    return text


def _text(part: _Part) -> str:
    """Transfer-decoded (quoted-printable, base64) and charset-decoded text of one part."""
    return decode_bytes(_transfer_decode(part.payload, part.encoding), part.params.get("charset"))


def _transfer_decode(payload: bytes, encoding: str) -> bytes:
    """Undo the Content-Transfer-Encoding; undecodable base64 is kept as it is (as compat32)."""
    if encoding == "quoted-printable":
        return binascii.a2b_qp(payload)
    if encoding == "base64":
        compact = b"".join(payload.split())
        for padding in (b"", b"=", b"=="):
            try:
                return binascii.a2b_base64(compact + padding)
            except binascii.Error:
                continue
        return payload
    return payload  # 7bit, 8bit, binary and unknown encodings
