"""read_links and read_sent_at read only a mail's header, for finding an archive's votes, and
must give the ids, subject and time parse_mail gives, whatever the line ends, From_ line,
missing Message-ID or Date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.sources.limits import ReadLimits
from harvester.sources.mailparse import Links, parse_mail, read_links, read_sent_at, sent_at_of
from harvester.sources.mbox import iter_raw_mbox

DATA = Path(__file__).resolve().parent.parent / "data" / "mail"

HEAD = (
    "Message-ID: <a1@x>\nFrom: Bo <bo@apache.org>\nSubject: Re: [VOTE] =?UTF-8?Q?Caf=C3=A9?=\n"
    "In-Reply-To: <call@x>\nReferences: <call@x>\n <r2@x>\nDate: Mon, 05 Jan 2026 10:00:00 +0000\n"
)


def expected(raw: bytes, limits: ReadLimits | None = None) -> tuple[Links, datetime]:
    message = parse_mail(raw, where="x", limits=limits or ReadLimits())
    links = Links(message.source_id, message.in_reply_to, message.references, message.subject)
    return links, message.sent_at


def header_alone(raw: bytes, limits: ReadLimits | None = None) -> tuple[Links, datetime]:
    """read_links and read_sent_at; the time as sent_at_of gives it from read_links's Date
    must be the same."""
    limits = limits or ReadLimits()
    links = read_links(raw, where="x", limits=limits)
    sent_at = read_sent_at(raw, limits=limits)
    assert sent_at_of(links, raw, limits=limits) == sent_at
    return links, sent_at


@pytest.mark.parametrize(
    "raw",
    [
        HEAD + "\n+1\n",
        "From bo@x Mon Jan  5 10:00:00 2026\n" + HEAD + "\n+1\n",
        (HEAD + "\n+1\r\n").replace("\n", "\r\n"),  # CRLF throughout
        HEAD + "\n+1\r\n\r\nmore\r\n",  # CRLF in the body only
        HEAD.replace("Date:", "X-Note: a\rb\nDate:") + "\n+1\n",  # a lone CR in the header
        HEAD.replace("Message-ID: <a1@x>\n", "") + "\n+1 no id\n",
        HEAD.replace("<a1@x>", "<>") + "\n+1 empty id\n",
        "From bo@x Mon Jan  5 10:00:00 2026\n" + HEAD.replace("<a1@x>", "<>") + "\n+1\n",
        (HEAD.replace("<a1@x>", "") + "\n+1\n").replace("\n", "\r\n"),
        ("From bo@x Mon Jan  5 10:00:00 2026\n" + HEAD.replace("Message-ID: <a1@x>\n", "")
         + "\n+1\r\n").replace("\n", "\r\n"),
        HEAD + "not a header line\n\n+1\n",  # the header block ends early
        HEAD.rstrip("\n"),  # a header and no body
        HEAD + "\n",
        "From bo@x Mon Jan  5 10:00:00 2026\n" + HEAD + "\n\n\n",
        HEAD.replace("Date:", "Received: from a by b; Tue, 06 Jan 2026 11:00:00 +0100\nX-Date:")
        + "\n+1\n",  # no Date: the top Received
        HEAD.replace("Date: Mon,", "Date:\n Mon,") + "\n+1\n",  # a folded Date
        HEAD.replace("Date: Mon, 05 Jan", "Date: someday") + "\n+1\n",  # no time at all
        HEAD + "Date: Tue, 06 Jan 2026 10:00:00 +0000\n\n+1\n",  # two: the first counts
    ],
)  # fmt: skip
def test_the_header_alone_gives_what_the_whole_mail_gives(raw: str) -> None:
    data = raw.encode()
    assert header_alone(data) == expected(data)


def test_a_header_over_its_cap_is_read_the_same_way() -> None:
    limits = ReadLimits(header_bytes=120)
    data = (HEAD + "".join(f"X-Pad-{n}: {'p' * 40}\n" for n in range(20)) + "\n+1\n").encode()
    assert header_alone(data, limits) == expected(data, limits)


@pytest.mark.parametrize("name", ["vote_thread.mbox", "mbox_snippet.mbox"])
def test_every_mail_of_the_recorded_archives(name: str) -> None:
    with (DATA / name).open("rb") as stream:
        entries = [raw.data for raw in iter_raw_mbox(stream, where=name)]
    assert entries
    for data in entries:
        assert header_alone(data) == expected(data)


_LINE_END = st.sampled_from(["\n", "\r\n"])
_PIECE = st.sampled_from(
    [
        "Message-ID: <m@x>",
        "Message-Id:\n <folded@x>",
        "Subject: [VOTE] X",
        "subject: =?utf-8?b?w6k=?=",
        "In-Reply-To: <p@x>",
        "References: <a@x> <b@x>",
        "From: A <a@x>",
        "Date: Mon, 05 Jan 2026 10:00:00 +0000",
        "Received: from a by b; Tue, 06 Jan 2026 11:00:00 +0100",
        "Date: never",
        "Date: Mon, 5 Jan 2026 10:00:00 -0000",
        "Date: 5 Jan 26 10:00 +0100",
        "Date: Mon, 05 Jan 2026 24:00:00 +0000",
        "Date: Mon, 31 Feb 2026 10:00:00 +0530",
        "Date: Mon, 05 Jan 2026 10:00:00 GMT",
        "",
        "body text",
        "From the body",
        " continued",
        "\r",
    ]
)


@given(st.lists(st.tuples(_PIECE, _LINE_END), max_size=10), st.booleans())
def test_any_arrangement_of_lines_reads_alike(lines: list[tuple[str, str]], from_: bool) -> None:
    text = "".join(piece + end for piece, end in lines)
    data = (("From x@y Mon Jan  5 10:00:00 2026\n" if from_ else "") + text).encode()
    try:
        whole = expected(data)
    except Exception as error:  # no header at all: both refuse it alike
        with pytest.raises(type(error)):
            read_links(data, where="x")
        return
    assert header_alone(data) == whole
