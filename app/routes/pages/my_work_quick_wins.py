"""/my-work's post for a quick win: its progress update (status, narrative, note).

It answers with the quick win's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

import pydantic as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import CurrentUser, actor_for
from app.deps import SessionDep
from app.models import QuickWin, User
from app.models.quick_win import QuickWinProgressIn
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, pydantic_errors, service_errors
from app.routes.pages.my_work import answer, failed, readable_item
from app.routes.pages.my_work_presentation import FormState
from app.services import quick_wins, work_items
from app.services.errors import Conflict, ValidationFailed
from app.services.permissions import Action, require

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
    user: CurrentUser,
    quick_win_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    narrative: Form_ = "",
    note: Form_ = "",
) -> Response:
    quick_win = quick_wins.get_quick_win(session=session, quick_win_id=quick_win_id)
    readable_item(session, user, quick_win.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.progress, quick_win, kind=quick_wins.KIND)
    assert user is not None
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    form = "progress"
    try:
        data = QuickWinProgressIn(
            version=version,
            status=blank_to_none(status),
            narrative=narrative,
            note=note,  # type: ignore[arg-type]
        )
        quick_wins.record_quick_win_progress(
            session=session, quick_win=quick_win, data=data, actor=actor
        )
    except pd.ValidationError as exc:
        failed(session)
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, pydantic_errors(exc)), 422
        )
    except ValidationFailed as exc:
        failed(session)
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, service_errors(exc)), 422
        )
    except Conflict as exc:
        failed(session)
        typed.pop("version")
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, conflict=exc), 409
        )
    return _quick_win_answer(
        request, session, user, quick_win, FormState(form, notice="Quick win update saved.")
    )
