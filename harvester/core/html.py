"""HTML (Discourse cooked posts, HTML-only mail) -> plain lines of the author's visible text.

Quotations, code, link previews, polls and mail clients' quoted originals are removed here; what
is left goes through the same plain-text rules as any mail. Quotation comes in three shapes:
- an element that holds only foreign text (`_FOREIGN_TAGS`, `_FOREIGN_CLASSES`): blockquote,
  aside.quote, oneboxes, Thunderbird's attribution, Yahoo's quote, Discourse chat quotes …;
- Gmail's div.gmail_quote: the attribution, the quoted mail in a blockquote, and after it the
  author's own text when they write below the quote (`_drop_gmail_attribution`);
- a marker after which everything is the quoted original (`_CUT_IDS`, `_is_header_block`:
  Outlook, Hotmail, Zimbra): the author's reply is above it.

One pass over the tree finds every element a rule names (lxml filters the tags in C); a chain
of XPath unions was four times slower, and this runs for every post and HTML mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement as Element


def split_lines(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# Elements whose whole text is foreign: quotes (Markdown, Thunderbird/Apple Mail type=cite,
# Gmail, mail.ru …), code, and what is never shown.
# Struck-out text (<s>, <del>, <strike>) is what the author took back: "<s>-1</s> +1" is a +1.
_FOREIGN_TAGS = frozenset(
    {"blockquote", "pre", "code", "style", "script", "head", "s", "del", "strike"}
)
# tag -> classes that make it foreign.
_FOREIGN_CLASSES: dict[str, frozenset[str]] = {
    "aside": frozenset({"quote", "onebox"}),  # Discourse quote and link preview
    "div": frozenset(
        {
            "poll",
            "lazy-video-container",
            "moz-cite-prefix",  # Thunderbird: the "On … wrote:" line above its blockquote
            "moz-forward-container",  # Thunderbird: a forwarded mail
            "yahoo_quoted",  # Yahoo Mail: attribution and quoted mail
            "chat-transcript",  # Discourse: chat messages quoted into a post
            "discourse-chat-transcript",  # the same from the older chat plugin
        }
    ),
    # Discourse puts a mailed-in reply's quoted history in details.elided; a <details> the
    # author wrote themselves is their text and stays.
    "details": frozenset({"elided"}),
    "a": frozenset({"inline-onebox"}),  # Discourse: a link shown as its page's title
}
_FOREIGN_IDS = frozenset({"mail-editor-reference-message-container"})  # Outlook for Mac/iOS
# Discourse's image lightbox: file name and size shown under the image, not written by anyone.
_LIGHTBOX = frozenset({"lightbox-wrapper", "lightbox"})
_LIGHTBOX_META = frozenset({"meta", "filename", "informations"})
# Everything from these on is the quoted original: Outlook on the web (#appendonsend, an <hr>,
# then #divRplyFwdMsg with the header block), Hotmail/Outlook.com (hr#stopSpelling), Zimbra
# (hr#zwchr), Outlook 2000-2003 (div.OutlookMessageHeader).
_CUT_IDS = frozenset({"appendonsend", "divRplyFwdMsg", "stopSpelling", "zwchr"})
_CUT_CLASSES = frozenset({"OutlookMessageHeader"})
_TAGS = tuple(sorted({"img", "span", "div", "hr", *_FOREIGN_TAGS, *_FOREIGN_CLASSES}))

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "br",
        "tr",
        "td",  # a cell is a line: Discourse's Markdown tables put a vote in a cell
        "th",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "aside",
        "details",
        "summary",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "figure",
        "figcaption",
    }
)
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# lxml refuses a str that declares its encoding; the text is decoded already, so drop it.
_XML_DECLARATION = re.compile(r"\A[\s\ufeff]*<\?xml[^>]*>", re.IGNORECASE)
# HTML white space collapses to one space when shown (\xa0 is not white space here).
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
_BORDER_STYLE = re.compile(r"border-top(?:-style)?\s*:[^;]*solid")
_LABEL_ENDS = (":", "：")


@dataclass(slots=True)
class _Found:
    """The elements the rules name, in document order, by what is done with them."""

    special: list[Element] = field(default_factory=list)  # rewritten before removal
    foreign: list[Element] = field(default_factory=list)  # removed with their subtree
    markers: list[Element] = field(default_factory=list)  # candidates for a cut to the end


def _find(root: Element) -> _Found:
    found = _Found()
    for node in root.iter(*_TAGS):
        tag = node.tag
        if tag in _FOREIGN_TAGS:
            found.foreign.append(node)
            continue
        ident = node.get("id")
        raw_class = node.get("class")
        if raw_class is None and ident is None and tag != "div":
            continue
        classes = frozenset(raw_class.split()) if raw_class else frozenset()
        if _is_special(tag, classes):
            found.special.append(node)
        elif _is_foreign(node, tag, classes, ident):
            found.foreign.append(node)
        elif ident in _CUT_IDS or classes & _CUT_CLASSES or _has_top_border(node, tag):
            found.markers.append(node)
    return found


def _is_special(tag: str, classes: frozenset[str]) -> bool:
    return (
        (tag == "img" and "emoji" in classes)
        or (tag == "span" and "chcklst-box" in classes)
        or (tag == "div" and "gmail_quote" in classes)
    )


def _is_foreign(node: Element, tag: str, classes: frozenset[str], ident: str | None) -> bool:
    if classes & _FOREIGN_CLASSES.get(tag, frozenset()) or ident in _FOREIGN_IDS:
        return True
    if classes & _LIGHTBOX_META:
        return any(_LIGHTBOX & set(str(up.get("class", "")).split()) for up in node.iterancestors())
    return False


def _has_top_border(node: Element, tag: str) -> bool:
    return tag == "div" and "border-top" in str(node.get("style", ""))


def _rewrite(node: Element) -> None:
    if node.tag == "img":
        _emoji_to_text(node)
    elif node.tag == "span":
        _checkbox_to_text(node)
    else:
        _drop_gmail_attribution(node)


def _emoji_to_text(img: Element) -> None:
    """:+1: images are text again, so a configured emoji vote can be read."""
    span = lxml_html.Element("span")
    span.text = _settable(str(img.get("alt") or img.get("title") or ""))
    span.tail = _settable(img.tail or "")
    parent = img.getparent()
    if parent is not None:
        parent.replace(img, span)


def _checkbox_to_text(box: Element) -> None:
    """Discourse checklist boxes are empty spans: "[x]" ticked, "[ ]" not, as the author typed."""
    mark = "[x]" if "checked" in str(box.get("class", "")).split() else "[ ]"
    tail = box.tail or ""
    box.text = mark if tail[:1].isspace() else mark + " "


def _drop_gmail_attribution(quote: Element) -> None:
    """div.gmail_quote: keep only what follows its quote (text written below it).

    A reply's gmail_quote holds the attribution ("On … wrote:", div.gmail_attr or bare text),
    the quoted mail as a child blockquote (removed with every blockquote), then whatever the
    author wrote below it. Without a child blockquote it is a forwarded mail: all foreign.
    """
    if quote.getparent() is None:
        return
    first = next((child for child in quote if child.tag == "blockquote"), None)
    if first is None:
        _drop_tree(quote)
        return
    quote.text = None
    for earlier in list(first.itersiblings(preceding=True)):
        quote.remove(earlier)  # remove() takes the element's tail text with it


def _remove(nodes: list[Element]) -> None:
    for node in nodes:
        if node.getparent() is not None:
            _drop_tree(node)


def _drop_tree(node: Element) -> None:
    """node.drop_tree(): its tail joins the text before it. lxml holds a control character it
    decoded itself ("&#1;") but refuses to be given one, and a refused text is lost: so the
    texts it joins are made settable first."""
    previous, parent = node.getprevious(), node.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else None
    if node.tail and _XML_INCOMPATIBLE.search(node.tail + (before or "")):
        node.tail = _settable(node.tail)
        if previous is not None:
            previous.tail = _settable(before or "")
        elif parent is not None:
            parent.text = _settable(before or "")
    node.drop_tree()


def _cut_at_quoted_original(root: Element, markers: list[Element]) -> None:
    """Remove the first marker still in the document and everything after it."""
    for marker in markers:
        if _is_in(marker, root) and _starts_quoted_original(marker):
            _cut_from(marker)
            return


def _is_in(node: Element, root: Element) -> bool:
    """False when an ancestor was removed (a marker inside a quote cuts nothing)."""
    ancestors = list(node.iterancestors())
    return bool(ancestors) and ancestors[-1] is root


def _starts_quoted_original(node: Element) -> bool:
    if node.get("id") in _CUT_IDS or _CUT_CLASSES & set(str(node.get("class", "")).split()):
        return True
    return _is_header_block(node)


def _is_header_block(div: Element) -> bool:
    """Outlook's bordered block: a solid top border, text starting with a bold "From:" label.

    The label is read in no language: "From:", "Von:", "От:" all qualify.
    """
    if not _BORDER_STYLE.search(str.lower(str(div.get("style", "")))):
        return False
    label = next(iter(div.iter("b", "strong")), None)
    if label is None:
        return False
    label_text = label.text_content().strip()
    if not label_text.endswith(_LABEL_ENDS) or len(label_text) > 40:
        return False
    return str(div.text_content()).lstrip().startswith(label_text)


def _cut_from(node: Element) -> None:
    """Remove `node`, its tail, and every later sibling of it and of each of its ancestors."""
    here = node
    parent = here.getparent()
    while parent is not None:
        for later in list(here.itersiblings()):
            parent.remove(later)
        here.tail = None
        here, parent = parent, parent.getparent()
    node_parent = node.getparent()
    if node_parent is not None:
        node_parent.remove(node)


def _lay_out_text(root: Element) -> None:
    """Collapse HTML white space as a browser does; one line break around each block element.

    Source line breaks are not line breaks in HTML: mailers wrap long lines anywhere
    ("On 26.06.2014 Alex\n      wrote:"), which would split attributions and header blocks.
    """
    for node in root.iter():
        if node.tail:
            node.tail = _HTML_SPACES.sub(" ", _settable(node.tail))
        if not isinstance(node.tag, str):
            continue  # a comment or processing instruction: its text is not shown
        if node.text:
            node.text = _HTML_SPACES.sub(" ", _settable(node.text))
        if node.tag in _BLOCK_TAGS:
            node.text = "\n" + (node.text or "")
            node.tail = "\n" + (node.tail or "")


def _settable(text: str) -> str:
    """Text lxml will take back: a character reference ("&#1;") decodes to a control
    character that the tree holds but refuses to be given."""
    return _XML_INCOMPATIBLE.sub("", text)


def _parse(html: str) -> Element | None:
    cleaned = _XML_DECLARATION.sub("", _XML_INCOMPATIBLE.sub("", html))
    if not cleaned.strip():
        return None
    try:
        return lxml_html.document_fromstring(cleaned)  # a document: nothing foreign is the root
    except (etree.ParserError, ValueError):
        return None


def html_text(html: str) -> str:
    """Visible text of an HTML body with one line per block element, quotations removed."""
    root = _parse(html)
    if root is None:
        return ""
    found = _find(root)
    for node in found.special:
        _rewrite(node)
    _remove(found.foreign)
    _cut_at_quoted_original(root, found.markers)
    _lay_out_text(root)
    text = etree.tostring(root, method="text", encoding="unicode")
    return "\n".join(line.strip() for line in split_lines(str(text)))
