"""Reading the plan store: the queries behind the API's lists and single items.

Who may see what is decided in app.services.permissions: published plans are open to everyone,
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
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    User,
    WorkplanStep,
)
from app.models.base import is_live
from app.models.enums import QuickWinStatus, StrategyStatus, SubjectType, Term, WorkCategory
from app.services.errors import NotFound
from app.services.permissions import (
    administered_plans,
    administers,
    can_read_plan,
    readable_history,
    readable_organizations,
    readable_plans,
    require_read_history,
    same_organization,
)

T = TypeVar("T")


def _plan_visible(
    session: Session, user: User | None, plan_id: int, include_archived: bool
) -> bool:
    plan = session.get(Plan, plan_id)
    if plan is None or (plan.archived_at is not None and not include_archived):
        return False
    return can_read_plan(user, plan)


def _shown(row: Any, include_archived: bool) -> bool:
    return row is not None and (include_archived or getattr(row, "archived_at", None) is None)


def archived_listed(
    session: Session, user: User | None, plan_id: int | None, include_archived: bool
) -> bool:
    """Whether `include_archived` holds in plan `plan_id`: another organisation's archived items
    are not found. Reads ask for them only for administrators (`require_see_archived`), so there
    it means the plan's organisation's administrators; a restore finds them for the plan's own
    people and for anonymous requests, which the permission check then refuses with 403 or 401
    (another organisation's people get 404, as for its unpublished plans)."""
    if not include_archived or plan_id is None:
        return False
    plan = session.get(Plan, plan_id)
    return plan is not None and (user is None or same_organization(user, plan.organization_id))


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


def departments_query(*, organization: Organization) -> Select[Any]:
    return (
        select(Department)
        .where(Department.organization_id == organization.id)
        .order_by(Department.code, Department.id)
    )


def get_department(*, session: Session, user: User | None, department_id: int) -> Department:
    dept = session.get(Department, department_id)
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
    if plan is None or not _plan_visible(session, user, plan.id, include_archived):  # type: ignore[arg-type]
        raise NotFound(f"No plan '{slug}'.")
    return plan


def organization_of(*, session: Session, plan: Plan) -> Organization:
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    return org


# --- what a plan holds -------------------------------------------------------------------------


def _plan_items(
    model: Any,
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    versioned: bool = True,
) -> Select[Any]:
    query = select(model).join(Plan, col(Plan.id) == model.plan_id).where(readable_plans(user))
    if plan is not None:
        query = query.where(model.plan_id == plan.id)
    live = and_(is_live(Plan), is_live(model)) if versioned else is_live(Plan)
    if include_archived:
        live = or_(live, administered_plans(user))
    return query.where(live)


def _get_plan_item(
    session: Session,
    user: User | None,
    model: type[T],
    item_id: int,
    noun: str,
    include_archived: bool = False,
) -> T:
    row: Any = session.get(model, item_id)
    if row is not None:
        include_archived = archived_listed(session, user, row.plan_id, include_archived)
    if not _shown(row, include_archived) or not _plan_visible(
        session, user, row.plan_id, include_archived
    ):
        raise NotFound(f"No {noun} with id {item_id}.")
    return row  # type: ignore[no-any-return]


def statements_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return _plan_items(
        Statement, user=user, plan=plan, include_archived=False, versioned=False
    ).order_by(Statement.plan_id, Statement.position, Statement.id)


def get_statement(*, session: Session, user: User | None, statement_id: int) -> Statement:
    return _get_plan_item(session, user, Statement, statement_id, "statement")


def phases_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return _plan_items(
        Phase, user=user, plan=plan, include_archived=False, versioned=False
    ).order_by(Phase.plan_id, Phase.position, Phase.id)


def get_phase(*, session: Session, user: User | None, phase_id: int) -> Phase:
    return _get_plan_item(session, user, Phase, phase_id, "phase")


def focus_areas_query(
    *, user: User | None, plan: Plan | None, include_archived: bool
) -> Select[Any]:
    return _plan_items(FocusArea, user=user, plan=plan, include_archived=include_archived).order_by(
        FocusArea.plan_id, FocusArea.position, FocusArea.id
    )


def get_focus_area(
    *, session: Session, user: User | None, focus_area_id: int, include_archived: bool = False
) -> FocusArea:
    return _get_plan_item(session, user, FocusArea, focus_area_id, "focus area", include_archived)


def goals_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    focus_area_id: int | None = None,
) -> Select[Any]:
    query = _plan_items(Goal, user=user, plan=plan, include_archived=include_archived)
    if focus_area_id is not None:
        query = query.where(Goal.focus_area_id == focus_area_id)
    return query.order_by(Goal.plan_id, Goal.position, Goal.id)


def get_goal(
    *, session: Session, user: User | None, goal_id: int, include_archived: bool = False
) -> Goal:
    return _get_plan_item(session, user, Goal, goal_id, "goal", include_archived)


def personas_query(*, user: User | None, plan: Plan | None) -> Select[Any]:
    return _plan_items(
        Persona, user=user, plan=plan, include_archived=False, versioned=False
    ).order_by(Persona.plan_id, Persona.position, Persona.id)


def get_persona(*, session: Session, user: User | None, persona_id: int) -> Persona:
    return _get_plan_item(session, user, Persona, persona_id, "persona")


def journeys_of(*, session: Session, persona_ids: list[int]) -> dict[int, list[Journey]]:
    out: dict[int, list[Journey]] = defaultdict(list)
    if persona_ids:
        for journey in session.exec(
            select(Journey)
            .where(col(Journey.persona_id).in_(persona_ids))
            .order_by(Journey.position, Journey.id)
        ):
            out[journey.persona_id].append(journey)
    return out


# --- strategies and their workplan steps -------------------------------------------------------


def strategies_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    focus_area_id: int | None = None,
    department_id: int | None = None,
    status: StrategyStatus | None = None,
    term: Term | None = None,
) -> Select[Any]:
    query = _plan_items(Strategy, user=user, plan=plan, include_archived=include_archived)
    if focus_area_id is not None:
        query = query.where(Strategy.focus_area_id == focus_area_id)
    if department_id is not None:
        query = query.where(Strategy.department_id == department_id)
    if status is not None:
        query = query.where(Strategy.status == status)
    if term is not None:
        query = query.where(Strategy.term == term)
    return query.order_by(Strategy.plan_id, Strategy.position, Strategy.id)


def get_strategy(
    *, session: Session, user: User | None, strategy_id: int, include_archived: bool = False
) -> Strategy:
    return _get_plan_item(session, user, Strategy, strategy_id, "strategy", include_archived)


def goal_ids_of(*, session: Session, strategy_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if strategy_ids:
        for link in session.exec(
            select(StrategyGoal)
            .where(col(StrategyGoal.strategy_id).in_(strategy_ids))
            .order_by(StrategyGoal.goal_id)
        ):
            out[link.strategy_id].append(link.goal_id)
    return out


def steps_query(*, strategy: Strategy, include_archived: bool) -> Select[Any]:
    """A strategy's steps, each top-level step followed by its sub-steps, in their order.

    Sub-steps of an archived step are archived with it: they are left out too.
    """
    parent = aliased(WorkplanStep)
    query = (
        select(WorkplanStep)
        .outerjoin(parent, col(parent.id) == WorkplanStep.parent_id)
        .where(WorkplanStep.strategy_id == strategy.id)
    )
    if not include_archived:
        query = query.where(is_live(WorkplanStep), col(parent.archived_at).is_(None))
    return query.order_by(
        func.coalesce(parent.position, WorkplanStep.position),
        func.coalesce(WorkplanStep.parent_id, WorkplanStep.id),
        col(WorkplanStep.parent_id).is_not(None),
        WorkplanStep.position,
        WorkplanStep.id,
    )


def get_step(
    *, session: Session, user: User | None, step_id: int, include_archived: bool = False
) -> WorkplanStep:
    step = session.get(WorkplanStep, step_id)
    chain: list[Any] = [step]
    if step is not None:
        if step.parent_id is not None:
            chain.append(session.get(WorkplanStep, step.parent_id))
        chain.append(session.get(Strategy, step.strategy_id))
    strategy = chain[-1]
    if strategy is not None:
        include_archived = archived_listed(session, user, strategy.plan_id, include_archived)
    if not all(_shown(row, include_archived) for row in chain) or not _plan_visible(
        session, user, strategy.plan_id, include_archived
    ):
        raise NotFound(f"No workplan step with id {step_id}.")
    assert step is not None
    return step


# --- quick wins --------------------------------------------------------------------------------


def quick_wins_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    status: QuickWinStatus | None = None,
    category: WorkCategory | None = None,
    department_id: int | None = None,
) -> Select[Any]:
    query = _plan_items(QuickWin, user=user, plan=plan, include_archived=include_archived)
    if status is not None:
        query = query.where(QuickWin.status == status)
    if category is not None:
        query = query.where(QuickWin.category == category)
    if department_id is not None:
        query = query.where(QuickWin.department_id == department_id)
    return query.order_by(QuickWin.plan_id, QuickWin.number, QuickWin.id)


def get_quick_win(
    *, session: Session, user: User | None, quick_win_id: int, include_archived: bool = False
) -> QuickWin:
    return _get_plan_item(session, user, QuickWin, quick_win_id, "quick win", include_archived)


# --- metrics, targets and measurements ---------------------------------------------------------


def metrics_query(
    *,
    user: User | None,
    plan: Plan | None,
    include_archived: bool,
    department_id: int | None = None,
) -> Select[Any]:
    query = _plan_items(Metric, user=user, plan=plan, include_archived=include_archived)
    if department_id is not None:
        query = query.where(Metric.department_id == department_id)
    return query.order_by(Metric.plan_id, Metric.position, Metric.id)


def get_metric(
    *, session: Session, user: User | None, metric_id: int, include_archived: bool = False
) -> Metric:
    return _get_plan_item(session, user, Metric, metric_id, "metric", include_archived)


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
    if not (_shown(row, include_archived) and _shown(metric, include_archived)) or not (
        _plan_visible(session, user, metric.plan_id, include_archived)  # type: ignore[union-attr]
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


# --- the history -------------------------------------------------------------------------------


def history_query(
    *,
    user: User | None,
    plan: Plan | None = None,
    subject_type: SubjectType | None = None,
    subject_id: int | None = None,
    since: dt.datetime | None = None,
) -> Select[Any]:
    """Entries the reader may see, newest first. `since` includes entries at that moment."""
    require_read_history(user)
    query = select(HistoryEntry).where(readable_history(user))
    if plan is not None:
        query = query.where(HistoryEntry.plan_id == plan.id)
    if subject_type is not None:
        query = query.where(HistoryEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(HistoryEntry.subject_id == subject_id)
    if since is not None:
        moment = since.astimezone(dt.UTC) if since.tzinfo else since.replace(tzinfo=dt.UTC)
        query = query.where(col(HistoryEntry.at) >= moment)
    return query.order_by(col(HistoryEntry.at).desc(), col(HistoryEntry.id).desc())


def fields_of(*, session: Session, entry_ids: list[int]) -> dict[int, list[HistoryField]]:
    out: dict[int, list[HistoryField]] = defaultdict(list)
    if entry_ids:
        for change in session.exec(
            select(HistoryField)
            .where(col(HistoryField.entry_id).in_(entry_ids))
            .order_by(HistoryField.id)
        ):
            out[change.entry_id].append(change)
    return out
