"""Internal metrics (issue 12: "Metrics can be marked internal"): the plan's organisation reads
them as any other; anonymous readers of the published plan never see them, on any surface that
lists metrics (pages, exports, report, the JSON API, the tree) nor on the public site. The flag
is set from the API, the plan file and the build form."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Metric, Plan
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

SLUG = "testville-service"
NAME = "First call resolution"


@pytest.fixture
def tiny(session: Session) -> Plan:
    """The tiny published plan with its only metric, FCR, marked internal."""
    plan = make_tiny_plan(session)
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    fcr.internal = True
    session.add(fcr)
    session.commit()
    return plan


SURFACES = [
    f"/plans/{SLUG}",
    f"/plans/{SLUG}/scorecard",
    f"/plans/{SLUG}/scorecard.csv",
    f"/plans/{SLUG}/measurements.csv",
    f"/plans/{SLUG}/report",
    f"/plans/{SLUG}/search?q=first+call",
    f"/api/v1/plans/{SLUG}/tree",
    f"/api/v1/metrics?plan={SLUG}",
    "/api/v1/metrics",
    f"/public/testville/{SLUG}",
    f"/public/testville/{SLUG}/metrics.csv",
    f"/public/testville/{SLUG}/metrics.json",
]


def test_anonymous_readers_never_see_an_internal_metric(session: Session, tiny: Plan) -> None:
    anonymous, _ = signed_in_client(session, None)
    for url in SURFACES:
        answer = anonymous.get(url)
        assert answer.status_code == 200, url
        assert NAME not in answer.text, url
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    assert anonymous.get(f"/plans/{SLUG}/scorecard/FCR").status_code == 404
    assert anonymous.get(f"/api/v1/metrics/{fcr.id}").status_code == 404
    assert anonymous.get(f"/api/v1/metrics/{fcr.id}/measurements").status_code == 404


def test_the_organisation_reads_it_as_any_metric(session: Session, tiny: Plan) -> None:
    viewer, _ = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))
    for url in SURFACES[1:8]:
        answer = viewer.get(url)
        assert answer.status_code == 200, url
        assert NAME in answer.text, url
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    read = viewer.get(f"/api/v1/metrics/{fcr.id}")
    assert read.status_code == 200 and read.json()["internal"] is True


def test_another_organisations_people_do_not_see_it(session: Session, tiny: Plan) -> None:
    from app.models import Organization

    session.add(Organization(name="Elsewhere", slug="elsewhere"))
    session.commit()
    outsider, _ = signed_in_client(
        session, make_person(session, "el-admin", "admin", organization="elsewhere")
    )
    for url in (f"/plans/{SLUG}/scorecard", f"/api/v1/plans/{SLUG}/tree", "/api/v1/metrics"):
        assert NAME not in outsider.get(url).text, url


def test_the_api_sets_and_clears_the_flag(session: Session, tiny: Plan) -> None:
    admin = make_person(session, "ada", "admin")
    client, csrf = signed_in_client(session, admin)
    headers = {"X-CSRF-Token": csrf}
    made = client.post(
        f"/api/v1/plans/{SLUG}/metrics",
        json={
            "code": "NEW",
            "name": "Wait time",
            "unit": "minutes",
            "direction": "lower",
            "internal": True,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["internal"] is True
    body = made.json()
    changed = client.patch(
        f"/api/v1/metrics/{body['id']}",
        json={"version": body["version"], "internal": False},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["internal"] is False


def test_the_plan_file_keeps_the_flag(session: Session, tiny: Plan) -> None:
    text = export_plan_text(session=session, slug=tiny.slug)
    assert "internal: true" in text
    other = TINY_PLAN.replace("slug: testville-service", "slug: testville-two").replace(
        "    unit: percent", "    internal: true\n    unit: percent", 1
    )
    plan = import_plan_text(session=session, text=other, source="two.yaml")
    session.commit()
    metric = session.exec(select(Metric).where(Metric.plan_id == plan.id)).one()
    assert metric.internal is True


def test_the_build_form_ticks_and_unticks_it(session: Session, tiny: Plan) -> None:
    client, csrf = signed_in_client(session, make_person(session, "ada", "admin"))
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    page = BeautifulSoup(client.get(f"/metrics/{fcr.id}/edit").text, "html.parser")
    box = page.select_one("#metric-internal")
    assert box is not None and box.has_attr("checked")
    label = page.select_one('label[for="metric-internal"]')
    assert label is not None and "Internal metric" in label.get_text()
    form = page.select_one("#item form")
    assert form is not None
    data = {
        f["name"]: f.get("value", "")
        for f in form.select("input[name]")
        if f.get("type") != "checkbox"
    }
    data |= {t["name"]: t.text for t in form.select("textarea")}
    for s in form.select("select"):
        chosen = s.select_one("option[selected]") or s.select_one("option")
        data[s["name"]] = chosen.get("value", "") if chosen else ""
    answer = client.post(f"/metrics/{fcr.id}/edit", data=data, headers={"X-CSRF-Token": csrf})
    assert answer.status_code in (200, 303), answer.text
    session.expire_all()
    assert session.get(Metric, fcr.id).internal is False  # type: ignore[union-attr]
