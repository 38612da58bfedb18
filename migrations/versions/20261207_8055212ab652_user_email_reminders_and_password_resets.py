"""Users get an e-mail address and a reminder preference; one-time password reset links

Issue 13 (accounts people manage themselves). `user.email` is nullable: accounts made before
have none until someone sets it. It is stored lower-cased by the service, so the plain unique
constraint is case-insensitive on SQLite and PostgreSQL alike (several NULLs are allowed on
both). Existing users get the default reminder preference, `weekly`.

`password_reset` keeps only the SHA-256 of each link's token, when it expires, and whether it
was used or voided by a newer one.

Revision ID: 8055212ab652
Revises: a3c8e2f6d914
Create Date: 2026-12-07 11:16:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '8055212ab652'
down_revision: str | None = 'a3c8e2f6d914'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'password_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=128), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('voided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['issued_by_id'],
            ['user.id'],
            name=op.f('fk_password_reset_issued_by_id_user'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], name=op.f('fk_password_reset_user_id_user'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash')),
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        # The server default fills the existing rows; the model always sends a value.
        batch_op.add_column(
            sa.Column(
                'reminder_frequency', sa.String(length=12), nullable=False, server_default='weekly'
            )
        )
        batch_op.create_unique_constraint(batch_op.f('uq_user_email'), ['email'])
        batch_op.create_check_constraint(
            op.f('ck_user_reminder_frequency_valid'),
            "reminder_frequency IN ('weekly', 'before_due', 'none')",
        )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('reminder_frequency', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_reminder_frequency_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_user_email'), type_='unique')
        batch_op.drop_column('reminder_frequency')
        batch_op.drop_column('email')

    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_user_id'))

    op.drop_table('password_reset')
