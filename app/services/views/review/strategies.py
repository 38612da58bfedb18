"""The strategies of the coordinator's review: read as columns, and rolled up from them.

Apart from the review's rows (app.services.views.review.focus_areas) because the review reads
hundreds of strategies (600 at scale 1) in one column query, never as ORM objects, and rolls each
up by the rules of services.rules.rollup from those plain values and its step counts. A strategy
belongs to a department when the department owns it, or, owning nothing itself, when its plan is
the department's own plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlmodel import Session, col, select

from app.models import Plan, Strategy
from app.models.base import is_live
from app.services.rules import rollup


class StrategyFacts(NamedTuple):
    """The columns of a strategy the review reads (600 at scale 1: no ORM objects)."""

    id: int
    plan_id: int
    focus_area_id: int | None
    department_id: int | None
    term: str | None
    code: str
    title: str
    status: str
    progress: int
    progress_counting: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    last_update_at: dt.datetime | None
    update_cadence_days: int
    last_changed_at: dt.datetime | None


@dataclass
class ReviewStrategy:
    """A strategy rolled up by the rules of services.rules.rollup, from its columns and counts."""

    strategy: StrategyFacts
    steps_total: int
    steps_done: int
    progress: int
    status: rollup.EffectiveStatus

    @property
    def rollup_input(self) -> rollup.StrategyRollupInput:
        return rollup.StrategyRollupInput(
            code=self.strategy.code,
            title=self.strategy.title,
            status=self.status,
            progress=self.progress,
        )


def strategy_facts(session: Session, plan_ids: list[int]) -> list[StrategyFacts]:
    """The live strategies of the plans, as columns, in their plans' order."""
    return [
        StrategyFacts(*row)
        for row in session.exec(
            select(  # type: ignore[call-overload]
                Strategy.id,
                Strategy.plan_id,
                Strategy.focus_area_id,
                Strategy.department_id,
                Strategy.term,
                Strategy.code,
                Strategy.title,
                Strategy.status,
                Strategy.progress,
                Strategy.progress_counting,
                Strategy.planned_start,
                Strategy.planned_end,
                Strategy.last_update_at,
                Strategy.update_cadence_days,
                Strategy.last_changed_at,
            )
            .where(col(Strategy.plan_id).in_(plan_ids), is_live(Strategy))
            .order_by(Strategy.position, Strategy.id)
        )
    ]


def belongs(strategy: StrategyFacts, plan: Plan, department_id: int | None) -> bool:
    if department_id is None:
        return True
    owner = strategy.department_id
    return owner == department_id or (owner is None and plan.owning_department_id == department_id)
