"""Performance sessions, their decisions and action items

A coordinator schedules a session over a scope (plans, departments, focus areas); its pack is
frozen as JSON when it closes. Decisions and action items are recorded against it; action items
carry an owner department, a due date, an optional linked item and a status. The history names
the three as subjects, so its subject_type check gains them.

SQLite rebuilds history_entry to change its check, which drops the table's append-only triggers:
they are dropped before and made again after.

Revision ID: c7d3a9e1f450
Revises: b4e1f7a9c2d8
Create Date: 2026-12-07 03:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = 'c7d3a9e1f450'
down_revision: str | None = 'b4e1f7a9c2d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUBJECTS_BEFORE = (
    'plan', 'focus_area', 'goal', 'strategy', 'step', 'metric', 'measurement', 'quick_win',
    'user', 'department', 'statement', 'phase', 'persona', 'journey',
)
_SUBJECTS_AFTER = _SUBJECTS_BEFORE + ('session', 'decision', 'action_item')


def _subject_check(subjects: tuple[str, ...]) -> str:
    return "subject_type IN (" + ", ".join(f"'{s}'" for s in subjects) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _set_subject_check(subjects: tuple[str, ...]) -> None:
    if _sqlite():
        for verb in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS history_entry_no_{verb}")
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_history_entry_subject_type_valid'), type_='check')
        batch_op.create_check_constraint('subject_type_valid', _subject_check(subjects))
    if _sqlite():
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS history_entry_no_{verb.lower()} BEFORE {verb} "
                "ON history_entry BEGIN SELECT RAISE(ABORT, 'history_entry is append-only'); END"
            )


def _versioned() -> list[sa.Column]:
    return [
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('performance_session',
    *_versioned(),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('plan_ids', sa.JSON(), nullable=False),
    sa.Column('department_ids', sa.JSON(), nullable=False),
    sa.Column('focus_area_ids', sa.JSON(), nullable=False),
    sa.Column('follows_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('pack', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('scheduled', 'closed')", name=op.f('ck_performance_session_status_valid')),
    sa.ForeignKeyConstraint(['follows_id'], ['performance_session.id'], name=op.f('fk_performance_session_follows_id_performance_session'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_performance_session_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_session'))
    )
    with op.batch_alter_table('performance_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_session_organization_id'), ['organization_id'], unique=False)

    op.create_table('session_decision',
    *_versioned(),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['performance_session.id'], name=op.f('fk_session_decision_session_id_performance_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_decision'))
    )
    with op.batch_alter_table('session_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_decision_session_id'), ['session_id'], unique=False)

    op.create_table('action_item',
    *_versioned(),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('link_kind', sa.String(length=12), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("link_kind IS NULL OR link_kind IN ('strategy', 'metric', 'quick_win', 'focus_area')", name=op.f('ck_action_item_link_kind_valid')),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')", name=op.f('ck_action_item_status_valid')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_action_item_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_action_item_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['performance_session.id'], name=op.f('fk_action_item_session_id_performance_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_session_id'), ['session_id'], unique=False)
    _set_subject_check(_SUBJECTS_AFTER)


def downgrade() -> None:
    # The history is append-only: entries about sessions cannot be deleted, so a downgrade with
    # such entries fails the old check rather than lose them.
    _set_subject_check(_SUBJECTS_BEFORE)
    op.drop_table('action_item')
    op.drop_table('session_decision')
    op.drop_table('performance_session')
