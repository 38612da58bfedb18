"""Mail (issue 13): every message PlanTrack sends, and who asked to receive no more of a kind.

`OutboxMessage` is recorded before anything is sent, so nothing is lost: a refused or unreachable
SMTP server leaves the row `failed` with its error and the time of the next attempt, and a later
run sends it. With no SMTP server set (demo mode for mail) the row is `stored`: it stays in the
outbox for administrators to read. `sending` is a claim: one process took the row with a
conditional UPDATE (app.services.mail.delivery) and is talking to the server.

`MailOptOut` records a one-click unsubscribe: the user and the kind of mail (`purpose`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_check, enum_field, utcnow

ADDRESS_MAX = 320  # RFC 5321: 64 + @ + 255
SUBJECT_MAX = 300
PURPOSE_MAX = 40
ERROR_MAX = 1_000


class MailStatus(StrEnum):
    queued = "queued"  # recorded, waiting for its first attempt
    sending = "sending"  # claimed by one process, which is talking to the SMTP server
    sent = "sent"  # the SMTP server accepted it
    failed = "failed"  # the last attempt failed: tried again from next_attempt_at (if set)
    stored = "stored"  # no SMTP server is set: kept in the outbox, never sent


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        enum_check("status", MailStatus),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, nullable=False)
    # Whose administrators may read it; None: installation administrators only.
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL", index=True
    )
    purpose: str = Field(default="", sa_type=String(PURPOSE_MAX))  # "reminder", "password_reset"…
    to_address: str = Field(sa_type=String(ADDRESS_MAX))
    from_address: str = Field(sa_type=String(ADDRESS_MAX))
    subject: str = Field(sa_type=String(SUBJECT_MAX))
    text_body: str = Field(default="", sa_type=Text)
    html_body: str = Field(default="", sa_type=Text)
    # Further headers (List-Unsubscribe…) as a JSON object of name to value.
    headers_json: str = Field(default="{}", sa_type=Text)
    # The same Message-ID on every attempt, so a receiver can tell a repeat.
    message_id: str = Field(sa_type=String(300))
    status: str = enum_field(MailStatus, MailStatus.queued)
    attempts: int = Field(default=0, nullable=False)
    last_error: str = Field(default="", sa_type=String(ERROR_MAX))
    next_attempt_at: dt.datetime | None = None
    claimed_at: dt.datetime | None = None
    # Who holds the claim: the process that sends writes its result only while it holds it.
    claim_token: str = Field(default="", sa_type=String(64))
    sent_at: dt.datetime | None = None


class MailOptOut(SQLModel, table=True):
    """A person who asked for no more mail of one kind (a one-click unsubscribe)."""

    __tablename__ = "mail_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    purpose: str = Field(sa_type=String(PURPOSE_MAX))
    at: dt.datetime = Field(default_factory=utcnow, nullable=False)
