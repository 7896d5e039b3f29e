"""The schema, in one place; Alembic migrations are checked against it by a test.

Messages are stored as fetched (the whole Message as JSON, plus the columns queries need), unique
by (source, source_id), so a tally can be recomputed without any network and a harvest of the
same thread twice stores nothing new.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out: SQLite keeps no zone, and naive times would not compare
    with the aware ones everything else uses."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: harvester stores aware UTC times")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return utc(value) if value is not None else None


def utc(when: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC text); compare and return aware UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _when(name: str, *, nullable: bool = False) -> Column[datetime]:
    return Column(name, UtcDateTime(), nullable=nullable)


threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("closed", Boolean, nullable=False, default=False),
    _when("closed_at", nullable=True),
    Column("expected_messages", Integer, nullable=True),
    Column("warnings", JSON, nullable=False, default=list),
    _when("first_seen"),
    _when("last_fetched"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(20), nullable=False),
    Column("source_id", String(998), nullable=False),  # RFC 5322 line limit for a Message-ID
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), nullable=False, index=True),
    _when("sent_at"),
    _when("updated_at", nullable=True),
    Column("version", Integer, nullable=False, default=1),
    Column("payload", JSON, nullable=False),  # the Message as fetched
    _when("stored_at"),
    UniqueConstraint("source", "source_id", name="uq_messages_source_source_id"),
)

roster_snapshots = Table(
    "roster_snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 of the members: a snapshot once
    Column("members", JSON, nullable=False),
    _when("taken_at"),
    UniqueConstraint("source", "digest", name="uq_roster_snapshots_source_digest"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False),  # the normalised subject, once within a project
    Column("title", Text, nullable=False),
    Column("rule", String(40), nullable=True),
    Column("status", String(20), nullable=False, default="open"),  # open passed failed cancelled
    _when("opened_at", nullable=True),
    _when("closes_at", nullable=True),  # when the daemon closes it: the call's deadline or minimum
    _when("closed_at", nullable=True),
    _when("created_at"),
    Column("electorate", String(20), nullable=True),
    Column("profile", String(60), nullable=True),  # the config profile that chose rule/electorate
    Column("closed_by", String(20), nullable=True),  # deadline result cancel thread-closed operator
    _when("next_poll_at", nullable=True),  # claimed by one replica at a time
    Column("polls", Integer, nullable=False, default=0, server_default="0"),
    Column("call_url", Text, nullable=True),
    Column("tally_id", Integer, nullable=True),  # the current tally snapshot (no FK: a cycle)
    # The project whose daemon found it ("": a config of one project, or a one-off harvest).
    # Its unique index with the key serves the filters by project.
    Column("project", String(60), nullable=False, default="", server_default=""),
    UniqueConstraint("project", "key", name="uq_votes_project_key"),
)

vote_threads = Table(
    "vote_threads",
    metadata,
    Column("vote_id", ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True),
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
)

ballots = Table(
    "ballots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("vote_id", ForeignKey("votes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("tally_id", ForeignKey("tally_snapshots.id", ondelete="CASCADE"), nullable=False),
    Column("voter", Text, nullable=False),
    Column("member_id", String(100), nullable=True),
    Column("value", String(2), nullable=False),
    Column("binding", Boolean, nullable=False),
    Column("effective", Boolean, nullable=False),  # False: superseded, kept as history
    Column("counted", Boolean, nullable=False),
    Column("raw", Text, nullable=False),
    Column("url", Text, nullable=False),
    _when("cast_at"),
    Column("details", JSON, nullable=False),  # match, flags, usernames, mirrors, late, changed
)

tally_snapshots = Table(
    "tally_snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("vote_id", ForeignKey("votes.id", ondelete="CASCADE"), nullable=False, index=True),
    _when("taken_at"),
    Column("status", String(20), nullable=False),
    Column("digest", String(64), nullable=False),  # an unchanged tally is not stored again
    Column("report", JSON, nullable=False),  # the JSON contract's object
    Column("draft", JSON, nullable=True),  # {"subject", "body"} counted with it; NULL before 0007
    Column(
        "summary", JSON, nullable=True
    ),  # the report's SUMMARY_KEYS (the list); NULL before 0008
    UniqueConstraint("vote_id", "digest", name="uq_tally_snapshots_vote_id_digest"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("vote_id", ForeignKey("votes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("in_reply_to", Text, nullable=False, default=""),
    Column("references", JSON, nullable=False, default=list),
    _when("created_at"),
    # "result", or "reminder" (before the earliest close, once a vote)
    Column("kind", String(20), nullable=False, default="result", server_default="result"),
    Index(
        "uq_drafts_one_reminder",
        "vote_id",
        unique=True,
        sqlite_where=text("kind = 'reminder'"),
        postgresql_where=text("kind = 'reminder'"),
    ),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
    # "mail", "github" (a comment on the issue) or "discourse" (a reply on the topic)
    Column("channel", String(20), nullable=False, default="mail", server_default="mail"),
    # a mail's recipients ("": [mail] to), or the issue or topic a post goes to
    Column("target", Text, nullable=False, default="", server_default=""),
    Column("state", String(10), nullable=False, default="pending"),  # pending sending sent failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("claimed_by", String(100), nullable=True),
    _when("claimed_at", nullable=True),
    _when("sent_at", nullable=True),
    Column("message_id", Text, nullable=True),
    _when("next_attempt_at", nullable=True),  # a failed send is retried from then on
    UniqueConstraint("draft_id", "channel", "target", name="uq_outbox_draft_channel"),
)

harvest_runs = Table(
    "harvest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_url", Text, nullable=False, index=True),
    _when("started_at"),
    _when("finished_at", nullable=True),
    Column("status", String(10), nullable=False),  # running ok failed
    Column("cursor", JSON, nullable=True),  # what the next incremental harvest starts from
    Column("error", Text, nullable=True),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("vote_id", ForeignKey("votes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # override dismissal
    Column("url", Text, nullable=False),  # the message (override) or review item (dismissal)
    Column("value", String(5), nullable=True),  # +1 0 -1 none; NULL: as read
    Column("binding", Boolean, nullable=True),
    Column("member_id", String(100), nullable=True),
    Column("review", Text, nullable=True),  # the review item's text a dismissal sets aside
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    _when("created_at"),
    _when("revoked_at", nullable=True),  # replaced by a later correction, or cleared
)

# A person's word on an identity: this address or username is (or is not) that member. Never
# updated in place: a later verdict on the same identity revokes the earlier one.
identity_verdicts = Table(
    "identity_verdicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", Text, nullable=False, index=True),  # lower-cased address or username
    Column("member_id", String(100), nullable=False),
    Column("confirmed", Boolean, nullable=False),  # False: rejected
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    _when("created_at"),
    _when("revoked_at", nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    _when("at"),
    Column("actor", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("vote_id", ForeignKey("votes.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("detail", JSON, nullable=False, default=dict),
)
