"""/plans/{slug}/quick-wins: the quick wins board, by status or by People / Process / Technology.

One URL and one template (quick_wins/board.html): a GET gets the page, an htmx GET the `board`
block (the view switch). Moving a quick win posts to the same URL with both `action=` and
`hx-post=`: htmx gets the card's block back (with out-of-band updates of the status counts), a
plain post a 303 back to the card; a stale version answers 409 with the card showing the newer
status and who saved it, bad input 422 with the message beside the select.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, QuickWin, User
from app.models.quick_win import QuickWinProgressIn
from app.routes.cached_pages import cached_page
from app.routes.pages.form_input import Form_, item_id
from app.routes.pages.form_posts import form_post
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.changes.quick_wins import record_quick_win_progress
from app.services.errors import Conflict, ValidationFailed
from app.services.publishing.reading import approved_updates
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_zone
from app.services.views import quick_win_board as board_service
from app.services.views.quick_win_board import BoardView
from app.templating import is_htmx, render

router = APIRouter(prefix="/plans/{slug}/quick-wins", include_in_schema=False)
TEMPLATE = "quick_wins/board.html"


@dataclass
class CardState:
    """What a card shows after a move: the status typed, an error, a conflict, a confirmation."""

    status: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None
    notice: str = ""


BLANK = CardState()


def _view(by: str) -> BoardView:
    return BoardView.category if by == BoardView.category else BoardView.status


def _context(
    session: Session, plan: Plan, view: BoardView, user: User | None, **extra: Any
) -> dict[str, Any]:
    return {
        "plan": plan,
        "reading_zone": reading_zone(session, user, plan),
        "view": view,
        "internal": can_read_internal(user, plan),  # narratives: not for the public
        "status_labels": board_service.STATUS_LABELS,
        "category_labels": board_service.CATEGORY_LABELS,
        "states": {},
        "blank": BLANK,
        "oob_counts": None,
        **extra,
    }


def _board_page(
    request: Request,
    session: Session,
    user: User | None,
    plan: Plan,
    view: BoardView,
    *,
    states: dict[str, CardState] | None = None,
    status_code: int = 200,
) -> Response:
    board = board_service.load_board(session=session, plan=plan, user=user)
    public = approved_updates(session, plan.id)  # type: ignore[arg-type]
    context = _context(session, plan, view, user, board=board, states=states or {}, public=public)
    return render(request, TEMPLATE, context, block="board", status_code=status_code)


@router.get("")
def quick_wins_board(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    by: str = "",
    saved: str = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    if saved.startswith("quick-win-"):  # back from a move: a one-time "Saved.", never kept
        states = {saved: CardState(notice="Saved.")}
        return _board_page(request, session, user, plan, _view(by), states=states)
    return cached_page(
        request,
        session,
        user,
        organization_id=plan.organization_id,
        internal=can_read_internal(user, plan),
        render=lambda: _board_page(request, session, user, plan, _view(by)),
    )


def _card_answer(
    request: Request,
    session: Session,
    user: User,
    plan: Plan,
    quick_win: QuickWin,
    view: BoardView,
    state: CardState,
    status_code: int = 200,
) -> Response:
    """htmx: the card (and, after a move, the new counts). A plain post: 303 back to the card,
    or the whole board with the message on the card."""
    key = f"quick-win-{quick_win.id}"
    if not is_htmx(request):
        if status_code < 400:
            query = urlencode(
                {**({"by": view.value} if view != BoardView.status else {}), "saved": key}
            )
            return RedirectResponse(f"/plans/{plan.slug}/quick-wins?{query}#{key}", status_code=303)
        return _board_page(
            request, session, user, plan, view, states={key: state}, status_code=status_code
        )
    card = board_service.load_card(session=session, quick_win=quick_win, user=user)
    oob = None
    if status_code < 400:
        oob = board_service.load_board(session=session, plan=plan, user=user).status_counts
    context = _context(session, plan, view, user, card=card, states={key: state}, oob_counts=oob)
    return render(request, TEMPLATE, context, block="card", status_code=status_code)


@router.post("")
def move_quick_win(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    quick_win_id: Form_ = "",
    version: Form_ = "",
    status: Form_ = "",
    by: Form_ = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    quick_win = board_service.get_plan_quick_win(
        session=session, plan=plan, quick_win_id=item_id(quick_win_id)
    )
    before = quick_win.status
    with form_post(session) as post:
        data = QuickWinProgressIn(version=version, status=status or None)  # type: ignore[arg-type]
        if data.status is None:
            raise ValidationFailed.one("status", "choose a status")
        record_quick_win_progress(
            session=session, quick_win=quick_win, data=data, actor=actor_for(user)
        )
        post.notice = _moved_words(
            quick_win, before, moved_in_place=is_htmx(request) and _view(by) == BoardView.status
        )
    state = CardState(status=status, errors=post.errors, conflict=post.conflict, notice=post.notice)
    return _card_answer(request, session, user, plan, quick_win, _view(by), state, post.status)


def _moved_words(quick_win: QuickWin, before: str, *, moved_in_place: bool) -> str:
    label = board_service.STATUS_LABELS.get(quick_win.status, quick_win.status)
    if quick_win.status == before:
        return f"Still {label}; noted."
    if moved_in_place:  # updated in place (focus stays on the card); regrouped on the next load
        return f"Moved to {label}. It moves to the {label} column when the board is reloaded."
    return f"Moved to {label}."
