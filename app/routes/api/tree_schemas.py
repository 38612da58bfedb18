"""The shape of GET /api/v1/plans/{slug}/tree: the whole plan with its roll-ups.

The pydantic models below document the answer (OpenAPI); app.routes.api.tree_writer writes it. The
answer is ~0.5 MB for a city's plan (1,100 steps, 275 metrics), so it is built as plain dicts and
encoded once with the standard library's C encoder instead of building and validating ~2,000
pydantic objects per request. tests/routes/api/test_plan_tree.py checks that every object of the
answer has exactly the fields its model documents, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.routes.api.schemas import INTERNAL_NARRATIVE

# Part of the tree's ETag: bump it when the answer's shape changes, so clients holding an ETag of
# the old shape get the new one even though the plan did not change.
TREE_FORMAT = "3"  # 3: internal narratives are null for readers who may not see them


class StatusOut(BaseModel):
    code: str
    label: str
    reason: str


class RollupOut(BaseModel):
    distribution: dict[str, int]
    mean_progress: int | None
    headline: str
    headline_label: str
    why: str
    strategies: int


class StepOut(BaseModel):
    id: int
    version: int
    title: str
    completion_measure: str
    owner: str
    due: dt.date | None
    done_on: dt.date | None
    sub_steps: list[StepOut] = []


class StrategyOut(BaseModel):
    id: int
    version: int
    code: str
    title: str
    description: str
    term: str | None
    priority: int | None
    department: str | None
    leads: list[str]
    phase: str | None
    goals: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    effective_status: StatusOut
    progress: int
    progress_source: str
    progress_counting: str = Field(description="How progress is counted: by_steps or by_hand")
    entered_progress: int
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)
    last_update_at: dt.datetime | None
    steps: list[StepOut]


class GoalOut(BaseModel):
    id: int
    code: str
    title: str
    description: str
    outcomes: list[str]


class FocusAreaOut(BaseModel):
    id: int
    version: int
    code: str
    title: str
    description: str
    category: str | None
    active_from: dt.date | None
    active_to: dt.date | None
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)
    rollup: RollupOut
    goals: list[GoalOut]
    strategies: list[StrategyOut]


class TargetOut(BaseModel):
    value: float
    comparator: str
    label: str
    effective_from: dt.date | None


class MetricOut(BaseModel):
    id: int
    version: int
    code: str
    name: str
    description: str
    kind: str
    measures: str
    unit: str
    direction: str
    horizon: str | None
    frequency: str | None
    reporting_window_days: int | None
    department: str | None
    baseline_value: float | None
    baseline_date: dt.date | None
    targets: list[TargetOut]
    target_in_force: TargetOut | None
    latest_period: dt.date | None
    latest_value: float | None
    status: StatusOut


class QuickWinOut(BaseModel):
    id: int
    version: int
    number: int
    service_areas: list[str]
    issue_category: str
    customer_issue: str
    summary: str
    category: str | None
    status: str
    department: str | None
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)


class StatementOut(BaseModel):
    id: int
    kind: str
    code: str | None
    title: str
    definition: str


class PhaseOut(BaseModel):
    id: int
    code: str
    name: str
    description: str
    start: dt.date | None
    end: dt.date | None


class JourneyOut(BaseModel):
    title: str
    description: str


class PersonaOut(BaseModel):
    id: int
    name: str
    description: str
    journeys: list[JourneyOut]


class MemberPlanOut(BaseModel):
    slug: str
    title: str
    owning_department: str | None
    rollup: RollupOut


class PlanTreeOut(BaseModel):
    id: int
    version: int
    slug: str
    title: str
    subtitle: str
    organization: str
    owning_department: str | None
    status: str
    published: bool
    period_start: dt.date | None
    period_end: dt.date | None
    adopted_on: dt.date | None
    mission: str
    vision: str
    mandate: str
    summary: str
    terminology: dict[str, str]
    as_of: dt.date
    rollup: RollupOut
    statements: list[StatementOut]
    phases: list[PhaseOut]
    goals: list[GoalOut] = Field(
        description="The goals under no focus area; those of a focus area are listed under it."
    )
    focus_areas: list[FocusAreaOut]
    strategies: list[StrategyOut] = Field(
        description=(
            "The strategies in no focus area (some plans hang them on their goals or on the plan "
            "itself), in the plan's order. Those of a focus area are listed under it."
        )
    )
    metrics: list[MetricOut]
    quick_wins: list[QuickWinOut]
    personas: list[PersonaOut]
    member_plans: list[MemberPlanOut] = Field(
        default_factory=list,
        description="A programme's department plans (those the reader may read), each with the "
        "roll-up its own tree gives; empty for a plan that is no programme.",
    )
    programme_rollup: RollupOut | None = Field(
        default=None,
        description="A programme: its own strategies and its department plans', as one group.",
    )
