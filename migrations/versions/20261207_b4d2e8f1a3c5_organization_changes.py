"""Each organisation's change count, moved by every commit that writes its history (issue 14)

The cached pages' stamp leads with it: on PostgreSQL the newest history id can stand still while
an earlier-numbered write commits, so a kept page could outlive that write.

Revision ID: b4d2e8f1a3c5
Revises: 9e4b7c21d6a8
Create Date: 2026-12-07 18:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b4d2e8f1a3c5'
down_revision: str | None = '9e4b7c21d6a8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organization_changes',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organization_id'),
    )
    # Every organisation with history starts from its number of entries: a count, like the
    # ones the commits add, that only grows from here.
    op.execute(
        "INSERT INTO organization_changes (organization_id, changes) "
        "SELECT coalesce(h.organization_id, p.organization_id), count(*) FROM history_entry h "
        "LEFT JOIN plan p ON p.id = h.plan_id "
        "WHERE coalesce(h.organization_id, p.organization_id) IS NOT NULL "
        "GROUP BY coalesce(h.organization_id, p.organization_id)"
    )


def downgrade() -> None:
    op.drop_table('organization_changes')
