"""The council report (briefing book) of a plan, or of one of its focus areas or departments.

Built from the pages' own read models, so the report says what the pages say: the plan tree and
its roll-ups (the overview's counts), the metric cards of the scorecard (their series and targets
drawn as SVG by app.services.views.svg_chart), the roadmap, and the review's count of changes
since a date. Narratives are internal: `internal` (can_read_internal) says whether they are shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import Department, Metric, Organization, Plan, Statement, User
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.errors import NotFound
from app.services.reading.plan_nodes import FocusAreaNode, StrategyNode
from app.services.reading.plan_tree import load_plan_tree
from app.services.reading.zones import organization_today
from app.services.rules import rollup
from app.services.views import drill_down, plan_index
from app.services.views.metric_card import MetricCard, metric_cards
from app.services.views.review.changes import changes_since_by_focus_area
from app.services.views.review.focus_areas import default_since, since_moment
from app.services.views.roadmap import Roadmap, RoadmapFilters, build_roadmap
from app.services.views.svg_chart import SvgChart, metric_chart

PAPER_SIZES = {"a4": "A4", "letter": "Letter"}


@dataclass
class ChartedMetric:
    card: MetricCard
    chart: SvgChart


@dataclass
class ReportSection:
    node: FocusAreaNode
    strategies: list[StrategyNode]  # those in the report's scope (a department's only)
    rollup: rollup.GroupRollup
    metrics: list[ChartedMetric]
    changes: int  # history entries since the report's date (0 when not internal)
    moved: list[StrategyNode] = field(default_factory=list)  # strategies changed since

    @property
    def anchor(self) -> str:
        return f"section-{self.node.focus_area.id}"


@dataclass
class Report:
    plan: Plan
    organization: Organization
    today: dt.date
    since: dt.date
    period: str
    internal: bool
    sections: list[ReportSection]
    rollup: rollup.GroupRollup  # of everything in scope: the overview's when unnarrowed
    roadmap: Roadmap
    department: Department | None = None
    focus_area_id: int | None = None
    # The plan's standards, values… (the overview's sections): in a whole-plan report only.
    statements: list[tuple[str, str, list[Statement]]] = field(default_factory=list)
    other_metrics: list[ChartedMetric] = field(default_factory=list)  # under no focus area

    @property
    def scope(self) -> str:
        """What the report covers, in words: the plan, a focus area or a department."""
        if self.focus_area_id is not None and self.sections:
            f = self.sections[0].node.focus_area
            return f"{self.plan.term('focus_area')} {f.code}: {f.title}"
        if self.department is not None:
            return f"Department: {self.department.name}"
        return "The whole plan"

    @property
    def changes(self) -> int:
        return sum(s.changes for s in self.sections)


def _rollup_of(plan: Plan, nodes: list[StrategyNode]) -> rollup.GroupRollup:
    return rollup.rollup_group(
        items=[n.rollup_input for n in nodes],
        noun=plan.term("strategies").lower(),
        words=plan.status_words or {},
    )


def load_report(
    *,
    session: Session,
    plan: Plan,
    user: User | None,
    focus_area_id: int | None = None,
    department: str = "",
    since: dt.date | None = None,
    today: dt.date | None = None,
) -> Report:
    """The report of `plan` as `user` may read it; narrowed to one focus area (by id) or to the
    strategies and metrics of one department (by code). An unknown one is NotFound."""
    require_read_plan(user, plan)
    today = today or organization_today(session, plan.organization_id)
    since = since or default_since(today)
    internal = can_read_internal(user, plan)
    tree = load_plan_tree(session=session, plan=plan, today=today, internal=internal)
    dept = None
    if department:
        dept = next((d for d in tree.departments.values() if d.code == department), None)
        if dept is None:
            raise NotFound(f"No department '{department}' in this plan.")
    nodes = tree.focus_areas
    if focus_area_id is not None:
        nodes = [n for n in nodes if n.focus_area.id == focus_area_id]
        if not nodes:
            raise NotFound(f"No {plan.term('focus_area').lower()} {focus_area_id} in this plan.")
    changed: dict[int, dict[int | None, int]] = {}
    if internal:  # the history is internal: who changed what is the organisation's business
        changed = changes_since_by_focus_area(session, [plan.id], since_moment(since))  # type: ignore[list-item]
    # Every metric's series in one load (the scorecard's cards), then laid out by section.
    wanted = {id(n): drill_down.focus_area_view(tree, n.focus_area.code).metrics for n in nodes}
    placed = {m.metric.id for ms in wanted.values() for m in ms}
    # Metrics of the plan's standards, goals without a focus area, the plan itself: their own
    # section in a report of the whole plan (or of a department).
    others = [m for m in tree.metrics if m.metric.id not in placed] if focus_area_id is None else []
    metric_ids = placed | {m.metric.id for m in others}
    models = list(session.exec(select(Metric).where(col(Metric.id).in_(metric_ids))))
    order = {m.metric.id: i for i, m in enumerate(tree.metrics)}
    models.sort(key=lambda m: order.get(m.id, 0))
    cards = {c.metric.id: c for c in metric_cards(session, plan, models, reasons=False)}
    sections = []
    for node in nodes:
        strategies = [
            s for s in node.strategies if dept is None or s.strategy.department_id == dept.id
        ]
        metrics = [
            ChartedMetric(cards[m.metric.id], metric_chart(cards[m.metric.id]))
            for m in wanted[id(node)]
            if m.metric.id in cards and (dept is None or m.metric.department_id == dept.id)
        ]
        if dept is not None and not strategies and not metrics:
            continue
        by_strategy = changed.get(node.focus_area.id, {})  # type: ignore[arg-type]
        sections.append(
            ReportSection(
                node=node,
                strategies=strategies,
                rollup=node.rollup if dept is None else _rollup_of(plan, strategies),
                metrics=metrics,
                changes=sum(by_strategy.values()),
                moved=[s for s in strategies if by_strategy.get(s.strategy.id)],
            )
        )
    other_metrics = [
        ChartedMetric(cards[m.metric.id], metric_chart(cards[m.metric.id]))
        for m in others
        if m.metric.id in cards and (dept is None or m.metric.department_id == dept.id)
    ]
    in_scope = [s for sec in sections for s in sec.strategies]
    whole = focus_area_id is None and dept is None
    if whole:
        in_scope += tree.unplaced
    roadmap = build_roadmap(tree, RoadmapFilters(department=dept.code if dept else ""))
    if focus_area_id is not None:  # the roadmap's rows of that focus area only
        code = nodes[0].focus_area.code
        roadmap.groups = [g for g in roadmap.groups if g.key == f"focus-area-{code}"]
        ids = {s.strategy.id for s in nodes[0].strategies}
        for listed in roadmap.unscheduled:
            listed.nodes = [n for n in listed.nodes if n.strategy.id in ids]
        roadmap.unscheduled = [g for g in roadmap.unscheduled if g.nodes]
    return Report(
        plan=plan,
        organization=tree.organization,
        today=today,
        since=since,
        period=plan_index.period_text(plan),
        internal=internal,
        sections=sections,
        rollup=tree.rollup if whole else _rollup_of(plan, in_scope),
        roadmap=roadmap,
        department=dept,
        focus_area_id=focus_area_id,
        statements=drill_down.statement_sections(tree) if whole else [],
        other_metrics=other_metrics,
    )
