"""Table tests for reading votes: own lines (core/text.py) and ballots (core/ballots.py)."""

from __future__ import annotations

import pytest

from harvester.core.ballots import is_template_line, line_vote, read_ballot, token_value
from harvester.core.text import (
    cooked_own_lines,
    cut_at_footer,
    cut_at_forwarded_block,
    cut_at_signature,
    drop_attributions,
    drop_quoted,
    markdown_own_lines,
    plain_own_lines,
    unwrap_repost,
)
from harvester.model import Value

CALL = """Hi all,

Following the discussion in [DISCUSS] we'd like to call a vote.

[ ] +1 approve
[ ] 0 no opinion
[ ] -1 disapprove (please state why)

The vote passes with at least 3 +1 votes and twice as many binding +1 as -1.
It is open for at least 72 hours.

Thanks,
Alice
"""


def ballot(body: str, *, is_call: bool = False) -> tuple[str | None, str | None, tuple[str, ...]]:
    reading = read_ballot(plain_own_lines(body), is_call=is_call)
    if reading is None:
        return None, None, ()
    return (reading.value.value if reading.value else None), reading.raw, reading.flags


@pytest.mark.parametrize(
    ("body", "value", "raw", "flags"),
    [
        ("+1", "+1", "+1", ()),
        ("+1 (binding)", "+1", "+1 (binding)", ("claimed-binding",)),
        ("+1 (non-binding)", "+1", "+1 (non-binding)", ("claimed-non-binding",)),
        ("+1 non binding", "+1", "+1 non binding", ("claimed-non-binding",)),
        ("+1, checked sigs and LICENSE", "+1", "+1, checked sigs and LICENSE", ()),
        ("I checked\n+1 , I checked", "+1", "+1 , I checked", ()),
        ("+1\n\nTQ", "+1", "+1", ()),
        ("+0", "0", "+0", ()),
        ("-0", "0", "-0", ()),
        ("0", "0", "0", ()),
        ("0 (binding)", "0", "0 (binding)", ("claimed-binding",)),
        ("+0.5", "0", "+0.5", ("fractional",)),
        ("-0.5", "0", "-0.5", ("fractional",)),
        ("+1000", "+1", "+1000", ()),
        ("+1!!", "+1", "+1!!", ()),
        ("+1.", "+1", "+1.", ()),
        ("–1 (binding)", "-1", "–1 (binding)", ("claimed-binding",)),
        (
            "-1 (binding) because the LICENSE is missing",
            "-1",
            "-1 (binding) because the LICENSE is missing",
            ("claimed-binding",),
        ),
        ("-1, and this is a veto", "-1", "-1, and this is a veto", ("veto",)),
        ("**+1**", "+1", "**+1**", ()),
        ("* +1 from me", "+1", "* +1 from me", ()),
        ("Vote: +1", "+1", "Vote: +1", ()),
        ("[x] +1 approve", "+1", "[x] +1 approve", ()),
        ("-1 until X is fixed", "-1", "-1 until X is fixed", ()),
        (
            "fixed, changing my vote to +1",
            "+1",
            "fixed, changing my vote to +1",
            ("changed-by-text",),
        ),
        ("I change my -1 to +1 now.", "+1", "I change my -1 to +1 now.", ("changed-by-text",)),
        ("I withdraw my -1", None, "I withdraw my -1", ("withdrawn",)),
        (
            "I withdraw my -1.\n+1 now",
            "+1",
            "+1 now",
            ("withdrew-earlier",),
        ),
        (
            "+1 for the source release, -1 for the binaries",
            "+1",
            "+1 for the source release, -1 for the binaries",
            ("mixed",),
        ),
        ("+1 source\n-1 binaries", "+1", "+1 source", ("mixed",)),
    ],
)
def test_ballot_table(body: str, value: str | None, raw: str, flags: tuple[str, ...]) -> None:
    assert ballot(body) == (value, raw, flags)


@pytest.mark.parametrize(
    "body",
    [
        CALL,
        "thanks for the +1, Bob",
        "Re Jane's -1: I think the concern is addressed.",
        "We need at least 3 +1 votes.",
        "+1 votes from three PMC members are needed",
        "0 failures in the test run",
        "0.9.0 had this problem too",
        "[ ] +1 approve\n[ ] -1 disapprove",
        "( ) +1 approve",
        "Great work everyone!",
        "",
    ],
)
def test_no_ballot(body: str) -> None:
    assert ballot(body, is_call=body is CALL) == (None, None, ())


def test_call_with_unbracketed_menu_has_no_ballot() -> None:
    body = "Please vote:\n+1: approve\n0: no opinion\n-1: reject, with reason\n"
    assert ballot(body, is_call=True) == (None, None, ())


def test_callers_own_vote_in_the_call_counts() -> None:
    body = CALL + "\n+1 (binding) from me to start.\n"
    value, raw, _ = ballot(body.replace("Thanks,\nAlice\n", ""), is_call=True)
    assert (value, raw) == ("+1", "+1 (binding) from me to start.")


def test_callers_vote_survives_an_unbracketed_menu() -> None:
    body = "+1: approve\n-1: reject\n\n+1 from me\n"
    assert ballot(body, is_call=True)[:2] == ("+1", "+1 from me")


QUOTED_REPLIES = {
    "gmail split attribution": (
        "Sounds right to me.\n\nOn Tue, Jan 6, 2026 at 3:02 PM Bob <b@x>\nwrote:\n\n> +1\n>\n"
    ),
    "gmail one-line attribution": "On Tue, Jan 6, 2026 at 3:02 PM Bob <b@x> wrote:\n> +1\n",
    "nested quotes": "> > +1\n> -1\n",
    "indented quote marker": "  > +1 (binding)\n",
    "german": "Danke!\n\nAm Di., 6. Jan. 2026 um 15:02 Uhr schrieb Bob <b@x>:\n> +1\n",
    "chinese": "收到\n\n在 2026年1月7日 周三 10:00，Bob <b@x> 写道：\n> +1\n",
    "chinese gmail": "收到\n\nBob <b@x> 于2026年1月7日周三 10:12写道：\n\n+1\n",
    "outlook original message": "Looks fine.\n\n-----Original Message-----\nFrom: Bob\n+1\n",
    "outlook header block": (
        "Agreed.\n\nFrom: Bob Builder <bob@x>\nSent: Tuesday, January 6, 2026 3:02 PM\n"
        "To: dev@x\nSubject: Re: [VOTE] X\n\n+1\n"
    ),
    "qp decoded quote marker": "Noted.\n\n> \n> +1\n",
    "ponymail composer": 'On 2026/01/06 15:02:00 "John D. Ament" wrote:\n> +1\n',
    "unmarked quote after attribution": "Thanks.\n\nOn Tue, Jan 6, 2026 Bob wrote:\n+1\n",
}


@pytest.mark.parametrize("body", QUOTED_REPLIES.values(), ids=QUOTED_REPLIES.keys())
def test_quoted_votes_are_not_ballots(body: str) -> None:
    assert ballot(body) == (None, None, ())


@pytest.mark.parametrize(
    ("body", "raw"),
    [
        (
            "+1 (binding)\n\nOn Tue, Jan 6, 2026 at 3:02 PM Bob <b@x>\nwrote:\n> -1\n",
            "+1 (binding)",
        ),
        ("On Tue, Jan 6, 2026 at 3:02 PM Bob <b@x> wrote:\n> -1\n\n+1 from me\n", "+1 from me"),
        ("+1\n\n-----Original Message-----\nFrom: Bob\n-1\n", "+1"),
        ("+1\n\n在 2026年1月7日 周三 10:00，Bob <b@x> 写道：\n> -1\n", "+1"),
    ],
)
def test_own_vote_beside_a_quotation(body: str, raw: str) -> None:
    assert ballot(body)[1] == raw


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["+1", "-- ", "Bob", "+1 again"], ["+1"]),
        (["+1", "--", "-1"], ["+1"]),
        (["+1", "—", "-1 after all"], ["+1", "—", "-1 after all"]),
    ],
)
def test_cut_at_signature(lines: list[str], expected: list[str]) -> None:
    assert cut_at_signature(lines) == expected


def test_a_lone_em_dash_is_not_a_signature_but_the_github_footer_under_it_is_cut() -> None:
    lines = ["+1", "—", "Reply to this email directly, view it on GitHub."]
    assert cut_at_signature(lines) == lines
    assert cut_at_footer(lines) == ["+1"]


def test_cut_at_list_footer() -> None:
    lines = ["+1", "", "-" * 69, "To unsubscribe, e-mail: dev-unsubscribe@x.apache.org", "-1"]
    assert cut_at_footer(lines) == ["+1", ""]


def test_forwarded_block_needs_outlook_headers() -> None:
    lines = ["From: the release notes I see", "+1"]
    assert cut_at_forwarded_block(lines) == lines


def test_drop_attributions_keeps_bottom_posted_text() -> None:
    lines = ["On Mon, Bob wrote:", "> x", "", "+1"]
    assert drop_quoted(drop_attributions(lines)) == ["", "+1"]


def test_adding_a_signature_or_footer_keeps_the_ballot() -> None:
    body = "+1 (binding)\n"
    signed = body + "\n-- \nBob Builder\n+1 from my other hat\n"
    footer = "\n" + "-" * 69 + "\nTo unsubscribe, e-mail: dev-unsubscribe@x\n-1\n"
    assert ballot(signed) == ballot(body) == ballot(body + footer)


COOKED = {
    "aside quote": (
        '<aside class="quote no-group" data-username="bob" data-post="2" data-topic="1">'
        '<div class="title">bob:</div><blockquote><p>+1</p></blockquote></aside><p>Agreed.</p>'
    ),
    "markdown blockquote": "<blockquote><p>+1</p></blockquote><p>me too</p>",
    "code with a -1 in a log": '<p>+1</p><pre><code class="lang-auto">-1 failures\n</code></pre>',
    "inline code": "<p><code>+1</code> is how you vote</p>",
    "onebox": (
        '<p>see link</p><aside class="onebox allowlistedgeneric"><article class="onebox-body">'
        "<p>+1 x5, -1 x1</p></article></aside>"
    ),
    "emoji only": '<p><img src="x/+1.png" title=":+1:" class="emoji only-emoji" alt=":+1:"></p>',
    "poll": (
        '<div class="poll" data-poll-status="open"><div class="poll-container"><ul>'
        '<li data-poll-option-id="a">+1</li><li data-poll-option-id="b">-1</li></ul></div></div>'
    ),
    "strong vote": "<p><strong>+1</strong> (binding)</p>",
}


def _cooked(html: str) -> tuple[str | None, str | None]:
    reading = read_ballot(cooked_own_lines(html))
    if reading is None or reading.value is None:
        return None, None
    return reading.value.value, reading.raw


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aside quote", (None, None)),
        ("markdown blockquote", (None, None)),
        ("code with a -1 in a log", ("+1", "+1")),
        ("inline code", (None, None)),
        ("onebox", (None, None)),
        ("emoji only", (None, None)),
        ("poll", (None, None)),
        ("strong vote", ("+1", "+1 (binding)")),
    ],
)
def test_discourse_cooked(name: str, expected: tuple[str | None, str | None]) -> None:
    assert _cooked(COOKED[name]) == expected


def test_emoji_becomes_text_and_votes_only_when_configured() -> None:
    lines = [line for line in cooked_own_lines(COOKED["emoji only"]) if line]
    assert lines == [":+1:"]
    assert read_ballot(lines) is None
    configured = read_ballot(lines, emoji_votes=True)
    assert configured is not None
    assert configured.value is Value.PLUS


def test_github_markdown_drops_code_and_comments() -> None:
    body = "<!-- +1 template -->\n```\n-1 failures\n```\n`+1` syntax\n\n+1 LGTM\n> -1\n"
    assert read_ballot(markdown_own_lines(body)) == read_ballot(["+1 LGTM"])


def test_repost_unwrapped_to_signer_and_one_quote_level() -> None:
    body = (
        "Jane Doe <jane@apache.org> wrote on dev@tvm.apache.org:\n\n> +1 (binding)\n>\n"
        "> On Mon, Bob wrote:\n> > -1\n"
    )
    unwrapped = unwrap_repost(body)
    assert unwrapped is not None
    name, address, inner = unwrapped
    assert (name, address) == ("Jane Doe", "jane@apache.org")
    assert ballot(inner)[:2] == ("+1", "+1 (binding)")


@pytest.mark.parametrize(
    ("token", "value", "fractional"),
    [
        ("+1", Value.PLUS, False),
        ("+1000", Value.PLUS, False),
        ("-1", Value.MINUS, False),
        ("−1", Value.MINUS, False),
        ("+0", Value.ZERO, False),
        ("+0,5", Value.ZERO, True),
        ("±0", Value.ZERO, False),
        ("-2", Value.MINUS, False),
    ],
)
def test_token_value(token: str, value: Value, fractional: bool) -> None:
    assert token_value(token) == (value, fractional)


def test_template_lines() -> None:
    assert is_template_line("[ ] +1 approve")
    assert is_template_line(" - [ ] -1 disapprove")
    assert not is_template_line("[x] +1 approve")
    assert line_vote("[ ] +1 approve") is None


def test_change_phrase_with_a_vote_line_of_the_same_value_cites_the_vote_line() -> None:
    body = "section 3 is fixed now, changing my vote to +1:\n\n+1 (binding)\n"
    assert ballot(body) == ("+1", "+1 (binding)", ("claimed-binding",))


def test_change_phrase_beats_a_contradicting_line_token() -> None:
    body = "-1 was my vote before.\nNow fixed, changing my vote to +1\n"
    assert ballot(body)[:2] == ("+1", "Now fixed, changing my vote to +1")


def test_struck_out_markdown_is_taken_back() -> None:
    assert read_ballot(markdown_own_lines("~~-1~~ +1 now that it is fixed")) == read_ballot(
        ["+1 now that it is fixed"]
    )


def test_an_indented_line_wrapped_out_of_a_quotation_is_quoted() -> None:
    lines = ["Blah", "", "> Please review the release at", "  https://example.org/rc1 >", "> +1"]
    assert drop_quoted(lines) == ["Blah", ""]


def test_an_inline_answer_at_the_margin_between_quoted_lines_stays() -> None:
    lines = ["> Do you agree with item 1?", "+1", "> Item 2?", "-1"]
    assert drop_quoted(lines) == ["+1", "-1"]


def test_a_long_run_of_spaces_is_read_at_once() -> None:
    # The author line's pattern once tried every split of the spaces three ways: 800 spaces
    # took 44 s, and a bot's comment of a few thousand would never end.
    body = " " * 20_000 + "\nJane <jane@apache.org> wrote:\n> +1\n"
    unwrapped = unwrap_repost(body)
    assert unwrapped is not None
    assert unwrapped[:2] == ("Jane", "jane@apache.org")
    assert unwrap_repost(" " * 20_000 + "Jane jane@apache.org" + " " * 20_000) is None
