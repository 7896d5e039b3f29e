"""outbox channels: a draft has a kind (the result, or a reminder before the vote closes) and
goes out on one or more channels (the mail, a comment on the GitHub issue, a reply on the
Discourse topic), each once: one outbox row per draft, channel and target (the mail's
recipients, or the issue or topic it is posted to: a vote may have two of them)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="result"))
    # One reminder a vote, even with two replicas racing to queue it.
    op.create_index(
        "uq_drafts_one_reminder",
        "drafts",
        ["vote_id"],
        unique=True,
        sqlite_where=sa.text("kind = 'reminder'"),
        postgresql_where=sa.text("kind = 'reminder'"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False, server_default="mail"))
        batch.add_column(sa.Column("target", sa.Text(), nullable=False, server_default=""))
        batch.drop_constraint("uq_outbox_draft_id", type_="unique")
        batch.create_unique_constraint("uq_outbox_draft_channel", ["draft_id", "channel", "target"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_draft_channel", type_="unique")
        batch.execute("DELETE FROM outbox WHERE channel <> 'mail'")
        batch.create_unique_constraint("uq_outbox_draft_id", ["draft_id"])
        batch.drop_column("target")
        batch.drop_column("channel")
    op.drop_index("uq_drafts_one_reminder", table_name="drafts")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("kind")
