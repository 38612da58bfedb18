"""The public site's pages: a plan's dashboard, its focus areas and strategies, its roadmap and
quick wins, each cut from the plan tree as an anonymous reader reads it (no internal metric).

Templates lay these out and show only public fields: never a narrative, a note, a lead's or an
owner's name. Query counts do not grow with the plan: one tree load, and the headline metrics'
series in one `metric_cards` load (at most HEADLINE_METRICS of them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Metric, Organization, Plan
from app.models.base import is_live
from app.services.reading.plan_nodes import FocusAreaNode, MetricNode, PlanTree, StrategyNode
from app.services.reading.plan_tree import load_plan_tree
from app.services.views import drill_down, plan_index
from app.services.views.metric_card import MetricCard, metric_cards
from app.services.views.roadmap import span_text
from app.services.views.svg_chart import SvgChart, metric_chart

HEADLINE_METRICS = 6


@dataclass
class ChartedMetric:
    card: MetricCard
    chart: SvgChart


@dataclass
class Dashboard:
    organization: Organization
    tree: PlanTree
    headline: list[ChartedMetric]

    @property
    def plan(self) -> Plan:
        return self.tree.plan

    @property
    def areas(self) -> list[FocusAreaNode]:
        return self.tree.focus_areas


@dataclass
class RoadmapLine:
    node: StrategyNode
    span: str


@dataclass
class RoadmapGroup:
    title: str
    code: str
    lines: list[RoadmapLine]


def landing(session: Session, org: Organization) -> list[plan_index.PlanSummary]:
    """The organisation's published plans with their headline, as anonymous readers list them
    (in a fixed number of queries, however many plans)."""
    groups = plan_index.list_plans(session=session, user=None)
    return [s for g in groups if g.organization.id == org.id for s in g.plans]


def public_tree(session: Session, plan: Plan, today: dt.date | None = None) -> PlanTree:
    """The plan as the public reads it: every strategy and step, no internal metric."""
    return load_plan_tree(session=session, plan=plan, today=today, internal=False)


def headline_metrics(tree: PlanTree) -> list[MetricNode]:
    """The plan's headline measures: its vision measures (or, without any, those of the plan as
    a whole; else its first metrics), at most HEADLINE_METRICS."""
    vision = [m for m in tree.metrics if m.metric.horizon == "vision"]
    whole = [
        m
        for m in tree.metrics
        if not (
            m.metric.statement_id
            or m.metric.goal_id
            or m.metric.strategy_id
            or m.metric.focus_area_id
        )
    ]
    return (vision or whole or tree.metrics)[:HEADLINE_METRICS]


def charted(session: Session, plan: Plan, nodes: list[MetricNode]) -> list[ChartedMetric]:
    ids = [n.metric.id for n in nodes]
    # internal is False here by construction (the nodes come from the public tree); checked
    # again in the query so a caller's slip never charts an internal metric.
    models = list(
        session.exec(
            select(Metric).where(
                col(Metric.id).in_(ids), is_live(Metric), col(Metric.internal).is_(False)
            )
        )
    )
    order = {metric_id: n for n, metric_id in enumerate(ids)}
    models.sort(key=lambda m: order.get(m.id, 0))  # type: ignore[arg-type]
    return [
        ChartedMetric(card, metric_chart(card))
        for card in metric_cards(session, plan, models, reasons=False)
    ]


def load_dashboard(session: Session, org: Organization, plan: Plan) -> Dashboard:
    tree = public_tree(session, plan)
    return Dashboard(
        organization=org, tree=tree, headline=charted(session, plan, headline_metrics(tree))
    )


def focus_area_view(tree: PlanTree, code: str) -> drill_down.FocusAreaView:
    return drill_down.focus_area_view(tree, code)


def strategy_view(tree: PlanTree, code: str) -> drill_down.StrategyView:
    return drill_down.strategy_view(tree, code)


def roadmap(tree: PlanTree) -> list[RoadmapGroup]:
    """Every strategy with its span, status and progress, by focus area (plan order)."""
    plan = tree.plan

    def line(node: StrategyNode) -> RoadmapLine:
        s = node.strategy
        return RoadmapLine(node, span_text(s.planned_start, s.planned_end, plan))

    groups = [
        RoadmapGroup(fa.focus_area.title, fa.focus_area.code, [line(n) for n in fa.strategies])
        for fa in tree.focus_areas
        if fa.strategies
    ]
    if tree.unplaced:
        groups.append(RoadmapGroup("Other", "", [line(n) for n in tree.unplaced]))
    return groups
