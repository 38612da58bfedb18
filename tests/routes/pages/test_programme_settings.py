"""A plan's programme and fiscal year on its settings page and in the API (issue 12): chosen from
the organisation's plans, refused beside the field (nested programme), nothing saved."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Plan
from app.models.enums import Role
from app.services.plan_file.importing import import_plan_text
from tests.factories import make_person, make_tiny_plan, signed_in_client
from tests.services.changes.test_programmes import MEMBER_PLAN

HX = {"HX-Request": "true"}
SETTINGS = "/plans/testville-roads/settings"


def _plans(session: Session) -> None:
    make_tiny_plan(session)
    import_plan_text(session=session, text=MEMBER_PLAN, source="member.yaml")
    roads = (
        MEMBER_PLAN.replace("testville-public-works", "testville-roads")
        .replace("  programme: testville-service\n", "")
        .replace("  fiscal_year_start_month: 7\n", "")
    )
    import_plan_text(session=session, text=roads, source="roads.yaml")
    session.commit()


def _stored(session: Session, slug: str) -> Plan:
    session.expire_all()
    return session.exec(select(Plan).where(Plan.slug == slug)).one()


def test_the_settings_page_sets_the_programme_and_fiscal_year(session: Session) -> None:
    _plans(session)
    client, csrf = signed_in_client(session, make_person(session, "co", Role.coordinator))
    page = BeautifulSoup(client.get(SETTINGS).text, "html.parser")
    select_ = page.find("select", id="settings-programme")
    offered = [o["value"] for o in select_.find_all("option")]
    # The organisation's plans in no programme, not the plan itself nor a member plan.
    assert offered == ["", "testville-service"]
    assert page.find("label", attrs={"for": "settings-fiscal_year_start_month"}) is not None
    form = {"version": "1", "title": "Roads", "schedule": "calendar"}
    saved = client.post(
        SETTINGS,
        data={**form, "programme": "testville-service", "fiscal_year_start_month": "7"},
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    roads = _stored(session, "testville-roads")
    assert roads.programme_id == _stored(session, "testville-service").id
    assert roads.fiscal_year_start_month == 7


def test_a_nested_programme_is_refused_beside_the_field(session: Session) -> None:
    _plans(session)
    client, csrf = signed_in_client(session, make_person(session, "co", Role.coordinator))
    form = {"version": "1", "title": "Roads", "schedule": "calendar"}
    refused = client.post(
        SETTINGS,
        data={**form, "programme": "testville-public-works", "fiscal_year_start_month": "13"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert refused.status_code == 422
    soup = BeautifulSoup(refused.text, "html.parser")
    field = soup.find(id="settings-fiscal_year_start_month")
    assert field["aria-invalid"] == "true"
    assert soup.find(id="settings-fiscal_year_start_month-error") is not None
    roads = _stored(session, "testville-roads")
    assert (
        roads.programme_id is None and roads.fiscal_year_start_month is None and roads.version == 1
    )
    nested = client.post(
        SETTINGS,
        data={**form, "programme": "testville-public-works"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert nested.status_code == 422
    error = BeautifulSoup(nested.text, "html.parser").find(id="settings-programme-error")
    assert error is not None and "nested" in error.get_text()


def test_the_api_reads_and_sets_the_programme(session: Session) -> None:
    _plans(session)
    client, csrf = signed_in_client(session, make_person(session, "co", Role.coordinator))
    member = client.get("/api/v1/plans/testville-public-works").json()
    assert member["programme"] == "testville-service" and member["fiscal_year_start_month"] == 7
    headers = {"X-CSRF-Token": csrf}
    refused = client.patch(
        "/api/v1/plans/testville-roads",
        json={"version": 1, "programme": "testville-public-works"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "programme" in str(refused.json()), refused.json()
    saved = client.patch(
        "/api/v1/plans/testville-roads",
        json={"version": 1, "programme": "testville-service"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["programme"] == "testville-service"
