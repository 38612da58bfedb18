"""Building a plan's structure: add, change, archive and restore its statements, phases, focus
areas, goals, personas and journeys, and its organisation's departments.

Coordinators and administrators of the plan's organisation build (`Action.build`); restoring an
archived part is for administrators, as for every item. Every write goes to the history with its
before and after; a change names the version it was made from (409 with the newer value when
stale, through `save_changes`). Codes are unique within the plan (departments: the organisation),
archived parts included, as the database holds them. Their order is changed in plan_order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic as pd
from sqlalchemy import true
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryAction,
    Journey,
    Organization,
    Persona,
    Phase,
    Plan,
    Statement,
)
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor, record_change
from app.services.errors import FieldProblem, ValidationFailed

Part = Statement | Phase | FocusArea | Goal | Persona | Journey | Department
Parent = Plan | Persona | Organization


@dataclass(frozen=True)
class PartKind:
    model: type[Any]
    subject: SubjectType
    noun: str  # how a refusal names it, unless the plan's terminology renames it
    term: str | None  # the plan's terminology key ("focus_area"…)
    parent_field: str  # plan_id, persona_id or organization_id
    code_unique_in: str | None  # the column codes are unique within (None: no code)
    title_field: str
    # Pairs (first, last) of dates where last may not come before first.
    spans: tuple[tuple[str, str], ...] = ()


KINDS: dict[type[Any], PartKind] = {
    Statement: PartKind(
        Statement, SubjectType.statement, "statement", "statement", "plan_id", "plan_id", "title"
    ),
    Phase: PartKind(
        Phase, SubjectType.phase, "phase", None, "plan_id", "plan_id", "name", (("start", "end"),)
    ),
    FocusArea: PartKind(
        FocusArea,
        SubjectType.focus_area,
        "focus area",
        "focus_area",
        "plan_id",
        "plan_id",
        "title",
        (("active_from", "active_to"),),
    ),
    Goal: PartKind(Goal, SubjectType.goal, "goal", "goal", "plan_id", "plan_id", "title"),
    Persona: PartKind(Persona, SubjectType.persona, "persona", None, "plan_id", None, "name"),
    Journey: PartKind(Journey, SubjectType.journey, "journey", None, "persona_id", None, "title"),
    Department: PartKind(
        Department,
        SubjectType.department,
        "department",
        None,
        "organization_id",
        "organization_id",
        "name",
    ),
}


@dataclass(frozen=True)
class Place:
    """Where a part lives: its plan (none for departments) and its organisation."""

    plan: Plan | None
    organization_id: int


def kind_of(item: Any) -> PartKind:
    return KINDS[type(item)]


def place_of(session: Session, item: Any) -> Place:
    if isinstance(item, Department):
        return Place(None, item.organization_id)
    if isinstance(item, Journey):
        persona = session.get(Persona, item.persona_id)
        assert persona is not None
        return place_of(session, persona)
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    return Place(plan, plan.organization_id)


def noun_of(kind: PartKind, plan: Plan | None) -> str:
    if kind.term and plan is not None:
        return plan.term(kind.term).lower()
    return kind.noun


def label_of(session: Session, item: Any, place: Place) -> str:
    kind = kind_of(item)
    name = kind.term and place.plan and place.plan.term(kind.term) or kind.noun.capitalize()
    if isinstance(item, Journey):
        persona = session.get(Persona, item.persona_id)
        return f"Journey of {persona.name if persona else '?'}: {item.title}"
    title = getattr(item, kind.title_field)
    code = getattr(item, "code", None)
    return f"{name} {code}: {title}" if code else f"{name}: {title}"


def _problems(session: Session, item: Any, values: dict[str, Any], place: Place) -> None:
    """The rules a part's values must keep, each refusal naming its field."""
    kind = kind_of(item)
    problems: list[FieldProblem] = []
    code = values.get("code")
    if kind.code_unique_in and code is not None:
        model = kind.model
        scope = getattr(item, kind.code_unique_in)
        clash = session.exec(
            select(model.id).where(
                getattr(model, kind.code_unique_in) == scope,
                model.code == code,
                model.id != item.id if item.id is not None else true(),
            )
        ).first()
        if clash is not None:
            where = "organisation" if kind.code_unique_in == "organization_id" else "plan"
            problems.append(
                FieldProblem("code", f"{code} is already used in this {where} (archived included)")
            )
    for first, last in kind.spans:
        start, end = values.get(first), values.get(last)
        if start is not None and end is not None and end < start:
            problems.append(
                FieldProblem(last, f"{end} is before {first.replace('_', ' ')} {start}")
            )
    focus_area_id = values.get("focus_area_id")
    if isinstance(item, Goal) and focus_area_id is not None:
        area = session.get(FocusArea, focus_area_id)
        if area is None or area.plan_id != item.plan_id or area.archived_at is not None:
            problems.append(FieldProblem("focus_area_id", "no such focus area in this plan"))
    if problems:
        raise ValidationFailed(problems)


def siblings_query(item: Any) -> Any:
    """The live parts that share `item`'s parent (goals: also its focus area)."""
    kind = kind_of(item)
    model = kind.model
    query = select(model).where(
        getattr(model, kind.parent_field) == getattr(item, kind.parent_field),
        col(model.archived_at).is_(None),
    )
    if isinstance(item, Goal):
        query = query.where(Goal.focus_area_id == item.focus_area_id)
    return query


def _parent_values(parent: Parent) -> dict[str, Any]:
    if isinstance(parent, Plan):
        return {"plan_id": parent.id}
    if isinstance(parent, Persona):
        return {"persona_id": parent.id}
    return {"organization_id": parent.id}


def create_part(
    *, session: Session, model: type[Any], parent: Parent, data: pd.BaseModel, actor: Actor
) -> Any:
    """Add a part under `parent` (a plan; a persona for journeys; an organisation for
    departments), last among its siblings."""
    values = data.model_dump()
    item = model(**_parent_values(parent), **values)
    kind = kind_of(item)
    place = place_of(session, item)
    require(session, actor, Action.build, item, kind=noun_of(kind, place.plan))
    _problems(session, item, values, place)
    if hasattr(item, "position"):
        last = session.exec(
            siblings_query(item)
            .with_only_columns(col(model.position))
            .order_by(col(model.position).desc())
        ).first()
        item.position = (last if last is not None else -1) + 1
    session.add(item)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=kind.subject,
        subject_id=item.id,
        action=HistoryAction.create,
        changes={k: (None, v) for k, v in values.items() if v not in (None, "", [])},
        label=label_of(session, item, place),
        plan_id=place.plan.id if place.plan else None,
        organization_id=place.organization_id,
        version_after=item.version,
    )
    return item


def update_part(
    *, session: Session, item: Any, data: pd.BaseModel, actor: Actor, note: str = ""
) -> Any:
    """Change the fields `data` sets, if `item` is still at `data.version`."""
    kind = kind_of(item)
    place = place_of(session, item)
    require(session, actor, Action.build, item, kind=noun_of(kind, place.plan))
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    merged = {name: changes.get(name, getattr(item, name)) for name in changes}
    for first, last in kind.spans:
        merged[first] = changes.get(first, getattr(item, first))
        merged[last] = changes.get(last, getattr(item, last))
    _problems(session, item, merged, place)
    save_changes(
        session=session,
        item=item,
        expected_version=data.version,  # type: ignore[attr-defined]
        changes=changes,
        actor=actor,
        subject_type=kind.subject,
        label=label_of(session, item, place),
        plan_id=place.plan.id if place.plan else None,
        organization_id=place.organization_id,
        note=note,
    )
    return item


def set_part_archived(
    *, session: Session, item: Any, version: int, archived: bool, actor: Actor, note: str = ""
) -> Any:
    """Archive a part (it leaves lists; its history stays) or, administrators only, restore it."""
    kind = kind_of(item)
    place = place_of(session, item)
    noun = noun_of(kind, place.plan)
    require(session, actor, Action.build, item, kind=noun)
    if not archived:
        require(session, actor, Action.restore, item, kind=noun)
    save_changes(
        session=session,
        item=item,
        expected_version=version,
        changes={"archived_at": utcnow() if archived else None},
        actor=actor,
        subject_type=kind.subject,
        label=label_of(session, item, place),
        plan_id=place.plan.id if place.plan else None,
        organization_id=place.organization_id,
        action=HistoryAction.archive if archived else HistoryAction.restore,
        note=note,
    )
    return item
