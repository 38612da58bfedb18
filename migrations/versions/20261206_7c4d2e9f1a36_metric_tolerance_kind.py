"""A metric's at-risk band may be a share of its target, not only an amount in its unit

`tolerance_kind` says how `tolerance` is read: "absolute" (in the metric's unit, points for a
percentage; what every existing metric meant) or "share" (a percentage of |target|: 5 means 5%).

Revision ID: 7c4d2e9f1a36
Revises: 3f9a1c7e5b20
Create Date: 2026-12-06 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '7c4d2e9f1a36'
down_revision: str | None = '3f9a1c7e5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'tolerance_kind',
                sa.String(length=12),
                nullable=False,
                server_default='absolute',
            )
        )
        batch_op.create_check_constraint(
            'tolerance_kind_valid', "tolerance_kind IN ('absolute', 'share')"
        )
    # The application always writes the kind; the default only filled the existing metrics.
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.alter_column('tolerance_kind', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_metric_tolerance_kind_valid'), type_='check')
        batch_op.drop_column('tolerance_kind')
