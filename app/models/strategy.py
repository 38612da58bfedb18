"""Strategies (recommendations, initiatives, objectives), goal alignment and workplan steps."""

from __future__ import annotations

import datetime as dt

import pydantic as pd
from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    MAX_ID,
    ClientInput,
    ListEntry,
    RowId,
    Versioned,
    enum_check,
    enum_field,
    percent_check,
)
from app.models.enums import ProgressCounting, StrategyStatus, Term


class StrategyGoal(SQLModel, table=True):
    """Which goals a strategy supports: many-to-many, only as the plan states it."""

    __tablename__ = "strategy_goal"

    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE", primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", ondelete="CASCADE", primary_key=True, index=True)


class Strategy(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        enum_check("status", StrategyStatus),
        enum_check("term", Term, nullable=True),
        enum_check("progress_counting", ProgressCounting),
        percent_check("progress"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="span_ordered",
        ),
        CheckConstraint("priority IS NULL OR (priority >= 1 AND priority <= 99)", name="priority"),
        CheckConstraint("update_cadence_days >= 1", name="cadence_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    focus_area_id: int | None = Field(
        default=None, foreign_key="focus_area.id", ondelete="CASCADE", index=True
    )
    department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL", index=True
    )
    phase_id: int | None = Field(default=None, foreign_key="phase.id", ondelete="SET NULL")
    code: str = Field(sa_type=String(20))
    position: int = 0
    title: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
    term: str | None = enum_field(Term, None, nullable=True)
    priority: int | None = None
    leads: list[str] = Field(default_factory=list, sa_type=JSON)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    status: str = enum_field(StrategyStatus, StrategyStatus.not_started)
    # The % its lead last entered by hand. Counted by steps, the strategy's progress is its done
    # steps' share instead, and this figure is kept: switching back says what it was.
    progress: int = Field(default=0)
    # Stated, not inferred from whether steps exist: adding a first step used to turn a lead's
    # 40% into 0% without a word (app.services.changes.strategy_progress switches it, recorded).
    progress_counting: str = enum_field(ProgressCounting, ProgressCounting.by_hand)
    narrative: str = Field(default="", sa_type=Text)
    update_cadence_days: int = Field(default=30)
    last_update_at: dt.datetime | None = None
    # The newest history entry on the strategy or any of its workplan steps, kept by
    # history.record_change: the review shows it per focus area without reading the whole
    # history, which grows every month the plan runs.
    last_changed_at: dt.datetime | None = None


class WorkplanStep(Versioned, table=True):
    __tablename__ = "workplan_step"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE", index=True)
    # One level of sub-steps: the service refuses a parent that has a parent itself.
    parent_id: int | None = Field(
        default=None, foreign_key="workplan_step.id", ondelete="CASCADE", index=True
    )
    position: int = 0
    title: str = Field(sa_type=String(300))
    completion_measure: str = Field(default="", sa_type=Text)
    owner: str = Field(default="", sa_type=String(300))
    due: dt.date | None = None
    done_on: dt.date | None = None


# --- What clients send (API and page forms validate through these) ---------------------------


class StrategyCreate(ClientInput):
    code: str = pd.Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
    title: str = pd.Field(min_length=1, max_length=300)
    description: str = pd.Field(default="", max_length=20_000)
    focus_area_id: RowId | None = None
    department_id: RowId | None = None
    phase_id: RowId | None = None
    term: Term | None = None
    priority: int | None = pd.Field(default=None, ge=1, le=99)
    leads: list[ListEntry] = pd.Field(default_factory=list, max_length=20)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    update_cadence_days: int = pd.Field(default=30, ge=1, le=366)
    goal_ids: list[RowId] = pd.Field(default_factory=list, max_length=50)


class StrategyUpdate(ClientInput):
    """A change to the strategy itself; send only the fields that change, with `version`."""

    version: int = pd.Field(ge=1, le=MAX_ID)
    title: str | None = pd.Field(default=None, min_length=1, max_length=300)
    description: str | None = pd.Field(default=None, max_length=20_000)
    focus_area_id: RowId | None = None
    department_id: RowId | None = None
    phase_id: RowId | None = None
    term: Term | None = None
    priority: int | None = pd.Field(default=None, ge=1, le=99)
    leads: list[ListEntry] | None = pd.Field(default=None, max_length=20)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    update_cadence_days: int | None = pd.Field(default=None, ge=1, le=366)
    goal_ids: list[RowId] | None = pd.Field(
        default=None,
        max_length=50,
        description="Every goal of the plan it supports, replacing the list it had ([]: none).",
    )


class ProgressUpdateIn(ClientInput):
    """A progress update: the owner's status, % progress and narrative, with a note."""

    version: int = pd.Field(ge=1, le=MAX_ID)
    status: StrategyStatus | None = None
    progress: int | None = pd.Field(default=None, ge=0, le=100)
    progress_counting: ProgressCounting | None = None
    narrative: str | None = pd.Field(default=None, max_length=5_000)
    note: str = pd.Field(default="", max_length=2_000)


class StepCreate(ClientInput):
    title: str = pd.Field(min_length=1, max_length=300)
    completion_measure: str = pd.Field(default="", max_length=5_000)
    owner: str = pd.Field(default="", max_length=300)
    due: dt.date | None = None
    parent_id: RowId | None = None


class StepUpdate(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    title: str | None = pd.Field(default=None, min_length=1, max_length=300)
    completion_measure: str | None = pd.Field(default=None, max_length=5_000)
    owner: str | None = pd.Field(default=None, max_length=300)
    due: dt.date | None = None
    done_on: dt.date | None = None


class StrategyReorder(ClientInput):
    """Every live strategy of one focus area (or, without `focus_area_id`, every strategy
    outside focus areas), in the new order (the first comes first)."""

    ids: list[RowId] = pd.Field(min_length=1, max_length=500)
    focus_area_id: RowId | None = None
