"""Publishing pages (issue 12): a public update's page, where the item's lead drafts and submits
it (and sees it returned, with the comment); the coordinator's queue of submitted drafts at
/plans/{slug}/public-updates with approve and send-back buttons; and the administrator's switch of
the plan's public site, posted from the plan's settings page.

Each form works as a plain post (303 back to its page) and with htmx (the same template's block).
The rules are services.publishing's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, User
from app.models.publishing import (
    PUBLIC_TEXT_MAX,
    PublicUpdateDecision,
    PublicUpdateDraft,
    SiteSwitch,
)
from app.routes.item_ids import ItemId
from app.routes.pages import plan_lifecycle
from app.routes.pages.form_input import Form_, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts.permissions import Action, can, can_read_internal, require_read_plan
from app.services.errors import NotFound, PermissionDenied
from app.services.publishing import reading, site, updates
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_zone
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
NOT_A_COORDINATOR = "Only a coordinator or an administrator approves public updates."
SAVED = {
    "draft": "Draft saved. It is not public until a coordinator approves it.",
    "submitted": "Submitted for approval.",
    "approved": "Approved: the public now reads it.",
    "returned": "Sent back to its lead with your comment.",
}


def _internal_plan(session: Session, user: User, slug: str) -> Plan:
    """The plan, for its organisation's people only (404 for anyone else, as an unread plan)."""
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    if not can_read_internal(user, plan):
        raise NotFound(f"No plan '{plan.slug}'.")
    return plan


def _target(session: Session, user: User, slug: str, subject: str, subject_id: int) -> Any:
    plan = _internal_plan(session, user, slug)
    kind = updates.parse_subject(subject)
    return updates.target(session=session, plan=plan, subject_type=kind, subject_id=subject_id)


# --- the item's public update: the lead's page ---------------------------------------------------


def _item_page(
    request: Request, session: Session, user: User, t: Any, post: FormPost | None = None,
    typed: str | None = None,
) -> Response:  # fmt: skip
    notice = post.notice if post else SAVED.get(request.query_params.get("saved", ""), "")
    context = {
        "plan": t.plan, "t": t, "u": t.update, "notice": notice,
        "errors": post.errors if post else {}, "conflict": post.conflict if post else None,
        "typed": typed, "max_text": PUBLIC_TEXT_MAX,
        "can_draft": can(session, user, Action.progress, t.item, kind=t.kind),
        "can_approve": can(session, user, Action.approve_public, t.item, kind=t.kind),
        "reading_zone": reading_zone(session, user, t.plan),
    }  # fmt: skip
    status = post.status if post else 200
    return render(request, "publishing/item.html", context, status_code=status, block="item")


def _item_url(t: Any, saved: str) -> str:
    path = f"/plans/{quote(t.plan.slug)}/public-updates/{t.subject_type.value}/{t.item.id}"
    return f"{path}?saved={saved}"


@router.get("/plans/{slug}/public-updates/{subject}/{subject_id}")
def public_update_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, subject: str,
    subject_id: ItemId,
) -> Response:  # fmt: skip
    return _item_page(request, session, user, _target(session, user, slug, subject, subject_id))


@router.post("/plans/{slug}/public-updates/{subject}/{subject_id}")
def post_public_update(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, subject: str,
    subject_id: ItemId, text: Form_ = "", version: Form_ = "", submit: Form_ = "",
) -> Response:  # fmt: skip
    t = _target(session, user, slug, subject, subject_id)
    with form_post(session) as post:
        given = form_version(version) if version else None
        data = PublicUpdateDraft(version=given, text=text, submit=bool(submit))
        updates.save_draft(session=session, t=t, data=data, actor=actor_for(user))
        post.notice = SAVED["submitted" if data.submit else "draft"]
    if post.refused or is_htmx(request):
        t = updates.target(session=session, plan=t.plan, subject_type=t.subject_type,
                           subject_id=subject_id)  # fmt: skip
        return _item_page(request, session, user, t, post, text if post.refused else None)
    return RedirectResponse(_item_url(t, "submitted" if submit else "draft"), status_code=303)


# --- the coordinator's queue ---------------------------------------------------------------------


def _queue_page(
    request: Request, session: Session, user: User, plan: Plan, post: FormPost | None = None,
    failed: tuple[str, int] | None = None, comment: str = "",
) -> Response:  # fmt: skip
    if not can(session, user, Action.approve_public, plan, kind="plan"):
        raise PermissionDenied(NOT_A_COORDINATOR)
    notice = post.notice if post else SAVED.get(request.query_params.get("saved", ""), "")
    context = {
        "plan": plan, "entries": reading.submitted_updates(session, plan.id, plan.slug),  # type: ignore[arg-type]
        "notice": notice, "errors": post.errors if post else {},
        "conflict": post.conflict if post else None, "failed": failed, "comment": comment,
        "reading_zone": reading_zone(session, user, plan),
    }  # fmt: skip
    status = post.status if post else 200
    return render(request, "publishing/queue.html", context, status_code=status, block="queue")


@router.get("/plans/{slug}/public-updates")
def queue_page(request: Request, session: SessionDep, user: RequiredUser, slug: str) -> Response:
    return _queue_page(request, session, user, _internal_plan(session, user, slug))


@router.post("/plans/{slug}/public-updates/{subject}/{subject_id}/{decision}")
def post_decision(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, subject: str,
    subject_id: ItemId, decision: str, version: Form_ = "", comment: Form_ = "",
) -> Response:  # fmt: skip
    if decision not in ("approve", "return"):
        raise NotFound("No such decision on a public update.")
    t = _target(session, user, slug, subject, subject_id)
    decide = updates.approve if decision == "approve" else updates.send_back
    with form_post(session) as post:
        data = PublicUpdateDecision(version=form_version(version), comment=comment)
        decide(session=session, t=t, data=data, actor=actor_for(user))
        post.notice = SAVED["approved" if decision == "approve" else "returned"]
    if post.refused or is_htmx(request):
        failed = (subject, subject_id) if post.refused else None
        return _queue_page(request, session, user, t.plan, post, failed, comment)
    saved = "approved" if decision == "approve" else "returned"
    return RedirectResponse(f"/plans/{quote(slug)}/public-updates?saved={saved}", status_code=303)


# --- the public site switch (on the plan's settings page) ----------------------------------------


@router.post("/plans/{slug}/public-site")
def post_public_site(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, version: Form_ = "",
    published: Form_ = "",
) -> Response:  # fmt: skip
    plan = _internal_plan(session, user, slug)
    with form_post(session) as post:
        on = published == "on"
        data = SiteSwitch(version=form_version(version), published=on)
        site.switch_public_site(session=session, plan=plan, data=data, actor=actor_for(user))
        post.notice = "Public site switched on." if on else "Public site switched off."
    if post.refused or is_htmx(request):
        return plan_lifecycle._settings_page(request, session, user, plan, post)
    saved = "site_on" if published == "on" else "site_off"
    return RedirectResponse(f"/plans/{quote(plan.slug)}/settings?saved={saved}", status_code=303)
