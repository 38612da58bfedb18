"""What an action item may link to: an item of the plans in its session's scope (a focus area, a
strategy, a workplan step, a metric or a quick win), offered grouped by kind in the plan's own
words, and checked against the scope when the item is recorded.

The plans in scope are those the session names, directly or through its focus areas; a session
that names none (the whole organisation, or departments only) covers every live plan of its
organisation. Each list is read in one query whatever the plans hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import (
    FocusArea,
    Metric,
    PerformanceSession,
    Plan,
    QuickWin,
    Strategy,
    WorkplanStep,
)
from app.models.base import is_live
from app.models.sessions import LinkKind
from app.services.errors import FieldProblem, ValidationFailed
from app.services.sessions.scope import Scope, scope_plans

# The picker's one field ("strategy:12"): its problems are named on it.
PICKER = "linked"
# The picker's order of kinds: from the plan's structure down to its measures and quick wins.
KINDS = (LinkKind.focus_area, LinkKind.strategy, LinkKind.step, LinkKind.metric, LinkKind.quick_win)


@dataclass(frozen=True)
class LinkOption:
    value: str  # "kind:id"
    label: str


@dataclass
class LinkGroup:
    label: str  # "Recommendations", or "San José …: Recommendations" when several plans
    options: list[LinkOption]


def plans_in_scope(session: Session, held: PerformanceSession) -> list[Plan]:
    named = scope_plans(session, Scope.of(held))
    query = select(Plan).where(Plan.organization_id == held.organization_id, is_live(Plan))
    if named:
        query = query.where(col(Plan.id).in_(named))
    return list(session.exec(query.order_by(Plan.title, Plan.id)).all())


def _rows(session: Session, plan_ids: list[int]) -> dict[LinkKind, list[tuple[int, int, str]]]:
    """(plan id, item id, label) of each kind's live items in `plan_ids`, in the plan's order."""
    out: dict[LinkKind, list[tuple[int, int, str]]] = {}
    out[LinkKind.focus_area] = [
        (fa.plan_id, fa.id, f"{fa.code} {fa.title}".strip())  # type: ignore[misc]
        for fa in session.exec(
            select(FocusArea)
            .where(col(FocusArea.plan_id).in_(plan_ids), is_live(FocusArea))
            .order_by(FocusArea.position, FocusArea.id)
        ).all()
    ]
    out[LinkKind.strategy] = [
        (s.plan_id, s.id, f"{s.code} {s.title}")  # type: ignore[misc]
        for s in session.exec(
            select(Strategy)
            .where(col(Strategy.plan_id).in_(plan_ids), is_live(Strategy))
            .order_by(Strategy.position, Strategy.id)
        ).all()
    ]
    out[LinkKind.step] = [
        (s.plan_id, step.id, f"{s.code}: {step.title}")  # type: ignore[misc]
        for step, s in session.exec(
            select(WorkplanStep, Strategy)
            .join(Strategy, col(Strategy.id) == col(WorkplanStep.strategy_id))
            .where(col(Strategy.plan_id).in_(plan_ids), is_live(Strategy), is_live(WorkplanStep))
            .order_by(Strategy.position, Strategy.id, WorkplanStep.position, WorkplanStep.id)
        ).all()
    ]
    out[LinkKind.metric] = [
        (m.plan_id, m.id, f"{m.code} {m.name}")  # type: ignore[misc]
        for m in session.exec(
            select(Metric)
            .where(col(Metric.plan_id).in_(plan_ids), is_live(Metric))
            .order_by(Metric.position, Metric.id)
        ).all()
    ]
    out[LinkKind.quick_win] = [
        (q.plan_id, q.id, f"{q.number}. {q.summary or q.customer_issue}".strip())  # type: ignore[misc]
        for q in session.exec(
            select(QuickWin)
            .where(col(QuickWin.plan_id).in_(plan_ids), is_live(QuickWin))
            .order_by(QuickWin.number, QuickWin.id)
        ).all()
    ]
    return out


def _kind_name(plan: Plan, kind: LinkKind) -> str:
    """A kind in the plan's own words (plural), as its pages say it."""
    return {
        LinkKind.focus_area: plan.term("focus_areas"),
        LinkKind.strategy: plan.term("strategies"),
        LinkKind.step: plan.term("steps"),
        LinkKind.metric: "Metrics",
        LinkKind.quick_win: "Quick wins",
    }[kind]


def link_groups(session: Session, held: PerformanceSession) -> list[LinkGroup]:
    """The picker's optgroups: for each plan in scope, one group per kind that has items."""
    plans = plans_in_scope(session, held)
    rows = _rows(session, [p.id for p in plans if p.id is not None])
    groups = []
    for plan in plans:
        for kind in KINDS:
            options = [
                LinkOption(f"{kind.value}:{item_id}", label[:160])
                for plan_id, item_id, label in rows[kind]
                if plan_id == plan.id
            ]
            if options:
                name = _kind_name(plan, kind)
                label = f"{plan.title}: {name}" if len(plans) > 1 else name
                groups.append(LinkGroup(label, options))
    return groups


def read_link(value: str) -> tuple[LinkKind | None, int | None]:
    """The picker's "kind:id" (blank: no link); anything else is refused on the picker."""
    value = value.strip()
    if not value:
        return None, None
    kind, _, number = value.partition(":")
    if kind in {k.value for k in LinkKind} and number.isascii() and number.isdigit():
        item_id = int(number)
        if 1 <= item_id < 2**31:
            return LinkKind(kind), item_id
    raise ValidationFailed([FieldProblem(PICKER, "choose an item from the list")])


def linked_plan_id(session: Session, kind: LinkKind, item_id: int) -> int | None:
    """The plan of the live item `kind`/`item_id` (None: no such item, or archived)."""
    if kind == LinkKind.step:
        row = session.exec(
            select(Strategy.plan_id)
            .join(WorkplanStep, col(WorkplanStep.strategy_id) == col(Strategy.id))
            .where(WorkplanStep.id == item_id, is_live(WorkplanStep), is_live(Strategy))
        ).first()
        return row
    model: type = {
        LinkKind.focus_area: FocusArea,
        LinkKind.strategy: Strategy,
        LinkKind.metric: Metric,
        LinkKind.quick_win: QuickWin,
    }[kind]
    item = session.get(model, item_id)
    if item is None or item.archived_at is not None:
        return None
    return item.plan_id


def labels_by_value(groups: list[LinkGroup]) -> dict[str, str]:
    """ "kind:id" → how the picker names it, with its group ("Recommendations: 3.1 …")."""
    return {o.value: f"{g.label}: {o.label}" for g in groups for o in g.options}
