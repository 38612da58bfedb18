"""Two things the builder now keeps travel in the plan file: the organisation's order of its
departments (the order they are written in) and a quick win's planned dates. Export → import →
export gives the same text; a quick win's end before its start is refused with line and field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from app.models import Department, Organization, QuickWin
from app.services.changes import plan_order
from app.services.changes.history import Actor
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN

QW1 = "department: CC}"
DATED = TINY_PLAN.replace(
    QW1, QW1[:-1] + ", planned_start: 2025-03-03, planned_end: 2025-04-30}", 1
)


def _codes(session: Session) -> list[str]:
    rows = session.exec(select(Department).order_by(col(Department.position), Department.code))
    return [d.code for d in rows]


def _in_another_database(request: pytest.FixtureRequest, text: str) -> tuple[str, list[str]]:
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=text, source="export.yaml")
        other.commit()
        return export_plan_text(session=other, slug="testville-service"), _codes(other)


def test_the_departments_order_is_the_files_and_round_trips(
    session: Session, request: pytest.FixtureRequest
) -> None:
    import_plan_text(session=session, text=DATED, source="tiny.yaml")
    session.commit()
    assert _codes(session) == ["CC", "PW"]
    org = session.exec(select(Organization)).one()
    pw, cc = (
        session.exec(select(Department.id).where(Department.code == c)).one() for c in ["PW", "CC"]
    )
    plan_order.reorder_parts(
        session=session, model=Department, parent=org, ids=[pw, cc], actor=Actor(name="t")
    )
    session.commit()
    first = export_plan_text(session=session, slug="testville-service")
    assert first.index("code: PW") < first.index("code: CC")
    again, codes = _in_another_database(request, first)
    assert codes == ["PW", "CC"]
    assert again == first


def test_quick_win_dates_are_stored_and_round_trip(
    session: Session, request: pytest.FixtureRequest
) -> None:
    import_plan_text(session=session, text=DATED, source="tiny.yaml")
    session.commit()
    qw1 = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    assert (qw1.planned_start, qw1.planned_end) == (dt.date(2025, 3, 3), dt.date(2025, 4, 30))
    first = export_plan_text(session=session, slug="testville-service")
    assert "planned_start: 2025-03-03" in first and "planned_end: 2025-04-30" in first
    again, _ = _in_another_database(request, first)
    assert again == first


def test_a_quick_win_ending_before_it_starts_is_refused_by_field(session: Session) -> None:
    bad = TINY_PLAN.replace(
        QW1, QW1[:-1] + ", planned_start: 2025-05-01, planned_end: 2025-04-30}", 1
    )
    with pytest.raises(PlanFileError) as refused:
        import_plan_text(session=session, text=bad, source="bad.yaml")
    assert "quick_wins[0].planned_end" in str(refused.value)
    assert session.exec(select(QuickWin)).first() is None
