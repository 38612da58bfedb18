"""app.services.views.scorecard: series with the target in force per period, loaded in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlmodel import Session

from app.models import MetricTarget
from app.services.plan_file.importing import import_plan_text
from app.services.rules import metric_rule
from app.services.views import metric_card, scorecard
from tests.factories import make_tiny_plan


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def plan_with_metrics(count: int, slug: str) -> str:
    metrics = "\n".join(
        f"""  - code: M{n}
    name: Metric {n}
    unit: minutes
    direction: lower
    frequency: quarterly
    targets: [{{value: 10, comparator: at_most}}]
    measurements:
      - {{period: 2024-01-01, value: {9 + n % 3}}}
      - {{period: 2024-04-01, value: 11}}"""
        for n in range(count)
    )
    return f"""format: plantrack/1
organization: {{name: City of Testville, slug: testville}}
plan: {{slug: {slug}, title: Plan {slug}, published: true}}
metrics:
{metrics}
"""


def test_series_pairs_each_measurement_with_the_target_then_in_force(session: Session) -> None:
    plan = make_tiny_plan(session)
    card = scorecard.load_scorecard(session=session, plan=plan).metrics[0]
    assert [p.measurement.value for p in card.points] == [78, 83]
    assert [p.target_value for p in card.points] == [80, 85]
    assert [p.status.code for p in card.points] == ["at_risk", "at_risk"]
    assert card.chart["periods"] == ["June 2024", "June 2025"]
    assert card.target == "85% or higher"
    assert card.node.measures_label == "Standard 1: Timely"


def test_database_work_does_not_grow_with_the_metrics(session: Session) -> None:
    small = import_plan_text(session=session, text=plan_with_metrics(2, "small"), source="s")
    big = import_plan_text(session=session, text=plan_with_metrics(30, "big"), source="b")
    session.commit()
    session.expire_all()
    with counted(session) as few:
        scorecard.load_scorecard(session=session, plan=small)
    session.expire_all()
    with counted(session) as many:
        loaded = scorecard.load_scorecard(session=session, plan=big)
    session.expire_all()
    with counted(session) as second:
        rest = scorecard.load_scorecard(session=session, plan=big, page=2)
    # A page at a time, in plan order; every metric is counted on each page.
    assert scorecard.PER_PAGE == 25
    assert [c.metric.code for c in loaded.metrics] == [f"M{n}" for n in range(25)]
    assert [c.metric.code for c in rest.metrics] == [f"M{n}" for n in range(25, 30)]
    assert loaded.total == rest.total == loaded.matching == 30
    assert (loaded.first, loaded.last, loaded.pages, loaded.next_page) == (1, 25, 2, 2)
    assert (rest.first, rest.last, rest.next_page, rest.previous_page) == (26, 30, None, 1)
    assert all(len(c.points) == 2 for c in loaded.metrics + rest.metrics)
    assert len(many) == len(few) == len(second)


def test_pages_of_the_filtered_metrics_with_every_status_counted(session: Session) -> None:
    plan = import_plan_text(session=session, text=plan_with_metrics(12, "mixed"), source="m")
    session.commit()
    # Every metric's latest value is 11 minutes against "at most 10": all off track. Paged 5 at
    # a time; a page past the last shows the last.
    first = scorecard.load_scorecard(session=session, plan=plan, status="off_track", per_page=5)
    assert first.counts == {"off_track": 12}
    assert [c.metric.code for c in first.metrics] == ["M0", "M1", "M2", "M3", "M4"]
    assert first.query(2) == "?status=off_track&page=2"
    last = scorecard.load_scorecard(
        session=session, plan=plan, status="off_track", page=9, per_page=5
    )
    assert (last.page, [c.metric.code for c in last.metrics]) == (3, ["M10", "M11"])
    none = scorecard.load_scorecard(session=session, plan=plan, status="on_track")
    assert (none.total, none.matching, none.metrics, none.pages) == (12, 0, [], 1)
    assert none.query(1) == "?status=on_track"
    # The page's points are judged without words; the metric's own page words them.
    assert [p.status for p in first.metrics[0].points] == [
        metric_rule.MetricStatus("on_track", ""),
        metric_rule.MetricStatus("off_track", ""),
    ]
    card = scorecard.load_metric_card(session=session, plan=plan, code="M0")
    assert [p.status.reason for p in card.points] == [
        "9 minutes against a target of at most 10 minutes: met",
        "11 minutes against a target of at most 10 minutes: 1 minute above, beyond the tolerance"
        " of 0:30",
    ]


def test_quarterly_periods_and_targets_without_a_label(session: Session) -> None:
    plan = import_plan_text(session=session, text=plan_with_metrics(1, "quarterly"), source="q")
    session.commit()
    card = scorecard.load_scorecard(session=session, plan=plan).metrics[0]
    assert card.chart["periods"] == ["2024 Q1", "2024 Q2"]
    assert card.target == "at most 10 minutes"
    assert card.chart["suffix"] == " min"
    assert card.node.status.code == "off_track"


def test_target_and_period_wording() -> None:
    target = MetricTarget(metric_id=1, value=90, comparator="at_least", label="90% or higher")
    assert metric_card.target_text(target, "percent") == "90% or higher"
    target.label = ""
    assert metric_card.target_text(target, "percent") == "at least 90%"
    assert metric_card.target_text(None, "percent") == ""
    day = dt.date(2025, 8, 1)
    assert metric_card.period_text(day, "monthly") == "August 2025"
    assert metric_card.period_text(day, None) == "August 2025"
    assert metric_card.period_text(day, "quarterly") == "2025 Q3"
    assert metric_card.period_text(day, "annual") == "2025"
    assert metric_card.period_text(day, "semiannual") == "2025 H2"


def test_the_code_only_point_status_follows_the_same_rule_as_the_reasoned_one() -> None:
    """Every point of a chart is judged by metric_rule.value_status (no reason text); it must give
    the code metric_rule.metric_status gives, for every comparator, direction and tolerance."""
    revised = [
        MetricTarget(metric_id=1, value=80, comparator="at_least"),
        MetricTarget(
            metric_id=1, value=10, comparator="at_most", effective_from=dt.date(2025, 1, 1)
        ),
    ]
    checked = 0
    for comparator in ("at_least", "at_most", "exactly", "above", "below"):
        targets = [MetricTarget(metric_id=1, value=10, comparator=comparator)]
        for direction in ("higher", "lower", "hold"):
            for tolerance in (None, 0.0, 1.0):
                for value in (None, 0, 8.9, 9, 9.5, 9.99999999999, 10, 10.5, 11, 12):
                    for period, pool in ((dt.date(2024, 6, 1), targets), (None, targets)):
                        args = {"direction": direction, "targets": pool, "tolerance": tolerance}
                        code = metric_rule.value_status(**args, value=value, period=period)
                        reasoned = metric_rule.metric_status(
                            **args, latest_value=value, latest_period=period
                        )
                        assert code == reasoned.code, (comparator, direction, tolerance, value)
                        checked += 1
    # Before its first target is in force a value has none; the revised target judges later ones.
    early = {"direction": "lower", "targets": revised[1:], "tolerance": None}
    assert metric_rule.value_status(**early, value=5, period=dt.date(2024, 1, 1)) == "no_target"
    both = {"direction": "higher", "targets": revised, "tolerance": None}
    assert metric_rule.value_status(**both, value=12, period=dt.date(2024, 6, 1)) == "off_track"
    assert metric_rule.value_status(**both, value=12, period=dt.date(2025, 6, 1)) == "off_track"
    assert metric_rule.value_status(**both, value=81, period=dt.date(2024, 6, 1)) == "on_track"
    assert metric_rule.value_status(**both, value=10, period=dt.date(2025, 6, 1)) == "on_track"
    assert checked == 5 * 3 * 3 * 10 * 2
