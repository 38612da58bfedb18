"""/admin/users: administrators list, create, re-role, deactivate and reactivate accounts, change
their display name and e-mail address, and issue one-time password reset links (shown once).

An organisation administrator sees and manages its own organisation's accounts only; an
installation administrator every account (app.services.accounts.permissions.manage_user)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from app.auth import CurrentUser, RequiredUser, actor_for
from app.db import get_engine
from app.deps import SessionDep
from app.models import Department, Organization, User
from app.models.enums import Role
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, item_id
from app.routes.pages.form_posts import form_post
from app.services.accounts import password_resets, permissions, profiles, reset_mail
from app.services.accounts import users as accounts
from app.services.errors import NotFound, ValidationFailed
from app.services.mail.delivery import deliver_message
from app.services.reading.catalog import DEPARTMENT_ORDER
from app.services.reading.zones import reading_zone
from app.templating import render

router = APIRouter(prefix="/admin/users", include_in_schema=False)
EMPTY_FORM = {
    "username": "",
    "display_name": "",
    "email": "",
    "role": Role.viewer.value,
    "department": "",
    "organization": "",
}


def login_redirect(request: Request) -> Response:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def forbidden(request: Request, message: str) -> Response:
    return render(request, "admin/forbidden.html", {"message": message}, status_code=403)


def _gate(request: Request, user: User | None) -> Response | None:
    """A response refusing the request, or None when an active administrator asks (the rule is
    app.services.accounts.permissions.manage_users)."""
    decision = permissions.manage_users(user)
    if decision.allowed:
        return None
    if user is None:
        return login_redirect(request)
    return forbidden(request, decision.reason)


def _organization(session: SessionDep, admin: User) -> Organization | None:
    """The organisation new accounts join unless the form names one."""
    if admin.organization_id is not None:
        return session.get(Organization, admin.organization_id)
    orgs = session.exec(select(Organization).limit(2)).all()
    return orgs[0] if len(orgs) == 1 else None


def _chosen_organization(session: SessionDep, value: str) -> Organization | None:
    value = value.strip()
    number = item_id(value)  # ASCII digits within the id range: '²' or 5,000 digits are no id
    if number is not None:
        return session.get(Organization, number)
    return session.exec(select(Organization).where(Organization.slug == value)).first()


def _page(
    request: Request,
    session: SessionDep,
    admin: User,
    *,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
    row_values: dict[int, dict[str, str]] | None = None,
    notice: str = "",
    issued: password_resets.IssuedLink | None = None,
    conflict: tuple[int, Any] | None = None,
) -> Response:
    org = _organization(session, admin)
    whole = permissions.is_installation_admin(admin)
    # An installation administrator chooses among every organisation's departments.
    departments = (
        session.exec(
            select(Department).order_by(Department.organization_id, *DEPARTMENT_ORDER)
        ).all()
        if whole
        else session.exec(
            select(Department)
            .where(Department.organization_id == org.id)
            .order_by(*DEPARTMENT_ORDER)
        ).all()
        if org is not None
        else []
    )
    organizations = session.exec(select(Organization).order_by(Organization.name)).all()
    slugs = {o.id: o.slug for o in organizations}
    codes = {d.id: d.code for d in session.exec(select(Department)).all()}
    rows = [
        {
            "user": u,
            "department_id": u.department_id or "",
            "department_code": codes.get(u.department_id or -1),
            "organization": slugs.get(u.organization_id or -1, ""),
            "manageable": permissions.manage_user(admin, u).allowed,
        }
        for u in accounts.list_users(session=session, managed_by=admin)
    ]
    context: dict[str, Any] = {
        "rows": rows,
        "roles": [r.value for r in Role],
        "departments": departments,
        "organization": org,
        "installation_admin": whole,
        "organizations": organizations if whole else [],
        "organization_slugs": slugs,
        "form": form or EMPTY_FORM,
        "errors": errors or {},
        "row_errors": row_errors or {},
        "row_values": row_values or {},
        "notice": notice,
        "issued": issued,
        "conflict": conflict,
        "reading_zone": reading_zone(session, admin),
    }
    response = render(request, "admin/users.html", context, status_code=status_code)
    if issued is not None:
        response.headers["Cache-Control"] = "no-store"  # the link is shown this once
    return response


@router.get("")
def users_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    created: str = "",
    changed: str = "",
    deactivated: str = "",
    reactivated: str = "",
    edited: str = "",
) -> Response:
    refused = _gate(request, user)
    if refused is not None:
        return refused
    assert user is not None
    notice = ""
    if created:
        notice = f"User {created} created."
    elif changed:
        notice = f"Role of {changed} changed."
    elif deactivated:
        notice = f"User {deactivated} deactivated; their sessions have ended."
    elif reactivated:
        notice = f"User {reactivated} reactivated: they can sign in again."
    elif edited:
        notice = f"Details of {edited} saved."
    return _page(request, session, user, notice=notice)


@router.post("")
def create_user(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    username: Form_ = "",
    display_name: Form_ = "",
    role: Form_ = "",
    department: Form_ = "",
    organization: Form_ = "",
    password: Form_ = "",
    email: Form_ = "",
) -> Response:
    org = _chosen_organization(session, organization) if organization.strip() else None
    if org is None and not organization.strip():
        org = _organization(session, user)
    with form_post(session) as post:
        created = accounts.create_user(
            session=session,
            actor=actor_for(user),
            username=username,
            display_name=display_name,
            role=role,
            department=_department_id(department),
            organization=org.id if org is not None else organization.strip() or None,
            password=password,
            email=email,
        )
    if post.refused:
        typed = (username, display_name, email, role, department, organization)
        form = dict(zip(EMPTY_FORM, typed, strict=True))
        return _page(request, session, user, status_code=422, form=form, errors=post.errors)
    return RedirectResponse(f"/admin/users?created={quote(created.username)}", status_code=303)


def _department_id(text: str) -> int | None:
    """The department a form names; a value that is no id of the list is refused."""
    if text.strip() and item_id(text) is None:
        raise ValidationFailed.one("department", "Choose a department from the list.")
    return item_id(text)


def _target(session: SessionDep, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound("No such user.")
    return target


@router.post("/{user_id}/role")
def change_role(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    user_id: ItemId,
    role: Form_ = "",
    department: Form_ = "",
) -> Response:
    target = _target(session, user_id)
    with form_post(session) as post:
        accounts.set_role(
            session=session,
            actor=actor_for(user),
            user=target,
            role=role,
            department=_department_id(department),
        )
    if post.refused:
        typed = {user_id: {"role": role, "department": department}}
        errors = {user_id: post.errors}
        return _page(request, session, user, status_code=422, row_errors=errors, row_values=typed)
    return RedirectResponse(f"/admin/users?changed={quote(target.username)}", status_code=303)


@router.post("/{user_id}/deactivate")
def deactivate_user(
    request: Request, session: SessionDep, user: RequiredUser, user_id: ItemId
) -> Response:
    target = _target(session, user_id)
    with form_post(session) as post:
        accounts.deactivate(session=session, actor=actor_for(user), user=target)
    if post.refused:
        errors = {user_id: post.errors}
        return _page(request, session, user, status_code=422, row_errors=errors)
    return RedirectResponse(f"/admin/users?deactivated={quote(target.username)}", status_code=303)


@router.post("/{user_id}/details")
def change_details(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    user_id: ItemId,
    version: Form_ = "",
    display_name: Form_ = "",
    email: Form_ = "",
) -> Response:
    target = _target(session, user_id)
    with form_post(session) as post:
        profiles.update_profile(
            session=session,
            actor=actor_for(user),
            user=target,
            version=profiles.version_typed(version),
            display_name=display_name,
            email=email,
        )
    if not post.refused:
        return RedirectResponse(f"/admin/users?edited={quote(target.username)}", status_code=303)
    typed = {user_id: {"display_name": display_name, "email": email}}
    stale = (user_id, post.conflict) if post.conflict else None
    errors = {user_id: post.errors}
    return _page(
        request,
        session,
        user,
        status_code=post.status,
        row_errors=errors,
        row_values=typed,
        conflict=stale,
    )


@router.post("/{user_id}/reset-link")
def issue_reset_link(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    user_id: ItemId,
    background: BackgroundTasks,
) -> Response:
    target = _target(session, user_id)
    with form_post(session) as post:
        issued = reset_mail.issue_and_deliver_reset_link(
            session=session,
            actor=actor_for(user),
            user=target,
            request_base_url=str(request.base_url),
        )
    if post.refused:
        errors = {user_id: post.errors}
        return _page(request, session, user, status_code=422, row_errors=errors)
    if issued.message_id is not None:  # sent after the answer, once the link is committed
        background.add_task(deliver_message, get_engine(), issued.message_id)
    # Shown in this answer only (never in a redirect's URL): the page with the link.
    return _page(request, session, user, status_code=201, issued=issued)


@router.post("/{user_id}/reactivate")
def reactivate_user(
    request: Request, session: SessionDep, user: RequiredUser, user_id: ItemId
) -> Response:
    target = _target(session, user_id)
    profiles.reactivate(session=session, actor=actor_for(user), user=target)
    return RedirectResponse(f"/admin/users?reactivated={quote(target.username)}", status_code=303)
