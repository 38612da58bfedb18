"""Shapes of the API's answers (read models) and the pagination every list shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from fastapi import Depends, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import (
    DEFAULT_TERMINOLOGY,
    HistoryAction,
    HistoryEntry,
    HistoryField,
    Journey,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Plan,
    Strategy,
)
from app.models.enums import (
    Comparator,
    Direction,
    Frequency,
    Horizon,
    PlanStatus,
    ProgressCounting,
    QuickWinStatus,
    ScheduleStyle,
    StatementKind,
    StrategyStatus,
    SubjectType,
    Term,
    Unit,
    WorkCategory,
)
from app.services.rollup import strategy_progress

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class _PageParams:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def run(self, session: Session, query: Any, convert: Callable[[Any], T]) -> Page[T]:
        total = session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = session.execute(query.limit(self.limit).offset(self.offset)).all()
        return Page[T](
            items=[convert(r) for r in rows], total=total, limit=self.limit, offset=self.offset
        )

    def run_items(
        self, session: Session, query: Any, convert_all: Callable[[list[Any]], list[T]]
    ) -> Page[T]:
        """Like `run`, for a query of one entity: `convert_all` gets the page's rows at once, so
        what they need alongside (targets, goal links…) is read in one query per page."""
        total = session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = list(session.execute(query.limit(self.limit).offset(self.offset)).scalars())
        return Page[T](items=convert_all(rows), total=total, limit=self.limit, offset=self.offset)


PageParams = Annotated[_PageParams, Depends()]


def each(model: type[BaseModel]) -> Callable[[list[Any]], list[Any]]:
    """`convert_all` for `run_items` when every row reads on its own."""
    return lambda rows: [model.model_validate(row) for row in rows]


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


class DepartmentRead(_Read):
    id: int
    organization_id: int
    code: str
    name: str


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
    summary: str
    mission: str
    vision: str
    mandate: str
    source: str
    terminology: dict[str, str]

    @classmethod
    def of(cls, plan: Plan, org: Organization) -> PlanRead:
        return cls.model_validate(
            {
                **plan.model_dump(),
                "terminology": {**DEFAULT_TERMINOLOGY, **(plan.terminology or {})},
                "organization": org.name,
                "organization_slug": org.slug,
            }
        )


class StatementRead(_Read):
    id: int
    plan_id: int
    kind: StatementKind
    code: str | None
    position: int
    title: str
    definition: str


class PhaseRead(_Read):
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


class StrategyRead(_Editable):
    id: int
    plan_id: int
    focus_area_id: int | None
    department_id: int | None
    phase_id: int | None
    goal_ids: list[int]
    code: str
    position: int
    title: str
    description: str
    term: Term | None
    priority: int | None
    leads: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: StrategyStatus = Field(description="The status its owner last reported")
    progress: int = Field(
        description="Its % progress, counted as `progress_counting` says: the share of its "
        "workplan steps done, or the figure its owner entered by hand"
    )
    progress_counting: ProgressCounting = Field(
        description="How its progress is counted: by its workplan steps (a strategy with steps, "
        "unless its owner chose otherwise) or by hand"
    )
    entered_progress: int = Field(
        description="The % its owner last entered by hand (kept while counted by steps)"
    )
    steps_total: int = Field(description="Its live workplan steps, sub-steps included")
    steps_done: int = Field(description="Of those, the ones done")
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)
    update_cadence_days: int
    last_update_at: UtcDatetime | None

    INTERNAL_FIELDS = ("narrative",)

    @classmethod
    def of(
        cls, strategy: Strategy, goal_ids: list[int], steps: tuple[int, int] = (0, 0)
    ) -> StrategyRead:
        """`steps`: its (live steps, done), by which its progress may be counted."""
        total, done = steps
        progress, _ = strategy_progress(
            steps_total=total,
            steps_done=done,
            entered_progress=strategy.progress,
            counting=strategy.progress_counting,
        )
        return cls.model_validate(
            {
                **strategy.model_dump(),
                "goal_ids": goal_ids,
                "progress": progress,
                "entered_progress": strategy.progress,
                "steps_total": total,
                "steps_done": done,
            }
        )


class StepRead(_Editable):
    id: int
    strategy_id: int
    parent_id: int | None = Field(description="The step this is a sub-step of")
    position: int
    title: str
    completion_measure: str
    owner: str
    due: dt.date | None
    done_on: dt.date | None


class QuickWinRead(_Editable):
    id: int
    plan_id: int
    department_id: int | None
    number: int
    service_areas: list[str]
    issue_category: str
    customer_issue: str
    summary: str
    category: WorkCategory | None
    status: QuickWinStatus
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)

    INTERNAL_FIELDS = ("narrative",)


class TargetRead(_Read):
    id: int
    value: float
    comparator: Comparator
    label: str
    effective_from: dt.date | None = Field(
        description="In force from this day until the next target's; none: from the start"
    )


class BoundsRead(_Read):
    min: float | None = Field(description="The lowest value allowed; null: the unit's")
    max: float | None = Field(description="The highest value allowed; null: the unit's")


class MetricRead(_Editable):
    id: int
    plan_id: int
    statement_id: int | None
    goal_id: int | None
    strategy_id: int | None
    focus_area_id: int | None
    department_id: int | None
    code: str
    position: int
    name: str
    description: str
    kind: str
    unit: Unit
    direction: Direction
    horizon: Horizon | None
    frequency: Frequency | None
    data_source: str
    tolerance: float | None
    baseline_value: float | None
    baseline_date: dt.date | None
    baseline_note: str
    bounds: BoundsRead | None = Field(
        description="The metric's own range for a value, replacing its unit's (a percentage "
        "is 0 to 100; counts and durations are 0 or more); null: the unit's"
    )
    targets: list[TargetRead] = Field(
        description="Oldest first; a revision keeps the target it replaced"
    )

    @classmethod
    def of(cls, metric: Metric, targets: list[MetricTarget]) -> MetricRead:
        return cls.model_validate(
            {
                **metric.model_dump(),
                "bounds": None
                if metric.bound_min is None and metric.bound_max is None
                else {"min": metric.bound_min, "max": metric.bound_max},
                "targets": [TargetRead.model_validate(t) for t in targets],
            }
        )


class MeasurementRead(_Editable):
    id: int
    metric_id: int
    period: dt.date = Field(description="The first day of the period the value is for")
    value: float
    note: str | None = Field(description=INTERNAL_NOTE)
    void_reason: str | None = Field(
        description="Why the value was voided (its `archived_at` says when); empty while it "
        "stands. Null when the reader may not see internal narratives"
    )
    voided_by_id: int | None = Field(
        description="The user who voided it. Null while it stands, or when the reader may not "
        "see internal narratives"
    )

    INTERNAL_FIELDS = ("note", "void_reason", "voided_by_id")


class JourneyRead(_Read):
    id: int
    position: int
    title: str
    description: str


class PersonaRead(_Read):
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
