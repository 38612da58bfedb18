"""Issue 13 over the API: an organisation's settings (time zone, reporting calendar), update
requests (create, list, withdraw), and My work's due list for a department.

Writes name the version they were made from (body `version`, or If-Match): a stale one is
refused with the newer value (409; 412 for If-Match). Bad input is a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models.base import MAX_ID
from app.models.enums import ReportingCadence
from app.models.organization import OrganizationSettingsUpdate
from app.models.update_request import UpdateRequestNew, UpdateRequestWithdraw
from app.routes.api.deps import CREATE_ERRORS, WRITE_ERRORS, ReadableOrganization, error_responses
from app.routes.api.inputs import strict_json
from app.routes.api.schemas import UtcDatetime, _Editable
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.services.accounts.permissions import require_read_plan
from app.services.changes import organization_settings, update_requests
from app.services.reading import update_requests as request_reading
from app.services.views.my_work import page as my_work
from app.services.views.my_work import whose_work

router = APIRouter(tags=["update cycles"])


class OrganizationSettingsRead(_Editable):
    id: int
    slug: str
    name: str
    time_zone: str = Field(description="The organisation's IANA time zone")
    reporting_cadence: ReportingCadence = Field(description="Updates are owed monthly or quarterly")
    reporting_due_day: int = Field(
        description="The day of the month after a period ends by which its updates are due"
    )


class UpdateRequestRead(_Editable):
    id: int
    plan_id: int
    subject_type: str = Field(description="strategy, quick_win or metric")
    subject_id: int
    department_id: int = Field(description="The department whose leads are asked")
    message: str
    requested_by_id: int | None
    requested_by_name: str
    requested_at: UtcDatetime
    answered_at: UtcDatetime | None = Field(description="When an update answered it")
    answered_by_name: str
    answered_with: str = Field(description='What answered it: "a progress update", a value')
    withdrawn_at: UtcDatetime | None
    withdrawn_by_name: str
    open: bool = Field(description="Neither answered nor withdrawn")
    item_label: str = ""
    item_url: str = Field(default="", description="The item's page")


class DueItemRead(BaseModel):
    subject_type: str
    subject_id: int
    plan_id: int
    label: str
    url: str
    period_start: dt.date = Field(description="The first day of the period the update is for")
    period: str = Field(description='The period as people name it: "November 2026", "2026 Q3"')
    due: dt.date = Field(description="When the update is due (the organisation's calendar)")
    overdue: bool


class MyWorkRead(BaseModel):
    department_id: int
    department_code: str
    today: dt.date = Field(description="Today in the organisation's time zone")
    due: list[DueItemRead] = Field(description="Overdue first (oldest first), then due soonest")
    open_requests: list[UpdateRequestRead]


def _settings(organization: object) -> OrganizationSettingsRead:
    return OrganizationSettingsRead.model_validate(organization)


def _request(row: object, label: str = "", url: str = "") -> UpdateRequestRead:
    read = UpdateRequestRead.model_validate(
        {**row.model_dump(), "open": row.is_open}  # type: ignore[attr-defined]
    )
    return read.model_copy(update={"item_label": label, "item_url": url})


@router.get(
    "/organizations/{slug}/settings",
    name="api_organization_settings",
    summary="An organisation's settings",
    description="Its time zone and reporting calendar (cadence and due day), with its version "
    "as the ETag.",
    response_model=OrganizationSettingsRead,
    responses=error_responses(404, 422),
)
def get_settings(
    organization: ReadableOrganization, response: Response
) -> OrganizationSettingsRead:
    return with_etag(response, _settings(organization))


@router.patch(
    "/organizations/{slug}/settings",
    name="change_organization_settings",
    summary="Change an organisation's settings",
    description="Administrators of the organisation: `time_zone` (an IANA name), "
    "`reporting_cadence` (monthly or quarterly) and `reporting_due_day` (1-28). Send only what "
    "changes, with the `version` you changed (If-Match may name it too): a stale version is "
    "refused with the newer value (409; 412 for If-Match). Recorded in the history.",
    response_model=OrganizationSettingsRead,
    responses=error_responses(*WRITE_ERRORS),
)
def change_settings(
    user: RequiredUser,
    organization: ReadableOrganization,
    _json: Annotated[None, strict_json(OrganizationSettingsUpdate)],
    body: OrganizationSettingsUpdate,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> OrganizationSettingsRead:
    expected = expected_version(if_match, body.version, current=organization.version)
    with precondition(expected):
        organization_settings.update_settings(
            session=session,
            organization=organization,
            data=with_version(body, expected),
            actor=actor_for(user),
        )
    return with_etag(response, _settings(organization))


@router.post(
    "/update-requests",
    name="create_update_request",
    status_code=201,
    summary="Request an update on an item",
    description="A coordinator or administrator of the item's organisation asks the leads of "
    "the item's department (a strategy, quick win or metric) for an update, with a message. "
    "It stays open until someone records a progress update on the item (a value, for a "
    "metric) or it is withdrawn. An item with no department is refused (422, `department`).",
    response_model=UpdateRequestRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_request(
    user: RequiredUser,
    _json: Annotated[None, strict_json(UpdateRequestNew)],
    body: UpdateRequestNew,
    session: SessionDep,
    request: Request,
    response: Response,
) -> UpdateRequestRead:
    item = update_requests.get_item(session, body.subject_type, body.subject_id)
    plan = request_reading.plan_of(session, item)
    require_read_plan(user, plan)
    row = update_requests.request_update(
        session=session, item=item, data=body, actor=actor_for(user)
    )
    read = _request(
        row, request_reading.item_label(plan, item), request_reading.item_url(plan, item)
    )
    return created(request, response, "api_update_request", read, request_id=row.id)


@router.get(
    "/update-requests/{request_id}",
    name="api_update_request",
    summary="One update request",
    response_model=UpdateRequestRead,
    responses=error_responses(404, 422),
)
def get_request(
    request_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> UpdateRequestRead:
    row = update_requests.get_request(session, request_id)
    views = request_reading.views_of(session, [row], user)
    if not views:
        update_requests.not_found(request_id)
    view = views[0]
    return with_etag(response, _request(row, view.label, view.url))


@router.get(
    "/organizations/{slug}/update-requests",
    summary="An organisation's update requests",
    description="Newest first; open ones only unless `include_closed`; `department` (its code) "
    "for one department's.",
    response_model=list[UpdateRequestRead],
    responses=error_responses(404, 422),
)
def list_requests(
    organization: ReadableOrganization,
    session: SessionDep,
    user: CurrentUser,
    include_closed: bool = False,
    department: Annotated[str, Query(max_length=20)] = "",
) -> list[UpdateRequestRead]:
    department_id = request_reading.department_id_of(session, organization, department)
    views = request_reading.list_requests(
        session,
        organization_id=organization.id,  # type: ignore[arg-type]
        user=user,
        open_only=not include_closed,
        department_id=department_id,
    )
    return [_request(v.request, v.label, v.url) for v in views]


@router.post(
    "/update-requests/{request_id}/withdraw",
    name="withdraw_update_request",
    summary="Withdraw an update request",
    description="The coordinator (or an administrator) takes a request back, naming its "
    "`version` (If-Match may name it too). A request answered or withdrawn meanwhile is "
    "refused (409) with its current state.",
    response_model=UpdateRequestRead,
    responses=error_responses(*WRITE_ERRORS),
)
def withdraw_request(
    request_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    user: RequiredUser,
    _json: Annotated[None, strict_json(UpdateRequestWithdraw)],
    body: UpdateRequestWithdraw,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> UpdateRequestRead:
    row = update_requests.get_request(session, request_id)
    views = request_reading.views_of(session, [row], user)
    if not views:
        update_requests.not_found(request_id)
    expected = expected_version(if_match, body.version, current=row.version)
    with precondition(expected):
        update_requests.withdraw_request(
            session=session, request=row, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, _request(row, views[0].label, views[0].url))


@router.get(
    "/my-work",
    summary="What a department owes, and the update requests waiting for it",
    description="A lead's own department; coordinators and administrators name one "
    "(`department`, its code). `due`: every item with its next due date on the "
    "organisation's calendar, overdue first, then due soonest.",
    response_model=MyWorkRead,
    responses=error_responses(401, 403, 404, 422),
)
def my_work_due(
    session: SessionDep,
    user: CurrentUser,
    department: Annotated[str, Query(max_length=20)] = "",
) -> MyWorkRead:
    dept = whose_work.resolve_department(
        session=session, user=user, code=department.strip() or None
    )
    if dept is None:
        whose_work.department_required()
    assert dept is not None
    work = my_work.load_department_work(session=session, department=dept, user=user)
    return MyWorkRead(
        department_id=dept.id,  # type: ignore[arg-type]
        department_code=dept.code,
        today=work.local_today,  # type: ignore[arg-type]
        due=[
            DueItemRead(
                subject_type=d.kind,
                subject_id=d.item.id,
                plan_id=d.plan.id,
                label=d.label,
                url=d.url,
                period_start=d.due.period.start,
                period=d.period_text,
                due=d.due.due,
                overdue=d.due.overdue,
            )
            for d in work.due
        ],
        open_requests=[_request(v.request, v.label, v.url) for v in work.requests],
    )
