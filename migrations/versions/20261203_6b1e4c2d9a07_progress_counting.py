"""Each strategy states how its progress is counted: by its workplan steps or by hand

Until now progress came from the steps whenever a strategy had any, so adding a first step to a
recommendation its lead had put at 40% turned it into 0% without a word. Existing strategies
keep what they showed: those with a live step count by steps, the others by hand.

Revision ID: 6b1e4c2d9a07
Revises: 659c36534627
Create Date: 2026-12-03 08:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '6b1e4c2d9a07'
down_revision: str | None = '659c36534627'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the roll-up counted before: live steps, and live sub-steps of live steps. A live sub-step
# under an archived step was not counted, so this checks top-level steps and sub-steps apart.
_BY_STEPS = """
UPDATE strategy SET progress_counting = 'by_steps'
WHERE EXISTS (
    SELECT 1 FROM workplan_step w
    WHERE w.strategy_id = strategy.id AND w.archived_at IS NULL AND (
        w.parent_id IS NULL OR EXISTS (
            SELECT 1 FROM workplan_step p
            WHERE p.id = w.parent_id AND p.archived_at IS NULL AND p.parent_id IS NULL
        )
    )
)
"""


def upgrade() -> None:
    with op.batch_alter_table('strategy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'progress_counting',
                sa.String(length=12),
                nullable=False,
                server_default='by_hand',
            )
        )
        batch_op.create_check_constraint(
            op.f('ck_strategy_progress_counting_valid'), "progress_counting IN ('by_steps', 'by_hand')"
        )
    op.execute(_BY_STEPS)
    # The application always says which; the default only filled the existing rows.
    with op.batch_alter_table('strategy', schema=None) as batch_op:
        batch_op.alter_column('progress_counting', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('strategy', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_strategy_progress_counting_valid'), type_='check')
        batch_op.drop_column('progress_counting')
