"""services.changes.plans and plan_uploads: a plan's lifecycle (make, upload, change settings,
adopt), checked on the services; and a plan built in the app round-trips through plan files."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from app.models import FocusArea, HistoryEntry, Organization, Plan
from app.models.building import FocusAreaCreate
from app.models.enums import Role, ScheduleStyle
from app.models.plan_settings import (
    LevelNames,
    PlanAdopt,
    PlanCreate,
    PlanSettingsUpdate,
    StatusWords,
)
from app.models.strategy import StrategyCreate
from app.services.accounts.permissions import can_read_plan
from app.services.changes import plan_parts, plan_uploads, plans, strategies
from app.services.changes.history import Actor
from app.services.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from tests.factories import TINY_PLAN, make_person, make_tiny_plan

NEW = PlanCreate(
    title="Digital Services Plan",
    slug="testville-digital",
    period_start=dt.date(2025, 1, 1),
    period_end=dt.date(2028, 12, 31),
    terminology=LevelNames(strategy="Initiative", strategies="Initiatives"),
)


@pytest.fixture
def org(session: Session) -> Organization:
    make_tiny_plan(session)
    return session.exec(select(Organization).where(Organization.slug == "testville")).one()


def actor(session: Session, role: Role, name: str = "", **kw: str) -> Actor:
    return Actor(user=make_person(session, name or f"a-{role}", role, **kw))


def test_a_new_plan_is_a_draft_its_organisation_alone_reads(
    session: Session, org: Organization
) -> None:
    coordinator = actor(session, Role.coordinator)
    plan = plans.create_plan(session=session, organization=org, data=NEW, actor=coordinator)
    assert plan.status == "draft" and plan.version == 1 and not plan.published
    assert plan.term("strategy") == "Initiative" and plan.term("goal") == "Goal"
    entry = session.exec(select(HistoryEntry).where(HistoryEntry.plan_id == plan.id)).one()
    assert entry.action == "create" and entry.actor_id == coordinator.user_id  # type: ignore[union-attr]
    plan.published = True
    assert can_read_plan(coordinator.user, plan)
    assert not can_read_plan(None, plan)


@pytest.mark.parametrize(
    ("role", "dept", "refusal"),
    [(Role.lead, "CC", PermissionDenied), (Role.viewer, None, PermissionDenied)],
)
def test_leads_and_viewers_may_not_make_plans(
    session: Session, org: Organization, role: Role, dept: str | None, refusal: type
) -> None:
    who = actor(session, role, department=dept) if dept else actor(session, role)
    with pytest.raises(refusal):
        plans.create_plan(session=session, organization=org, data=NEW, actor=who)
    with pytest.raises(NotAuthenticated):
        plans.create_plan(session=session, organization=org, data=NEW, actor=Actor())


def test_refusals_name_their_fields(session: Session, org: Organization) -> None:
    admin = actor(session, Role.admin)
    cases = {
        "slug": NEW.model_copy(update={"slug": "testville-service"}),
        "period_end": NEW.model_copy(update={"period_end": dt.date(2024, 1, 1)}),
        "schedule_origin": NEW.model_copy(update={"schedule": ScheduleStyle.relative}),
    }
    for field, data in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            plans.create_plan(session=session, organization=org, data=data, actor=admin)
        assert refused.value.problems[0].field == field


def test_settings_are_versioned_and_adoption_is_once(session: Session, org: Organization) -> None:
    admin = actor(session, Role.admin)
    plan = plans.create_plan(session=session, organization=org, data=NEW, actor=admin)
    change = PlanSettingsUpdate(version=1, title="Digital Plan", status_words={"on_track": "Good"})
    plans.update_settings(session=session, plan=plan, data=change, actor=admin)
    assert plan.version == 2 and plan.status_words == {"on_track": "Good"}
    assert plan.term("strategy") == "Initiative"  # terminology not sent: unchanged
    with pytest.raises(Conflict):
        plans.update_settings(session=session, plan=plan, data=change, actor=admin)
    lead = actor(session, Role.lead, department="CC")
    with pytest.raises(PermissionDenied):
        plans.adopt_plan(session=session, plan=plan, data=PlanAdopt(version=2), actor=lead)
    plans.adopt_plan(
        session=session, plan=plan, data=PlanAdopt(version=2), actor=admin,
        today=dt.date(2025, 2, 1),
    )  # fmt: skip
    assert (plan.status, plan.adopted_on, plan.version) == ("adopted", dt.date(2025, 2, 1), 3)
    with pytest.raises(ValidationFailed) as again:
        plans.adopt_plan(session=session, plan=plan, data=PlanAdopt(version=3), actor=admin)
    assert again.value.problems[0].field == "status"


UPLOAD = TINY_PLAN.replace("slug: testville-service", "slug: testville-upload")


@pytest.mark.parametrize(
    ("status_line", "stored"),
    [("", "adopted"), ("  status: adopted\n", "adopted"), ("  status: archived\n", "draft"),
     ("  status: draft\n", "draft")],
)  # fmt: skip
def test_an_upload_is_a_draft_unless_the_file_adopted_it(
    session: Session, org: Organization, status_line: str, stored: str
) -> None:
    text = UPLOAD.replace("  published: true\n", "  published: true\n" + status_line)
    plan = plan_uploads.upload_plan(
        session=session, organization=org, text=text, actor=actor(session, Role.coordinator)
    )
    assert plan.status == stored


def test_a_refused_upload_names_line_and_field(session: Session, org: Organization) -> None:
    bad = UPLOAD.replace("        term: short\n", "        term: shortish\n", 1)
    line = bad.splitlines().index("        term: shortish") + 1
    with pytest.raises(plan_uploads.PlanFileRefused) as refused:
        plan_uploads.upload_plan(
            session=session, organization=org, text=bad, actor=actor(session, Role.admin)
        )
    [problem] = refused.value.file_problems
    assert (problem.path, problem.line) == ("focus_areas[0].strategies[0].term", line)
    session.rollback()
    assert session.exec(select(Plan).where(Plan.slug == "testville-upload")).first() is None


def test_an_upload_must_be_for_its_organisation(session: Session, org: Organization) -> None:
    other = UPLOAD.replace("slug: testville}", "slug: otherton}")
    with pytest.raises(plan_uploads.PlanFileRefused) as refused:
        plan_uploads.upload_plan(
            session=session, organization=org, text=other, actor=actor(session, Role.admin)
        )
    assert [p.path for p in refused.value.file_problems] == ["organization.slug"]
    with pytest.raises(PermissionDenied):
        plan_uploads.upload_plan(
            session=session,
            organization=org,
            text=UPLOAD,
            actor=actor(session, Role.lead, "cara", department="CC"),
        )


def test_a_plan_built_in_the_app_round_trips_exactly(
    session: Session, org: Organization, request: pytest.FixtureRequest
) -> None:
    """Export → import → export of a plan made through the services (issue 10)."""
    coordinator = actor(session, Role.coordinator)
    data = NEW.model_copy(update={"status_words": StatusWords(on_track="On Target")})
    plan = plans.create_plan(session=session, organization=org, data=data, actor=coordinator)
    area = plan_parts.create_part(
        session=session,
        model=FocusArea,
        parent=plan,
        data=FocusAreaCreate(code="1", title="Online first", category="technology"),
        actor=coordinator,
    )
    admin = actor(session, Role.admin)  # strategies: created by an administrator or a lead
    strategies.create_strategy(
        session=session,
        plan=plan,
        data=StrategyCreate(
            code="1.1",
            title="Pay online",
            focus_area_id=area.id,
            term="short",
            leads=["Dana Lee"],
            planned_start=dt.date(2025, 1, 1),
            planned_end=dt.date(2025, 6, 30),
        ),
        actor=admin,
    )
    session.commit()
    first = export_plan_text(session=session, slug="testville-digital")
    assert "status: draft" in first and "Initiative" in first and "On Target" in first
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    url = new_database_url(request, request.getfixturevalue("template_database"))
    _point_app_at(url)
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=first, source="built.yaml")
        other.commit()
        second = export_plan_text(session=other, slug="testville-digital")
    assert second == first
