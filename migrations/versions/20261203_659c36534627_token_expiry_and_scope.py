"""API tokens get an optional expiry and a scope (read-only or read-write)

Issue 16 §3: a token lived until revoked and could do whatever its owner could. Tokens that exist
now were made to write (there was no other kind), so they become `read_write` with no expiry:
nothing a script relies on stops working with the upgrade. New tokens are read-only unless the
owner chooses otherwise (the account page's default).

Revision ID: 659c36534627
Revises: 86048b9b0964
Create Date: 2026-12-03 08:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '659c36534627'
down_revision: str | None = '86048b9b0964'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        # The server default fills the existing rows; the model always sends a value.
        batch_op.add_column(
            sa.Column(
                'scope', sa.String(length=12), nullable=False, server_default='read_write'
            )
        )
        batch_op.create_check_constraint(
            op.f('ck_api_token_scope_valid'), "scope IN ('read_only', 'read_write')"
        )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scope', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_token_scope_valid'), type_='check')
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')
