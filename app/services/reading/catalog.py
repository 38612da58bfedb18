"""Reading the plan store: the queries behind the API's lists and single items.

Organisations, departments, plans and what a plan holds (statements, phases, focus areas, goals,
personas, metrics with their targets and measurements). The work a plan commits to (strategies,
steps, quick wins) is read by services.reading.work_catalog, the history by history_catalog, and
who may see an item is decided once, in services.reading.visibility, for all of them.

Who may see what is decided in services.accounts.permissions: published plans are open to everyone,
the others only to their organisation's people (and administrators); archived items only to
administrators who ask for them. Lists return a query (a `Select`) that the caller pages through,
ordered to the last column so pages never overlap. Single items raise NotFound with the same
sentence whether the row is missing, archived or in a plan the reader may not see, so a 404 never
tells an outsider that something exists.

Lists of a page's related rows (goal links, targets, journeys, field changes) are read in one query
per page, never one per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, or_
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    Statement,
    User,
)
from app.models.base import is_live
from app.services.accounts.permissions import (
    administered_plans,
    administers,
    can_read_internal,
    readable_organizations,
    readable_plans,
    same_organization,
)
from app.services.errors import NotFound
from app.services.reading.visibility import (
    archived_listed,
    get_plan_item,
    get_readable_metric,
    metrics_readable,
    plan_items,
    plan_visible,
    shown,
)

# --- organisations and departments -------------------------------------------------------------


def organizations_query(*, user: User | None) -> Select[Any]:
    return (
        select(Organization)
        .where(readable_organizations(user))
        .order_by(Organization.name, Organization.id)
    )


def get_organization(*, session: Session, user: User | None, slug: str) -> Organization:
    org = session.exec(
        select(Organization).where(Organization.slug == slug, readable_organizations(user))
    ).first()
    if org is None:
        raise NotFound(f"No organisation '{slug}'.")
    return org


# Every list of departments: the organisation's order, then the code (then the id, for ties).
DEPARTMENT_ORDER = (col(Department.position), col(Department.code), col(Department.id))


def departments_query(*, organization: Organization) -> Select[Any]:
    return (
        select(Department)
        .where(Department.organization_id == organization.id, is_live(Department))
        .order_by(*DEPARTMENT_ORDER)
    )


def get_department(
    *, session: Session, user: User | None, department_id: int, include_archived: bool = False
) -> Department:
    """An archived department is found only when asked (a restore), and then only for its own
    organisation's people and anonymous requests, whom the permission check refuses."""
    dept = session.get(Department, department_id)
    if dept is not None and dept.archived_at is not None:
        own = user is None or same_organization(user, dept.organization_id)
        if include_archived and own:
            return dept
        raise NotFound(f"No department with id {department_id}.")
    visible = (
        dept is not None
        and session.exec(
            select(Organization.id).where(
                Organization.id == dept.organization_id, readable_organizations(user)
            )
        ).first()
        is not None
    )
    if not visible:
        raise NotFound(f"No department with id {department_id}.")
    assert dept is not None
    return dept


# --- plans -------------------------------------------------------------------------------------


def plans_query(*, user: User | None, include_archived: bool = False) -> Select[Any]:
    """Plans with their organisation, as rows of (Plan, Organization)."""
    query = (
        select(Plan, Organization)
        .join(Organization, col(Organization.id) == Plan.organization_id)
        .where(readable_plans(user))
    )
    if include_archived:
        query = query.where(or_(is_live(Plan), administered_plans(user)))
    else:
        query = query.where(is_live(Plan))
    return query.order_by(Organization.name, Plan.title, Plan.id)


def get_plan(
    *, session: Session, user: User | None, slug: str, include_archived: bool = False
) -> Plan:
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is not None:
        include_archived = include_archived and administers(user, plan.organization_id)
    if plan is None or not plan_visible(session, user, plan.id, include_archived):  # type: ignore[arg-type]
        raise NotFound(f"No plan '{slug}'.")
    return plan


def organization_of(*, session: Session, plan: Plan) -> Organization:
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    return org


# --- what a plan holds -------------------------------------------------------------------------


def statements_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return plan_items(Statement, user=user, plan=plan, include_archived=False).order_by(
        Statement.plan_id, Statement.position, Statement.id
    )


def get_statement(
    *, session: Session, user: User | None, statement_id: int, include_archived: bool = False
) -> Statement:
    return get_plan_item(session, user, Statement, statement_id, "statement", include_archived)


def phases_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return plan_items(Phase, user=user, plan=plan, include_archived=False).order_by(
        Phase.plan_id, Phase.position, Phase.id
    )


def get_phase(
    *, session: Session, user: User | None, phase_id: int, include_archived: bool = False
) -> Phase:
    return get_plan_item(session, user, Phase, phase_id, "phase", include_archived)


def focus_areas_query(
    *, user: User | None, plan: Plan | None, include_archived: bool
) -> Select[Any]:
    return plan_items(FocusArea, user=user, plan=plan, include_archived=include_archived).order_by(
        FocusArea.plan_id, FocusArea.position, FocusArea.id
    )


def get_focus_area(
    *, session: Session, user: User | None, focus_area_id: int, include_archived: bool = False
) -> FocusArea:
    return get_plan_item(session, user, FocusArea, focus_area_id, "focus area", include_archived)


def goals_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    focus_area_id: int | None = None,
) -> Select[Any]:
    query = plan_items(Goal, user=user, plan=plan, include_archived=include_archived)
    if focus_area_id is not None:
        query = query.where(Goal.focus_area_id == focus_area_id)
    return query.order_by(Goal.plan_id, Goal.position, Goal.id)


def get_goal(
    *, session: Session, user: User | None, goal_id: int, include_archived: bool = False
) -> Goal:
    return get_plan_item(session, user, Goal, goal_id, "goal", include_archived)


def personas_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return plan_items(Persona, user=user, plan=plan, include_archived=False).order_by(
        Persona.plan_id, Persona.position, Persona.id
    )


def get_persona(
    *, session: Session, user: User | None, persona_id: int, include_archived: bool = False
) -> Persona:
    return get_plan_item(session, user, Persona, persona_id, "persona", include_archived)


def get_journey(
    *, session: Session, user: User | None, journey_id: int, include_archived: bool = False
) -> Journey:
    """A journey is seen where its persona is (an archived persona's journeys are not found)."""
    journey = session.get(Journey, journey_id)
    if journey is not None:
        include_archived = archived_listed(
            session, user, _persona_plan(session, journey), include_archived
        )
    if journey is None or (journey.archived_at is not None and not include_archived):
        raise NotFound(f"No journey with id {journey_id}.")
    get_persona(session=session, user=user, persona_id=journey.persona_id)
    return journey


def _persona_plan(session: Session, journey: Journey) -> int | None:
    persona = session.get(Persona, journey.persona_id)
    return persona.plan_id if persona else None


def journeys_of(*, session: Session, persona_ids: list[int]) -> dict[int, list[Journey]]:
    out: dict[int, list[Journey]] = defaultdict(list)
    if persona_ids:
        for journey in session.exec(
            select(Journey)
            .where(col(Journey.persona_id).in_(persona_ids), is_live(Journey))
            .order_by(Journey.position, Journey.id)
        ):
            out[journey.persona_id].append(journey)
    return out


# --- metrics, targets and measurements ---------------------------------------------------------


def metrics_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    department_id: int | None = None,
) -> Select[Any]:
    query = plan_items(Metric, user=user, plan=plan, include_archived=include_archived)
    query = query.where(metrics_readable(user))
    if department_id is not None:
        query = query.where(Metric.department_id == department_id)
    return query.order_by(Metric.plan_id, Metric.position, Metric.id)


def get_metric(
    *, session: Session, user: User | None, metric_id: int, include_archived: bool = False
) -> Metric:
    return get_readable_metric(session, user, metric_id, include_archived)


def targets_of(*, session: Session, metric_ids: list[int]) -> dict[int, list[MetricTarget]]:
    """Each metric's targets, oldest first (the original target, in force from the start, first)."""
    out: dict[int, list[MetricTarget]] = defaultdict(list)
    if metric_ids:
        for target in session.exec(
            select(MetricTarget).where(col(MetricTarget.metric_id).in_(metric_ids))
        ):
            out[target.metric_id].append(target)
    for targets in out.values():
        targets.sort(key=lambda t: (t.effective_from or dt.date.min, t.id or 0))
    return out


def _internal_readable(session: Session, user: User | None, metric: Metric) -> bool:
    plan = session.get(Plan, metric.plan_id)
    return plan is not None and can_read_internal(user, plan)


def measurements_query(*, metric: Metric, include_archived: bool) -> Select[Any]:
    """A metric's measurements, newest period first."""
    query = select(Measurement).where(Measurement.metric_id == metric.id)
    if not include_archived:
        query = query.where(is_live(Measurement))
    return query.order_by(col(Measurement.period).desc(), col(Measurement.id).desc())


def get_measurement(
    *, session: Session, user: User | None, measurement_id: int, include_archived: bool = False
) -> Measurement:
    row = session.get(Measurement, measurement_id)
    metric = session.get(Metric, row.metric_id) if row is not None else None
    if metric is not None:
        include_archived = archived_listed(session, user, metric.plan_id, include_archived)
    if (
        not (shown(row, include_archived) and shown(metric, include_archived))
        or not (
            plan_visible(session, user, metric.plan_id, include_archived)  # type: ignore[union-attr]
        )
        or (
            metric is not None and metric.internal and not _internal_readable(session, user, metric)
        )
    ):
        raise NotFound(f"No measurement with id {measurement_id}.")
    assert row is not None
    return row


def measurement_for_period(
    *, session: Session, metric: Metric, period: dt.date
) -> Measurement | None:
    """The live value already recorded for a period (recording another one changes it)."""
    return session.exec(
        select(Measurement).where(
            Measurement.metric_id == metric.id, Measurement.period == period, is_live(Measurement)
        )
    ).first()
