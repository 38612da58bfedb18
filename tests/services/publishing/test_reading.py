"""approved_updates: what the public pages read, in one query whatever the plan's size, and
never a draft."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event
from sqlmodel import Session, select

from app.models import QuickWin, Strategy
from app.models.publishing import PublicSubject, PublicUpdateDecision, PublicUpdateDraft
from app.services.changes.history import Actor
from app.services.publishing import updates
from app.services.publishing.reading import ApprovedUpdate, approved_updates
from tests.factories import make_tiny_plan

CLI = Actor(name="test")


def _approve(session: Session, plan, kind: PublicSubject, item_id: int, text: str) -> None:  # type: ignore[no-untyped-def]
    t = updates.target(session=session, plan=plan, subject_type=kind, subject_id=item_id)
    version = t.update.version if t.update else None
    made = updates.save_draft(
        session=session, t=t, data=PublicUpdateDraft(version=version, text=text, submit=True),
        actor=CLI,
    )  # fmt: skip
    t = updates.target(session=session, plan=plan, subject_type=kind, subject_id=item_id)
    updates.approve(
        session=session, t=t, data=PublicUpdateDecision(version=made.version), actor=CLI
    )


def test_approved_updates_are_keyed_by_subject_and_never_hold_a_draft(session: Session) -> None:
    plan = make_tiny_plan(session)
    strategies = session.exec(select(Strategy).order_by(Strategy.id)).all()
    win = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    _approve(session, plan, PublicSubject.strategy, strategies[0].id, "Approved words.")  # type: ignore[arg-type]
    _approve(session, plan, PublicSubject.quick_win, win.id, "Quick words.")  # type: ignore[arg-type]
    t = updates.target(
        session=session, plan=plan, subject_type=PublicSubject.strategy,
        subject_id=strategies[0].id,  # type: ignore[arg-type]
    )  # fmt: skip
    assert t.update is not None
    data = PublicUpdateDraft(version=t.update.version, text="A later draft.")
    updates.save_draft(session=session, t=t, data=data, actor=CLI)
    only_draft = updates.target(
        session=session, plan=plan, subject_type=PublicSubject.strategy,
        subject_id=strategies[1].id,  # type: ignore[arg-type]
    )  # fmt: skip
    updates.save_draft(
        session=session, t=only_draft, data=PublicUpdateDraft(text="Never public."), actor=CLI
    )
    session.commit()

    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        found = approved_updates(session, plan.id)  # type: ignore[arg-type]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert set(found) == {("strategy", strategies[0].id), ("quick_win", win.id)}
    approved = found[("strategy", strategies[0].id)]  # type: ignore[index]
    assert isinstance(approved, ApprovedUpdate)
    assert approved.text == "Approved words."
    assert isinstance(approved.approved_at, dt.datetime)
    assert found[("quick_win", win.id)].text == "Quick words."  # type: ignore[index]
