"""Text cleaned once, where it enters: what no database, header or page can hold is removed.

A body keeps its lines and tabs but loses NUL, other C0 controls, lone surrogates and
non-characters (PostgreSQL refuses NUL; a terminal or page would show the rest as garbage or
worse). A name, subject, address or id is one line: line breaks become spaces, and bidi
overrides, which can make a name read as another, go.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from harvester.model import Author, Message, Thread

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\u0085\u2028\u2029]+")
# What one_line would change: a control, a bidi override, any white space but single inner
# spaces. Most fields hold none, and are then kept as they are.
_NOT_ONE_LINE = re.compile(
    r"[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
    r"|[^\S ]|  |^ | $"
)


def clean_text(text: str) -> str:
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def one_line(text: str) -> str:
    """A single-line field (a name, a subject, a header value): no control, line break or bidi
    override, runs of space joined. A line break in a header is how header injection works."""
    if not _NOT_ONE_LINE.search(text):
        return text
    return " ".join(_BIDI.sub("", clean_text(_BREAKS.sub(" ", text))).split())


T = TypeVar("T", Author, Message)


def _changed(value: T, **fields: Any) -> T:
    """`value` with these fields; `value` itself when none differs, as for most text."""
    changes = {name: new for name, new in fields.items() if new is not getattr(value, name)}
    return replace(value, **changes) if changes else value


def _each_line(values: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(one_line(v) for v in values)
    return values if cleaned == values else cleaned


def _author(author: Author) -> Author:
    return _changed(
        author,
        name=one_line(author.name),
        address=one_line(author.address),
        username=one_line(author.username),
        reply_to=_each_line(author.reply_to),
        cc=_each_line(author.cc),
        github_sender=one_line(author.github_sender),
        envelope_from=_each_line(author.envelope_from),
    )


def clean_message(message: Message) -> Message:
    return _changed(
        message,
        source_id=one_line(message.source_id),
        url=one_line(message.url),
        subject=one_line(message.subject),
        author=_author(message.author),
        body=clean_text(message.body),
        in_reply_to=one_line(message.in_reply_to),
        references=_each_line(message.references),
        thread_url=one_line(message.thread_url),
        problems=_each_line(message.problems),
    )


def clean_thread(thread: Thread) -> Thread:
    """The thread as a source read it, with every text field cleaned."""
    return replace(
        thread,
        url=one_line(thread.url),
        title=one_line(thread.title),
        messages=tuple(clean_message(m) for m in thread.messages),
        warnings=tuple(one_line(w) for w in thread.warnings),
        labels=tuple(one_line(label) for label in thread.labels),
    )
