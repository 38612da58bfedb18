"""The public site (issue 12): a published plan written for the public, without JavaScript.

- /public/{org}: the organisation's published plans with their headline status;
- /public/{org}/{plan}: the dashboard (status counts, progress by focus area, headline metrics
  with trend charts and target lines), with the plan's Dataset in JSON-LD;
- /public/{org}/{plan}/focus-areas/{code}, /strategies/{code} (with every workplan step; each
  with its measures' trend charts), /measures (every public metric charted, under the standard,
  focus area or plan it measures), /roadmap, /quick-wins, /changes (what changed this quarter).

Focus areas, strategies and quick wins show their approved public update (publishing), with the
day it was approved; a draft never shows.

Every answer is the same for every reader (signed in or not): it is built as an anonymous reader
reads the plan, never shows narratives, notes, people's names or internal metrics, and is
cacheable (public_cache). An unpublished, draft or archived plan is 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.deps import SessionDep
from app.models import Organization, Plan
from app.routes.pages.public_cache import cached, site_origin
from app.services.exports import open_data
from app.services.publishing.reading import approved_updates
from app.services.reading.zones import zone_of_organization
from app.services.rules.value_text import format_value
from app.services.views.public_site import access, changes, measures, pages
from app.services.views.roadmap import span_text
from app.templating import render

router = APIRouter(include_in_schema=False)


def _context(org: Organization, plan: Plan | None, **more: Any) -> dict[str, Any]:
    base = f"/public/{org.slug}" + (f"/{plan.slug}" if plan else "")
    return {
        "org": org,
        "plan": plan,
        "base": base,
        "format_value": format_value,
        "span_text": span_text,
        "reading_zone": zone_of_organization(org),  # the plan's organisation's
        **more,
    }


@router.get("/public/{org_slug}")
def landing(request: Request, session: SessionDep, org_slug: str) -> Response:
    org = access.public_organization(session, org_slug)
    plans = access.public_plans(session, org)

    def answer() -> Response:
        context = _context(org, None, entries=pages.landing(session, org))
        return render(request, "public/landing.html", context)

    return cached(request, access.public_etag(session, plans, "landing"), answer)


@router.get("/public/{org_slug}/{plan_slug}")
def dashboard(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        view = pages.load_dashboard(session, org, plan)
        changed = open_data.modified(session, [plan])[plan.id]  # type: ignore[index]
        # Escaped for a <script> element's text by open_data (no <, > or & left in it).
        dataset = Markup(open_data.dataset_json(org, plan, site_origin(request), changed))
        context = _context(org, plan, view=view, tree=view.tree, dataset=dataset)
        return render(request, "public/dashboard.html", context)

    etag = access.public_etag(session, [plan], f"dashboard {site_origin(request)}")
    return cached(request, etag, answer)


@router.get("/public/{org_slug}/{plan_slug}/focus-areas/{fa_code}")
def focus_area(
    request: Request, session: SessionDep, org_slug: str, plan_slug: str, fa_code: str
) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)
    tree = pages.public_tree(session, plan)
    view = pages.focus_area_view(tree, fa_code)  # 404 before the ETag: an unknown area

    def answer() -> Response:
        public = approved_updates(session, plan.id)  # type: ignore[arg-type]
        charted = pages.charted(session, plan, view.metrics)
        context = _context(org, plan, tree=tree, view=view, public=public, charted=charted)
        return render(request, "public/focus_area.html", context)

    return cached(request, access.public_etag(session, [plan], f"fa {fa_code}"), answer)


@router.get("/public/{org_slug}/{plan_slug}/strategies/{strategy_code}")
def strategy(
    request: Request, session: SessionDep, org_slug: str, plan_slug: str, strategy_code: str
) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)
    tree = pages.public_tree(session, plan)
    view = pages.strategy_view(tree, strategy_code)

    def answer() -> Response:
        public = approved_updates(session, plan.id)  # type: ignore[arg-type]
        charted = pages.charted(session, plan, view.metrics)
        context = _context(org, plan, tree=tree, view=view, public=public, charted=charted)
        return render(request, "public/strategy.html", context)

    return cached(request, access.public_etag(session, [plan], f"s {strategy_code}"), answer)


@router.get("/public/{org_slug}/{plan_slug}/measures")
def measures_page(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        tree = pages.public_tree(session, plan)
        base = f"/public/{org.slug}/{plan.slug}"
        groups = measures.load_measures(session, tree, base)
        context = _context(org, plan, tree=tree, groups=groups)
        return render(request, "public/measures.html", context)

    return cached(request, access.public_etag(session, [plan], "measures"), answer)


@router.get("/public/{org_slug}/{plan_slug}/roadmap")
def roadmap(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        tree = pages.public_tree(session, plan)
        context = _context(org, plan, tree=tree, groups=pages.roadmap(tree))
        return render(request, "public/roadmap.html", context)

    return cached(request, access.public_etag(session, [plan], "roadmap"), answer)


@router.get("/public/{org_slug}/{plan_slug}/quick-wins")
def quick_wins(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        tree = pages.public_tree(session, plan)
        public = approved_updates(session, plan.id)  # type: ignore[arg-type]
        context = _context(org, plan, tree=tree, public=public)
        return render(request, "public/quick_wins.html", context)

    return cached(request, access.public_etag(session, [plan], "quick wins"), answer)


@router.get("/public/{org_slug}/{plan_slug}/changes")
def changed(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        tree = pages.public_tree(session, plan)
        base = f"/public/{org.slug}/{plan.slug}"
        since, entries = changes.changes_this_quarter(session, tree, base)
        context = _context(org, plan, tree=tree, since=since, entries=entries)
        return render(request, "public/changes.html", context)

    return cached(request, access.public_etag(session, [plan], "changes"), answer)
