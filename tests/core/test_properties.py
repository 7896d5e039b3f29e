"""Properties of reading that must hold for any text, not just the cases we thought of."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.core.ballots import read_ballot
from harvester.core.text import cooked_own_lines, markdown_own_lines, plain_own_lines
from tests.core.test_quote_patterns import INTRODUCERS

votes = st.sampled_from(["+1", "-1", "0", "+0", "-0", "+1 (binding)", "-1 veto", "+0.5", "+1000"])
line_text = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    max_size=40,
)
quote_marks = st.sampled_from([">", "> ", ">>", "> >", "  > ", ">\t"])


@given(st.lists(st.tuples(quote_marks, st.one_of(votes, line_text)), min_size=1, max_size=8))
def test_a_quoted_line_never_yields_a_ballot(quoted: list[tuple[str, str]]) -> None:
    body = "\n".join(mark + text for mark, text in quoted)
    assert read_ballot(plain_own_lines(body)) is None


# Lines a quoted mail may hold with no '>' marker: anything but a marked line, which would make the
# text after it a bottom-posted reply (own words, rightly kept).
unmarked_lines = st.lists(
    st.one_of(votes, line_text.filter(lambda line: not line.lstrip().startswith(">"))),
    min_size=1,
    max_size=6,
)
introducers = st.sampled_from(sorted(INTRODUCERS))


@settings(max_examples=300)
@given(introducers, unmarked_lines)
def test_an_unmarked_quotation_under_any_table_row_never_yields_a_ballot(
    key: str, quoted: list[str]
) -> None:
    body = INTRODUCERS[key] + "\n" + "\n".join(quoted)
    assert read_ballot(plain_own_lines(body)) is None


@settings(max_examples=300)
@given(votes, introducers, unmarked_lines, st.lists(quote_marks, max_size=1))
def test_a_quotation_under_any_table_row_never_changes_the_own_ballot(
    vote: str, key: str, quoted: list[str], mark: list[str]
) -> None:
    own = f"{vote}\n\nThanks for running the release.\n\n"
    marked = [f"{mark[0]}{line}" for line in quoted] if mark else quoted
    body = own + INTRODUCERS[key] + "\n" + "\n".join(marked)
    assert read_ballot(plain_own_lines(body)) == read_ballot(plain_own_lines(own))


@given(
    votes,
    line_text,
    st.sampled_from(
        [
            "-- \nJane\n",
            "--\n+1 Jane\n",
            "\n" + "-" * 69 + "\nTo unsubscribe, e-mail: dev-unsubscribe@x.apache.org\n-1\n",
        ]
    ),
)
def test_a_signature_or_footer_never_changes_the_ballot(vote: str, prose: str, tail: str) -> None:
    body = f"{vote}\n{prose.replace('--', '')}\n"
    assert read_ballot(plain_own_lines(body + tail)) == read_ballot(plain_own_lines(body))


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_reading_is_deterministic_and_never_raises_on_text(text: str) -> None:
    for lines_of in (plain_own_lines, markdown_own_lines, cooked_own_lines):
        first = read_ballot(lines_of(text))
        assert read_ballot(lines_of(text)) == first


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_reading_never_raises_on_bytes(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    read_ballot(plain_own_lines(text))
    read_ballot(cooked_own_lines(text))
