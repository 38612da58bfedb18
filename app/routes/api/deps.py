"""What the API's routes load before they act: each item by its id (or 404), the `plan` filter,
and `include_archived`, which only administrators may ask for.

The loaders ask services.reading (catalog, work_catalog), so a route never holds a query, and an
item in a plan the reader may not see is "not found" exactly like a missing one.

(No `from __future__ import annotations` here: the loaders are made by a factory, and FastAPI
must see their real annotations.)
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Path, Query

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    WorkplanStep,
)
from app.models.base import MAX_ID
from app.routes.errors import ERROR_RESPONSES
from app.services.accounts.permissions import require_see_archived
from app.services.reading import catalog, work_catalog

T = TypeVar("T")

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

READ_ERRORS = (401, 403, 404, 422)  # 401/403: include_archived for non-administrators
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 422)
CREATE_ERRORS = (400, 401, 403, 404, 422)


_ERRORS = {
    **ERROR_RESPONSES,
    400: {"model": None, "description": "The body could not be read (not UTF-8 text)"},
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: which errors (in the one error shape) it can answer."""
    return {code: _ERRORS[code] for code in codes}


def _include_archived(
    user: CurrentUser,
    include_archived: Annotated[
        bool, Query(description="Also list archived items (administrators only)")
    ] = False,
) -> bool:
    if include_archived:
        require_see_archived(user)
    return include_archived


IncludeArchived = Annotated[bool, Depends(_include_archived)]


def _plan_filter(
    session: SessionDep,
    user: CurrentUser,
    include_archived: IncludeArchived,
    plan: Annotated[
        str | None, Query(max_length=80, description="Only this plan (its slug)")
    ] = None,
) -> Plan | None:
    if plan is None:
        return None
    return catalog.get_plan(
        session=session, user=user, slug=plan, include_archived=include_archived
    )


PlanFilter = Annotated[Plan | None, Depends(_plan_filter)]

Archived = Literal["ask", "no", "yes"]


def _item_loader(get: Callable[..., T], param: str, archived: Archived) -> Callable[..., T]:
    """A dependency loading an item by the path parameter `param`.

    archived: "ask" (reads: the `include_archived` query parameter decides), "no" (changes: an
    archived item is not found), "yes" (restore: it is found).
    """
    item_id = Annotated[int, Path(alias=param, ge=1, le=MAX_ID)]
    if archived == "ask":

        def load_asked(
            id_: item_id, session: SessionDep, user: CurrentUser, include: IncludeArchived
        ) -> T:
            return get(session, user, id_, include)

        return load_asked

    include_archived = archived == "yes"

    def load(id_: item_id, session: SessionDep, user: CurrentUser) -> T:
        return get(session, user, id_, include_archived)

    return load


def _plan_loader(archived: Archived) -> Callable[..., Plan]:
    def get(session: Any, user: Any, slug: str, include: bool) -> Plan:
        return catalog.get_plan(session=session, user=user, slug=slug, include_archived=include)

    slug_path = Annotated[str, Path(max_length=80, description="The plan's slug")]
    if archived == "ask":

        def load_asked(
            slug: slug_path, session: SessionDep, user: CurrentUser, include: IncludeArchived
        ) -> Plan:
            return get(session, user, slug, include)

        return load_asked

    def load(slug: slug_path, session: SessionDep, user: CurrentUser) -> Plan:
        return get(session, user, slug, archived == "yes")

    return load


def _organization(
    slug: Annotated[str, Path(max_length=80)], session: SessionDep, user: CurrentUser
) -> Organization:
    return catalog.get_organization(session=session, user=user, slug=slug)


ReadablePlan = Annotated[Plan, Depends(_plan_loader("ask"))]
LivePlan = Annotated[Plan, Depends(_plan_loader("no"))]
ReadableOrganization = Annotated[Organization, Depends(_organization)]


def _get_department(s: Any, u: Any, i: int, a: bool) -> Department:
    return catalog.get_department(session=s, user=u, department_id=i, include_archived=a)


def _get_statement(s: Any, u: Any, i: int, a: bool) -> Statement:
    return catalog.get_statement(session=s, user=u, statement_id=i, include_archived=a)


def _get_phase(s: Any, u: Any, i: int, a: bool) -> Phase:
    return catalog.get_phase(session=s, user=u, phase_id=i, include_archived=a)


def _get_persona(s: Any, u: Any, i: int, a: bool) -> Persona:
    return catalog.get_persona(session=s, user=u, persona_id=i, include_archived=a)


def _get_journey(s: Any, u: Any, i: int, a: bool) -> Journey:
    return catalog.get_journey(session=s, user=u, journey_id=i, include_archived=a)


ReadableDepartment = Annotated[
    Department, Depends(_item_loader(_get_department, "department_id", "no"))
]
AnyDepartment = Annotated[
    Department, Depends(_item_loader(_get_department, "department_id", "yes"))
]
ReadableStatement = Annotated[
    Statement, Depends(_item_loader(_get_statement, "statement_id", "no"))
]
AnyStatement = Annotated[Statement, Depends(_item_loader(_get_statement, "statement_id", "yes"))]
ReadablePhase = Annotated[Phase, Depends(_item_loader(_get_phase, "phase_id", "no"))]
AnyPhase = Annotated[Phase, Depends(_item_loader(_get_phase, "phase_id", "yes"))]
ReadablePersona = Annotated[Persona, Depends(_item_loader(_get_persona, "persona_id", "no"))]
AnyPersona = Annotated[Persona, Depends(_item_loader(_get_persona, "persona_id", "yes"))]
ReadableJourney = Annotated[Journey, Depends(_item_loader(_get_journey, "journey_id", "no"))]
AnyJourney = Annotated[Journey, Depends(_item_loader(_get_journey, "journey_id", "yes"))]


def _get_focus_area(s: Any, u: Any, i: int, a: bool) -> FocusArea:
    return catalog.get_focus_area(session=s, user=u, focus_area_id=i, include_archived=a)


def _get_goal(s: Any, u: Any, i: int, a: bool) -> Goal:
    return catalog.get_goal(session=s, user=u, goal_id=i, include_archived=a)


def _get_strategy(s: Any, u: Any, i: int, a: bool) -> Strategy:
    return work_catalog.get_strategy(session=s, user=u, strategy_id=i, include_archived=a)


def _get_step(s: Any, u: Any, i: int, a: bool) -> WorkplanStep:
    return work_catalog.get_step(session=s, user=u, step_id=i, include_archived=a)


def _get_quick_win(s: Any, u: Any, i: int, a: bool) -> QuickWin:
    return work_catalog.get_quick_win(session=s, user=u, quick_win_id=i, include_archived=a)


def _get_metric(s: Any, u: Any, i: int, a: bool) -> Metric:
    return catalog.get_metric(session=s, user=u, metric_id=i, include_archived=a)


def _get_measurement(s: Any, u: Any, i: int, a: bool) -> Measurement:
    return catalog.get_measurement(session=s, user=u, measurement_id=i, include_archived=a)


ReadableFocusArea = Annotated[
    FocusArea, Depends(_item_loader(_get_focus_area, "focus_area_id", "ask"))
]
LiveFocusArea = Annotated[FocusArea, Depends(_item_loader(_get_focus_area, "focus_area_id", "no"))]
AnyFocusArea = Annotated[FocusArea, Depends(_item_loader(_get_focus_area, "focus_area_id", "yes"))]
ReadableGoal = Annotated[Goal, Depends(_item_loader(_get_goal, "goal_id", "ask"))]
LiveGoal = Annotated[Goal, Depends(_item_loader(_get_goal, "goal_id", "no"))]
AnyGoal = Annotated[Goal, Depends(_item_loader(_get_goal, "goal_id", "yes"))]

ReadableStrategy = Annotated[Strategy, Depends(_item_loader(_get_strategy, "strategy_id", "ask"))]
LiveStrategy = Annotated[Strategy, Depends(_item_loader(_get_strategy, "strategy_id", "no"))]
AnyStrategy = Annotated[Strategy, Depends(_item_loader(_get_strategy, "strategy_id", "yes"))]

ReadableStep = Annotated[WorkplanStep, Depends(_item_loader(_get_step, "step_id", "ask"))]
LiveStep = Annotated[WorkplanStep, Depends(_item_loader(_get_step, "step_id", "no"))]
AnyStep = Annotated[WorkplanStep, Depends(_item_loader(_get_step, "step_id", "yes"))]

ReadableQuickWin = Annotated[QuickWin, Depends(_item_loader(_get_quick_win, "quick_win_id", "ask"))]
LiveQuickWin = Annotated[QuickWin, Depends(_item_loader(_get_quick_win, "quick_win_id", "no"))]
AnyQuickWin = Annotated[QuickWin, Depends(_item_loader(_get_quick_win, "quick_win_id", "yes"))]

ReadableMetric = Annotated[Metric, Depends(_item_loader(_get_metric, "metric_id", "ask"))]
LiveMetric = Annotated[Metric, Depends(_item_loader(_get_metric, "metric_id", "no"))]
AnyMetric = Annotated[Metric, Depends(_item_loader(_get_metric, "metric_id", "yes"))]

ReadableMeasurement = Annotated[
    Measurement, Depends(_item_loader(_get_measurement, "measurement_id", "ask"))
]
# Voiding finds a voided measurement too, so a second void is told it already is one.
AnyMeasurement = Annotated[
    Measurement, Depends(_item_loader(_get_measurement, "measurement_id", "yes"))
]
