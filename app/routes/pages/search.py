"""/plans/{slug}/search?q=: search one plan's titles, descriptions and narratives.

A plain GET form on every plan page; with htmx the results block is swapped in place (and the URL
pushed). The search itself is app/services/views/search.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.cached_pages import cached_page
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.reading.plan_tree import get_plan
from app.services.views import search as search_service
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/plans/{slug}/search")
def search_page(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, q: str = ""
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    internal = can_read_internal(user, plan)

    def page() -> Response:
        results = search_service.search_plan(session=session, plan=plan, query=q, internal=internal)
        context = {"plan": plan, "results": results, "q": q, "internal": internal}
        return render(request, "plans/search.html", context, block="results")

    # The search term is in the address, so in the kept page's key.
    return cached_page(
        request, session, user, organization_id=plan.organization_id, internal=internal, render=page
    )
