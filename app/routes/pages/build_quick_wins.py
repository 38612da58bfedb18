"""The plan builder's quick win pages: a new quick win, its edit page, archive and restore.

- GET/POST /plans/{slug}/quick-wins/new; GET/POST /quick-wins/{id}/edit;
- POST /quick-wins/{id}/archive, /quick-wins/{id}/restore.

Moving a quick win between statuses stays the board's (POST /plans/{slug}/quick-wins) and My
work's; here are what it is and who owns it. QuickWinCreate/Update and the quick_wins service
hold every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
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
    lines,
    number,
)
from app.routes.pages.build_item_pages import ItemPages
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.services.changes import quick_wins
from app.services.changes.history import Actor
from app.services.views import build_items
from app.services.views.build_items import Choices
from app.services.views.quick_win_board import CATEGORY_LABELS, STATUS_LABELS

router = APIRouter(include_in_schema=False)
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


def _context(
    session: Session, user: User, plan: Plan, quick_win: QuickWin | None, found: Choices
) -> dict[str, Any]:
    edit = quick_win and build_items.quick_win_edit(session=session, quick_win=quick_win, user=user)
    return {
        "edit": edit,
        "options": build_items.options_of(found),
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
    }


def _archive(session: Session, item: QuickWin, version: int, archived: bool, actor: Actor) -> None:
    quick_wins.set_quick_win_archived(
        session=session, quick_win=item, version=version, archived=archived, actor=actor
    )


PAGES = ItemPages(
    model=QuickWin,
    path="/quick-wins",
    load=lambda session, item_id: quick_wins.get_quick_win(
        session=session, quick_win_id=item_id, include_archived=True
    ),
    kind=lambda _plan: KIND,
    template="build/items/quick_win.html",
    context=_context,
    creates=quick_wins.create_quick_win,
    archive=_archive,
)


def _new_typed(session: Session, user: User, plan: Plan) -> dict[str, str]:
    number = build_items.next_quick_win_number(session=session, plan=plan)
    return {
        "department_id": str(user.department_id or ""),
        "status": "planned",
        "number": str(number),
    }


@router.get("/plans/{slug}/quick-wins/new")
def new_quick_win_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str
) -> Response:
    typed = partial(_new_typed, session, user)
    return PAGES.new_page(request, session, user, slug, typed)


@router.post("/plans/{slug}/quick-wins/new")
def create_quick_win(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, form: QuickWinFormDep
) -> Response:
    return PAGES.create(request, session, user, slug, form)


@router.get("/quick-wins/{quick_win_id}/edit")
def edit_quick_win_page(
    request: Request, session: SessionDep, user: RequiredUser, quick_win_id: ItemId, saved: str = ""
) -> Response:
    return PAGES.edit_page_after(request, session, user, quick_win_id, saved)


@router.post("/quick-wins/{quick_win_id}/edit")
def update_quick_win(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    quick_win_id: ItemId,
    form: QuickWinFormDep,
) -> Response:
    def save(quick_win: QuickWin) -> str:
        data = form.update(quick_win)
        quick_wins.update_quick_win(
            session=session, quick_win=quick_win, data=data, actor=actor_for(user)
        )
        return "Saved."

    return PAGES.change(request, session, user, quick_win_id, form.typed, save)


@router.post("/quick-wins/{quick_win_id}/archive")
@router.post("/quick-wins/{quick_win_id}/restore")
def archive_quick_win(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    quick_win_id: ItemId,
    version: Form_ = "",
) -> Response:
    return PAGES.archive_or_restore(request, session, user, quick_win_id, version)
