"""The Jinja2 environment and the small helpers templates use to show untrusted data safely.

Everything shown comes from public posts and is untrusted: autoescaping is always on, no
template uses `|safe`, and only http(s) URLs ever become links.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
from aiohttp import web

from harvester.web.context import context, signed_in
from harvester.web.labels import short_label
from harvester.web.marks import ballot_marks
from harvester.web.timefmt import show_time

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# A URL that starts with the scheme itself (no leading blanks a browser would strip) and holds
# no whitespace or control characters cannot turn into javascript:, data: or similar.
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)


def is_web_url(value: object) -> bool:
    """Whether `value` may be the href of a link."""
    return isinstance(value, str) and _WEB_URL.match(value) is not None


def path_segment(value: object) -> str:
    """`value` as one segment of a local path: every "/", "?", "#" and "%" escaped too, so an
    id cannot reach another route (Jinja's urlencode keeps "/")."""
    return quote(str(value), safe="")


def bar_width(have: object, need: object, at_most: object = False) -> int:
    """How full a threshold bar is drawn, 0-100 in steps of 5 (CSS classes w-0 … w-100)."""
    if not isinstance(have, int) or not isinstance(need, int):
        return 0
    if need <= 0:
        # "at most 0" is empty until someone crosses it; "at least 0" is always full.
        return (100 if have > 0 else 0) if at_most else 100
    share = min(max(have, 0) / need, 1.0)
    # Rounded down, so a bar only looks full when the threshold is reached.
    return int(share * 20) * 5


# Controls no page should carry raw: NUL and the other C0/C1 controls (tab and newline are
# layout), and the bidi overrides and isolates that can make text read backwards ("Trojan
# Source"). Each is shown as its code point instead.
_INVISIBLE = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
_INVISIBLE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SHOWN = {code: f"<U+{code:04X}>" for code in _INVISIBLE}


def visible(value: object) -> object:
    """What `{{ value }}` prints: a string with invisible controls spelled out; markup that
    templates built (already escaped, already made visible) and other values unchanged."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return value.translate(_SHOWN)
    return value


_MESSAGE_ID_URL = re.compile(r"mid:[^\s;,]+")


def short_message_ids(text: object) -> object:
    """`text` (an audit line, say) as markup whose `mid:` URLs show as short labels, each with
    the whole URL in its title; everything else escaped and made visible as `{{ }}` would."""
    if not isinstance(text, str):
        return text
    pieces: list[markupsafe.Markup] = []
    done = 0
    for found in _MESSAGE_ID_URL.finditer(text):
        pieces.append(markupsafe.escape(visible(text[done : found.start()])))
        whole = found.group(0)
        pieces.append(
            markupsafe.Markup('<code class="url" title="{}">{}</code>').format(
                visible(whole), visible(short_label(whole))
            )
        )
        done = found.end()
    pieces.append(markupsafe.escape(visible(text[done:])))
    return markupsafe.Markup("").join(pieces)


def make_environment() -> jinja2.Environment:
    """Templates from harvester/web/templates, HTML autoescaped, controls made visible."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=visible,
    )
    env.filters["when"] = show_time
    env.filters["short"] = short_label
    env.filters["segment"] = path_segment
    env.filters["short_ids"] = short_message_ids
    env.tests["web_url"] = is_web_url
    env.globals["bar_width"] = bar_width
    env.globals["ballot_marks"] = ballot_marks
    return env


def _layout(request: web.Request, values: dict[str, Any]) -> dict[str, Any]:
    """What every page's layout needs: who is signed in and whether writes are possible."""
    ctx = context(request)
    return {"actor": signed_in(request), "writes": bool(ctx.token), "here": request.path_qs}


def _page(text: str, status: int) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def render(
    request: web.Request, name: str, values: dict[str, Any], *, status: int = 200
) -> web.Response:
    """A small page (a form, an error), rendered at once."""
    template = context(request).templates.get_template(name)
    return _page(template.render(**_layout(request, values), **values), status)


async def render_large(
    request: web.Request, name: str, values: dict[str, Any], *, status: int = 200
) -> web.Response:
    """A page that may be large (a vote of thousands of ballots, every vote), rendered in a
    thread so the event loop keeps answering /healthz and other requests meanwhile."""
    template = context(request).templates.get_template(name)
    text = await asyncio.to_thread(template.render, **_layout(request, values), **values)
    return _page(text, status)


def error_page(
    request: web.Request, status: int, message: str, *, sign_in: str = ""
) -> web.Response:
    """A one-line error as a page; `sign_in` (a local path) adds a login link returning there."""
    values = {"status": status, "message": message, "sign_in": sign_in}
    return render(request, "error.html", values, status=status)
