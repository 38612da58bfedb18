"""What clients send to make a plan and change its settings (the plan builder, issue 10).

A plan is made with its organisation (the route names it), title, slug, period, schedule and the
plan's own words: the names of its levels (`terminology`) and of our status codes
(`status_words`). A change (`PlanSettingsUpdate`) sends only the fields that change, with the
`version` it was made from. The rules that need the database (a slug already used) or several
fields (the period's order, a relative schedule's origin) are the service's
(app.services.changes.plans).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic as pd

from app.models.base import MAX_ID, ClientInput
from app.models.enums import ScheduleStyle

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, pd.Field(min_length=2, max_length=80, pattern=SLUG_PATTERN)]
Title = Annotated[str, pd.Field(min_length=1, max_length=300)]
LevelName = Annotated[str, pd.Field(min_length=1, max_length=300)]
# A status word is a badge: short enough to read at a glance (as in plan files).
StatusWord = Annotated[str, pd.Field(min_length=1, max_length=40)]


class LevelNames(ClientInput):
    """What the plan calls each level, singular and plural; a name left out keeps the current
    one (ours for a new plan: "Focus area", "Strategy"…)."""

    focus_area: LevelName | None = None
    focus_areas: LevelName | None = None
    goal: LevelName | None = None
    goals: LevelName | None = None
    strategy: LevelName | None = None
    strategies: LevelName | None = None
    step: LevelName | None = None
    steps: LevelName | None = None
    statement: LevelName | None = None
    statements: LevelName | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class StatusWords(ClientInput):
    """The plan's own words for our status codes ("on_track": "On Target"). A code left out (or
    null) keeps our word; only the word changes, never the colour or the rule."""

    off_track: StatusWord | None = None
    overdue: StatusWord | None = None
    at_risk: StatusWord | None = None
    stale: StatusWord | None = None
    on_hold: StatusWord | None = None
    not_started: StatusWord | None = None
    on_track: StatusWord | None = None
    complete: StatusWord | None = None
    no_data: StatusWord | None = None
    no_target: StatusWord | None = None

    def words(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class PlanCreate(ClientInput):
    """A new plan, made as a draft in the organisation the request names."""

    model_config = pd.ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    slug: Slug = pd.Field(description="The plan's address: lower-case words joined by '-'")
    subtitle: str = pd.Field(default="", max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    schedule: ScheduleStyle = ScheduleStyle.calendar
    schedule_origin: dt.date | None = pd.Field(
        default=None, description="Day one of year 1; required when schedule is relative"
    )
    terminology: LevelNames = pd.Field(default_factory=LevelNames)
    status_words: StatusWords = pd.Field(default_factory=StatusWords)


class PlanSettingsUpdate(ClientInput):
    """Send only the settings that change. `terminology` and `status_words` are whole: the names
    and words sent replace the plan's (a level left out goes back to ours)."""

    model_config = pd.ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = pd.Field(ge=1, le=MAX_ID, description="The version you changed (the ETag)")
    title: Title | None = None
    subtitle: str | None = pd.Field(default=None, max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    schedule: ScheduleStyle | None = None
    schedule_origin: dt.date | None = None
    terminology: LevelNames | None = None
    status_words: StatusWords | None = None
    programme: Slug | None = pd.Field(
        default=None,
        description="The slug of the programme (a plan of the same organisation) this plan "
        "belongs to; null for none",
    )
    fiscal_year_start_month: int | None = pd.Field(
        default=None,
        ge=1,
        le=12,
        description="The month (1-12) the plan's fiscal year starts; null for calendar years. "
        "A fiscal year is named by the calendar year it ends in (FY2026: July 2025 - June 2026)",
    )


class PlanAdopt(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID, description="The version you adopted (the ETag)")
    adopted_on: dt.date | None = pd.Field(
        default=None, description="The day the plan was adopted; today when left out"
    )
