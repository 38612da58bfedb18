"""services.changes.plan_parts and plan_order: building a plan's structure, checked on the
services themselves (the API's tests go through HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic as pd
import pytest
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Journey,
    Organization,
    Persona,
    Phase,
    Plan,
    Statement,
)
from app.models.building import (
    DepartmentCreate,
    DepartmentUpdate,
    FocusAreaCreate,
    FocusAreaUpdate,
    GoalCreate,
    GoalUpdate,
    JourneyCreate,
    JourneyUpdate,
    PersonaCreate,
    PersonaUpdate,
    PhaseCreate,
    PhaseUpdate,
    StatementCreate,
    StatementUpdate,
)
from app.models.enums import Role
from app.services.changes.history import Actor
from app.services.changes.plan_order import reorder_parts
from app.services.changes.plan_parts import create_part, set_part_archived, update_part
from app.services.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tests.factories import TINY_PLAN, make_person, make_tiny_plan

OTHER = TINY_PLAN.replace(
    "organization: {name: City of Testville, slug: testville}",
    "organization: {name: Town of Otherton, slug: otherton}",
).replace("slug: testville-service", "slug: otherton-service")


@dataclass(frozen=True)
class Kind:
    model: type[Any]
    subject: str
    create: pd.BaseModel
    update: type[pd.BaseModel]
    title: str
    parent: str = "plan"


KINDS = [
    Kind(Statement, "statement", StatementCreate(kind="value", code="9", title="Fair"),
         StatementUpdate, "title"),
    Kind(Phase, "phase", PhaseCreate(code="9", name="Phase 9"), PhaseUpdate, "name"),
    Kind(FocusArea, "focus_area", FocusAreaCreate(code="9", title="Trust"), FocusAreaUpdate,
         "title"),
    Kind(Goal, "goal", GoalCreate(code="G9", title="Trusted"), GoalUpdate, "title"),
    Kind(Persona, "persona", PersonaCreate(name="Visitor"), PersonaUpdate, "name"),
    Kind(Journey, "journey", JourneyCreate(title="Find parking"), JourneyUpdate, "title",
         parent="persona"),
    Kind(Department, "department", DepartmentCreate(code="LIB", name="Libraries"),
         DepartmentUpdate, "name", parent="organization"),
]  # fmt: skip
IDS = [k.subject for k in KINDS]


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


def actor(session: Session, role: str, organization: str = "testville", **kw: Any) -> Actor:
    name = f"{role}-{organization}-{kw.get('department', '')}".lower()
    return Actor(user=make_person(session, name, role, organization=organization, **kw))


def parent_of(session: Session, plan: Plan, kind: Kind) -> Any:
    if kind.parent == "persona":
        return session.exec(select(Persona).where(Persona.plan_id == plan.id)).one()
    if kind.parent == "organization":
        return session.get(Organization, plan.organization_id)
    return plan


def entries(session: Session, subject: str, subject_id: int) -> list[tuple[str, dict]]:
    out = []
    for entry in session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == subject, HistoryEntry.subject_id == subject_id)
        .order_by(col(HistoryEntry.id))
    ):
        fields = session.exec(select(HistoryField).where(HistoryField.entry_id == entry.id))
        out.append((entry.action, {f.field: (f.before, f.after) for f in fields}))
    return out


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_create_update_stale_archive_restore(session: Session, plan: Plan, kind: Kind) -> None:
    admin = actor(session, Role.admin)
    item = create_part(
        session=session,
        model=kind.model,
        parent=parent_of(session, plan, kind),
        data=kind.create,
        actor=admin,
    )
    assert (item.version, item.archived_at) == (1, None)
    update_part(
        session=session, item=item, data=kind.update(version=1, **{kind.title: "New"}), actor=admin
    )
    assert (getattr(item, kind.title), item.version) == ("New", 2)
    with pytest.raises(Conflict) as stale:
        update_part(
            session=session,
            item=item,
            data=kind.update(version=1, **{kind.title: "Old"}),
            actor=admin,
        )
    assert stale.value.current == {"version": 2, kind.title: "New"}
    set_part_archived(session=session, item=item, version=2, archived=True, actor=admin)
    assert item.archived_at is not None
    set_part_archived(session=session, item=item, version=3, archived=False, actor=admin)
    assert (item.archived_at, item.version) == (None, 4)
    history = entries(session, kind.subject, item.id)
    assert [action for action, _ in history] == ["create", "update", "archive", "restore"]
    assert history[1][1] == {kind.title: (getattr(kind.create, kind.title), "New")}


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_who_may_build(session: Session, plan: Plan, kind: Kind) -> None:
    make_tiny_plan(session, OTHER)
    parent = parent_of(session, plan, kind)
    coordinator = actor(session, Role.coordinator)
    item = create_part(
        session=session, model=kind.model, parent=parent, data=kind.create, actor=coordinator
    )
    count = len(session.exec(select(kind.model.id)).all())
    refusals = {
        "lead": (actor(session, Role.lead, department="CC"), PermissionDenied),
        "viewer": (actor(session, Role.viewer), PermissionDenied),
        "outsider": (actor(session, Role.coordinator, organization="otherton"), PermissionDenied),
        "outside admin": (actor(session, Role.admin, organization="otherton"), PermissionDenied),
        "anonymous": (Actor(), NotAuthenticated),
    }
    for who, (person, error) in refusals.items():
        with pytest.raises(error):
            update_part(
                session=session,
                item=item,
                data=kind.update(version=1, **{kind.title: who}),
                actor=person,
            )
        with pytest.raises(error):
            set_part_archived(session=session, item=item, version=1, archived=True, actor=person)
    assert len(session.exec(select(kind.model.id)).all()) == count
    assert getattr(item, kind.title) == getattr(kind.create, kind.title)
    set_part_archived(session=session, item=item, version=1, archived=True, actor=coordinator)
    with pytest.raises(PermissionDenied, match="Only an administrator can restore"):
        set_part_archived(session=session, item=item, version=2, archived=False, actor=coordinator)


def test_an_installation_admin_builds_anywhere(session: Session, plan: Plan) -> None:
    root = make_person(session, "root", Role.admin)
    root.is_installation_admin, root.organization_id = True, None
    session.commit()
    made = create_part(
        session=session,
        model=Statement,
        parent=plan,
        data=StatementCreate(kind="value", title="Open"),
        actor=Actor(user=root),
    )
    assert made.plan_id == plan.id


def test_rules_name_their_fields(session: Session, plan: Plan) -> None:
    admin = actor(session, Role.admin)
    cases = [
        (Statement, StatementCreate(kind="value", code="1", title="Again"), "code"),
        (Phase, PhaseCreate(code="1", name="Again"), "code"),
        (FocusArea, FocusAreaCreate(code="2", title="Again"), "code"),
        (Goal, GoalCreate(code="G1", title="Again"), "code"),
        (Goal, GoalCreate(code="G7", title="Nowhere", focus_area_id=99_999), "focus_area_id"),
        (
            FocusArea,
            FocusAreaCreate(
                code="7", title="Backwards", active_from="2025-02-01", active_to="2025-01-01"
            ),
            "active_to",
        ),
    ]
    for model, data, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            create_part(session=session, model=model, parent=plan, data=data, actor=admin)
        assert [p.field for p in refused.value.problems] == [field], data
    phase = session.exec(select(Phase).where(Phase.plan_id == plan.id)).one()
    with pytest.raises(ValidationFailed) as refused:
        update_part(
            session=session,
            item=phase,
            data=PhaseUpdate(version=phase.version, end="2023-01-01"),
            actor=admin,
        )
    assert [p.field for p in refused.value.problems] == ["end"]
    org = session.get(Organization, plan.organization_id)
    with pytest.raises(ValidationFailed):
        create_part(
            session=session,
            model=Department,
            parent=org,
            data=DepartmentCreate(code="PW", name="Again"),
            actor=admin,
        )


def test_an_archived_code_is_still_taken(session: Session, plan: Plan) -> None:
    admin = actor(session, Role.admin)
    statement = session.exec(select(Statement).where(Statement.plan_id == plan.id)).one()
    set_part_archived(session=session, item=statement, version=1, archived=True, actor=admin)
    with pytest.raises(ValidationFailed, match="archived included"):
        create_part(
            session=session,
            model=Statement,
            parent=plan,
            data=StatementCreate(kind="value", code="1", title="Again"),
            actor=admin,
        )


def test_new_parts_come_last_and_reorder_is_recorded(session: Session, plan: Plan) -> None:
    coordinator = actor(session, Role.coordinator)
    first = session.exec(select(Phase).where(Phase.plan_id == plan.id)).one()
    made = [
        create_part(
            session=session,
            model=Phase,
            parent=plan,
            data=PhaseCreate(code=f"P{n}", name=f"P{n}"),
            actor=coordinator,
        )
        for n in range(2)
    ]
    assert [p.position for p in made] == [first.position + 1, first.position + 2]
    order = [made[1].id, first.id, made[0].id]
    versions = [p.version for p in (first, *made)]
    result = reorder_parts(session=session, model=Phase, parent=plan, ids=order, actor=coordinator)
    assert [p.id for p in result] == order
    assert [p.position for p in result] == [0, 1, 2]
    assert [p.version for p in (first, *made)] == versions  # a move does not make edits stale
    history = entries(session, "plan", plan.id)  # type: ignore[arg-type]
    assert history[-1] == ("update", {"phases_order": ([first.id, made[0].id, made[1].id], order)})
    # The same order again changes nothing and records nothing.
    reorder_parts(session=session, model=Phase, parent=plan, ids=order, actor=coordinator)
    assert len(entries(session, "plan", plan.id)) == len(history)  # type: ignore[arg-type]


def test_reorder_refusals(session: Session, plan: Plan) -> None:
    admin = actor(session, Role.admin)
    lead = actor(session, Role.lead, department="CC")
    area_ids = list(session.exec(select(FocusArea.id).where(FocusArea.plan_id == plan.id)))
    with pytest.raises(PermissionDenied):
        reorder_parts(session=session, model=FocusArea, parent=plan, ids=area_ids, actor=lead)
    with pytest.raises(ValidationFailed, match="leaves out"):
        reorder_parts(session=session, model=FocusArea, parent=plan, ids=area_ids[:1], actor=admin)
    with pytest.raises(ValidationFailed, match="more than once"):
        reorder_parts(
            session=session,
            model=FocusArea,
            parent=plan,
            ids=[*area_ids, area_ids[0]],
            actor=admin,
        )
    # An archived focus area is not among the siblings.
    area = session.get(FocusArea, area_ids[0])
    set_part_archived(session=session, item=area, version=area.version, archived=True, actor=admin)
    with pytest.raises(ValidationFailed, match="names"):
        reorder_parts(session=session, model=FocusArea, parent=plan, ids=area_ids, actor=admin)
    reorder_parts(session=session, model=FocusArea, parent=plan, ids=area_ids[1:], actor=admin)


def test_archived_parts_leave_the_tree_and_the_plan_file(session: Session, plan: Plan) -> None:
    from app.services.plan_file.exporting import export_plan_text
    from app.services.reading.plan_tree import load_plan_tree

    admin = actor(session, Role.admin)
    for model in (Statement, Phase, Persona):
        item = session.exec(select(model).where(model.plan_id == plan.id)).one()
        set_part_archived(session=session, item=item, version=1, archived=True, actor=admin)
    session.commit()
    tree = load_plan_tree(session=session, plan=plan, internal=True)
    assert (tree.statements, tree.phases, tree.personas) == ([], [], [])
    text = export_plan_text(session=session, slug=plan.slug)
    assert "Timely" not in text and "New resident" not in text and "Phase 1" not in text
