"""Where a session's history entries are filed: under the one plan its scope covers, so the
organisation's people (who read the history of its plans) see them in the activity feed; a
session over several plans, or the whole organisation, files them under none. The pack's "what
changed" keeps to the plans' work, not the sessions' own entries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from app.models import FocusArea, HistoryEntry, Plan, User
from app.models.enums import Role, SubjectType
from app.models.sessions import DecisionCreate, SessionCreate, SessionUpdate
from app.services.changes.history import Actor
from app.services.sessions import writes
from app.services.sessions.pack import build_pack
from app.services.views.activity import ActivityFilters, load_feed
from tests.factories import TINY_PLAN, make_person, make_tiny_plan

SECOND = TINY_PLAN.replace("slug: testville-service", "slug: testville-second")

SESSION_KINDS = (SubjectType.session, SubjectType.decision)


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> User:
    return make_person(session, "coco", Role.coordinator)


def _entries(session: Session) -> list[HistoryEntry]:
    return list(
        session.exec(
            select(HistoryEntry)
            .where(col(HistoryEntry.subject_type).in_(SESSION_KINDS))
            .order_by(col(HistoryEntry.id))
        ).all()
    )


def test_one_plan_in_scope_files_the_entries_under_it_and_the_feed_shows_them(
    session: Session, plan: Plan, coordinator: User
) -> None:
    access = session.exec(
        select(FocusArea.id).where(FocusArea.plan_id == plan.id, FocusArea.code == "1")
    ).one()
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,
        data=SessionCreate.model_validate(
            {"held_on": "2025-03-01", "title": "Access", "focus_area_ids": [access]}
        ),
        actor=Actor(user=coordinator),
    )
    writes.add_decision(
        session=session, held=held, data=DecisionCreate(text="Go"), actor=Actor(user=coordinator)
    )
    session.commit()
    assert [e.plan_id for e in _entries(session)] == [plan.id, plan.id]
    lead = make_person(session, "cara", Role.lead, department="CC")
    feed = load_feed(session=session, user=lead, filters=ActivityFilters(plan=plan.slug))
    kinds = {a.entry.subject_type for a in feed.entries}
    assert {"session", "decision"} <= kinds


def test_several_plans_file_the_entries_under_none(
    session: Session, plan: Plan, coordinator: User
) -> None:
    second = make_tiny_plan(session, SECOND)
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,
        data=SessionCreate.model_validate(
            {"held_on": "2025-03-01", "title": "Both", "plan_ids": [plan.id]}
        ),
        actor=Actor(user=coordinator),
    )
    writes.update_session(
        session=session,
        held=held,
        data=SessionUpdate(version=1, plan_ids=[plan.id, second.id]),  # type: ignore[list-item]
        actor=Actor(user=coordinator),
    )
    session.commit()
    assert [e.plan_id for e in _entries(session)] == [plan.id, None]


def test_the_pack_leaves_the_sessions_own_entries_out_of_what_changed(
    session: Session, plan: Plan, coordinator: User
) -> None:
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,
        data=SessionCreate.model_validate(
            {"held_on": dt.date.today().isoformat(), "title": "Today", "plan_ids": [plan.id]}
        ),
        actor=Actor(user=coordinator),
    )
    writes.add_decision(
        session=session, held=held, data=DecisionCreate(text="Go"), actor=Actor(user=coordinator)
    )
    session.commit()
    assert {e.plan_id for e in _entries(session)} == {plan.id}  # in the window, of the plan
    kinds = {c["subject_type"] for c in build_pack(session, held)["changes"]}
    assert not kinds & {"session", "decision", "action_item"}
