"""Departments have an order

`position` orders an organisation's departments; every list of departments follows it, then the
code. Existing departments keep the order they were shown in: by code, within each organisation.

Revision ID: 9d2f6a1b3c48
Revises: 4b8e1d6c2f05
Create Date: 2026-12-07 02:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '9d2f6a1b3c48'
down_revision: str | None = '4b8e1d6c2f05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('position', sa.Integer(), nullable=False, server_default='0')
        )
    department = sa.table(
        'department',
        sa.column('id', sa.Integer),
        sa.column('organization_id', sa.Integer),
        sa.column('code', sa.String),
        sa.column('position', sa.Integer),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(department.c.id, department.c.organization_id).order_by(
            department.c.organization_id, department.c.code, department.c.id
        )
    ).all()
    seen: dict[int, int] = {}
    for row_id, organization_id in rows:
        position = seen.get(organization_id, 0)
        seen[organization_id] = position + 1
        if position:
            bind.execute(
                department.update().where(department.c.id == row_id).values(position=position)
            )
    # The application always writes the position; the default only filled the existing rows.
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.alter_column('position', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('position')
