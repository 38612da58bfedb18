"""What an action item may link to: an item of the plans in its session's scope (a focus area, a
strategy, a workplan step, a metric or a quick win), offered grouped by kind in the plan's own
words, checked against the scope when the item is recorded, and named in words ("Strategy 3.1
Answer calls faster") for the briefing book and the action items' export.

The plans in scope are those the session names, directly or through its focus areas; a session
that names none (the whole organisation, or departments only) covers every live plan of its
organisation. Each list is read in one query whatever the plans hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import (
    ActionItem,
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


def _named(code: str | int | None, name: str) -> str:
    return f"{code} {name}".strip() if code not in (None, "") else name


def link_labels(session: Session, items: Iterable[ActionItem]) -> dict[int, str]:
    """Action item id → what it is linked to, in words (items linked to nothing are left out).
    One query per kind whatever the number of items; each runs even with nothing to look for, so
    a page's statements never depend on its data."""
    items = list(items)
    wanted: dict[str, set[int]] = {kind.value: set() for kind in LinkKind}
    for item in items:
        if item.link_kind in wanted and item.link_id is not None:
            wanted[item.link_kind].add(item.link_id)
    names: dict[tuple[str, int], str] = {}
    for sid, code, title in session.exec(
        select(Strategy.id, Strategy.code, Strategy.title).where(
            col(Strategy.id).in_(wanted[LinkKind.strategy])
        )
    ).all():
        names[(LinkKind.strategy, sid)] = "Strategy " + _named(code, title)
    for step_id, code, title in session.exec(
        select(WorkplanStep.id, Strategy.code, WorkplanStep.title)
        .join(Strategy, col(Strategy.id) == col(WorkplanStep.strategy_id))
        .where(col(WorkplanStep.id).in_(wanted[LinkKind.step]))
    ).all():
        names[(LinkKind.step, step_id)] = f"Step of {code}: {title}"
    for mid, code, name in session.exec(
        select(Metric.id, Metric.code, Metric.name).where(
            col(Metric.id).in_(wanted[LinkKind.metric])
        )
    ).all():
        names[(LinkKind.metric, mid)] = "Metric " + _named(code, name)
    for qid, number, summary in session.exec(
        select(QuickWin.id, QuickWin.number, QuickWin.summary).where(
            col(QuickWin.id).in_(wanted[LinkKind.quick_win])
        )
    ).all():
        names[(LinkKind.quick_win, qid)] = "Quick win " + _named(number, summary[:80])
    for fid, code, title in session.exec(
        select(FocusArea.id, FocusArea.code, FocusArea.title).where(
            col(FocusArea.id).in_(wanted[LinkKind.focus_area])
        )
    ).all():
        names[(LinkKind.focus_area, fid)] = "Focus area " + _named(code, title)
    labels = {}
    for item in items:
        if item.link_kind and item.link_id is not None and item.id is not None:
            kind = item.link_kind.replace("_", " ").capitalize()
            labels[item.id] = names.get((item.link_kind, item.link_id), f"{kind} {item.link_id}")
    return labels
