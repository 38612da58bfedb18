"""Every seed imports, carries the period its source states (or none), and that period is what
refuses a due date outside it (issue 8: San José, adopted 2023-03-07, "three- and one-half
years")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import Plan, Strategy
from app.models.strategy import StepCreate
from app.services.changes import strategies
from app.services.changes.history import SYSTEM
from app.services.errors import ValidationFailed
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR

PERIODS = {
    "san-jose-customer-service": (dt.date(2023, 3, 7), dt.date(2026, 9, 6)),
    "mississauga-customer-service-strategy": (dt.date(2018, 1, 1), dt.date(2021, 12, 31)),
    "charlotte-county-customer-informed-organization": (None, None),
    "dcx-311-strategic-plan": (None, None),
    "philadelphia-customer-service-officers-program": (None, None),
    "philadelphia-fleet-management-customer-service": (None, None),
}


def test_every_seed_imports_with_the_period_its_source_states(session: Session) -> None:
    for path in sorted(SEEDS_DIR.glob("*.yaml")):
        import_plan_path(session=session, path=path)
    session.commit()
    plans = session.exec(select(Plan)).all()
    assert {p.slug: (p.period_start, p.period_end) for p in plans} == PERIODS


def test_san_joses_period_refuses_a_due_date_after_it(session: Session) -> None:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    rec = session.exec(select(Strategy).where(Strategy.code == "3.1")).one()
    with pytest.raises(ValidationFailed) as caught:
        strategies.add_step(
            session=session,
            strategy=rec,
            data=StepCreate(title="Late", due=dt.date(2026, 12, 1)),
            actor=SYSTEM,
        )
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("due", "2026-12-01 is after the plan's period ends (2026-09-06)")
    ]
    session.rollback()
    step = strategies.add_step(
        session=session,
        strategy=rec,
        data=StepCreate(title="In time", due=dt.date(2026, 9, 6)),
        actor=SYSTEM,
    )
    assert step.due == dt.date(2026, 9, 6)
    session.rollback()
