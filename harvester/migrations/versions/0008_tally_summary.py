"""tally summary: each tally snapshot keeps the few keys the vote list shows (passes,
explanation, counts), so the list is one query that does not read every whole report; a
snapshot stored before has none and the list reads its report

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tally_snapshots") as batch:
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tally_snapshots") as batch:
        batch.drop_column("summary")
