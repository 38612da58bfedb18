"""An action item may link to a workplan step

The session page's picker offers a plan's workplan steps beside its focus areas, strategies,
metrics and quick wins: `link_kind` accepts "step".

Revision ID: e5a1c9d3b7f2
Revises: c7d3a9e1f450
Create Date: 2026-12-07 05:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5a1c9d3b7f2"
down_revision: str | None = "c7d3a9e1f450"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "link_kind IS NULL OR link_kind IN ('strategy', 'metric', 'quick_win', 'focus_area')"
AFTER = (
    "link_kind IS NULL OR link_kind IN ('strategy', 'metric', 'quick_win', 'focus_area', 'step')"
)


def _replace(condition: str) -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_action_item_link_kind_valid"), type_="check")
        batch_op.create_check_constraint("link_kind_valid", condition)


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    op.execute("UPDATE action_item SET link_kind = NULL, link_id = NULL WHERE link_kind = 'step'")
    _replace(BEFORE)
