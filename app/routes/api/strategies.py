"""Strategies: read, create, change, progress updates, archive, restore.

Their workplan steps have their own routes (app.routes.api.steps).
Routes load (app.routes.api.deps), call one service function, and answer the item with its ETag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Strategy, User
from app.models.enums import StrategyStatus, Term
from app.models.strategy import ProgressUpdateIn, StrategyCreate, StrategyReorder
from app.routes.api.deps import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AnyStrategy,
    IncludeArchived,
    LivePlan,
    LiveStrategy,
    OptionalId,
    PlanFilter,
    ReadableStrategy,
    error_responses,
)
from app.routes.api.inputs import StrategyChange, VersionNote, strict_json
from app.routes.api.internal import for_reader
from app.routes.api.pagination import Page, PageParams
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.routes.api.work_schemas import StrategyRead
from app.services.changes import strategies, strategy_order, strategy_progress
from app.services.reading import work_catalog
from app.services.reading.plan_tree import step_counts

router = APIRouter(tags=["strategies"])

VersionNoteJson = Annotated[None, strict_json(VersionNote)]


def _reads(session: Session, user: User | None, rows: list[Strategy]) -> list[StrategyRead]:
    ids = [s.id for s in rows]
    goals = work_catalog.goal_ids_of(session=session, strategy_ids=ids)  # type: ignore[arg-type]
    steps = step_counts(session, ids)
    reads = [
        StrategyRead.of(s, goals.get(s.id, []), steps.get(s.id, (0, 0)))  # type: ignore[arg-type]
        for s in rows
    ]
    return for_reader(session, user, reads)


def _read(session: Session, user: User | None, strategy: Strategy) -> StrategyRead:
    return _reads(session, user, [strategy])[0]


# --- strategies ----------------------------------------------------------------------------------


@router.get(
    "/strategies",
    summary="List strategies",
    response_model=Page[StrategyRead],
    responses=error_responses(*READ_ERRORS),
)
def list_strategies(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    include_archived: IncludeArchived,
    focus_area_id: OptionalId = None,
    department_id: OptionalId = None,
    status: StrategyStatus | None = None,
    term: Term | None = None,
) -> Page[StrategyRead]:
    query = work_catalog.strategies_query(
        user=user,
        plan=plan,
        include_archived=include_archived,
        focus_area_id=focus_area_id,
        department_id=department_id,
        status=status,
        term=term,
    )
    return page.run_items(session, query, lambda rows: _reads(session, user, rows))


@router.get(
    "/strategies/{strategy_id}",
    name="api_strategy",
    summary="One strategy",
    response_model=StrategyRead,
    responses=error_responses(*READ_ERRORS),
)
def get_strategy(
    strategy: ReadableStrategy, session: SessionDep, user: CurrentUser, response: Response
) -> StrategyRead:
    return with_etag(response, _read(session, user, strategy))


@router.post(
    "/plans/{slug}/strategies",
    status_code=201,
    summary="Add a strategy to a plan",
    response_model=StrategyRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_strategy(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(StrategyCreate)],
    data: StrategyCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> StrategyRead:
    strategy = strategies.create_strategy(
        session=session, plan=plan, data=data, actor=actor_for(user)
    )
    return created(
        request, response, "api_strategy", _read(session, user, strategy), strategy_id=strategy.id
    )


@router.put(
    "/plans/{slug}/strategies/order",
    summary="Put a focus area's strategies in order",
    description="`ids`: every live strategy of the focus area `focus_area_id` (none: those "
    "outside focus areas) once, in the new order. One left out, named twice or not among them "
    "is refused (422 naming `ids`). Answers them in the new order; the history records the "
    "order before and after. Coordinators and administrators (building the plan).",
    response_model=list[StrategyRead],
    responses=error_responses(*CREATE_ERRORS),
)
def order_strategies(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(StrategyReorder)],
    body: StrategyReorder,
    session: SessionDep,
) -> list[StrategyRead]:
    items = strategy_order.reorder_strategies(
        session=session,
        plan=plan,
        focus_area_id=body.focus_area_id,
        ids=body.ids,
        actor=actor_for(user),
    )
    return _reads(session, user, items)


@router.patch(
    "/strategies/{strategy_id}",
    summary="Change a strategy",
    description="Send only the fields that change, with the `version` you changed (If-Match "
    "may name it too). A stale version is refused with the newer value and who saved it: 409, "
    "or 412 when If-Match is stale.",
    response_model=StrategyRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_strategy(
    user: RequiredUser,
    strategy: LiveStrategy,
    _json: Annotated[None, strict_json(StrategyChange)],
    body: StrategyChange,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> StrategyRead:
    expected = expected_version(if_match, body.version, current=strategy.version)
    data = with_version(body, expected)
    with precondition(expected):
        strategies.update_strategy(
            session=session, strategy=strategy, data=data, actor=actor_for(user)
        )
    return with_etag(response, _read(session, user, strategy))


@router.post(
    "/strategies/{strategy_id}/progress",
    summary="Post a progress update",
    description="Status, % progress (only for a strategy counted by hand), how progress is "
    "counted (`progress_counting`), narrative and a note; a field left out or null is unchanged. "
    "Status and progress must agree: Not started with progress above 0, Complete below 100% or "
    "with steps open, and 100% while not Complete are each refused (422) saying what to do. "
    "Always recorded in the history, even when nothing changed: a confirmed status is news and "
    "resets staleness.",
    response_model=StrategyRead,
    responses=error_responses(*WRITE_ERRORS),
)
def post_progress(
    user: RequiredUser,
    strategy: LiveStrategy,
    _json: Annotated[None, strict_json(ProgressUpdateIn)],
    body: ProgressUpdateIn,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> StrategyRead:
    expected = expected_version(if_match, body.version, current=strategy.version)
    data = with_version(body, expected)
    with precondition(expected):
        strategy_progress.record_strategy_progress(
            session=session, strategy=strategy, data=data, actor=actor_for(user)
        )
    return with_etag(response, _read(session, user, strategy))


@router.post(
    "/strategies/{strategy_id}/archive",
    summary="Archive a strategy",
    description="It leaves lists and roll-ups; its history stays, and an administrator can "
    "restore it.",
    response_model=StrategyRead,
    responses=error_responses(*WRITE_ERRORS),
)
def archive_strategy(
    user: RequiredUser,
    strategy: LiveStrategy,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> StrategyRead:
    expected = expected_version(if_match, body.version, current=strategy.version)
    with precondition(expected):
        strategies.set_archived(
            session=session,
            item=strategy,
            version=expected.version,
            archived=True,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, user, strategy))


@router.post(
    "/strategies/{strategy_id}/restore",
    summary="Restore an archived strategy (administrators)",
    response_model=StrategyRead,
    responses=error_responses(*WRITE_ERRORS),
)
def restore_strategy(
    user: RequiredUser,
    strategy: AnyStrategy,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> StrategyRead:
    expected = expected_version(if_match, body.version, current=strategy.version)
    with precondition(expected):
        strategies.set_archived(
            session=session,
            item=strategy,
            version=expected.version,
            archived=False,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, user, strategy))
