"""The JSON API under /api/v1."""

from fastapi import APIRouter

from app.routes.api import health, plans

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(plans.router, prefix="/api/v1")
from app.routes.api import tree as _tree  # noqa: E402

api_router.include_router(_tree.router, prefix="/api/v1")
