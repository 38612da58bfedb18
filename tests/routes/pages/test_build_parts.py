"""/plans/{slug}/build: the plan builder's outline and its parts' forms, as a coordinator uses
them (add, change, a stale change, bad input), and who is refused."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from app.models import FocusArea, Goal, HistoryEntry, Journey, Persona, Phase, Plan
from app.models.building import GoalUpdate
from app.routes.pages import build_forms
from app.services.changes import plan_parts
from app.services.changes.history import Actor
from tests.factories import app_under_test, make_person, make_tiny_plan, signed_in_client
from tests.fuzz.page_inputs import ODD_VALUES

HX = {"HX-Request": "true"}
SLUG = "testville-service"
BUILD = f"/plans/{SLUG}/build"
Client = tuple[TestClient, str]


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> Client:
    return signed_in_client(session, make_person(session, "coord", "coordinator"))


def post(client: Client, url: str, data: dict[str, str], **headers: str) -> object:
    http, csrf = client
    return http.post(
        url, data=data, headers={"X-CSRF-Token": csrf, **headers}, follow_redirects=False
    )


def goal(session: Session, code: str) -> Goal:
    session.expire_all()
    return session.exec(select(Goal).where(Goal.code == code)).one()


def history_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(HistoryEntry)).one()


class TestOutline:
    def test_shows_the_plans_parts_with_links_to_what_other_forms_build(
        self, coordinator: Client, session: Session
    ) -> None:
        answer = coordinator[0].get(BUILD)
        assert answer.status_code == 200
        soup = page(answer.text)
        area = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
        assert "1 Access" in text_of(soup.find(id=f"focus-areas-{area.id}"))
        hrefs = {a["href"] for a in soup.find_all("a")}
        assert f"/plans/{SLUG}/strategies/new?focus_area_id={area.id}" in hrefs
        assert f"/plans/{SLUG}/build/goals/new?focus_area_id={area.id}" in hrefs
        assert {f"/plans/{SLUG}/settings", f"/plans/{SLUG}/owners"} <= hrefs
        assert f"/plans/{SLUG}/measurements/grid" in hrefs
        assert "Contact Centre" in text_of(soup.find(id="build-departments").parent)

    def test_the_plan_overview_links_build_only_for_builders(
        self, coordinator: Client, session: Session
    ) -> None:
        overview = page(coordinator[0].get(f"/plans/{SLUG}").text)
        assert overview.find("a", href=BUILD) is not None
        viewer, _ = signed_in_client(session, make_person(session, "reader", "viewer"))
        assert page(viewer.get(f"/plans/{SLUG}").text).find("a", href=BUILD) is None

    @pytest.mark.parametrize("role", ["viewer", "lead"])
    def test_a_viewer_or_lead_is_refused(self, session: Session, plan: Plan, role: str) -> None:
        client, _ = signed_in_client(session, make_person(session, role, role, department="CC"))
        assert client.get(BUILD).status_code == 403
        assert client.get(f"{BUILD}/goals/new").status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, plan: Plan) -> None:
        answer = TestClient(app_under_test()).get(BUILD, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login")


class TestAdd:
    def test_adds_a_goal_to_a_focus_area_and_goes_back_to_the_outline(
        self, coordinator: Client, session: Session
    ) -> None:
        area = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
        answer = post(
            coordinator,
            f"{BUILD}/goals/new",
            {"code": "G2", "title": "Fewer repeat calls", "focus_area_id": str(area.id),
             "outcomes": "Residents call once\n\nIssues fixed first time"},
        )  # fmt: skip
        assert answer.status_code == 303
        new = goal(session, "G2")
        assert answer.headers["location"].startswith(f"{BUILD}?saved=Added")
        assert (new.focus_area_id, new.outcomes) == (
            area.id,
            ["Residents call once", "Issues fixed first time"],
        )
        shown = page(coordinator[0].get(answer.headers["location"]).text)
        assert "Added goal G2 Fewer repeat calls." in text_of(shown.find(role="status"))
        assert "G2 Fewer repeat calls" in text_of(shown.find(id=f"goals-{new.id}"))

    def test_adds_a_journey_to_the_persona_it_names(
        self, coordinator: Client, session: Session, plan: Plan
    ) -> None:
        persona = session.exec(select(Persona).where(Persona.plan_id == plan.id)).first()
        assert persona is not None
        form = page(coordinator[0].get(f"{BUILD}/journeys/new?persona_id={persona.id}").text)
        chosen = form.find("select", id="f-persona_id").find("option", selected=True)
        assert chosen["value"] == str(persona.id)
        answer = post(
            coordinator,
            f"{BUILD}/journeys/new",
            {"persona_id": str(persona.id), "title": "Report a pothole"},
        )
        assert answer.status_code == 303
        session.expire_all()
        made = session.exec(select(Journey).where(Journey.title == "Report a pothole")).one()
        assert made.persona_id == persona.id

    def test_htmx_is_sent_to_the_outline(self, coordinator: Client) -> None:
        answer = post(
            coordinator, f"{BUILD}/departments/new", {"code": "FIN", "name": "Finance"}, **HX
        )
        assert answer.status_code == 200
        assert answer.headers["HX-Redirect"].startswith(f"{BUILD}?saved=Added%20department")

    def test_bad_input_is_named_beside_its_field_and_nothing_is_saved(
        self, coordinator: Client, session: Session
    ) -> None:
        before = history_count(session)
        answer = post(
            coordinator,
            f"{BUILD}/goals/new",
            {"code": "G9", "title": "", "description": "Kept as typed"},
        )
        assert answer.status_code == 422
        soup = page(answer.text)
        title = soup.find("input", id="f-title")
        assert title["aria-invalid"] == "true"
        assert title["aria-describedby"] == "f-title-error"
        assert text_of(soup.find(id="f-title-error")) == "This is required."
        assert text_of(soup.find("textarea", id="f-description")) == "Kept as typed"
        session.expire_all()
        assert session.exec(select(func.count()).select_from(Goal)).one() == 1
        assert history_count(session) == before

    def test_a_code_already_used_is_refused_beside_the_code(
        self, coordinator: Client, session: Session
    ) -> None:
        answer = post(coordinator, f"{BUILD}/goals/new", {"code": "G1", "title": "Twice"})
        assert answer.status_code == 422
        error = text_of(page(answer.text).find(id="f-code-error"))
        assert error == "G1 is already used in this plan (archived included)."
        session.expire_all()
        assert session.exec(select(func.count()).select_from(Goal)).one() == 1

    def test_htmx_gets_the_form_block_with_the_error(self, coordinator: Client) -> None:
        answer = post(coordinator, f"{BUILD}/phases/new", {"code": "2", "name": "P2",
                      "start": "2025-06-01", "end": "2025-01-01"}, **HX)  # fmt: skip
        assert answer.status_code == 422
        assert answer.text.lstrip().startswith('<div id="part-form"')
        assert "is before start" in text_of(page(answer.text).find(id="f-end-error"))

    def test_an_unknown_kind_is_not_found(self, coordinator: Client) -> None:
        assert coordinator[0].get(f"{BUILD}/widgets/new").status_code == 404
        assert post(coordinator, f"{BUILD}/widgets/new", {"title": "x"}).status_code == 404


class TestChange:
    def test_the_form_shows_the_stored_values_and_saves_a_change(
        self, coordinator: Client, session: Session
    ) -> None:
        g1 = goal(session, "G1")
        form = page(coordinator[0].get(f"{BUILD}/goals/{g1.id}").text)
        assert form.find("input", id="f-title")["value"] == "Faster answers"
        assert form.find("input", attrs={"name": "version"})["value"] == "1"
        answer = post(
            coordinator,
            f"{BUILD}/goals/{g1.id}",
            {"version": "1", "code": "G1", "title": "Much faster answers",
             "outcomes": "Residents wait less"},
        )  # fmt: skip
        assert answer.status_code == 303
        changed = goal(session, "G1")
        assert (changed.title, changed.version) == ("Much faster answers", 2)

    def test_a_stale_change_shows_the_newer_value_and_saves_nothing(
        self, coordinator: Client, session: Session
    ) -> None:
        g1 = goal(session, "G1")
        plan_parts.update_part(
            session=session,
            item=g1,
            data=GoalUpdate(version=1, title="Answers within a day"),
            actor=Actor(name="someone"),
        )
        session.commit()
        answer = post(
            coordinator,
            f"{BUILD}/goals/{g1.id}",
            {"version": "1", "code": "G1", "title": "My stale title", "outcomes": ""},
        )
        assert answer.status_code == 409
        soup = page(answer.text)
        conflict = text_of(soup.find(class_="notice-conflict"))
        assert "newer version" in conflict and "Title now Answers within a day" in conflict
        assert "Outcomes now Residents wait less" in conflict
        assert soup.find("input", id="f-title")["value"] == "My stale title"
        assert soup.find("input", attrs={"name": "version"})["value"] == "2"
        assert goal(session, "G1").title == "Answers within a day"

    def test_a_part_the_plan_does_not_have_is_not_found(
        self, coordinator: Client, session: Session
    ) -> None:
        phase = session.exec(select(Phase)).one()
        assert coordinator[0].get(f"{BUILD}/phases/{phase.id}").status_code == 200
        assert coordinator[0].get(f"{BUILD}/goals/{phase.id + 99}").status_code == 404


@pytest.mark.parametrize("kind", ["goals", "focus-areas", "statements"])
def test_odd_values_in_any_field_never_answer_a_server_error(
    coordinator: Client, session: Session, kind: str
) -> None:
    """The builder reads its forms' fields by kind, which the page fuzz cannot see: each one gets
    the fuzz's odd values here (dates at the calendar's ends, NUL, huge numbers)."""
    failures = []
    for spec in build_forms.FORMS[kind].fields:
        for n, (name, value) in enumerate(ODD_VALUES.items()):
            # A new code each time, so a value that passes reaches the database.
            plausible = {"kind": "value", "code": f"Z{spec.name[:3]}{n}", "title": "Z"}
            answer = post(coordinator, f"{BUILD}/{kind}/new", {**plausible, spec.name: value})
            if answer.status_code >= 500:
                failures.append((spec.name, name, answer.status_code))
    assert failures == []
