"""How many fields a form may have. Starlette refuses a form of more than 1000 fields (400) by
default; a page whose one form edits a whole plan (the owners table: a row per strategy and
metric, eight inputs each) names a larger limit here. The form is read once per request (the
first reader parses it, the others get the same parsed form), so every reader asks through
`read_form` and the limit is the route's whichever reads first."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

DEFAULT_MAX_FIELDS = 1000
# By route path: the owners table of a plan of 1,000 strategies and metrics (8 fields a row).
LARGE_FORMS: dict[str, int] = {"/plans/{slug}/owners": 10_000}


def max_fields(request: Request) -> int:
    route = request.scope.get("route")
    return LARGE_FORMS.get(getattr(route, "path", ""), DEFAULT_MAX_FIELDS)


async def read_form(request: Request) -> FormData:
    return await request.form(max_fields=max_fields(request))
