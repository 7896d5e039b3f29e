"""HTML (Discourse cooked posts, HTML-only mail) -> plain lines of the author's visible text.

Quotations, code, link previews, polls and mail clients' quoted originals are removed here, in one
XPath pass; what is left goes through the same plain-text rules as any mail.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html


def split_lines(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Discourse and HTML mail: elements whose text is not the author's own words in this post:
# quotes, code, link previews, polls, mail clients' quoted originals. One XPath, one pass.
_FOREIGN = etree.XPath(
    " | ".join(
        [
            f"//aside[{_has_class('quote')} or {_has_class('onebox')}]",
            "//blockquote",
            "//pre",
            "//code",
            f"//div[{_has_class('poll')} or {_has_class('lazy-video-container')}"
            f" or {_has_class('gmail_quote')} or {_has_class('moz-cite-prefix')}"
            " or @id='appendonsend' or @id='divRplyFwdMsg']",
            "//style",
            "//script",
            "//head",
        ]
    )
)
_EMOJI_IMAGES = etree.XPath(f"//img[{_has_class('emoji')}]")
_BLOCK_TAGS = ("p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "aside")
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _elements(xpath: etree.XPath, root: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    found = xpath(root)
    if not isinstance(found, list):
        return []
    return [node for node in found if isinstance(node, lxml_html.HtmlElement)]


def _emoji_to_text(root: lxml_html.HtmlElement) -> None:
    """:+1: images are text again, so a configured emoji vote can be read."""
    for img in _elements(_EMOJI_IMAGES, root):
        span = lxml_html.Element("span")
        span.text = str(img.get("alt") or img.get("title") or "")
        span.tail = img.tail
        parent = img.getparent()
        if parent is not None:
            parent.replace(img, span)


def _remove_foreign(root: lxml_html.HtmlElement) -> None:
    for node in _elements(_FOREIGN, root):
        if node.getparent() is not None:
            node.drop_tree()


def _break_blocks(root: lxml_html.HtmlElement) -> None:
    for node in root.iter(*_BLOCK_TAGS):
        node.text = "\n" + (node.text or "")
        node.tail = "\n" + (node.tail or "")


def html_text(html: str) -> str:
    """Visible text of an HTML body with one line per block element, quotations removed."""
    cleaned = _XML_INCOMPATIBLE.sub("", html)
    if not cleaned.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(cleaned)  # a document: nothing foreign is the root
    except (etree.ParserError, ValueError):
        return ""
    _emoji_to_text(root)
    _remove_foreign(root)
    _break_blocks(root)
    text = etree.tostring(root, method="text", encoding="unicode")
    return "\n".join(line.strip() for line in split_lines(str(text)))
