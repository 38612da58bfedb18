"""Organisation settings (time zone, reporting calendar) and update requests (issue 13)

`organization` becomes versioned (its settings are edited by its administrators: a stale edit is
refused) and gains `time_zone` (an IANA name, "UTC" until set), `reporting_cadence` (monthly or
quarterly) and `reporting_due_day` (1-28, the day of the month after a period ends by which its
updates are due; 10 by default). `update_request` holds a coordinator's requests for an update on
a strategy, quick win or metric, open until answered or withdrawn. The history's subject_type
gains `organization` and `update_request` (and widens to 14 characters for the latter).

SQLite rebuilds history_entry to change its check, which drops the table's append-only triggers:
they are dropped before and made again after.

Revision ID: 5d7e00d77530
Revises: 8e29bcb74ecc
Create Date: 2026-12-07 11:15:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op

revision: str = "5d7e00d77530"
down_revision: str | None = "8e29bcb74ecc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUBJECTS_BEFORE = (
    "plan", "focus_area", "goal", "strategy", "step", "metric", "measurement", "quick_win",
    "user", "department", "statement", "phase", "persona", "journey",
    "session", "decision", "action_item", "public_text",
)  # fmt: skip
_SUBJECTS_AFTER = _SUBJECTS_BEFORE + ("organization", "update_request")


def _subject_check(subjects: tuple[str, ...]) -> str:
    return "subject_type IN (" + ", ".join(f"'{s}'" for s in subjects) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _set_subject_check(subjects: tuple[str, ...], length: int) -> None:
    if _sqlite():
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS history_entry_no_{verb}")
    with op.batch_alter_table("history_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_history_entry_subject_type_valid"), type_="check")
        batch_op.alter_column(
            "subject_type", type_=sa.String(length=length), existing_nullable=False
        )
        batch_op.create_check_constraint("subject_type_valid", _subject_check(subjects))
    if _sqlite():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS history_entry_no_{verb.lower()} BEFORE {verb} "
                "ON history_entry BEGIN SELECT RAISE(ABORT, 'history_entry is append-only'); END"
            )


def upgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )
        batch_op.add_column(
            sa.Column(
                "reporting_cadence", sa.String(length=12), nullable=False, server_default="monthly"
            )
        )
        batch_op.add_column(
            sa.Column("reporting_due_day", sa.Integer(), nullable=False, server_default="10")
        )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        for column in ("version", "time_zone", "reporting_cadence", "reporting_due_day"):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_check_constraint(
            "reporting_cadence_valid", "reporting_cadence IN ('monthly', 'quarterly')"
        )
        batch_op.create_check_constraint(
            "reporting_due_day_range", "reporting_due_day >= 1 AND reporting_due_day <= 28"
        )
    op.create_table(
        "update_request",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_name", sa.String(length=200), nullable=False),
        sa.Column("answered_with", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by_name", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('strategy', 'quick_win', 'metric')",
            name=op.f("ck_update_request_subject_type_valid"),
        ),
        sa.CheckConstraint(
            "answered_at IS NULL OR withdrawn_at IS NULL",
            name=op.f("ck_update_request_answered_or_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user.id"],
            name=op.f("fk_update_request_answered_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_update_request_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_update_request_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_update_request_requested_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_request")),
    )
    with op.batch_alter_table("update_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_update_request_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_update_request_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            "ix_update_request_subject", ["subject_type", "subject_id"], unique=False
        )
    _set_subject_check(_SUBJECTS_AFTER, 14)


def downgrade() -> None:
    # The history is append-only: entries about organisations or update requests cannot be
    # deleted, so a downgrade with such entries fails the old check rather than lose them.
    _set_subject_check(_SUBJECTS_BEFORE, 12)
    op.drop_table("update_request")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint("reporting_due_day_range", type_="check")
        batch_op.drop_constraint("reporting_cadence_valid", type_="check")
        for column in ("reporting_due_day", "reporting_cadence", "time_zone", "archived_at"):
            batch_op.drop_column(column)
        batch_op.drop_column("version")
