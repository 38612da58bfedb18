"""Strategies and focus areas keep the time of their newest history entry

The review showed each focus area's last update by aggregating the whole history on every
request, which grows every month a plan runs (43 ms of a 150 ms review at scale 4). The newest
entry is now kept on the row by history.record_change; this fills it in from the history.

Revision ID: 2dc3f3374df8
Revises: 2a86c7b516da
Create Date: 2026-11-29 13:44:41.325428
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '2dc3f3374df8'
down_revision: str | None = '2a86c7b516da'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain SQL that SQLite and PostgreSQL both run; archived steps and strategies count too, as
# their history does.
_NEWEST_OF_FOCUS_AREA = """
UPDATE focus_area SET last_changed_at = (
    SELECT max(h.at) FROM history_entry h
    WHERE h.subject_type = 'focus_area' AND h.subject_id = focus_area.id
)
"""
_NEWEST_OF_STRATEGY = """
UPDATE strategy SET last_changed_at = (
    SELECT max(newest.at) FROM (
        SELECT max(h.at) AS at FROM history_entry h
        WHERE h.subject_type = 'strategy' AND h.subject_id = strategy.id
        UNION ALL
        SELECT max(h.at) AS at FROM workplan_step w
        JOIN history_entry h ON h.subject_type = 'step' AND h.subject_id = w.id
        WHERE w.strategy_id = strategy.id
    ) AS newest
)
"""
# Two index lookups per strategy: one condition with OR made PostgreSQL scan the whole history
# for each strategy (19 s at scale 4, against under a second now).


def upgrade() -> None:
    with op.batch_alter_table('focus_area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('strategy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    op.execute(_NEWEST_OF_FOCUS_AREA)
    op.execute(_NEWEST_OF_STRATEGY)


def downgrade() -> None:
    with op.batch_alter_table('strategy', schema=None) as batch_op:
        batch_op.drop_column('last_changed_at')

    with op.batch_alter_table('focus_area', schema=None) as batch_op:
        batch_op.drop_column('last_changed_at')
