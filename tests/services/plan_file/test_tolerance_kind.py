"""A metric's at-risk band read as a share of its target, in the plan file: stored, written
back identically, left out when absolute (so older files mean what they meant), and refused
with line and field above 100%."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Metric
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN

ANCHOR = "    direction: higher\n    department: CC\n"
SHARE = TINY_PLAN.replace(ANCHOR, ANCHOR + "    tolerance: 5\n    tolerance_kind: share\n")


def _fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def test_share_is_stored_and_round_trips(session: Session, request: pytest.FixtureRequest) -> None:
    assert SHARE != TINY_PLAN
    import_plan_text(session=session, text=SHARE, source="share.yaml")
    session.commit()
    metric = _fcr(session)
    assert (metric.tolerance, metric.tolerance_kind) == (5, "share")
    first = export_plan_text(session=session, slug="testville-service")
    assert "tolerance: 5" in first and "tolerance_kind: share" in first
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=first, source="export.yaml")
        other.commit()
        assert _fcr(other).tolerance_kind == "share"
        assert export_plan_text(session=other, slug="testville-service") == first


def test_a_file_without_it_means_absolute_and_writes_none(session: Session) -> None:
    text = TINY_PLAN.replace(ANCHOR, ANCHOR + "    tolerance: 2\n")
    import_plan_text(session=session, text=text, source="tiny.yaml")
    session.commit()
    assert _fcr(session).tolerance_kind == "absolute"
    assert "tolerance_kind" not in export_plan_text(session=session, slug="testville-service")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    tolerance: 150\n    tolerance_kind: share\n", "metrics[0].tolerance"),
        ("    tolerance: 5\n    tolerance_kind: percent\n", "metrics[0].tolerance_kind"),
    ],
)
def test_a_bad_share_or_kind_is_refused_by_field(
    session: Session, extra: str, expected: str
) -> None:
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(
            session=session, text=TINY_PLAN.replace(ANCHOR, ANCHOR + extra), source="x"
        )
    session.rollback()
    assert expected in str(caught.value)
    assert session.exec(select(Metric)).first() is None
