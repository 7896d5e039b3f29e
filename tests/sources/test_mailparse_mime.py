"""parse_mail on MIME that hides the author's text: RFC 2231 parameters, digests, charset names."""

from __future__ import annotations

import base64

import pytest

from harvester.model import BodyFormat
from harvester.sources.mailparse import parse_mail
from harvester.sources.mimeparams import codec_name, content_params

HEADERS = (
    "Message-ID: <mime@example.net>\n"
    "From: Noor Haddad <noor@example.net>\n"
    "Subject: Re: [VOTE] Adopt the charter\n"
    "Date: Wed, 5 Mar 2025 08:00:00 +0000\n"
    "MIME-Version: 1.0\n"
)


def raw_mail(content_type: str, body: bytes, *, extra: str = "") -> bytes:
    head = HEADERS + extra + f"Content-Type: {content_type}\n"
    return head.encode("utf-8") + b"\n" + body


def two_parts(boundary: str) -> bytes:
    """A text/plain part and an HTML alternative separated by `boundary`."""
    return (
        f"preamble\n--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n"
        f"+1, read the charter twice\n--{boundary}\nContent-Type: text/html\n\n"
        f"<p>html copy</p>\n--{boundary}--\n"
    ).encode()


# --- RFC 2231 parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "boundary"),
    [
        pytest.param("boundary*=us-ascii'en'%3D_mix_%2F7", "=_mix_/7", id="encoded"),
        pytest.param("boundary*=\"ansi-x3.4-1968''Zq81_b\"", "Zq81_b", id="encoded-quoted"),
        pytest.param(
            'boundary*0="----=_Part_118_";\n boundary*1="2025.03.05"',
            "----=_Part_118_2025.03.05",
            id="continuation",
        ),
        pytest.param(
            "boundary*1*=%5Fend; boundary*0*=utf-8''%3D%3Dmid",
            "==mid_end",
            id="encoded-continuation-out-of-order",
        ),
        pytest.param(
            "BOUNDARY*0*=''half; Boundary*1=-and-half", "half-and-half", id="mixed-sections"
        ),
        pytest.param("Boundary=CapsPart", "CapsPart", id="capitalised-name"),
    ],
)
def test_boundary_in_every_rfc_2231_form_splits_the_parts(params: str, boundary: str) -> None:
    message = parse_mail(
        raw_mail(f"Multipart/Alternative; {params}", two_parts(boundary)), where="t"
    )
    assert (message.body, message.body_format) == ("+1, read the charter twice", BodyFormat.PLAIN)


@pytest.mark.parametrize(
    "charset_param",
    [
        "charset*=us-ascii'en-us'koi8%2Du",
        "charset*0*=''koi8; charset*1=-u",
        "charset*=\"utf-8''KOI8-U\"",
    ],
    ids=["encoded-with-language", "sections", "quoted"],
)
def test_charset_given_in_rfc_2231_form_decodes_the_body(charset_param: str) -> None:
    body = "+1, дякуємо за роботу\n".encode("koi8_u")
    message = parse_mail(raw_mail(f"text/plain; {charset_param}", body), where="t")
    assert message.body == "+1, дякуємо за роботу\n"


def test_extended_parameter_wins_over_the_plain_one_and_keeps_others() -> None:
    value = "text/plain; title=plain; title*=utf-8'fr'%C3%A9lu; format=flowed"
    assert content_params(value) == {"title": "élu", "format": "flowed"}


def test_a_broken_percent_escape_is_kept_as_text() -> None:
    assert content_params("text/plain; charset*=utf-8''koi8%2-r%") == {"charset": "koi8%2-r%"}


# --- multipart/digest ---------------------------------------------------------------------------

DIGEST = (
    "--dg\n\nFrom: Someone Else <else@example.com>\nSubject: vote\n\n+1 from a digest entry\n"
    "--dg\n\nFrom: Third Person <third@example.com>\n\n-1 from another entry\n--dg--\n"
)


def test_digest_parts_without_content_type_are_attached_mails() -> None:
    message = parse_mail(raw_mail("multipart/digest; boundary=dg", DIGEST.encode()), where="t")
    assert message.body == ""


def test_text_before_a_digest_is_read_and_the_digest_is_not() -> None:
    body = (
        "--outer\nContent-Type: text/plain\n\n0 on the digest below\n"
        f"--outer\nContent-Type: multipart/digest; boundary=dg\n\n{DIGEST}--outer--\n"
    )
    message = parse_mail(raw_mail("multipart/mixed; boundary=outer", body.encode()), where="t")
    assert message.body == "0 on the digest below"


def test_digest_default_applies_to_its_own_parts_only() -> None:
    body = (
        "--dg\nContent-Type: multipart/alternative; boundary=alt\n\n"
        "--alt\n\n+1 untyped text inside an explicit alternative\n--alt--\n--dg--\n"
    )
    message = parse_mail(raw_mail("multipart/digest; boundary=dg", body.encode()), where="t")
    assert message.body == "+1 untyped text inside an explicit alternative"


def test_an_explicit_text_part_inside_a_digest_is_read() -> None:
    body = "--dg\nContent-Type: text/plain\n\n+1 digest preface\n--dg--\n"
    message = parse_mail(raw_mail("multipart/digest; boundary=dg", body.encode()), where="t")
    assert message.body == "+1 digest preface"


# --- charset names Python does not know, and the supersets mailers really send ------------------


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        ("iso-8859-8-i", "iso8859_8", "+1 תודה רבה"),
        ("ISO-8859-8-E", "iso8859_8", "+1 תודה"),
        ("iso-8859-6-i", "iso8859_6", "+1 شكرا"),
        ("x-mac-roman", "mac_roman", "+1 Grüße aus Köln"),
        ("x-mac-cyrillic", "mac_cyrillic", "+1 Спасибо"),
        ("x-mac-ce", "mac_latin2", "+1 Dziękuję"),
        ("windows-874", "cp874", "+1 ขอบคุณ"),
        ("ks_c_5601-1987", "cp949", "+1 똠방각하"),
        ("unicode-1-1-utf-7", "utf_7", "+1 naïve"),
        ("x-sjis", "cp932", "+1 ありがとう"),
        ("Shift_JIS", "cp932", "+1 ①確認済み"),
        ("gb2312", "gbk", "+1 朱镕基"),
        ("cp-850", "cp850", "+1 Grüße"),
        ("ibm-850", "cp850", "+1 Ångström"),
        ("iso-8859-1", "cp1252", "+1 “looks good” – Zoë"),
        ("koi8-ru", "koi8_u", "+1 Дякуємо"),
        ('"ANSI_X3.4-1968"', "utf-8", "+1 Zürich"),
    ],
)
def test_charset_alias_decodes_the_body(label: str, codec: str, text: str) -> None:
    message = parse_mail(raw_mail(f"text/plain; charset={label}", text.encode(codec)), where="t")
    assert message.body == text


def test_charset_alias_in_an_encoded_word() -> None:
    word = base64.b64encode("[VOTE] 똠 확인".encode("cp949")).decode()
    raw = (
        HEADERS.replace("Subject: Re: [VOTE] Adopt the charter\n", "")
        + f"Subject: =?ks_c_5601-1987?B?{word}?=\n\n+1\n"
    )
    assert parse_mail(raw.encode(), where="t").subject == "[VOTE] 똠 확인"


def test_encoded_word_with_an_rfc_2231_language_uses_its_charset() -> None:
    raw = HEADERS.replace("Re: [VOTE] Adopt the charter", "=?iso-8859-1*de?Q?Gr=FC=DFe?= +1")
    assert parse_mail((raw + "\n+1\n").encode(), where="t").subject == "Grüße +1"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("windows-1251", "cp1251"),
        ("x-no-such-charset", "utf-8"),
        ("base64", "utf-8"),
        ("utf\x00-8", "utf-8"),
        (None, "utf-8"),
    ],
)
def test_codec_names_for_ordinary_and_unusable_labels(label: str | None, codec: str) -> None:
    assert codec_name(label) == codec
