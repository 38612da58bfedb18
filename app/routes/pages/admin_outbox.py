"""/admin/outbox: administrators read what PlanTrack sent, or kept (no SMTP server), and retry a
failed message. Who reads which message is app.services.mail.admin's (and permissions')."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser, RequiredUser, actor_for
from app.db import get_engine
from app.deps import SessionDep
from app.models import User
from app.models.mail import MailStatus
from app.routes.item_ids import ItemId
from app.routes.pages.admin_users import forbidden, login_redirect
from app.routes.pages.form_posts import form_post
from app.services.accounts import permissions
from app.services.mail import admin as outbox
from app.services.mail.delivery import deliver_message
from app.services.mail.transport import SmtpConfig
from app.services.reading.zones import reading_zone
from app.templating import render

router = APIRouter(prefix="/admin/outbox", include_in_schema=False)
STATUSES = [s.value for s in MailStatus]


def _gate(request: Request, user: User | None) -> Response | None:
    decision = permissions.manage_users(user)
    if decision.allowed:
        return None
    return login_redirect(request) if user is None else forbidden(request, decision.reason)


@router.get("")
def outbox_page(
    request: Request, session: SessionDep, user: CurrentUser, status: str = ""
) -> Response:
    refused = _gate(request, user)
    if refused is not None:
        return refused
    chosen = status if status in STATUSES else ""
    page = outbox.list_messages(session=session, actor=actor_for(user), status=chosen)
    context: dict[str, Any] = {
        "page": page,
        "statuses": STATUSES,
        "demo": SmtpConfig.from_settings().demo,
        "unknown_status": bool(status) and not chosen,
        "reading_zone": reading_zone(session, user),
    }
    return render(request, "admin/outbox.html", context)


def _message_page(
    request: Request,
    session: SessionDep,
    user: User,
    message_id: int,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    message = outbox.get_message(session=session, actor=actor_for(user), message_id=message_id)
    context: dict[str, Any] = {
        "message": message,
        "headers": outbox.headers_of(message),
        "bodies": outbox.readable_bodies(message),
        "notice": notice,
        "errors": errors or {},
        "reading_zone": reading_zone(session, user),
    }
    return render(
        request, "admin/outbox_message.html", context, status_code=status_code, block="message"
    )


@router.get("/{message_id}")
def message_page(
    request: Request, session: SessionDep, user: CurrentUser, message_id: ItemId, retried: str = ""
) -> Response:
    refused = _gate(request, user)
    if refused is not None:
        return refused
    assert user is not None
    notice = "Sent again: the result is below." if retried else ""
    return _message_page(request, session, user, message_id, notice=notice)


@router.post("/{message_id}/retry")
def retry_message(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    message_id: ItemId,
    background: BackgroundTasks,
) -> Response:
    with form_post(session) as post:
        outbox.retry_now(session=session, actor=actor_for(user), message_id=message_id)
        background.add_task(deliver_message, get_engine(), message_id)
        post.notice = "Queued to be sent again now; reload to see the result."
    if post.refused or request.headers.get("HX-Request"):
        return _message_page(
            request,
            session,
            user,
            message_id,
            notice=post.notice,
            errors=post.errors,
            status_code=post.status,
        )
    return RedirectResponse(f"/admin/outbox/{message_id}?retried=1", status_code=303)
