"""What the plan builder's item forms show: the choices a strategy, metric or quick win can take
(focus areas, goals, phases, departments of its plan), a strategy's steps, a metric's dated
targets and the sentence that reads its rule back. The forms' rules are the services'; this only
reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Metric,
    MetricTarget,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.enums import Comparator, Direction, Frequency, Horizon, Term, Unit
from app.services.accounts.permissions import Action, can, require
from app.services.changes.history import Actor
from app.services.changes.strategies import goal_ids_of
from app.services.reading import catalog, work_catalog
from app.services.reading.catalog import organization_of
from app.services.reading.zones import organization_today
from app.services.rules.metric_rule import target_in_force
from app.services.rules.metric_rule_text import metric_rule_text

TERM_LABELS = {Term.short: "Short term", Term.long: "Long term", Term.future: "Future"}
UNIT_LABELS = {u.value: u.value.capitalize() for u in Unit}
DIRECTION_LABELS = {
    Direction.higher: "Higher is better",
    Direction.lower: "Lower is better",
    Direction.hold: "Hold steady",
}
COMPARATOR_LABELS = {
    Comparator.at_least: "At least",
    Comparator.at_most: "At most",
    Comparator.exactly: "Exactly",
    Comparator.above: "Above",
    Comparator.below: "Below",
}
FREQUENCY_LABELS = {f.value: f.value.replace("_", " ").capitalize() for f in Frequency}
HORIZON_LABELS = {h.value: h.value.replace("_", " ").capitalize() for h in Horizon}


@dataclass
class Choices:
    """The rows of the plan (and its organisation) an item's form may name."""

    focus_areas: list[FocusArea]
    goals: list[Goal]
    phases: list[Phase]
    departments: list[Department]
    statements: list[Statement] = field(default_factory=list)
    strategies: list[Strategy] = field(default_factory=list)


def choices(*, session: Session, plan: Plan, user: User | None) -> Choices:
    org = organization_of(session=session, plan=plan)
    return Choices(
        focus_areas=list(
            session.exec(catalog.focus_areas_query(user=user, plan=plan, include_archived=False))
        ),
        goals=list(session.exec(catalog.goals_query(user=user, plan=plan, include_archived=False))),
        phases=list(session.exec(catalog.phases_query(user=user, plan=plan))),
        departments=list(session.exec(catalog.departments_query(organization=org))),
        statements=list(session.exec(catalog.statements_query(user=user, plan=plan))),
        strategies=list(
            session.exec(
                work_catalog.strategies_query(user=user, plan=plan, include_archived=False)
            )
        ),
    )


@dataclass
class StrategyEdit:
    strategy: Strategy
    goal_ids: list[int]
    steps: list[WorkplanStep]
    can_archive: bool
    can_restore: bool
    siblings: list[int] = field(default_factory=list)  # live ids of its focus area, in order


def strategy_edit(*, session: Session, strategy: Strategy, user: User | None) -> StrategyEdit:
    plan = session.get(Plan, strategy.plan_id)
    assert plan is not None
    kind = plan.term("strategy").lower()
    return StrategyEdit(
        strategy=strategy,
        goal_ids=goal_ids_of(session, strategy),
        steps=list(
            session.exec(work_catalog.steps_query(strategy=strategy, include_archived=False))
        ),
        can_archive=can(session, user, Action.archive, strategy, kind=kind),
        can_restore=can(session, user, Action.restore, strategy, kind=kind),
        siblings=sibling_ids(session=session, strategy=strategy),
    )


def sibling_ids(*, session: Session, strategy: Strategy) -> list[int]:
    """The live strategies of its focus area (of its plan, outside focus areas), in order."""
    return list(
        session.exec(
            select(Strategy.id)
            .where(
                Strategy.plan_id == strategy.plan_id,
                Strategy.focus_area_id == strategy.focus_area_id,
                col(Strategy.archived_at).is_(None),
            )
            .order_by(col(Strategy.position), col(Strategy.id))
        )
    )


@dataclass
class TargetLine:
    target: MetricTarget
    in_force: bool


@dataclass
class MetricEdit:
    metric: Metric
    targets: list[TargetLine]
    rule: str  # the rule read back, for the target in force today
    can_archive: bool
    can_restore: bool


def _status_words(session: Session, metric: Metric) -> dict[str, str]:
    """The metric's plan's status words (the plan is in the session: no query)."""
    plan = session.get(Plan, metric.plan_id)
    return (plan.status_words or {}) if plan is not None else {}


def metric_edit(
    *, session: Session, metric: Metric, user: User | None, today: dt.date | None = None
) -> MetricEdit:
    targets = catalog.targets_of(session=session, metric_ids=[metric.id]).get(  # type: ignore[list-item]
        metric.id,  # type: ignore[arg-type]
        [],
    )
    plan = session.get(Plan, metric.plan_id)
    today = today or organization_today(session, plan.organization_id if plan else None)
    now = target_in_force(targets=targets, period=today)
    return MetricEdit(
        metric=metric,
        targets=[TargetLine(t, t is now) for t in targets],
        rule=metric_rule_text(metric, now, _status_words(session, metric)),
        can_archive=can(session, user, Action.archive, metric, kind="metric"),
        can_restore=can(session, user, Action.restore, metric, kind="metric"),
    )


def focus_area_code(session: Session, focus_area_id: int | None) -> str:
    """The focus area's code, to name the strategy's place in a notice ("moved to 2")."""
    area = session.get(FocusArea, focus_area_id) if focus_area_id else None
    return area.code if area is not None else ""


def can_edit_item(session: Session, user: User | None, item: object, *, kind: str) -> bool:
    return can(session, user, Action.edit, item, kind=kind)


def can_add(session: Session, user: User | None, model: type, plan: Plan) -> bool:
    """Whether `user` may add an item of `model` to `plan` at all (in some department): for the
    "New …" links. The service decides each save."""
    if user is None:
        return False
    probe = model(plan_id=plan.id, department_id=user.department_id)
    kind = plan.term("strategy").lower() if model is Strategy else model.__name__.lower()
    return can(session, user, Action.edit, probe, kind=kind)


def require_editor(session: Session, user: User | None, item: object, *, kind: str) -> None:
    """An item's edit page (or a new item's form) is for those who may edit it: 401/403 with
    the reason otherwise, as the save would say. The service still decides each save."""
    require(session, Actor(user=user), Action.edit, item, kind=kind)


def new_probe(model: type[Any], plan: Plan, user: User | None) -> Any:
    """An item of `model` as `user` would add it (owned by their department), for the check."""
    return model(plan_id=plan.id, department_id=user.department_id if user else None)


@dataclass
class Options:
    """The choices as (value, label) pairs for the forms' selects."""

    focus_areas: list[tuple[int, str]]
    phases: list[tuple[int, str]]
    departments: list[tuple[int, str]]
    # What a new metric measures: (group, [(kind:id, label)]) for the select's optgroups.
    measures: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def _named(row: Any) -> str:
    return f"{row.code}: {row.title}" if row.code else row.title


def options_of(found: Choices, plan: Plan | None = None) -> Options:
    measures: list[tuple[str, list[tuple[str, str]]]] = []
    if plan is not None:
        groups = (
            (plan.term("statements"), "statement", found.statements),
            (plan.term("goals"), "goal", found.goals),
            (plan.term("focus_areas"), "focus_area", found.focus_areas),
            (plan.term("strategies"), "strategy", found.strategies),
        )
        for label, kind, rows in groups:
            if rows:
                measures.append((label, [(f"{kind}:{r.id}", _named(r)) for r in rows]))
    return Options(
        measures=measures,
        focus_areas=[(f.id, f"{f.code}: {f.title}") for f in found.focus_areas],  # type: ignore[misc]
        phases=[(p.id, f"Phase {p.code}: {p.name}") for p in found.phases],  # type: ignore[misc]
        departments=[
            (d.id, d.name if d.name == d.code else f"{d.name} ({d.code})")  # type: ignore[misc]
            for d in found.departments
        ],
    )


@dataclass
class QuickWinEdit:
    quick_win: QuickWin
    can_archive: bool
    can_restore: bool


def quick_win_edit(*, session: Session, quick_win: QuickWin, user: User | None) -> QuickWinEdit:
    return QuickWinEdit(
        quick_win=quick_win,
        can_archive=can(session, user, Action.archive, quick_win, kind="quick win"),
        can_restore=can(session, user, Action.restore, quick_win, kind="quick win"),
    )


def next_quick_win_number(*, session: Session, plan: Plan) -> int:
    """The number a new quick win is offered: one after the plan's highest (archived too)."""
    top = session.exec(select(func.max(QuickWin.number)).where(QuickWin.plan_id == plan.id)).one()
    return (top or 0) + 1
