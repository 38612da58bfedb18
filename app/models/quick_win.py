from __future__ import annotations

import datetime as dt

import pydantic as pd
from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field

from app.models.base import MAX_ID, ClientInput, ListEntry, RowId, Versioned, enum_check, enum_field
from app.models.enums import QuickWinStatus, WorkCategory

SPAN_DOC = "When it is planned to end: on or after `planned_start` (both optional)."


class QuickWin(Versioned, table=True):
    __tablename__ = "quick_win"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        enum_check("status", QuickWinStatus),
        enum_check("category", WorkCategory, nullable=True),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="span_ordered",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL", index=True
    )
    number: int
    service_areas: list[str] = Field(default_factory=list, sa_type=JSON)
    issue_category: str = Field(default="", sa_type=String(300))
    customer_issue: str = Field(default="", sa_type=Text)
    summary: str = Field(default="", sa_type=Text)
    category: str | None = enum_field(WorkCategory, None, nullable=True)
    status: str = enum_field(QuickWinStatus, QuickWinStatus.planned)
    narrative: str = Field(default="", sa_type=Text)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class QuickWinCreate(ClientInput):
    number: int = pd.Field(ge=1, le=9999)
    service_areas: list[ListEntry] = pd.Field(default_factory=list, max_length=10)
    issue_category: str = pd.Field(default="", max_length=300)
    customer_issue: str = pd.Field(default="", max_length=5_000)
    summary: str = pd.Field(default="", max_length=5_000)
    category: WorkCategory | None = None
    status: QuickWinStatus = QuickWinStatus.planned
    department_id: RowId | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = pd.Field(default=None, description=SPAN_DOC)


class QuickWinUpdate(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    service_areas: list[ListEntry] | None = pd.Field(default=None, max_length=10)
    issue_category: str | None = pd.Field(default=None, max_length=300)
    customer_issue: str | None = pd.Field(default=None, max_length=5_000)
    summary: str | None = pd.Field(default=None, max_length=5_000)
    category: WorkCategory | None = None
    department_id: RowId | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = pd.Field(default=None, description=SPAN_DOC)


class QuickWinProgressIn(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    status: QuickWinStatus | None = None
    narrative: str | None = pd.Field(default=None, max_length=5_000)
    note: str = pd.Field(default="", max_length=2_000)
