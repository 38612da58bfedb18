"""GET /api/v1/plans/{slug}/tree: the whole plan in one answer, with an ETag for pollers.

The answer (~0.5 MB for a city's plan) carries an ETag; a client that sends it back in
If-None-Match gets 304 Not Modified with no body, after one small query instead of the plan's
load; an unchanged tree asked again without it is the kept body (app.routes.cached_pages says
what the ETag covers).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.tree_schemas import TREE_FORMAT, PlanTreeOut
from app.routes.api.tree_writer import tree_json
from app.routes.cached_pages import cached_page, etag_matches
from app.routes.errors import ERROR_RESPONSES
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.reading.plan_tree import get_plan, load_plan_tree
from app.services.views import executive

__all__ = ["etag_matches", "router"]

router = APIRouter(tags=["plans"])

# Caches may keep the answer but must ask again each time (it is per reader: plans may be private).
CACHE_CONTROL = "private, no-cache"


@router.get(
    "/plans/{slug}/tree",
    summary="The whole plan tree with roll-ups",
    description=(
        "Mission, vision, statements, phases, goals, focus areas with their strategies and "
        "workplan steps, strategies in no focus area, metrics with their status against target, "
        "quick wins and personas, in one call. Each focus area and the plan carry the roll-up: "
        "the distribution of their strategies' statuses, mean progress, and the headline status "
        "with why. Narratives are null when the reader may not see internal narratives: "
        "anonymous readers of a published plan.\n\n"
        "The answer has an `ETag`. Send it back in `If-None-Match` to be answered "
        "`304 Not Modified` (no body) while nothing the tree shows has changed: any accepted "
        "change to the plan, and the passing of time that makes a strategy overdue or stale, "
        "give a new ETag."
    ),
    response_model=PlanTreeOut,
    responses={
        304: {"description": "Not modified: the tree is still the one of the ETag sent."},
        404: ERROR_RESPONSES[404],
    },
)
def plan_tree(request: Request, slug: str, session: SessionDep, user: CurrentUser) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    internal = can_read_internal(user, plan)

    def answer() -> Response:
        # A programme's answer carries its member plans' roll-ups (their changes are in the
        # stamp the page cache reads).
        programme = executive.programme_of(session, plan=plan, user=user)
        tree = load_plan_tree(session=session, plan=plan, internal=internal)
        body = tree_json(tree, internal=internal, programme=programme)
        return Response(body, media_type="application/json")

    # Kept, with its ETag, under the organisation's stamp, the reader's class and the reader
    # (app.routes.cached_pages): an unchanged tree is a 304, or its kept body, after one query.
    response = cached_page(
        request,
        session,
        user,
        organization_id=plan.organization_id,
        internal=internal,
        render=answer,
        variant=TREE_FORMAT,
        weak=False,
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
