"""The list of plans a visitor may read, grouped by organisation, each with its headline status.

A fixed number of queries whatever the number of plans and strategies: the live plans, their
organisations and departments, their live strategies, and (through `build_strategy_nodes`) the
strategies' steps and goal links. Each plan's headline is rolled up exactly as its overview does
it (same effective statuses, same rules), so the list and the plan page never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Department, Organization, Plan, Strategy, User
from app.services.accounts.permissions import can_read_plan
from app.services.reading.node_builders import build_strategy_nodes
from app.services.reading.zones import organization_days
from app.services.rules import clock, rollup

PLAN_STATUS_LABELS: dict[str, str] = {
    "draft": "Draft",
    "adopted": "Adopted",
    "archived": "Archived",
}


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    owning_department: Department | None
    rollup: rollup.GroupRollup

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS.get(self.plan.status, self.plan.status)

    @property
    def period_text(self) -> str:
        return period_text(self.plan)


@dataclass(frozen=True)
class OrganizationPlans:
    organization: Organization
    plans: list[PlanSummary]


def period_text(plan: Plan) -> str:
    """ "2024 – 2027", "from 2024", "until 2027"; empty when the plan states no period."""
    start, end = plan.period_start, plan.period_end
    if start and end:
        return f"{start.year} – {end.year}" if start.year != end.year else str(start.year)
    if start:
        return f"from {start.year}"
    if end:
        return f"until {end.year}"
    return ""


def list_plans(
    *, session: Session, user: User | None, now: dt.datetime | None = None
) -> list[OrganizationPlans]:
    """Every live plan `user` may read, by organisation (name order), plans by title."""
    now = now or clock.clock()
    plans = [
        p
        for p in session.exec(
            select(Plan).where(col(Plan.archived_at).is_(None)).order_by(Plan.title, Plan.id)
        )
        if can_read_plan(user, p)  # a handful of plans: the rule is applied as written
    ]
    if not plans:
        return []
    org_ids = {p.organization_id for p in plans}
    organizations = {
        o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))
    }
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(col(Department.organization_id).in_(org_ids))
        )
    }
    by_plan = strategy_inputs(session, plans, departments=departments, now=now)
    grouped: dict[int, list[PlanSummary]] = defaultdict(list)
    for p in plans:
        owner = p.owning_department_id
        grouped[p.organization_id].append(
            PlanSummary(
                plan=p,
                owning_department=departments.get(owner) if owner else None,
                rollup=plan_rollup(p, by_plan.get(p.id, [])),  # type: ignore[arg-type]
            )
        )
    ordered = sorted(organizations.values(), key=lambda o: o.name.casefold())
    return [OrganizationPlans(o, grouped[o.id]) for o in ordered if grouped.get(o.id)]  # type: ignore[index]


def strategy_inputs(
    session: Session, plans: list[Plan], *, departments: dict[int, Department], now: dt.datetime
) -> dict[int, list[rollup.StrategyRollupInput]]:
    """Each plan's live strategies as roll-up inputs (effective status, progress), by plan id,
    exactly as its overview rolls them up, in a fixed number of queries whatever their number."""
    plan_ids = [p.id for p in plans]
    strategies = list(
        session.exec(
            select(Strategy)
            .where(col(Strategy.plan_id).in_(plan_ids), col(Strategy.archived_at).is_(None))
            .order_by(Strategy.position, Strategy.id)
        )
    )
    # Each plan is judged on its organisation's day: one batch per distinct day (at most a few
    # whatever the number of plans, as zones span at most three dates at a time).
    days = organization_days(session, {p.organization_id for p in plans}, now)
    day_of = {p.id: days[p.organization_id] for p in plans}
    nodes = []
    for day in sorted(set(day_of.values())):
        nodes += build_strategy_nodes(
            session,
            [s for s in strategies if day_of[s.plan_id] == day],
            departments=departments,
            phases={},
            goal_codes={},  # type: ignore[arg-type]
            today=day,
            now=now,
        )
    by_plan: dict[int, list[rollup.StrategyRollupInput]] = defaultdict(list)
    for node in nodes:
        by_plan[node.strategy.plan_id].append(node.rollup_input)
    return by_plan


def plan_rollup(plan: Plan, items: list[rollup.StrategyRollupInput]) -> rollup.GroupRollup:
    return rollup.rollup_group(
        items=items,  # type: ignore[arg-type]
        noun=plan.term("strategies").lower(),
        words=plan.status_words or {},
    )


@dataclass(frozen=True)
class DemoCityPlan:
    slug: str
    organization_name: str


def demo_city_plan(groups: list[OrganizationPlans], organization_slug: str) -> DemoCityPlan | None:
    """The made-up city's customer-service plan among `groups`, to point a newcomer at it."""
    for group in groups:
        if group.organization.slug != organization_slug or not group.plans:
            continue
        plans = [item.plan for item in group.plans]
        chosen = next((p for p in plans if p.slug.endswith("-customer-service")), plans[0])
        return DemoCityPlan(chosen.slug, group.organization.name)
    return None
