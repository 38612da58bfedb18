"""A plan may word the status scale its own way ("On Target", "Needs Improvement")

A JSON mapping from our status codes (on_track, at_risk, off_track, no_target …) to the plan's
words; empty keeps ours. Only the word a page shows changes: colours and rules stay ours.

Revision ID: 5e7a0c3d2b91
Revises: 6b1e4c2d9a07
Create Date: 2026-12-06 19:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '5e7a0c3d2b91'
down_revision: str | None = '6b1e4c2d9a07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status_words', sa.JSON(), nullable=False, server_default='{}')
        )
    # The application always writes the mapping; the default only filled the existing plans.
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.alter_column('status_words', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('status_words')
