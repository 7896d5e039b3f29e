"""lists.apache.org (Pony Mail Foal) -> Thread: a list thread with full bodies and real senders.

`api/thread.lua` gives the thread's shape but no bodies, and anonymised addresses
("ja...@apache.org"). Bodies and real From lines come from the list's mbox for each month the
thread spans (`api/mbox.lua`, filtered by the subject phrase); messages the mbox did not hold
fall back to `api/email.lua`, a few at a time. Membership is decided by In-Reply-To/References,
so replies the server's 250-per-level thread walk missed are still found in the mbox.

Polling (`poll_thread`) asks `api/stats.lua` once whether the list holds mail in the thread that
the cursor does not know; only then is the thread read again in full.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeGuard
from urllib.parse import parse_qs, unquote, urlsplit

import msgspec

from harvester.errors import SourceError
from harvester.model import SANE_SINCE, SANE_UNTIL, Author, Message, Thread, ThreadUpdate
from harvester.sources.http import HttpClient, HttpError
from harvester.sources.mailparse import EPOCH
from harvester.sources.mbox import iter_mbox_bytes
from harvester.sources.progress import Progress, Tracker
from harvester.sources.shapes import decode_answer
from harvester.sources.tasks import gather_all

EMAIL_CONCURRENCY = 4  # email.lua requests in flight at once when the mbox falls short
_LIST_RAW = re.compile(r"<?([^.<>@]+)\.([^<>@]+?)>?$")  # "<dev.tvm.apache.org>"
_MID = re.compile(r"^(?=.*\d)[0-9a-z]{20,}$")  # Foal's ids: 32 base32 characters
CHILDREN_CAP = 250  # thread.lua lists at most this many replies to one message
MONTHS_PAST_CAP = 12  # how far to follow a capped thread into later months
_ANONYMISED = "...@"


# --- the JSON harvester reads: only these fields; unknown ones pass ----------------------------


class NodeShape(msgspec.Struct):
    """One message of thread.lua's tree: who and when, but no body."""

    epoch: int | float  # from the sender's Date header
    mid: str | None = None  # the permalink id; older answers call it `id`
    id: str | None = None
    message_id: str | None = msgspec.field(default=None, name="message-id")
    subject: str | None = None
    list_raw: str | None = None  # "<dev.tvm.apache.org>"; older answers call it `list`
    list_id: str | None = msgspec.field(default=None, name="list")
    children: list[NodeShape] | None = None


class ThreadShape(msgspec.Struct):
    """`api/thread.lua`: the thread's root, with the replies under it."""

    thread: NodeShape


class EmailShape(msgspec.Struct):
    """`api/email.lua`: one message with its body; the From address is anonymised."""

    epoch: int | float
    sender: str | None = msgspec.field(default=None, name="from")
    message_id: str | None = msgspec.field(default=None, name="message-id")
    subject: str | None = None
    body: str | None = None
    in_reply_to: str | None = msgspec.field(default=None, name="in-reply-to")
    references: str | None = None  # Message-IDs separated by white space


class HitShape(msgspec.Struct):
    """One of stats.lua's `emails`: enough to spot a [VOTE] thread and open it."""

    epoch: int | float
    mid: str | None = None
    id: str | None = None
    message_id: str | None = msgspec.field(default=None, name="message-id")
    subject: str | None = None
    sender: str | None = msgspec.field(default=None, name="from")
    in_reply_to: str | None = msgspec.field(default=None, name="in-reply-to")


# Anything in `emails` that is not an object is skipped: it names no mail to look at.
NotAHit = str | int | float | bool | list[object] | None


class StatsShape(msgspec.Struct):
    """`api/stats.lua?emailsOnly`: the hits, or {"changed": false} when told `since`."""

    changed: bool | None = None
    emails: list[HitShape | NotAHit] | None = None


THREAD = "a Pony Mail thread"
EMAIL = "a Pony Mail email"
STATS = "a Pony Mail stats answer"


@dataclass(frozen=True)
class ThreadRef:
    base: str  # scheme://host; the API is at {base}/api/
    mid: str  # Pony Mail's permalink id of a message in the thread


@dataclass(frozen=True)
class Node:
    """One message of the thread.lua tree: who and when, but no body."""

    mid: str
    message_id: str
    epoch: int
    subject: str
    list_raw: str
    replies_listed: int = 0  # CHILDREN_CAP means the server stopped listing


@dataclass(frozen=True)
class ListedMail:
    """One hit of stats.lua: enough to spot a [VOTE] thread and open it."""

    mid: str
    message_id: str
    subject: str
    epoch: int
    sender: str
    in_reply_to: str


def parse_thread_url(url: str) -> ThreadRef | None:
    """/thread/<mid>, /thread.html/<mid>, api/thread.lua|email.lua?id=<mid>, list.html?…:<mid>."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path
    for prefix in ("/thread/", "/thread.html/"):
        if path.startswith(prefix) and len(path) > len(prefix):
            return ThreadRef(base, unquote(path[len(prefix) :].strip("/")))
    if re.fullmatch(r"/api/(thread|email)\.(lua|json)", path):
        ids = parse_qs(parts.query).get("id")
        return ThreadRef(base, ids[0]) if ids else None
    if path in {"/list.html", "/list"}:
        last = unquote(parts.query).rsplit(":", 1)[-1]
        return ThreadRef(base, last) if _MID.match(last) else None
    return None


def _bare_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def _nodes(tree: NodeShape) -> list[Node]:
    """Flatten thread.lua's nested `children` (depth first) into Nodes."""
    found: list[Node] = []
    stack = [tree]
    while stack:
        item = stack.pop()
        children = item.children or []
        found.append(
            Node(
                mid=item.mid or item.id or "",
                message_id=_bare_id(item.message_id or ""),
                epoch=_seconds(item.epoch),
                subject=item.subject or "",
                list_raw=item.list_raw or item.list_id or "",
                replies_listed=len(children),
            )
        )
        stack.extend(reversed(children))
    return found


def _time_of(epoch: int) -> datetime:
    """A message's time; outside the sane range it is unknown (the epoch), never trusted."""
    return datetime.fromtimestamp(epoch, UTC) if _is_sane_epoch(epoch) else EPOCH


def _seconds(epoch: int | float) -> int:
    """Whole seconds; a non-finite epoch (NaN, Infinity) is as unknown as any insane one."""
    if isinstance(epoch, int):
        return epoch
    return int(epoch) if math.isfinite(epoch) else 0


def list_address(list_raw: str) -> tuple[str, str]:
    """'<dev.tvm.apache.org>' -> ('dev', 'tvm.apache.org')."""
    found = _LIST_RAW.match(list_raw.strip())
    if found is None:
        raise SourceError(list_raw, "not a list id (expected <list.domain>)")
    return found[1], found[2]


def _is_sane_epoch(epoch: int) -> bool:
    return SANE_SINCE.timestamp() <= epoch < SANE_UNTIL.timestamp()


def months_spanned(first: int, last: int) -> list[str]:
    """YYYY-MM for every UTC month from the epoch `first` to `last`, inclusive; times outside
    the sane range are brought into it (a poison date must not walk ten thousand months)."""
    low, high = int(SANE_SINCE.timestamp()), int(SANE_UNTIL.timestamp()) - 1
    first, last = min(max(first, low), high), min(max(last, low), high)
    start = datetime.fromtimestamp(first, UTC)
    end = datetime.fromtimestamp(last, UTC)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def subject_phrase(subject: str) -> str:
    """The root subject without reply prefixes: the server matches it as a phrase."""
    return re.sub(r"^(\s*(re|aw|sv|fwd?)\s*:\s*)+", "", subject, flags=re.IGNORECASE).strip()


def _connected(messages: Iterable[Message], known_ids: set[str]) -> list[Message]:
    """Messages of the thread: those the tree named, and any that reply into the thread."""
    members = set(known_ids)
    chosen: dict[str, Message] = {}
    for message in sorted(messages, key=lambda m: m.sent_at):
        parents = {message.in_reply_to, *message.references} - {""}
        if message.source_id in members or parents & members:
            members.add(message.source_id)
            chosen.setdefault(message.source_id, message)
    return list(chosen.values())


async def _month_mbox(
    client: HttpClient, ref: ThreadRef, list_raw: str, month: str, phrase: str
) -> list[Message]:
    name, domain = list_address(list_raw)
    params = [("list", name), ("domain", domain), ("d", month)]
    if phrase:
        params.append(("header_subject", phrase))
    target = f"{ref.base}/api/mbox.lua"
    fetched = await client.get(target, params=params)
    return list(iter_mbox_bytes(fetched.body, where=f"{target}?d={month}"))


async def _mbox_messages(
    client: HttpClient, ref: ThreadRef, nodes: Sequence[Node]
) -> list[Message] | None:
    """The raw mails of the months the thread spans, or None when the mbox API is unavailable.

    When the server stopped listing replies (CHILDREN_CAP), the newest ones may be in later
    months: follow month by month while each one still adds messages to the thread."""
    root = nodes[0]
    sane = [n.epoch for n in nodes if _is_sane_epoch(n.epoch)] or [n.epoch for n in nodes]
    months = months_spanned(min(sane), max(sane))
    phrase = subject_phrase(root.subject)
    try:
        batches = await gather_all(
            *(_month_mbox(client, ref, root.list_raw, month, phrase) for month in months)
        )
        found = [message for batch in batches for message in batch]
        if any(n.replies_listed >= CHILDREN_CAP for n in nodes):
            ids = {n.message_id for n in nodes}
            month = months[-1]
            for _ in range(MONTHS_PAST_CAP):
                month = next_month(month)
                before = len(_connected(found, ids))
                found += await _month_mbox(client, ref, root.list_raw, month, phrase)
                if len(_connected(found, ids)) == before:
                    break
    except HttpError:
        return None
    return found


def next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def _from_email(email: EmailShape) -> Message:
    """email.lua's document -> Message; its From address is anonymised, so only the name is kept."""
    name, address = _split_from(email.sender or "")
    references = tuple(_bare_id(r) for r in (email.references or "").split() if r)
    return Message(
        source="mail",
        source_id=_bare_id(email.message_id or ""),
        url="",
        subject=email.subject or "",
        author=Author(name=name, address="" if _ANONYMISED in address else address.lower()),
        sent_at=_time_of(_seconds(email.epoch)),
        body=email.body or "",
        in_reply_to=_bare_id(email.in_reply_to or ""),
        references=references,
    )


def _split_from(value: str) -> tuple[str, str]:
    found = re.match(r'^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$', value)
    if found is None:
        return "", value.strip()
    return found[1].strip(), found[2].strip()


async def _emails(
    client: HttpClient, ref: ThreadRef, mids: Sequence[str], tracker: Tracker
) -> list[Message]:
    slots = asyncio.Semaphore(EMAIL_CONCURRENCY)
    target = f"{ref.base}/api/email.lua"

    async def one(mid: str) -> Message | None:
        async with slots:
            try:
                fetched = await client.get(target, params={"id": mid}, expect_json=True)
            except HttpError as error:
                if error.status == 404:  # deleted or hidden since the thread was listed
                    return None
                raise
        tracker.add(1)
        where = f"{target}?id={mid}"
        return _from_email(decode_answer(fetched.body, EmailShape, where=where, what=EMAIL))

    found = await gather_all(*(one(mid) for mid in mids))
    return [message for message in found if message is not None]


async def fetch_thread(client: HttpClient, url: str, progress: Progress | None = None) -> Thread:
    """Every message of the list thread that `url` points into, with bodies and real senders."""
    return (await _read_thread(client, url, progress))[0]


def _ref_of(url: str) -> ThreadRef:
    ref = parse_thread_url(url)
    if ref is None:
        raise SourceError(url, "not a lists.apache.org thread URL (expected …/thread/<id>)")
    return ref


async def _read_thread(
    client: HttpClient, url: str, progress: Progress | None
) -> tuple[Thread, list[Node]]:
    """The whole thread, and thread.lua's nodes it was read from (the root first)."""
    ref = _ref_of(url)
    target = f"{ref.base}/api/thread.lua"
    params = {"id": ref.mid, "find_parent": "true"}
    try:
        fetched = await client.get(target, params=params, expect_json=True)
    except HttpError as error:
        if error.status == 404:
            raise SourceError(url, "no such thread in the archive (HTTP 404)") from None
        raise
    nodes = _nodes(decode_answer(fetched.body, ThreadShape, where=target, what=THREAD).thread)
    tracker = Tracker(progress, len(nodes))
    by_id = {n.message_id: n for n in nodes}
    mailed = await _mbox_messages(client, ref, nodes)
    warnings = () if mailed is not None else _mbox_unavailable(nodes)
    messages = _connected(mailed or [], set(by_id))
    tracker.add(len(messages))
    missing = [n.mid for n in nodes if n.message_id not in {m.source_id for m in messages}]
    messages.extend(await _emails(client, ref, missing, tracker))
    thread_url = f"{ref.base}/thread/{nodes[0].mid}"
    linked = [_with_url(m, by_id, ref.base, thread_url) for m in messages]
    linked.sort(key=lambda m: m.sent_at)
    thread = Thread(
        kind="ponymail",
        url=thread_url,
        messages=tuple(linked),
        title=nodes[0].subject,
        expected_messages=len(nodes),
        warnings=warnings,
    )
    return thread, nodes


def _mbox_unavailable(nodes: Sequence[Node]) -> tuple[str, ...]:
    """Without the mbox, addresses are anonymised and a capped listing cannot be completed."""
    notes = ["the archive's mbox could not be read: senders are matched by name only"]
    if any(n.replies_listed >= CHILDREN_CAP for n in nodes):
        notes.append(
            f"the archive lists at most {CHILDREN_CAP} replies to one message and its mbox "
            "could not be read: later replies may be missing"
        )
    return tuple(notes)


def _with_url(message: Message, by_id: Mapping[str, Node], base: str, thread_url: str) -> Message:
    node = by_id.get(message.source_id)
    url = f"{base}/thread/{node.mid}" if node else thread_url
    return replace(message, url=url, thread_url=thread_url)


async def list_mails(
    client: HttpClient, base: str, list_name: str, domain: str, month: str, subject: str = "vote"
) -> list[ListedMail]:
    """stats.lua hits for one month; the server's subject match is fuzzy, so callers filter."""
    target = f"{base.rstrip('/')}/api/stats.lua"
    params = [
        ("list", list_name),
        ("domain", domain),
        ("d", month),
        ("header_subject", subject),
        ("emailsOnly", "true"),
    ]
    return _hits(await _stats(client, target, params), target)


async def _stats(client: HttpClient, target: str, params: Sequence[tuple[str, str]]) -> StatsShape:
    fetched = await client.get(target, params=params, expect_json=True)
    return decode_answer(fetched.body, StatsShape, where=target, what=STATS)


def _hits(stats: StatsShape, where: str) -> list[ListedMail]:
    if stats.emails is None:
        raise SourceError(where, f"not {STATS}: expected a list, got nothing", field="emails")
    return [_listed(hit) for hit in stats.emails if isinstance(hit, HitShape)]


def _listed(hit: HitShape) -> ListedMail:
    return ListedMail(
        mid=hit.mid or hit.id or "",
        message_id=_bare_id(hit.message_id or ""),
        subject=hit.subject or "",
        epoch=_seconds(hit.epoch),
        sender=hit.sender or "",
        in_reply_to=_bare_id(hit.in_reply_to or ""),
    )


# --- polling ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ListCursor:
    thread_url: str
    title: str
    root_mid: str
    list_name: str  # "dev"
    domain: str  # "tvm.apache.org"
    phrase: str  # the root subject without reply prefixes: stats.lua's header_subject
    first_date: str  # YYYY-MM-DD (UTC) of the root: the start of the stats date range
    newest: int  # the newest epoch known
    known: tuple[str, ...]  # Message-IDs (bare) of the thread, and of hits found not to belong

    def to_json(self) -> dict[str, object]:
        return {
            "thread_url": self.thread_url,
            "title": self.title,
            "root_mid": self.root_mid,
            "list": self.list_name,
            "domain": self.domain,
            "phrase": self.phrase,
            "first_date": self.first_date,
            "newest": self.newest,
            "known": sorted(self.known),
        }


_CURSOR_STRINGS = ("thread_url", "title", "root_mid", "list", "domain", "phrase", "first_date")


def _list_cursor(cursor: Mapping[str, object] | None) -> _ListCursor | None:
    """The cursor poll_thread handed out, or None when it is missing or not of that shape."""
    if not isinstance(cursor, Mapping):
        return None
    strings = [cursor.get(key) for key in _CURSOR_STRINGS]
    newest, known = cursor.get("newest"), cursor.get("known")
    if not (
        _all_str(strings)
        and isinstance(newest, int)
        and not isinstance(newest, bool)
        and _all_str(known)
        and re.fullmatch(r"\d{4}-\d{2}-\d{2}", strings[6])
        and strings[4]
        and strings[5]
    ):
        return None
    thread_url, title, root_mid, name, domain, phrase, first_date = strings
    return _ListCursor(
        thread_url, title, root_mid, name, domain, phrase, first_date, newest, tuple(known)
    )


def _all_str(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _day(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _fresh_cursor(thread: Thread, nodes: Sequence[Node], extra: Iterable[str] = ()) -> _ListCursor:
    root = nodes[0]
    name, domain = list_address(root.list_raw)
    epochs = [n.epoch for n in nodes] + [int(m.sent_at.timestamp()) for m in thread.messages]
    known = {n.message_id for n in nodes} | {m.source_id for m in thread.messages} | set(extra)
    return _ListCursor(
        thread_url=thread.url,
        title=thread.title,
        root_mid=root.mid,
        list_name=name,
        domain=domain,
        phrase=subject_phrase(root.subject),
        first_date=_day(root.epoch),
        newest=max(epochs),
        known=tuple(sorted(known - {""})),
    )


async def poll_thread(
    client: HttpClient,
    url: str,
    cursor: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    *,
    overlap_seconds: int = 6 * 3600,
) -> ThreadUpdate:
    """What changed in a list thread since `cursor` (a full read when there is none).

    A cursor poll is one `api/stats.lua` search: the thread's list, its subject phrase, dates
    from the root's day to tomorrow (stats searches only the last 30 days unless told), and
    `since` = the newest epoch known minus `overlap_seconds`. The epoch comes from the sender's
    Date header, so a reply that arrives late with an older Date would fall before a plain
    `since`; the overlap keeps it in. The newest known mail itself lies inside the overlap, so
    with overlap_seconds > 0 the server lists its hits (no bodies, ~1 KB each) on every poll,
    and only with overlap_seconds=0 answers an unchanged thread with {"changed": false}; the
    list is filtered here, which also finds a reply held in moderation for longer than the
    overlap. An unknown hit that replies to a known Message-ID, or carries the thread's subject,
    makes the whole thread be read again (complete=True, a fresh cursor); otherwise the poll
    reports changed=False, still in one request.

    Not seen by a poll: replies whose subject no longer holds the thread's phrase; a periodic
    full read (cursor=None) finds them through In-Reply-To.
    """
    state = _list_cursor(cursor)
    if state is None:
        return await _full_thread(client, url, progress)
    hits = await _stats_since(client, _ref_of(url), state, overlap_seconds)
    known = set(state.known)
    new = [hit for hit in hits if hit.message_id and hit.message_id not in known]
    by_reply = [hit for hit in new if hit.in_reply_to in known]
    phrase = state.phrase.casefold()
    by_subject = [
        hit
        for hit in new
        if hit.in_reply_to not in known and subject_phrase(hit.subject).casefold() == phrase
    ]
    if not by_reply and not by_subject:
        thread = Thread(kind="ponymail", url=state.thread_url, messages=(), title=state.title)
        return ThreadUpdate(thread, state.to_json(), complete=False, changed=False)
    thread, nodes = await _read_thread(client, url, progress)
    read = {m.source_id for m in thread.messages}
    # A same-subject mail the full read did not take is another thread: remember it, so it does
    # not cost a full read on every poll. A reply that is missing yet is looked for again.
    strangers = [hit.message_id for hit in by_subject if hit.message_id not in read]
    fresh = _fresh_cursor(thread, nodes, strangers)
    return ThreadUpdate(thread, fresh.to_json(), complete=True, changed=True)


async def _full_thread(client: HttpClient, url: str, progress: Progress | None) -> ThreadUpdate:
    thread, nodes = await _read_thread(client, url, progress)
    return ThreadUpdate(thread, _fresh_cursor(thread, nodes).to_json(), complete=True)


async def _stats_since(
    client: HttpClient, ref: ThreadRef, state: _ListCursor, overlap_seconds: int
) -> list[ListedMail]:
    """stats.lua hits of the thread's subject since the overlap; [] for {"changed": false}."""
    target = f"{ref.base}/api/stats.lua"
    # stats searches the last 30 days unless told: ask from the root's day through tomorrow
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    params = [
        ("list", state.list_name),
        ("domain", state.domain),
        ("header_subject", state.phrase),
        ("emailsOnly", "true"),
        ("d", f"dfr={state.first_date}|dto={tomorrow}"),
        ("since", str(state.newest - max(0, overlap_seconds))),
    ]
    stats = await _stats(client, target, params)
    if stats.changed is False:
        return []
    return _hits(stats, target)
