"""Building a plan's structure over the API (the plan builder): add, change, archive, restore
and reorder its statements, phases, focus areas, goals, personas and their journeys, and the
organisation's departments. Coordinators and administrators of the plan's organisation build;
leads and viewers read. The routes are made alike by app.routes.api.build_routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import Session

from app.models import Department, FocusArea, Goal, Journey, Persona, Phase, Statement, User
from app.models.building import (
    DepartmentCreate,
    FocusAreaCreate,
    GoalCreate,
    JourneyCreate,
    PersonaCreate,
    PhaseCreate,
    Reorder,
    StatementCreate,
)
from app.routes.api.build_routes import PartRoutes, add_part_routes
from app.routes.api.build_schemas import (
    DepartmentChange,
    FocusAreaChange,
    GoalChange,
    GoalReorder,
    JourneyChange,
    PersonaChange,
    PhaseChange,
    StatementChange,
)
from app.routes.api.deps import (
    AnyDepartment,
    AnyFocusArea,
    AnyGoal,
    AnyJourney,
    AnyPersona,
    AnyPhase,
    AnyStatement,
    LiveFocusArea,
    LiveGoal,
    LivePlan,
    ReadableDepartment,
    ReadableJourney,
    ReadableOrganization,
    ReadablePersona,
    ReadablePhase,
    ReadableStatement,
)
from app.routes.api.internal import for_reader
from app.routes.api.plan_parts import personas_read
from app.routes.api.schemas import (
    DepartmentRead,
    FocusAreaRead,
    GoalRead,
    JourneyRead,
    PersonaRead,
    PhaseRead,
    StatementRead,
)

router = APIRouter(tags=["plan building"])


def _each(read_model: Any) -> Any:
    def read(_session: Session, _user: User | None, rows: list[Any]) -> list[Any]:
        return [read_model.model_validate(row) for row in rows]

    return read


def _focus_areas(session: Session, user: User | None, rows: list[Any]) -> list[FocusAreaRead]:
    return for_reader(session, user, [FocusAreaRead.model_validate(row) for row in rows])


def _personas(session: Session, _user: User | None, rows: list[Any]) -> list[PersonaRead]:
    return personas_read(session, rows)


PLAN = {"parent_path": "/plans/{slug}", "parent_noun": "a plan", "parent": LivePlan}

SPECS = (
    PartRoutes(
        Statement, "statement", "/statements", "statement_id", **PLAN,
        live=ReadableStatement, any_=AnyStatement, create_in=StatementCreate,
        change_in=StatementChange, read_model=StatementRead, read=_each(StatementRead),
        order_in=Reorder,
    ),
    PartRoutes(
        Phase, "phase", "/phases", "phase_id", **PLAN,
        live=ReadablePhase, any_=AnyPhase, create_in=PhaseCreate, change_in=PhaseChange,
        read_model=PhaseRead, read=_each(PhaseRead), order_in=Reorder,
    ),
    PartRoutes(
        FocusArea, "focus area", "/focus-areas", "focus_area_id", **PLAN,
        live=LiveFocusArea, any_=AnyFocusArea, create_in=FocusAreaCreate,
        change_in=FocusAreaChange, read_model=FocusAreaRead, read=_focus_areas,
        order_in=Reorder,
    ),
    PartRoutes(
        Goal, "goal", "/goals", "goal_id", **PLAN,
        live=LiveGoal, any_=AnyGoal, create_in=GoalCreate, change_in=GoalChange,
        read_model=GoalRead, read=_each(GoalRead), order_in=GoalReorder,
    ),
    PartRoutes(
        Persona, "persona", "/personas", "persona_id", **PLAN,
        live=ReadablePersona, any_=AnyPersona, create_in=PersonaCreate,
        change_in=PersonaChange, read_model=PersonaRead, read=_personas, order_in=Reorder,
    ),
    PartRoutes(
        Journey, "journey", "/journeys", "journey_id",
        parent_path="/personas/{persona_id}", parent_noun="a persona", parent=ReadablePersona,
        live=ReadableJourney, any_=AnyJourney, create_in=JourneyCreate,
        change_in=JourneyChange, read_model=JourneyRead, read=_each(JourneyRead),
        order_in=Reorder,
    ),
    PartRoutes(
        Department, "department", "/departments", "department_id",
        parent_path="/organizations/{slug}", parent_noun="an organisation",
        parent=ReadableOrganization, live=ReadableDepartment, any_=AnyDepartment,
        create_in=DepartmentCreate, change_in=DepartmentChange, read_model=DepartmentRead,
        read=_each(DepartmentRead), order_in=Reorder,
    ),
)  # fmt: skip

for _spec in SPECS:
    add_part_routes(router, _spec)
