"""The plans as everyone reads them: the list, a plan's overview, and its drill-downs.

- `/` and `/plans`: the plans the visitor may read, by organisation, with each plan's headline;
- `/plans/{slug}`: the overview, in the plan's own words (vision, standards, themes…);
- `/plans/{slug}/focus-areas/{fa_code}`: one focus area's goals, strategies and metrics;
- `/plans/{slug}/strategies/{strategy_code}`: one strategy, its steps, metrics and history.

Read-only: the edit controls live on /my-work and the plan builder's edit pages; a strategy
page links to them ("Update", "Edit") only when `can()` says the reader may use them. Each page
has one template; an htmx request for the same URL gets its main block (the strategy page's
history block for `?history=all`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import Strategy
from app.routes.cached_pages import cached_page
from app.services.accounts import demo_accounts
from app.services.accounts.permissions import Action, can, can_read_internal, require_read_plan
from app.services.publishing.reading import approved_updates
from app.services.reading.plan_tree import get_plan, load_plan_outline, load_plan_tree
from app.services.reading.zones import reading_zone
from app.services.rules.value_text import format_value
from app.services.views import drill_down, executive, plan_index
from app.services.views.roadmap import TERM_LABELS, span_text
from app.services.views.update_requests import request_panel
from app.templating import render

router = APIRouter(include_in_schema=False)


def _helpers() -> dict[str, object]:
    return {
        "term_labels": TERM_LABELS,
        "category_labels": drill_down.CATEGORY_LABELS,
        "span_text": span_text,
        "format_value": format_value,
    }


@router.get("/")
@router.get("/plans")
def plans_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    groups = plan_index.list_plans(session=session, user=user)
    demo_city = plan_index.demo_city_plan(groups, demo_accounts.DEMO_CITY_ORGANIZATION)
    context = {"groups": groups, "demo_city": demo_city, **_helpers()}
    return render(request, "plans/index.html", context, block="plans")


@router.get("/plans/{slug}")
def plan_overview(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    internal = can_read_internal(user, plan)

    def page() -> Response:
        # Focus-area cards with roll-ups: an outline (steps counted, not loaded) is all it shows.
        tree = load_plan_outline(session=session, plan=plan, internal=internal)
        context = {
            "plan": plan,
            "tree": tree,
            "period": plan_index.period_text(plan),
            "sections": drill_down.focus_area_sections(tree),
            "statement_sections": drill_down.statement_sections(tree),
            "plan_status": plan_index.PLAN_STATUS_LABELS.get(plan.status, plan.status),
            "programme": executive.programme_of(session, plan=plan, user=user),
            "reading_zone": reading_zone(session, user, plan),
            **_helpers(),
        }
        return render(request, "plans/overview.html", context, block="overview")

    return cached_page(
        request, session, user, organization_id=plan.organization_id, internal=internal, render=page
    )


@router.get("/plans/{slug}/focus-areas/{fa_code}")
def focus_area_page(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, fa_code: str
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    view = drill_down.focus_area_view(
        load_plan_tree(session=session, plan=plan, internal=can_read_internal(user, plan)),
        fa_code,
    )
    context = {
        "plan": plan,
        "tree": view.tree,
        "view": view,
        "internal": can_read_internal(user, plan),  # the narrative: not for the public
        "public": approved_updates(session, plan.id),  # type: ignore[arg-type]
        "reading_zone": reading_zone(session, user, plan),
        **_helpers(),
    }
    return render(request, "plans/focus_area.html", context, block="focus_area")


@router.get("/plans/{slug}/strategies/{strategy_code}")
def strategy_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    strategy_code: str,
    history: str = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    tree = load_plan_tree(session=session, plan=plan, internal=can_read_internal(user, plan))
    view = drill_down.strategy_view(tree, strategy_code)
    # The tree holds the strategy's columns; permissions and history take the model itself.
    strategy = session.get(Strategy, view.node.strategy.id)
    assert strategy is not None
    kind = plan.term("strategy").lower()
    update_url = ""
    if can(session, user, Action.progress, strategy, kind=kind):
        update_url = drill_down.update_link(user, view.node, tree.organization.slug)
    edit_url = ""
    if can(session, user, Action.edit, strategy, kind=kind):
        edit_url = f"/strategies/{strategy.id}/edit"
    readable = drill_down.can_read_history(user, plan)
    entries: list[drill_down.HistoryItem] = []
    more = False
    if readable:
        limit = 100_000 if history == "all" else drill_down.HISTORY_LIMIT
        entries, more = drill_down.strategy_history(
            session=session, tree=tree, strategy=strategy, limit=limit
        )
    context = {
        "plan": plan,
        "tree": tree,
        "view": view,
        "update_url": update_url,
        "edit_url": edit_url,
        "internal": can_read_internal(user, plan),  # the narrative: not for the public
        "public": approved_updates(session, plan.id),  # type: ignore[arg-type]
        "reading_zone": reading_zone(session, user, plan),
        "history_readable": readable,
        "history": entries,
        "history_more": more,
        # Issue 13: its update requests, for the organisation's people only.
        "panel": request_panel(session, user, plan, strategy)
        if can_read_internal(user, plan)
        else None,
        **_helpers(),
    }
    # `?history=all` from htmx swaps only the history list; any other htmx GET the page's body.
    block = "history" if history == "all" else "strategy"
    return render(request, "plans/strategy.html", context, block=block)
