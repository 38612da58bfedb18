"""My work: everything one department owns across its organisation's plans, for its lead's page.

"Owns" is what app.services.permissions means by it: the strategies, quick wins and metrics whose
department is this one (workplan steps follow their strategy). A plan owned by a department does
not make its unassigned items the department's, because its lead could not change them.

`load_department_work` reads each table once for all plans (never once per plan or per row), so
the page's database work stays the same whether the department owns three items or three hundred.
The `load_*_work` functions reload one item the same way, for the fragment an inline edit answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Metric,
    Organization,
    Phase,
    Plan,
    QuickWin,
    Strategy,
    User,
)
from app.models.enums import QuickWinStatus, Role, StrategyStatus
from app.services.errors import NotAuthenticated, NotFound, PermissionDenied
from app.services.permissions import Action, can, can_read_plan
from app.services.plan_tree import (
    MetricNode,
    StrategyNode,
    build_metric_nodes,
    build_strategy_nodes,
)
from app.services.rollup import LABELS

STRATEGY_STATUSES: list[tuple[str, str]] = [(s.value, LABELS[s.value]) for s in StrategyStatus]
QUICK_WIN_LABELS: dict[str, str] = {
    QuickWinStatus.planned: "Planned",
    QuickWinStatus.in_progress: "In progress",
    QuickWinStatus.complete: "Complete",
}
QUICK_WIN_STATUSES: list[tuple[str, str]] = [(s.value, QUICK_WIN_LABELS[s]) for s in QuickWinStatus]

VIEWER_REFUSED = (
    "My work lists a department's own work for its lead to update. Viewers can read the plans "
    "but not change them."
)


@dataclass
class StrategyWork:
    node: StrategyNode
    plan: Plan
    can_progress: bool  # status, % progress, narrative
    can_edit: bool  # add workplan steps and tick them done


@dataclass
class FocusAreaWork:
    focus_area: FocusArea | None  # None: strategies the plan files under no focus area
    strategies: list[StrategyWork]


@dataclass
class MetricWork:
    node: MetricNode
    plan: Plan
    can_record: bool


@dataclass
class QuickWinWork:
    quick_win: QuickWin
    plan: Plan
    can_progress: bool


@dataclass
class PlanWork:
    plan: Plan
    focus_areas: list[FocusAreaWork] = field(default_factory=list)
    metrics: list[MetricWork] = field(default_factory=list)
    quick_wins: list[QuickWinWork] = field(default_factory=list)

    @property
    def strategies(self) -> list[StrategyWork]:
        return [s for fa in self.focus_areas for s in fa.strategies]


@dataclass
class DepartmentWork:
    organization: Organization
    department: Department
    plans: list[PlanWork]
    today: dt.date

    @property
    def strategy_count(self) -> int:
        return sum(len(p.strategies) for p in self.plans)

    @property
    def quick_win_count(self) -> int:
        return sum(len(p.quick_wins) for p in self.plans)

    @property
    def metric_count(self) -> int:
        return sum(len(p.metrics) for p in self.plans)

    @property
    def is_empty(self) -> bool:
        return not (self.strategy_count or self.quick_win_count or self.metric_count)


def _live(model: type) -> object:
    return col(model.archived_at).is_(None)  # type: ignore[attr-defined]


# --- whose work ----------------------------------------------------------------------------------


def choosable_departments(*, session: Session, user: User) -> list[tuple[Organization, Department]]:
    """The departments a coordinator or administrator may open (their organisation's; every
    organisation's for an administrator who belongs to none), in one query."""
    query = select(Organization, Department).join(
        Department, col(Department.organization_id) == col(Organization.id)
    )
    if user.organization_id is not None:
        query = query.where(Organization.id == user.organization_id)
    rows = session.exec(query.order_by(Organization.name, Department.code)).all()
    return [(org, dept) for org, dept in rows]


def resolve_department(
    *,
    session: Session,
    user: User | None,
    code: str | None,
    organization: str | None = None,
) -> Department | None:
    """Whose work the page shows: a lead's own department; for coordinators and administrators
    the department `code` names (None: they have not chosen one yet). Viewers are refused."""
    if user is None:
        raise NotAuthenticated("Sign in to see your department's work.")
    if user.role == Role.viewer:
        raise PermissionDenied(VIEWER_REFUSED)
    if user.role == Role.lead:
        if user.department_id is None:
            raise PermissionDenied(
                "Your account is a department lead's but names no department; ask an "
                "administrator to set your department."
            )
        own = session.get(Department, user.department_id)
        if own is None:
            raise NotFound("Your department no longer exists; ask an administrator.")
        if code and code != own.code:
            raise PermissionDenied(
                f"My work shows your own department's work ({own.code}); other departments' "
                "work is on the plan pages."
            )
        return own
    if not code:
        return None
    query = select(Department).where(Department.code == code)
    if user.organization_id is not None:
        query = query.where(Department.organization_id == user.organization_id)
    elif organization:
        query = query.join(
            Organization, col(Organization.id) == col(Department.organization_id)
        ).where(Organization.slug == organization)
    found = session.exec(query.order_by(Department.id)).all()
    if not found:
        raise NotFound(f"No department '{code}' in your organisation.")
    return found[0]


# --- loading -------------------------------------------------------------------------------------


def load_department_work(
    *,
    session: Session,
    department: Department,
    user: User | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DepartmentWork:
    """Everything `department` owns in the plans of its organisation that `user` may read."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    org = session.get(Organization, department.organization_id)
    assert org is not None
    departments = {
        d.id: d
        for d in session.exec(select(Department).where(Department.organization_id == org.id))
    }
    plans = [
        p
        for p in session.exec(
            select(Plan).where(Plan.organization_id == org.id, _live(Plan)).order_by(Plan.title)
        )
        if can_read_plan(user, p)
    ]
    plan_ids = [p.id for p in plans]
    if not plan_ids:
        return DepartmentWork(org, department, [], today)
    strategies = list(
        session.exec(
            select(Strategy)
            .where(
                col(Strategy.plan_id).in_(plan_ids),
                Strategy.department_id == department.id,
                _live(Strategy),
            )
            .order_by(Strategy.position, Strategy.id)
        )
    )
    metrics = list(
        session.exec(
            select(Metric)
            .where(
                col(Metric.plan_id).in_(plan_ids),
                Metric.department_id == department.id,
                _live(Metric),
            )
            .order_by(Metric.position, Metric.id)
        )
    )
    quick_wins = list(
        session.exec(
            select(QuickWin)
            .where(
                col(QuickWin.plan_id).in_(plan_ids),
                QuickWin.department_id == department.id,
                _live(QuickWin),
            )
            .order_by(QuickWin.number)
        )
    )
    strategy_nodes = _strategy_nodes(
        session,
        strategies,
        plan_ids=[p.id for p in plans if p.id is not None],
        departments=departments,
        today=today,
        now=now,  # type: ignore[arg-type]
    )
    fa_ids = {s.focus_area_id for s in strategies if s.focus_area_id is not None}
    focus_areas = (
        {
            fa.id: fa
            for fa in session.exec(
                select(FocusArea).where(col(FocusArea.id).in_(fa_ids), _live(FocusArea))
            )
        }
        if fa_ids
        else {}
    )
    metric_nodes = build_metric_nodes(session, metrics, departments=departments)  # type: ignore[arg-type]

    by_plan = {p.id: PlanWork(plan=p) for p in plans}
    groups: dict[tuple[int, int | None], FocusAreaWork] = {}
    for node in strategy_nodes:
        s = node.strategy
        plan = by_plan[s.plan_id].plan
        fa = focus_areas.get(s.focus_area_id) if s.focus_area_id else None
        key = (s.plan_id, fa.id if fa else None)
        if key not in groups:
            groups[key] = FocusAreaWork(fa, [])
            by_plan[s.plan_id].focus_areas.append(groups[key])
        groups[key].strategies.append(_strategy_work(session, user, node, plan))
    for pw in by_plan.values():
        # The plan's own order: focus areas by position, unfiled strategies last.
        pw.focus_areas.sort(
            key=lambda g: (g.focus_area is None, g.focus_area.position if g.focus_area else 0)
        )
    for mnode in metric_nodes:
        pw = by_plan[mnode.metric.plan_id]
        pw.metrics.append(_metric_work(session, user, mnode, pw.plan))
    for qw in quick_wins:
        pw = by_plan[qw.plan_id]
        pw.quick_wins.append(_quick_win_work(session, user, qw, pw.plan))
    kept = [pw for pw in by_plan.values() if pw.focus_areas or pw.metrics or pw.quick_wins]
    return DepartmentWork(org, department, kept, today)


def _strategy_nodes(
    session: Session,
    strategies: list[Strategy],
    *,
    plan_ids: list[int],
    departments: dict[int, Department],
    today: dt.date,
    now: dt.datetime,
) -> list[StrategyNode]:
    if not strategies:
        return []
    phases = {p.id: p for p in session.exec(select(Phase).where(col(Phase.plan_id).in_(plan_ids)))}
    goal_codes = {
        g_id: code
        for g_id, code in session.exec(
            select(Goal.id, Goal.code).where(col(Goal.plan_id).in_(plan_ids), _live(Goal))
        )
    }
    return build_strategy_nodes(
        session,
        strategies,
        departments=departments,
        phases=phases,  # type: ignore[arg-type]
        goal_codes=goal_codes,
        today=today,
        now=now,  # type: ignore[arg-type]
    )


def _strategy_work(
    session: Session, user: User | None, node: StrategyNode, plan: Plan
) -> StrategyWork:
    # `can` finds the plan in the session's identity map: no query per row.
    kind = plan.term("strategy").lower()
    return StrategyWork(
        node=node,
        plan=plan,
        can_progress=can(session, user, Action.progress, node.strategy, kind=kind),
        can_edit=can(session, user, Action.edit, node.strategy, kind=kind),
    )


def _metric_work(session: Session, user: User | None, node: MetricNode, plan: Plan) -> MetricWork:
    return MetricWork(
        node=node,
        plan=plan,
        can_record=can(session, user, Action.record_measurement, node.metric, kind="metric"),
    )


def _quick_win_work(session: Session, user: User | None, qw: QuickWin, plan: Plan) -> QuickWinWork:
    return QuickWinWork(
        quick_win=qw,
        plan=plan,
        can_progress=can(session, user, Action.progress, qw, kind="quick win"),
    )


def _departments_of(session: Session, plan: Plan) -> dict[int, Department]:
    return {
        d.id: d  # type: ignore[misc]
        for d in session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        )
    }


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


def load_strategy_work(
    *,
    session: Session,
    strategy: Strategy,
    user: User | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> StrategyWork:
    """One strategy's block, as the page shows it (after an inline edit)."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    plan = _plan(session, strategy.plan_id)
    (node,) = _strategy_nodes(
        session,
        [strategy],
        plan_ids=[plan.id],  # type: ignore[list-item]
        departments=_departments_of(session, plan),
        today=today,
        now=now,
    )
    return _strategy_work(session, user, node, plan)


def load_metric_work(*, session: Session, metric: Metric, user: User | None) -> MetricWork:
    plan = _plan(session, metric.plan_id)
    (node,) = build_metric_nodes(session, [metric], departments=_departments_of(session, plan))
    return _metric_work(session, user, node, plan)


def load_quick_win_work(
    *, session: Session, quick_win: QuickWin, user: User | None
) -> QuickWinWork:
    return _quick_win_work(session, user, quick_win, _plan(session, quick_win.plan_id))


def owning_department(*, session: Session, department_id: int | None) -> Department | None:
    return session.get(Department, department_id) if department_id is not None else None
