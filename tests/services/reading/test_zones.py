"""services.reading.zones.reading_zone: which zone a page shows its moments in."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Organization, Plan, User
from app.models.enums import Role
from app.services.reading.zones import reading_zone
from tests.factories import make_person, make_tiny_plan


def _other_organization(session: Session, zone: str) -> Organization:
    org = Organization(name="City of Elsewhere", slug="elsewhere", time_zone=zone)
    session.add(org)
    session.commit()
    return org


def test_a_page_about_a_plan_reads_the_plan_s_organisation_s_zone(session: Session) -> None:
    plan = make_tiny_plan(session)
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    org.time_zone = "America/Los_Angeles"
    elsewhere = _other_organization(session, "America/New_York")
    reader = User(username="visitor", role=Role.coordinator, organization_id=elsewhere.id)
    session.add(reader)
    session.commit()
    # The plan decides, whoever reads, signed in or not.
    assert reading_zone(session, reader, plan) == "America/Los_Angeles"
    assert reading_zone(session, None, plan) == "America/Los_Angeles"


def test_a_page_about_no_plan_reads_the_reader_s_organisation_s_zone(session: Session) -> None:
    make_tiny_plan(session)
    elsewhere = _other_organization(session, "America/New_York")
    lead = make_person(session, "nya", Role.lead, organization="elsewhere")
    assert lead.organization_id == elsewhere.id
    assert reading_zone(session, lead) == "America/New_York"


def test_nothing_to_go_on_reads_utc(session: Session) -> None:
    admin = User(username="root", role=Role.admin, organization_id=None)
    session.add(admin)
    session.commit()
    assert reading_zone(session, admin) == "UTC"
    assert reading_zone(session, None) == "UTC"


def test_a_bad_stored_zone_reads_utc(session: Session) -> None:
    plan = make_tiny_plan(session)
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    org.time_zone = "Mars/Olympus"  # written to the database by hand
    session.commit()
    assert reading_zone(session, None, plan) == "UTC"
    plan_of_no_one = Plan.model_construct(organization_id=None)
    assert reading_zone(session, None, plan_of_no_one) == "UTC"
