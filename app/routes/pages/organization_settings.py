"""/organizations/{slug}/settings: the organisation's time zone and reporting calendar, changed by
its administrators (services.changes.organization_settings decides who and checks the values).

A refused form is shown again with the message beside its field and nothing saved (422); a stale
one with the newer settings (409). A saved one answers 303 back to the page (htmx: the form's
block). `/organization/settings` takes an administrator to their own organisation's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Organization, User
from app.models.enums import ReportingCadence
from app.models.organization import OrganizationSettingsUpdate
from app.routes.pages.form_input import Form_, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.changes import organization_settings
from app.services.errors import NotFound
from app.services.reading import catalog
from app.services.rules import clock
from app.services.rules.local_time import local_moment_text
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
TEMPLATE = "organizations/settings.html"
CADENCES = [
    (ReportingCadence.monthly.value, "Monthly"),
    (ReportingCadence.quarterly.value, "Quarterly"),
]


def _administered(session: Session, user: User, slug: str) -> Organization:
    """The organisation, for its administrators (404 unreadable, 403 for anyone else)."""
    organization = catalog.get_organization(session=session, user=user, slug=slug)
    organization_settings.require_configure(session, actor_for(user), organization)
    return organization


def _page(
    request: Request,
    organization: Organization,
    *,
    post: FormPost | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    context: dict[str, Any] = {
        "organization": organization,
        "cadences": CADENCES,
        "errors": post.errors if post else {},
        "conflict": post.conflict if post else None,
        "typed": typed if post and post.refused and post.conflict is None else {},
        "notice": notice or (post.notice if post else ""),
        "now_there": local_moment_text(clock.clock(), organization.time_zone),
    }
    status = post.status if post else 200
    return render(request, TEMPLATE, context, block="settings", status_code=status)


@router.get("/organization/settings")
def own_settings(session: SessionDep, user: RequiredUser) -> Response:
    organization = session.get(Organization, user.organization_id) if user.organization_id else None
    if organization is None:
        raise NotFound("Your account belongs to no organisation.")
    return RedirectResponse(f"/organizations/{organization.slug}/settings", status_code=303)


@router.get("/organizations/{org_slug}/settings")
def settings_page(
    request: Request, session: SessionDep, user: RequiredUser, org_slug: str, saved: str = ""
) -> Response:
    organization = _administered(session, user, org_slug)
    return _page(request, organization, notice="Settings saved." if saved == "1" else "")


@router.post("/organizations/{org_slug}/settings")
def post_settings(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    org_slug: str,
    version: Form_ = "",
    time_zone: Form_ = "",
    reporting_cadence: Form_ = "",
    reporting_due_day: Form_ = "",
) -> Response:
    organization = _administered(session, user, org_slug)
    typed = {
        "time_zone": time_zone,
        "reporting_cadence": reporting_cadence,
        "reporting_due_day": reporting_due_day,
    }
    with form_post(session) as post:
        given = {k: v.strip() for k, v in typed.items() if v.strip()}  # blank: unchanged
        data = OrganizationSettingsUpdate(version=form_version(version), **given)  # type: ignore[arg-type]
        organization_settings.update_settings(
            session=session, organization=organization, data=data, actor=actor_for(user)
        )
        post.notice = "Settings saved."
    if post.refused or is_htmx(request):
        session.refresh(organization)
        return _page(request, organization, post=post, typed=typed)
    return RedirectResponse(f"/organizations/{organization.slug}/settings?saved=1", status_code=303)
