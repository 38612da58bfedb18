"""A strategy's workplan steps: list, read, add, change, tick done or undone, archive, restore.

Apart from the strategies' routes (app.routes.api.strategies) because a step is its own item, with
its own URL and version, whose changes may complete its strategy (`complete_strategy`); they keep
the strategies' OpenAPI tag, and are included right after them, so the API reads as before.
Routes load (app.routes.api.deps), call one service function, and answer the item with its ETag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import WorkplanStep
from app.models.strategy import StepCreate
from app.routes.api.deps import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AnyStep,
    IncludeArchived,
    LiveStep,
    LiveStrategy,
    ReadableStep,
    ReadableStrategy,
    error_responses,
)
from app.routes.api.inputs import StepChange, StepDone, VersionNote, strict_json
from app.routes.api.pagination import Page, PageParams, each
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.routes.api.work_schemas import StepRead
from app.services.changes import strategies
from app.services.reading import work_catalog
from app.services.reading.visibility import archived_listed

router = APIRouter(tags=["strategies"])

VersionNoteJson = Annotated[None, strict_json(VersionNote)]


@router.get(
    "/strategies/{strategy_id}/steps",
    summary="A strategy's workplan steps",
    description="Each step followed by its sub-steps (`parent_id`), in their order.",
    response_model=Page[StepRead],
    responses=error_responses(*READ_ERRORS),
)
def list_steps(
    strategy: ReadableStrategy,
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    include_archived: IncludeArchived,
) -> Page[StepRead]:
    archived = archived_listed(session, user, strategy.plan_id, include_archived)
    query = work_catalog.steps_query(strategy=strategy, include_archived=archived)
    return page.run_items(session, query, each(StepRead))


@router.get(
    "/steps/{step_id}",
    name="api_step",
    summary="One workplan step",
    response_model=StepRead,
    responses=error_responses(*READ_ERRORS),
)
def get_step(step: ReadableStep, response: Response) -> StepRead:
    return with_etag(response, StepRead.model_validate(step))


@router.post(
    "/strategies/{strategy_id}/steps",
    status_code=201,
    summary="Add a workplan step",
    description="`parent_id` makes it a sub-step (one level only).",
    response_model=StepRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_step(
    user: RequiredUser,
    strategy: LiveStrategy,
    _json: Annotated[None, strict_json(StepCreate)],
    data: StepCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> StepRead:
    step = strategies.add_step(session=session, strategy=strategy, data=data, actor=actor_for(user))
    return created(request, response, "api_step", StepRead.model_validate(step), step_id=step.id)


@router.patch(
    "/steps/{step_id}",
    summary="Change a workplan step",
    response_model=StepRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_step(
    user: RequiredUser,
    step: LiveStep,
    _json: Annotated[None, strict_json(StepChange)],
    body: StepChange,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> StepRead:
    expected = expected_version(if_match, body.version, current=step.version)
    data = with_version(body, expected)
    with precondition(expected):
        strategies.update_step(session=session, step=step, data=data, actor=actor_for(user))
    return with_etag(response, StepRead.model_validate(step))


def _set_done(
    user: RequiredUser,
    step: WorkplanStep,
    if_match: str | None,
    body: VersionNote,
    session: Session,
    done: bool,
) -> StepRead:
    expected = expected_version(if_match, body.version, current=step.version)
    with precondition(expected):
        strategies.set_step_done(
            session=session,
            step=step,
            version=expected.version,
            done=done,
            actor=actor_for(user),
            note=body.note,
            complete_strategy=isinstance(body, StepDone) and body.complete_strategy,
        )
    return StepRead.model_validate(step)


@router.post(
    "/steps/{step_id}/done",
    summary="Tick a workplan step done (today)",
    description="Ticking the last open step of a strategy that is not complete is refused "
    "unless `complete_strategy` marks the strategy complete with it. A strategy that is Not "
    "started takes a progress update with its status before its steps are ticked.",
    response_model=StepRead,
    responses=error_responses(*WRITE_ERRORS),
)
def step_done(
    user: RequiredUser,
    step: LiveStep,
    _json: Annotated[None, strict_json(StepDone)],
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: StepDone,
) -> StepRead:
    return with_etag(response, _set_done(user, step, if_match, body, session, True))


@router.post(
    "/steps/{step_id}/undone",
    summary="Undo a workplan step's done mark",
    description="Refused for a strategy marked Complete: post its status first.",
    response_model=StepRead,
    responses=error_responses(*WRITE_ERRORS),
)
def step_undone(
    user: RequiredUser,
    step: LiveStep,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> StepRead:
    return with_etag(response, _set_done(user, step, if_match, body, session, False))


@router.post(
    "/steps/{step_id}/archive",
    summary="Archive a workplan step (and its sub-steps with it)",
    description="Archiving the last open step of a strategy that is not complete is refused "
    "unless `complete_strategy` marks the strategy complete with it.",
    response_model=StepRead,
    responses=error_responses(*WRITE_ERRORS),
)
def archive_step(
    user: RequiredUser,
    step: LiveStep,
    _json: Annotated[None, strict_json(StepDone)],
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: StepDone,
) -> StepRead:
    expected = expected_version(if_match, body.version, current=step.version)
    with precondition(expected):
        strategies.set_archived(
            session=session,
            item=step,
            version=expected.version,
            archived=True,
            actor=actor_for(user),
            note=body.note,
            complete_strategy=body.complete_strategy,
        )
    return with_etag(response, StepRead.model_validate(step))


@router.post(
    "/steps/{step_id}/restore",
    summary="Restore an archived workplan step (administrators)",
    response_model=StepRead,
    responses=error_responses(*WRITE_ERRORS),
)
def restore_step(
    user: RequiredUser,
    step: AnyStep,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> StepRead:
    expected = expected_version(if_match, body.version, current=step.version)
    with precondition(expected):
        strategies.set_archived(
            session=session,
            item=step,
            version=expected.version,
            archived=False,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, StepRead.model_validate(step))
