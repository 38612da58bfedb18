"""The public site's open data (issue 12): a published plan's public metrics with their
measurements, targets and baselines as CSV and JSON (long format), the data dictionary (HTML and
JSON), and the organisation's DCAT catalog (JSON-LD) for open-data portals.

- /public/{org}/dcat.json
- /public/{org}/{plan}/metrics.csv, /metrics.json
- /public/{org}/{plan}/data-dictionary, /data-dictionary.json

Cacheable and the same for every reader, as the public pages (public_cache).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import SessionDep
from app.routes.pages.public_cache import cached, site_origin
from app.services.exports import open_data
from app.services.views.public_site import access, pages
from app.templating import render

router = APIRouter(include_in_schema=False)
JSON_LD = "application/ld+json"


@router.get("/public/{org_slug}/dcat.json")
def dcat(request: Request, session: SessionDep, org_slug: str) -> Response:
    org = access.public_organization(session, org_slug)
    plans = access.public_plans(session, org)

    def answer() -> Response:
        body = open_data.catalog(
            org, plans, site_origin(request), open_data.modified(session, plans)
        )
        return Response(body, media_type=JSON_LD)

    return cached(
        request, access.public_etag(session, plans, f"dcat {site_origin(request)}"), answer
    )


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{name}"'}


@router.get("/public/{org_slug}/{plan_slug}/metrics.csv")
def metrics_csv(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        rows = open_data.records(session, pages.public_tree(session, plan))
        return Response(
            open_data.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers=_download(f"{plan.slug}-metrics.csv"),
        )

    return cached(request, access.public_etag(session, [plan], "csv"), answer)


@router.get("/public/{org_slug}/{plan_slug}/metrics.json")
def metrics_json(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        rows = open_data.records(session, pages.public_tree(session, plan))
        return Response(open_data.to_json(org, plan, rows), media_type="application/json")

    return cached(request, access.public_etag(session, [plan], "json"), answer)


@router.get("/public/{org_slug}/{plan_slug}/data-dictionary.json")
def dictionary_json(
    request: Request, session: SessionDep, org_slug: str, plan_slug: str
) -> Response:
    access.public_plan(session, org_slug, plan_slug)
    etag = f'"{access.PUBLIC_FORMAT}-dictionary-json"'
    return cached(
        request,
        etag,
        lambda: Response(open_data.dictionary_json(), media_type="application/json"),
    )


@router.get("/public/{org_slug}/{plan_slug}/data-dictionary")
def dictionary(request: Request, session: SessionDep, org_slug: str, plan_slug: str) -> Response:
    org, plan = access.public_plan(session, org_slug, plan_slug)

    def answer() -> Response:
        context = {
            "org": org,
            "plan": plan,
            "base": f"/public/{org.slug}/{plan.slug}",
            "columns": open_data.dictionary(),
        }
        return render(request, "public/data_dictionary.html", context)

    return cached(request, access.public_etag(session, [plan], "dictionary"), answer)
