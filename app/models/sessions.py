"""Performance sessions: a dated meeting over a scope, its frozen pack, decisions and action items.

A session's scope is the plans, departments and focus areas it covers (lists of ids; empty
lists mean "the whole organisation"). Its pack is built from live data until it is closed, then
kept as JSON (`pack`) and shown from there, exactly as it was presented.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import pydantic as pd
from sqlalchemy import JSON, String, Text
from sqlmodel import Field

from app.models.base import MAX_ID, ClientInput, RowId, Versioned, enum_check, enum_field


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    closed = "closed"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


# Still owed: shown in My work and carried into the next session's pack.
ACTION_OPEN = (ActionStatus.open.value, ActionStatus.in_progress.value)


class LinkKind(StrEnum):
    """What an action item may point at."""

    strategy = "strategy"
    metric = "metric"
    quick_win = "quick_win"
    focus_area = "focus_area"
    step = "step"  # a strategy's workplan step


class PerformanceSession(Versioned, table=True):
    __tablename__ = "performance_session"
    __table_args__ = (enum_check("status", SessionStatus),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE", index=True)
    held_on: dt.date
    title: str = Field(sa_type=String(300))
    attendees: str = Field(default="", sa_type=Text)
    plan_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    department_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    focus_area_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    follows_id: int | None = Field(
        default=None, foreign_key="performance_session.id", ondelete="SET NULL"
    )
    status: str = enum_field(SessionStatus, SessionStatus.scheduled)
    closed_at: dt.datetime | None = None
    pack: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class SessionDecision(Versioned, table=True):
    __tablename__ = "session_decision"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="performance_session.id", ondelete="CASCADE", index=True)
    text: str = Field(sa_type=Text)


class ActionItem(Versioned, table=True):
    __tablename__ = "action_item"
    __table_args__ = (
        enum_check("status", ActionStatus),
        enum_check("link_kind", LinkKind, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE", index=True)
    session_id: int = Field(foreign_key="performance_session.id", ondelete="CASCADE", index=True)
    what: str = Field(sa_type=Text)
    department_id: int = Field(foreign_key="department.id", ondelete="CASCADE", index=True)
    due_on: dt.date | None = None
    link_kind: str | None = enum_field(LinkKind, None, nullable=True)
    link_id: int | None = None
    status: str = enum_field(ActionStatus, ActionStatus.open)
    note: str = Field(default="", sa_type=Text)


# --- what clients send ---

IdList = list[RowId]
# A session's date and an action item's due date: a real meeting's (the pack counts days around
# it, which past the ends of the calendar would overflow).
SessionDay = Annotated[dt.date, pd.Field(ge=dt.date(1990, 1, 1), le=dt.date(2199, 12, 31))]


class SessionCreate(ClientInput):
    held_on: SessionDay
    title: str = pd.Field(min_length=1, max_length=300)
    attendees: str = pd.Field(default="", max_length=5_000)
    plan_ids: IdList = pd.Field(default_factory=list, max_length=100)
    department_ids: IdList = pd.Field(default_factory=list, max_length=100)
    focus_area_ids: IdList = pd.Field(default_factory=list, max_length=200)
    follows_id: RowId | None = pd.Field(
        default=None,
        description="The session this one follows; default: the organisation's latest earlier "
        "session whose scope overlaps this one's.",
    )


class SessionUpdate(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    held_on: SessionDay | None = None
    title: str | None = pd.Field(default=None, min_length=1, max_length=300)
    attendees: str | None = pd.Field(default=None, max_length=5_000)
    plan_ids: IdList | None = pd.Field(default=None, max_length=100)
    department_ids: IdList | None = pd.Field(default=None, max_length=100)
    focus_area_ids: IdList | None = pd.Field(default=None, max_length=200)
    follows_id: RowId | None = None


class SessionClose(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)


class DecisionCreate(ClientInput):
    text: str = pd.Field(min_length=1, max_length=5_000)


class ActionItemCreate(ClientInput):
    what: str = pd.Field(min_length=1, max_length=2_000)
    department_id: RowId
    due_on: SessionDay | None = None
    link_kind: LinkKind | None = None
    link_id: RowId | None = None


class ActionItemUpdate(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    status: ActionStatus | None = None
    what: str | None = pd.Field(default=None, min_length=1, max_length=2_000)
    due_on: SessionDay | None = None
    note: str | None = pd.Field(default=None, max_length=2_000)
