"""/my-work's post for a quick win: its progress update (status, narrative, note).

It answers with the quick win's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import QuickWin, User
from app.models.quick_win import QuickWinProgressIn
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work import answer, readable_item
from app.routes.pages.my_work_presentation import FormState
from app.services.changes import quick_wins
from app.services.views.my_work import items as work_items

router = APIRouter(prefix="/my-work", include_in_schema=False)


def _quick_win_answer(
    request: Request,
    session: Session,
    user: User,
    quick_win: QuickWin,
    state: FormState,
    status: int = 200,
) -> Response:
    return answer(
        request,
        session,
        user,
        quick_win,
        state=state,
        status=status,
        item=lambda: work_items.load_quick_win_work(
            session=session, quick_win=quick_win, user=user
        ),
    )


@router.post("/quick-wins/{quick_win_id}/progress")
def quick_win_progress(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    quick_win_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    narrative: Form_ = "",
    note: Form_ = "",
) -> Response:
    quick_win = quick_wins.get_quick_win(session=session, quick_win_id=quick_win_id)
    readable_item(session, user, quick_win.plan_id)
    with form_post(session) as post:
        data = QuickWinProgressIn(
            version=version,
            status=blank_to_none(status),
            narrative=narrative,
            note=note,  # type: ignore[arg-type]
        )
        quick_wins.record_quick_win_progress(
            session=session, quick_win=quick_win, data=data, actor=actor_for(user)
        )
        post.notice = "Quick win update saved."
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    state = FormState.after(post, "progress", typed)
    return _quick_win_answer(request, session, user, quick_win, state, post.status)
