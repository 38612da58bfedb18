"""The plan file: one YAML document holding a whole plan.

These Pydantic models *are* the format. `docs/plan-format.md` explains it for people and
`docs/plan-file.schema.json` is generated from these models (a test keeps it current).
Every model forbids unknown keys, so a misspelt field is an error, not silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.models.enums import (
    Comparator,
    Direction,
    Frequency,
    Horizon,
    PlanStatus,
    ProgressCounting,
    QuickWinStatus,
    ReportingCadence,
    ScheduleStyle,
    StatementKind,
    StrategyStatus,
    Term,
    ToleranceKind,
    Unit,
    WorkCategory,
)
from app.services.errors import ValidationFailed
from app.services.rules.typed_numbers import read_typed_number
from app.services.rules.update_cycles import zone_problem

FORMAT_VERSION = "plantrack/1"

Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")]
Slug = Annotated[str, Field(min_length=2, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Title = Annotated[str, Field(min_length=1, max_length=300)]
LongText = Annotated[str, Field(max_length=20_000)]
ShortText = Annotated[str, Field(max_length=300)]

# A planned span is written at quarter precision: "2019-Q2" on a calendar schedule, or
# "Y2 Q2" (year 2 of the plan, quarter 2) on a relative one, like Mississauga's chart.
Quarter = Annotated[str, Field(pattern=r"^(\d{4}-Q[1-4]|Y[1-9]\d? Q[1-4])$")]

# A duration as the plans write it: "4:22" (minutes:seconds for a metric in minutes or seconds,
# hours:minutes for one in hours). Quote it or not: the loader reads 4:22 as text, not as
# YAML 1.1's base-60 integer 262. MetricIn turns it into the number in the metric's unit.
Clock = Annotated[str, Field(pattern=r"^\d+:[0-5]\d$")]
Value = float | Clock


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganizationIn(_Strict):
    name: Title
    slug: Slug
    # Issue 13: its time zone and reporting calendar. Set when the import creates the
    # organisation; an existing organisation's are changed on its settings page, and a file that
    # states others is refused rather than silently ignored or applied.
    time_zone: str | None = Field(
        default=None, max_length=64, description="An IANA time zone name (UTC when left out)"
    )
    reporting_cadence: ReportingCadence | None = Field(
        default=None, description="Updates owed monthly (when left out) or quarterly"
    )
    reporting_due_day: int | None = Field(
        default=None,
        ge=1,
        le=28,
        description="The day of the month after a period ends by which updates are due (10)",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        problem = zone_problem(value) if value is not None else None
        if problem is not None:
            raise ValueError(problem)
        return value


class DepartmentIn(_Strict):
    code: Code
    name: Title


class TerminologyIn(_Strict):
    """What this plan calls each level, singular and plural, so pages use the plan's words."""

    focus_area: ShortText = "Focus area"
    focus_areas: ShortText = "Focus areas"
    goal: ShortText = "Goal"
    goals: ShortText = "Goals"
    strategy: ShortText = "Strategy"
    strategies: ShortText = "Strategies"
    step: ShortText = "Workplan step"
    steps: ShortText = "Workplan steps"
    statement: ShortText = "Standard"
    statements: ShortText = "Standards"


# A status word is a badge: short enough to read at a glance.
StatusWord = Annotated[str, Field(min_length=1, max_length=40)]


class StatusWordsIn(_Strict):
    """The plan's own words for our status codes (Durham's "On Target", "Close to Target",
    "Needs Improvement", "Target Pending"): a code left out keeps ours. Pages show the word with
    our colour and by our rules; an unknown code is refused, as is an empty or over-long word."""

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
        """Only the codes the plan words its own way."""
        return {code: word for code, word in self.model_dump().items() if word is not None}


class StatementIn(_Strict):
    kind: StatementKind
    code: Code | None = None
    title: Title
    definition: LongText = ""


class PhaseIn(_Strict):
    code: Code
    name: Title
    description: LongText = ""
    start: Quarter | None = None
    end: Quarter | None = None


class GoalIn(_Strict):
    code: Code
    title: Title
    description: LongText = ""
    outcomes: list[LongText] = Field(default_factory=list)


class StepIn(_Strict):
    title: Title
    completion_measure: LongText = ""
    owner: ShortText = ""
    due: dt.date | None = None
    done_on: dt.date | None = None
    steps: list[SubStepIn] = Field(default_factory=list)


class SubStepIn(_Strict):
    """A sub-step: one level only, so it has no `steps` of its own."""

    title: Title
    completion_measure: LongText = ""
    owner: ShortText = ""
    due: dt.date | None = None
    done_on: dt.date | None = None


class StrategyIn(_Strict):
    code: Code
    title: Title
    description: LongText = ""
    term: Term | None = None
    priority: int | None = Field(default=None, ge=1, le=99)
    department: Code | None = None
    leads: list[ShortText] = Field(default_factory=list)
    phase: Code | None = None
    goals: list[Code] = Field(default_factory=list)
    planned_start: Quarter | None = None
    planned_end: Quarter | None = None
    status: StrategyStatus = StrategyStatus.not_started
    # The % entered by hand (kept when counted by steps).
    progress: int = Field(default=0, ge=0, le=100)
    # Left out: by its steps when it has any, else by hand.
    progress_counting: ProgressCounting | None = None
    narrative: LongText = ""
    update_cadence_days: int = Field(default=30, ge=1, le=366)
    steps: list[StepIn] = Field(default_factory=list)

    @property
    def step_counts(self) -> tuple[int, int]:
        """(steps, of which done), sub-steps included."""
        every = [x for step in self.steps for x in (step, *step.steps)]
        return len(every), sum(1 for x in every if x.done_on is not None)

    @property
    def counting(self) -> ProgressCounting:
        if self.progress_counting is not None:
            return self.progress_counting
        return ProgressCounting.by_steps if self.steps else ProgressCounting.by_hand

    @field_validator("goals")
    @classmethod
    def _goals_unique(cls, goals: list[str]) -> list[str]:
        if len(set(goals)) != len(goals):
            raise ValueError("lists a goal twice")
        return goals


class FocusAreaIn(_Strict):
    code: Code
    title: Title
    description: LongText = ""
    category: WorkCategory | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    narrative: LongText = ""
    goals: list[GoalIn] = Field(default_factory=list)
    strategies: list[StrategyIn] = Field(default_factory=list)


class TargetIn(_Strict):
    value: Value
    comparator: Comparator
    label: ShortText = ""
    effective_from: dt.date | None = None


class BoundsIn(_Strict):
    """A metric's own range for its values, replacing its unit's (a percentage is 0 to 100;
    counts and durations are 0 or more): a growth rate that may pass 100%, say."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> BoundsIn:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be above max")
        return self


class BaselineIn(_Strict):
    value: Value
    date: dt.date | None = None
    note: LongText = ""


class MeasuresIn(_Strict):
    """What a metric measures: exactly one of these, or none for a plan-wide (vision) measure."""

    statement: Code | None = None
    goal: Code | None = None
    strategy: Code | None = None
    focus_area: Code | None = None

    @model_validator(mode="after")
    def _at_most_one(self) -> MeasuresIn:
        given = [k for k in ("statement", "goal", "strategy", "focus_area") if getattr(self, k)]
        if len(given) > 1:
            raise ValueError(
                f"name only one of statement, goal, strategy, focus_area (got {given})"
            )
        return self


class MeasurementIn(_Strict):
    period: dt.date
    value: Value
    note: LongText = ""


class MetricIn(_Strict):
    code: Code
    name: Title
    description: LongText = ""
    kind: ShortText = ""
    measures: MeasuresIn = Field(default_factory=MeasuresIn)
    unit: Unit
    direction: Direction
    horizon: Horizon | None = None
    frequency: Frequency | None = None
    # Days after each period (by frequency) ends its value is due; left out: not set, so the
    # metric is never late (what every plan file written before it meant).
    reporting_window_days: int | None = Field(default=None, ge=0, le=366)
    data_source: ShortText = ""
    department: Code | None = None
    tolerance: float | None = Field(default=None, ge=0)
    # How tolerance is read: in the metric's unit, or a percentage of |target| (5 means 5%).
    # Left out: absolute, what every plan file written before it meant.
    tolerance_kind: ToleranceKind = ToleranceKind.absolute
    bounds: BoundsIn | None = None
    # For the plan's organisation only: left out of the public site and open data.
    internal: bool = False
    baseline: BaselineIn | None = None
    targets: list[TargetIn] = Field(default_factory=list)
    measurements: list[MeasurementIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _clocks_in_the_metrics_unit(self) -> MetricIn:
        """ "4:22" becomes the number it is in this metric's unit; a clock elsewhere is refused."""
        holders = [*self.measurements, *self.targets, *([self.baseline] if self.baseline else [])]
        for holder in holders:
            if isinstance(holder.value, str):
                try:
                    holder.value = read_typed_number(holder.value, unit=self.unit)
                except ValidationFailed as exc:
                    raise ValueError(exc.problems[0].message) from None
        return self

    @model_validator(mode="after")
    def _targets_dated(self) -> MetricIn:
        if len(self.targets) > 1 and any(t.effective_from is None for t in self.targets[1:]):
            raise ValueError("every target after the first needs effective_from")
        return self


class QuickWinIn(_Strict):
    number: int = Field(ge=1, le=9999)
    service_areas: list[ShortText] = Field(default_factory=list)
    issue_category: ShortText = ""
    customer_issue: LongText = ""
    summary: LongText = ""
    category: WorkCategory | None = None
    status: QuickWinStatus = QuickWinStatus.planned
    narrative: LongText = ""
    department: Code | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class JourneyIn(_Strict):
    title: Title
    description: LongText = ""


class PersonaIn(_Strict):
    name: Title
    description: LongText = ""
    journeys: list[JourneyIn] = Field(default_factory=list)


class PlanIn(_Strict):
    slug: Slug
    title: Title
    subtitle: ShortText = ""
    status: PlanStatus = PlanStatus.adopted
    owning_department: Code | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    adopted_on: dt.date | None = None
    schedule: ScheduleStyle = ScheduleStyle.calendar
    schedule_origin: dt.date | None = None
    programme: Slug | None = Field(
        default=None,
        description="The slug of the programme (a plan of the same organisation, loaded "
        "before this one) this plan belongs to",
    )
    fiscal_year_start_month: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="The month (1-12) the fiscal year starts; left out for calendar years. "
        "A fiscal year is named by the year it ends in (FY2026: July 2025 - June 2026)",
    )
    published: bool = False
    source: LongText = ""
    summary: LongText = ""
    mission: LongText = ""
    vision: LongText = ""
    mandate: LongText = ""
    terminology: TerminologyIn = Field(default_factory=TerminologyIn)
    status_words: StatusWordsIn = Field(default_factory=StatusWordsIn)


class PlanFile(_Strict):
    format: Literal["plantrack/1"]
    organization: OrganizationIn
    departments: list[DepartmentIn] = Field(default_factory=list)
    plan: PlanIn
    statements: list[StatementIn] = Field(default_factory=list)
    phases: list[PhaseIn] = Field(default_factory=list)
    goals: list[GoalIn] = Field(default_factory=list)
    focus_areas: list[FocusAreaIn] = Field(default_factory=list)
    # Strategies in no focus area (created without one, or whose focus area was archived).
    strategies: list[StrategyIn] = Field(default_factory=list)
    metrics: list[MetricIn] = Field(default_factory=list)
    quick_wins: list[QuickWinIn] = Field(default_factory=list)
    personas: list[PersonaIn] = Field(default_factory=list)


StepIn.model_rebuild()
