"""stored draft: each tally snapshot keeps the result draft counted with it, so a page is served
from the stored count instead of recounting on every view

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tally_snapshots") as batch:
        batch.add_column(sa.Column("draft", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tally_snapshots") as batch:
        batch.drop_column("draft")
