"""/plans/{slug}/roadmap: the quarter-by-quarter timeline of a plan's strategies.

A GET form (grouping and filters) that works without JavaScript; with htmx it swaps only the
`roadmap` block and pushes the URL, so a filtered roadmap can be shared as a link. The timeline
itself is computed in app/services/views/roadmap.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.services.accounts.permissions import require_read_plan
from app.services.reading.plan_tree import get_plan
from app.services.rules.rollup import LABELS
from app.services.views import roadmap as roadmap_service
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/plans/{slug}/roadmap")
def roadmap_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    group: str = "",
    term: str = "",
    status: str = "",
    department: str = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    filters = roadmap_service.RoadmapFilters.parse(
        group=group, term=term, status=status, department=department
    )
    roadmap = roadmap_service.load_roadmap(session=session, plan=plan, filters=filters)
    context = {
        "plan": plan,
        "roadmap": roadmap,
        "filters": filters,
        "labels": LABELS,
        "term_labels": roadmap_service.TERM_LABELS,
        "span_text": roadmap_service.span_text,
    }
    return render(request, "plans/roadmap.html", context, block="roadmap")
