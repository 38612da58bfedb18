"""Programmes (issue 12): a plan may belong to a programme of its organisation, one level deep;
set in the settings (services), in plan files (round trip), and by the Philadelphia seeds."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Organization, Plan
from app.models.enums import Role
from app.models.plan_settings import PlanCreate, PlanSettingsUpdate
from app.services.changes import plans
from app.services.changes.history import Actor
from app.services.errors import ValidationFailed
from app.services.operations.database_admin import load_seeds
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import SEEDS_DIR, TINY_PLAN, make_person, make_tiny_plan

OTHER_ORG_PLAN = TINY_PLAN.replace(
    "{name: City of Testville, slug: testville}", "{name: Elsewhere, slug: elsewhere}"
).replace("slug: testville-service", "slug: elsewhere-service")

MEMBER_PLAN = """\
format: plantrack/1
organization: {name: City of Testville, slug: testville}
departments:
  - {code: PW, name: Public Works}
plan:
  slug: testville-public-works
  title: Public Works Customer Service Plan
  owning_department: PW
  programme: testville-service
  fiscal_year_start_month: 7
focus_areas:
  - code: "1"
    title: Roads
    strategies:
      - {code: "1.1", title: Fill potholes, status: on_track, progress: 40}
"""


@pytest.fixture
def coordinator(session: Session) -> Actor:
    make_tiny_plan(session)
    return Actor(user=make_person(session, "coord", Role.coordinator))


def _new(session: Session, actor: Actor, slug: str) -> Plan:
    org = session.exec(select(Organization).where(Organization.slug == "testville")).one()
    plan = plans.create_plan(
        session=session, organization=org, data=PlanCreate(title=slug, slug=slug), actor=actor
    )
    session.commit()
    return plan


def _set(session: Session, plan: Plan, actor: Actor, programme: str | None) -> Plan:
    data = PlanSettingsUpdate(version=plan.version, programme=programme)
    return plans.update_settings(session=session, plan=plan, data=data, actor=actor)


def _refused(session: Session, plan: Plan, actor: Actor, programme: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        _set(session, plan, actor, programme)
    session.rollback()
    (problem,) = refused.value.problems
    assert problem.field == "programme"
    return problem.message


def test_a_plan_joins_a_programme_and_leaves_it(session: Session, coordinator: Actor) -> None:
    member = _new(session, coordinator, "testville-roads")
    programme = session.exec(select(Plan).where(Plan.slug == "testville-service")).one()
    _set(session, member, coordinator, "testville-service")
    session.commit()
    assert member.programme_id == programme.id
    _set(session, member, coordinator, None)
    session.commit()
    assert member.programme_id is None


def test_a_programme_is_refused_for_itself_a_cycle_and_nesting(
    session: Session, coordinator: Actor
) -> None:
    programme = session.exec(select(Plan).where(Plan.slug == "testville-service")).one()
    member = _new(session, coordinator, "testville-roads")
    third = _new(session, coordinator, "testville-parks")
    assert "its own programme" in _refused(session, programme, coordinator, "testville-service")
    _set(session, member, coordinator, "testville-service")
    session.commit()
    # The programme joining its member would close a cycle; a member cannot be a programme.
    assert "cycle" in _refused(session, programme, coordinator, "testville-roads")
    assert "nested" in _refused(session, third, coordinator, "testville-roads")
    assert "no plan" in _refused(session, third, coordinator, "no-such-plan")
    # A programme (it has members) cannot join another programme either.
    assert "cannot join" in _refused(session, programme, coordinator, "testville-parks")
    session.refresh(programme)
    assert programme.programme_id is None


def test_a_programme_of_another_organisation_is_refused(
    session: Session, coordinator: Actor
) -> None:
    import_plan_text(session=session, text=OTHER_ORG_PLAN, source="other.yaml")
    session.commit()
    member = _new(session, coordinator, "testville-roads")
    assert "another organisation" in _refused(session, member, coordinator, "elsewhere-service")


def test_fiscal_year_start_month_is_set_and_bounded(session: Session, coordinator: Actor) -> None:
    plan = _new(session, coordinator, "testville-roads")
    data = PlanSettingsUpdate(version=plan.version, fiscal_year_start_month=7)
    plans.update_settings(session=session, plan=plan, data=data, actor=coordinator)
    assert plan.fiscal_year_start_month == 7
    with pytest.raises(ValueError):
        PlanSettingsUpdate(version=plan.version, fiscal_year_start_month=13)


def test_a_plan_file_names_its_programme_and_round_trips(session: Session) -> None:
    make_tiny_plan(session)
    member = import_plan_text(session=session, text=MEMBER_PLAN, source="member.yaml")
    session.commit()
    programme = session.exec(select(Plan).where(Plan.slug == "testville-service")).one()
    assert member.programme_id == programme.id and member.fiscal_year_start_month == 7
    first = export_plan_text(session=session, slug="testville-public-works")
    assert "programme: testville-service" in first and "fiscal_year_start_month: 7" in first
    again = first.replace("slug: testville-public-works", "slug: testville-public-works-2")
    import_plan_text(session=session, text=again, source="again.yaml")
    session.commit()
    assert export_plan_text(session=session, slug="testville-public-works-2") == again


def test_a_plan_file_naming_a_missing_or_foreign_programme_is_refused(session: Session) -> None:
    with pytest.raises(PlanFileError) as refused:
        import_plan_text(session=session, text=MEMBER_PLAN, source="member.yaml")
    assert "plan.programme" in str(refused.value) and "no plan" in str(refused.value)
    session.rollback()
    import_plan_text(session=session, text=OTHER_ORG_PLAN, source="other.yaml")
    session.commit()
    foreign = MEMBER_PLAN.replace("programme: testville-service", "programme: elsewhere-service")
    with pytest.raises(PlanFileError) as refused:
        import_plan_text(session=session, text=foreign, source="member.yaml")
    assert "another organisation" in str(refused.value)
    session.rollback()
    assert session.exec(select(Plan).where(Plan.slug == "testville-public-works")).first() is None


def test_the_seeds_load_with_fleet_in_the_cso_program(session: Session) -> None:
    load_seeds(session=session, seeds_dir=SEEDS_DIR)
    cso = session.exec(
        select(Plan).where(Plan.slug == "philadelphia-customer-service-officers-program")
    ).one()
    fleet = session.exec(
        select(Plan).where(Plan.slug == "philadelphia-fleet-management-customer-service")
    ).one()
    assert fleet.programme_id == cso.id and cso.programme_id is None
    assert fleet.fiscal_year_start_month == 7 and cso.fiscal_year_start_month == 7
    members = session.exec(select(Plan.slug).where(Plan.programme_id.is_not(None))).all()  # type: ignore[union-attr]
    assert members == ["philadelphia-fleet-management-customer-service"]
