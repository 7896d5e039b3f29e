"""What pages show for URLs and ballot flags: short labels instead of whole URLs, badges only for
what a person should look at."""

from __future__ import annotations

from typing import Any

import pytest

from harvester.web.labels import short_label, short_message_id
from harvester.web.marks import ballot_marks
from harvester.web.privacy import HIDDEN, hide_addresses
from harvester.web.views import path_segment, short_message_ids


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://lists.apache.org/thread/abc123", "lists.apache.org thread"),
        ("https://lists.apache.org/thread/x7k2?dev@tvm.apache.org", "lists.apache.org thread"),
        ("https://lists.apache.org/api/thread.lua?id=x7k2", "lists.apache.org thread"),
        ("https://discuss.tvm.apache.org/t/16123", "discuss.tvm.apache.org #16123"),
        ("https://discuss.tvm.apache.org/t/16123/4", "discuss.tvm.apache.org #16123 post 4"),
        (
            "https://discuss.tvm.apache.org/t/clarify-the-process/16123/7",
            "discuss.tvm.apache.org #16123 post 7",
        ),
        ("https://discuss.tvm.apache.org/t/16123.json", "discuss.tvm.apache.org #16123"),
        ("https://github.com/apache/tvm/issues/18642", "apache/tvm#18642"),
        ("https://github.com/apache/tvm/pull/18650", "apache/tvm#18650"),
        (
            "https://github.com/apache/tvm/issues/18642#issuecomment-3722904417",
            "apache/tvm#18642 comment",
        ),
        ("https://api.github.com/repos/apache/tvm/issues/18642", "apache/tvm#18642"),
        ("https://api.github.com/repos/apache/tvm/issues/comments/37229", "apache/tvm comment"),
        (
            "https://whimsy.apache.org/public/committee-info.json",
            "whimsy.apache.org/public/committee-info.json",
        ),
        (
            "https://example.org/a/very/long/path/that/goes/on/and/on/report.html",
            "example.org/…/report.html",
        ),
        ("https://example.org/", "example.org"),
        (
            "mid:CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5JfKq6bVn-Rr1hMg@mail.gmail.com",
            "mid:CAG7+Hm2…@mail.gmail.com",
        ),
        (
            "mid:TYWPR01MB10234A8F3C6E1D2B4F5A7C9E8B1D20@TYWPR01MB10234.jpnprd01.prod.outlook.com",
            "mid:TYWPR01M…@…outlook.com",
        ),
        ("mid:apache%2Ftvm%2Fissues%2F18642%2F37229@github.com", "mid:apache/t…@github.com"),
        ("mid:short@x.org", "mid:short@x.org"),
        (
            "examples/strategy-vote.mbox#mid:CAG7+Hm2xP4kQzN1vTa9Lr8eYw3dS0u5@mail.gmail.com",
            "strategy-vote.mbox",
        ),
        ("/var/lib/harvester/saved.mbox", "saved.mbox"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("x" * 60, "x" * 39 + "…"),
        ("https://[not-an-ip/x", "https://[not-an-ip/x"),
        ("", ""),
    ],
)
def test_short_label(url: str, label: str) -> None:
    assert short_label(url) == label


def test_a_short_label_never_carries_a_whole_long_message_id() -> None:
    long_id = "CAB0k4yX9tR2nWq5mLp8eZs1vKd6aHc3fJg7uYi4Mo=BO2y"
    assert long_id not in short_message_id(f"<{long_id}@mail.gmail.com>")
    assert short_message_id(f"<{long_id}@mail.gmail.com>") == "CAB0k4yX…@mail.gmail.com"
    assert short_label(None) == ""


def ballot(**fields: Any) -> dict[str, Any]:
    return {"binding": True, "flags": [], "changed": False, "late": False, "counted": True,
            **fields}  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "badges", "notes"),
    [
        ({}, (), ()),
        ({"flags": ["claimed-binding"]}, (), ()),  # the roster agrees: no news
        ({"flags": ["claimed-binding"], "binding": False}, ("claims binding",), ()),
        ({"flags": ["claimed-non-binding"], "binding": True}, ("claims non-binding",), ()),
        ({"flags": ["claimed-non-binding"], "binding": False}, (), ()),
        ({"flags": ["unconfirmed"]}, ("unconfirmed identity",), ()),
        ({"flags": ["possible-impersonation"], "counted": False},
         ("possible impersonation",), ("not counted",)),
        ({"flags": ["mixed"], "counted": False}, ("mixed ballot",), ("not counted",)),
        ({"flags": ["corrected", "veto"], "changed": True}, (),
         ("corrected by hand", "veto", "changed")),
        ({"late": True, "counted": False}, (), ("late", "not counted")),
        ({"effective": False}, (), ("replaced later",)),
        ({"flags": ["some-new-flag"]}, (), ("some-new-flag",)),  # shown, never dropped
    ],
)  # fmt: skip
def test_only_what_needs_a_person_is_a_badge(
    fields: dict[str, Any], badges: tuple[str, ...], notes: tuple[str, ...]
) -> None:
    marks = ballot_marks(ballot(**fields))
    assert (marks.badges, marks.notes) == (badges, notes)


def test_message_ids_in_a_text_become_short_labels_and_the_rest_is_escaped() -> None:
    mid = "mid:CAKb7rN4pT1xWq8mZs2eLv5dYh3cFj9aGo6uIk0Rn_KB1z@mail.gmail.com"
    shown = str(short_message_ids(f"url: {mid}; reason: <b>on the PMC</b>\u202e"))
    assert shown == (
        f'url: <code class="url" title="{mid}">mid:CAKb7rN4…@mail.gmail.com</code>; '
        "reason: &lt;b&gt;on the PMC&lt;/b&gt;&lt;U+202E&gt;"
    )
    hostile = str(short_message_ids('mid:"><script>@x.org'))
    assert "<script>" not in hostile
    assert 'title="mid:&#34;&gt;&lt;script&gt;@x.org"' in hostile
    assert short_message_ids(None) is None


def test_a_path_segment_cannot_leave_its_route() -> None:
    assert path_segment("tqchen") == "tqchen"
    assert path_segment("../api/votes?x=1#y") == "..%2Fapi%2Fvotes%3Fx%3D1%23y"
    assert path_segment("Zoë") == "Zo%C3%AB"


def test_the_draft_names_its_thread_by_message_id_for_everyone() -> None:
    line = "- the thread of Message-ID <CAG7+Hm2xP4k@mail.gmail.com>, by jane@gmail.com"
    assert hide_addresses(line) == (
        f"- the thread of Message-ID <CAG7+Hm2xP4k@mail.gmail.com>, by {HIDDEN}"
    )
    assert hide_addresses("Jane <jane@gmail.com>") == f"Jane <{HIDDEN}>"
