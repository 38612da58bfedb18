"""Each organisation's change count (issue 14): it moves once at every commit that wrote the
organisation's history, so a kept page never outlives a write, even one whose history entry took
a lower id than a write that committed before it (PostgreSQL's sequences)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from app.models import Organization, Plan, Strategy
from app.models.enums import Role, SubjectType
from app.models.history import HistoryAction
from app.services.changes import history
from tests.conftest import BACKEND, own_engine
from tests.factories import make_person, make_tiny_plan, signed_in_client


def counts(session: Session) -> dict[int, int]:
    session.expire_all()
    return dict(
        session.execute(text("SELECT organization_id, changes FROM organization_changes")).all()
    )


def note(
    session: Session,
    label: str,
    *,
    plan: Plan | None = None,
    organization_id: int | None = None,
    item: int = 0,
) -> None:
    """A history entry about the plan's `item`th strategy (two writers at once: two items)."""
    strategy = session.exec(select(Strategy).order_by(Strategy.id).offset(item)).first()
    assert strategy is not None
    history.record_change(
        session=session,
        actor=history.SYSTEM,
        subject_type=SubjectType.strategy,
        subject_id=strategy.id or 0,
        action=HistoryAction.update,
        note=label,
        label=label,
        plan_id=plan.id if plan else None,
        organization_id=organization_id,
    )


def test_each_commit_that_writes_history_counts_once_for_its_organisation(session: Session) -> None:
    plan = make_tiny_plan(session)
    before = counts(session).get(plan.organization_id, 0)
    assert before > 0  # importing the plan wrote its history

    note(session, "one", plan=plan)  # a plan's entry: counted for the plan's organisation
    note(session, "two", plan=plan)
    session.commit()
    assert counts(session)[plan.organization_id] == before + 1

    note(session, "three", organization_id=plan.organization_id)
    session.rollback()  # nothing was changed: nothing is counted
    session.commit()
    assert counts(session)[plan.organization_id] == before + 1


def test_a_transaction_over_two_organisations_counts_each(session: Session) -> None:
    plan = make_tiny_plan(session)
    other = Organization(name="Elsewhere", slug="elsewhere")
    session.add(other)
    session.commit()
    before = counts(session)
    note(session, "here", plan=plan)
    note(session, "there", organization_id=other.id)
    session.commit()
    after = counts(session)
    assert after[plan.organization_id] == before[plan.organization_id] + 1
    assert after[other.id or 0] == before.get(other.id or 0, 0) + 1


if BACKEND == "postgresql":
    # Only PostgreSQL lets a second writer commit while the first holds an uncommitted entry
    # (SQLite runs one writer at a time, so its ids are in commit order).

    def test_a_write_committed_after_a_later_numbered_one_is_on_the_next_read(
        session: Session, database_url: str
    ) -> None:
        plan = make_tiny_plan(session)
        coordinator = make_person(session, "coco-ordinator", Role.coordinator)
        session.expire_all()
        reader, _ = signed_in_client(session, coordinator)
        first, second = Session(own_engine(database_url)), Session(own_engine(database_url))
        try:
            organisation = plan.organization_id  # as every write of an item names both
            note(first, "first-writer-entry", plan=plan, organization_id=organisation)
            first.flush()  # its entry has taken the lower id, not yet committed
            note(second, "second-writer-entry", plan=plan, organization_id=organisation, item=1)
            second.commit()

            page = reader.get("/activity").text  # kept under the stamp of this moment
            assert "second-writer-entry" in page and "first-writer-entry" not in page
            first.commit()
            assert "first-writer-entry" in reader.get("/activity").text
        finally:
            first.close()
            second.close()
