"""A metric may say how many days after each period its value is due

`reporting_window_days` (0 to 366, or NULL: not set, so never late, as every existing metric
was): a metric whose newest due value is missing is shown as stale (services.rules.metric_rule).

Revision ID: b4e1f7a9c2d8
Revises: 9d2f6a1b3c48
Create Date: 2026-12-07 01:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = 'b4e1f7a9c2d8'
down_revision: str | None = '9d2f6a1b3c48'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporting_window_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'reporting_window_days_range',
            'reporting_window_days IS NULL'
            ' OR (reporting_window_days >= 0 AND reporting_window_days <= 366)',
        )


def downgrade() -> None:
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_metric_reporting_window_days_range'), type_='check'
        )
        batch_op.drop_column('reporting_window_days')
