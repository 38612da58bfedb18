"""Drilling down a plan: one focus area, one strategy, and a strategy's history of changes.

The focus area and strategy views are cut from the plan tree (`load_plan_tree`: a fixed number of
queries), so what a drill-down page says about a strategy is exactly what the overview rolled up.
The history is two more queries: the entries of the strategy and of its steps (archived steps
included: their history stays), newest first, then the changed fields of those entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, or_, select

from app.models import (
    Goal,
    HistoryEntry,
    HistoryField,
    Plan,
    Statement,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import Role, SubjectType
from app.services.accounts.permissions import can_read_internal
from app.services.changes.strategies import strategy_label
from app.services.errors import NotFound
from app.services.reading.plan_nodes import FocusAreaNode, MetricNode, PlanTree, StrategyNode
from app.services.rules.local_time import moment_text, zone_name
from app.services.rules.rollup import LABELS
from app.services.rules.value_text import format_value
from app.services.views.roadmap import TERM_LABELS, span_text

HISTORY_LIMIT = 50
CATEGORY_LABELS = {"people": "People", "process": "Process", "technology": "Technology"}
ACTION_LABELS = {
    "create": "Added",
    "update": "Changed",
    "progress": "Progress update",
    "archive": "Archived",
    "restore": "Restored",
    "imported": "Imported",
}
FIELD_LABELS = {
    "status": "Status",
    "progress": "Progress",
    "narrative": "Narrative",
    "title": "Title",
    "description": "Description",
    "focus_area_id": "Focus area",
    "department_id": "Department",
    "phase_id": "Phase",
    "term": "Term",
    "priority": "Priority",
    "leads": "Leads",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "update_cadence_days": "Update cadence (days)",
    "archived_at": "Archived",
    "done_on": "Done on",
    "due": "Due",
    "completion_measure": "Completion measure",
    "owner": "Owner",
    "parent_id": "Sub-step of",
    "goal_ids": "Goals supported",
}


# --- overview ------------------------------------------------------------------------------------

STATEMENT_KIND_LABELS = {
    "standard": "Standards",
    "guiding_principle": "Guiding principles",
    "value": "Values",
    "delivery_requirement": "Delivery requirements",
    "behaviour": "Behaviours",
    "commitment": "Commitments",
}


def statement_sections(tree: PlanTree) -> list[tuple[str, str, list[Statement]]]:
    """(anchor, heading, statements) per kind, in the plan's order. One kind: the plan's own word
    ("Standards", "Routine behaviours"); several (Mississauga's delivery requirements and guiding
    principles): each kind under its own name."""
    by_kind: dict[str, list[Statement]] = {}
    for st in tree.statements:
        by_kind.setdefault(st.kind, []).append(st)
    if len(by_kind) == 1:
        return [("statements", tree.plan.term("statements"), tree.statements)]
    return [
        (
            f"statements-{kind}",
            STATEMENT_KIND_LABELS.get(kind, kind.replace("_", " ").title()),
            items,
        )
        for kind, items in by_kind.items()
    ]


def focus_area_sections(tree: PlanTree) -> list[tuple[str, list[FocusAreaNode]]]:
    """The focus areas under their People / Process / Technology heading, as San José's report
    groups its themes; one unnamed section when the plan does not categorise every area."""
    nodes = tree.focus_areas
    if not nodes or any(not n.focus_area.category for n in nodes):
        return [("", nodes)] if nodes else []
    sections: dict[str, list[FocusAreaNode]] = {}
    for n in nodes:  # in the plan's order: a category appears where its first area does
        category = n.focus_area.category or ""
        sections.setdefault(CATEGORY_LABELS.get(category, category), []).append(n)
    return list(sections.items())


# --- focus area ----------------------------------------------------------------------------------


@dataclass
class FocusAreaView:
    tree: PlanTree
    node: FocusAreaNode
    metrics: list[MetricNode]

    @property
    def category_label(self) -> str:
        category = self.node.focus_area.category
        return CATEGORY_LABELS.get(category, "") if category else ""


def focus_area_view(tree: PlanTree, code: str) -> FocusAreaView:
    node = next((f for f in tree.focus_areas if f.focus_area.code == code), None)
    if node is None:
        raise NotFound(f"No {tree.plan.term('focus_area').lower()} '{code}' in this plan.")
    goal_ids = {g.id for g in node.goals}
    strategy_ids = {s.strategy.id for s in node.strategies}
    # What measures this area: metrics of the area itself, of its goals and of its strategies.
    metrics = [
        m
        for m in tree.metrics
        if m.metric.focus_area_id == node.focus_area.id
        or (m.metric.goal_id is not None and m.metric.goal_id in goal_ids)
        or (m.metric.strategy_id is not None and m.metric.strategy_id in strategy_ids)
    ]
    return FocusAreaView(tree=tree, node=node, metrics=metrics)


# --- strategy ------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    before: str
    after: str


@dataclass
class HistoryItem:
    entry: HistoryEntry
    subject: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    on_step: bool = False


@dataclass
class StrategyView:
    tree: PlanTree
    node: StrategyNode
    focus_area: FocusAreaNode | None
    goals: list[Goal]
    metrics: list[MetricNode]

    @property
    def plan(self) -> Plan:
        return self.tree.plan

    @property
    def span(self) -> str:
        s = self.node.strategy
        return span_text(s.planned_start, s.planned_end, self.plan)

    @property
    def term_label(self) -> str:
        term = self.node.strategy.term
        return TERM_LABELS.get(term, "") if term else ""

    @property
    def progress_source(self) -> str:
        """How the % is counted, in words: "by its 5 workplan steps: 3 done" or "entered by
        hand" (with its steps, when its owner chose to count by hand all the same)."""
        n = self.node
        steps = self.plan.term("steps").lower()
        if n.progress_source == "steps":
            return f"by its {n.steps_total} {steps}: {n.steps_done} done"
        if n.steps_total:
            return f"entered by hand (its {n.steps_total} {steps} are not counted)"
        return "entered by hand"


def strategy_view(tree: PlanTree, code: str) -> StrategyView:
    for fa in tree.focus_areas:
        for node in fa.strategies:
            if node.strategy.code == code:
                return _strategy_view(tree, node, fa)
    for node in tree.unplaced:  # on a goal or the plan itself, in no focus area
        if node.strategy.code == code:
            return _strategy_view(tree, node, None)
    raise NotFound(f"No {tree.plan.term('strategy').lower()} '{code}' in this plan.")


def _strategy_view(tree: PlanTree, node: StrategyNode, fa: FocusAreaNode | None) -> StrategyView:
    codes = set(node.goal_codes)
    goals = [g for g in tree.goals if g.code in codes]
    metrics = [m for m in tree.metrics if m.metric.strategy_id == node.strategy.id]
    return StrategyView(tree=tree, node=node, focus_area=fa, goals=goals, metrics=metrics)


def update_link(user: User | None, node: StrategyNode, organization_slug: str) -> str:
    """Where the reader updates this strategy: their "my work" page, opened on the owning
    department for coordinators and administrators (a lead's page is always their own)."""
    anchor = f"#strategy-{node.strategy.id}"
    if user is not None and user.role == Role.lead:
        return f"/my-work{anchor}"
    if node.department is None:
        return ""
    return f"/my-work?department={node.department.code}&organization={organization_slug}{anchor}"


# --- history -------------------------------------------------------------------------------------


def can_read_history(user: User | None, plan: Plan) -> bool:
    """The history names who changed what, with their notes: internal, so the one rule decides
    (`permissions.can_read_internal`: the organisation's people and administrators)."""
    return can_read_internal(user, plan)


def _value_text(name: str, value: Any, lookups: dict[str, dict[Any, str]], zone: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name in lookups:
        table = lookups[name]
        if isinstance(value, list):
            return ", ".join(table.get(v, f"#{v}") for v in value)
        return table.get(value, f"#{value}")
    if name == "status":
        return LABELS.get(str(value), str(value))
    if name == "progress" and isinstance(value, int | float):
        return format_value(float(value), "percent")
    if name == "term":
        return TERM_LABELS.get(str(value), str(value))
    if name == "archived_at":
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        # A stored moment (ISO text): to the minute, in the plan's organisation's zone.
        return moment_text(value, zone) or value
    return str(value)


def strategy_history(
    *, session: Session, tree: PlanTree, strategy: Strategy, limit: int = HISTORY_LIMIT
) -> tuple[list[HistoryItem], bool]:
    """The strategy's history and its steps', newest first; and whether older entries exist."""
    plan = tree.plan
    step_ids = select(WorkplanStep.id).where(WorkplanStep.strategy_id == strategy.id)
    entries = list(
        session.exec(
            select(HistoryEntry)
            .where(
                or_(
                    (col(HistoryEntry.subject_type) == SubjectType.strategy)
                    & (col(HistoryEntry.subject_id) == strategy.id),
                    (col(HistoryEntry.subject_type) == SubjectType.step)
                    & col(HistoryEntry.subject_id).in_(step_ids),
                )
            )
            .order_by(col(HistoryEntry.at).desc(), col(HistoryEntry.id).desc())
            .limit(limit + 1)
        )
    )
    more = len(entries) > limit
    entries = entries[:limit]
    fields_of: dict[int, list[HistoryField]] = {}
    if entries:
        for f in session.exec(
            select(HistoryField)
            .where(col(HistoryField.entry_id).in_([e.id for e in entries]))
            .order_by(HistoryField.id)
        ):
            fields_of.setdefault(f.entry_id, []).append(f)
    lookups: dict[str, dict[Any, str]] = {
        "department_id": {
            d.id: d.name if d.name == d.code else f"{d.name} ({d.code})"
            for d in tree.departments.values()
        },
        "phase_id": {p.id: f"Phase {p.code}: {p.name}" for p in tree.phases},
        "focus_area_id": {
            f.focus_area.id: f"{f.focus_area.code} {f.focus_area.title}" for f in tree.focus_areas
        },
        "goal_ids": {g.id: g.code for g in tree.goals},
        "parent_id": {
            step.step.id: step.step.title
            for node in tree.strategies
            if node.strategy.id == strategy.id
            for step in node.steps
        },
    }
    # A step's entry is labelled "Workplan step of Recommendation 3.1: …: <step>"; on the
    # strategy's own page the middle part says nothing new.
    step_prefix = f"{plan.term('step')} of {strategy_label(plan, strategy)}: "
    zone = zone_name(tree.organization.time_zone)  # the plan's organisation's (reading_zone)
    items = []
    for e in entries:
        changes = [
            FieldChange(
                FIELD_LABELS.get(f.field, f.field.replace("_", " ").capitalize()),
                _value_text(f.field, f.before, lookups, zone),
                _value_text(f.field, f.after, lookups, zone),
            )
            for f in fields_of.get(e.id, [])  # type: ignore[arg-type]
        ]
        on_step = e.subject_type == SubjectType.step
        subject = e.subject_label or (plan.term("step") if on_step else plan.term("strategy"))
        if on_step and subject.startswith(step_prefix):
            subject = f"{plan.term('step')}: {subject[len(step_prefix) :]}"
        items.append(
            HistoryItem(
                entry=e,
                subject=subject,
                action=ACTION_LABELS.get(e.action, e.action),
                changes=changes,
                on_step=on_step,
            )
        )
    return items, more
