"""Metrics carry their own bounds, a seconds unit, and a wrong measurement can be voided

A percentage was stored as 705% and accepted at 150% and -5%: measurements are now held to their
metric's bounds (the unit's, unless the metric gives its own: bound_min / bound_max). Waits
written "31 seconds" needed a seconds unit (the unit check gains it). A voided measurement keeps
who voided it and why (void_reason, voided_by_id; archived_at says when).

Revision ID: 7c41d9e2a5b3
Revises: 2dc3f3374df8
Create Date: 2026-12-03 08:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '7c41d9e2a5b3'
down_revision: str | None = '2dc3f3374df8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNITS_BEFORE = ('percent', 'minutes', 'hours', 'days', 'count', 'rate', 'currency', 'score')
_UNITS_AFTER = ('percent', 'seconds', 'minutes', 'hours', 'days', 'count', 'rate', 'currency', 'score')


def _unit_check(units: tuple[str, ...]) -> str:
    return "unit IN (" + ", ".join(f"'{u}'" for u in units) + ")"


def upgrade() -> None:
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bound_min', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('bound_max', sa.Float(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_metric_unit_valid'), type_='check')
        batch_op.create_check_constraint('unit_valid', _unit_check(_UNITS_AFTER))

    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('void_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_measurement_voided_by_id_user'), 'user', ['voided_by_id'], ['id'],
            ondelete='SET NULL',
        )
    # The model has no server default (the application always writes the column).
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.alter_column('void_reason', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_measurement_voided_by_id_user'), type_='foreignkey')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('void_reason')

    op.execute("DELETE FROM metric WHERE unit = 'seconds'")
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_metric_unit_valid'), type_='check')
        batch_op.create_check_constraint('unit_valid', _unit_check(_UNITS_BEFORE))
        batch_op.drop_column('bound_max')
        batch_op.drop_column('bound_min')
