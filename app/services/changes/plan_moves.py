"""Moving one part of a plan up or down among its siblings (the builder's "Move up" and "Move
down" buttons): the new order of every live sibling, put through plan_order.reorder_parts, so a
move is checked, recorded and refused as any reorder is."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col

from app.models import Department, Goal, Journey, Organization, Persona, Plan
from app.services.accounts.permissions import Action, require
from app.services.changes.history import Actor
from app.services.changes.plan_order import reorder_parts
from app.services.changes.plan_parts import kind_of, noun_of, place_of, siblings_query
from app.services.errors import ValidationFailed

DIRECTIONS = {"up": -1, "down": 1}


def moved_order(ids: list[int], item_id: int, direction: str) -> list[int]:
    """`ids` with `item_id` swapped with its neighbour above ("up") or below ("down"); the same
    order when it is already first (up) or last (down)."""
    step = DIRECTIONS.get(direction)
    if step is None:
        raise ValidationFailed.one("direction", "choose up or down")
    out = list(ids)
    at = out.index(item_id)
    other = at + step
    if 0 <= other < len(out):
        out[at], out[other] = out[other], out[at]
    return out


def reorder_siblings(*, session: Session, item: Any, ids: list[int], actor: Actor) -> list[Any]:
    """Put `item` and the live parts that share its parent (a goal: its focus area) in the order
    `ids` gives (every one of them once; plan_order refuses anything else). What a drag on the
    builder's outline sends."""
    place = place_of(session, item)
    require(session, actor, Action.build, item, kind=noun_of(kind_of(item), place.plan))
    if item.archived_at is not None:
        raise ValidationFailed.one("ids", "this item has no order to change")
    parent = _parent(session, item)
    return reorder_parts(
        session=session,
        model=type(item),
        parent=parent,
        ids=ids,
        actor=actor,
        focus_area_id=item.focus_area_id if isinstance(item, Goal) else None,
        subject=item,
    )


def _parent(session: Session, item: Any) -> Plan | Persona | Organization:
    parent: Plan | Persona | Organization | None
    if isinstance(item, Department):
        parent = session.get(Organization, item.organization_id)
    elif isinstance(item, Journey):
        parent = session.get(Persona, item.persona_id)
    else:
        parent = session.get(Plan, item.plan_id)
    assert parent is not None
    return parent


def move_part(*, session: Session, item: Any, direction: str, actor: Actor) -> list[Any]:
    """Move `item` one place up or down among the live parts that share its parent (a goal:
    within its focus area). Returns the siblings in their new order."""
    place = place_of(session, item)
    require(session, actor, Action.build, item, kind=noun_of(kind_of(item), place.plan))
    if item.archived_at is not None:
        raise ValidationFailed.one("direction", "this item has no order to change")
    model = type(item)
    ids = [
        row.id
        for row in session.exec(siblings_query(item).order_by(col(model.position), col(model.id)))
    ]
    return reorder_parts(
        session=session,
        model=model,
        parent=_parent(session, item),
        ids=moved_order(ids, item.id, direction),
        actor=actor,
        focus_area_id=item.focus_area_id if isinstance(item, Goal) else None,
        subject=item,
    )
