"""Accounts (issue 13): one's own details, reminder preference and password; and, for
administrators, their organisation's users: create, change details, issue a one-time password
reset link (returned once), reactivate."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic as pd
from fastapi import APIRouter, BackgroundTasks, Path, Request, Response

from app.auth import IdentityDep, RequiredUser, actor_for, client_address
from app.db import get_engine
from app.deps import SessionDep
from app.models import User
from app.models.accounts import AccountChange, PasswordChangeIn, UserChange, UserCreateIn
from app.models.base import MAX_ID
from app.routes.api.deps import CREATE_ERRORS, READ_ERRORS, WRITE_ERRORS, error_responses
from app.routes.api.inputs import strict_json
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
)
from app.services.accounts import permissions, profiles, reset_mail
from app.services.accounts import users as accounts
from app.services.errors import FieldProblem, PermissionDenied, ValidationFailed
from app.services.mail.delivery import deliver_message

router = APIRouter(tags=["accounts"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
EMAIL_WITH_TOKEN = (
    "An API token cannot change the account's e-mail address (where password reset links go): "
    "change it on Your account, signed in."
)


class UserRead(pd.BaseModel):
    model_config = pd.ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    email: str | None
    reminder_frequency: str
    role: str
    organization_id: int | None
    department_id: int | None
    is_installation_admin: bool
    active: bool
    version: int


class PasswordChanged(pd.BaseModel):
    message: str


class ResetLinkRead(pd.BaseModel):
    user_id: int
    link: str | None = pd.Field(
        description="The one-time link: returned this once, never stored; null when it was "
        "e-mailed (an SMTP server is set and the account has an address)"
    )
    emailed_to: str | None = pd.Field(description="Where the link was e-mailed, if it was")
    expires_at: dt.datetime


def _given(body: pd.BaseModel, *names: str) -> dict[str, str | None]:
    """The fields a change sends, as the service takes them: an e-mail of null removes it
    (""), and null for a field that cannot be empty is refused."""
    out: dict[str, str | None] = {}
    nulls = []
    for name in names:
        if name not in body.model_fields_set:
            continue
        value = getattr(body, name)
        if value is None and name != "email":
            nulls.append(FieldProblem(name, "must not be null"))
        out[name] = "" if value is None else str(value)
    if nulls:
        raise ValidationFailed(nulls)
    return out


def _read(response: Response, user: User) -> UserRead:
    return with_etag(response, UserRead.model_validate(user))


# --- one's own account ---------------------------------------------------------------------------


@router.get(
    "/account",
    summary="Your own account",
    response_model=UserRead,
    responses=error_responses(401, 422),
)
def get_account(session: SessionDep, user: RequiredUser, response: Response) -> UserRead:
    return _read(response, profiles.account_of(session, user))


@router.patch(
    "/account",
    summary="Change your display name, e-mail address or reminder preference",
    response_model=UserRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_account(
    session: SessionDep,
    identity: IdentityDep,
    user: RequiredUser,
    _json: Annotated[None, strict_json(AccountChange)],
    body: AccountChange,
    if_match: IfMatch,
    response: Response,
) -> UserRead:
    me = profiles.account_of(session, user)
    changes = _given(body, "display_name", "email", "reminder_frequency")
    if "email" in changes and identity.via == "token":
        raise PermissionDenied(EMAIL_WITH_TOKEN)
    expected = expected_version(if_match, body.version, current=me.version)
    with precondition(expected):
        profiles.update_profile(
            session=session, actor=actor_for(user), user=me, version=expected.version, **changes
        )
    return _read(response, me)


@router.post(
    "/account/password",
    summary="Change your password",
    description="The current password is required. Every session of yours ends and every API "
    "token of yours is revoked, the one sending this included. Wrong current passwords count "
    "towards the sign-in throttle: after a few, 429 with Retry-After.",
    response_model=PasswordChanged,
    responses=error_responses(*CREATE_ERRORS, 429),
)
def change_password(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    user: RequiredUser,
    _json: Annotated[None, strict_json(PasswordChangeIn)],
    body: PasswordChangeIn,
) -> PasswordChanged:
    here = identity.user_session.id if identity.user_session is not None else None
    profiles.change_own_password(
        session=session,
        actor=actor_for(user),
        user=profiles.account_of(session, user),
        current_password=body.current_password,
        new_password=body.new_password,
        address=client_address(request),
        keep_session_id=here,
    )
    return PasswordChanged(message="Password changed; your other sessions and tokens ended.")


# --- administrators: users -----------------------------------------------------------------------


@router.get(
    "/users",
    summary="The accounts you manage",
    response_model=list[UserRead],
    responses=error_responses(401, 403, 422),
)
def list_users(session: SessionDep, user: RequiredUser) -> list[UserRead]:
    permissions.enforce(actor_for(user), permissions.manage_users(user))
    rows = accounts.list_users(session=session, managed_by=user)
    return [UserRead.model_validate(u) for u in rows]


@router.post(
    "/users",
    status_code=201,
    summary="Create an account",
    response_model=UserRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_user(
    session: SessionDep,
    user: RequiredUser,
    _json: Annotated[None, strict_json(UserCreateIn)],
    body: UserCreateIn,
    request: Request,
    response: Response,
) -> UserRead:
    made = accounts.create_user(
        session=session,
        actor=actor_for(user),
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        department=body.department,
        organization=body.organization or user.organization_id,
        password=body.password,
        email=body.email,
    )
    read = UserRead.model_validate(made)
    return created(request, response, "api_user", read, user_id=made.id)


@router.get(
    "/users/{user_id}",
    name="api_user",
    summary="One account you manage",
    response_model=UserRead,
    responses=error_responses(*READ_ERRORS),
)
def get_user(
    user_id: UserId, session: SessionDep, user: RequiredUser, response: Response
) -> UserRead:
    return _read(response, profiles.managed_user(session=session, user=user, user_id=user_id))


@router.patch(
    "/users/{user_id}",
    summary="Change an account's display name or e-mail address",
    response_model=UserRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_user(
    user_id: UserId,
    session: SessionDep,
    user: RequiredUser,
    _json: Annotated[None, strict_json(UserChange)],
    body: UserChange,
    if_match: IfMatch,
    response: Response,
) -> UserRead:
    target = profiles.managed_user(session=session, user=user, user_id=user_id)
    changes = _given(body, "display_name", "email")
    expected = expected_version(if_match, body.version, current=target.version)
    with precondition(expected):
        profiles.update_profile(
            session=session,
            actor=actor_for(user),
            user=target,
            version=expected.version,
            **changes,
        )
    return _read(response, target)


@router.post(
    "/users/{user_id}/reset-link",
    status_code=201,
    summary="Issue a one-time password reset link",
    description="The link works once, for 24 hours; it voids any earlier link for the account. "
    "With an SMTP server set and an address on the account it is e-mailed (built on BASE_URL); "
    "otherwise it is returned in this answer only: hand it to the person.",
    response_model=ResetLinkRead,
    responses=error_responses(*CREATE_ERRORS),
)
def issue_reset_link(
    user_id: UserId,
    session: SessionDep,
    user: RequiredUser,
    request: Request,
    response: Response,
    background: BackgroundTasks,
) -> ResetLinkRead:
    target = profiles.managed_user(session=session, user=user, user_id=user_id)
    issued = reset_mail.issue_and_deliver_reset_link(
        session=session, actor=actor_for(user), user=target, request_base_url=str(request.base_url)
    )
    response.headers["Cache-Control"] = "no-store"
    if issued.message_id is not None:  # sent after the answer, once the link is committed
        background.add_task(deliver_message, get_engine(), issued.message_id)
        return ResetLinkRead(
            user_id=user_id, link=None, emailed_to=issued.emailed_to, expires_at=issued.expires_at
        )
    return ResetLinkRead(
        user_id=user_id, link=issued.link, emailed_to=None, expires_at=issued.expires_at
    )


@router.post(
    "/users/{user_id}/reactivate",
    summary="Reactivate a deactivated account",
    response_model=UserRead,
    responses=error_responses(*READ_ERRORS),
)
def reactivate_user(
    user_id: UserId, session: SessionDep, user: RequiredUser, response: Response
) -> UserRead:
    target = profiles.managed_user(session=session, user=user, user_id=user_id)
    profiles.reactivate(session=session, actor=actor_for(user), user=target)
    return _read(response, target)
