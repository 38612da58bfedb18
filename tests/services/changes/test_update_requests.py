"""services.changes.update_requests and the reading the reminder digest uses: who is waited for,
what answers a request, an item no department owns."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import Metric, Organization, Plan, QuickWin, Strategy, UpdateRequest
from app.models.enums import Role
from app.models.update_request import UpdateRequestCreate
from app.services.changes import update_requests
from app.services.changes.history import Actor
from app.services.changes.measurement_batches import Cell, record_measurements
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.reading.update_requests import open_requests_for_person
from app.services.views.my_work.due import department_due
from tests.factories import make_person, make_tiny_plan


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


def ask(session: Session, actor: Actor, item: object, message: str = "Please") -> UpdateRequest:
    return update_requests.request_update(
        session=session,
        item=item,
        data=UpdateRequestCreate(message=message),
        actor=actor,  # type: ignore[arg-type]
    )


def test_open_requests_for_a_person_are_their_departments_until_answered(
    session: Session, plan: Plan
) -> None:
    coordinator = Actor(user=make_person(session, "coco", Role.coordinator))
    cc_lead = make_person(session, "cara", Role.lead, department="CC")
    pw_lead = make_person(session, "pete", Role.lead, department="PW")
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    qw1 = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    ask(session, coordinator, fcr, "FCR for July?")
    ask(session, coordinator, qw1, "Chat hours?")
    mine = open_requests_for_person(session, cc_lead)
    assert [(r.label, r.request.message) for r in mine] == [
        ("Metric FCR: First call resolution", "FCR for July?"),
        ("Quick win 1: Language Access", "Chat hours?"),
    ]
    assert mine[0].url == "/plans/testville-service/scorecard/FCR"
    assert open_requests_for_person(session, pw_lead) == []
    assert open_requests_for_person(session, coordinator.user) == []  # type: ignore[arg-type]

    # A batch of values (the grid, an upload) answers the metric's request, not the quick win's.
    record_measurements(
        session=session,
        plan=plan,
        cells=[Cell(metric_code="FCR", period="2025-07", value="84")],
        actor=Actor(user=cc_lead),
        today=dt.date(2025, 8, 1),
    )
    left = open_requests_for_person(session, cc_lead)
    assert [r.request.message for r in left] == ["Chat hours?"]
    answered = session.exec(
        select(UpdateRequest).where(UpdateRequest.subject_type == "metric")
    ).one()
    assert answered.answered_with == "a value for July 2025"


def test_leads_may_not_ask_and_an_item_of_no_department_cannot_be_asked(
    session: Session, plan: Plan
) -> None:
    lead = Actor(user=make_person(session, "cara", Role.lead, department="CC"))
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    with pytest.raises(PermissionDenied):
        ask(session, lead, s11)
    admin = Actor(user=make_person(session, "ada", Role.admin))
    s11.department_id = None
    session.add(s11)
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        ask(session, admin, s11)
    assert refused.value.problems[0].field == "department"


def test_due_dates_follow_the_organisations_zone_and_calendar(session: Session, plan: Plan) -> None:
    """Just after midnight UTC on 11 December it is still 10 December in Los Angeles: an update
    due on the 10th is due today there, overdue in UTC."""
    org = session.exec(select(Organization)).one()
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    s11.last_update_at = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.UTC)  # October's update
    s11.planned_start = dt.date(2024, 1, 1)

    def due(zone: str, cadence: str = "monthly") -> list:
        org.time_zone, org.reporting_cadence = zone, cadence
        return [
            d.due
            for d in department_due(
                session,
                organization=org,
                plans=[plan],
                strategies=[s11],
                quick_wins=[],
                metrics=[],
                now=dt.datetime(2026, 12, 11, 3, 0, tzinfo=dt.UTC),
            )
        ]

    [in_utc] = due("UTC")
    assert in_utc.overdue and in_utc.due == dt.date(2026, 12, 10)  # November's update
    [in_la] = due("America/Los_Angeles")
    assert not in_la.overdue and in_la.due == dt.date(2026, 12, 10)
    [quarterly] = due("UTC", "quarterly")
    # On a quarterly calendar the October update (after Q3's due day) answered Q4: Q1 is next.
    assert not quarterly.overdue and quarterly.due == dt.date(2027, 4, 10)
