"""/sessions: performance sessions. The list, a form to schedule one, and one session's page:
its agenda (the pack: live while scheduled, frozen once closed), the outcomes form (decisions and
action items) and the close button. Plain posts answer 303 (or the page again with the message
beside the field); htmx posts get the `outcomes` block."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import PerformanceSession, User
from app.models.sessions import (
    ActionItemCreate,
    DecisionCreate,
    SessionClose,
    SessionCreate,
)
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.reading.zones import reading_zone
from app.services.sessions import forms, links, reading, writes
from app.templating import is_htmx, render

router = APIRouter(prefix="/sessions", include_in_schema=False)
Ids = Annotated[list[str], Form()]


def _ids(values: list[str]) -> list[str]:
    return [v for v in values if v.strip()]


@router.get("")
def sessions_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    held = reading.list_sessions(session, user)
    context = {"sessions": held, "may_hold": forms.may_hold_sessions(session, user)}
    return render(request, "sessions/index.html", context)


def _new_page(
    request: Request, session: Session, user: User, post: FormPost, typed: dict[str, Any]
) -> Response:
    context = {
        "choices": forms.scope_choices(session, user.organization_id),
        "post": post,
        "typed": typed,
        "may_hold": forms.may_hold_sessions(session, user),
    }
    return render(request, "sessions/new.html", context, status_code=post.status)


@router.get("/new")
def new_session(request: Request, session: SessionDep, user: RequiredUser) -> Response:
    reading.require_member(user)
    return _new_page(request, session, user, FormPost(), {})


@router.post("")
def create_session(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    title: Form_ = "",
    held_on: Form_ = "",
    attendees: Form_ = "",
    follows_id: Form_ = "",
    organization: Form_ = "",
    plan_ids: Ids = [],  # noqa: B006 (FastAPI copies defaults)
    department_ids: Ids = [],  # noqa: B006
    focus_area_ids: Ids = [],  # noqa: B006
) -> Response:
    typed = {"title": title, "held_on": held_on, "attendees": attendees, "follows_id": follows_id}
    typed |= {"plan_ids": _ids(plan_ids), "department_ids": _ids(department_ids)}
    typed["focus_area_ids"] = _ids(focus_area_ids)
    with form_post(session) as post:
        data = SessionCreate.model_validate({**typed, "follows_id": blank_to_none(follows_id)})
        org = reading.organization_for(session, user, organization)
        held = writes.schedule_session(
            session=session, organization_id=org, data=data, actor=actor_for(user)
        )
    if post.refused:
        return _new_page(request, session, user, post, typed)
    return RedirectResponse(f"/sessions/{held.id}", status_code=303)


def _session_page(
    request: Request,
    session: Session,
    user: User | None,
    held: PerformanceSession,
    post: FormPost | None = None,
    form: str = "",
    typed: dict[str, Any] | None = None,
) -> Response:
    post = post or FormPost()
    may_hold = forms.may_hold_sessions(session, user)
    groups = links.link_groups(session, held)
    context = {
        "page": reading.session_page(session, held),
        "choices": forms.scope_choices(session, held.organization_id),
        "may_hold": may_hold,
        "link_groups": groups,
        "linked_labels": links.labels_by_value(groups),
        "post": post,
        "form": form,
        "typed": typed or {},
        "reading_zone": reading_zone(session, user, held),
    }
    return render(request, "sessions/show.html", context, block="outcomes", status_code=post.status)


@router.get("/{session_id}")
def show_session(
    request: Request, session: SessionDep, user: CurrentUser, session_id: ItemId, saved: str = ""
) -> Response:
    held = reading.readable_session(session, user, session_id)
    post = FormPost(notice="Saved." if saved else "")
    return _session_page(request, session, user, held, post)


def _answer(
    request: Request,
    session: Session,
    user: User,
    held: PerformanceSession,
    post: FormPost,
    form: str,
    typed: dict[str, Any],
) -> Response:
    if post.refused or is_htmx(request):
        return _session_page(request, session, user, held, post, form, typed)
    return RedirectResponse(f"/sessions/{held.id}?saved={form}#outcomes", status_code=303)


@router.post("/{session_id}/decisions")
def post_decision(
    request: Request, session: SessionDep, user: RequiredUser, session_id: ItemId, text: Form_ = ""
) -> Response:
    held = reading.readable_session(session, user, session_id)
    with form_post(session) as post:
        data = DecisionCreate(text=text.strip())
        writes.add_decision(session=session, held=held, data=data, actor=actor_for(user))
        post.notice = "Decision recorded."
    typed = {"text": text} if post.refused else {}
    return _answer(request, session, user, held, post, "decision", typed)


@router.post("/{session_id}/action-items")
def post_action_item(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    session_id: ItemId,
    what: Form_ = "",
    department_id: Form_ = "",
    due_on: Form_ = "",
    linked: Form_ = "",
) -> Response:
    held = reading.readable_session(session, user, session_id)
    typed = {"what": what, "department_id": department_id, "due_on": due_on, "linked": linked}
    with form_post(session) as post:
        values = {k: blank_to_none(v.strip()) for k, v in typed.items() if k != "linked"}
        link_kind, link_id = links.read_link(linked)
        data = ActionItemCreate.model_validate(
            {**values, "link_kind": link_kind, "link_id": link_id}
        )
        writes.add_action_item(session=session, held=held, data=data, actor=actor_for(user))
        post.notice = "Action item recorded."
    return _answer(request, session, user, held, post, "action", typed if post.refused else {})


@router.post("/{session_id}/close")
def post_close(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    session_id: ItemId,
    version: Form_ = "",
) -> Response:
    held = reading.readable_session(session, user, session_id)
    with form_post(session) as post:
        data = SessionClose(version=form_version(version))
        writes.close_session(session=session, held=held, data=data, actor=actor_for(user))
        post.notice = "Session closed: its pack is frozen."
    if post.refused:
        return _session_page(request, session, user, held, post, "close")
    return RedirectResponse(f"/sessions/{held.id}?saved=close", status_code=303)
