"""Administrators split: organisation administrators and installation administrators

Until now any administrator changed everything of every organisation. An administrator is now
bound to their organisation unless `user.is_installation_admin` is set (only from the command
line: `plantrack user create NAME --role admin --installation-admin` or
`plantrack user set-role NAME admin --installation-admin`).

The choice made for the administrators that exist when this runs:
- an administrator who belongs to an organisation becomes that organisation's administrator
  (the flag stays false): they keep every power over their own organisation and lose the others;
- an administrator who belongs to no organisation becomes an installation administrator (the
  flag is set): such an account could only ever have been meant to run the installation, and
  the activity, review and focus-area history pages already read it that way.
Everyone else keeps the flag false. Going down drops the column: every administrator runs the
installation again.

Revision ID: 86048b9b0964
Revises: 7c41d9e2a5b3
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "86048b9b0964"
down_revision: str | None = "7c41d9e2a5b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSTALLATION_ADMINS = """
UPDATE "user" SET is_installation_admin = TRUE
WHERE role = 'admin' AND organization_id IS NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_installation_admin", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.execute(_INSTALLATION_ADMINS)


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("is_installation_admin")
