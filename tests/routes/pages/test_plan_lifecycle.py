"""/plans/new and /plans/{slug}/settings: a builder makes a draft plan (form or plan file),
changes its settings and words, and adopts it; refusals show beside their fields, save nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, Plan, User
from app.models.enums import Role
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
FORM = {
    "title": "Digital Services Plan",
    "slug": "testville-digital",
    "period_start": "2025-01-01",
    "period_end": "2028-12-31",
    "schedule": "calendar",
    "term_strategy": "Initiative",
    "term_strategies": "Initiatives",
}
UPLOAD = TINY_PLAN.replace("slug: testville-service", "slug: testville-upload")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> tuple[TestClient, str]:
    user = make_person(session, "coco-ordinator", Role.coordinator)
    return signed_in_client(session, user)


def post(client_csrf: tuple[TestClient, str], url: str, **kwargs: Any) -> Any:
    client, csrf = client_csrf
    headers = {"X-CSRF-Token": csrf, **kwargs.pop("headers", {})}
    return client.post(url, headers=headers, follow_redirects=False, **kwargs)


def stored(session: Session, slug: str) -> Plan | None:
    session.expire_all()
    return session.exec(select(Plan).where(Plan.slug == slug)).first()


def count(session: Session, model: type) -> int:
    session.expire_all()
    return len(session.exec(select(model.id)).all())


def test_the_plans_index_offers_new_plan_to_builders_only(
    session: Session, plan: Plan, coordinator: tuple[TestClient, str]
) -> None:
    client, _ = coordinator
    link = soup(client.get("/plans").text).find("a", href="/plans/new")
    assert link is not None and link.get_text(strip=True) == "New plan"
    # A plain link styled as a button: announced as a link, followed with Enter.
    assert not link.has_attr("role") and "button-link" in link["class"]
    lead = make_person(session, "cara-lead", Role.lead, department="CC")
    lead_client, _ = signed_in_client(session, lead)
    assert soup(lead_client.get("/plans").text).find("a", href="/plans/new") is None
    assert lead_client.get("/plans/new").status_code == 403
    assert TestClient(client.app).get("/plans/new", follow_redirects=False).status_code in (
        303,
        401,
    )


def test_the_new_plan_form_has_labels_for_every_input(
    coordinator: tuple[TestClient, str],
) -> None:
    page = soup(coordinator[0].get("/plans/new").text)
    for form in page.find_all("form", action=("/plans/new", "/plans/new/upload")):
        for field in form.find_all(["input", "select"]):
            if field.get("type") == "hidden":
                continue
            assert page.find("label", attrs={"for": field["id"]}), field
        assert form.find("input", attrs={"name": "csrf_token"})


def test_a_coordinator_makes_a_draft_plan_without_javascript(
    session: Session, coordinator: tuple[TestClient, str]
) -> None:
    answer = post(coordinator, "/plans/new", data=FORM)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/plans/testville-digital/settings?saved=created"
    made = stored(session, "testville-digital")
    assert made is not None and made.status == "draft" and made.term("strategy") == "Initiative"
    page = soup(coordinator[0].get(answer.headers["location"]).text)
    assert "Plan created as a draft" in page.get_text()
    assert page.find(class_="draft-badge") is not None
    assert page.find("form", action="/plans/testville-digital/adopt") is not None
    for path in ("", "/roadmap", "/scorecard", "/quick-wins"):  # every page of a draft says so
        shown = soup(coordinator[0].get(f"/plans/testville-digital{path}").text)
        assert shown.find(class_="draft-badge") is not None, path
    tiny = soup(coordinator[0].get("/plans/testville-service").text)  # an adopted plan does not
    assert tiny.find(class_="draft-badge") is None


def test_with_htmx_a_saved_plan_redirects_the_page(coordinator: tuple[TestClient, str]) -> None:
    answer = post(coordinator, "/plans/new", data=FORM, headers=HX)
    assert answer.status_code == 200
    assert answer.headers["HX-Redirect"] == "/plans/testville-digital/settings?saved=created"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "Not A Slug"}, "slug", ""),
        ({"slug": "testville-service"}, "slug", "already exists"),
        ({"period_end": "2024-01-01"}, "period_end", "before the period's start"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_a_refused_plan_shows_the_message_beside_its_field(
    session: Session,
    coordinator: tuple[TestClient, str],
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    plans, entries = count(session, Plan), count(session, HistoryEntry)
    answer = post(coordinator, "/plans/new", data={**FORM, **change}, headers=HX)
    assert answer.status_code == 422
    page = soup(answer.text)
    error = page.find(id=f"new-{field}-error")
    assert error is not None and message in error.get_text()
    assert page.find(id=f"new-{field}")["aria-describedby"] == f"new-{field}-error"
    assert page.find(id="new-title")["value"] == change.get("title", FORM["title"])  # kept
    assert count(session, Plan) == plans and count(session, HistoryEntry) == entries


def test_uploading_a_plan_file(session: Session, coordinator: tuple[TestClient, str]) -> None:
    files = {"file": ("plan.yaml", UPLOAD.replace("published: true", "status: draft").encode())}
    answer = post(coordinator, "/plans/new/upload", files=files)
    assert answer.status_code == 303, answer.text
    made = stored(session, "testville-upload")
    assert made is not None and made.status == "draft"


def test_a_refused_plan_file_shows_each_line_and_field_and_saves_nothing(
    session: Session, coordinator: tuple[TestClient, str]
) -> None:
    bad = UPLOAD.replace("        term: short\n", "        term: shortish\n", 1)
    line = bad.splitlines().index("        term: shortish") + 1
    plans, entries = count(session, Plan), count(session, HistoryEntry)
    answer = post(coordinator, "/plans/new/upload", files={"file": ("p.yaml", bad.encode())})
    assert answer.status_code == 422
    problems = soup(answer.text).find(id="upload-problems")
    assert problems is not None
    text = " ".join(problems.get_text(" ").split())
    assert f"Line {line} · focus_areas[0].strategies[0].term" in text
    assert "nothing was stored" in text
    assert count(session, Plan) == plans and count(session, HistoryEntry) == entries
    assert stored(session, "testville-upload") is None


def test_settings_words_and_adoption(session: Session, coordinator: tuple[TestClient, str]) -> None:
    post(coordinator, "/plans/new", data=FORM)
    url = "/plans/testville-digital"
    form = {
        "version": "1",
        "title": "Digital Plan",
        "period_start": "2025-01-01",
        "period_end": "2029-12-31",
        "schedule": "calendar",
        "term_focus_area": "Theme",
        "word_on_track": "On Target",
    }
    saved = post(coordinator, f"{url}/settings", data=form)
    assert saved.status_code == 303
    made = stored(session, "testville-digital")
    assert made is not None and made.title == "Digital Plan" and made.version == 2
    assert made.term("focus_area") == "Theme" and made.term("strategy") == "Strategy"
    assert made.status_words == {"on_track": "On Target"}
    stale = post(coordinator, f"{url}/settings", data={**form, "title": "Mine"}, headers=HX)
    assert stale.status_code == 409
    assert "Someone else saved a newer version" in stale.text
    bad = post(coordinator, f"{url}/settings",
               data={**form, "version": "2", "schedule": "relative"}, headers=HX)  # fmt: skip
    assert bad.status_code == 422
    assert soup(bad.text).find(id="settings-schedule_origin-error") is not None
    adopted = post(coordinator, f"{url}/adopt", data={"version": "2", "adopted_on": "2025-03-01"})
    assert adopted.status_code == 303
    made = stored(session, "testville-digital")
    assert made is not None and made.status == "adopted" and str(made.adopted_on) == "2025-03-01"
    page = soup(coordinator[0].get(f"{url}/settings").text)
    assert page.find("form", action=f"{url}/adopt") is None
    assert page.find(class_="draft-badge") is None


def test_leads_and_viewers_may_not_change_settings(
    session: Session, plan: Plan, coordinator: tuple[TestClient, str]
) -> None:
    post(coordinator, "/plans/new", data=FORM)
    url = "/plans/testville-digital"
    for name, role, dept in (("cara-lead", Role.lead, "CC"), ("vic-viewer", Role.viewer, None)):
        user: User = make_person(session, name, role, department=dept)
        other = signed_in_client(session, user)
        assert other[0].get(f"{url}/settings").status_code == 403
        assert post(other, f"{url}/adopt", data={"version": "1"}).status_code == 403
        assert (
            post(other, f"{url}/settings", data={"version": "1", "title": "X"}).status_code == 403
        )
    made = stored(session, "testville-digital")
    assert made is not None and made.status == "draft" and made.version == 1


def test_a_draft_is_hidden_from_the_public_and_other_organisations(
    session: Session, plan: Plan, coordinator: tuple[TestClient, str]
) -> None:
    post(coordinator, "/plans/new", data=FORM)
    made = stored(session, "testville-digital")
    assert made is not None
    made.published = True  # even published: a draft is its organisation's
    session.add(made)
    session.commit()
    make_tiny_plan(
        session,
        TINY_PLAN.replace("slug: testville}", "slug: otherton}")
        .replace("City of Testville", "Town of Otherton")
        .replace("slug: testville-service", "slug: otherton-service"),
    )
    olga = make_person(session, "olga", Role.coordinator, organization="otherton")
    anonymous = TestClient(coordinator[0].app)
    outsider, _ = signed_in_client(session, olga)
    viewer, _ = signed_in_client(session, make_person(session, "vic", Role.viewer))
    for client, seen in ((anonymous, False), (outsider, False), (viewer, True)):
        index = client.get("/plans").text
        assert ("Digital Services Plan" in index) is seen
        for path in ("", "/roadmap", "/scorecard"):
            answer = client.get(f"/plans/testville-digital{path}")
            assert answer.status_code == (200 if seen else 404), (path, answer.status_code)
    assert outsider.get("/plans/testville-digital/settings").status_code == 404
