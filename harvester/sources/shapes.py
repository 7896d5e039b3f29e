"""Decoding JSON answers into declared shapes (msgspec structs), with errors in our own words.

A source declares only the fields it reads; unknown fields pass. Whatever is wrong comes back
as one SourceError naming where (URL or file), the field path and what was wrong:
"topic.json: post_stream.posts[3].created_at: not a Discourse topic: expected a string, got
nothing". Times stay text in the shapes and are parsed by `iso_time`, which names its field too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TypeVar

import msgspec

from harvester.errors import SourceError

Shape = TypeVar("Shape")

# msgspec's own words for JSON kinds, as it writes them in "Expected `…`, got `…`".
_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "object": "an object",
    "array": "a list",
}
_GOT = {**_EXPECTED, "bool": "a boolean", "null": "nothing"}
_TYPE_PROBLEM = re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")
_AT = re.compile(r"^(?P<text>.*) - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_AT_BYTE = re.compile(r" \(byte (?P<offset>\d+)\)$")


def decode_json(raw: bytes, shape: type[Shape], *, where: str, what: str) -> Shape:
    """A JSON file's bytes -> `shape`, checked in one step; malformed JSON names its line."""
    try:
        raw.decode("utf-8")  # msgspec passes bad UTF-8 inside strings through unchecked
    except UnicodeDecodeError:
        raise SourceError(where, "invalid JSON: not UTF-8 text") from None
    try:
        return msgspec.json.decode(raw, type=shape)
    except msgspec.ValidationError as error:
        _check_well_formed(raw, where)  # bad JSON further on is the first thing to fix
        raise shape_error(error, shape, where=where, what=what) from None
    except msgspec.DecodeError as error:
        raise _malformed(error, raw, where) from None
    except RecursionError:
        raise SourceError(where, "invalid JSON: nested too deeply") from None


def _check_well_formed(raw: bytes, where: str) -> None:
    """A shape check stops at the first wrong value; the whole text must still be JSON."""
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise _malformed(error, raw, where) from None
    except RecursionError:
        raise SourceError(where, "invalid JSON: nested too deeply") from None


def decode_answer(body: bytes, shape: type[Shape], *, where: str, what: str) -> Shape:
    """An HTTP answer (the client has checked it parses as JSON) -> `shape`.

    msgspec reads UTF-8 JSON only; what Python's json also accepts (a byte-order mark, UTF-16,
    NaN) is parsed by it and converted, so no answer the client took is refused here."""
    try:
        return msgspec.json.decode(body, type=shape)
    except msgspec.ValidationError as error:
        raise shape_error(error, shape, where=where, what=what) from None
    except msgspec.DecodeError:
        pass
    except RecursionError:
        raise SourceError(where, "invalid JSON: nested too deeply") from None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise SourceError(where, "the response is not valid JSON") from None
    return convert(data, shape, where=where, what=what)


def convert(data: object, shape: type[Shape], *, where: str, what: str) -> Shape:
    """Already decoded JSON (dicts and lists) -> `shape`, with the same errors as decoding."""
    try:
        return msgspec.convert(data, type=shape)
    except msgspec.ValidationError as error:
        raise shape_error(error, shape, where=where, what=what) from None
    except RecursionError:
        raise SourceError(where, "invalid JSON: nested too deeply") from None


def shape_error(
    error: msgspec.ValidationError, shape: type[object], *, where: str, what: str
) -> SourceError:
    """msgspec's "Expected `int`, got `str` - at `$.posts[0].id`" in the project's form."""
    text, path = _split_path(str(error))
    if found := _TYPE_PROBLEM.match(text):
        problem = f"expected {_expected(found['expected'])}, got {_got(found['got'])}"
    elif found := _MISSING.match(text):
        path = _join(path, found["name"])
        problem = f"expected {_expected_at(shape, path)}, got nothing"
    else:  # "Number out of range" and the like
        problem = text[:1].lower() + text[1:]
    return SourceError(where, f"not {what}: {problem}", field=path)


def iso_time(text: str, *, where: str, field: str) -> datetime:
    """An ISO-8601 time as Python reads it; a time without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SourceError(where, f"not an ISO-8601 time: {text!r}", field=field) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _split_path(message: str) -> tuple[str, str]:
    """("Expected …", "posts[0].id") from "Expected … - at `$.posts[0].id`"; "" is the root."""
    found = _AT.match(message)
    if found is None:
        return message, ""
    return found["text"], found["path"].removeprefix(".")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _expected(kinds: str) -> str:
    """msgspec's kinds in words: `str | null` is "a string" (null was allowed, not wanted)."""
    names = [kind for kind in kinds.split(" | ") if kind != "null"]
    if "float" in names and "int" in names:  # int | float is just a number
        names.remove("int")
    return " or ".join(_EXPECTED.get(name, f"`{name}`") for name in names) or "nothing"


def _got(kind: str) -> str:
    return _GOT.get(kind, f"`{kind}`")


def _expected_at(shape: type[object], path: str) -> str:
    """What the shape declares at `path`, for a field that is missing altogether."""
    info: msgspec.inspect.Type | None = msgspec.inspect.type_info(shape)
    for name, index in _steps(path):
        info = _inner(info, name, index)
    return _describe(info) if info is not None else "a value"


def _steps(path: str) -> Iterator[tuple[str, str]]:
    for found in _STEP.finditer(f".{path}"):
        yield found[1] or "", found[2] or ""


def _inner(info: msgspec.inspect.Type | None, name: str, index: str) -> msgspec.inspect.Type | None:
    for option in _options(info):
        if name and isinstance(option, msgspec.inspect.StructType):
            for field in option.fields:
                if field.encode_name == name:
                    return field.type
        if index and isinstance(option, msgspec.inspect.ListType):
            return option.item_type
        if name and isinstance(option, msgspec.inspect.DictType):
            return option.value_type
    return None


def _options(info: msgspec.inspect.Type | None) -> tuple[msgspec.inspect.Type, ...]:
    if isinstance(info, msgspec.inspect.UnionType):
        return tuple(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
    return () if info is None else (info,)


_DESCRIBED: dict[type[msgspec.inspect.Type], str] = {
    msgspec.inspect.StrType: "a string",
    msgspec.inspect.IntType: "an integer",
    msgspec.inspect.FloatType: "a number",
    msgspec.inspect.BoolType: "true or false",
    msgspec.inspect.ListType: "a list",
    msgspec.inspect.StructType: "an object",
    msgspec.inspect.DictType: "an object",
}


def _describe(info: msgspec.inspect.Type) -> str:
    kinds = [_DESCRIBED.get(type(option), "a value") for option in _options(info)]
    if "a number" in kinds and "an integer" in kinds:
        kinds.remove("an integer")
    return " or ".join(dict.fromkeys(kinds)) or "a value"


def _malformed(error: msgspec.DecodeError, raw: bytes, where: str) -> SourceError:
    """msgspec's "JSON is malformed: invalid character (byte 24)" with its line and column."""
    problem = str(error).removeprefix("JSON is malformed: ")
    found = _AT_BYTE.search(problem)
    if found is None:  # "Input data was truncated" names no byte
        return SourceError(where, f"invalid JSON: {problem[:1].lower()}{problem[1:]}")
    offset = int(found["offset"])
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - raw.rfind(b"\n", 0, offset)
    text = f"invalid JSON: {problem[: found.start()]} (column {column})"
    return SourceError(where, text, line=line)
