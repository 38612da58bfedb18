"""/plans/{slug}/roadmap: the quarter-by-quarter timeline of a plan's strategies.

A GET form (grouping and filters) that works without JavaScript; with htmx it swaps only the
`roadmap` block and pushes the URL, so a filtered roadmap can be shared as a link. The timeline
itself is computed in app/services/views/roadmap.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.cached_pages import cached_page
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.reading.plan_tree import get_plan
from app.services.rules.rollup import LABELS
from app.services.views import roadmap as roadmap_service
from app.templating import render

router = APIRouter(include_in_schema=False)


def roadmap_filters(
    group: str = "", term: str = "", status: str = "", department: str = ""
) -> roadmap_service.RoadmapFilters:
    """The filters of the roadmap page and of its exports (the same parsing for both)."""
    return roadmap_service.RoadmapFilters.parse(
        group=group, term=term, status=status, department=department
    )


RoadmapAsked = Annotated[roadmap_service.RoadmapFilters, Depends(roadmap_filters)]


def roadmap_query(filters: roadmap_service.RoadmapFilters) -> dict[str, str]:
    """The filters as a query string's parameters (for the export links), defaults left out."""
    asked = {"term": filters.term, "status": filters.status, "department": filters.department}
    group = {"group": filters.group} if filters.group != "focus_area" else {}
    return group | {k: v for k, v in asked.items() if v}


@router.get("/plans/{slug}/roadmap")
def roadmap_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    filters: RoadmapAsked,
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    internal = can_read_internal(user, plan)

    def page() -> Response:
        roadmap = roadmap_service.load_roadmap(
            session=session, plan=plan, filters=filters, internal=internal
        )
        context = {
            "plan": plan,
            "roadmap": roadmap,
            "filters": filters,
            "export_query": roadmap_query(filters),
            "labels": LABELS,
            "term_labels": roadmap_service.TERM_LABELS,
            "span_text": roadmap_service.span_text,
            "fiscal_note": roadmap_service.fiscal_note(plan),
        }
        return render(request, "plans/roadmap.html", context, block="roadmap")

    return cached_page(
        request, session, user, organization_id=plan.organization_id, internal=internal, render=page
    )
