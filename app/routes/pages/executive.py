"""/organizations/{slug}/executive: every plan of an organisation on one screen (issue 12).

The organisation's people and installation administrators; anonymous visitors go to sign-in,
anyone else gets a 404. `?since=YYYY-MM-DD` (default 30 days ago) chooses what "moved" counts;
`?plan=<slug>` opens that plan's off-target metrics. htmx swaps only the `executive` block.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.services.rules import clock
from app.services.rules.local_time import local_today
from app.services.rules.rollup import LABELS
from app.services.views import executive as executive_service
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/executive")
def my_executive(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The navigation's link: the executive view of the signed-in person's organisation."""
    if user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    organization = executive_service.organization_of(session, user)
    return RedirectResponse(f"/organizations/{organization.slug}/executive", status_code=303)


@router.get("/organizations/{org_slug}/executive")
def executive_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    org_slug: str,
    since: str = "",
    plan: str = "",
) -> Response:
    if user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    organization = executive_service.get_organization(session, org_slug)
    now = clock.clock()
    today = local_today(organization.time_zone, now)
    day, since_error = executive_service.parse_since(since, today)
    view = executive_service.load_executive(
        session=session, user=user, organization=organization, since=day, now=now
    )
    context = {
        "view": view,
        "labels": LABELS,
        "segments": executive_service.segments,
        "since_text": since.strip() if since_error else day.isoformat(),
        "since_error": since_error,
        "opened": plan,
    }
    return render(request, "executive/index.html", context, block="executive")
