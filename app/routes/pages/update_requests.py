"""Requesting an update from an item's page (issue 13).

- `GET /update-requests/for/{kind}/{item_id}` (kind: strategy, quick-win, metric): the item's
  requests and the form to ask (the strategy and metric pages include the same panel; a quick
  win's card links here);
- `POST` the same URL: ask its department's leads, with a message;
- `POST /update-requests/{request_id}/withdraw`: take an open request back.

A plain post answers 303 back to the item's page (#update-requests); htmx gets the panel. A
refused one shows the panel again with the message beside the field (422) and saves nothing. The
rules (who may ask, an item with no department) are services.changes.update_requests'.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Metric, QuickWin, Strategy, User
from app.models.base import whole_number
from app.models.update_request import UpdateRequestCreate, UpdateRequestWithdraw
from app.routes.pages.form_input import Form_, form_version
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts.permissions import require_read_plan
from app.services.changes import update_requests
from app.services.errors import NotFound
from app.services.reading import update_requests as reading
from app.services.reading.zones import reading_zone
from app.services.views.update_requests import RequestPanel, request_panel
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
TEMPLATE = "update_requests/item.html"


Item = Strategy | QuickWin | Metric


def _number(text: str) -> int:
    number = whole_number(text)
    if number is None:
        raise NotFound("No such item.")
    return number


def _item(session: Session, user: User | None, url_kind: str, item_id: str) -> Item:
    kind = reading.KIND_OF_URL.get(url_kind)
    if kind is None:
        raise NotFound("No such item.")
    item = update_requests.get_item(session, kind, _number(item_id))
    require_read_plan(user, reading.plan_of(session, item))
    return item


def _panel_answer(
    request: Request, session: Session, panel: RequestPanel, post: FormPost | None = None
) -> Response:
    if post is not None:
        panel.errors, panel.notice = post.errors, post.notice
        if post.conflict is not None:
            panel.errors = {"withdraw": post.conflict.message}
    status = post.status if post else 200
    context = {"panel": panel, "reading_zone": reading_zone(session, None, panel.plan)}
    return render(request, TEMPLATE, context, block="panel", status_code=status)


def _back(
    request: Request,
    session: Session,
    user: User | None,
    item: Item,
    post: FormPost,
    typed: str = "",
) -> Response:
    panel = request_panel(session, user, reading.plan_of(session, item), item)
    panel.typed = typed if post.refused else ""
    if post.refused or is_htmx(request):
        return _panel_answer(request, session, panel, post)
    return RedirectResponse(f"{panel.url.split('#')[0]}#update-requests", status_code=303)


@router.get("/update-requests/for/{url_kind}/{item_id}")
def item_requests(
    request: Request, session: SessionDep, user: CurrentUser, url_kind: str, item_id: str
) -> Response:
    item = _item(session, user, url_kind, item_id)
    return _panel_answer(
        request, session, request_panel(session, user, reading.plan_of(session, item), item)
    )


@router.post("/update-requests/for/{url_kind}/{item_id}")
def post_request(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    url_kind: str,
    item_id: str,
    message: Form_ = "",
) -> Response:
    item = _item(session, user, url_kind, item_id)
    with form_post(session) as post:
        data = UpdateRequestCreate(message=message)
        update_requests.request_update(session=session, item=item, data=data, actor=actor_for(user))
        post.notice = "Update requested: the department's leads see it on their My work."
    return _back(request, session, user, item, post, typed=message)


@router.post("/update-requests/{request_id}/withdraw")
def post_withdraw(
    request: Request, session: SessionDep, user: RequiredUser, request_id: str, version: Form_ = ""
) -> Response:
    number = (
        int(request_id)
        if request_id.isascii() and request_id.isdigit() and len(request_id) < 10
        else 0
    )
    row = update_requests.get_request(session, number)
    item = update_requests.get_item(session, row.subject_type, row.subject_id)
    require_read_plan(user, reading.plan_of(session, item))
    with form_post(session) as post:
        data = UpdateRequestWithdraw(version=form_version(version))
        update_requests.withdraw_request(
            session=session, request=row, data=data, actor=actor_for(user)
        )
        post.notice = "Request withdrawn."
    return _back(request, session, user, item, post)
