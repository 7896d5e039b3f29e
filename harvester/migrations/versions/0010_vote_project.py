"""vote project: each vote belongs to the project whose daemon found it (one daemon may follow
many: [[projects]], [foundation]), and its key (the normalised subject) is unique within that
project, so "[VOTE] Release 1.0.0" of two projects are two votes. Votes stored before have the
project "" (a config of one project), as a one-off harvest's have.

Downgrading fails while two projects share a key: it cannot keep both votes under one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.add_column(sa.Column("project", sa.String(60), nullable=False, server_default=""))
        batch.drop_constraint("uq_votes_key", type_="unique")
        batch.create_unique_constraint("uq_votes_project_key", ["project", "key"])


def downgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.drop_constraint("uq_votes_project_key", type_="unique")
        batch.create_unique_constraint("uq_votes_key", ["key"])
        batch.drop_column("project")
