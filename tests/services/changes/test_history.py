"""history.record_change keeps each strategy's and focus area's newest change on its row, as the
review reads it there instead of aggregating the whole history."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from app.models import FocusArea, HistoryEntry, Plan, QuickWin, Strategy, User, WorkplanStep
from app.models.enums import SubjectType
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.services.changes.history import Actor
from app.services.changes.quick_wins import record_quick_win_progress
from app.services.changes.strategies import add_step, record_strategy_progress, set_step_done
from tests.factories import begin_strategy, focus_area_narrative, make_person, make_tiny_plan


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def admin(session: Session, plan: Plan) -> Actor:
    user: User = make_person(session, "root", "admin")
    return Actor(user=user)


def strategy(session: Session, code: str) -> Strategy:
    session.expire_all()
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def newest_entry_at(session: Session, subject_type: SubjectType, subject_ids: list[int]):  # noqa: ANN201
    return session.exec(
        select(func.max(HistoryEntry.at)).where(
            HistoryEntry.subject_type == subject_type, col(HistoryEntry.subject_id).in_(subject_ids)
        )
    ).one()


def test_a_progress_update_stamps_its_strategy_and_no_other(session: Session, admin: Actor) -> None:
    assert strategy(session, "1.1").last_changed_at is None
    record_strategy_progress(
        session=session,
        strategy=strategy(session, "1.1"),
        actor=admin,
        data=ProgressUpdateIn(version=1, status="on_track", note="first"),
    )
    session.commit()
    changed = strategy(session, "1.1")
    assert changed.last_changed_at == newest_entry_at(session, SubjectType.strategy, [changed.id])
    assert changed.version == 2  # the stamp is not a change of its own
    assert strategy(session, "1.2").last_changed_at is None


def test_work_on_a_step_stamps_the_steps_strategy(session: Session, admin: Actor) -> None:
    target = strategy(session, "1.1")
    step = add_step(session=session, strategy=target, data=StepCreate(title="Train"), actor=admin)
    session.commit()
    added_at = strategy(session, "1.1").last_changed_at
    assert added_at == newest_entry_at(session, SubjectType.step, [step.id])

    sub_step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Post the job")).one()
    begin_strategy(session, target.id)  # Not started with progress is refused
    began_at = strategy(session, "1.1").last_changed_at
    set_step_done(session=session, step=sub_step, version=sub_step.version, done=True, actor=admin)
    session.commit()
    ticked_at = strategy(session, "1.1").last_changed_at
    assert ticked_at is not None and began_at is not None and ticked_at > began_at
    assert ticked_at == newest_entry_at(session, SubjectType.step, [sub_step.id])
    assert strategy(session, "1.2").last_changed_at is None


def test_a_focus_area_entry_stamps_the_focus_area(
    session: Session, plan: Plan, admin: Actor
) -> None:
    access = session.exec(select(FocusArea).where(FocusArea.title == "Access")).one()
    entry = focus_area_narrative(session, access, admin, "Going well.")
    session.commit()
    session.expire_all()
    assert session.get(FocusArea, access.id).last_changed_at == entry.at  # type: ignore[union-attr]
    assert strategy(session, "1.1").last_changed_at is None  # its strategies keep their own


def test_changes_to_other_items_stamp_no_strategy(session: Session, admin: Actor) -> None:
    quick_win = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    record_quick_win_progress(
        session=session,
        quick_win=quick_win,
        actor=admin,
        data=QuickWinProgressIn(version=quick_win.version, status="complete"),
    )
    session.commit()
    session.expire_all()
    assert session.exec(select(Strategy.last_changed_at)).all() == [None, None]
    assert session.exec(select(FocusArea.last_changed_at)).all() == [None, None]
