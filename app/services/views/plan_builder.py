"""/plans/{slug}/build: the plan's outline for the people who build it (coordinators and
administrators of its organisation): statements, phases, focus areas with their goals and
strategies, the plan's metrics and quick wins, personas with their journeys, the organisation's
departments, and every archived part (restored by administrators).

The builder names a kind of part by its path ("statements", "focus-areas"…, PATHS); `get_part`
loads one of them by id within the plan (departments: within its organisation), 404 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Metric,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    User,
)
from app.models.base import is_live
from app.services.accounts.permissions import Action, can, require
from app.services.changes.history import Actor
from app.services.changes.plan_parts import KINDS, noun_of
from app.services.errors import NotFound, ValidationFailed

# The builder's kinds by the path that names them, in the order the page shows them.
PATHS: dict[str, type[Any]] = {
    "statements": Statement,
    "phases": Phase,
    "focus-areas": FocusArea,
    "goals": Goal,
    "personas": Persona,
    "journeys": Journey,
    "departments": Department,
}
PATH_OF = {model: path for path, model in PATHS.items()}


def model_of(kind: str) -> type[Any]:
    model = PATHS.get(kind)
    if model is None:
        raise NotFound(f"No kind of part '{kind[:40]}' to build.")
    return model


def noun(kind: str, plan: Plan) -> str:
    """How the page names a kind: the plan's own word where it has one ("recommendation")."""
    return noun_of(KINDS[model_of(kind)], plan)


def require_build(session: Session, user: User | None, plan: Plan) -> None:
    """401 for nobody, 403 with the reason for people who may not build this plan."""
    require(session, Actor(user=user), Action.build, plan, kind="plan")


def plan_of_part(session: Session, item: Any) -> int | None:
    """The plan a part belongs to (None: a department, the organisation's)."""
    if isinstance(item, Journey):
        persona = session.get(Persona, item.persona_id)
        return persona.plan_id if persona else None
    return getattr(item, "plan_id", None)


def get_part(session: Session, plan: Plan, kind: str, part_id: int, *, live: bool = True) -> Any:
    """Part `part_id` of kind `kind` in `plan` (a department: of its organisation); archived
    ones only when not `live`. 404 for anything else."""
    model = model_of(kind)
    item = session.get(model, part_id)
    if isinstance(item, Department):
        ours = item.organization_id == plan.organization_id
    else:
        ours = item is not None and plan_of_part(session, item) == plan.id
    if item is None or not ours or (live and item.archived_at is not None):
        raise NotFound(f"No such {noun(kind, plan)} in this plan.")
    return item


def parent_for(session: Session, plan: Plan, kind: str, persona_id: int | None) -> Any:
    """Where a new part of `kind` goes: the plan; a journey, the live persona of the plan it
    names (else 422 on `persona_id`); a department, the plan's organisation."""
    model = model_of(kind)
    if model is Department:
        return session.get(Organization, plan.organization_id)
    if model is not Journey:
        return plan
    persona = session.get(Persona, persona_id) if persona_id else None
    if persona is None or persona.plan_id != plan.id or persona.archived_at is not None:
        raise ValidationFailed.one("persona_id", "choose a persona of this plan")
    return persona


@dataclass
class AreaOutline:
    area: FocusArea
    goals: list[Goal] = field(default_factory=list)
    strategies: list[Strategy] = field(default_factory=list)


@dataclass
class PersonaOutline:
    persona: Persona
    journeys: list[Journey] = field(default_factory=list)


@dataclass
class Archived:
    kind: str  # the path: "goals"
    item: Any
    label: str


@dataclass
class Builder:
    plan: Plan
    statements: list[Statement]
    phases: list[Phase]
    areas: list[AreaOutline]
    loose_goals: list[Goal]  # goals outside any focus area
    loose_strategies: list[Strategy]  # strategies outside any focus area
    personas: list[PersonaOutline]
    departments: list[Department]
    metrics: list[Metric]
    quick_wins: list[QuickWin]
    archived: list[Archived]
    can_restore: bool


def _ordered(session: Session, model: type[Any], *where: Any) -> list[Any]:
    order = [col(model.position)] if hasattr(model, "position") else [col(model.code)]
    return list(session.exec(select(model).where(*where).order_by(*order, col(model.id))))


def title_of(item: Any) -> str:
    """A part as a list names it: its code and title."""
    kind = KINDS[type(item)]
    code = getattr(item, "code", None)
    title = getattr(item, kind.title_field)
    return f"{code} {title}" if code else title


def load_builder(session: Session, plan: Plan, user: User | None) -> Builder:
    """The plan's outline, for a person who may build it (else 401/403)."""
    require_build(session, user, plan)
    of_plan = {m: m.plan_id == plan.id for m in (Statement, Phase, FocusArea, Goal, Persona)}
    areas = [
        AreaOutline(a) for a in _ordered(session, FocusArea, of_plan[FocusArea], is_live(FocusArea))
    ]
    by_area = {a.area.id: a for a in areas}
    loose: list[Goal] = []
    for goal in _ordered(session, Goal, of_plan[Goal], is_live(Goal)):
        place = by_area.get(goal.focus_area_id)
        (place.goals if place else loose).append(goal)
    loose_strategies: list[Strategy] = []
    for strategy in _ordered(session, Strategy, Strategy.plan_id == plan.id, is_live(Strategy)):
        area = by_area.get(strategy.focus_area_id)
        (area.strategies if area else loose_strategies).append(strategy)
    personas = [
        PersonaOutline(p) for p in _ordered(session, Persona, of_plan[Persona], is_live(Persona))
    ]
    persona_ids = [p.persona.id for p in personas]
    for journey in _ordered(session, Journey, col(Journey.persona_id).in_(persona_ids)):
        for outline in personas:
            if outline.persona.id == journey.persona_id and journey.archived_at is None:
                outline.journeys.append(journey)
    all_persona_ids = select(Persona.id).where(of_plan[Persona])
    archived = [
        Archived(PATH_OF[model], item, title_of(item))
        for model, where in (
            *of_plan.items(),
            (Journey, col(Journey.persona_id).in_(all_persona_ids)),
            (Department, Department.organization_id == plan.organization_id),
        )
        for item in _ordered(session, model, where, col(model.archived_at).is_not(None))
    ]
    return Builder(
        plan=plan,
        statements=_ordered(session, Statement, of_plan[Statement], is_live(Statement)),
        phases=_ordered(session, Phase, of_plan[Phase], is_live(Phase)),
        areas=areas,
        loose_goals=loose,
        loose_strategies=loose_strategies,
        personas=personas,
        departments=_ordered(
            session,
            Department,
            Department.organization_id == plan.organization_id,
            is_live(Department),
        ),
        metrics=_ordered(session, Metric, Metric.plan_id == plan.id, is_live(Metric)),
        quick_wins=list(
            session.exec(
                select(QuickWin)
                .where(QuickWin.plan_id == plan.id, is_live(QuickWin))
                .order_by(col(QuickWin.number))
            )
        ),
        archived=archived,
        can_restore=can(session, user, Action.restore, plan, kind="plan"),
    )


def focus_areas(session: Session, plan: Plan) -> list[FocusArea]:
    """The plan's live focus areas, for a goal's choice of one."""
    return _ordered(session, FocusArea, FocusArea.plan_id == plan.id, is_live(FocusArea))


def personas(session: Session, plan: Plan) -> list[Persona]:
    """The plan's live personas, for a new journey's choice of one."""
    return _ordered(session, Persona, Persona.plan_id == plan.id, is_live(Persona))
