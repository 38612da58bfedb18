"""A metric may be marked internal

Internal metrics are for the plan's organisation only: the public site, open data and anonymous
readers of a published plan never see them.

Revision ID: f3b8d2a6c410
Revises: e5a1c9d3b7f2
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3b8d2a6c410"
down_revision: str | None = "e5a1c9d3b7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("metric", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("metric", schema=None) as batch_op:
        batch_op.alter_column("internal", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("metric", schema=None) as batch_op:
        batch_op.drop_column("internal")
