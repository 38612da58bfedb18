"""app.services.rules.measurement_rules and measurement_voids on the database: bounds from the unit
(or the metric), periods inside the plan's reporting window, and voiding a wrong value."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import HistoryEntry, Measurement, Metric, MetricTarget
from app.models.metric import MeasurementIn, MeasurementVoid, MetricCreate, MetricUpdate
from app.services.changes import measurement_voids, metrics
from app.services.changes.history import Actor
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.rules import metric_rule
from app.services.rules.value_text import format_value
from app.services.views import scorecard
from tests.factories import make_person, make_tiny_plan

CLI = Actor(name="test")
TODAY = dt.date(2026, 12, 3)


def _fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def _record(session: Session, metric: Metric, period: dt.date, value: float) -> Measurement:
    return metrics.record_measurement(
        session=session,
        metric=metric,
        data=MeasurementIn(period=period, value=value),
        actor=CLI,
        today=TODAY,
    )


def _refusal(session: Session, metric: Metric, period: dt.date, value: float) -> list[tuple]:
    with pytest.raises(ValidationFailed) as refused:
        _record(session, metric, period, value)
    session.rollback()
    return [(p.field, p.message) for p in refused.value.problems]


class TestBounds:
    @pytest.mark.parametrize("value", [150, -5, 705, 100.01])
    def test_a_percentage_outside_0_to_100_is_refused(self, session: Session, value: float) -> None:
        make_tiny_plan(session)
        ((field, message),) = _refusal(session, _fcr(session), dt.date(2025, 7, 1), value)
        assert field == "value"
        assert "is outside the range: a percentage is between 0% and 100%" in message
        assert session.exec(select(Measurement).where(Measurement.value == value)).first() is None

    @pytest.mark.parametrize("value", [0, 100, 70.5])
    def test_the_edges_and_inside_are_accepted(self, session: Session, value: float) -> None:
        make_tiny_plan(session)
        assert _record(session, _fcr(session), dt.date(2025, 7, 1), value).value == value

    def test_a_metrics_own_bounds_replace_the_units(self, session: Session) -> None:
        make_tiny_plan(session)
        fcr = _fcr(session)
        metrics.update_metric(
            session=session,
            metric=fcr,
            data=MetricUpdate(version=1, bounds={"max": 250}),  # type: ignore[arg-type]
            actor=CLI,
        )
        assert (fcr.bound_min, fcr.bound_max) == (None, 250)
        assert _record(session, fcr, dt.date(2025, 7, 1), 150).value == 150
        # The unit's lower side still holds: the metric gave only a maximum.
        ((_, message),) = _refusal(session, fcr, dt.date(2025, 8, 1), -1)
        assert message == (
            "-1% is outside the range: this metric's values are between 0% and 250% (its bounds)"
        )

    @pytest.mark.parametrize("unit", ["count", "seconds", "minutes", "hours", "days"])
    def test_counts_and_durations_are_never_negative(self, session: Session, unit: str) -> None:
        plan = make_tiny_plan(session)
        metric = metrics.create_metric(
            session=session,
            plan=plan,
            data=MetricCreate(code="N", name="N", unit=unit, direction="lower"),  # type: ignore[arg-type]
            actor=CLI,
        )
        session.commit()  # the refusal below rolls back
        ((field, message),) = _refusal(session, metric, dt.date(2025, 7, 1), -1)
        assert field == "value" and "or more" in message
        metric = session.get(Metric, metric.id)
        assert metric is not None and metric.unit == unit
        assert _record(session, metric, dt.date(2025, 7, 1), 31).value == 31


class TestPeriods:
    def test_a_period_before_the_plans_period_is_refused_with_the_reason(
        self, session: Session
    ) -> None:
        make_tiny_plan(session)
        assert _refusal(session, _fcr(session), dt.date(1999, 1, 1), 70) == [
            (
                "period",
                "January 1999 is before this plan's measurements begin "
                "(the plan's period starts 2024-01-01)",
            )
        ]

    def test_a_plan_without_a_period_starts_at_its_adoption(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        plan.period_start, plan.adopted_on = None, dt.date(2023, 3, 7)
        session.add(plan)
        session.commit()
        assert _refusal(session, _fcr(session), dt.date(1999, 1, 1), 70) == [
            (
                "period",
                "January 1999 is before this plan's measurements begin "
                "(the plan was adopted 2023-03-07)",
            )
        ]
        assert _record(session, _fcr(session), dt.date(2023, 3, 1), 70).value == 70

    def test_a_baseline_before_the_plan_opens_the_window_sooner(self, session: Session) -> None:
        make_tiny_plan(session)
        fcr = _fcr(session)
        fcr.baseline_date = dt.date(2022, 6, 15)
        session.add(fcr)
        session.commit()
        assert _record(session, fcr, dt.date(2022, 6, 1), 70).value == 70
        assert _refusal(session, _fcr(session), dt.date(2022, 5, 1), 70) == [
            (
                "period",
                "May 2022 is before this plan's measurements begin "
                "(this metric's baseline is for 2022-06-15)",
            )
        ]

    def test_after_the_plans_end_or_the_current_month_is_refused(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        plan.period_end = dt.date(2025, 12, 31)
        session.add(plan)
        session.commit()
        assert _refusal(session, _fcr(session), dt.date(2026, 1, 1), 70) == [
            ("period", "January 2026 is after the plan's period, which ends 2025-12-31")
        ]
        ((field, message),) = _refusal(session, _fcr(session), dt.date(2027, 1, 1), 70)
        assert field == "period"
        assert message.startswith("January 2027 is in the future")
        assert "(the current period is December 2026)" in message

    def test_a_wrong_period_and_a_wrong_value_are_both_named(self, session: Session) -> None:
        make_tiny_plan(session)
        fields = [f for f, _ in _refusal(session, _fcr(session), dt.date(1999, 1, 1), 705)]
        assert fields == ["period", "value"]


class TestVoid:
    def _june(self, session: Session) -> Measurement:
        return session.exec(select(Measurement).where(Measurement.value == 83)).one()

    def test_a_voided_value_leaves_the_status_and_chart_and_stays_in_the_history(
        self, session: Session
    ) -> None:
        plan = make_tiny_plan(session)
        lead = make_person(session, "cara-lead", "lead", department="CC")
        card = scorecard.load_metric_card(session=session, plan=plan, code="FCR")
        assert card.node.status.reason.startswith("83% against a target of at least 85%")
        june = self._june(session)
        measurement_voids.void_measurement(
            session=session,
            measurement=june,
            data=MeasurementVoid(version=1, reason="Typed ×10"),
            actor=Actor(user=lead),
        )
        session.commit()
        card = scorecard.load_metric_card(session=session, plan=plan, code="FCR")
        assert [p.measurement.value for p in card.points] == [78]
        assert card.chart["values"] == [78]
        assert card.node.status.reason.startswith("78% against a target of at least 80%")
        (voided,) = measurement_voids.voided_measurements(session=session, metric=_fcr(session))
        assert (voided.value, voided.reason, voided.voided_by) == (83, "Typed ×10", "Cara Lead")
        entry = session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == "measurement", HistoryEntry.subject_id == june.id)
            .order_by(HistoryEntry.id.desc())  # type: ignore[union-attr]
        ).first()
        assert entry is not None
        assert (entry.action, entry.note, entry.actor_id) == ("archive", "Typed ×10", lead.id)

    def test_a_lead_of_another_department_may_not_void_and_a_coordinator_may(
        self, session: Session
    ) -> None:
        make_tiny_plan(session)
        other = make_person(session, "pat-lead", "lead", department="PW")
        coordinator = make_person(session, "cody", "coordinator")
        june = self._june(session)
        data = MeasurementVoid(version=1, reason="Wrong")
        with pytest.raises(PermissionDenied):
            measurement_voids.void_measurement(
                session=session, measurement=june, data=data, actor=Actor(user=other)
            )
        measurement_voids.void_measurement(
            session=session, measurement=june, data=data, actor=Actor(user=coordinator)
        )
        assert june.archived_at is not None and june.voided_by_id == coordinator.id

    def test_a_blank_reason_is_refused(self, session: Session) -> None:
        make_tiny_plan(session)
        with pytest.raises(ValidationFailed) as refused:
            measurement_voids.void_measurement(
                session=session,
                measurement=self._june(session),
                data=MeasurementVoid(version=1, reason="   "),
                actor=CLI,
            )
        assert refused.value.problems[0].field == "reason"

    def test_a_correction_is_worded_was_and_now(self) -> None:
        assert measurement_voids.correction_words("percent", 705, 70.5) == "was 705%, now 70.5%"
        assert measurement_voids.correction_words("minutes", 4.5, 4 + 22 / 60) == (
            "was 4:30, now 4:22"
        )


class TestWording:
    @pytest.mark.parametrize(
        ("number", "unit", "shown"),
        [
            (4 + 22 / 60, "minutes", "4:22"),
            (3, "minutes", "3 minutes"),
            (1, "minutes", "1 minute"),
            (31, "seconds", "31 s"),
            (70.5, "percent", "70.5%"),
        ],
    )
    def test_durations_are_shown_as_the_sources_write_them(
        self, number: float, unit: str, shown: str
    ) -> None:
        assert format_value(number, unit) == shown

    def test_percentage_gaps_are_points_and_waits_read_as_clocks(self) -> None:
        def reason(value: float, target: float, comparator: str, unit: str) -> str:
            return metric_rule.metric_status(
                direction="higher" if comparator == "at_least" else "lower",
                targets=[MetricTarget(metric_id=1, value=target, comparator=comparator)],
                latest_value=value,
                latest_period=dt.date(2025, 6, 1),
                tolerance=None,
                unit=unit,
            ).reason

        assert reason(84, 85, "at_least", "percent") == (
            "84% against a target of at least 85%: 1 point below,"
            " within the tolerance of 4.25 points"
        )
        assert reason(4 + 22 / 60, 3, "at_most", "minutes") == (
            "4:22 against a target of at most 3 minutes: 1:22 above, beyond the tolerance of 0:09"
        )
        assert reason(31, 30, "at_most", "seconds") == (
            "31 s against a target of at most 30 s: 1 s above, within the tolerance of 1.5 s"
        )
