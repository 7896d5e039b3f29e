"""identity verdicts: a person confirms or rejects an unconfirmed identity once, for every vote

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "identity_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("member_id", sa.String(length=100), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        _when("created_at"),
        _when("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_verdicts")),
    )
    op.create_index(
        op.f("ix_identity_verdicts_identity"), "identity_verdicts", ["identity"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_verdicts_identity"), table_name="identity_verdicts")
    op.drop_table("identity_verdicts")
