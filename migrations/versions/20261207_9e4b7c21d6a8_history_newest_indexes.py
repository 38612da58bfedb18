"""The newest history entry of a plan or an organisation in one index seek (issue 14)

The cached pages read their organisation's stamp on every request: the newest history entry of
each of its plans and of the organisation itself. With (plan_id, id) and (organization_id, id)
each is one seek on PostgreSQL too, which otherwise walked the primary key backwards past every
newer entry of the other plans.

Revision ID: 9e4b7c21d6a8
Revises: c02deb463869
Create Date: 2026-12-07 14:50:00
"""
from collections.abc import Sequence

from alembic import op


revision: str = '9e4b7c21d6a8'
down_revision: str | None = 'c02deb463869'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_history_entry_plan_newest', 'history_entry', ['plan_id', 'id'])
    op.create_index(
        'ix_history_entry_organization_newest', 'history_entry', ['organization_id', 'id']
    )


def downgrade() -> None:
    op.drop_index('ix_history_entry_organization_newest', table_name='history_entry')
    op.drop_index('ix_history_entry_plan_newest', table_name='history_entry')
