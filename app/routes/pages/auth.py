"""Signing in and out (and, in demo mode only, one-click sign-in as a demo account)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from app.auth import (
    IdentityDep,
    clear_session_cookie,
    client_address,
    is_https,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
)
from app.deps import SessionDep
from app.models import User
from app.routes.pages.form_posts import form_post
from app.services.accounts import browser_sessions, demo_accounts, sign_in
from app.services.errors import NotAuthenticated, NotFound, TooManyAttempts, ValidationFailed
from app.settings import get_settings
from app.templating import render

router = APIRouter(include_in_schema=False)

# The accounts this browser has signed in to (ids, newest first), signed so it cannot be forged:
# the sign-in throttle's per-account limit does not apply to them (see services.sign_in).
KNOWN_DEVICE_COOKIE = "plantrack_device"
KNOWN_DEVICE_MAX_AGE_S = 180 * 24 * 3600
KNOWN_DEVICE_MAX_ACCOUNTS = 5


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="plantrack-known-device")


def known_device_user_ids(request: Request) -> list[int]:
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        value = _device_serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, int)][:KNOWN_DEVICE_MAX_ACCOUNTS]


def _remember_device(response: Response, request: Request, user: User) -> None:
    ids = [user.id] + [i for i in known_device_user_ids(request) if i != user.id]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(ids[:KNOWN_DEVICE_MAX_ACCOUNTS]),
        max_age=KNOWN_DEVICE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/login",
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")):
        return "/"
    return target


def _demo_users(
    request: Request, session: SessionDep
) -> list[tuple[str, list[demo_accounts.DemoAccount]]]:
    if not request.app.state.settings.demo_mode:
        return []
    return demo_accounts.demo_users(session=session)


def _login_page(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    *,
    status_code: int = 200,
    username: str = "",
    error: str = "",
    next_url: str = "/",
    headers: dict[str, str] | None = None,
) -> Response:
    if identity.via == "session":
        token, new_cookie = identity.csrf_token, False
    else:
        token, new_cookie = login_csrf_token(request)
    response = render(
        request,
        "auth/login.html",
        {
            "csrf_token": token,
            "username": username,
            "error": error,
            "next": next_url,
            "demo_users": _demo_users(request, session),
        },
        status_code=status_code,
    )
    if identity.via != "session" and new_cookie:
        set_login_csrf_cookie(response, request, token)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _signed_in(
    request: Request, session: SessionDep, identity: IdentityDep, user: User, next_url: str
) -> Response:
    """Rotate: the session this browser had (if any) ends, and a new one with a new id starts."""
    if identity.session_token:
        browser_sessions.end_session(session=session, token=identity.session_token)
    started = browser_sessions.start_session(session=session, user=user)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    set_session_cookie(response, request, started.token)
    return response


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, identity: IdentityDep, next: str = "/"
) -> Response:
    return _login_page(request, session, identity, next_url=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    next_url = safe_next(next)
    with form_post(session, refusing=(TooManyAttempts, NotAuthenticated)) as post:
        if not username.strip() or not password:
            raise ValidationFailed.one("form", "Enter your username and password.")
        user = sign_in.authenticate(
            session=session,
            username=username,
            password=password,
            address=client_address(request),
            known_device_user_ids=known_device_user_ids(request),
        )
    if post.refused:
        typed = {"username": username, "next_url": next_url, "headers": post.headers}
        return _login_page(
            request, session, identity, status_code=post.status, error=post.message, **typed
        )
    response = _signed_in(request, session, identity, user, next_url)
    _remember_device(response, request, user)
    return response


@router.post("/login/demo")
def demo_login(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    username: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not request.app.state.settings.demo_mode:
        raise NotFound("Demo sign-in is available only in demo mode.")
    user = demo_accounts.demo_user(session=session, username=username)
    if user is None:
        return _login_page(
            request,
            session,
            identity,
            status_code=403,
            next_url=safe_next(next),
            error="One-click sign-in works only for the demo accounts listed below.",
        )
    return _signed_in(request, session, identity, user, next)


@router.post("/logout")
def logout(request: Request, session: SessionDep, identity: IdentityDep) -> Response:
    """End the session on the server (the cookie alone would not be enough), then go home."""
    if identity.session_token:
        browser_sessions.end_session(session=session, token=identity.session_token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, request)
    return response
