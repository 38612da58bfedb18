"""Performance sessions, their decisions and action items (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pydantic as pd
from fastapi import APIRouter, Path, Query, Request, Response

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models.base import MAX_ID
from app.models.sessions import (
    ActionItemCreate,
    ActionItemUpdate,
    ActionStatus,
    DecisionCreate,
    SessionClose,
    SessionCreate,
    SessionUpdate,
)
from app.routes.api.deps import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ReadableOrganization,
    error_responses,
)
from app.routes.api.inputs import strict_json
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.services.sessions import reading, writes

router = APIRouter(tags=["performance sessions"])

SessionId = Annotated[int, Path(ge=1, le=MAX_ID)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


class DecisionRead(pd.BaseModel):
    model_config = pd.ConfigDict(from_attributes=True)
    id: int
    session_id: int
    text: str
    version: int


class ActionItemRead(pd.BaseModel):
    model_config = pd.ConfigDict(from_attributes=True)
    id: int
    organization_id: int
    session_id: int
    what: str
    department_id: int
    due_on: dt.date | None
    link_kind: str | None
    link_id: int | None
    status: str
    note: str
    version: int


class SessionRead(pd.BaseModel):
    model_config = pd.ConfigDict(from_attributes=True)
    id: int
    organization_id: int
    held_on: dt.date
    title: str
    attendees: str
    plan_ids: list[int]
    department_ids: list[int]
    focus_area_ids: list[int]
    follows_id: int | None
    status: str
    closed_at: dt.datetime | None
    version: int


class SessionDetail(SessionRead):
    pack: dict[str, Any] = pd.Field(
        description="The agenda: built from live data while the session is scheduled; once it "
        "is closed, the frozen copy, exactly as it was presented."
    )
    decisions: list[DecisionRead]
    action_items: list[ActionItemRead]


def _detail(session: SessionDep, held: Any) -> SessionDetail:
    page = reading.session_page(session, held)
    return SessionDetail(
        **SessionRead.model_validate(held).model_dump(),
        pack=page.pack,
        decisions=[DecisionRead.model_validate(d) for d in page.decisions],
        action_items=[ActionItemRead.model_validate(a.item) for a in page.actions],
    )


@router.get(
    "/sessions",
    summary="List the organisation's performance sessions",
    response_model=list[SessionRead],
    responses=error_responses(401, 422),
)
def list_sessions(session: SessionDep, user: CurrentUser) -> list[SessionRead]:
    return [SessionRead.model_validate(s) for s in reading.list_sessions(session, user)]


@router.post(
    "/organizations/{slug}/sessions",
    status_code=201,
    summary="Schedule a performance session",
    description="Coordinators and administrators. `follows_id` defaults to the organisation's "
    "latest earlier session whose scope overlaps.",
    response_model=SessionDetail,
    responses=error_responses(*CREATE_ERRORS),
)
def create_session(
    user: RequiredUser,
    organization: ReadableOrganization,
    _json: Annotated[None, strict_json(SessionCreate)],
    data: SessionCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> SessionDetail:
    held = writes.schedule_session(
        session=session, organization_id=organization.id, data=data, actor=actor_for(user)
    )
    return created(request, response, "api_session", _detail(session, held), session_id=held.id)


@router.get(
    "/sessions/{session_id}",
    name="api_session",
    summary="One performance session, with its pack and outcomes",
    response_model=SessionDetail,
    responses=error_responses(*READ_ERRORS),
)
def get_session(
    session_id: SessionId, session: SessionDep, user: CurrentUser, response: Response
) -> SessionDetail:
    held = reading.readable_session(session, user, session_id)
    return with_etag(response, _detail(session, held))


@router.patch(
    "/sessions/{session_id}",
    summary="Change a scheduled session",
    description="Send only the fields that change, with the `version` you changed.",
    response_model=SessionDetail,
    responses=error_responses(*WRITE_ERRORS),
)
def update_session(
    session_id: SessionId,
    user: RequiredUser,
    _json: Annotated[None, strict_json(SessionUpdate)],
    body: SessionUpdate,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> SessionDetail:
    held = reading.readable_session(session, user, session_id)
    expected = expected_version(if_match, body.version, current=held.version)
    with precondition(expected):
        writes.update_session(
            session=session, held=held, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, _detail(session, held))


@router.post(
    "/sessions/{session_id}/close",
    summary="Close a session, freezing its pack",
    response_model=SessionDetail,
    responses=error_responses(*WRITE_ERRORS),
)
def close_session(
    session_id: SessionId,
    user: RequiredUser,
    _json: Annotated[None, strict_json(SessionClose)],
    body: SessionClose,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> SessionDetail:
    held = reading.readable_session(session, user, session_id)
    expected = expected_version(if_match, body.version, current=held.version)
    with precondition(expected):
        writes.close_session(
            session=session, held=held, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, _detail(session, held))


@router.post(
    "/sessions/{session_id}/decisions",
    status_code=201,
    summary="Record a decision of a session",
    response_model=DecisionRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_decision(
    session_id: SessionId,
    user: RequiredUser,
    _json: Annotated[None, strict_json(DecisionCreate)],
    data: DecisionCreate,
    session: SessionDep,
) -> DecisionRead:
    held = reading.readable_session(session, user, session_id)
    decision = writes.add_decision(session=session, held=held, data=data, actor=actor_for(user))
    return DecisionRead.model_validate(decision)


@router.post(
    "/sessions/{session_id}/action-items",
    status_code=201,
    summary="Record an action item of a session",
    description="A linked item (`link_kind` and `link_id`, both or neither: a focus area, "
    "strategy, workplan step, metric or quick win) must be a live item of a plan in the "
    "session's scope, named or through its focus areas; a session that names no plan covers "
    "every plan of its organisation. Otherwise 422 on `link_id`.",
    response_model=ActionItemRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_action_item(
    session_id: SessionId,
    user: RequiredUser,
    _json: Annotated[None, strict_json(ActionItemCreate)],
    data: ActionItemCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ActionItemRead:
    held = reading.readable_session(session, user, session_id)
    item = writes.add_action_item(session=session, held=held, data=data, actor=actor_for(user))
    read = ActionItemRead.model_validate(item)
    return created(request, response, "api_action_item", read, action_item_id=item.id)


@router.get(
    "/action-items",
    summary="List the organisation's action items",
    description="`status=owed` lists those still open or in progress.",
    response_model=list[ActionItemRead],
    responses=error_responses(401, 422),
)
def list_action_items(
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[ActionStatus | None, Query()] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ActionItemRead]:
    rows = reading.list_action_items(
        session, user, status=status.value if status else "", department_id=department_id
    )
    return [ActionItemRead.model_validate(r.item) for r in rows]


@router.get(
    "/action-items/{action_item_id}",
    name="api_action_item",
    summary="One action item",
    response_model=ActionItemRead,
    responses=error_responses(*READ_ERRORS),
)
def get_action_item(
    action_item_id: ItemId, session: SessionDep, user: CurrentUser, response: Response
) -> ActionItemRead:
    item = reading.readable_action_item(session, user, action_item_id)
    return with_etag(response, ActionItemRead.model_validate(item))


@router.patch(
    "/action-items/{action_item_id}",
    summary="Change an action item (its status: the owner department's lead too)",
    response_model=ActionItemRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_action_item(
    action_item_id: ItemId,
    user: RequiredUser,
    _json: Annotated[None, strict_json(ActionItemUpdate)],
    body: ActionItemUpdate,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> ActionItemRead:
    item = reading.readable_action_item(session, user, action_item_id)
    expected = expected_version(if_match, body.version, current=item.version)
    with precondition(expected):
        writes.update_action_item(
            session=session, item=item, data=with_version(body, expected), actor=actor_for(user)
        )
    return with_etag(response, ActionItemRead.model_validate(item))
