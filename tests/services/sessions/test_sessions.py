"""Performance sessions (issue 11): the pack's changes window, the frozen pack, action items
carried from session to session until done, permissions, history and stale edits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    HistoryEntry,
    HistoryField,
    PerformanceSession,
    Plan,
    Strategy,
    User,
)
from app.models.enums import Role
from app.models.sessions import (
    ActionItemCreate,
    ActionItemUpdate,
    SessionClose,
    SessionCreate,
)
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.errors import Conflict, PermissionDenied, ValidationFailed
from app.services.sessions import reading, writes
from app.services.sessions.pack import build_pack
from tests.factories import make_person, make_tiny_plan


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> User:
    return make_person(session, "coco", Role.coordinator)


def _dept(session: Session, code: str) -> int:
    return session.exec(select(Department.id).where(Department.code == code)).one()  # type: ignore[return-value]


def _strategy(session: Session, code: str) -> Strategy:
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def _schedule(
    session: Session, user: User, day: str, title: str, **scope: object
) -> PerformanceSession:
    data = SessionCreate(held_on=dt.date.fromisoformat(day), title=title, **scope)  # type: ignore[arg-type]
    held = writes.schedule_session(
        session=session, organization_id=user.organization_id, data=data, actor=Actor(user=user)
    )
    session.commit()
    return held


def _known_history(session: Session, plan: Plan) -> None:
    """Changes to strategy 1.1 (focus area Access) before, on and after the sessions' days."""
    s11 = _strategy(session, "1.1")
    for label, at in (
        ("before the previous session", "2025-02-15T10:00:00"),
        ("on the previous session's day", "2025-03-01T15:00:00"),
        ("between the sessions", "2025-03-10T09:30:00"),
        ("on this session's day", "2025-04-01T08:00:00"),
        ("after this session's day", "2025-04-02T00:00:00"),
    ):
        session.add(
            HistoryEntry(
                organization_id=plan.organization_id,
                plan_id=plan.id,
                subject_type="strategy",
                subject_id=s11.id,  # type: ignore[arg-type]
                subject_label=label,
                action="progress",
                actor_name="Cara",
                at=_at(at),
            )
        )
    session.commit()


def test_the_pack_lists_exactly_the_changes_since_the_previous_session(
    session: Session, plan: Plan, coordinator: User
) -> None:
    _known_history(session, plan)
    first = _schedule(session, coordinator, "2025-03-01", "March review")
    second = _schedule(session, coordinator, "2025-04-01", "April review")
    assert second.follows_id == first.id  # the previous session in scope, by default
    pack = build_pack(session, second)
    assert [c["label"] for c in pack["changes"]] == [
        "between the sessions",
        "on this session's day",
    ]
    assert pack["follows"]["id"] == first.id
    # A session scoped to another focus area sees none of strategy 1.1's changes.
    tools = session.exec(select(FocusArea.id).where(FocusArea.title == "Tools")).one()
    narrow = _schedule(
        session,
        coordinator,
        "2025-04-01",
        "Tools only",
        focus_area_ids=[tools],
        follows_id=first.id,
    )
    narrow_pack = build_pack(session, narrow)
    assert narrow_pack["changes"] == []
    assert [fa["title"] for fa in narrow_pack["focus_areas"]] == ["Tools"]


def test_the_default_previous_session_is_the_latest_that_overlaps(
    session: Session, plan: Plan, coordinator: User
) -> None:
    access, tools = session.exec(
        select(FocusArea.id).order_by(col(FocusArea.position), col(FocusArea.id))
    ).all()
    cc, pw = _dept(session, "CC"), _dept(session, "PW")
    on_cc = _schedule(session, coordinator, "2025-01-10", "CC", department_ids=[cc])
    _schedule(session, coordinator, "2025-02-10", "PW", department_ids=[pw])
    again_cc = _schedule(session, coordinator, "2025-03-10", "CC again", department_ids=[cc])
    assert again_cc.follows_id == on_cc.id
    # Focus areas of one plan overlap through their plan.
    a = _schedule(session, coordinator, "2025-05-01", "Access", focus_area_ids=[access])
    t = _schedule(session, coordinator, "2025-06-01", "Tools", focus_area_ids=[tools])
    assert t.follows_id == a.id


def test_a_closed_sessions_pack_is_frozen_as_presented(
    session: Session, plan: Plan, coordinator: User
) -> None:
    today = dt.date.today().isoformat()
    held = _schedule(session, coordinator, today, "Today")
    writes.close_session(
        session=session,
        held=held,
        data=SessionClose(version=held.version),
        actor=Actor(user=coordinator),
    )
    session.commit()
    frozen = reading.pack_of(session, held)
    access = next(fa for fa in frozen["focus_areas"] if fa["title"] == "Access")
    assert access["headline"] != "off_track"
    # The plan changes after the session: strategy 1.2 goes off track.
    s12 = _strategy(session, "1.2")
    record_strategy_progress(
        session=session,
        strategy=s12,
        data=ProgressUpdateIn(version=s12.version, status="off_track"),
        actor=Actor(user=coordinator),
    )
    session.commit()
    session.expire_all()
    live = next(fa for fa in build_pack(session, held)["focus_areas"] if fa["title"] == "Access")
    assert live["headline"] == "off_track"
    stored = session.get(PerformanceSession, held.id)
    assert stored is not None and stored.status == "closed"
    again = reading.pack_of(session, stored)
    assert again == frozen
    assert next(fa for fa in again["focus_areas"] if fa["title"] == "Access") == access
    # Closed means closed: closing again is refused.
    with pytest.raises(ValidationFailed):
        writes.close_session(
            session=session,
            held=stored,
            data=SessionClose(version=stored.version),
            actor=Actor(user=coordinator),
        )


def test_open_action_items_return_in_the_next_pack_until_done(
    session: Session, plan: Plan, coordinator: User
) -> None:
    cc_lead = make_person(session, "cara", Role.lead, department="CC")
    first = _schedule(session, coordinator, "2025-03-01", "March")
    item = writes.add_action_item(
        session=session,
        held=first,
        data=ActionItemCreate(what="Hire two agents", department_id=_dept(session, "CC")),
        actor=Actor(user=coordinator),
    )
    session.commit()
    second = _schedule(session, coordinator, "2025-04-01", "April")
    assert [a["what"] for a in build_pack(session, second)["open_actions"]] == ["Hire two agents"]
    # Not carried into the pack of the session that raised it.
    assert build_pack(session, first)["open_actions"] == []
    writes.update_action_item(
        session=session,
        item=item,
        data=ActionItemUpdate(version=item.version, status="in_progress"),  # type: ignore[arg-type]
        actor=Actor(user=cc_lead),
    )
    session.commit()
    assert [a["status"] for a in build_pack(session, second)["open_actions"]] == ["in_progress"]
    writes.update_action_item(
        session=session,
        item=item,
        data=ActionItemUpdate(version=item.version, status="done"),  # type: ignore[arg-type]
        actor=Actor(user=cc_lead),
    )
    session.commit()
    assert build_pack(session, second)["open_actions"] == []
    # Its history: created, then each status with before and after.
    entries = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == "action_item", HistoryEntry.subject_id == item.id)
        .order_by(col(HistoryEntry.id))
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    last = session.exec(select(HistoryField).where(HistoryField.entry_id == entries[-1].id)).one()
    assert (last.field, last.before, last.after) == ("status", "in_progress", "done")


def test_who_may_do_what(session: Session, plan: Plan, coordinator: User) -> None:
    viewer = make_person(session, "vic", Role.viewer)
    cc_lead = make_person(session, "cara", Role.lead, department="CC")
    pw_lead = make_person(session, "pete", Role.lead, department="PW")
    data = SessionCreate(held_on=dt.date(2025, 3, 1), title="Nope")
    for who in (viewer, cc_lead):
        with pytest.raises(PermissionDenied):
            writes.schedule_session(
                session=session,
                organization_id=plan.organization_id,
                data=data,
                actor=Actor(user=who),
            )
    held = _schedule(session, coordinator, "2025-03-01", "March")
    item = writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(what="Fix the IVR", department_id=_dept(session, "CC")),
        actor=Actor(user=coordinator),
    )
    session.commit()
    with pytest.raises(PermissionDenied):  # a lead does not record outcomes
        writes.add_action_item(
            session=session,
            held=held,
            data=ActionItemCreate(what="Mine", department_id=_dept(session, "CC")),
            actor=Actor(user=cc_lead),
        )
    with pytest.raises(PermissionDenied):  # another department's action item
        writes.update_action_item(
            session=session,
            item=item,
            data=ActionItemUpdate(version=1, status="done"),  # type: ignore[arg-type]
            actor=Actor(user=pw_lead),
        )
    with pytest.raises(PermissionDenied):  # the owner's lead changes its status, not its words
        writes.update_action_item(
            session=session,
            item=item,
            data=ActionItemUpdate(version=1, what="Something else"),
            actor=Actor(user=cc_lead),
        )
    session.rollback()
    writes.update_action_item(
        session=session,
        item=item,
        data=ActionItemUpdate(version=1, status="done"),  # type: ignore[arg-type]
        actor=Actor(user=cc_lead),
    )
    session.commit()
    with pytest.raises(Conflict):  # a stale edit: version 1 was changed
        writes.update_action_item(
            session=session,
            item=item,
            data=ActionItemUpdate(version=1, status="open"),  # type: ignore[arg-type]
            actor=Actor(user=coordinator),
        )


def test_scope_must_be_the_organisations(session: Session, plan: Plan, coordinator: User) -> None:
    data = SessionCreate(
        held_on=dt.date(2025, 3, 1), title="Odd", plan_ids=[999_999], department_ids=[888_888]
    )
    with pytest.raises(ValidationFailed) as refused:
        writes.schedule_session(
            session=session,
            organization_id=plan.organization_id,
            data=data,
            actor=Actor(user=coordinator),
        )
    assert {p.field for p in refused.value.problems} == {"plan_ids", "department_ids"}
