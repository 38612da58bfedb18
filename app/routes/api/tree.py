from __future__ import annotations

from fastapi import APIRouter

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.tree_schemas import PlanTreeOut
from app.routes.errors import ERROR_RESPONSES
from app.services.permissions import require_read_plan
from app.services.plan_tree import get_plan, load_plan_tree

router = APIRouter(tags=["plans"])


@router.get(
    "/plans/{slug}/tree",
    summary="The whole plan tree with roll-ups",
    description=(
        "Mission, vision, statements, phases, goals, focus areas with their strategies and "
        "workplan steps, metrics with their status against target, quick wins and personas, "
        "in one call. Each focus area and the plan carry the roll-up: the distribution of "
        "their strategies' statuses, mean progress, and the headline status with why."
    ),
    response_model=PlanTreeOut,
    responses={404: ERROR_RESPONSES[404]},
)
def plan_tree(slug: str, session: SessionDep, user: CurrentUser) -> PlanTreeOut:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return PlanTreeOut.of(load_plan_tree(session=session, plan=plan))
