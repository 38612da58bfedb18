"""The review sees everything that is off: metrics measuring no focus area (San José's measure
standards) and quick-win changes since the chosen date, on the seeded San José plan."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import Metric, Plan, QuickWin, User
from app.models.metric import MeasurementIn, TargetIn
from app.models.quick_win import QuickWinProgressIn
from app.services.changes import metrics, quick_wins
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from app.services.views.review import focus_areas as review
from tests.factories import SEEDS_DIR, make_person

SJ = "san-jose-customer-service"
ACTOR = Actor(name="SJ311 lead")
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(autouse=True)
def _now_as_the_test_begins() -> None:
    """Now as each test begins, not as the module was collected: a run that crosses midnight
    (UTC) would otherwise compare yesterday's date with the review's."""
    global NOW
    NOW = dt.datetime.now(dt.UTC)


# A month safely inside any reading of the plan's period and before the current one.
PERIOD = dt.date(2025, 6, 1)


@pytest.fixture
def san_jose(session: Session) -> Plan:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.slug == SJ)).one()


@pytest.fixture
def coordinator(session: Session, san_jose: Plan) -> User:
    return make_person(session, "carla", "coordinator", organization="san-jose")


def sj_metric(session: Session, code: str) -> Metric:
    return session.exec(select(Metric).join(Plan).where(Metric.code == code, Plan.slug == SJ)).one()


def measure(session: Session, code: str, value: float, target: float = 80) -> None:
    """A target of at least `target`% and one measurement of `value`%."""
    metric = sj_metric(session, code)
    metrics.revise_target(
        session=session,
        metric=metric,
        version=metric.version,
        target=TargetIn(value=target, comparator="at_least"),  # type: ignore[arg-type]
        actor=ACTOR,
    )
    metrics.record_measurement(
        session=session,
        metric=metric,
        data=MeasurementIn(period=PERIOD, value=value),
        actor=ACTOR,
    )
    session.commit()


def load(session: Session, user: User, **filters: str) -> review.Review:
    return review.load_review(
        session=session,
        user=user,
        filters=review.ReviewFilters(since=(NOW - dt.timedelta(days=30)).date(), **filters),
        now=NOW,
    )


class TestMetricsMeasuringNoFocusArea:
    def test_no_off_target_metric_without_a_measurement(
        self, session: Session, coordinator: User
    ) -> None:
        assert load(session, coordinator).metric_groups == []

    def test_s1_nt_off_track_reaches_the_review_grouped_by_its_standard(
        self, session: Session, coordinator: User
    ) -> None:
        measure(session, "S1-NT", 62)
        result = load(session, coordinator)
        # No focus area row claims it: it measures a standard.
        assert all(m.metric.code != "S1-NT" for row in result.rows for m in row.off_target)
        [group] = result.metric_groups
        assert (group.plan.slug, group.subject, group.headline) == (SJ, "statement", "off_track")
        assert group.measures.startswith("Standard 1:")
        assert [(m.metric.code, m.status.code) for m in group.metrics] == [("S1-NT", "off_track")]

    def test_the_off_track_filter_finds_it_and_at_risk_does_not(
        self, session: Session, coordinator: User
    ) -> None:
        measure(session, "S1-NT", 62)
        measure(session, "S1-LT", 78)  # within 5% of 80: at risk
        off = load(session, coordinator, status="off_track").metric_groups
        assert [m.metric.code for g in off for m in g.metrics] == ["S1-NT"]
        risky = load(session, coordinator, status="at_risk").metric_groups
        assert [m.metric.code for g in risky for m in g.metrics] == ["S1-LT"]
        assert load(session, coordinator, status="on_track").metric_groups == []
        # Both measure Standard 1: one group, off track first.
        [both] = load(session, coordinator).metric_groups
        assert [m.metric.code for m in both.metrics] == ["S1-NT", "S1-LT"]

    def test_a_met_target_is_not_listed(self, session: Session, coordinator: User) -> None:
        measure(session, "S1-NT", 91)
        assert load(session, coordinator).metric_groups == []

    def test_another_plan_filter_leaves_it_out(self, session: Session, coordinator: User) -> None:
        measure(session, "S1-NT", 62)
        assert load(session, coordinator, plan="no-such-plan").metric_groups == []


class TestQuickWinChanges:
    def test_a_quick_win_changed_since_the_date_is_listed(
        self, session: Session, coordinator: User, san_jose: Plan
    ) -> None:
        assert load(session, coordinator).quick_wins == []
        qw = session.exec(
            select(QuickWin).where(QuickWin.plan_id == san_jose.id, QuickWin.number == 1)
        ).one()
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=qw,
            data=QuickWinProgressIn(version=qw.version, status="complete"),  # type: ignore[arg-type]
            actor=ACTOR,
        )
        session.commit()
        [change] = load(session, coordinator).quick_wins
        assert (change.number, change.status, change.changes) == (1, "complete", 1)
        assert change.plan.slug == SJ
        # A date after the change: not listed.
        later = review.load_review(
            session=session,
            user=coordinator,
            filters=review.ReviewFilters(since=(NOW + dt.timedelta(days=1)).date()),
            now=NOW + dt.timedelta(days=1),
        )
        assert later.quick_wins == []
