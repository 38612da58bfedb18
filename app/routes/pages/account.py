"""/account: the signed-in user's own settings: display name, e-mail address and reminder
preference (versioned: a stale save shows the newer values), password (the current one
required; the person's other sessions end) and personal API tokens (created and revoked here).

Only a browser session reaches these pages: a request made with an API token is refused (403).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import (
    CurrentUser,
    IdentityDep,
    RequiredUser,
    actor_for,
    client_address,
    refuse_token_credentials,
)
from app.deps import SessionDep
from app.models import User
from app.models.enums import ReminderFrequency, TokenScope
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_
from app.routes.pages.form_posts import form_post
from app.services.accounts import api_tokens, profiles
from app.services.errors import TooManyAttempts
from app.services.reading.zones import reading_zone
from app.services.rules import clock
from app.templating import render

router = APIRouter(
    prefix="/account",
    include_in_schema=False,
    dependencies=[Depends(refuse_token_credentials)],
)


def _login_redirect(request: Request) -> Response:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    me = session.get(User, user.id) or user
    context: dict[str, Any] = {
        "me": me,
        "profile": {
            "version": me.version,
            "display_name": me.display_name,
            "email": me.email or "",
            "reminder_frequency": me.reminder_frequency,
        },
        "reminder_choices": REMINDER_CHOICES,
        "profile_errors": {},
        "profile_conflict": None,
        "password_errors": {},
        "tokens": api_tokens.list_api_tokens(session=session, user=user),
        "errors": {},
        "form_name": "",
        "form_scope": TokenScope.read_only.value,
        "form_expiry": "90",
        "expiry_choices": api_tokens.EXPIRY_CHOICES,
        "now": clock.clock(),
        "reading_zone": reading_zone(session, me),
        "new_token": "",
        "new_token_name": "",
        "notice": "",
        "error": "",
        **extra,
    }
    return render(request, "account/index.html", context, status_code=status_code)


REMINDER_CHOICES = {
    ReminderFrequency.weekly.value: "A weekly digest",
    ReminderFrequency.before_due.value: "Before each due day",
    ReminderFrequency.none.value: "No reminders",
}
SAVED = {
    "profile": "Your details are saved.",
    "password": "Your password is changed. Every other session of yours has been signed out, "
    "and your API tokens no longer work.",
}


@router.get("")
def account_page(
    request: Request, session: SessionDep, user: CurrentUser, revoked: str = "", saved: str = ""
) -> Response:
    if user is None:
        return _login_redirect(request)
    notice = f"Token “{revoked}” revoked: it no longer works." if revoked else SAVED.get(saved, "")
    return _page(request, session, user, notice=notice)


@router.post("/profile")
def update_profile(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    version: Form_ = "",
    display_name: Form_ = "",
    email: Form_ = "",
    reminder_frequency: Form_ = "",
) -> Response:
    me = profiles.account_of(session, user)
    typed = {"display_name": display_name, "email": email, "reminder_frequency": reminder_frequency}
    with form_post(session) as post:
        profiles.update_profile(
            session=session,
            actor=actor_for(user),
            user=me,
            version=profiles.version_typed(version),
            **typed,
        )
    if not post.refused:
        return RedirectResponse("/account?saved=profile", status_code=303)
    # Refused: what was typed stays; after a stale save, on the newer version (shown above it).
    current = session.get(User, user.id) or me
    form = {**typed, "version": current.version if post.conflict else version}
    errors = {"profile_errors": post.errors, "profile_conflict": post.conflict}
    return _page(request, session, user, status_code=post.status, profile=form, **errors)


@router.post("/password")
def change_password(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    user: RequiredUser,
    current_password: Form_ = "",
    password: Form_ = "",
    password_again: Form_ = "",
) -> Response:
    me = profiles.account_of(session, user)
    here = identity.user_session.id if identity.user_session is not None else None
    with form_post(session, refusing=(TooManyAttempts,)) as post:
        profiles.check_repeated(password, password_again)
        profiles.change_own_password(
            session=session,
            actor=actor_for(user),
            user=me,
            current_password=current_password,
            new_password=password,
            address=client_address(request),
            keep_session_id=here,
        )
    if post.refused:
        page = _page(request, session, user, status_code=post.status, password_errors=post.errors)
        page.headers.update(post.headers)
        return page
    return RedirectResponse("/account?saved=password", status_code=303)


@router.post("/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    name: Form_ = "",
    scope: Form_ = TokenScope.read_only.value,
    expires_in_days: Form_ = "",
) -> Response:
    with form_post(session) as post:
        row, plaintext = api_tokens.create_api_token(
            session=session, user=user, name=name, scope=scope, expires_in_days=expires_in_days
        )
    if post.refused:
        typed = {"form_name": name, "form_scope": scope, "form_expiry": expires_in_days}
        return _page(request, session, user, status_code=post.status, errors=post.errors, **typed)
    # Shown in this answer only (never in a URL, never stored): no redirect here.
    response = _page(
        request, session, user, status_code=201, new_token=plaintext, new_token_name=row.name
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke")
def revoke_token(session: SessionDep, user: RequiredUser, token_id: ItemId) -> Response:
    # Another's token or none: 403 or 404 with the reason, on the app's error page.
    row = api_tokens.revoke_api_token(session=session, user=user, token_id=token_id)
    return RedirectResponse(f"/account?revoked={quote(row.name)}", status_code=303)
