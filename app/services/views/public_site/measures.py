"""The public site's measures page: every public metric of a plan, with its trend chart and
target line, under what it measures. Mississauga promises residents to report on its service
standards; San José's standards carry most of its measures and sit under no focus area, so
without this page a resident would find them only in the open data.

Each metric is listed once: under its statement (a standard, a value…), else under the focus area
it measures (itself, one of its goals or one of its strategies, as the focus-area page counts
it), else under the plan as a whole. Groups keep the plan's order. The charts come from one
`pages.charted` load, so the query count does not grow with the number of metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from app.models import Plan
from app.models.enums import StatementKind
from app.services.reading.plan_nodes import MetricNode, PlanTree
from app.services.views.public_site.pages import ChartedMetric, charted

KIND_WORDS = {
    StatementKind.standard: "Standard",
    StatementKind.guiding_principle: "Guiding principle",
    StatementKind.value: "Value",
    StatementKind.delivery_requirement: "Delivery requirement",
    StatementKind.behaviour: "Behaviour",
    StatementKind.commitment: "Commitment",
}


@dataclass
class MeasureGroup:
    anchor: str  # the group's id on the page
    title: str
    definition: str = ""
    link: str = ""  # the focus area's public page, for a focus area's group
    nodes: list[MetricNode] = field(default_factory=list)
    charted: list[ChartedMetric] = field(default_factory=list)


def _statement_title(plan: Plan, kind: str, code: str | None, title: str) -> str:
    # A plan that calls its standards something else says so in its terminology.
    word = plan.term("statement") if kind == StatementKind.standard else KIND_WORDS.get(kind, "")
    label = f"{word} {code}".strip() if code else word
    return f"{label}: {title}" if label else title


def measure_groups(tree: PlanTree, base: str) -> list[MeasureGroup]:
    """Every public metric of the tree, once, under what it measures; empty groups left out."""
    plan = tree.plan
    by_statement = {
        s.id: MeasureGroup(
            f"statement-{s.id}", _statement_title(plan, s.kind, s.code, s.title), s.definition
        )
        for s in tree.statements
    }
    by_area: dict[int, MeasureGroup] = {}
    area_of_goal: dict[int, int] = {}
    area_of_strategy: dict[int, int] = {}
    for fa in tree.focus_areas:
        area = fa.focus_area
        by_area[area.id] = MeasureGroup(  # type: ignore[index]
            f"focus-area-{area.code}",
            area.title,
            link=f"{base}/focus-areas/{area.code}",
        )
        area_of_goal.update({g.id: area.id for g in fa.goals})  # type: ignore[misc]
        area_of_strategy.update({s.strategy.id: area.id for s in fa.strategies})  # type: ignore[misc]
    whole = MeasureGroup("plan", f"{plan.title} as a whole")
    for node in tree.metrics:
        m = node.metric
        area_id = (
            m.focus_area_id
            or area_of_goal.get(m.goal_id or 0)
            or area_of_strategy.get(m.strategy_id or 0)
        )
        if m.statement_id in by_statement:
            by_statement[m.statement_id].nodes.append(node)  # type: ignore[index]
        elif area_id in by_area:
            by_area[area_id].nodes.append(node)  # type: ignore[index]
        else:
            whole.nodes.append(node)
    groups = [whole, *by_statement.values(), *by_area.values()]
    return [g for g in groups if g.nodes]


def load_measures(session: Session, tree: PlanTree, base: str) -> list[MeasureGroup]:
    groups = measure_groups(tree, base)
    every = charted(session, tree.plan, [n for g in groups for n in g.nodes])
    by_id = {cm.card.metric.id: cm for cm in every}
    for group in groups:
        group.charted = [by_id[n.metric.id] for n in group.nodes if n.metric.id in by_id]
    return groups
