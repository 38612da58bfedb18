"""Reminder digests (issue 13): which digest each person was sent.

One row per person and digest (`digest_key`: "week-2026-W49" for a weekly digest, "due-2026-12-10"
for the one before a due day), written in the same transaction as the outbox message that carries
it. The unique pair is what makes `plantrack remind` idempotent and safe with several processes:
a second run, a concurrent one or a rerun after a crash finds the row (or loses the insert) and
sends nothing; a message that failed to leave is the outbox's to retry, never sent again here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import utcnow

DIGEST_KEY_MAX = 40


class ReminderDigest(SQLModel, table=True):
    __tablename__ = "reminder_digest"
    __table_args__ = (UniqueConstraint("user_id", "digest_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    digest_key: str = Field(sa_type=String(DIGEST_KEY_MAX))
    outbox_message_id: int | None = Field(
        default=None, foreign_key="outbox_message.id", ondelete="SET NULL"
    )
    items: int = 0  # how many items and requests it listed
    created_at: dt.datetime = Field(default_factory=utcnow)
