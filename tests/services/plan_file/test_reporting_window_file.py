"""A metric's reporting window in the plan file: stored, written back identically, left out
when not set (so older files mean what they meant: never late), and refused with its field
when outside 0–366."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Metric
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN

ANCHOR = "    direction: higher\n    department: CC\n"
WINDOW = TINY_PLAN.replace(
    ANCHOR, ANCHOR + "    frequency: quarterly\n    reporting_window_days: 45\n"
)


def _fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def test_the_window_is_stored_and_round_trips(
    session: Session, request: pytest.FixtureRequest
) -> None:
    assert WINDOW != TINY_PLAN
    import_plan_text(session=session, text=WINDOW, source="window.yaml")
    session.commit()
    assert (_fcr(session).frequency, _fcr(session).reporting_window_days) == ("quarterly", 45)
    first = export_plan_text(session=session, slug="testville-service")
    assert "reporting_window_days: 45" in first
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=first, source="export.yaml")
        other.commit()
        assert _fcr(other).reporting_window_days == 45
        assert export_plan_text(session=other, slug="testville-service") == first


def test_a_file_without_it_means_not_set_and_writes_none(session: Session) -> None:
    import_plan_text(session=session, text=TINY_PLAN, source="tiny.yaml")
    session.commit()
    assert _fcr(session).reporting_window_days is None
    assert "reporting_window_days" not in export_plan_text(
        session=session, slug="testville-service"
    )


def test_a_window_of_zero_is_kept(session: Session) -> None:
    text = TINY_PLAN.replace(
        ANCHOR, ANCHOR + "    frequency: monthly\n    reporting_window_days: 0\n"
    )
    import_plan_text(session=session, text=text, source="zero.yaml")
    session.commit()
    assert _fcr(session).reporting_window_days == 0
    assert "reporting_window_days: 0" in export_plan_text(session=session, slug="testville-service")


@pytest.mark.parametrize("value", ["367", "-1", "a month"])
def test_a_window_out_of_range_is_refused_by_field(session: Session, value: str) -> None:
    text = TINY_PLAN.replace(ANCHOR, ANCHOR + f"    reporting_window_days: {value}\n")
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(session=session, text=text, source="x")
    session.rollback()
    assert "metrics[0].reporting_window_days" in str(caught.value)
    assert session.exec(select(Metric)).first() is None
