"""A plan's lifecycle over the API (the plan builder, issue 10): make a plan (from scratch or
from a plan file), change its settings, adopt it. Coordinators and administrators of the
organisation build; a new plan is a draft, seen only by its organisation until adopted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models.plan_settings import PlanAdopt, PlanCreate, PlanSettingsUpdate
from app.routes.api.deps import (
    CREATE_ERRORS,
    WRITE_ERRORS,
    LivePlan,
    ReadableOrganization,
    error_responses,
)
from app.routes.api.inputs import strict_json
from app.routes.api.schemas import PlanRead
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.routes.nul_characters import MESSAGE as NUL_MESSAGE
from app.services.changes import plan_uploads, plans, programmes
from app.services.errors import ValidationFailed
from app.services.reading import catalog

router = APIRouter(tags=["plan building"])

PLAN_FILE_MEDIA = "application/yaml"


def _read(session: SessionDep, plan: object) -> PlanRead:
    return PlanRead.of(
        plan,  # type: ignore[arg-type]
        catalog.organization_of(session=session, plan=plan),
        programmes.programme_slug(session, plan),  # type: ignore[arg-type]
    )


@router.post(
    "/organizations/{slug}/plans",
    name="create_plan",
    status_code=201,
    summary="Make a new plan (a draft)",
    description="Coordinators and administrators of the organisation (installation "
    "administrators: of any) make a plan: title, slug, period, schedule and the plan's own "
    "words (`terminology`: what it calls each level; `status_words`: its words for our status "
    "codes). It starts as a `draft`, seen only by the organisation's people, until adopted "
    "(`POST /plans/{slug}/adopt`). A slug already used, a period ending before it starts or "
    "a relative schedule without `schedule_origin` is refused (422 naming the field).",
    response_model=PlanRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_plan(
    user: RequiredUser,
    organization: ReadableOrganization,
    _json: Annotated[None, strict_json(PlanCreate)],
    data: PlanCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> PlanRead:
    plan = plans.create_plan(
        session=session, organization=organization, data=data, actor=actor_for(user)
    )
    return created(request, response, "api_plan", _read(session, plan), slug=plan.slug)


async def _plan_file_text(request: Request) -> str:
    body = await request.body()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.one("body", "must be a plan file in UTF-8 text") from None
    if "\x00" in text:
        raise ValidationFailed.one("body", NUL_MESSAGE)
    if not text.strip():
        raise ValidationFailed.one("body", "is empty: send the plan file as the body")
    return text


@router.post(
    "/organizations/{slug}/plans/import",
    name="import_plan",
    status_code=201,
    summary="Make a new plan from a plan file (YAML)",
    description="The body is a plan file (docs/plan-format.md), checked as `plantrack import` "
    "checks it; all of it is stored, or nothing. A refused file answers 422 with every "
    "problem in `fields`, each with its `line` and `field` (`plan.slug`, "
    "`focus_areas[0].strategies[1].term`). The file's organisation must be this one. The plan "
    "is stored as a draft unless the file says `status: adopted` (whoever may upload may "
    "adopt); a draft is seen only by its organisation.",
    response_model=PlanRead,
    responses=error_responses(*CREATE_ERRORS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {PLAN_FILE_MEDIA: {"schema": {"type": "string"}}},
        }
    },
)
def import_plan(
    user: RequiredUser,
    organization: ReadableOrganization,
    text: Annotated[str, Depends(_plan_file_text)],
    session: SessionDep,
    request: Request,
    response: Response,
) -> PlanRead:
    plan = plan_uploads.upload_plan(
        session=session,
        organization=organization,
        text=text,
        actor=actor_for(user),
        source="request body",
    )
    return created(request, response, "api_plan", _read(session, plan), slug=plan.slug)


@router.patch(
    "/plans/{slug}",
    name="change_plan",
    summary="Change a plan's settings",
    description="Title, subtitle, period, schedule, level names (`terminology`) and status "
    "words (`status_words`; each replaces the plan's whole set: a name or word left out goes "
    "back to ours). Send only what changes, with the `version` you changed (If-Match may name "
    "it too): a stale version is refused with the newer value (409; 412 for If-Match).",
    response_model=PlanRead,
    responses=error_responses(*WRITE_ERRORS),
)
def change_plan(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(PlanSettingsUpdate)],
    body: PlanSettingsUpdate,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> PlanRead:
    expected = expected_version(if_match, body.version, current=plan.version)
    with precondition(expected):
        plans.update_settings(
            session=session, plan=plan, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, _read(session, plan))


@router.post(
    "/plans/{slug}/adopt",
    name="adopt_plan",
    summary="Adopt a draft plan",
    description="Draft → adopted, on `adopted_on` (today when left out); the plan is then read "
    "as its publication says. A plan that is not a draft is refused (422 naming `status`).",
    response_model=PlanRead,
    responses=error_responses(*WRITE_ERRORS),
)
def adopt_plan(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(PlanAdopt)],
    body: PlanAdopt,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> PlanRead:
    expected = expected_version(if_match, body.version, current=plan.version)
    with precondition(expected):
        plans.adopt_plan(
            session=session, plan=plan, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, _read(session, plan))
