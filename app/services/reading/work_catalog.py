"""Reading the work a plan commits to: strategies (with their goal links), their workplan steps,
and quick wins.

Apart from the plan's other parts (services.reading.catalog) because these lists take filters
(status, term, department, category) and steps nest under their strategy: a sub-step of an archived
step is hidden with it. Visibility is services.reading.visibility's, as for every item.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import Plan, QuickWin, Strategy, StrategyGoal, User, WorkplanStep
from app.models.base import is_live
from app.models.enums import QuickWinStatus, StrategyStatus, Term, WorkCategory
from app.services.errors import NotFound
from app.services.reading.visibility import (
    archived_listed,
    get_plan_item,
    plan_items,
    plan_visible,
    shown,
)

# --- strategies and their workplan steps -------------------------------------------------------


def strategies_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    focus_area_id: int | None = None,
    department_id: int | None = None,
    status: StrategyStatus | None = None,
    term: Term | None = None,
) -> Select[Any]:
    query = plan_items(Strategy, user=user, plan=plan, include_archived=include_archived)
    if focus_area_id is not None:
        query = query.where(Strategy.focus_area_id == focus_area_id)
    if department_id is not None:
        query = query.where(Strategy.department_id == department_id)
    if status is not None:
        query = query.where(Strategy.status == status)
    if term is not None:
        query = query.where(Strategy.term == term)
    return query.order_by(Strategy.plan_id, Strategy.position, Strategy.id)


def get_strategy(
    *, session: Session, user: User | None, strategy_id: int, include_archived: bool = False
) -> Strategy:
    return get_plan_item(session, user, Strategy, strategy_id, "strategy", include_archived)


def goal_ids_of(*, session: Session, strategy_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if strategy_ids:
        for link in session.exec(
            select(StrategyGoal)
            .where(col(StrategyGoal.strategy_id).in_(strategy_ids))
            .order_by(StrategyGoal.goal_id)
        ):
            out[link.strategy_id].append(link.goal_id)
    return out


def steps_query(*, strategy: Strategy, include_archived: bool) -> Select[Any]:
    """A strategy's steps, each top-level step followed by its sub-steps, in their order.

    Sub-steps of an archived step are archived with it: they are left out too.
    """
    parent = aliased(WorkplanStep)
    query = (
        select(WorkplanStep)
        .outerjoin(parent, col(parent.id) == WorkplanStep.parent_id)
        .where(WorkplanStep.strategy_id == strategy.id)
    )
    if not include_archived:
        query = query.where(is_live(WorkplanStep), col(parent.archived_at).is_(None))
    return query.order_by(
        func.coalesce(parent.position, WorkplanStep.position),
        func.coalesce(WorkplanStep.parent_id, WorkplanStep.id),
        col(WorkplanStep.parent_id).is_not(None),
        WorkplanStep.position,
        WorkplanStep.id,
    )


def get_step(
    *, session: Session, user: User | None, step_id: int, include_archived: bool = False
) -> WorkplanStep:
    step = session.get(WorkplanStep, step_id)
    chain: list[Any] = [step]
    if step is not None:
        if step.parent_id is not None:
            chain.append(session.get(WorkplanStep, step.parent_id))
        chain.append(session.get(Strategy, step.strategy_id))
    strategy = chain[-1]
    if strategy is not None:
        include_archived = archived_listed(session, user, strategy.plan_id, include_archived)
    if not all(shown(row, include_archived) for row in chain) or not plan_visible(
        session, user, strategy.plan_id, include_archived
    ):
        raise NotFound(f"No workplan step with id {step_id}.")
    assert step is not None
    return step


# --- quick wins --------------------------------------------------------------------------------


def quick_wins_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    status: QuickWinStatus | None = None,
    category: WorkCategory | None = None,
    department_id: int | None = None,
) -> Select[Any]:
    query = plan_items(QuickWin, user=user, plan=plan, include_archived=include_archived)
    if status is not None:
        query = query.where(QuickWin.status == status)
    if category is not None:
        query = query.where(QuickWin.category == category)
    if department_id is not None:
        query = query.where(QuickWin.department_id == department_id)
    return query.order_by(QuickWin.plan_id, QuickWin.number, QuickWin.id)


def get_quick_win(
    *, session: Session, user: User | None, quick_win_id: int, include_archived: bool = False
) -> QuickWin:
    return get_plan_item(session, user, QuickWin, quick_win_id, "quick win", include_archived)
