from __future__ import annotations

from fastapi import APIRouter, Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.deps import READ_ERRORS, IncludeArchived, ReadablePlan, error_responses
from app.routes.api.pagination import Page, PageParams
from app.routes.api.schemas import PlanRead, PlanSummary
from app.routes.api.versions import with_etag
from app.services.changes import programmes
from app.services.reading import catalog

router = APIRouter(tags=["plans"])


@router.get(
    "/plans",
    summary="List plans",
    response_model=Page[PlanSummary],
    description="Published plans, and the plans of the reader's own organisation.",
    responses=error_responses(*READ_ERRORS),
)
def list_plans(
    session: SessionDep, user: CurrentUser, page: PageParams, include_archived: IncludeArchived
) -> Page[PlanSummary]:
    query = catalog.plans_query(user=user, include_archived=include_archived)
    return page.run(session, query, lambda row: PlanSummary.of(row[0], row[1]))


@router.get(
    "/plans/{slug}",
    name="api_plan",
    summary="One plan: its words, period and terminology",
    description="The plan itself; `GET /api/v1/plans/{slug}/tree` has everything it holds.",
    response_model=PlanRead,
    responses=error_responses(*READ_ERRORS),
)
def get_plan(plan: ReadablePlan, session: SessionDep, response: Response) -> PlanRead:
    return with_etag(
        response,
        PlanRead.of(
            plan,
            catalog.organization_of(session=session, plan=plan),
            programmes.programme_slug(session, plan),
        ),
    )
