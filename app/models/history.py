"""The append-only history: every accepted change, with who, when, each field before and after.

A progress update (status, % progress, narrative on a strategy, step, quick win or focus area) is a
history entry of action `progress`. Rows here are never updated or deleted: database triggers
(see the initial migration) refuse it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Index, String, Text
from sqlmodel import Field, SQLModel

from app.models.base import enum_check, enum_field, utcnow
from app.models.enums import SubjectType


class HistoryAction(StrEnum):
    create = "create"
    update = "update"
    progress = "progress"
    archive = "archive"
    restore = "restore"
    imported = "imported"


class HistoryEntry(SQLModel, table=True):
    __tablename__ = "history_entry"
    __table_args__ = (
        enum_check("subject_type", SubjectType),
        enum_check("action", HistoryAction),
        # The newest entry of a plan or an organisation in one index seek, on PostgreSQL too
        # (the cached pages' stamp, app.services.reading.page_stamp; issue 14).
        Index("ix_history_entry_plan_newest", "plan_id", "id"),
        Index("ix_history_entry_organization_newest", "organization_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="CASCADE", index=True
    )
    plan_id: int | None = Field(default=None, foreign_key="plan.id", ondelete="CASCADE", index=True)
    subject_type: str = enum_field(SubjectType)
    subject_id: int = Field(index=True)
    # A snapshot of how the item was called then ("Recommendation 3.1: …"), so the feed reads
    # well even after the item is renamed or archived.
    subject_label: str = Field(default="", sa_type=String(400))
    action: str = enum_field(HistoryAction)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor_name: str = Field(default="", sa_type=String(200))
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    note: str = Field(default="", sa_type=Text)
    version_after: int | None = None


class HistoryField(SQLModel, table=True):
    __tablename__ = "history_field"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="history_entry.id", ondelete="CASCADE", index=True)
    field: str = Field(sa_type=String(80))
    before: object | None = Field(default=None, sa_type=JSON)
    after: object | None = Field(default=None, sa_type=JSON)


class OrganizationChanges(SQLModel, table=True):
    """How many transactions have changed what an organisation's pages show (issue 14).

    Counted at each commit that wrote history for the organisation or one of its plans, in the
    same transaction, so it moves exactly when that transaction's changes become visible. The
    newest history id alone cannot say so on PostgreSQL: ids come from a sequence, and a write
    that took id 100 may commit after one that took 101."""

    __tablename__ = "organization_changes"

    organization_id: int = Field(
        foreign_key="organization.id", ondelete="CASCADE", primary_key=True
    )
    changes: int = Field(default=0)
