"""The plan builder's quick win pages: a new quick win, its edit page, archive and restore.

- GET/POST /plans/{slug}/quick-wins/new; GET/POST /quick-wins/{id}/edit;
- POST /quick-wins/{id}/archive, /quick-wins/{id}/restore.

Moving a quick win between statuses stays the board's (POST /plans/{slug}/quick-wins) and My
work's; here are what it is and who owns it. QuickWinCreate/Update and the quick_wins service
hold every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, QuickWin, User
from app.models.quick_win import QuickWinCreate, QuickWinUpdate
from app.routes.item_ids import ItemId
from app.routes.pages.build_item_forms import (
    changed_only,
    created,
    helpers,
    lines,
    notice_state,
    number,
    redirect,
    state_after,
)
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work_presentation import FormState
from app.services.accounts.permissions import require_read_plan
from app.services.changes import quick_wins
from app.services.changes.strategy_progress import plan_of
from app.services.reading.plan_tree import get_plan
from app.services.views import build_items
from app.services.views.quick_win_board import CATEGORY_LABELS, STATUS_LABELS
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
TEMPLATE = "build/items/quick_win.html"
KIND = quick_wins.KIND


@dataclass
class QuickWinForm:
    typed: dict[str, Any]

    def values(self) -> dict[str, Any]:
        t = self.typed
        return {
            "service_areas": lines(t["service_areas"]),
            "issue_category": t["issue_category"].strip(),
            "customer_issue": t["customer_issue"].strip(),
            "summary": t["summary"].strip(),
            "category": blank_to_none(t["category"]),
            "department_id": blank_to_none(t["department_id"]),
            "planned_start": blank_to_none(t["planned_start"]),
            "planned_end": blank_to_none(t["planned_end"]),
        }

    def create(self) -> QuickWinCreate:
        given = {k: v for k, v in self.values().items() if v is not None}
        status = {"status": self.typed["status"]} if self.typed["status"] else {}
        return QuickWinCreate(number=number(self.typed["number"]), **given, **status)  # type: ignore[arg-type]

    def update(self, quick_win: QuickWin) -> QuickWinUpdate:
        full = QuickWinUpdate(version=form_version(self.typed["version"]), **self.values())
        return changed_only(QuickWinUpdate, full, quick_win)


def quick_win_form(
    number: Form_ = "",
    service_areas: Form_ = "",
    issue_category: Form_ = "",
    customer_issue: Form_ = "",
    summary: Form_ = "",
    category: Form_ = "",
    status: Form_ = "",
    department_id: Form_ = "",
    planned_start: Form_ = "",
    planned_end: Form_ = "",
    version: Form_ = "",
) -> QuickWinForm:
    return QuickWinForm(dict(locals()))


QuickWinFormDep = Annotated[QuickWinForm, Depends(quick_win_form)]


def _editable(session: Session, user: User, quick_win_id: int) -> tuple[Plan, QuickWin]:
    quick_win = quick_wins.get_quick_win(
        session=session, quick_win_id=quick_win_id, include_archived=True
    )
    plan = plan_of(session, quick_win.plan_id)
    require_read_plan(user, plan)
    return plan, quick_win


def _edit_url(quick_win: QuickWin) -> str:
    return f"/quick-wins/{quick_win.id}/edit"


def _page(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    quick_win: QuickWin | None,
    state: FormState,
    status: int = 200,
) -> Response:
    found = build_items.choices(session=session, plan=plan, user=user)
    context = {
        "plan": plan,
        "edit": build_items.quick_win_edit(session=session, quick_win=quick_win, user=user)
        if quick_win is not None
        else None,
        "options": build_items.options_of(found),
        "st": state,
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
        **helpers(),
    }
    return render(request, TEMPLATE, context, block="editor", status_code=status)


def _answer(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    quick_win: QuickWin,
    state: FormState,
    status: int,
    saved: str,
) -> Response:
    if status < 400 and not is_htmx(request):
        return redirect(_edit_url(quick_win), saved, f"#{state.form}")
    return _page(request, session, user, plan, quick_win, state, status)


@router.get("/plans/{slug}/quick-wins/new")
def new_quick_win_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    probe = build_items.new_probe(QuickWin, plan, user)
    build_items.require_editor(session, user, probe, kind=KIND)
    typed = {"department_id": str(user.department_id or ""), "status": "planned"}
    typed["number"] = str(build_items.next_quick_win_number(session=session, plan=plan))
    return _page(request, session, user, plan, None, FormState("item", typed))


@router.post("/plans/{slug}/quick-wins/new")
def create_quick_win(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, form: QuickWinFormDep
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    with form_post(session) as post:
        quick_win = quick_wins.create_quick_win(
            session=session, plan=plan, data=form.create(), actor=actor_for(user)
        )
    if not post.refused:
        return created(request, _edit_url(quick_win))
    state = state_after(post, "item", form.typed)
    return _page(request, session, user, plan, None, state, post.status)


@router.get("/quick-wins/{quick_win_id}/edit")
def edit_quick_win_page(
    request: Request, session: SessionDep, user: RequiredUser, quick_win_id: ItemId, saved: str = ""
) -> Response:
    plan, quick_win = _editable(session, user, quick_win_id)
    build_items.require_editor(session, user, quick_win, kind=KIND)
    return _page(request, session, user, plan, quick_win, notice_state(saved))


@router.post("/quick-wins/{quick_win_id}/edit")
def update_quick_win(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    quick_win_id: ItemId,
    form: QuickWinFormDep,
) -> Response:
    plan, quick_win = _editable(session, user, quick_win_id)
    with form_post(session) as post:
        quick_wins.update_quick_win(
            session=session, quick_win=quick_win, data=form.update(quick_win), actor=actor_for(user)
        )
        post.notice = "Saved."
    state = state_after(post, "item", form.typed)
    return _answer(request, session, user, plan, quick_win, state, post.status, "saved")


@router.post("/quick-wins/{quick_win_id}/archive")
@router.post("/quick-wins/{quick_win_id}/restore")
def archive_quick_win(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    quick_win_id: ItemId,
    version: Form_ = "",
) -> Response:
    plan, quick_win = _editable(session, user, quick_win_id)
    archived = request.url.path.endswith("/archive")
    with form_post(session) as post:
        quick_wins.set_quick_win_archived(
            session=session,
            quick_win=quick_win,
            version=form_version(version),
            archived=archived,
            actor=actor_for(user),
        )
        post.notice = "Archived." if archived else "Restored."
    state = state_after(post, "archive", {})
    saved = "archived" if archived else "restored"
    return _answer(request, session, user, plan, quick_win, state, post.status, saved)
