"""parse_mail: headers (folded, encoded words, addresses, dates) and bodies (QP, base64, flowed)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.errors import SourceError
from harvester.model import BodyFormat
from harvester.sources.flowed import unflow
from harvester.sources.mailparse import EPOCH, _common_date, _split_head, parse_mail, unfold
from harvester.sources.mbox import iter_raw_mbox

DATA = Path(__file__).parent.parent / "data" / "mail"

BASE_HEADERS = (
    "Message-ID: <base@example.org>\n"
    "From: Bob Builder <bob@apache.org>\n"
    "Subject: Re: [VOTE] Release\n"
    "Date: Tue, 4 Mar 2025 10:11:35 +0800\n"
)


def mail(headers: str = BASE_HEADERS, body: str | bytes = "+1\n") -> bytes:
    """A message from header text and a body; bytes bodies are used verbatim."""
    raw_body = body if isinstance(body, bytes) else body.encode("utf-8")
    return headers.encode("utf-8") + b"\n" + raw_body


def text_mail(content_type: str, body: str | bytes, encoding: str = "") -> bytes:
    extra = f"Content-Type: {content_type}\n"
    if encoding:
        extra += f"Content-Transfer-Encoding: {encoding}\n"
    return mail(BASE_HEADERS + "MIME-Version: 1.0\n" + extra, body)


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "source_id", "in_reply_to", "references"),
    [
        pytest.param(
            "Message-ID: <a@x.org>\nIn-Reply-To: <b@x.org>\nReferences: <c@x.org> <b@x.org>\n",
            "a@x.org",
            "b@x.org",
            ("c@x.org", "b@x.org"),
            id="one-line",
        ),
        pytest.param(
            "Message-ID:\n <a@x.org>\nIn-Reply-To:\n\t<b@x.org>\n"
            "References: <c@x.org>\n <d@x.org>\n\t<b@x.org>\n",
            "a@x.org",
            "b@x.org",
            ("c@x.org", "d@x.org", "b@x.org"),
            id="folded",
        ),
        pytest.param(
            "Message-Id: <A.B@X.org>\nIn-Reply-To: <b@x.org> (Bob's message of Mon)\n",
            "A.B@X.org",
            "b@x.org",
            (),
            id="comment-after-id",
        ),
        pytest.param(
            "Message-ID: bare-id@x.org\nIn-Reply-To: <first@x.org> <second@x.org>\n",
            "bare-id@x.org",
            "first@x.org",
            (),
            id="bare-id-and-two-parents",
        ),
    ],
)
def test_message_ids(
    headers: str, source_id: str, in_reply_to: str, references: tuple[str, ...]
) -> None:
    message = parse_mail(mail(headers + "From: a@x.org\n"), where="t")
    assert (message.source_id, message.in_reply_to, message.references) == (
        source_id,
        in_reply_to,
        references,
    )


@pytest.mark.parametrize(
    ("msgid", "url"),
    [
        ("CAB9q8w7e6Example1@mail.gmail.com", "mid:CAB9q8w7e6Example1@mail.gmail.com"),
        ("apache/tvm/issues/1/2@github.com", "mid:apache%2Ftvm%2Fissues%2F1%2F2@github.com"),
        ("a%b+c=d@x", "mid:a%25b+c=d@x"),
    ],
)
def test_url_is_quoted_mid(msgid: str, url: str) -> None:
    headers = BASE_HEADERS.replace("<base@example.org>", f"<{msgid}>")
    assert parse_mail(mail(headers), where="t").url == url


def test_missing_message_id_gets_a_stable_synthetic_id() -> None:
    headers = "From: a@x.org\nSubject: no id\n"
    first = parse_mail(mail(headers, "+1\n"), where="t").source_id
    assert first == parse_mail(mail(headers, "+1\n"), where="t").source_id
    assert first != parse_mail(mail(headers, "-1\n"), where="t").source_id
    assert first.endswith("@harvester.invalid")
    # The same mail with CRLF line ends or a leading From_ line is the same mail.
    crlf = mail(headers, "+1\n").replace(b"\n", b"\r\n")
    with_from_line = b"From x@y  Mon Mar  3 07:02:11 2025\n" + mail(headers, "+1\n")
    assert parse_mail(crlf, where="t").source_id == first
    assert parse_mail(with_from_line, where="t").source_id == first


# --- subject and author ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: [VOTE] Release Apache TVM v0.20.0.rc0", "Re: [VOTE] Release Apache TVM v0.20.0.rc0"),
        ("Re: [VOTE] Release\n Apache TVM", "Re: [VOTE] Release Apache TVM"),
        ("Re: [VOTE] Release\n\tApache TVM", "Re: [VOTE] Release Apache TVM"),
        ("=?UTF-8?Q?Re:_[VOTE]_=E6=8A=95=E7=A5=A8?=", "Re: [VOTE] 投票"),
        ("=?utf-8?B?5oqV56Wo?=\n =?utf-8?B?6YCa6L+H?=", "投票通过"),
        ("Re: =?ISO-8859-1?Q?Gr=FC=DFe?= from Jürgen", "Re: Grüße from Jürgen"),
        ("=?x-no-such-charset?Q?caf=C3=A9?=", "café"),
        ("=?utf-8?B?not base64!?=", "=?utf-8?B?not base64!?="),
    ],
    ids=["plain", "folded", "folded-tab", "utf8-q", "utf8-b-split", "latin1-q", "bad-cs", "bad-b"],
)
def test_subject_decoded_and_unfolded(subject: str, expected: str) -> None:
    headers = f"Message-ID: <s@x>\nFrom: a@x.org\nSubject: {subject}\n"
    assert parse_mail(mail(headers), where="t").subject == expected


@pytest.mark.parametrize(
    ("from_header", "name", "address"),
    [
        ("Bob Builder <bob@apache.org>", "Bob Builder", "bob@apache.org"),
        ("=?UTF-8?B?Q2Fyb2wgQ2jDqW4=?= <carol@example.net>", "Carol Chén", "carol@example.net"),
        ("=?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <JM@Example.DE>", "Jürgen Müller", "jm@example.de"),
        ("=?UTF-8?Q?M=C3=BCller,_J=C3=BCrgen?= <jm@example.de>", "Müller, Jürgen", "jm@example.de"),
        ('"Chen, Tianqi" <tqchen@apache.org>', "Chen, Tianqi", "tqchen@apache.org"),
        ('"Wei Zhang" <wzhang@apache.org.INVALID>', "Wei Zhang", "wzhang@apache.org.invalid"),
        ("jane@Apache.org.INVALID", "", "jane@apache.org.invalid"),
        ("jane@apache.org (Jane Doe)", "Jane Doe", "jane@apache.org"),
        ("Jane Doe via dev <dev@tvm.apache.org>", "Jane Doe via dev", "dev@tvm.apache.org"),
        ("Bob Builder\n <bob@apache.org>", "Bob Builder", "bob@apache.org"),
        ("Jane Doe", "Jane Doe", ""),
        ("", "", ""),
    ],
)
def test_author_name_and_address(from_header: str, name: str, address: str) -> None:
    headers = f"Message-ID: <a@x>\nFrom: {from_header}\n"
    author = parse_mail(mail(headers), where="t").author
    assert (author.name, author.address) == (name, address)


def test_reply_to_cc_and_github_sender() -> None:
    headers = (
        "Message-ID: <g@x>\nFrom: Tianqi Chen <notifications@github.com>\n"
        "Reply-To: apache/tvm <Reply+AAAA@reply.github.com>\n"
        'Cc: "Chen, Tianqi" <TQChen@apache.org>,\n dev@tvm.apache.org\n'
        "Cc: Author <author@noreply.github.com>\nX-GitHub-Sender: tqchen\n"
    )
    author = parse_mail(mail(headers), where="t").author
    assert author.reply_to == ("reply+aaaa@reply.github.com",)
    assert author.cc == ("tqchen@apache.org", "dev@tvm.apache.org", "author@noreply.github.com")
    assert author.github_sender == "tqchen"


# --- dates ----------------------------------------------------------------------------------------

RECEIVED = (
    "Received: from relay (relay [1.2.3.4])\n\tby mx.apache.org with ESMTP id 1\n"
    "\tfor <dev@tvm.apache.org>; Wed, 5 Mar 2025 01:02:03 +0000 (UTC)\n"
    "Received: from older; Tue, 4 Mar 2025 00:00:00 +0000\n"
)


@pytest.mark.parametrize(
    ("date_headers", "expected"),
    [
        (
            "Date: Tue, 4 Mar 2025 10:11:35 +0800\n",
            datetime(2025, 3, 4, 10, 11, 35, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("Date: Tue, 4 Mar 2025 10:11:35 -0000\n", datetime(2025, 3, 4, 10, 11, 35, tzinfo=UTC)),
        ("Date: Tue, 4 Mar 2025 10:11:35 GMT\n", datetime(2025, 3, 4, 10, 11, 35, tzinfo=UTC)),
        (RECEIVED, datetime(2025, 3, 5, 1, 2, 3, tzinfo=UTC)),
        ("Date: next Tuesday-ish\n" + RECEIVED, datetime(2025, 3, 5, 1, 2, 3, tzinfo=UTC)),
        ("", EPOCH),
        ("Date: garbage\nReceived: from nowhere\n", EPOCH),
    ],
    ids=["zone", "unknown-zone", "gmt", "missing", "garbage", "none-at-all", "garbage-both"],
)
def test_sent_at(date_headers: str, expected: datetime) -> None:
    headers = "Message-ID: <d@x>\nFrom: a@x.org\n" + date_headers
    sent_at = parse_mail(mail(headers), where="t").sent_at
    assert sent_at == expected
    assert sent_at.tzinfo is not None


_DAY_NAMES = st.sampled_from(["", "Tue, ", "Xyz, ", "Tue,", "tue, "])
_MONTH_NAMES = st.sampled_from(["Jan", "Feb", "Jun", "Dec", "jan", "Mai"])


@settings(max_examples=500, deadline=None)
@given(
    _DAY_NAMES,
    st.integers(0, 39),
    _MONTH_NAMES,
    st.integers(0, 9999),
    st.tuples(st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)),
    st.sampled_from(["+", "-"]),
    st.integers(0, 99),
    st.integers(0, 99),
)
def test_the_usual_date_reads_as_the_standard_library_reads_it(
    day_name: str,
    day: int,
    month: str,
    year: int,
    clock: tuple[int, int, int],
    sign: str,
    zone_hours: int,
    zone_minutes: int,
) -> None:
    """The fast reading of "Tue, 4 Mar 2025 10:11:35 +0800" gives what email.utils gives, or
    leaves the value to it (None)."""
    text = (
        f"{day_name}{day} {month} {year:04} {clock[0]:02}:{clock[1]:02}:{clock[2]:02} "
        f"{sign}{zone_hours:02}{zone_minutes:02}"
    )
    fast = _common_date(text)
    if fast is None:
        return
    slow = parsedate_to_datetime(text)
    if slow.tzinfo is None:  # "-0000"
        slow = slow.replace(tzinfo=UTC)
    assert (fast, fast.utcoffset(), fast.tzinfo) == (slow, slow.utcoffset(), slow.tzinfo)


def test_the_usual_date_leaves_other_forms_to_the_standard_library() -> None:
    # Other digits than ASCII (found by review): email.utils reads "٠٠٩٩" as the year 1999.
    assert _common_date("Tue, 4 Mar \u0660\u0660\u0669\u0669 10:11:35 +0100") is None
    assert _common_date("Tue, 4 Mar 2025 10:11:35 +\uff10\uff11\uff10\uff10") is None
    for text in [
        "Tue, 4 Mar 2025 10:11:35 GMT",
        "4 Mar 25 10:11:35 +0000",
        "Tue, 4 Mar 2025 10:11 +0000",
    ]:
        assert _common_date(text) is None
    assert _common_date("Tue, 4 Mar 2025 10:11:35 +0800") == datetime(
        2025, 3, 4, 10, 11, 35, tzinfo=timezone(timedelta(hours=8))
    )


# --- bodies ---------------------------------------------------------------------------------------

MULTIPART_ALTERNATIVE = (
    "preamble\n"
    "--b1\nContent-Type: text/html; charset=UTF-8\n\n<p>+1 html</p>\n"
    "--b1\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    "+1 plain=20\n"
    "--b1--\nepilogue\n"
)
MULTIPART_MIXED = (
    '--outer\nContent-Type: multipart/alternative; boundary="inner"\n\n'
    "--inner\nContent-Type: text/plain; charset=utf-8\n\n+1 nested\n"
    "--inner\nContent-Type: text/html\n\n<p>+1 nested</p>\n--inner--\n"
    "--outer\nContent-Type: text/plain; name=patch.diff\nContent-Disposition: attachment\n\n"
    "+1 inside an attachment\n--outer--\n"
)
ATTACHMENT_FIRST = (
    "--m\nContent-Type: message/rfc822\n\nFrom: other@x\n\n+1 forwarded\n"
    "--m\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment\n\nlog\n"
    "--m\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: inline\n\n0 mine\n--m--\n"
)


@pytest.mark.parametrize(
    ("content_type", "encoding", "body", "expected", "body_format"),
    [
        pytest.param(
            "text/plain; charset=utf-8",
            "quoted-printable",
            b"+1 (binding)=20\n\nOn Mon Bob wrote:\n> +1\n>=20\n> thanks=E2=80=A6\n",
            "+1 (binding) \n\nOn Mon Bob wrote:\n> +1\n> \n> thanks…\n",
            BodyFormat.PLAIN,
            id="qp-soft-space-and-quote",
        ),
        pytest.param(
            "text/plain; charset=utf-8",
            "quoted-printable",
            b"+1, the release looks good to me; I checked the sig=\nnatures and the LICENSE.\n",
            "+1, the release looks good to me; I checked the signatures and the LICENSE.\n",
            BodyFormat.PLAIN,
            id="qp-soft-line-break",
        ),
        pytest.param(
            "text/plain; charset=utf-8; format=flowed",
            "",
            "+1 from me, the artifacts \nlook good.\n\n> quoted text that \n> flows on\n",
            "+1 from me, the artifacts look good.\n\n> quoted text that flows on\n",
            BodyFormat.PLAIN,
            id="flowed",
        ),
        pytest.param(
            'text/plain; charset="utf-8"; format="flowed"; delsp="yes"',
            "",
            "+1 from me, the arti \nfacts look good.\n-- \nBob\n",
            "+1 from me, the artifacts look good.\n-- \nBob\n",
            BodyFormat.PLAIN,
            id="flowed-delsp",
        ),
        pytest.param(
            "text/plain; charset=utf-8; format=flowed",
            "quoted-printable",
            b"+1 =E2=80=94 ship it, \n From the notes all is fine.\n",
            "+1 — ship it, From the notes all is fine.\n",
            BodyFormat.PLAIN,
            id="flowed-qp-space-stuffed",
        ),
        pytest.param(
            "text/html; charset=utf-8",
            "",
            '<div dir="ltr">+1 (binding)<br><blockquote>[ ] +1</blockquote></div>\n',
            '<div dir="ltr">+1 (binding)<br><blockquote>[ ] +1</blockquote></div>\n',
            BodyFormat.HTML,
            id="html-only",
        ),
        pytest.param(
            'multipart/alternative; boundary="b1"',
            "",
            MULTIPART_ALTERNATIVE,
            "+1 plain ",
            BodyFormat.PLAIN,
            id="alternative-prefers-plain",
        ),
        pytest.param(
            "multipart/mixed;\n boundary=outer",
            "",
            MULTIPART_MIXED,
            "+1 nested",
            BodyFormat.PLAIN,
            id="mixed-nested-alternative",
        ),
        pytest.param(
            "multipart/mixed; boundary=m",
            "",
            ATTACHMENT_FIRST,
            "0 mine",
            BodyFormat.PLAIN,
            id="skip-forwarded-and-attachment",
        ),
        pytest.param(
            "text/plain; charset=UTF-8",
            "base64",
            b"KzEgKGJpbmRpbmcpCgrmiJHlt7Lnu4/mo4Dmn6Xov4fnrb7lkI3lkozmoKHpqozlkozjgIIK\n",
            "+1 (binding)\n\n我已经检查过签名和校验和。\n",
            BodyFormat.PLAIN,
            id="base64-chinese",
        ),
        pytest.param(
            "text/plain; charset=UTF-8",
            "base64",
            b"KzEgKGJpbmRpbmcp\n",  # padding lost in transit
            "+1 (binding)",
            BodyFormat.PLAIN,
            id="base64-missing-padding",
        ),
        pytest.param(
            "text/plain; charset=x-no-such-charset",
            "8bit",
            "+1 from Zürich\n".encode(),
            "+1 from Zürich\n",
            BodyFormat.PLAIN,
            id="unknown-charset",
        ),
        pytest.param(
            "text/plain; charset=base64",
            "",
            b"+1\n",
            "+1\n",
            BodyFormat.PLAIN,
            id="charset-that-is-not-a-text-codec",
        ),
        pytest.param(
            "text/plain; charset=utf-8",
            "8bit",
            b"+1 broken \xff byte\n",
            "+1 broken \ufffd byte\n",
            BodyFormat.PLAIN,
            id="bad-utf8-bytes",
        ),
        pytest.param(
            "text/plain; charset=iso-8859-1",
            "quoted-printable",
            b"+1 Gr=FC=DFe\n",
            "+1 Grüße\n",
            BodyFormat.PLAIN,
            id="latin1",
        ),
        pytest.param(
            "multipart/mixed",
            "",
            "no boundary anywhere\n",
            "",
            BodyFormat.PLAIN,
            id="multipart-without-boundary",
        ),
    ],
)
def test_body(
    content_type: str, encoding: str, body: str | bytes, expected: str, body_format: BodyFormat
) -> None:
    message = parse_mail(text_mail(content_type, body, encoding), where="t")
    assert (message.body, message.body_format) == (expected, body_format)


def test_no_content_type_is_plain_text() -> None:
    message = parse_mail(mail(body="+1\n"), where="t")
    assert (message.body, message.body_format) == ("+1\n", BodyFormat.PLAIN)


@pytest.mark.parametrize(
    ("text", "delsp", "expected"),
    [
        ("a \nb\n", False, "a b\n"),
        ("a \nb\n", True, "ab\n"),
        ("a \n\nb\n", False, "a \nb\n"),  # the empty line is the fixed line ending "a "
        ("> a \n>> b\n", False, "> a\n>> b\n"),
        ("-- \nsig\n", False, "-- \nsig\n"),
        ("ends flowed ", False, "ends flowed"),
    ],
    ids=["join", "join-delsp", "empty-line-ends", "depth-change-ends", "signature", "at-end"],
)
def test_unflow(text: str, delsp: bool, expected: str) -> None:
    assert unflow(text, delsp=delsp) == expected


# --- robustness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"\n\n+1\n", b"just some text without any header\n", b"\x89PNG\r\n\x1a\n\x00\x00"],
    ids=["empty", "no-headers", "prose", "binary"],
)
def test_not_a_mail_is_a_source_error_naming_where(raw: bytes) -> None:
    with pytest.raises(SourceError, match=r"^inbox/x\.eml: not an e-mail message"):
        parse_mail(raw, where="inbox/x.eml")


def test_bad_header_line_ends_the_header_block_like_compat32() -> None:
    raw = b"Message-ID: <h@x>\nFrom: a@x.org\nthis line is no header\nSubject: lost\n\n+1\n"
    message = parse_mail(raw, where="t")
    assert message.subject == ""
    assert message.body.startswith("this line is no header\n")


def _header_lines_by_hand(head: bytes) -> int:
    """Where compat32's rule ends a header block, line by line: the first line that is neither
    "Name:" nor a continuation."""
    at = 0
    for line in head.split(b"\n"):
        if not re.match(rb"[!-9;-~]+[ \t]*:|[ \t]", line):
            return at
        at += len(line) + 1
    return -1


_HEADERISH = st.lists(
    st.sampled_from([b"Subject: x", b" folded", b"\tfolded", b"X-A:b", b"no header", b"", b":x"])
    | st.binary(max_size=12).filter(lambda line: b"\n" not in line),
    min_size=1,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(_HEADERISH)
def test_header_block_ends_where_compat32s_rule_says(lines: list[bytes]) -> None:
    head = b"\n".join(lines)
    cut = _header_lines_by_hand(head)
    found, body, size = _split_head(head + b"\n\nbody", 1 << 20)
    if not head or b"\n\n" in head or head.startswith(b"\n") or head.endswith(b"\n"):
        return  # only a block with no blank line in it is compared
    if cut < 0:
        assert (found, body, size) == (head, b"body", len(head))
    else:
        assert (found, size) == (head[: max(cut - 1, 0)], cut)
        assert body == head[cut:] + b"\n\nbody"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_raises_nothing_but_source_error(raw: bytes) -> None:
    with contextlib.suppress(SourceError):
        parse_mail(raw, where="t")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mangled_real_mail_never_raises(data: st.DataObject) -> None:
    raw = (DATA / "github_notification.eml").read_bytes()
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    junk = data.draw(st.binary(max_size=40))
    with contextlib.suppress(SourceError):
        parse_mail(raw[:start] + junk + raw[end:], where="t")


# --- agreement with the standard library's (slow) full parser -----------------------------------


def _corpus() -> list[bytes]:
    raws: list[bytes] = []
    for path in sorted(DATA.glob("*.mbox")):
        with path.open("rb") as stream:
            raws.extend(raw.data for raw in iter_raw_mbox(stream, where=str(path)))
    return raws


@pytest.mark.parametrize("raw", _corpus())
def test_agrees_with_policy_default(raw: bytes) -> None:
    expected = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(expected, EmailMessage)
    body = expected.get_body(preferencelist=("plain", "html"))
    assert body is not None
    message = parse_mail(raw, where="t")
    assert message.subject == str(expected["subject"])
    assert message.author.name == expected["from"].addresses[0].display_name
    assert message.source_id == str(expected["message-id"]).strip().strip("<>")
    assert message.sent_at == expected["date"].datetime
    assert message.body == body.get_content()


def test_received_spf_pass_gives_the_envelope_sender_and_other_verdicts_do_not() -> None:
    raw = (
        b"Message-ID: <spf1@example.org>\n"
        b"From: Carla Dias via dev <dev@tvm.apache.org>\n"
        b"Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.7;\n"
        b"  helo=mail.example.org; envelope-from=<Carla.Dias@Example.org>; receiver=mx1\n"
        b"Received-SPF: softfail (domain of example.net does not designate 192.0.2.9)\n"
        b"  client-ip=192.0.2.9; envelope-from=forger@example.net;\n"
        b"Subject: Re: [VOTE] X\n\n+1\n"
    )
    message = parse_mail(raw, where="spf.eml")
    assert message.author.envelope_from == ("carla.dias@example.org",)


def test_a_date_far_outside_any_vote_falls_back_to_the_servers_received_time() -> None:
    raw = (
        b"Message-ID: <poison@example.org>\n"
        b"Received: from mx.example.org by mail.apache.org; Tue, 06 Jan 2026 10:00:00 +0000\n"
        b"From: Bo <bo@example.org>\n"
        b"Date: Fri, 31 Dec 9999 23:59:59 -2359\n"
        b"Subject: Re: [VOTE] X\n\n+1\n"
    )
    assert parse_mail(raw, where="poison.eml").sent_at == datetime(2026, 1, 6, 10, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \t\r\n", max_size=20))
def test_unfolding_is_the_rfc_5322_rule(value: str) -> None:
    """A line break before white space becomes one space, and no CR or LF stays; a value of
    one line comes back as it is."""
    expected = re.sub(r"[\r\n]", "", re.sub(r"\r?\n[ \t]", " ", value))
    assert unfold(value) == expected
