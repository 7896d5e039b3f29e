"""daemon state: vote profile, electorate, polling schedule and closing; outbox retry time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("electorate", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("profile", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=20), nullable=True))
        batch_op.add_column(_when("next_poll_at"))
        batch_op.add_column(sa.Column("polls", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("call_url", sa.Text(), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(_when("next_attempt_at"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for name in ("call_url", "polls", "next_poll_at", "closed_by", "profile", "electorate"):
            batch_op.drop_column(name)
