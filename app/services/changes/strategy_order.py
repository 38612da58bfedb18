"""Putting a focus area's strategies in order, as plan_order does for the plan's other parts.

A reorder names every live strategy of the focus area (or, for `focus_area_id` None, of the
plan outside focus areas) once, in the new order; one left out, named twice or not among them is
refused (422 naming `ids`). Positions change without a new version of each strategy (a title
being edited meanwhile is not made stale by a move); the history records the order before and
after as one change of the plan. Ordering is building the plan's structure (Action.build).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import FocusArea, HistoryAction, Plan, Strategy
from app.models.enums import SubjectType
from app.services.accounts.permissions import Action, require
from app.services.changes.history import Actor, record_change
from app.services.changes.strategy_progress import plan_of
from app.services.errors import FieldProblem, ValidationFailed


def _siblings(session: Session, plan: Plan, focus_area_id: int | None) -> list[Strategy]:
    return list(
        session.exec(
            select(Strategy)
            .where(
                Strategy.plan_id == plan.id,
                Strategy.focus_area_id == focus_area_id,
                col(Strategy.archived_at).is_(None),
            )
            .order_by(col(Strategy.position), col(Strategy.id))
        )
    )


def reorder_strategies(
    *,
    session: Session,
    plan: Plan,
    focus_area_id: int | None,
    ids: list[int],
    actor: Actor,
) -> list[Strategy]:
    """Put the live strategies of `focus_area_id` in `plan` in the order `ids` gives."""
    kind = plan.term("strategy").lower()
    require(session, actor, Action.build, Strategy(plan_id=plan.id), kind=kind)
    if focus_area_id is not None:
        area = session.get(FocusArea, focus_area_id)
        if area is None or area.plan_id != plan.id or area.archived_at is not None:
            raise ValidationFailed.one("focus_area_id", "no such focus area in this plan")
    siblings = _siblings(session, plan, focus_area_id)
    before = [s.id for s in siblings]
    if len(ids) != len(set(ids)):
        raise ValidationFailed.one("ids", "names an item more than once")
    if set(ids) != set(before):
        missing = sorted(set(before) - set(ids))  # type: ignore[type-var]
        foreign = sorted(set(ids) - set(before))  # type: ignore[type-var]
        said = [f"leaves out {', '.join(map(str, missing))}"] if missing else []
        said += [f"names {', '.join(map(str, foreign))}, not among them"] if foreign else []
        raise ValidationFailed(
            [
                FieldProblem(
                    "ids",
                    f"must list every one of the {len(before)} live items once: " + "; ".join(said),
                )
            ]
        )
    by_id = {s.id: s for s in siblings}
    if ids == before:
        return siblings
    # Their positions are the plan's (one sequence for all strategies): the moved ones take
    # the same set of positions among themselves, so other focus areas keep theirs.
    slots = sorted(s.position for s in siblings)
    if len(set(slots)) != len(slots):  # ties (an imported plan): spread them after the last
        top = max(slots)
        slots = [top + 1 + n for n in range(len(slots))]
    for position, strategy_id in zip(slots, ids, strict=True):
        if by_id[strategy_id].position != position:
            session.execute(
                update(Strategy)
                .where(col(Strategy.id) == strategy_id)
                .values(position=position)
                .execution_options(synchronize_session=False)
            )
    for item in siblings:
        session.refresh(item)
    where = f"in_focus_area_{focus_area_id}" if focus_area_id else "outside_focus_areas"
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.plan,
        subject_id=plan.id,  # type: ignore[arg-type]
        action=HistoryAction.update,
        changes={f"strategies_order_{where}": (before, ids)},
        label=f"Plan: {plan.title}",
        plan_id=plan.id,
        organization_id=plan.organization_id,
    )
    return [by_id[i] for i in ids]


def move_strategy(*, session: Session, strategy: Strategy, to: str, actor: Actor) -> None:
    """One place up or down among its focus area's strategies (the keyboard's move)."""
    plan = plan_of(session, strategy.plan_id)
    require(session, actor, Action.build, strategy, kind=plan.term("strategy").lower())
    if to not in ("up", "down"):
        raise ValidationFailed.one("to", "choose up or down")
    ids = [s.id for s in _siblings(session, plan, strategy.focus_area_id)]
    at = ids.index(strategy.id) if strategy.id in ids else -1
    other = at - 1 if to == "up" else at + 1
    if at < 0 or not 0 <= other < len(ids):
        raise ValidationFailed.one("to", f"already the {'first' if to == 'up' else 'last'}")
    ids[at], ids[other] = ids[other], ids[at]
    reorder_strategies(
        session=session,
        plan=plan,
        focus_area_id=strategy.focus_area_id,
        ids=ids,  # type: ignore[arg-type]
        actor=actor,
    )
