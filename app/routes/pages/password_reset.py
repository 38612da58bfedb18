"""/reset/{token}: setting a new password through a one-time link an administrator issued.

No sign-in needed: the link is the credential. The form carries a CSRF token like every form
(the pre-session one of the sign-in forms for someone not signed in). An unknown, expired, used
or voided link gets one page saying so, the same for each, with no hint whether an account
exists (app.services.accounts.password_resets)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.auth import IdentityDep, login_csrf_token, set_login_csrf_cookie
from app.deps import SessionDep
from app.routes.pages.form_input import Form_
from app.routes.pages.form_posts import form_post
from app.services.accounts import password_resets, profiles
from app.services.errors import NotFound
from app.services.reading.zones import reading_zone
from app.templating import render

router = APIRouter(include_in_schema=False)

ResetToken = Annotated[str, Path(max_length=password_resets.MAX_TOKEN_LENGTH * 4)]


def _page(
    request: Request, identity: IdentityDep, *, status_code: int = 200, **context: Any
) -> Response:
    if identity.via == "session":
        csrf, new_cookie = identity.csrf_token, False
    else:
        csrf, new_cookie = login_csrf_token(request)
    values = {"errors": {}, "unusable": "", "done": False, **context, "csrf_token": csrf}
    response = render(request, "auth/reset.html", values, status_code=status_code)
    if new_cookie:
        set_login_csrf_cookie(response, request, csrf)
    # The address holds the token: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _form(
    request: Request, identity: IdentityDep, session: SessionDep, token: str, **extra: Any
) -> Response:
    found = password_resets.find_usable_link(session=session, token=token)
    if found is None:
        unusable = password_resets.LINK_UNUSABLE
        return _page(request, identity, status_code=404, unusable=unusable)
    row, user = found
    context = {
        "token": token,
        "username": user.username,
        "expires_at": row.expires_at,
        # The account's organisation's zone, as in the e-mail that brought the link.
        "reading_zone": reading_zone(session, user),
    }
    return _page(request, identity, **context, **extra)


@router.get("/reset/{token}")
def reset_form(
    request: Request, session: SessionDep, identity: IdentityDep, token: ResetToken
) -> Response:
    return _form(request, identity, session, token)


@router.post("/reset/{token}")
def reset_password(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    token: ResetToken,
    password: Form_ = "",
    password_again: Form_ = "",
) -> Response:
    with form_post(session, refusing=(NotFound,)) as post:
        profiles.check_repeated(password, password_again)
        password_resets.reset_password(session=session, token=token, password=password)
    if post.status == 404:
        unusable = password_resets.LINK_UNUSABLE
        return _page(request, identity, status_code=404, unusable=unusable)
    if post.refused:
        return _form(request, identity, session, token, errors=post.errors, status_code=422)
    return _page(request, identity, done=True)
