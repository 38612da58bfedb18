"""A plan may belong to a programme; a plan may have a fiscal year

`plan.programme_id` names the programme (another plan of the same organisation) a department
plan belongs to (Philadelphia's Fleet plan in the Customer Service Officers Program);
`plan.fiscal_year_start_month` (1-12, null for calendar years) labels the roadmap in fiscal years.

Revision ID: a3c8e2f6d914
Revises: a3c8e5f1d902
Create Date: 2026-12-07 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c8e2f6d914"
down_revision: str | None = "a3c8e5f1d902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fiscal_year_start_month", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_plan_programme_id"), ["programme_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_programme_id_plan"),
            "plan",
            ["programme_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "fiscal_year_start_month_range",
            "fiscal_year_start_month IS NULL OR "
            "(fiscal_year_start_month >= 1 AND fiscal_year_start_month <= 12)",
        )
        batch_op.create_check_constraint(
            "not_own_programme", "programme_id IS NULL OR programme_id <> id"
        )


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_not_own_programme"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_plan_fiscal_year_start_month_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_plan_programme_id_plan"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plan_programme_id"))
        batch_op.drop_column("fiscal_year_start_month")
        batch_op.drop_column("programme_id")
