"""MIME parameter values (RFC 2045, RFC 2231) and charset names -> the codec that reads them.

Both decide whether the author's text comes out at all: a boundary we cannot read loses every
part, a wrong codec garbles every non-ASCII word. Wire format only.
"""

from __future__ import annotations

import codecs
import re
import urllib.parse
from functools import lru_cache

# name=value or name="quoted value"; names keep their RFC 2231 "*0*" suffixes for _extended.
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')
# RFC 2231: "name*" (encoded), "name*0" (a section), "name*0*" (an encoded section).
_SECTION = re.compile(r"^([^*]+)\*(?:(\d{1,3})(\*)?)?$")
_QUOTED_PAIR = re.compile(r"\\(.)")

_ALIASES_OF_UTF8 = frozenset({"", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "default"})
# Python knows some charset names that are not text encodings (base64, rot13, idna + replace).
_DECODE_ERRORS = (LookupError, UnicodeError, ValueError, TypeError)
# Code pages by number under any prefix: cp-850, windows-874, ibm-850, x-cp866.
_CODE_PAGE = re.compile(r"^(?:cp|windows|x-cp|ibm|ms)[-_]?(\d{3,5})$")

# Labels mailers use that Python has no name for.
_UNKNOWN_TO_PYTHON = {
    # Hebrew and Arabic with a direction suffix ("i" logical, "e" explicit): the same bytes.
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "csiso88598i": "iso8859-8",
    # Mozilla's names of the classic Mac OS charsets.
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",  # Python has no mac_ukrainian; differs in two letters
    "x-mac-greek": "mac-greek",
    "x-mac-turkish": "mac-turkish",
    "x-mac-icelandic": "mac-iceland",
    "x-mac-ce": "mac-latin2",
    "x-mac-centraleurroman": "mac-latin2",
    "x-mac-croatian": "mac-croatian",
    "x-mac-romanian": "mac-romanian",
    "x-mac-arabic": "mac-arabic",
    "x-mac-farsi": "mac-farsi",
    "x-mac-japanese": "cp932",
    "x-mac-chinesetrad": "big5",
    "x-mac-chinesesimp": "gb18030",
    "x-mac-korean": "cp949",
    # Old Microsoft and Netscape spellings.
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gb18030",
    "x-x-big5": "big5",
    "cn-big5": "big5",
    "x-windows-949": "cp949",
    "ks-c-5601": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "unicode-2-0-utf-7": "utf-7",
    "unicode-1-1-utf-8": "utf-8",
    "unicode-2-0-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "koi8-ru": "koi8-u",
    "latin-9": "iso8859-15",
}
# Python's codec for a label -> what mailers sending that label really write: the Microsoft
# superset (the WHATWG Encoding Standard reads these labels the same way). A strict codec turns
# every character of the superset into U+FFFD, or into C1 controls for ISO-8859-1.
_SUPERSET = {
    "ascii": "utf-8",  # undeclared 8-bit mail is UTF-8 far more often than not
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",  # also "ks_c_5601-1987", which Python reads as plain EUC-KR
}


def content_params(value: str) -> dict[str, str]:
    """Parameters of an unfolded Content-Type value: lower-cased names, decoded values."""
    if "*" not in value:  # the common case: no RFC 2231 forms
        return {str.lower(name): _unquote(raw) for name, raw in _PARAM.findall(value)}
    return _extended([(str.lower(name), _unquote(raw)) for name, raw in _PARAM.findall(value)])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value


def _extended(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Join RFC 2231 sections and decode charset'language'%XX values; they win over plain ones."""
    params: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[bool, str]]] = {}
    for name, value in pairs:
        found = _SECTION.match(name)
        if found is None:
            params[name] = value
        elif found.group(2) is None:  # "name*": one encoded value
            sections[found.group(1)] = {0: (True, value)}
        else:
            sections.setdefault(found.group(1), {})[int(found.group(2))] = (
                found.group(3) is not None,
                value,
            )
    for name, parts in sections.items():
        params[name] = _join_sections([parts[index] for index in sorted(parts)])
    return params


def _join_sections(parts: list[tuple[bool, str]]) -> str:
    """Concatenate sections as bytes (RFC 2231 4.1), decoded once in the first section's charset."""
    charset = ""
    chunks: list[bytes] = []
    for position, (encoded, value) in enumerate(parts):
        if not encoded:
            chunks.append(value.encode("utf-8"))
            continue
        if position == 0 and value.count("'") >= 2:
            charset, _language, value = value.split("'", 2)
        chunks.append(urllib.parse.unquote_to_bytes(value))
    return decode_bytes(b"".join(chunks), charset)


@lru_cache(maxsize=512)
def codec_name(charset: str | None) -> str:
    """The Python codec to read text declared as `charset`; UTF-8 for unknown or non-text ones."""
    # An RFC 2231 encoded word may name a language too: "=?iso-8859-1*de?Q?…?=".
    name = str.lower((charset or "").partition("*")[0].strip().strip('"').strip())
    if name in _ALIASES_OF_UTF8:
        return "utf-8"
    name = _UNKNOWN_TO_PYTHON.get(name.replace("_", "-"), name)
    page = _CODE_PAGE.match(name)
    if page is not None:
        name = "cp" + page.group(1)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zip …
        return "utf-8"
    return _SUPERSET.get(info.name, info.name)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes -> text in the declared charset; unknown or broken charsets become UTF-8 + replace."""
    try:
        return data.decode(codec_name(charset), "replace")
    except _DECODE_ERRORS:
        return data.decode("utf-8", "replace")
