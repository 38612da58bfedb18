"""Public updates with approval (issue 12)

Each strategy, focus area and quick win may carry a public update: a short text a lead drafts and
a coordinator approves before the public reads it (`public_update`, one row per item). Its drafts,
approvals and returns go to the history, whose subject_type check gains `public_text`.

SQLite rebuilds history_entry to change its check, which drops the table's append-only triggers:
they are dropped before and made again after.

Revision ID: a3c8e5f1d902
Revises: f3b8d2a6c410
Create Date: 2026-12-07 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op

revision: str = "a3c8e5f1d902"
down_revision: str | None = "f3b8d2a6c410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUBJECTS_BEFORE = (
    "plan", "focus_area", "goal", "strategy", "step", "metric", "measurement", "quick_win",
    "user", "department", "statement", "phase", "persona", "journey",
    "session", "decision", "action_item",
)  # fmt: skip
_SUBJECTS_AFTER = _SUBJECTS_BEFORE + ("public_text",)


def _subject_check(subjects: tuple[str, ...]) -> str:
    return "subject_type IN (" + ", ".join(f"'{s}'" for s in subjects) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _set_subject_check(subjects: tuple[str, ...]) -> None:
    if _sqlite():
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS history_entry_no_{verb}")
    with op.batch_alter_table("history_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_history_entry_subject_type_valid"), type_="check")
        batch_op.create_check_constraint("subject_type_valid", _subject_check(subjects))
    if _sqlite():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS history_entry_no_{verb.lower()} BEFORE {verb} "
                "ON history_entry BEGIN SELECT RAISE(ABORT, 'history_entry is append-only'); END"
            )


def upgrade() -> None:
    op.create_table(
        "public_update",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("draft_text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("approved_text", sa.Text(), nullable=False),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("return_comment", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('strategy', 'focus_area', 'quick_win')",
            name=op.f("ck_public_update_subject_type_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'approved')",
            name=op.f("ck_public_update_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_public_update_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user.id"],
            name=op.f("fk_public_update_approved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_update")),
        sa.UniqueConstraint(
            "plan_id",
            "subject_type",
            "subject_id",
            name=op.f("uq_public_update_plan_id_subject_type_subject_id"),
        ),
    )
    with op.batch_alter_table("public_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_update_plan_id"), ["plan_id"], unique=False)
    _set_subject_check(_SUBJECTS_AFTER)


def downgrade() -> None:
    # The history is append-only: entries about public updates cannot be deleted, so a downgrade
    # with such entries fails the old check rather than lose them.
    _set_subject_check(_SUBJECTS_BEFORE)
    op.drop_table("public_update")
