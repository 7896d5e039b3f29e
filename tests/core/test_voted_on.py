"""What was voted on, read from the call (core/voted_on.py): release and candidate, commit,
digests and links, one test per kind of fact as release managers write them."""

from __future__ import annotations

import pytest

from harvester.core.voted_on import voted_on

SHA1 = "8d9e1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d"
SHA512 = "a1" * 64
SHA256 = "b2" * 32
TVM_CALL = f"""Dear TVM community,

This is a call for vote to release Apache TVM version 0.16.0.rc0.

The tag: https://github.com/apache/tvm/tree/v0.16.0.rc0
The commit: {SHA1}
The release candidate: https://dist.apache.org/repos/dist/dev/tvm/tvm-v0.16.0-rc0/
sha512: {SHA512}
The keys: https://dist.apache.org/repos/dist/release/tvm/KEYS.

The vote will be open for at least 72 hours.
"""


def test_a_release_call() -> None:
    found = voted_on("[VOTE] Release Apache TVM v0.16.0.rc0", TVM_CALL)
    assert found.release == "Apache TVM v0.16.0.rc0"
    assert found.commit == SHA1
    assert found.hashes == (SHA512,)
    assert found.links == (
        "https://github.com/apache/tvm/tree/v0.16.0.rc0",
        "https://dist.apache.org/repos/dist/dev/tvm/tvm-v0.16.0-rc0/",
        "https://dist.apache.org/repos/dist/release/tvm/KEYS",
    )


@pytest.mark.parametrize(
    ("title", "text", "release"),
    [
        (
            "[VOTE] Apache Arrow 15.0.0",
            "Please vote on release candidate 15.0.0 RC2.",
            "15.0.0 RC2",
        ),
        ("[VOTE] Kite", "Voting on v1.2.3-rc1 of Kite.", "v1.2.3-rc1"),
        ("[VOTE] Clarify the process", "See section 1.2 of the proposal.", None),
        ("[VOTE] Release Kite 2.0", "", "Kite 2.0"),
    ],
)
def test_the_release_from_the_subject_or_a_candidate(
    title: str, text: str, release: str | None
) -> None:
    assert voted_on(title, text).release == release


def test_a_short_commit_named_as_one_and_both_digest_sizes() -> None:
    found = voted_on("[VOTE] X", f"commit id: 1a2b3c4d\nsha256 {SHA256}\nsha512 {SHA512}")
    assert found.commit == "1a2b3c4d"
    assert found.hashes == (SHA256, SHA512)


def test_nothing_in_a_strategy_vote() -> None:
    found = voted_on("[VOTE] Clarify Community Strategy", "Please vote on the text below.")
    assert (found.release, found.commit, found.hashes, found.links) == (None, None, (), ())
