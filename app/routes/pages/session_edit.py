"""/sessions/{id}/edit: change a scheduled session (title, date, attendees, scope, the session it
follows) on the same fields as the new-session form. The form carries the version it was made
from: a stale save shows the newer values someone else saved, with the form kept as typed on
their version; a refused value its message beside the field; a closed session is not edited.
A plain post that saved answers 303 to the session's page, htmx an HX-Redirect there."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import PerformanceSession, User
from app.models.sessions import SessionUpdate
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.reading.zones import reading_zone
from app.services.sessions import forms, reading, writes
from app.templating import is_htmx, render

router = APIRouter(prefix="/sessions", include_in_schema=False)
Ids = Annotated[list[str], Form()]


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    held: PerformanceSession,
    post: FormPost,
    typed: dict[str, Any],
) -> Response:
    choices = forms.scope_choices(session, held.organization_id)
    context = {
        "held": held,
        "choices": choices,
        "post": post,
        "typed": typed,
        "newer": forms.described_values(choices, held) if post.conflict else [],
        "reading_zone": reading_zone(session, user, held),
    }
    return render(request, "sessions/edit.html", context, block="editor", status_code=post.status)


@router.get("/{session_id}/edit")
def edit_session(
    request: Request, session: SessionDep, user: RequiredUser, session_id: ItemId
) -> Response:
    held = reading.readable_session(session, user, session_id)
    forms.require_editor(session, user, held)
    return _edit_page(request, session, user, held, FormPost(), forms.edit_values(held))


@router.post("/{session_id}/edit")
def save_session(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    session_id: ItemId,
    version: Form_ = "",
    title: Form_ = "",
    held_on: Form_ = "",
    attendees: Form_ = "",
    follows_id: Form_ = "",
    plan_ids: Ids = [],  # noqa: B006 (FastAPI copies defaults)
    department_ids: Ids = [],  # noqa: B006
    focus_area_ids: Ids = [],  # noqa: B006
) -> Response:
    held = reading.readable_session(session, user, session_id)
    typed = {"version": version, "title": title, "held_on": held_on, "attendees": attendees}
    typed |= {"follows_id": follows_id, "plan_ids": [v for v in plan_ids if v.strip()]}
    typed["department_ids"] = [v for v in department_ids if v.strip()]
    typed["focus_area_ids"] = [v for v in focus_area_ids if v.strip()]
    with form_post(session) as post:
        values = {**typed, "version": form_version(version), "title": title.strip()}
        data = SessionUpdate.model_validate({**values, "follows_id": blank_to_none(follows_id)})
        writes.update_session(
            session=session, held=held, data=data, actor=actor_for(user), follows_previous=True
        )
    if post.refused:
        return _edit_page(request, session, user, held, post, typed)
    target = f"/sessions/{held.id}?saved=edit"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
