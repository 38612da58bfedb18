"""The JSON API under /api/v1."""

from fastapi import APIRouter

from app.routes.api import (
    accounts,
    assignments,
    executive,
    health,
    history,
    metrics,
    organizations,
    outbox,
    plan_building,
    plan_lifecycle,
    plan_parts,
    plans,
    publishing,
    quick_wins,
    sessions,
    steps,
    strategies,
    update_cycles,
)

api_router = APIRouter()
api_router.include_router(health.router)
for _module in (
    organizations,
    plans,
    plan_parts,
    plan_building,
    assignments,
    plan_lifecycle,
    strategies,
    steps,
    quick_wins,
    metrics,
    sessions,
    publishing,
    history,
    executive,
    accounts,
    outbox,
    update_cycles,
):
    api_router.include_router(_module.router, prefix="/api/v1")
from app.routes.api import tree as _tree  # noqa: E402

api_router.include_router(_tree.router, prefix="/api/v1")
