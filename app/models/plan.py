"""The plan and its plan-level structure: statements, phases, focus areas and goals."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field

from app.models.base import Versioned, enum_check, enum_field
from app.models.enums import PlanStatus, ScheduleStyle, StatementKind, WorkCategory

DEFAULT_TERMINOLOGY: dict[str, str] = {
    "focus_area": "Focus area",
    "focus_areas": "Focus areas",
    "goal": "Goal",
    "goals": "Goals",
    "strategy": "Strategy",
    "strategies": "Strategies",
    "step": "Workplan step",
    "steps": "Workplan steps",
    "statement": "Standard",
    "statements": "Standards",
}


class Plan(Versioned, table=True):
    __table_args__ = (
        enum_check("status", PlanStatus),
        enum_check("schedule", ScheduleStyle),
        CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="period_ordered",
        ),
        CheckConstraint(
            "schedule = 'calendar' OR schedule_origin IS NOT NULL", name="relative_has_origin"
        ),
        CheckConstraint(
            "fiscal_year_start_month IS NULL OR "
            "(fiscal_year_start_month >= 1 AND fiscal_year_start_month <= 12)",
            name="fiscal_year_start_month_range",
        ),
        CheckConstraint("programme_id IS NULL OR programme_id <> id", name="not_own_programme"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="RESTRICT", index=True)
    owning_department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL"
    )
    slug: str = Field(sa_type=String(80), unique=True)
    title: str = Field(sa_type=String(300))
    subtitle: str = Field(default="", sa_type=String(300))
    status: str = enum_field(PlanStatus, PlanStatus.adopted)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    adopted_on: dt.date | None = None
    schedule: str = enum_field(ScheduleStyle, ScheduleStyle.calendar)
    schedule_origin: dt.date | None = None
    # The programme this plan belongs to: another plan of the same organisation that is not
    # itself in a programme (Philadelphia's CSO program groups Fleet's department plan). The
    # rules needing the database (same organisation, one level) are app.services.changes.programmes.
    programme_id: int | None = Field(
        default=None, foreign_key="plan.id", ondelete="SET NULL", index=True
    )
    # The month the plan's fiscal year starts (7 = July); null for calendar years. A fiscal
    # year is named by the calendar year it ends in (July 2025 – June 2026 is FY2026).
    fiscal_year_start_month: int | None = None
    published: bool = Field(default=False)
    source: str = Field(default="", sa_type=Text)
    summary: str = Field(default="", sa_type=Text)
    mission: str = Field(default="", sa_type=Text)
    vision: str = Field(default="", sa_type=Text)
    mandate: str = Field(default="", sa_type=Text)
    terminology: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TERMINOLOGY), sa_type=JSON
    )

    # The plan's own words for our status codes ("on_track": "On Target"); a code left out keeps
    # ours (app.services.rules.rollup.LABELS). Only the word changes: colours and rules are ours.
    status_words: dict[str, str] = Field(default_factory=dict, sa_type=JSON)

    def term(self, key: str) -> str:
        return (self.terminology or {}).get(key) or DEFAULT_TERMINOLOGY[key]


class Statement(Versioned, table=True):
    """A standard, guiding principle, value… that the plan commits to; metrics measure them."""

    __table_args__ = (
        enum_check("kind", StatementKind),
        UniqueConstraint("plan_id", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    kind: str = enum_field(StatementKind)
    code: str | None = Field(default=None, sa_type=String(20))
    position: int = 0
    title: str = Field(sa_type=String(300))
    definition: str = Field(default="", sa_type=Text)


class Phase(Versioned, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    code: str = Field(sa_type=String(20))
    position: int = 0
    name: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
    start: dt.date | None = None
    end: dt.date | None = None


class FocusArea(Versioned, table=True):
    __tablename__ = "focus_area"
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        enum_check("category", WorkCategory, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    code: str = Field(sa_type=String(20))
    position: int = 0
    title: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
    category: str | None = enum_field(WorkCategory, None, nullable=True)
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    narrative: str = Field(default="", sa_type=Text)
    # The newest history entry on the focus area itself (its strategies keep their own), kept by
    # history.record_change for the review.
    last_changed_at: dt.datetime | None = None


class Goal(Versioned, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    focus_area_id: int | None = Field(
        default=None, foreign_key="focus_area.id", ondelete="CASCADE", index=True
    )
    code: str = Field(sa_type=String(20))
    position: int = 0
    title: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
    outcomes: list[str] = Field(default_factory=list, sa_type=JSON)
