"""My work: everything one department owns across its organisation's plans, for its lead's page.

"Owns" is what accounts.permissions means by it: the strategies, quick wins and metrics whose
department is this one (workplan steps follow their strategy). A plan owned by a department does
not make its unassigned items the department's, because its lead could not change them.

`load_department_work` reads each table once for all plans (never once per plan or per row), so
the page's database work stays the same whether the department owns three items or three hundred.
It shows a page of PER_PAGE items at a time, in the page's reading order (each plan by title: its
strategies by focus area, then its quick wins, then its metrics): every item of the department is
listed (cheap, to order and count them), and only the page's items get their workplan steps,
targets and latest values. Every query runs even when the page has nothing for it, so the number
of statements never depends on what a page holds.

Whose work the page shows is my_work.whose_work's to say, the types it is made of are in
services.views.my_work.departments, and each item's block is built by services.views.my_work.items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from app.models import Department, FocusArea, Metric, Organization, Plan, QuickWin, Strategy, User
from app.models.base import is_live
from app.services.accounts.permissions import can_read_plan
from app.services.reading.update_requests import open_requests_for_department
from app.services.rules import clock
from app.services.views.my_work.departments import PER_PAGE, DepartmentWork, FocusAreaWork, PlanWork
from app.services.views.my_work.due import department_due, local_today
from app.services.views.my_work.items import (
    metric_work,
    page_metric_nodes,
    page_strategy_nodes,
    quick_win_work,
    strategy_work,
)


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
    now = now or clock.clock()
    org = session.get(Organization, department.organization_id)
    assert org is not None
    today = today or local_today(org, now)
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
        for n in page_strategy_nodes(
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
        for n in page_metric_nodes(
            session,
            [item for _, section, item, _ in shown if section == "metrics"],  # type: ignore[misc]
            departments=departments,
            today=today,
            plan_ends={p.id: p.period_end for p in plans},  # type: ignore[misc]
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
            pw.focus_areas[-1].strategies.append(strategy_work(session, user, node, plan))
        elif section == "quick_wins":
            pw.quick_wins.append(quick_win_work(session, user, item, plan))  # type: ignore[arg-type]
        else:
            pw.metrics.append(metric_work(session, user, metric_nodes[item.id], plan))
    due = department_due(
        session,
        organization=org,
        plans=plans,
        strategies=strategies,
        quick_wins=quick_wins,
        metrics=metrics,
        now=now,
    )
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
        due=due,
        requests=open_requests_for_department(session, department.id, user),  # type: ignore[arg-type]
        local_today=local_today(org, now),
    )
