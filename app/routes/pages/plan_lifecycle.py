"""/plans/new and /plans/{slug}/settings: builders (coordinators and administrators of the
organisation; installation administrators choose it) make a plan, from a short form or by
uploading a plan file, change its settings and words, and adopt it.

A new plan is a draft, seen only by its organisation (permissions.can_read_plan). A refused form
is shown again with each message beside its field (422; a refused file: every problem with its
line and field) and nothing saved; a saved one answers 303 to the plan's settings (htmx: 200 with
HX-Redirect). The rules are services.changes.plans' and plan_uploads'.
"""

from __future__ import annotations

import calendar
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import DEFAULT_TERMINOLOGY, Organization, Plan, User
from app.models.enums import PlanStatus, ScheduleStyle
from app.models.plan_settings import PlanAdopt, PlanCreate, PlanSettingsUpdate, StatusWords
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts import permissions
from app.services.accounts.permissions import Action, Ownership, can, decide, require_read_plan
from app.services.changes import plan_uploads, plans, programmes
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.reading.plan_tree import get_plan
from app.services.rules.rollup import LABELS
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 1024 * 1024
TERM_KEYS = tuple(DEFAULT_TERMINOLOGY)
WORD_KEYS = tuple(StatusWords.model_fields)
NOT_A_BUILDER = "Only a coordinator or an administrator can make and change plans."


def _buildable(session: Session, user: User) -> list[Organization]:
    """The organisations `user` may make plans in (the rule: permissions.decide, Action.build)."""
    orgs = session.exec(select(Organization).order_by(Organization.name)).all()
    return [
        o
        for o in orgs
        if decide(user, Action.build, Ownership(o.id, None, "plan")).allowed  # type: ignore[arg-type]
    ]


def _chosen(session: Session, user: User, slug: str) -> Organization:
    orgs = _buildable(session, user)
    if not orgs:
        raise PermissionDenied(NOT_A_BUILDER)
    found = next((o for o in orgs if o.slug == slug.strip()), None)
    if found is None and len(orgs) == 1 and not slug.strip():
        return orgs[0]
    if (
        found is None
        and session.exec(select(Organization.id).where(Organization.slug == slug)).first()
    ):
        raise PermissionDenied("You make plans only in the organisations you build for.")
    if found is None:
        raise ValidationFailed.one("organization", "Choose an organisation from the list.")
    return found


def _redirect(request: Request, url: str) -> Response:
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _words(fields: dict[str, str], prefix: str, keys: tuple[str, ...]) -> dict[str, str | None]:
    return {k: blank_to_none(fields.get(f"{prefix}{k}", "").strip()) for k in keys}


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()  # cached: the CSRF check read it
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(_fields)]


def _new_page(
    request: Request,
    session: Session,
    user: User,
    post: FormPost | None = None,
    typed: dict[str, str] | None = None,
    upload: bool = False,
) -> Response:
    orgs = _buildable(session, user)
    if not orgs:
        raise PermissionDenied(NOT_A_BUILDER)
    context: dict[str, Any] = {
        "organizations": orgs,
        "choose_organization": permissions.is_installation_admin(user) or len(orgs) > 1,
        "typed": typed or {},
        "errors": post.errors if post and not upload else {},
        "upload_errors": post.errors if post and upload else {},
        "problems": [p for p in post.problems if isinstance(p, plan_uploads.LineProblem)]
        if post and upload
        else [],
        "schedules": [s.value for s in ScheduleStyle],
        "term_keys": TERM_KEYS,
        "default_terms": DEFAULT_TERMINOLOGY,
    }
    status = post.status if post else 200
    block = "upload" if upload else "new_plan"
    return render(request, "plan_lifecycle/new.html", context, status_code=status, block=block)


@router.get("/plans/new")
def new_plan_page(request: Request, session: SessionDep, user: RequiredUser) -> Response:
    return _new_page(request, session, user)


@router.post("/plans/new")
def post_new_plan(
    request: Request, session: SessionDep, user: RequiredUser, fields: FormFields
) -> Response:
    with form_post(session) as post:
        org = _chosen(session, user, fields.get("organization", ""))
        data = PlanCreate(
            title=fields.get("title", ""),
            slug=fields.get("slug", "").strip(),
            subtitle=fields.get("subtitle", ""),
            period_start=blank_to_none(fields.get("period_start", "")),  # type: ignore[arg-type]
            period_end=blank_to_none(fields.get("period_end", "")),  # type: ignore[arg-type]
            schedule=fields.get("schedule") or ScheduleStyle.calendar,  # type: ignore[arg-type]
            schedule_origin=blank_to_none(fields.get("schedule_origin", "")),  # type: ignore[arg-type]
            terminology=_words(fields, "term_", TERM_KEYS),  # type: ignore[arg-type]
        )
        plan = plans.create_plan(
            session=session, organization=org, data=data, actor=actor_for(user)
        )
    if post.refused:
        return _new_page(request, session, user, post, fields)
    return _redirect(request, f"/plans/{quote(plan.slug)}/settings?saved=created")


@router.post("/plans/new/upload")
def post_plan_file(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    file: Annotated[UploadFile | None, File()] = None,
    organization: Form_ = "",
) -> Response:
    with form_post(session) as post:
        org = _chosen(session, user, organization)
        data = file.file.read(MAX_UPLOAD + 1) if file is not None else b""
        text = _file_text(data)
        plan = plan_uploads.upload_plan(
            session=session, organization=org, text=text, actor=actor_for(user),
            source=(file.filename if file is not None else "") or "uploaded file",
        )  # fmt: skip
    if post.refused:
        typed = {"organization": organization}
        return _new_page(request, session, user, post, typed, upload=True)
    return _redirect(request, f"/plans/{quote(plan.slug)}/settings?saved=uploaded")


def _file_text(data: bytes) -> str:
    if not data:
        raise ValidationFailed.one("file", "Choose a plan file (YAML) to upload.")
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed.one("file", f"The file is larger than {MAX_UPLOAD // 1024} KB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.one(
            "file", "The file is not UTF-8 text (a YAML plan file)."
        ) from None


# --- a plan's settings ---------------------------------------------------------------------------


def _readable_plan(session: Session, user: User | None, slug: str) -> Plan:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return plan


MONTHS = list(enumerate(calendar.month_name))[1:]

SAVED = {
    "created": "Plan created as a draft: only your organisation sees it until it is adopted.",
    "uploaded": "Plan file uploaded.",
    "settings": "Settings saved.",
    "adopted": "Plan adopted.",
    "site_on": "Public site switched on.",
    "site_off": "Public site switched off.",
}


def _settings_page(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    post: FormPost | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    if not can(session, user, Action.build, plan, kind="plan"):
        raise PermissionDenied(NOT_A_BUILDER)
    notice = post.notice if post else SAVED.get(request.query_params.get("saved", ""), "")
    context: dict[str, Any] = {
        "plan": plan,
        "typed": typed or {},
        "errors": post.errors if post else {},
        "conflict": post.conflict if post else None,
        "notice": notice,
        "schedules": [s.value for s in ScheduleStyle],
        "term_keys": TERM_KEYS,
        "default_terms": DEFAULT_TERMINOLOGY,
        "word_keys": WORD_KEYS,
        "our_words": LABELS,
        "is_draft": plan.status == PlanStatus.draft,
        # Issue 12: the public site's switch (templates/publishing/_site_switch.html).
        "can_publish": can(session, user, Action.publish_site, plan, kind="plan"),
        "months": MONTHS,
        "programme_choices": programmes.programme_choices(session, plan),
        "programme_slug": programmes.programme_slug(session, plan),
        "member_count": programmes.member_count(session, plan),
    }
    status = post.status if post else 200
    return render(
        request, "plan_lifecycle/settings.html", context, status_code=status, block="settings"
    )


@router.get("/plans/{slug}/settings")
def settings_page(request: Request, session: SessionDep, user: RequiredUser, slug: str) -> Response:
    plan = _readable_plan(session, user, slug)
    return _settings_page(request, session, user, plan)


@router.post("/plans/{slug}/settings")
def post_settings(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, fields: FormFields
) -> Response:
    plan = _readable_plan(session, user, slug)
    with form_post(session) as post:
        data = PlanSettingsUpdate(
            version=form_version(fields.get("version", "")),
            title=fields.get("title", ""),
            subtitle=fields.get("subtitle", ""),
            period_start=blank_to_none(fields.get("period_start", "")),  # type: ignore[arg-type]
            period_end=blank_to_none(fields.get("period_end", "")),  # type: ignore[arg-type]
            schedule=fields.get("schedule") or ScheduleStyle.calendar,  # type: ignore[arg-type]
            schedule_origin=blank_to_none(fields.get("schedule_origin", "")),  # type: ignore[arg-type]
            terminology=_words(fields, "term_", TERM_KEYS),  # type: ignore[arg-type]
            status_words=_words(fields, "word_", WORD_KEYS),  # type: ignore[arg-type]
            programme=blank_to_none(fields.get("programme", "")),
            fiscal_year_start_month=blank_to_none(fields.get("fiscal_year_start_month", "")),  # type: ignore[arg-type]
        )
        plans.update_settings(session=session, plan=plan, data=data, actor=actor_for(user))
        post.notice = SAVED["settings"]
    if post.refused or is_htmx(request):
        return _settings_page(request, session, user, plan, post, fields if post.refused else None)
    return RedirectResponse(f"/plans/{quote(plan.slug)}/settings?saved=settings", status_code=303)


@router.post("/plans/{slug}/adopt")
def post_adopt(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    version: Form_ = "",
    adopted_on: Form_ = "",
) -> Response:
    plan = _readable_plan(session, user, slug)
    with form_post(session) as post:
        data = PlanAdopt(version=form_version(version), adopted_on=blank_to_none(adopted_on))  # type: ignore[arg-type]
        plans.adopt_plan(session=session, plan=plan, data=data, actor=actor_for(user))
        post.notice = SAVED["adopted"]
    if post.refused or is_htmx(request):
        typed = {"adopted_on": adopted_on} if post.refused else None
        return _settings_page(request, session, user, plan, post, typed)
    return RedirectResponse(f"/plans/{quote(plan.slug)}/settings?saved=adopted", status_code=303)
