"""/account: the signed-in user's own settings: personal API tokens (created and revoked here).

Only a browser session reaches these pages: a request made with an API token is refused (403).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser, refuse_token_credentials
from app.deps import SessionDep
from app.models import User
from app.models.enums import TokenScope
from app.routes.item_ids import ItemId
from app.services import api_tokens, clock
from app.services.errors import NotFound, PermissionDenied, ValidationFailed
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
    context: dict[str, Any] = {
        "tokens": api_tokens.list_api_tokens(session=session, user=user),
        "errors": {},
        "form_name": "",
        "form_scope": TokenScope.read_only.value,
        "form_expiry": "90",
        "expiry_choices": api_tokens.EXPIRY_CHOICES,
        "now": clock.clock(),
        "new_token": "",
        "new_token_name": "",
        "notice": "",
        "error": "",
        **extra,
    }
    return render(request, "account/index.html", context, status_code=status_code)


@router.get("")
def account_page(
    request: Request, session: SessionDep, user: CurrentUser, revoked: str = ""
) -> Response:
    if user is None:
        return _login_redirect(request)
    notice = f"Token “{revoked}” revoked: it no longer works." if revoked else ""
    return _page(request, session, user, notice=notice)


@router.post("/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = TokenScope.read_only.value,
    expires_in_days: Annotated[str, Form()] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        row, plaintext = api_tokens.create_api_token(
            session=session, user=user, name=name, scope=scope, expires_in_days=expires_in_days
        )
    except ValidationFailed as exc:
        errors = {p.field: p.message for p in exc.problems}
        return _page(
            request,
            session,
            user,
            status_code=422,
            errors=errors,
            form_name=name,
            form_scope=scope,
            form_expiry=expires_in_days,
        )
    # Shown in this answer only (never in a URL, never stored): no redirect here.
    response = _page(
        request, session, user, status_code=201, new_token=plaintext, new_token_name=row.name
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: SessionDep, user: CurrentUser, token_id: ItemId
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        row = api_tokens.revoke_api_token(session=session, user=user, token_id=token_id)
    except (NotFound, PermissionDenied) as exc:
        return _page(request, session, user, status_code=exc.status_code, error=exc.message)
    return RedirectResponse(f"/account?revoked={quote(row.name)}", status_code=303)
