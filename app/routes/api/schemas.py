"""Shapes of the API's answers (read models): the base every read model shares, and those of
organisations, plans, their parts and the history.

The work a plan commits to (strategies, steps, quick wins) has its read models in work_schemas,
what it measures in metric_schemas; the pagination every list shares is in pagination.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.models import (
    DEFAULT_TERMINOLOGY,
    HistoryAction,
    HistoryEntry,
    HistoryField,
    Journey,
    Organization,
    Persona,
    Plan,
)
from app.models.enums import (
    PlanStatus,
    ScheduleStyle,
    StatementKind,
    SubjectType,
    WorkCategory,
)


class PlanSummary(BaseModel):
    id: int
    slug: str
    title: str
    organization: str
    organization_slug: str
    status: str
    published: bool
    period_start: dt.date | None
    period_end: dt.date | None
    adopted_on: dt.date | None

    @classmethod
    def of(cls, plan: Plan, org: Organization) -> PlanSummary:
        return cls(
            id=plan.id,
            slug=plan.slug,
            title=plan.title,
            organization=org.name,  # type: ignore[arg-type]
            organization_slug=org.slug,
            status=plan.status,
            published=plan.published,
            period_start=plan.period_start,
            period_end=plan.period_end,
            adopted_on=plan.adopted_on,
        )


# --- read models of every entity (what GET answers, and what a write answers with) -----------


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    # Fields only the organisation's people and administrators read (permissions.can_read_internal):
    # null for anyone else (app/routes/api/internal.py).
    INTERNAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    def without_internal(self) -> Self:
        return self.model_copy(update=dict.fromkeys(self.INTERNAL_FIELDS))


INTERNAL_NARRATIVE = (
    "The latest progress narrative; null when the reader may not see internal "
    "narratives: anonymous readers of a published plan (and people of another organisation)"
)
INTERNAL_NOTE = (
    "The note left with the value; null when the reader may not see internal narratives: "
    "anonymous readers of a published plan (and people of another organisation)"
)


class _Editable(_Read):
    """Items that change carry `version` (also their ETag): send it back with a change."""

    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
    archived_at: UtcDatetime | None


class OrganizationRead(_Read):
    id: int
    slug: str
    name: str


class DepartmentRead(_Editable):
    id: int
    organization_id: int
    code: str
    name: str
    position: int


class PlanRead(_Editable):
    id: int
    slug: str
    title: str
    subtitle: str
    organization_id: int
    organization: str
    organization_slug: str
    owning_department_id: int | None
    status: PlanStatus
    published: bool
    period_start: dt.date | None
    period_end: dt.date | None
    adopted_on: dt.date | None
    schedule: ScheduleStyle
    schedule_origin: dt.date | None
    programme_id: int | None = Field(
        description="The plan (a programme of the same organisation) this plan belongs to"
    )
    programme: str | None = Field(default=None, description="The programme's slug")
    fiscal_year_start_month: int | None = Field(
        description="The month (1-12) the fiscal year starts; null for calendar years. A fiscal "
        "year is named by the calendar year it ends in (FY2026: July 2025 - June 2026)"
    )
    summary: str
    mission: str
    vision: str
    mandate: str
    source: str
    terminology: dict[str, str]
    status_words: dict[str, str] = Field(
        description='The plan\'s own words for our status codes (`on_track`: "On Target"); a '
        "code left out keeps ours"
    )

    @classmethod
    def of(cls, plan: Plan, org: Organization, programme: str | None = None) -> PlanRead:
        return cls.model_validate(
            {
                **plan.model_dump(),
                "programme": programme,
                "terminology": {**DEFAULT_TERMINOLOGY, **(plan.terminology or {})},
                "status_words": plan.status_words or {},
                "organization": org.name,
                "organization_slug": org.slug,
            }
        )


class StatementRead(_Editable):
    id: int
    plan_id: int
    kind: StatementKind
    code: str | None
    position: int
    title: str
    definition: str


class PhaseRead(_Editable):
    id: int
    plan_id: int
    code: str
    position: int
    name: str
    description: str
    start: dt.date | None
    end: dt.date | None


class FocusAreaRead(_Editable):
    id: int
    plan_id: int
    code: str
    position: int
    title: str
    description: str
    category: WorkCategory | None
    active_from: dt.date | None
    active_to: dt.date | None
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)

    INTERNAL_FIELDS = ("narrative",)


class GoalRead(_Editable):
    id: int
    plan_id: int
    focus_area_id: int | None
    code: str
    position: int
    title: str
    description: str
    outcomes: list[str]


class JourneyRead(_Editable):
    id: int
    position: int
    title: str
    description: str


class PersonaRead(_Editable):
    id: int
    plan_id: int
    position: int
    name: str
    description: str
    journeys: list[JourneyRead]

    @classmethod
    def of(cls, persona: Persona, journeys: list[Journey]) -> PersonaRead:
        return cls.model_validate(
            {
                **persona.model_dump(),
                "journeys": [JourneyRead.model_validate(j) for j in journeys],
            }
        )


class FieldChangeRead(_Read):
    field: str
    before: Any
    after: Any


class HistoryEntryRead(_Read):
    id: int
    organization_id: int | None
    plan_id: int | None
    subject_type: SubjectType
    subject_id: int
    subject_label: str = Field(description="How the item was called when it changed")
    action: HistoryAction
    actor_id: int | None
    actor_name: str
    at: UtcDatetime
    note: str
    version_after: int | None = Field(description="The item's version this change produced")
    changes: list[FieldChangeRead]

    @classmethod
    def of(cls, entry: HistoryEntry, changes: list[HistoryField]) -> HistoryEntryRead:
        return cls.model_validate(
            {
                **entry.model_dump(),
                "changes": [FieldChangeRead.model_validate(c) for c in changes],
            }
        )
