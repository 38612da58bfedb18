"""/action-items: the organisation's action items from performance sessions, filtered by
status, each with its status changed in place (htmx swaps the item's row; without JavaScript
the form posts and comes back with a 303, or the page with the message beside the select)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import User
from app.models.sessions import ActionItemUpdate, ActionStatus
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, form_version, item_id
from app.routes.pages.form_posts import FormPost, form_post
from app.services.sessions import forms, reading
from app.services.sessions.writes import update_action_item
from app.templating import is_htmx, render

router = APIRouter(prefix="/action-items", include_in_schema=False)
TEMPLATE = "sessions/action_items.html"
FILTERS = {
    "owed": "Still open",
    **{s.value: s.value.replace("_", " ").capitalize() for s in ActionStatus},
}


@dataclass(frozen=True)
class ActionItemsAsked:
    """The page's filter as its query string asks: a status of FILTERS, or any ("")."""

    status: str = ""


def action_items_asked(status: str = "") -> ActionItemsAsked:
    """The query string as the page reads it (its downloads too: routes/pages/exports.py)."""
    return ActionItemsAsked(status if status in FILTERS else "")


ActionItemsQuery = Annotated[ActionItemsAsked, Depends(action_items_asked)]


def _context(
    session: Session, user: User | None, rows: list[Any], status: str, states: dict
) -> dict[str, Any]:
    return {
        "rows": rows,
        "status": status,
        "filters": FILTERS,
        "statuses": [s.value for s in ActionStatus],
        "may_update": {r.item.id: forms.may_update(session, user, r.item) for r in rows},
        "states": states,
    }


def _page(
    request: Request, session: Session, user: User | None, status: str, states: dict, code: int
) -> Response:
    rows = reading.list_action_items(session, user, status=status)
    context = _context(session, user, rows, status, states)
    return render(request, TEMPLATE, context, block="items", status_code=code)


@router.get("")
def action_items(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    asked: ActionItemsQuery,
    saved: str = "",
) -> Response:
    saved_id = item_id(saved)
    states = {saved_id: FormPost(notice="Saved.")} if saved_id else {}
    return _page(request, session, user, asked.status, states, 200)


@router.post("/{action_item_id}/status")
def post_status(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    action_item_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    back: Form_ = "",
) -> Response:
    item = reading.readable_action_item(session, user, action_item_id)
    with form_post(session) as post:
        data = ActionItemUpdate(version=form_version(version), status=status or None)  # type: ignore[arg-type]
        update_action_item(session=session, item=item, data=data, actor=actor_for(user))
        post.notice = "Saved."
    if is_htmx(request):
        session.expire_all()
        rows = [r for r in reading.list_action_items(session, user) if r.item.id == item.id]
        context = _context(session, user, rows, "", {item.id: post}) | {"row": rows[0]}
        return render(request, TEMPLATE, context, block="item", status_code=post.status)
    if post.refused:
        return _page(request, session, user, "", {item.id: post}, post.status)
    if back == "my-work":
        return RedirectResponse(f"/my-work#action-item-{item.id}", status_code=303)
    return RedirectResponse(f"/action-items?saved={item.id}#action-item-{item.id}", status_code=303)
