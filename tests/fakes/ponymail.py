"""A fake lists.apache.org (Pony Mail Foal) speaking its real wire format on 127.0.0.1.

It serves `thread`, `email`, `stats`, `mbox` and `source` under /api/ (as `.lua` and `.json`) from
raw RFC 5322 mails kept in memory, with Foal's quirks a client has to survive: addresses anonymised
for anonymous callers, children without bodies and capped per level, `header_subject` as a fuzzy
phrase match, `since` answering {"changed": false}, date ranges (`d=YYYY-MM`, `d=lte=…`,
`d=dfr=…|dto=…`, `s`/`e`, else the last 30 days), and mboxrd output. Wire-formats.md §4 and §6 are
the contract; the shapes follow ponymail_thread.json and ponymail_stats.json.
"""

from __future__ import annotations

import base64
import calendar
import email
import email.policy
import email.utils
import hashlib
import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeSite

DEFAULT_LIST = "dev@tvm.apache.org"
SHORT_BODY_MAX = 200  # Foal's SHORT_BODY_MAX_LEN
DAY = 86400
UNIT_SECONDS = {"d": DAY, "w": 7 * DAY, "M": 30 * DAY, "y": 365 * DAY}
FAR_FUTURE = 2**62

Doc = dict[str, Any]
Params = dict[str, str]

_MSG_ID = re.compile(r"<[^>]+>")
_ADDRESS = re.compile(r"(\S{1,2})\S*@([-a-zA-Z0-9_.]+)")
_BODY_ADDRESS = re.compile(r"<(\S{1,2})\S*@([-a-zA-Z0-9_.]+)>")
_NEEDS_QUOTES = re.compile(r'[][\\()<>@,:;".]')
_RE_PREFIX = re.compile(r"^([a-zA-Z]+:\s*)+")
_TOKEN = re.compile(r"[a-z0-9]+")
_MBOXRD_FROM = re.compile(rb"^>*From ")
_HEADER_FIELDS = {
    "header_subject": "subject",
    "header_from": "from",
    "header_to": "to",
    "header_body": "body",
    "header_messageid": "message_id",
}


class BadRequest(Exception):
    """A parameter Foal would refuse with 400 text/plain."""


@dataclass(frozen=True)
class StoredMail:
    """One archived mail: the raw source plus the fields Foal's archiver indexes."""

    mid: str
    seq: int
    raw: bytes
    list_id: str
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    from_: str
    to: str
    cc: str
    subject: str
    epoch: int
    body: str
    html_only: bool
    attachments: tuple[Doc, ...]
    filed: int  # the `date` field, which date ranges search: the Date epoch unless told

    @property
    def list_raw(self) -> str:
        return "<" + self.list_id.replace("@", ".", 1) + ">"

    @property
    def parent_id(self) -> str:
        """Whom this mail answers: In-Reply-To, else the last References id."""
        if self.in_reply_to:
            return self.in_reply_to
        return self.references[-1] if self.references else ""

    def field(self, name: str) -> str:
        return str(getattr(self, name if name != "from" else "from_"))


@dataclass(frozen=True)
class Query:
    """The defuzzed search a stats or mbox request stands for."""

    name: str
    domain: str
    start: int
    end: int  # exclusive
    phrases: tuple[tuple[str, tuple[str, ...]], ...]

    def matches(self, mail: StoredMail, *, dated: bool = True) -> bool:
        name, domain = mail.list_id.split("@", 1)
        if self.name not in ("*", name) or self.domain not in ("*", domain):
            return False
        if dated and not self.start <= mail.filed < self.end:
            return False
        return all(_phrase_in(_tokens(mail.field(f)), p) for f, p in self.phrases)


class FakePonyMail(FakeSite):
    """lists.apache.org in memory. Feed it raw mails with add_mail; it answers like Foal."""

    def __init__(self) -> None:
        super().__init__()
        self.mbox_enabled: bool = True  # False: mbox answers 500, to push clients onto email.lua
        self.max_children: int = 250  # Foal fetches at most 250 replies per parent
        self.max_depth: int = 250  # and stops recursing after 250 levels
        self.max_hits: int = 15000  # stats returns at most max_hits + 1 mails (the newest)
        self._mails: dict[str, StoredMail] = {}
        self._seq: Counter[str] = Counter()
        self._data_lock = threading.Lock()
        endpoints = {
            "thread": self._api_thread,
            "email": self._api_email,
            "stats": self._api_stats,
            "mbox": self._api_mbox,
            "source": self._api_source,
        }
        for name, handler in endpoints.items():
            for ext in ("lua", "json"):
                self.app.router.add_route("GET", f"/api/{name}.{ext}", handler)
                self.app.router.add_route("POST", f"/api/{name}.{ext}", handler)

    # --- data ---------------------------------------------------------------------------------

    def add_mail(
        self, raw: bytes, *, list_id: str = DEFAULT_LIST, filed_at: int | None = None
    ) -> str:
        """Archive one raw mail on a list and return its permalink id (mid). `filed_at` sets the
        `date` field date ranges search (wire-formats.md §4: `epoch` is the sender's Date, the
        `date` field drives range filters); by default it is the Date header's epoch."""
        if "@" not in list_id:
            raise ValueError(f"list_id must look like dev@tvm.apache.org, not {list_id!r}")
        with self._data_lock:
            self._seq[list_id] += 1
            mail = parse_mail(raw, list_id=list_id, seq=self._seq[list_id], filed_at=filed_at)
            self._mails[mail.mid] = mail
        return mail.mid

    def thread_url(self, mid: str) -> str:
        return f"{self.url}/thread/{mid}"

    def mid_of(self, message_id: str, *, list_id: str | None = None) -> str:
        """The mid of a stored Message-ID (angle brackets optional); KeyError if unknown."""
        found = self._by_message_id(_bracket(message_id), list_id)
        if found is None:
            raise KeyError(message_id)
        return found.mid

    def _snapshot(self) -> list[StoredMail]:
        with self._data_lock:
            return list(self._mails.values())

    def _by_message_id(self, message_id: str, list_id: str | None) -> StoredMail | None:
        for mail in self._snapshot():
            if mail.message_id == message_id and list_id in (None, mail.list_id):
                return mail
        return None

    def _lookup(self, params: Params) -> StoredMail | None:
        """Foal's get_email: by permalink first, then by Message-ID (optionally on `listid`)."""
        ident = params.get("id", "")
        with self._data_lock:
            mail = self._mails.get(ident)
        if mail is not None:
            return mail
        listid = params.get("listid", "").strip("<>")
        list_id = listid.replace(".", "@", 1) if listid else None
        return self._by_message_id(_bracket(ident), list_id) if ident else None

    # --- endpoints ----------------------------------------------------------------------------

    async def _api_thread(self, request: web.Request) -> web.Response:
        params = await _params(request)
        root = self._lookup(params)
        if root is None:
            return _text(404, "Email not found!")
        if "find_parent" in params and params["find_parent"].lower() == "true":
            root = self._find_parent(root)
        index = self._children_index(root.list_id)
        doc = ui_doc(root)
        emails = [dict(doc)]
        doc["children"] = self._short_tree(root, index, depth=1, seen={root.mid})
        return _json({"thread": doc, "emails": emails})

    async def _api_email(self, request: web.Request) -> web.Response:
        mail = self._lookup(await _params(request))
        if mail is None:
            return _text(404, "Email not found!")
        return _json(full_doc(mail))

    async def _api_source(self, request: web.Request) -> web.Response:
        mail = self._lookup(await _params(request))
        if mail is None:
            return _text(404, "Email not found!")
        return web.Response(body=mail.raw, content_type="text/plain", charset="utf-8")

    async def _api_stats(self, request: web.Request) -> web.Response:
        params = await _params(request)
        if "domain" not in params and "@" not in params.get("list", ""):
            return _json({})  # Foal's answer to a search without list and domain
        try:
            query = parse_query(params, now=int(time.time()))
        except BadRequest as exc:
            return _text(400, str(exc))
        mails = self._snapshot()
        hits = sorted((m for m in mails if query.matches(m)), key=lambda m: m.epoch)
        hits = hits[-(self.max_hits + 1) :]
        if "since" in params and not _changed_since(hits, params["since"]):
            return _json({"changed": False})
        span = [m for m in mails if query.matches(m, dated=False)]
        return _json(stats_doc(query, params, hits, span))

    async def _api_mbox(self, request: web.Request) -> web.Response:
        if not self.mbox_enabled:
            return _text(500, "Internal server error")
        params = await _params(request)
        params.setdefault("list", "*")
        try:
            query = parse_query(params, now=int(time.time()))
        except BadRequest as exc:
            return _text(400, str(exc))
        hits = sorted((m for m in self._snapshot() if query.matches(m)), key=lambda m: m.epoch)
        body = b"".join(mboxrd_entry(mail) for mail in hits)
        month = params.get("d") or params.get("date") or params.get("s") or ""
        name = "_".join(_safe(part) for part in (query.name, query.domain, month) if part)
        headers = {"Content-Disposition": f"attachment; filename={name}.mbox"}
        return web.Response(body=body, content_type="application/mbox", headers=headers)

    # --- threads ------------------------------------------------------------------------------

    def _find_parent(self, mail: StoredMail) -> StoredMail:
        """Walk In-Reply-To up at most 50 hops, as find_parent=true does."""
        for _ in range(50):
            if not mail.in_reply_to:
                break
            parent = self._by_message_id(mail.in_reply_to, mail.list_id)
            if parent is None:
                break
            mail = parent
        return mail

    def _children_index(self, list_id: str) -> dict[str, list[StoredMail]]:
        """Parent Message-ID -> its replies on the list, oldest first (one pass, not per level)."""
        index: dict[str, list[StoredMail]] = defaultdict(list)
        for mail in self._snapshot():
            if mail.list_id == list_id and mail.parent_id:
                index[mail.parent_id].append(mail)
        for kids in index.values():
            kids.sort(key=lambda m: (m.epoch, m.seq))
        return index

    def _short_tree(
        self, mail: StoredMail, index: dict[str, list[StoredMail]], *, depth: int, seen: set[str]
    ) -> list[Doc]:
        """Nested short docs below `mail`, capped like Foal's fetch_children."""
        if depth > self.max_depth:
            return []
        tree = []
        for kid in index.get(mail.message_id, [])[: self.max_children]:
            if kid.mid in seen:
                continue
            seen.add(kid.mid)
            children = self._short_tree(kid, index, depth=depth + 1, seen=seen)
            tree.append(short_doc(kid, children))
        return tree


# --- parsing the raw mail ---------------------------------------------------------------------


def parse_mail(raw: bytes, *, list_id: str, seq: int, filed_at: int | None = None) -> StoredMail:
    """Index one raw mail the way Foal's archiver does, with the stdlib parser."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = _first_id(msg.get("Message-ID")) or _synthetic_id(raw)
    body, html_only = _body(msg)
    epoch = _epoch(msg)
    return StoredMail(
        mid=make_mid(list_id, message_id),
        seq=seq,
        raw=raw,
        list_id=list_id,
        message_id=message_id,
        in_reply_to=_first_id(msg.get("In-Reply-To")),
        references=tuple(_MSG_ID.findall(str(msg.get("References") or ""))),
        from_=_header(msg, "From"),
        to=_header(msg, "To"),
        cc=_header(msg, "Cc"),
        subject=_header(msg, "Subject"),
        epoch=epoch,
        body=body,
        html_only=html_only,
        attachments=tuple(_attachments(msg)),
        filed=epoch if filed_at is None else filed_at,
    )


def make_mid(list_id: str, message_id: str) -> str:
    """32 lower-case base32 characters, stable per (list, Message-ID) like Foal's DKIM-ID."""
    digest = hashlib.sha256(f"{list_id}\n{message_id}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:32]


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _first_id(value: object) -> str:
    found = _MSG_ID.search(str(value or ""))
    return found.group(0) if found else ""


def _synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha1(raw).hexdigest()}@fake-ponymail.invalid>"


def _bracket(message_id: str) -> str:
    message_id = message_id.strip()
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _epoch(msg: Message) -> int:
    """The Date header's epoch; else the top Received header's date; else 0 (Foal's fallbacks)."""
    candidates = [str(msg.get("Date") or "")]
    received = msg.get_all("Received") or []
    if received:
        candidates.append(str(received[0]).rsplit(";", 1)[-1])
    for text in candidates:
        try:
            when = email.utils.parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return int(when.timestamp())
    return 0


def _body(msg: Message) -> tuple[str, bool]:
    """The first text/plain part; failing that the raw HTML (html_source_only)."""
    for subtype, html_only in (("plain", False), ("html", True)):
        for part in msg.walk():
            if (
                part.get_content_type() == f"text/{subtype}"
                and part.get_content_disposition() != "attachment"
            ):
                return _decoded(part), html_only
    return "", False


def _decoded(part: Message) -> str:
    if isinstance(part, EmailMessage):
        try:
            return str(part.get_content())
        except (LookupError, UnicodeError):
            pass
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachments(msg: Message) -> Iterable[Doc]:
    for part in msg.walk():
        if part.is_multipart() or part.get_filename() is None:
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        yield {
            "content_type": part.get_content_type(),
            "filename": part.get_filename(),
            "hash": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }


# --- anonymisation and documents --------------------------------------------------------------


def anonymise_addresses(value: str) -> str:
    """Foal's anonymize for from/to/cc: each address becomes its first 1-2 chars + '...@domain'."""
    if not value:
        return ""
    out = []
    for name, addr in email.utils.getaddresses([value]):
        hidden = _ADDRESS.sub(r"\1...@\2", addr)
        out.append(_format_address(name, hidden))
    return ",\n ".join(out)


def _format_address(name: str, addr: str) -> str:
    if not (name and addr):
        return addr
    quote = '"' if _NEEDS_QUOTES.search(name) else ""
    escaped = re.sub(r'[\\"]', r"\\\g<0>", name)
    return f"{quote}{escaped}{quote} <{addr}>"


def anonymise_body(body: str) -> str:
    """Only `<addr>` inside a body is hidden, as Foal does; bare addresses stay."""
    return _BODY_ADDRESS.sub(r"<\1...@\2>", body)


def body_short(body: str) -> str:
    return body if len(body) <= SHORT_BODY_MAX else body[:SHORT_BODY_MAX] + "..."


def gravatar(mail: StoredMail) -> str:
    address = email.utils.parseaddr(mail.from_)[1].strip().lower()
    return hashlib.md5(address.encode()).hexdigest()


def ui_doc(mail: StoredMail, *, short: bool = False) -> Doc:
    """A mail trimmed to Foal's USED_UI_FIELDS; `short` puts body_short in `body` (stats)."""
    body = anonymise_body(mail.body)
    return {
        "attachments": list(mail.attachments),
        "body": body_short(body) if short else body,
        "epoch": mail.epoch,
        "from": anonymise_addresses(mail.from_),
        "gravatar": gravatar(mail),
        "id": mail.mid,
        "in-reply-to": mail.in_reply_to,
        "list": mail.list_raw,
        "list_raw": mail.list_raw,
        "message-id": mail.message_id,
        "mid": mail.mid,
        "private": False,
        "subject": mail.subject,
    }


def full_doc(mail: StoredMail) -> Doc:
    """email.lua: the untrimmed document (Foal leaves from_raw as it is)."""
    body = anonymise_body(mail.body)
    return {
        "id": mail.mid,
        "mid": mail.mid,
        "dbid": hashlib.sha3_256(mail.raw).hexdigest(),
        "message-id": mail.message_id,
        "from": anonymise_addresses(mail.from_),
        "from_raw": mail.from_,
        "to": anonymise_addresses(mail.to),
        "cc": anonymise_addresses(mail.cc),
        "subject": mail.subject,
        "date": time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(mail.filed)),
        "epoch": mail.epoch,
        "list": mail.list_raw,
        "list_raw": mail.list_raw,
        "body": body,
        "body_short": body_short(body),
        "private": False,
        "references": " ".join(mail.references),
        "in-reply-to": mail.in_reply_to,
        "attachments": list(mail.attachments),
        "permalinks": [mail.mid],
        "forum": mail.list_id,
        "size": len(mail.raw),
        "html_source_only": mail.html_only,
        "gravatar": gravatar(mail),
    }


def short_doc(mail: StoredMail, children: list[Doc]) -> Doc:
    """A thread.lua child: no body, but tid and irt."""
    return {
        "tid": mail.mid,
        "mid": mail.mid,
        "message-id": mail.message_id,
        "subject": mail.subject,
        "from": anonymise_addresses(mail.from_),
        "id": mail.mid,
        "epoch": mail.epoch,
        "irt": mail.in_reply_to,
        "list_raw": mail.list_raw,
        "children": children,
    }


# --- searching (stats, mbox) ------------------------------------------------------------------


def parse_query(params: Params, *, now: int) -> Query:
    """Foal's defuzzer, reduced to list/domain, dates and header_* phrase filters."""
    name, domain = params.get("list", "*"), params.get("domain", "*")
    if "@" in name:
        name, domain = name.split("@", 1)
    start, end = _date_range(params, now)
    phrases = tuple(
        (field, tuple(_tokens(params[key])))
        for key, field in _HEADER_FIELDS.items()
        if key in params
    )
    return Query(name=name, domain=domain, start=start, end=end, phrases=phrases)


def _date_range(params: Params, now: int) -> tuple[int, int]:
    """[start, end) epochs for d=YYYY-M[M], d=lte|gte=N[dwMy], d=dfr=YYYY-MM-DD|dto=YYYY-MM-DD,
    s=…&e=…; else the last 30 days."""
    d = params.get("d") or params.get("date")
    if d:
        if month := re.fullmatch(r"(\d{4})-(\d{1,2})", d):
            return _month_range(int(month[1]), int(month[2]), int(month[1]), int(month[2]))
        if rel := re.fullmatch(r"(lte|gte)=(\d+)([dwMy])", d):
            edge = now - int(rel[2]) * UNIT_SECONDS[rel[3]]
            return (edge, FAR_FUTURE) if rel[1] == "lte" else (0, edge + 1)
        if span := re.fullmatch(r"dfr=(\d{4})-(\d+)-(\d+)\|dto=(\d{4})-(\d+)-(\d+)", d):
            return _day_span(*(int(part) for part in span.groups()))
        raise BadRequest(f"Invalid date range: {d}")
    if "s" in params and "e" in params:
        s = re.fullmatch(r"(\d{4})-(\d{1,2})", params["s"])
        e = re.fullmatch(r"(\d{4})-(\d{1,2})", params["e"])
        if not (s and e):
            raise BadRequest("Invalid s/e dates")
        return _month_range(int(s[1]), int(s[2]), int(e[1]), int(e[2]))
    return now - 30 * DAY, FAR_FUTURE


def _day_span(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> tuple[int, int]:
    """Foal's dfr/dto: after dfr 00:00:00 and before dto 23:59:59 (both bounds exclusive)."""
    try:
        start = calendar.timegm(datetime(y1, m1, d1).timetuple())
        end = calendar.timegm(datetime(y2, m2, d2, 23, 59, 59).timetuple())
    except ValueError as exc:
        raise BadRequest(f"Invalid date range: {exc}") from None
    return start + 1, end


def _month_range(y1: int, m1: int, y2: int, m2: int) -> tuple[int, int]:
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        raise BadRequest("Invalid month")
    end_year, end_month = (y2 + 1, 1) if m2 == 12 else (y2, m2 + 1)
    return calendar.timegm((y1, m1, 1, 0, 0, 0)), calendar.timegm((end_year, end_month, 1, 0, 0, 0))


def _tokens(text: str) -> list[str]:
    """What an Elasticsearch standard analyser roughly makes of a text field."""
    return _TOKEN.findall(text.lower())


def _phrase_in(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """match_phrase: the phrase's tokens appear consecutively; an empty phrase matches nothing."""
    size = len(phrase)
    if not size:
        return False
    return any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1))


def _changed_since(hits: list[StoredMail], since: str) -> bool:
    try:
        edge = float(since)
    except ValueError:
        return True
    return any(mail.epoch > edge for mail in hits)


def stats_doc(query: Query, params: Params, hits: list[StoredMail], span: list[StoredMail]) -> Doc:
    """The stats.lua answer, shaped like ponymail_stats.json."""
    emails_only = "emailsOnly" in params
    first = min((m.epoch for m in span), default=0)
    last = max((m.epoch for m in span), default=0)
    doc: Doc = {
        "firstYear": time.gmtime(first).tm_year,
        "lastYear": time.gmtime(last).tm_year,
        "firstMonth": time.gmtime(first).tm_mon,
        "lastMonth": time.gmtime(last).tm_mon,
        "active_months": _active_months(span),
        "hits": len(hits),
        "numparts": 0 if emails_only else len({m.from_ for m in hits}),
        "no_threads": 0,
        "emails": [ui_doc(m, short=True) for m in hits],
        "participants": {} if emails_only else _participants(hits),
        "searchlist": f"<{query.name}.{query.domain}>",
        "domain": query.domain,
        "name": query.name,
        "list": f"{query.name}@{query.domain}",
        "searchParams": params,
        "unixtime": int(time.time()),
    }
    if not emails_only:
        doc["thread_struct"] = thread_struct(hits)
        doc["no_threads"] = len(doc["thread_struct"])
        doc["cloud"] = {}
    return doc


def _active_months(mails: list[StoredMail]) -> dict[str, int]:
    months = Counter(time.strftime("%Y-%m", time.gmtime(m.epoch)) for m in mails)
    return dict(sorted(months.items()))


def _participants(mails: list[StoredMail]) -> list[Doc]:
    """The top ten authors, addresses anonymised."""
    counts = Counter(m.from_ for m in mails)
    sample = {m.from_: m for m in mails}
    top = []
    for author, count in counts.most_common(10):
        name, addr = email.utils.parseaddr(anonymise_addresses(author))
        top.append(
            {"email": addr, "name": name, "count": count, "gravatar": gravatar(sample[author])}
        )
    return top


def thread_struct(mails: list[StoredMail]) -> list[Doc]:
    """Threads by In-Reply-To, else by subject minus Re:/Fwd: (Foal's ThreadConstructor)."""
    threads: list[Doc] = []
    by_message_id: dict[str, Doc] = {}
    by_subject: dict[str, Doc] = {}
    for mail in sorted(mails, key=lambda m: m.epoch):
        subject = mail.subject.replace("\n", "")
        tsubject = _RE_PREFIX.sub("", subject) + "_" + mail.list_raw
        parent = by_message_id.get(mail.in_reply_to) or by_subject.get(tsubject)
        node: Doc = {
            "children": [],
            "tid": mail.mid,
            "subject": subject,
            "tsubject": tsubject,
            "epoch": mail.epoch,
            "nest": parent["nest"] + 1 if parent else 1,
        }
        (parent["children"] if parent else threads).append(node)
        by_message_id[mail.message_id] = node
        by_subject.setdefault(tsubject, node)
    return threads


# --- mbox -------------------------------------------------------------------------------------


def mboxrd_entry(mail: StoredMail) -> bytes:
    """One mboxrd entry: From_ line, body lines matching ^>*From  get one more '>', blank line."""
    lines = mail.raw.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if lines and lines[0].startswith(b"From "):
        from_line, lines = lines[0], lines[1:]
    else:
        from_line = _from_line(mail)
    escaped = [b">" + line if _MBOXRD_FROM.match(line) else line for line in lines]
    return b"\n".join([from_line, *escaped]) + b"\n\n"


def _from_line(mail: StoredMail) -> bytes:
    name, domain = mail.list_id.split("@", 1)
    when = time.asctime(time.gmtime(mail.epoch))
    return f"From {name}-return-{mail.seq}-archiver=mbox-vm.apache.org@{domain} {when}".encode()


def _safe(part: str) -> str:
    return re.sub(r"[^-_.a-z0-9]+", "_", part.lower())


# --- HTTP helpers -----------------------------------------------------------------------------


async def _params(request: web.Request) -> Params:
    """Query string, with a form body (.lua) or JSON body (.json) merged over it."""
    params = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.path.endswith(".json"):
            data = await request.json()
            if isinstance(data, dict):
                params.update({str(k): str(v) for k, v in data.items()})
        else:
            params.update({k: str(v) for k, v in (await request.post()).items()})
    return params


def _json(doc: Doc) -> web.Response:
    return web.Response(text=json.dumps(doc, indent=2), content_type="application/json")


def _text(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message + "\n", content_type="text/plain")
