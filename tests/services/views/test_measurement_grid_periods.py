"""The measurement grid's columns follow the metric's periods as reporting_periods defines them
(one rule in one place): a two-yearly metric's columns are two-year periods beginning in even
years, as its values are stored and judged, not years."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from sqlmodel import Session, select

from app.models import Department, Plan
from app.models.enums import Frequency
from app.models.metric import MetricCreate
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.rules.reporting_periods import period_of
from app.services.views.measurement_grid import load_grid
from tests.factories import make_person, make_tiny_plan


def _metric(session: Session, plan: Plan, code: str, frequency: Frequency) -> None:
    dept = session.exec(select(Department).where(Department.code == "PW")).one()
    metrics.create_metric(
        session=session,
        plan=plan,
        data=MetricCreate(
            code=code,
            name=f"Survey {code}",
            unit="percent",
            direction="higher",
            department_id=dept.id,
            frequency=frequency,
        ),
        actor=Actor(name="test"),
    )


def test_a_two_yearly_metric_has_24_month_columns_apart_from_the_yearly_ones(
    session: Session,
) -> None:
    plan = make_tiny_plan(session)
    _metric(session, plan, "BI", Frequency.biennial)
    _metric(session, plan, "YR", Frequency.annual)
    session.commit()
    admin = make_person(session, "boss", "admin")
    grid = load_grid(session=session, plan=plan, user=admin, today=dt.date(2026, 12, 7))
    sections = {s.title: s for s in grid.sections}
    two = sections["Two-yearly"]
    assert [r.metric.code for r in two.rows] == ["BI"]
    assert "BI" not in [r.metric.code for r in sections["Yearly"].rows]
    starts = two.periods
    assert len(starts) == 12
    months = [(b.year - a.year) * 12 + b.month - a.month for a, b in pairwise(starts)]
    assert set(months) == {24}
    for start in starts:  # each column is one of reporting_periods' two-year periods
        assert period_of(start, Frequency.biennial).start == start
        assert start.month == 1 and start.year % 2 == 0
    yearly = sections["Yearly"].periods
    assert {(b.year - a.year) for a, b in pairwise(yearly)} == {1}
