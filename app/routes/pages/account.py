"""/account: the signed-in user's own settings: personal API tokens (created and revoked here).

Only a browser session reaches these pages: a request made with an API token is refused (403).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser, RequiredUser, refuse_token_credentials
from app.deps import SessionDep
from app.models import User
from app.models.enums import TokenScope
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_
from app.routes.pages.form_posts import form_post
from app.services.accounts import api_tokens
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
