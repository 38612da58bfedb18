"""My work: everything one department owns across its organisation's plans, for its lead's page.

"Owns" is what app.services.permissions means by it: the strategies, quick wins and metrics whose
department is this one (workplan steps follow their strategy). A plan owned by a department does
not make its unassigned items the department's, because its lead could not change them.

`load_department_work` reads each table once for all plans (never once per plan or per row), so
the page's database work stays the same whether the department owns three items or three hundred.
It shows a page of PER_PAGE items at a time, in the page's reading order (each plan by title: its
strategies by focus area, then its quick wins, then its metrics): every item of the department is
listed (cheap, to order and count them), and only the page's items get their workplan steps,
targets and latest values. Every query runs even when the page has nothing for it, so the number
of statements never depends on what a page holds. The `load_*_work` functions reload one item the
same way, for the fragment an inline edit answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Phase,
    Plan,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.base import is_live
from app.models.enums import QuickWinStatus, Role, StrategyStatus
from app.services.errors import NotAuthenticated, NotFound, PermissionDenied
from app.services.permissions import Action, can, can_read_plan
from app.services.plan_nodes import MetricNode, StrategyNode, metric_node, strategy_nodes
from app.services.rollup import LABELS

STRATEGY_STATUSES: list[tuple[str, str]] = [(s.value, LABELS[s.value]) for s in StrategyStatus]
QUICK_WIN_LABELS: dict[str, str] = {
    QuickWinStatus.planned: "Planned",
    QuickWinStatus.in_progress: "In progress",
    QuickWinStatus.complete: "Complete",
}
QUICK_WIN_STATUSES: list[tuple[str, str]] = [(s.value, QUICK_WIN_LABELS[s]) for s in QuickWinStatus]
# Items (strategies, quick wins, metrics) a page shows: a strategy with its steps and forms is a
# screenful or more, so the first page is quick and the rest come as the lead scrolls.
PER_PAGE = 10

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
    continued: bool = False  # its first strategies are on an earlier page


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
    """A plan's items on this page; `counts` and the flags say how it sits in the whole list."""

    plan: Plan
    focus_areas: list[FocusAreaWork] = field(default_factory=list)
    metrics: list[MetricWork] = field(default_factory=list)
    quick_wins: list[QuickWinWork] = field(default_factory=list)
    # The department's strategies, quick wins and metrics in this plan, on every page.
    counts: tuple[int, int, int] = (0, 0, 0)
    continued: bool = False  # the plan's first items are on an earlier page
    quick_wins_continued: bool = False
    metrics_continued: bool = False

    @property
    def strategies(self) -> list[StrategyWork]:
        return [s for fa in self.focus_areas for s in fa.strategies]


@dataclass
class DepartmentWork:
    """One page of a department's work; the counts are of every page."""

    organization: Organization
    department: Department
    plans: list[PlanWork]  # this page's
    today: dt.date
    strategy_count: int = 0
    quick_win_count: int = 0
    metric_count: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    # Every plan with work for the department, and the page where its items begin.
    plan_pages: list[tuple[Plan, int]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.item_count

    @property
    def item_count(self) -> int:
        return self.strategy_count + self.quick_win_count + self.metric_count

    @property
    def pages(self) -> int:
        return max(1, -(-self.item_count // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of this page's first item in the whole list."""
        return min((self.page - 1) * self.per_page + 1, self.item_count)

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.item_count)

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None


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


def item_key(item: Strategy | QuickWin | Metric) -> str:
    """The anchor of an item's block on the page ("strategy-12"), as ITEM_KEY in the route."""
    kind = {Strategy: "strategy", QuickWin: "quick-win", Metric: "metric"}[type(item)]
    return f"{kind}-{item.id}"


def _reading_order(
    plans: list[Plan],
    strategies: list[Strategy],
    quick_wins: list[QuickWin],
    metrics: list[Metric],
    focus_areas: dict[int, Any],
) -> list[tuple[Plan, str, Strategy | QuickWin | Metric, int | None]]:
    """Every item as the page reads them: (plan, section, item, focus area id). Each plan by
    title: its strategies grouped by focus area (in the plan's order, those under no live focus
    area last), then its quick wins, then its metrics. `section`: "strategies", "quick_wins" or
    "metrics"."""
    order: list[tuple[Plan, str, Strategy | QuickWin | Metric, int | None]] = []
    for plan in plans:
        groups: dict[int | None, list[Strategy]] = {}
        for s in strategies:
            if s.plan_id == plan.id:
                fa_id = s.focus_area_id if s.focus_area_id in focus_areas else None
                groups.setdefault(fa_id, []).append(s)
        ranked = sorted(
            groups.items(),
            key=lambda g: (g[0] is None, focus_areas[g[0]].position if g[0] is not None else 0),
        )
        order += [(plan, "strategies", s, fa_id) for fa_id, group in ranked for s in group]
        order += [(plan, "quick_wins", q, None) for q in quick_wins if q.plan_id == plan.id]
        order += [(plan, "metrics", m, None) for m in metrics if m.plan_id == plan.id]
    return order


def load_department_work(
    *,
    session: Session,
    department: Department,
    user: User | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    focus: str = "",
) -> DepartmentWork:
    """Page `page` of everything `department` owns in the plans of its organisation that `user`
    may read (a page past the last shows the last). `focus`: an item's key ("metric-7") whose
    page to show instead, when the department owns it."""
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
            select(Plan).where(Plan.organization_id == org.id, is_live(Plan)).order_by(Plan.title)
        )
        if can_read_plan(user, p)
    ]
    plan_ids = [p.id for p in plans if p.id is not None]
    strategies = list(
        session.exec(
            select(Strategy)
            .where(
                col(Strategy.plan_id).in_(plan_ids),
                Strategy.department_id == department.id,
                is_live(Strategy),
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
                is_live(Metric),
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
                is_live(QuickWin),
            )
            .order_by(QuickWin.number)
        )
    )
    focus_areas = {
        fa.id: fa
        for fa in session.exec(
            select(FocusArea).where(
                col(FocusArea.id).in_({s.focus_area_id for s in strategies}), is_live(FocusArea)
            )
        )
    }
    order = _reading_order(plans, strategies, quick_wins, metrics, focus_areas)
    pages = max(1, -(-len(order) // per_page))
    keys = [item_key(item) for _, _, item, _ in order]
    if focus in keys:
        page = keys.index(focus) // per_page + 1
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    shown = order[start : start + per_page]

    strategy_nodes = {
        n.strategy.id: n
        for n in _page_strategy_nodes(
            session,
            [item for _, section, item, _ in shown if section == "strategies"],  # type: ignore[misc]
            plan_ids=plan_ids,
            departments=departments,
            today=today,
            now=now,
        )
    }
    metric_nodes = {
        n.metric.id: n
        for n in _page_metric_nodes(
            session,
            [item for _, section, item, _ in shown if section == "metrics"],  # type: ignore[misc]
            departments=departments,
            today=today,
        )
    }
    counts: dict[tuple[int | None, str], int] = {}
    begins: dict[int | None, int] = {}
    # Where each plan, focus area group and section begins in the whole list.
    first_of: dict[tuple[Any, ...], int] = {}
    for n, (plan, section, _, fa_id) in enumerate(order):
        counts[(plan.id, section)] = counts.get((plan.id, section), 0) + 1
        begins.setdefault(plan.id, n // per_page + 1)
        first_of.setdefault((plan.id,), n)
        first_of.setdefault((plan.id, section), n)
        first_of.setdefault((plan.id, section, fa_id), n)
    by_plan: dict[int | None, PlanWork] = {}
    for n, (plan, section, item, fa_id) in enumerate(shown, start=start):
        pw = by_plan.get(plan.id)
        if pw is None:
            pw = by_plan[plan.id] = PlanWork(
                plan=plan,
                counts=tuple(
                    counts.get((plan.id, k), 0) for k in ("strategies", "quick_wins", "metrics")
                ),  # type: ignore[arg-type]
                continued=first_of[(plan.id,)] < start,
                quick_wins_continued=first_of.get((plan.id, "quick_wins"), n) < start,
                metrics_continued=first_of.get((plan.id, "metrics"), n) < start,
            )
        if section == "strategies":
            if not pw.focus_areas or pw.focus_areas[-1].focus_area is not focus_areas.get(fa_id):  # type: ignore[arg-type]
                pw.focus_areas.append(
                    FocusAreaWork(
                        focus_areas.get(fa_id),  # type: ignore[arg-type]
                        [],
                        continued=first_of[(plan.id, section, fa_id)] < start,
                    )
                )
            node = strategy_nodes[item.id]
            pw.focus_areas[-1].strategies.append(_strategy_work(session, user, node, plan))
        elif section == "quick_wins":
            pw.quick_wins.append(_quick_win_work(session, user, item, plan))  # type: ignore[arg-type]
        else:
            pw.metrics.append(_metric_work(session, user, metric_nodes[item.id], plan))
    return DepartmentWork(
        org,
        department,
        list(by_plan.values()),
        today,
        strategy_count=len(strategies),
        quick_win_count=len(quick_wins),
        metric_count=len(metrics),
        page=page,
        per_page=per_page,
        plan_pages=[(p, begins[p.id]) for p in plans if p.id in begins],
    )


def _page_strategy_nodes(
    session: Session,
    strategies: list[Strategy],
    *,
    plan_ids: list[int],
    departments: dict[int, Department],
    today: dt.date,
    now: dt.datetime,
) -> list[StrategyNode]:
    """Nodes of `strategies` with their live workplan steps, rolled up by plan_nodes' rules
    (two queries, which run even for no strategies)."""
    phases = {p.id: p for p in session.exec(select(Phase).where(col(Phase.plan_id).in_(plan_ids)))}
    steps = list(
        session.exec(
            select(WorkplanStep)
            .where(
                col(WorkplanStep.strategy_id).in_([s.id for s in strategies]),
                is_live(WorkplanStep),
            )
            .order_by(WorkplanStep.position, WorkplanStep.id)
        )
    )
    return strategy_nodes(
        strategies,
        steps=steps,
        links=[],  # the page shows no goals
        departments=departments,
        phases=phases,  # type: ignore[arg-type]
        goal_codes={},
        today=today,
        now=now,
    )


def _page_metric_nodes(
    session: Session, metrics: list[Metric], *, departments: dict[int, Department], today: dt.date
) -> list[MetricNode]:
    """Nodes of `metrics` with their targets and latest measurement, judged by plan_nodes'
    rules (two queries, which run even for no metrics)."""
    ids = [m.id for m in metrics]
    targets_of: dict[int, list[MetricTarget]] = {}
    for t in session.exec(
        select(MetricTarget).where(col(MetricTarget.metric_id).in_(ids)).order_by(MetricTarget.id)
    ):
        targets_of.setdefault(t.metric_id, []).append(t)
    newest = (
        select(Measurement.metric_id, func.max(Measurement.period).label("period"))
        .where(col(Measurement.metric_id).in_(ids), is_live(Measurement))
        .group_by(Measurement.metric_id)
        .subquery()
    )
    latest = {
        m.metric_id: m
        for m in session.exec(
            select(Measurement)
            .join(
                newest,
                (col(Measurement.metric_id) == newest.c.metric_id)
                & (col(Measurement.period) == newest.c.period),
            )
            .where(is_live(Measurement))
        )
    }
    return [
        metric_node(
            m,
            targets=sorted(
                targets_of.get(m.id, []),  # type: ignore[arg-type]
                key=lambda t: t.effective_from or dt.date.min,
            ),
            last=latest.get(m.id),  # type: ignore[arg-type]
            departments=departments,
            label="",
            today=today,
        )
        for m in metrics
    ]


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
    (node,) = _page_strategy_nodes(
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
    (node,) = _page_metric_nodes(
        session, [metric], departments=_departments_of(session, plan), today=dt.date.today()
    )
    return _metric_work(session, user, node, plan)


def load_quick_win_work(
    *, session: Session, quick_win: QuickWin, user: User | None
) -> QuickWinWork:
    return _quick_win_work(session, user, quick_win, _plan(session, quick_win.plan_id))


def owning_department(*, session: Session, department_id: int | None) -> Department | None:
    return session.get(Department, department_id) if department_id is not None else None
