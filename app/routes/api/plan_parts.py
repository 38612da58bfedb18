"""What a plan is made of, to read: statements, phases, focus areas, goals, personas with their
journeys. Each list takes `plan` (a slug); without it, every plan the reader may see."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import Persona
from app.routes.api.deps import (
    READ_ERRORS,
    IncludeArchived,
    OptionalId,
    PlanFilter,
    ReadableFocusArea,
    ReadableGoal,
    ReadableJourney,
    ReadablePersona,
    ReadablePhase,
    ReadableStatement,
    error_responses,
)
from app.routes.api.internal import for_reader, one_for_reader
from app.routes.api.pagination import Page, PageParams, each
from app.routes.api.schemas import (
    FocusAreaRead,
    GoalRead,
    JourneyRead,
    PersonaRead,
    PhaseRead,
    StatementRead,
)
from app.routes.api.versions import with_etag
from app.services.reading import catalog

router = APIRouter(tags=["plan structure"])
LIST_ERRORS = error_responses(*READ_ERRORS)
ITEM_ERRORS = error_responses(404, 422)


@router.get(
    "/statements",
    summary="List statements (standards, guiding principles…)",
    response_model=Page[StatementRead],
    responses=LIST_ERRORS,
)
def list_statements(
    session: SessionDep, user: CurrentUser, page: PageParams, plan: PlanFilter
) -> Page[StatementRead]:
    return page.run_items(
        session, catalog.statements_query(user=user, plan=plan), each(StatementRead)
    )


@router.get(
    "/statements/{statement_id}",
    name="api_statement",
    summary="One statement",
    response_model=StatementRead,
    responses=ITEM_ERRORS,
)
def get_statement(statement: ReadableStatement, response: Response) -> StatementRead:
    return with_etag(response, StatementRead.model_validate(statement))


@router.get(
    "/phases", summary="List roadmap phases", response_model=Page[PhaseRead], responses=LIST_ERRORS
)
def list_phases(
    session: SessionDep, user: CurrentUser, page: PageParams, plan: PlanFilter
) -> Page[PhaseRead]:
    return page.run_items(session, catalog.phases_query(user=user, plan=plan), each(PhaseRead))


@router.get(
    "/phases/{phase_id}",
    name="api_phase",
    summary="One phase",
    response_model=PhaseRead,
    responses=ITEM_ERRORS,
)
def get_phase(phase: ReadablePhase, response: Response) -> PhaseRead:
    return with_etag(response, PhaseRead.model_validate(phase))


@router.get(
    "/focus-areas",
    summary="List focus areas",
    response_model=Page[FocusAreaRead],
    responses=LIST_ERRORS,
)
def list_focus_areas(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    include_archived: IncludeArchived,
) -> Page[FocusAreaRead]:
    query = catalog.focus_areas_query(user=user, plan=plan, include_archived=include_archived)
    return page.run_items(
        session, query, lambda rows: for_reader(session, user, each(FocusAreaRead)(rows))
    )


@router.get(
    "/focus-areas/{focus_area_id}",
    name="api_focus_area",
    summary="One focus area",
    response_model=FocusAreaRead,
    responses=error_responses(*READ_ERRORS),
)
def get_focus_area(
    focus_area: ReadableFocusArea, session: SessionDep, user: CurrentUser, response: Response
) -> FocusAreaRead:
    read = one_for_reader(session, user, FocusAreaRead.model_validate(focus_area))
    return with_etag(response, read)


@router.get("/goals", summary="List goals", response_model=Page[GoalRead], responses=LIST_ERRORS)
def list_goals(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    include_archived: IncludeArchived,
    focus_area_id: OptionalId = None,
) -> Page[GoalRead]:
    query = catalog.goals_query(
        user=user, plan=plan, include_archived=include_archived, focus_area_id=focus_area_id
    )
    return page.run_items(session, query, each(GoalRead))


@router.get(
    "/goals/{goal_id}",
    name="api_goal",
    summary="One goal",
    response_model=GoalRead,
    responses=error_responses(*READ_ERRORS),
)
def get_goal(goal: ReadableGoal, response: Response) -> GoalRead:
    return with_etag(response, GoalRead.model_validate(goal))


def personas_read(session: Session, rows: list[Persona]) -> list[PersonaRead]:
    journeys = catalog.journeys_of(session=session, persona_ids=[p.id for p in rows])  # type: ignore[misc]
    return [PersonaRead.of(p, journeys.get(p.id, [])) for p in rows]  # type: ignore[arg-type]


@router.get(
    "/personas",
    summary="List personas with their journeys",
    response_model=Page[PersonaRead],
    responses=LIST_ERRORS,
)
def list_personas(
    session: SessionDep, user: CurrentUser, page: PageParams, plan: PlanFilter
) -> Page[PersonaRead]:
    query = catalog.personas_query(user=user, plan=plan)
    return page.run_items(session, query, lambda rows: personas_read(session, rows))


@router.get(
    "/personas/{persona_id}",
    name="api_persona",
    summary="One persona with its journeys",
    response_model=PersonaRead,
    responses=ITEM_ERRORS,
)
def get_persona(persona: ReadablePersona, session: SessionDep, response: Response) -> PersonaRead:
    return with_etag(response, personas_read(session, [persona])[0])


@router.get(
    "/journeys/{journey_id}",
    name="api_journey",
    summary="One journey of a persona",
    response_model=JourneyRead,
    responses=ITEM_ERRORS,
)
def get_journey(journey: ReadableJourney, response: Response) -> JourneyRead:
    return with_etag(response, JourneyRead.model_validate(journey))
