"""Read models of the work a plan commits to: strategies, their workplan steps, quick wins.

Apart from the plan's other read models (app.routes.api.schemas) because a strategy's answer is
computed, not copied: its progress is counted from its steps by the roll-up rules, and its goal
links and step counts are read alongside it (app.routes.api.strategies).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from app.models import Strategy
from app.models.enums import ProgressCounting, QuickWinStatus, StrategyStatus, Term, WorkCategory
from app.routes.api.schemas import INTERNAL_NARRATIVE, UtcDatetime, _Editable
from app.services.rules.rollup import strategy_progress


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
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    narrative: str | None = Field(description=INTERNAL_NARRATIVE)

    INTERNAL_FIELDS = ("narrative",)
