"""Quick wins get planned dates

`planned_start` and `planned_end`, both optional; the end is not before the start (as a
strategy's span). Existing quick wins have none.

Revision ID: 4b8e1d6c2f05
Revises: 7c4d2e9f1a36
Create Date: 2026-12-07 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '4b8e1d6c2f05'
down_revision: str | None = '7c4d2e9f1a36'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('quick_win', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_end', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            'span_ordered',
            'planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start',
        )


def downgrade() -> None:
    with op.batch_alter_table('quick_win', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_quick_win_span_ordered'), type_='check')
        batch_op.drop_column('planned_end')
        batch_op.drop_column('planned_start')
