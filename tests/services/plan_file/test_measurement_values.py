"""Plan files: durations written as the plans write them (4:22, unquoted), a metric's bounds,
and measurements held to the same rules as the pages' (bounds, the plan's reporting window)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import Measurement, Metric, MetricTarget
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN

WAITS = """  - code: WAIT
    name: Average wait
    unit: minutes
    direction: lower
    targets: [{value: 3:00, comparator: at_most}]
    measurements:
      - {period: 2025-01-01, value: 4:22}
  - code: ANSWER
    name: Time to answer
    unit: seconds
    direction: lower
    targets: [{value: 30, comparator: at_most}]
    measurements:
      - {period: 2025-01-01, value: 31}
      - {period: 2025-02-01, value: 0:45}
"""


def with_metrics(extra: str) -> str:
    assert "\nquick_wins:" in TINY_PLAN
    return TINY_PLAN.replace("\nquick_wins:", "\n" + extra.rstrip("\n") + "\nquick_wins:", 1)


def _metric(session: Session, code: str) -> Metric:
    return session.exec(select(Metric).where(Metric.code == code)).one()


def test_unquoted_clock_values_are_minutes_and_seconds_not_base_60(session: Session) -> None:
    plan = import_plan_text(session=session, text=with_metrics(WAITS), source="waits.yaml")
    wait, answer = _metric(session, "WAIT"), _metric(session, "ANSWER")
    (value,) = session.exec(select(Measurement.value).where(Measurement.metric_id == wait.id))
    assert value == pytest.approx(4 + 22 / 60)  # not 262, YAML 1.1's reading
    (target,) = session.exec(select(MetricTarget.value).where(MetricTarget.metric_id == wait.id))
    assert target == 3
    seconds = session.exec(
        select(Measurement.value)
        .where(Measurement.metric_id == answer.id)
        .order_by(Measurement.period)  # type: ignore[arg-type]
    ).all()
    assert seconds == [31, 45]
    assert answer.unit == "seconds"
    # Exported as numbers, read back the same.
    text = export_plan_text(session=session, slug=plan.slug)
    assert "unit: seconds" in text


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        (
            WAITS.replace("unit: minutes", "unit: percent"),
            "metrics[1]",
            "4:22 reads as a time; this metric is counted in percent",
        ),
        (
            "  - {code: PCT, name: P, unit: percent, direction: higher,"
            " measurements: [{period: 2025-01-01, value: 150}]}\n",
            "metrics[1].measurements[0].value",
            "150% is outside the range: a percentage is between 0% and 100%",
        ),
        (
            "  - {code: PCT, name: P, unit: percent, direction: higher,"
            " measurements: [{period: 1999-01-01, value: 50}]}\n",
            "metrics[1].measurements[0].period",
            "1999-01-01 is before this plan's measurements begin "
            "(the plan's period starts 2024-01-01)",
        ),
        (
            "  - {code: PCT, name: P, unit: percent, direction: higher,"
            " bounds: {min: 10, max: 5}}\n",
            "metrics[1].bounds",
            "min must not be above max",
        ),
    ],
)
def test_values_the_pages_would_refuse_are_refused_naming_the_line(
    session: Session, extra: str, path: str, message: str
) -> None:
    with pytest.raises(PlanFileError) as refused:
        import_plan_text(session=session, text=with_metrics(extra), source="bad.yaml")
    problems = [(p.path, p.message) for p in refused.value.problems]
    assert any(p == path and m.startswith(message) for p, m in problems), problems
    assert all(p.line for p in refused.value.problems)
    session.rollback()
    assert session.exec(select(Metric).where(Metric.code == "PCT")).first() is None


def test_a_metrics_own_bounds_are_imported_and_exported(session: Session) -> None:
    extra = (
        "  - {code: GROW, name: Growth, unit: percent, direction: higher,"
        " bounds: {max: 300}, measurements: [{period: 2025-01-01, value: 150}]}\n"
    )
    plan = import_plan_text(session=session, text=with_metrics(extra), source="grow.yaml")
    grow = _metric(session, "GROW")
    assert (grow.bound_min, grow.bound_max) == (None, 300)
    text = export_plan_text(session=session, slug=plan.slug)
    again = import_plan_text(
        session=session,
        text=text.replace("slug: testville-service", "slug: testville-again", 1),
        source="again.yaml",
    )
    regrown = session.exec(
        select(Metric).where(Metric.code == "GROW", Metric.plan_id == again.id)
    ).one()
    assert (regrown.bound_min, regrown.bound_max) == (None, 300)
    assert (
        dt.date(2025, 1, 1)
        in session.exec(select(Measurement.period).where(Measurement.metric_id == regrown.id)).all()
    )
