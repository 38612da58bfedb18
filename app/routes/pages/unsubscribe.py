"""/unsubscribe/{token}: stop one kind of mail in one click (RFC 8058).

GET shows what the link will stop and a button; POST records it. A mail provider posts
`List-Unsubscribe=One-Click` to the same address from its own servers, without a cookie or a CSRF
token: the signed token in the path is the authority (app.auth exempts the path from CSRF, and
app.services.mail.unsubscribe refuses a token that is not ours). Answers are never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.deps import SessionDep
from app.routes.pages.form_posts import form_post
from app.services.mail import unsubscribe as links
from app.templating import render

router = APIRouter(prefix="/unsubscribe", include_in_schema=False)
Token = Annotated[str, Path(max_length=500)]


def _answer(request: Request, context: dict[str, object], status_code: int = 200) -> Response:
    response = render(request, "unsubscribe/index.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/{token}")
def confirm_page(request: Request, session: SessionDep, token: Token) -> Response:
    user, purpose = links.target(session, token)
    assert user.id is not None
    done = links.is_opted_out(session, user.id, purpose)
    context = {"token": token, "user": user, "what": links.PURPOSES[purpose], "done": done}
    return _answer(request, context)


@router.post("/{token}")
def unsubscribe(request: Request, session: SessionDep, token: Token) -> Response:
    with form_post(session) as post:
        user, purpose, _ = links.unsubscribe(session=session, token=token)
    context = {"token": token, "user": user, "what": links.PURPOSES[purpose], "done": True}
    return _answer(request, context, post.status)
