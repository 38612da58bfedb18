"""Quick wins: read, create, change, progress (status and narrative), archive and restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import QuickWin, User
from app.models.enums import QuickWinStatus, WorkCategory
from app.models.quick_win import QuickWinCreate, QuickWinProgressIn
from app.routes.api.deps import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AnyQuickWin,
    IncludeArchived,
    LivePlan,
    LiveQuickWin,
    OptionalId,
    PlanFilter,
    ReadableQuickWin,
    error_responses,
)
from app.routes.api.inputs import QuickWinChange, VersionNote, strict_json
from app.routes.api.internal import for_reader, one_for_reader
from app.routes.api.pagination import Page, PageParams, each
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.routes.api.work_schemas import QuickWinRead
from app.services.changes import quick_wins
from app.services.reading import work_catalog

router = APIRouter(tags=["quick wins"])

VersionNoteJson = Annotated[None, strict_json(VersionNote)]


def _read(session: Session, user: User | None, quick_win: QuickWin) -> QuickWinRead:
    return one_for_reader(session, user, QuickWinRead.model_validate(quick_win))


@router.get(
    "/quick-wins",
    summary="List quick wins",
    response_model=Page[QuickWinRead],
    responses=error_responses(*READ_ERRORS),
)
def list_quick_wins(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    include_archived: IncludeArchived,
    status: QuickWinStatus | None = None,
    category: WorkCategory | None = None,
    department_id: OptionalId = None,
) -> Page[QuickWinRead]:
    query = work_catalog.quick_wins_query(
        user=user,
        plan=plan,
        include_archived=include_archived,
        status=status,
        category=category,
        department_id=department_id,
    )
    return page.run_items(
        session, query, lambda rows: for_reader(session, user, each(QuickWinRead)(rows))
    )


@router.get(
    "/quick-wins/{quick_win_id}",
    name="api_quick_win",
    summary="One quick win",
    response_model=QuickWinRead,
    responses=error_responses(*READ_ERRORS),
)
def get_quick_win(
    quick_win: ReadableQuickWin, session: SessionDep, user: CurrentUser, response: Response
) -> QuickWinRead:
    return with_etag(response, _read(session, user, quick_win))


@router.post(
    "/plans/{slug}/quick-wins",
    status_code=201,
    summary="Add a quick win to a plan",
    response_model=QuickWinRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_quick_win(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(QuickWinCreate)],
    data: QuickWinCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> QuickWinRead:
    quick_win = quick_wins.create_quick_win(
        session=session, plan=plan, data=data, actor=actor_for(user)
    )
    return created(
        request,
        response,
        "api_quick_win",
        _read(session, user, quick_win),
        quick_win_id=quick_win.id,
    )


@router.patch(
    "/quick-wins/{quick_win_id}",
    summary="Change a quick win",
    description="Send only the fields that change, with the `version` you changed (If-Match "
    "may name it too). Status and narrative change through progress.",
    response_model=QuickWinRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_quick_win(
    user: RequiredUser,
    quick_win: LiveQuickWin,
    _json: Annotated[None, strict_json(QuickWinChange)],
    body: QuickWinChange,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> QuickWinRead:
    expected = expected_version(if_match, body.version, current=quick_win.version)
    data = with_version(body, expected)
    with precondition(expected):
        quick_wins.update_quick_win(
            session=session, quick_win=quick_win, data=data, actor=actor_for(user)
        )
    return with_etag(response, _read(session, user, quick_win))


@router.post(
    "/quick-wins/{quick_win_id}/progress",
    summary="Post a quick win's progress",
    description="Status (planned, in progress, complete), narrative and a note; always recorded "
    "in the history.",
    response_model=QuickWinRead,
    responses=error_responses(*WRITE_ERRORS),
)
def post_progress(
    user: RequiredUser,
    quick_win: LiveQuickWin,
    _json: Annotated[None, strict_json(QuickWinProgressIn)],
    body: QuickWinProgressIn,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> QuickWinRead:
    expected = expected_version(if_match, body.version, current=quick_win.version)
    data = with_version(body, expected)
    with precondition(expected):
        quick_wins.record_quick_win_progress(
            session=session, quick_win=quick_win, data=data, actor=actor_for(user)
        )
    return with_etag(response, _read(session, user, quick_win))


@router.post(
    "/quick-wins/{quick_win_id}/archive",
    summary="Archive a quick win",
    response_model=QuickWinRead,
    responses=error_responses(*WRITE_ERRORS),
)
def archive_quick_win(
    user: RequiredUser,
    quick_win: LiveQuickWin,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> QuickWinRead:
    expected = expected_version(if_match, body.version, current=quick_win.version)
    with precondition(expected):
        quick_wins.set_quick_win_archived(
            session=session,
            quick_win=quick_win,
            version=expected.version,
            archived=True,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, user, quick_win))


@router.post(
    "/quick-wins/{quick_win_id}/restore",
    summary="Restore an archived quick win (administrators)",
    response_model=QuickWinRead,
    responses=error_responses(*WRITE_ERRORS),
)
def restore_quick_win(
    user: RequiredUser,
    quick_win: AnyQuickWin,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> QuickWinRead:
    expected = expected_version(if_match, body.version, current=quick_win.version)
    with precondition(expected):
        quick_wins.set_quick_win_archived(
            session=session,
            quick_win=quick_win,
            version=expected.version,
            archived=False,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, user, quick_win))
