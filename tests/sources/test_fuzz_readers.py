"""Property-based fuzz of the readers (issue 12): whatever bytes or JSON arrive, a reader gives a
result or one HarvesterError naming where, never another exception. Kept small enough to run in
every suite; a new traceback in a reader shows up here."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.config import load_settings
from harvester.core.tally import TallyOptions, count_votes
from harvester.errors import HarvesterError
from harvester.model import Roster, Thread
from harvester.sources import github, ponymail
from harvester.sources.discourse import shape as discourse_shape
from harvester.sources.discourse import thread_from_topic_json
from harvester.sources.mailparse import parse_mail
from harvester.sources.mbox import iter_raw_mbox
from harvester.sources.roster import parse_roster_text
from harvester.sources.shapes import decode_answer

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_HEADER_NAMES = st.sampled_from(
    ["From", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Content-Type",
     "Content-Transfer-Encoding", "Received", "Received-SPF", "Reply-To", "Cc", "X-Junk"]
)  # fmt: skip
_HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "=?UTF-8?B?AA0KQmNj?=",
            "=?x-unknown?Q?=FF=00?=",
            'multipart/mixed; boundary*0="a"; boundary*1=b',
            "multipart/digest; boundary=--",
            "text/plain; charset*=utf-8''%FF%FE",
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "base64",
            "quoted-printable",
            "<" * 50,
        ]
    ),
)


@st.composite
def raw_mails(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=8))
    body = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
    head = "\n".join(f"{name}: {value}" for name, value in headers).encode("utf-8", "replace")
    return head + b"\n\n" + body


@FUZZ
@given(raw_mails())
def test_any_mail_is_read_or_refused_in_one_error(raw: bytes) -> None:
    try:
        message = parse_mail(raw, where="fuzz.eml")
    except HarvesterError:
        return
    thread = Thread("mbox", "fuzz.mbox", (message,))
    with contextlib.suppress(HarvesterError):
        count_votes([thread], Roster(()), TallyOptions())


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_as_an_mbox_are_split_or_refused(data: bytes) -> None:
    try:
        for raw in iter_raw_mbox(
            io.BytesIO(b"From x@y Mon Jan  5 10:00:00 2026\n" + data), where="f"
        ):
            try:
                parse_mail(raw.data, where="f", size=raw.size)
            except HarvesterError:
                continue
    except HarvesterError:
        pass


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
_TOPIC_KEYS = ["post_stream", "posts", "stream", "title", "id", "closed", "created_at",
               "cooked", "username", "name", "post_number", "hidden", "post_type"]  # fmt: skip


@st.composite
def topic_like(draw: st.DrawFn) -> Any:
    """JSON shaped like a topic often enough to reach the inner readers."""
    post = draw(st.dictionaries(st.sampled_from(_TOPIC_KEYS), _JSON, max_size=8))
    return {
        "id": draw(st.one_of(st.integers(), st.text(max_size=3))),
        "title": draw(st.one_of(st.text(max_size=8), _JSON)),
        "slug": draw(st.one_of(st.text(max_size=8), _JSON)),
        "post_stream": {"posts": [post], "stream": draw(st.one_of(st.lists(st.integers()), _JSON))},
        **draw(st.dictionaries(st.sampled_from(_TOPIC_KEYS), _JSON, max_size=3)),
    }


@FUZZ
@given(st.one_of(topic_like(), _JSON))
def test_any_topic_json_is_read_or_refused_in_one_error(data: Any) -> None:
    with contextlib.suppress(HarvesterError):
        thread_from_topic_json(data, where="fuzz.json")


_ANSWER_SHAPES: list[Any] = [
    discourse_shape.TopicShape, discourse_shape.PostsShape, discourse_shape.CategoryShape,
    github.IssueShape, list[github.CommentShape], list[github.ListedIssueShape],
    ponymail.ThreadShape, ponymail.EmailShape, ponymail.StatsShape,
]  # fmt: skip
_ANSWER_KEYS = ["post_stream", "posts", "topic_list", "topics", "thread", "children", "emails",
                "id", "epoch", "title", "html_url", "created_at", "updated_at", "user", "labels",
                "message-id", "from", "post_number", "polls", "options", "tags"]  # fmt: skip
_ANSWER_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_ANSWER_KEYS), inner, max_size=5),
    ),
    max_leaves=30,
)


@FUZZ
@given(
    st.sampled_from(_ANSWER_SHAPES),
    st.one_of(st.binary(max_size=200), _ANSWER_JSON.map(lambda data: json.dumps(data).encode())),
)
def test_any_answer_is_decoded_or_refused_in_one_error(shape: Any, body: bytes) -> None:
    """Whatever a site answers (NaN and Infinity included), decoding gives a shape or one
    SourceError, for every declared shape of the three sites."""
    with contextlib.suppress(HarvesterError):
        decode_answer(body, shape, where="https://site/x.json", what="an answer")


@FUZZ
@given(
    st.sampled_from(["toml", "contributors", "committee-info"]),
    st.one_of(
        st.text(max_size=300),
        st.sampled_from(
            [
                '[[members]]\nid = "a"\nname = 3\nrole = "pmc"\n',
                '[[members]]\nid = "a"\nname = "A"\nrole = "pmc"\nsince = 1979-13-40\n',
                "- [A](https://github.com/a) (PMC): @a - x\n" * 3,
                '{"committees": {"tvm": {"roster": {"a": {"name": 1}}}}}',
                '{"committees": []}',
            ]
        ),
    ),
)
def test_any_roster_text_is_read_or_refused_in_one_error(kind: Any, text: str) -> None:
    with contextlib.suppress(HarvesterError):
        parse_roster_text(text, kind=kind, where="fuzz-roster", committee="tvm")


_CONFIG_LINES = st.sampled_from(
    [
        "[vote]", "[mail]", "[daemon]", "[http]", "[sources.github]", "[[vote.profiles]]",
        "default_min_hours = 99999999999", "port = -1", "port = 70000", 'to = "x"',
        "lists = [1, 2]", "enabled = maybe", 'default_rule = "nope"', "tick_seconds = 0",
        'digest_at = "25:99"', "jitter = 1e308", 'api_url = "ftp://x"', "= broken",
    ]
)  # fmt: skip


@FUZZ
@given(st.lists(st.one_of(_CONFIG_LINES, st.text(max_size=40)), max_size=8))
def test_any_config_file_loads_or_is_one_config_error(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "harvester.toml"
        path.write_text("\n".join(lines), encoding="utf-8", errors="replace")
        with contextlib.suppress(HarvesterError):
            load_settings(str(path), {})
