"""html_text: HTML mail and Discourse cooked posts -> the author's own visible lines.

Each case is a shape a real mailer or Discourse produces; names and addresses are invented.
"""

from __future__ import annotations

import pytest

from harvester.core.ballots import read_ballot
from harvester.core.html import html_text
from harvester.core.text import cooked_own_lines
from harvester.model import Value


def lines(html: str) -> list[str]:
    """The non-empty lines html_text gives."""
    return [line for line in html_text(html).split("\n") if line]


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        "<?xml version='1.0' encoding='ISO-8859-1' standalone='yes'?>\r\n",
        "\ufeff<?xml version='1.0' encoding='UTF-8'?>",
    ],
    ids=["utf-8", "latin-1-single-quotes", "after-a-bom"],
)
def test_a_leading_xml_declaration_does_not_empty_the_body(prefix: str) -> None:
    html = prefix + "<html><body><div>+1 (binding), checked the sums</div></body></html>"
    assert lines(html) == ["+1 (binding), checked the sums"]


def test_source_line_breaks_are_spaces_as_in_a_browser() -> None:
    # Mailers wrap the HTML source anywhere; only <br> and blocks break a shown line.
    html = "<p>Thanks for\n      preparing RC2.<br>\n+1\n(binding)</p>"
    assert lines(html) == ["Thanks for preparing RC2.", "+1 (binding)"]


def test_table_cells_are_lines_of_their_own() -> None:
    html = "<table><tr><th>Voter</th><th>Vote</th></tr><tr><td>Kim</td><td>+1</td></tr></table>"
    assert lines(html) == ["Voter", "Vote", "Kim", "+1"]


def test_non_breaking_spaces_do_not_join_lines() -> None:
    assert lines("<div>+1&nbsp;from me</div><div>&nbsp;</div><div>Kim</div>") == [
        "+1\xa0from me",
        "Kim",
    ]


# --- Gmail ---------------------------------------------------------------------------------------

GMAIL_ATTR = (
    '<div dir="ltr" class="gmail_attr">On Tue, Mar 4, 2025 at 9:12 AM Rosa Vale '
    '&lt;<a href="mailto:rosa@example.org">rosa@example.org</a>&gt; wrote:<br></div>'
)
GMAIL_QUOTE = (
    '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
    "<div>Please vote:<br>[ ] +1 approve<br>[ ] -1 reject</div>"
    "<div>-1 from me until the notice file is fixed.</div></blockquote>"
)


def test_gmail_top_posted_reply_keeps_only_the_text_above() -> None:
    html = (
        '<div dir="ltr">+1 (binding)</div><br>'
        f'<div class="gmail_quote gmail_quote_container">{GMAIL_ATTR}{GMAIL_QUOTE}</div>'
    )
    assert lines(html) == ["+1 (binding)"]


def test_gmail_bottom_posted_text_inside_the_quote_div_is_kept() -> None:
    html = (
        f'<div dir="ltr"><div class="gmail_quote">{GMAIL_ATTR}{GMAIL_QUOTE}'
        "<div>Agreed that it needs fixing, but it can wait.</div>"
        "<div>+1 (non-binding)</div></div></div>"
    )
    assert lines(html) == ["Agreed that it needs fixing, but it can wait.", "+1 (non-binding)"]


def test_gmail_bottom_posted_text_after_the_quote_div_is_kept() -> None:
    html = f'<div class="gmail_quote">{GMAIL_ATTR}{GMAIL_QUOTE}</div><div>0, no strong view</div>'
    assert lines(html) == ["0, no strong view"]


def test_gmail_interleaved_answers_between_quote_pieces_are_kept() -> None:
    html = (
        f'<div class="gmail_quote">{GMAIL_ATTR}'
        '<blockquote class="gmail_quote">Shall we drop Python 3.8?</blockquote>'
        "<div>Yes, +1</div>"
        '<blockquote class="gmail_quote">And move to 3.10?</blockquote>'
        "<div>Not yet.</div></div>"
    )
    assert lines(html) == ["Yes, +1", "Not yet."]


def test_older_gmail_attribution_is_bare_text_before_the_quote() -> None:
    html = (
        '<div dir="ltr">Looks fine to me.</div><div class="gmail_extra"><br>'
        '<div class="gmail_quote">On Mon, Jun 2, 2014 at 2:14 PM, Rosa Vale '
        '<span dir="ltr">&lt;<a href="mailto:rosa@example.org">rosa@example.org</a>&gt;</span>'
        " wrote:<br>"
        '<blockquote class="gmail_quote">+1 from the caller</blockquote></div></div>'
    )
    assert lines(html) == ["Looks fine to me."]


def test_gmail_forwarded_mail_is_not_the_forwarders_text() -> None:
    html = (
        '<div dir="ltr">FYI, see below.<br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        "From: Rosa Vale &lt;rosa@example.org&gt;<br>Date: Tue, Mar 4, 2025<br></div><br>"
        "<div>+1 (binding)</div></div></div>"
    )
    assert lines(html) == ["FYI, see below."]


# --- Thunderbird, Apple Mail, Yahoo ------------------------------------------------------------


def test_thunderbird_attribution_and_cite_are_removed_bottom_text_kept() -> None:
    html = (
        "<html><body>"
        '<div class="moz-cite-prefix">On 04.03.2025 10:11, Rosa Vale\n      wrote:<br></div>'
        '<blockquote type="cite" cite="mid:abc@example.org">'
        '<pre class="moz-quote-pre" wrap="">+1 from the caller</pre></blockquote>'
        "<p>-1: the LICENSE is missing.</p>"
        "</body></html>"
    )
    assert lines(html) == ["-1: the LICENSE is missing."]


def test_thunderbird_inline_forward_is_not_the_forwarders_text() -> None:
    html = (
        "<p>Forwarding for the record.</p>"
        '<div class="moz-forward-container"><br>-------- Forwarded Message --------'
        '<table class="moz-email-headers-table"><tr><th>From:</th><td>Rosa</td></tr></table>'
        "<p>+1 (binding)</p></div>"
    )
    assert lines(html) == ["Forwarding for the record."]


def test_apple_mail_cite_holds_its_attribution() -> None:
    html = (
        "<html><body>"
        '<div><br><blockquote type="cite"><div>On 4 Mar 2025, at 10:11, Rosa Vale '
        "&lt;rosa@example.org&gt; wrote:</div><br>"
        "<div><div>+1 from the caller</div></div></blockquote></div>"
        "<div>+0, I have not tested it</div>"
        "</body></html>"
    )
    assert lines(html) == ["+0, I have not tested it"]


def test_yahoo_quoted_block_is_removed() -> None:
    html = (
        "<div>-1, see the thread on dev@</div>"
        '<div id="yahoo_quoted_1234" class="yahoo_quoted"><div>On Tuesday, March 4, 2025, '
        "Rosa Vale &lt;rosa@example.org&gt; wrote:</div><div><div>+1 from the caller</div>"
        "</div></div>"
    )
    assert lines(html) == ["-1, see the thread on dev@"]


# --- Outlook, Hotmail ----------------------------------------------------------------------------


def test_outlook_web_quoted_original_follows_its_header_as_siblings() -> None:
    html = (
        '<html><body><div class="elementToProof">+1 (binding)</div>'
        '<div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Rosa Vale<br>'
        "<b>Sent:</b> Tuesday, March 4, 2025 10:11<br><b>Subject:</b> [VOTE] Release</font>"
        "<div>&nbsp;</div></div>"
        '<div class="x_elementToProof">Please vote.</div><div>[ ] +1 approve</div>'
        "<div>-1 from me</div></body></html>"
    )
    assert lines(html) == ["+1 (binding)"]


def test_outlook_web_header_without_appendonsend_cuts_from_the_header() -> None:
    html = (
        "<div><div>0 for now</div>"
        '<div id="divRplyFwdMsg"><b>From:</b> Rosa Vale</div>tail text of the header'
        "<div>+1 quoted</div></div><div>-1 quoted too</div>"
    )
    assert lines(html) == ["0 for now"]


def test_outlook_mac_reference_message_container_is_removed() -> None:
    html = (
        "<div>+1</div>"
        '<div id="mail-editor-reference-message-container"><div>On Tue, 4 Mar 2025, '
        "Rosa Vale wrote:</div><div>-1 quoted</div></div>"
    )
    assert lines(html) == ["+1"]


def test_hotmail_stop_spelling_rule_starts_the_quoted_original() -> None:
    html = (
        "<div dir='ltr'>+1<div>Kim<br><br><div>"
        '<hr id="stopSpelling">Date: Tue, 4 Mar 2025 10:11:00 +0100<br>From: rosa@example.org'
        "<br><br><div>-1 quoted</div></div></div></div>"
    )
    assert lines(html) == ["+1", "Kim"]


def test_outlook_desktop_header_block_in_any_language_starts_the_quote() -> None:
    html = (
        '<div class="WordSection1"><p class="MsoNormal">+1 (binding)</p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        '<p class="MsoNormal"><b>Von:</b> Rosa Vale &lt;rosa@example.org&gt;<br>'
        "<b>Gesendet:</b> Dienstag, 4. März 2025 10:11</p></div>"
        '<p class="MsoNormal">-1 quoted</p></div>'
    )
    assert lines(html) == ["+1 (binding)"]


def test_a_bordered_box_without_a_header_label_is_the_authors_text() -> None:
    html = (
        '<div>+1</div><div style="border-top: 1px solid #ccc">Tested on <b>ARM</b>: fine.</div>'
        "<div>Kim</div>"
    )
    assert lines(html) == ["+1", "Tested on ARM: fine.", "Kim"]


def test_an_outlook_marker_inside_a_quote_does_not_cut_text_after_the_quote() -> None:
    html = (
        '<div class="gmail_quote">' + GMAIL_ATTR + '<blockquote class="gmail_quote">'
        '<div>-1 from Outlook</div><div id="divRplyFwdMsg"><b>From:</b> Rosa</div>'
        "<div>older mail</div></blockquote><div>+1 written below</div></div>"
    )
    assert lines(html) == ["+1 written below"]


# --- Discourse -----------------------------------------------------------------------------------

TICKED = '<span class="chcklst-box checked fa fa-check-square-o fa-fw"></span>'
UNTICKED = '<span class="chcklst-box fa fa-square-o fa-fw"></span>'
PERMANENT = '<span class="chcklst-box checked permanent fa fa-check-square fa-fw"></span>'


def test_checklist_boxes_read_as_the_author_typed_them() -> None:
    html = f"<p>{UNTICKED} +1 approve<br>\n{TICKED} -1 reject<br>\n{PERMANENT}0 abstain</p>"
    assert lines(html) == ["[ ] +1 approve", "[x] -1 reject", "[x] 0 abstain"]


def test_a_ticked_box_beside_an_unticked_one_is_the_vote() -> None:
    html = f"<ul>\n<li>{UNTICKED} +1 approve</li>\n<li>{TICKED} -1 reject</li>\n</ul>"
    reading = read_ballot(lines(html))
    assert reading is not None
    assert reading.value is Value.MINUS


def test_discourse_chat_transcript_is_a_quotation() -> None:
    html = (
        '<div class="chat-transcript" data-message-id="42" data-username="rosa" '
        'data-datetime="2025-03-04T10:11:00Z" data-channel-name="dev">'
        '<div class="chat-transcript-user"><div class="chat-transcript-username">rosa</div>'
        '<div class="chat-transcript-datetime"><a href="/chat/c/dev/1/42">10:11</a></div></div>'
        '<div class="chat-transcript-messages"><p>+1 in chat</p></div></div>'
        "<p>-1, as I said in the meeting</p>"
    )
    assert lines(html) == ["-1, as I said in the meeting"]


def test_elided_mail_history_is_removed_but_the_authors_details_stay() -> None:
    html = (
        "<p>+1 (binding)</p>"
        '<details class="elided"><summary title="Show trimmed content">···</summary>'
        "On Tue, Rosa wrote:<br>-1 quoted</details>"
        "<details><summary>Why</summary><p>The tests pass on all three platforms.</p></details>"
    )
    assert lines(html) == ["+1 (binding)", "Why", "The tests pass on all three platforms."]


def test_lightbox_file_name_and_size_are_not_text() -> None:
    html = (
        '<p>Benchmarks attached.</p><p><div class="lightbox-wrapper">'
        '<a class="lightbox" href="/uploads/x.png" title="-1 regression.png">'
        '<img src="/uploads/x.png" alt="-1 regression.png" width="690" height="400">'
        '<div class="meta"><svg class="fa d-icon d-icon-far-image svg-icon"><use href="#far-image">'
        '</use></svg><span class="filename">-1 regression.png</span>'
        '<span class="informations">1920×1080 85 KB</span></div></a></div></p><p>+1</p>'
    )
    assert lines(html) == ["Benchmarks attached.", "+1"]


def test_inline_onebox_title_is_removed_but_text_after_it_stays() -> None:
    html = (
        '<p>See <a href="https://example.org/t/123" class="inline-onebox">'
        "+1 to the new RFC process - Example Forum</a> for the context; -1 from me.</p>"
    )
    assert lines(html) == ["See for the context; -1 from me."]


def test_plain_links_and_mentions_keep_their_text() -> None:
    html = '<p><a class="mention" href="/u/rosa">@rosa</a> +1, see <a href="/t/9">the RFC</a></p>'
    assert lines(html) == ["@rosa +1, see the RFC"]


@pytest.mark.parametrize(
    ("cooked", "value"),
    [
        ("<p><s>-1</s> +1 now that the NOTICE is fixed</p>", "+1"),
        ("<p><del>+1</del> -1 after all, the LICENSE is wrong</p>", "-1"),
        ("<p><strike>0</strike> +1</p>", "+1"),
    ],
)
def test_struck_out_text_is_taken_back(cooked: str, value: str) -> None:
    reading = read_ballot(cooked_own_lines(cooked))
    assert reading is not None
    assert reading.value is not None
    assert reading.value.value == value


@pytest.mark.parametrize(
    "html",
    [
        "&#1",  # hypothesis found it: lxml decodes it to U+0001, then refuses it back
        "<p>&#1;+1 (binding)</p>",
        '<p>+1 (binding)<img alt="&#2;smile">&#3;</p>',
    ],
)
def test_character_references_to_control_characters_are_dropped(html: str) -> None:
    text = html_text(html)
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    assert ("+1 (binding)" in text) == ("+1" in html)


def test_a_control_character_reference_beside_a_removed_quote_is_dropped() -> None:
    # "&#1;" decodes to a character lxml holds in the tree but refuses to be given back, and
    # removing the quote joins the text after it to the text before it
    assert lines("<blockquote>-1</blockquote>\n&#1;+1") == ["+1"]
    assert lines("x&#1;<div class='gmail_quote'>On Mon, A wrote:</div>&#1;+1") == ["x+1"]
