"""GET /api/v1/plans/{slug}/tree: the whole plan in one answer, with an ETag for pollers.

The answer (~0.5 MB for a city's plan) carries an ETag; a client that sends it back in
If-None-Match gets 304 Not Modified with no body, after two small queries instead of the plan's
load (see `plan_stamp.plan_stamp` for what the ETag covers).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.tree_schemas import TREE_FORMAT, PlanTreeOut
from app.routes.api.tree_writer import programme_digest, tree_json
from app.routes.errors import ERROR_RESPONSES
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.reading.plan_stamp import plan_stamp
from app.services.reading.plan_tree import get_plan, load_plan_tree
from app.services.views import executive

router = APIRouter(tags=["plans"])

# Caches may keep the answer but must ask again each time (it is per reader: plans may be private).
CACHE_CONTROL = "private, no-cache"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match holds `etag` (weak comparison, as RFC 9110 asks for this header), or "*"."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


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
    # Readers who may not see internal narratives get another body, so another ETag: a client
    # that signs in is never told its narrative-less copy is still current.
    audience = "" if internal else "-public"
    # A programme's answer carries its member plans' roll-ups: their digest joins the ETag, so a
    # change in a member plan is a new tree of the programme.
    programme = executive.programme_of(session, plan=plan, user=user)
    members = f"-{programme_digest(programme)}" if programme is not None else ""
    etag = f'"{TREE_FORMAT}-{plan_stamp(session=session, plan=plan)}{members}{audience}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    tree = load_plan_tree(session=session, plan=plan, internal=internal)
    body = tree_json(tree, internal=internal, programme=programme)
    return Response(body, media_type="application/json", headers=headers)
