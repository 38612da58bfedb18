"""The Jinja2 environment shared by every page (autoescaping on: templates are *.html)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.responses import Response

from app.models import Plan, User
from app.services.accounts.permissions import Action, Ownership, decide
from app.services.rules import clock, local_time
from app.services.rules.quarters import quarter_label
from app.services.rules.rollup import LABELS, label
from app.settings import ROOT

templates = Jinja2Templates(directory=str(ROOT / "app" / "templates"))
templates.env.globals["labels"] = LABELS


def _quarter_label(day: dt.date, plan: Plan) -> str:
    """A quarter as the plan writes it: "Year 2 Q2" on a relative schedule, else "2019 Q2"."""
    if plan.schedule == "relative" and plan.schedule_origin:
        text = quarter_label(day, plan.schedule_origin)
        return text.replace("Y", "Year ", 1)
    return quarter_label(day).replace("-", " ")


templates.env.globals["quarter_label"] = _quarter_label


def _status_word(code: str, fallback: str = "", plan: Any = None) -> str:
    """The word a badge shows for `code` on an item of `plan`: the plan's own word where it set
    one (Plan.status_words), else `fallback` (the page's word), else ours. `plan` may be anything
    a template holds (a slug, nothing): only a Plan has words."""
    words = plan.status_words if isinstance(plan, Plan) else None
    if words and words.get(code):
        return label(code, words)
    return fallback or label(code)


templates.env.globals["status_word"] = _status_word


def _may_build(user: Any, plan: Any) -> bool:
    """Whether to offer `user` the plan builder of `plan` (a link only: the builder's pages and
    services decide for themselves)."""
    if not isinstance(user, User) or not isinstance(plan, Plan):
        return False
    owner = Ownership(plan.organization_id, plan.owning_department_id, "plan")
    return decide(user, Action.build, owner).allowed


templates.env.globals["may_build"] = _may_build


def _zone(context: Context) -> str:
    """The page's reading zone (services.reading.zones.reading_zone, put in the context by the
    route as `reading_zone`); UTC on a page that shows no moment and so set none."""
    return str(context.get("reading_zone") or local_time.UTC_NAME)


@pass_context
def _when(context: Context, value: str | dt.datetime | None) -> str:
    """A moment as the page's reader reads it: "2026-12-06 19:30 PST" (empty for none)."""
    return local_time.moment_text(value, _zone(context))


@pass_context
def _day(context: Context, value: str | dt.datetime | None) -> dt.date | None:
    """The calendar date of a moment in the reading zone (shown as "2026-12-06")."""
    moment = local_time.parse_moment(value)
    return local_time.local_date(moment, _zone(context)) if moment else None


@pass_context
def _age(context: Context, value: str | dt.datetime | None) -> str:
    """How long ago, counted in the reading zone's days: "today", "3 days ago", "never"."""
    return local_time.age_text(value, clock.clock(), _zone(context))


def _instant(value: str | dt.datetime | None) -> str:
    """A moment for `<time datetime>`: ISO-8601 in UTC with its offset, machine-readable."""
    moment = local_time.parse_moment(value)
    return moment.isoformat() if moment else ""


templates.env.globals["when"] = _when
templates.env.globals["instant"] = _instant
templates.env.globals["day_of"] = _day
templates.env.globals["age"] = _age


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """Render a page; an htmx request for the same URL gets only `block` (its fragment)."""
    ctx: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "demo_mode": request.app.state.settings.demo_mode,
        **(context or {}),
    }
    if block is not None and is_htmx(request):
        tmpl = templates.env.get_template(template)
        html = "".join(tmpl.blocks[block](tmpl.new_context(ctx)))
        return Response(html, status_code=status_code, media_type="text/html")
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
