"""Statements, phases, personas, journeys and departments carry a version and can be archived

The plan builder edits them: a stale edit must be refused (409 with the newer value), and
archiving must keep their history instead of deleting them. The history names them as subjects
of its entries, so its subject_type check gains their four kinds (departments were one already).

SQLite rebuilds history_entry to change its check, which drops the table's append-only triggers:
they are dropped before and made again after.

Revision ID: 3f9a1c7e5b20
Revises: 5e7a0c3d2b91
Create Date: 2026-12-06 19:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel types)
from alembic import op


revision: str = '3f9a1c7e5b20'
down_revision: str | None = '5e7a0c3d2b91'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ('statement', 'phase', 'persona', 'journey', 'department')
_NEW_SUBJECTS = ('statement', 'phase', 'persona', 'journey')
_SUBJECTS_BEFORE = (
    'plan', 'focus_area', 'goal', 'strategy', 'step', 'metric', 'measurement', 'quick_win',
    'user', 'department',
)
_SUBJECTS_AFTER = _SUBJECTS_BEFORE + _NEW_SUBJECTS


def _subject_check(subjects: tuple[str, ...]) -> str:
    return "subject_type IN (" + ", ".join(f"'{s}'" for s in subjects) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _drop_history_entry_triggers() -> None:
    if _sqlite():
        for verb in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS history_entry_no_{verb}")


def _create_history_entry_triggers() -> None:
    if _sqlite():
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS history_entry_no_{verb.lower()} BEFORE {verb} "
                "ON history_entry BEGIN SELECT RAISE(ABORT, 'history_entry is append-only'); END"
            )


def _set_subject_check(subjects: tuple[str, ...]) -> None:
    _drop_history_entry_triggers()
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_history_entry_subject_type_valid'), type_='check')
        batch_op.create_check_constraint('subject_type_valid', _subject_check(subjects))
    _create_history_entry_triggers()


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), nullable=False, server_default='1')
            )
            batch_op.add_column(sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        # The application always writes the version; the default only filled existing rows.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)
    _set_subject_check(_SUBJECTS_AFTER)


def downgrade() -> None:
    # The history is append-only: entries about the new kinds cannot be deleted, so a downgrade
    # with such entries fails the old check rather than lose them.
    _set_subject_check(_SUBJECTS_BEFORE)
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('archived_at')
            batch_op.drop_column('version')
