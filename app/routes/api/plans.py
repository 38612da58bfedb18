from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from app.deps import SessionDep
from app.models import Organization, Plan
from app.routes.api.schemas import Page, PageParams, PlanSummary

router = APIRouter(tags=["plans"])


@router.get("/plans", summary="List plans", response_model=Page[PlanSummary])
def list_plans(session: SessionDep, page: PageParams) -> Page[PlanSummary]:
    query = (
        select(Plan, Organization)
        .join(Organization, Organization.id == Plan.organization_id)  # type: ignore[arg-type]
        .where(Plan.archived_at.is_(None))  # type: ignore[union-attr]
        .order_by(Organization.name, Plan.title)
    )
    return page.run(session, query, lambda row: PlanSummary.of(row[0], row[1]))
