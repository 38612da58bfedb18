"""Putting a plan's parts in order: statements, phases, focus areas, goals (within their focus
area), personas, a persona's journeys, and an organisation's departments.

A reorder names every live sibling once, in the new order; anything else (one left out, one
named twice, one of another plan) is refused (422 naming `ids`), so a sibling added meanwhile is
never silently put last. Positions change without a new version of each part (a title being
edited meanwhile is not made stale by a move); the history records the order before and after
as one change of the parent (the plan, or the persona for journeys). The history has no
subject for an organisation: the order of its departments is recorded as a change of the
department moved (`subject`; by default the first whose place changed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from app.models import Department, FocusArea, Goal, HistoryAction, Organization, Persona, Plan
from app.models.enums import SubjectType
from app.services.accounts.permissions import Action, require
from app.services.changes.history import Actor, record_change
from app.services.changes.plan_parts import kind_of, noun_of, place_of, siblings_query
from app.services.errors import ValidationFailed


def _order_field(model: type[Any], focus_area_id: int | None) -> str:
    """How the history names the order that changed: `goals_order`, `journeys_order`…"""
    name = {FocusArea: "focus_areas", Goal: "goals"}.get(model, f"{model.__name__.lower()}s")
    if model is Goal and focus_area_id is not None:
        return f"goals_order_in_focus_area_{focus_area_id}"
    return f"{name}_order"


def reorder_parts(
    *,
    session: Session,
    model: type[Any],
    parent: Plan | Persona | Organization,
    ids: list[int],
    actor: Actor,
    focus_area_id: int | None = None,
    subject: Any = None,
) -> list[Any]:
    """Put the live `model` parts of `parent` (goals: of `focus_area_id` in it, None for the
    plan's goals outside focus areas) in the order `ids` gives. Returns them in that order."""
    parent_field = {Persona: "persona_id", Organization: "organization_id"}.get(
        type(parent), "plan_id"
    )
    probe = model(**{parent_field: parent.id})
    if isinstance(probe, Goal):
        probe.focus_area_id = focus_area_id
    kind = kind_of(probe)
    place = place_of(session, probe)
    require(session, actor, Action.build, probe, kind=noun_of(kind, place.plan))
    siblings = list(
        session.exec(siblings_query(probe).order_by(col(model.position), col(model.id)))
    )
    before = [s.id for s in siblings]
    if len(ids) != len(set(ids)):
        raise ValidationFailed.one("ids", "names an item more than once")
    if set(ids) != set(before):
        missing = sorted(set(before) - set(ids))
        foreign = sorted(set(ids) - set(before))
        parts = []
        if missing:
            parts.append("leaves out " + ", ".join(map(str, missing)))
        if foreign:
            parts.append("names " + ", ".join(map(str, foreign)) + ", not among them")
        raise ValidationFailed.one(
            "ids", f"must list every one of the {len(before)} live items once: " + "; ".join(parts)
        )
    by_id = {s.id: s for s in siblings}
    if ids != before:
        for position, item_id in enumerate(ids):
            if by_id[item_id].position != position:
                session.execute(
                    update(model)
                    .where(col(model.id) == item_id)
                    .values(position=position)
                    .execution_options(synchronize_session=False)
                )
        for item in siblings:
            session.refresh(item)
        subject_type, subject_id, label = _recorded_as(parent, subject, before, ids)
        record_change(
            session=session,
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,  # type: ignore[arg-type]
            action=HistoryAction.update,
            changes={_order_field(model, focus_area_id): (before, ids)},
            label=label,
            plan_id=place.plan.id if place.plan else None,
            organization_id=place.organization_id,
        )
    return [by_id[i] for i in ids]


def _recorded_as(
    parent: Plan | Persona | Organization, subject: Any, before: list[Any], after: list[int]
) -> tuple[SubjectType, int, str]:
    """Which history subject a new order is filed under, and its label."""
    if isinstance(parent, Persona):
        return SubjectType.persona, parent.id, f"Persona: {parent.name}"  # type: ignore[return-value]
    if isinstance(parent, Plan):
        return SubjectType.plan, parent.id, f"Plan: {parent.title}"  # type: ignore[return-value]
    moved = subject.id if isinstance(subject, Department) else None
    if moved is None:
        moved = next(new for old, new in zip(before, after, strict=True) if old != new)
    return SubjectType.department, moved, f"Departments of {parent.name}"
