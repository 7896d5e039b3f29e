"""one stored thread per vote of a mail file: "dev.mbox" linked to N votes becomes
"dev.mbox#mid:<call's Message-ID>" for each, holding only that vote's messages

Before 0005 every vote of a mail file (or an mbox URL) was stored under the file's URL, one row
holding the messages of all its votes, so a recount counted the other votes' ballots too. Each
vote in such a row (found by the threading rules a harvest uses: References, then subject) moves
to a thread of its own under the URL a harvest of the file gives now, and the votes linked to
the row are linked to their own thread instead. Messages of no vote stay in the file's row;
nothing is deleted but a row left empty and unlinked. Stored tallies and ballots are left as
they are; the next recount reads the split threads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 13:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from harvester.core.threads import find_call, group_votes, split_threads, vote_key, vote_title
from harvester.model import Message
from harvester.store.messages import message_from_json

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen here rather than imported: this migration must keep making the URLs it made at 0005
# (harvester.app.mail_votes.vote_thread_url makes the same: the file's URL, "#", the call's
# mid: URL).
MAIL_KINDS = ("mbox", "eml")
FRAGMENT = "#mid:"
_CHUNK = 500  # ids per IN list: SQLite's parameter limit

threads = sa.table(
    "threads",
    sa.column("id", sa.Integer),
    sa.column("url", sa.Text),
    sa.column("kind", sa.String),
    sa.column("title", sa.Text),
    sa.column("closed", sa.Boolean),
    sa.column("closed_at", sa.DateTime(timezone=True)),
    sa.column("expected_messages", sa.Integer),
    sa.column("warnings", sa.JSON),
    sa.column("first_seen", sa.DateTime(timezone=True)),
    sa.column("last_fetched", sa.DateTime(timezone=True)),
)
messages = sa.table(
    "messages",
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("source_id", sa.String),
    sa.column("thread_id", sa.Integer),
    sa.column("payload", sa.JSON),
)
votes = sa.table(
    "votes", sa.column("id", sa.Integer), sa.column("key", sa.Text), sa.column("call_url", sa.Text)
)
vote_threads = sa.table(
    "vote_threads", sa.column("vote_id", sa.Integer), sa.column("thread_id", sa.Integer)
)


# NamedTuple, not a dataclass: Alembic loads this file as a module sys.modules does not hold.
class _Vote(NamedTuple):
    id: int
    key: str
    call_url: str | None


class _Group(NamedTuple):
    call: Message
    message_ids: frozenset[int]  # messages.id of the group's stored messages


def upgrade() -> None:
    connection = op.get_bind()
    for cluster in _clusters(connection):
        _split(connection, cluster)


def downgrade() -> None:
    """Back to one thread per file: each vote thread's messages and links go to the file's."""
    connection = op.get_bind()
    query = sa.select(threads.c.id, threads.c.url).where(
        threads.c.kind.in_(MAIL_KINDS), threads.c.url.contains(FRAGMENT)
    )
    for thread_id, url in connection.execute(query.order_by(threads.c.id)).all():
        base = url.rpartition(FRAGMENT)[0]
        target = _thread_like(connection, thread_id, base, title=None)
        _move_messages(connection, thread_id, target, None)
        for (vote_id,) in connection.execute(
            sa.select(vote_threads.c.vote_id).where(vote_threads.c.thread_id == thread_id)
        ).all():
            _relink(connection, vote_id, thread_id, target)
        connection.execute(sa.delete(threads).where(threads.c.id == thread_id))


# -- which rows are split together ------------------------------------------------------------


def _clusters(connection: Connection) -> list[set[int]]:
    """Old-form mail threads with votes, joined when they share a vote: a vote read from two
    files has its call in one row and later replies in the other, and only grouped together do
    the replies find their call."""
    rows = connection.execute(
        sa.select(vote_threads.c.thread_id, vote_threads.c.vote_id)
        .join(threads, threads.c.id == vote_threads.c.thread_id)
        .where(threads.c.kind.in_(MAIL_KINDS), sa.not_(threads.c.url.contains(FRAGMENT)))
        .order_by(vote_threads.c.thread_id)
    ).all()
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for thread_id, vote_id in rows:
        parent[find(f"t{thread_id}")] = find(f"v{vote_id}")
    clusters: dict[str, set[int]] = {}
    for thread_id, _ in rows:
        clusters.setdefault(find(f"t{thread_id}"), set()).add(int(thread_id))
    return list(clusters.values())


def _split(connection: Connection, cluster: set[int]) -> None:
    """Each vote of each row to its own thread: the linked votes with their links, the others
    too, so a later harvest of such a vote finds its messages under its URL."""
    groups = _vote_groups(connection, cluster)
    for thread_id, url in connection.execute(
        sa.select(threads.c.id, threads.c.url)
        .where(threads.c.id.in_(sorted(cluster)))
        .order_by(threads.c.id)
    ).all():
        held = _held(connection, thread_id)
        linked = {vote: _group_of(vote, groups) for vote in _linked_votes(connection, thread_id)}
        for group in groups:
            voters = [vote for vote, of in linked.items() if of is group]
            if not voters and not group.message_ids & held:
                continue
            title = vote_title(group.call.subject)
            target = _thread_like(connection, thread_id, f"{url}#{group.call.url}", title)
            _move_messages(connection, thread_id, target, group.message_ids & held)
            for vote in voters:
                _relink(connection, vote.id, thread_id, target)
        for vote in (vote for vote, of in linked.items() if of is None):
            log.warning("vote %d: no call of it found in %s; left as it was", vote.id, url)
        _drop_if_empty(connection, thread_id)


# -- the votes' messages ----------------------------------------------------------------------


def _vote_groups(connection: Connection, cluster: set[int]) -> list[_Group]:
    """The votes the cluster's stored messages hold, as a harvest of them would find them."""
    row_of: dict[tuple[str, str], int] = {}
    found: list[Message] = []
    for row_id, payload in connection.execute(
        sa.select(messages.c.id, messages.c.payload)
        .where(messages.c.thread_id.in_(sorted(cluster)))
        .order_by(messages.c.id)
    ).all():
        message = _decoded(payload)
        if message is not None:  # an unreadable one stays where it is
            row_of[(message.source, message.source_id)] = int(row_id)
            found.append(message)
    groups = []
    for group in group_votes(split_threads(found)):
        call = find_call(group)
        if call is not None:
            ids = frozenset(row_of[(m.source, m.source_id)] for m in group)
            groups.append(_Group(call, ids))
    return groups


def _decoded(payload: Any) -> Message | None:
    try:
        return message_from_json(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _group_of(vote: _Vote, groups: Sequence[_Group]) -> _Group | None:
    """The vote's messages: the group its call opens, else (never counted) the same subject."""
    for group in groups:
        if vote.call_url and group.call.url == vote.call_url:
            return group
    if vote.call_url:
        return None
    return next((g for g in groups if vote_key(g.call.subject) == vote.key), None)


def _held(connection: Connection, thread_id: int) -> set[int]:
    found = connection.execute(sa.select(messages.c.id).where(messages.c.thread_id == thread_id))
    return {int(row_id) for (row_id,) in found}


def _linked_votes(connection: Connection, thread_id: int) -> list[_Vote]:
    rows = connection.execute(
        sa.select(votes.c.id, votes.c.key, votes.c.call_url)
        .join(vote_threads, vote_threads.c.vote_id == votes.c.id)
        .where(vote_threads.c.thread_id == thread_id)
        .order_by(votes.c.id)
    ).all()
    return [_Vote(int(i), key, call_url) for i, key, call_url in rows]


# -- writes -----------------------------------------------------------------------------------


def _thread_like(connection: Connection, thread_id: int, url: str, title: str | None) -> int:
    """The thread stored under `url`, created as a copy of thread `thread_id` when new."""
    existing = _thread_id(connection, url)
    if existing is not None:
        return existing
    copied = ["kind", "closed", "closed_at", "expected_messages", "warnings"]
    copied += ["first_seen", "last_fetched"]
    source = sa.select(
        sa.literal(url, sa.Text),
        sa.literal(title, sa.Text) if title is not None else threads.c.title,
        *(threads.c[name] for name in copied),
    ).where(threads.c.id == thread_id)
    connection.execute(sa.insert(threads).from_select(["url", "title", *copied], source))
    created = _thread_id(connection, url)
    assert created is not None
    return created


def _thread_id(connection: Connection, url: str) -> int | None:
    found = connection.execute(sa.select(threads.c.id).where(threads.c.url == url)).scalar()
    return None if found is None else int(found)


def _move_messages(
    connection: Connection, source: int, target: int, ids: Iterable[int] | None
) -> None:
    """Thread `source`'s messages among `ids` (None: all of them) to thread `target`."""
    move = sa.update(messages).where(messages.c.thread_id == source).values(thread_id=target)
    if ids is None:
        connection.execute(move)
        return
    for chunk in _chunks(sorted(ids)):
        connection.execute(move.where(messages.c.id.in_(chunk)))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _relink(connection: Connection, vote_id: int, source: int, target: int) -> None:
    connection.execute(
        sa.delete(vote_threads).where(
            vote_threads.c.vote_id == vote_id, vote_threads.c.thread_id == source
        )
    )
    linked = connection.execute(
        sa.select(vote_threads.c.vote_id).where(
            vote_threads.c.vote_id == vote_id, vote_threads.c.thread_id == target
        )
    ).first()
    if linked is None:
        connection.execute(sa.insert(vote_threads).values(vote_id=vote_id, thread_id=target))


def _drop_if_empty(connection: Connection, thread_id: int) -> None:
    """The file's old row, once every vote and message has moved out of it."""
    held = sa.select(messages.c.id).where(messages.c.thread_id == thread_id).exists()
    linked = sa.select(vote_threads.c.vote_id).where(vote_threads.c.thread_id == thread_id)
    if connection.execute(sa.select(held)).scalar() or connection.execute(linked).first():
        return
    connection.execute(sa.delete(threads).where(threads.c.id == thread_id))
