from __future__ import annotations

from dataclasses import replace

import pytest

from harvester.core.threads import find_call, group_votes, split_threads, vote_key, vote_title
from tests.core.factories import call, mail


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("[VOTE] Adopt the plan", "adopt the plan"),
        ("Re: [VOTE] Adopt the plan", "adopt the plan"),
        ("AW: Re: [VOTE]  Adopt the  plan", "adopt the plan"),
        ("[RESULT][VOTE] Adopt the plan", "adopt the plan"),
        ("[RESULT] [VOTE] Adopt the plan", "adopt the plan"),
        ("Re: [apache/tvm] [VOTE] Adopt the plan (Issue #18642)", "adopt the plan"),
        ("回复：[VOTE] Adopt the plan", "adopt the plan"),
    ],
)
def test_vote_key(subject: str, key: str) -> None:
    assert vote_key(subject) == key


def test_vote_title_drops_reply_prefixes_only() -> None:
    assert vote_title("Re: RE: [VOTE] X") == "[VOTE] X"


def test_split_by_references_and_group_by_subject() -> None:
    c = call()
    reply = mail(1, "+1")
    orphan = replace(mail(2, "+1"), in_reply_to="", references=(), source_id="o@x")
    other = replace(
        mail(3, "+1 to the idea", subject="[DISCUSS] Other"), in_reply_to="d@x", references=("d@x",)
    )
    github = replace(
        mail(4, "+1", subject="Re: [apache/tvm] [VOTE] Adopt the plan (Issue #7)"),
        in_reply_to="gh@x",
        references=("gh@x",),
    )
    result = replace(
        mail(5, "done", subject="[RESULT][VOTE] Adopt the plan"), in_reply_to="", references=()
    )
    threads = split_threads([result, other, github, orphan, reply, c])
    assert len(threads) == 5
    votes = group_votes(threads)
    assert len(votes) == 1
    assert [m.source_id for m in votes[0]] == ["m0@x", "m1@x", "o@x", "m4@x", "m5@x"]
    assert find_call(votes[0]) == c
