"""/plans/{slug}/build: archiving, restoring and moving parts from the outline, with and without
htmx."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import Department, FocusArea, Goal, HistoryEntry, HistoryField, Phase, Plan
from app.models.building import GoalCreate, PhaseCreate
from app.services.changes import plan_parts
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
BUILD = "/plans/testville-service/build"
Client = tuple[TestClient, str]
CLI = Actor(name="test")


@pytest.fixture
def plan(session: Session) -> Plan:
    plan = make_tiny_plan(session)
    for code in ("2", "3"):
        plan_parts.create_part(
            session=session, model=Phase, parent=plan,
            data=PhaseCreate(code=code, name=f"Phase {code}"), actor=CLI,
        )  # fmt: skip
    area = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
    for code in ("G2", "G3"):
        plan_parts.create_part(
            session=session, model=Goal, parent=plan,
            data=GoalCreate(code=code, title=code, focus_area_id=area.id), actor=CLI,
        )  # fmt: skip
    session.commit()
    return plan


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> Client:
    return signed_in_client(session, make_person(session, "coord", "coordinator"))


@pytest.fixture
def admin(session: Session, plan: Plan) -> Client:
    return signed_in_client(session, make_person(session, "boss", "admin"))


def post(client: Client, url: str, data: dict[str, str], **headers: str) -> Any:
    http, csrf = client
    return http.post(
        url, data=data, headers={"X-CSRF-Token": csrf, **headers}, follow_redirects=False
    )


def codes(session: Session, model: type[Any], *where: Any) -> list[str]:
    session.expire_all()
    rows = session.exec(
        select(model)
        .where(col(model.archived_at).is_(None), *where)
        .order_by(col(model.position), col(model.id))
    )
    return [row.code for row in rows]


def one(session: Session, model: type[Any], code: str) -> Any:
    session.expire_all()
    return session.exec(select(model).where(model.code == code)).one()


class TestMove:
    def test_move_down_then_up_changes_the_order(
        self, coordinator: Client, session: Session
    ) -> None:
        first = one(session, Phase, "1")
        answer = post(coordinator, f"{BUILD}/phases/{first.id}/move", {"direction": "down"})
        assert answer.status_code == 303
        assert answer.headers["location"].endswith(f"#phases-{first.id}")
        assert codes(session, Phase) == ["2", "1", "3"]
        last = one(session, Phase, "3")
        post(coordinator, f"{BUILD}/phases/{last.id}/move", {"direction": "up"})
        assert codes(session, Phase) == ["2", "3", "1"]

    def test_a_goal_moves_within_its_focus_area(
        self, coordinator: Client, session: Session
    ) -> None:
        g3 = one(session, Goal, "G3")
        area_id = g3.focus_area_id
        post(coordinator, f"{BUILD}/goals/{g3.id}/move", {"direction": "up"})
        assert codes(session, Goal, Goal.focus_area_id == area_id) == ["G3", "G2"]

    def test_htmx_gets_the_outline_block_in_the_new_order(
        self, coordinator: Client, session: Session
    ) -> None:
        first = one(session, Phase, "1")
        answer = post(coordinator, f"{BUILD}/phases/{first.id}/move", {"direction": "down"}, **HX)
        assert answer.status_code == 200
        soup = BeautifulSoup(answer.text, "html.parser")
        assert soup.find().get("id") == "builder-outline"  # the block alone, not the page
        phases = soup.find("ol", attrs={"aria-label": "Phases"})
        shown = [li["id"] for li in phases.find_all("li", recursive=False)]
        assert shown.index(f"phases-{first.id}") == 1
        assert "Moved 1 Phase 1 down." in soup.find(role="status").get_text()

    def test_the_first_cannot_move_up_and_the_last_cannot_move_down(
        self, coordinator: Client, session: Session
    ) -> None:
        soup = BeautifulSoup(coordinator[0].get(BUILD).text, "html.parser")
        items = soup.find("ol", attrs={"aria-label": "Phases"}).find_all("li", recursive=False)
        assert items[0].find("button", value="up").has_attr("disabled")
        assert not items[0].find("button", value="down").has_attr("disabled")
        assert items[-1].find("button", value="down").has_attr("disabled")
        first = one(session, Phase, "1")
        post(coordinator, f"{BUILD}/phases/{first.id}/move", {"direction": "up"})
        assert codes(session, Phase) == ["1", "2", "3"]

    def test_a_bad_direction_is_refused_and_changes_nothing(
        self, coordinator: Client, session: Session
    ) -> None:
        first = one(session, Phase, "1")
        answer = post(coordinator, f"{BUILD}/phases/{first.id}/move", {"direction": "sideways"})
        assert answer.status_code == 422
        assert "Nothing was saved: Choose up or down." in answer.text
        assert codes(session, Phase) == ["1", "2", "3"]


class TestDragOrder:
    def test_a_drag_puts_every_sibling_in_the_order_sent(
        self, coordinator: Client, session: Session
    ) -> None:
        ids = {code: one(session, Phase, code).id for code in ("1", "2", "3")}
        order = f"{ids['3']},{ids['1']},{ids['2']}"
        answer = post(coordinator, f"{BUILD}/phases/{ids['1']}/order", {"ids": order}, **HX)
        assert answer.status_code == 200
        assert codes(session, Phase) == ["3", "1", "2"]

    def test_an_order_leaving_one_out_is_refused_and_changes_nothing(
        self, coordinator: Client, session: Session
    ) -> None:
        ids = [one(session, Phase, code).id for code in ("2", "1")]
        answer = post(coordinator, f"{BUILD}/phases/{ids[0]}/order", {"ids": f"{ids[0]},{ids[1]}"})
        assert answer.status_code == 422
        assert "Nothing was saved: Must list every one of the 3 live items once" in answer.text
        assert codes(session, Phase) == ["1", "2", "3"]

    def test_the_outline_marks_lists_a_drag_may_reorder(self, coordinator: Client) -> None:
        soup = BeautifulSoup(coordinator[0].get(BUILD).text, "html.parser")
        assert soup.find("ol", attrs={"aria-label": "Phases"}).has_attr("data-reorder")
        assert soup.find("ol", attrs={"aria-label": "Departments"}).has_attr("data-reorder")


class TestArchiveAndRestore:
    def test_archive_takes_it_out_of_the_outline_into_archived(
        self, coordinator: Client, session: Session
    ) -> None:
        g2 = one(session, Goal, "G2")
        answer = post(coordinator, f"{BUILD}/goals/{g2.id}/archive", {"version": "1"})
        assert answer.status_code == 303
        assert one(session, Goal, "G2").archived_at is not None
        soup = BeautifulSoup(coordinator[0].get(answer.headers["location"]).text, "html.parser")
        archived = soup.find("details", id="archived")
        assert "G2" in archived.get_text() and archived.find("button") is None  # coordinators
        areas = soup.find("section", attrs={"aria-labelledby": "build-focus-areas"})
        assert areas.find(id=f"goals-{g2.id}") is None

    def test_a_stale_archive_is_refused(self, coordinator: Client, session: Session) -> None:
        g2 = one(session, Goal, "G2")
        answer = post(coordinator, f"{BUILD}/goals/{g2.id}/archive", {"version": "7"}, **HX)
        assert answer.status_code == 409
        assert "Nothing was saved" in answer.text
        assert one(session, Goal, "G2").archived_at is None

    def test_an_admin_restores_and_a_coordinator_may_not(
        self, coordinator: Client, admin: Client, session: Session
    ) -> None:
        dept = one(session, Department, "PW")
        post(coordinator, f"{BUILD}/departments/{dept.id}/archive", {"version": "1"})
        assert one(session, Department, "PW").archived_at is not None
        refused = post(coordinator, f"{BUILD}/departments/{dept.id}/restore", {"version": "2"})
        assert refused.status_code == 403
        assert one(session, Department, "PW").archived_at is not None
        outline = BeautifulSoup(admin[0].get(BUILD).text, "html.parser")
        restore = outline.find("details", id="archived").find("form")
        assert restore["action"] == f"{BUILD}/departments/{dept.id}/restore"
        answer = post(admin, restore["action"], {"version": "2"})
        assert answer.status_code == 303
        assert one(session, Department, "PW").archived_at is None

    @pytest.mark.parametrize("role", ["viewer", "lead"])
    def test_a_viewer_or_lead_changes_nothing(
        self, session: Session, plan: Plan, role: str
    ) -> None:
        client = signed_in_client(session, make_person(session, role, role, department="CC"))
        first = one(session, Phase, "1")
        assert (
            post(client, f"{BUILD}/phases/{first.id}/move", {"direction": "down"}).status_code
            == 403
        )
        assert (
            post(client, f"{BUILD}/phases/{first.id}/archive", {"version": "1"}).status_code == 403
        )
        assert codes(session, Phase) == ["1", "2", "3"]


class TestDepartmentOrder:
    """Departments have an order of their own: moved and dragged on the outline like any part,
    and every list of departments follows it."""

    def _pw_first(self, coordinator: Client, session: Session) -> tuple[int, int]:
        cc, pw = one(session, Department, "CC").id, one(session, Department, "PW").id
        answer = post(coordinator, f"{BUILD}/departments/{pw}/move", {"direction": "up"})
        assert answer.status_code == 303
        assert answer.headers["location"].endswith(f"#departments-{pw}")
        return cc, pw

    def test_move_and_drag_change_the_order_and_are_recorded(
        self, coordinator: Client, session: Session
    ) -> None:
        assert codes(session, Department) == ["CC", "PW"]
        cc, pw = self._pw_first(coordinator, session)
        assert codes(session, Department) == ["PW", "CC"]
        entry = session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == "department")
            .order_by(col(HistoryEntry.id).desc())
        ).first()
        assert entry is not None and entry.subject_id == pw
        fields = session.exec(select(HistoryField).where(HistoryField.entry_id == entry.id)).all()
        assert [(f.field, f.before, f.after) for f in fields] == [
            ("departments_order", [cc, pw], [pw, cc])
        ]
        dragged = post(coordinator, f"{BUILD}/departments/{cc}/order", {"ids": f"{cc},{pw}"}, **HX)
        assert dragged.status_code == 200
        shown = BeautifulSoup(dragged.text, "html.parser").find(
            "ol", attrs={"aria-label": "Departments"}
        )
        assert [li["id"] for li in shown.find_all("li", recursive=False)] == [
            f"departments-{cc}",
            f"departments-{pw}",
        ]
        assert codes(session, Department) == ["CC", "PW"]

    def test_a_drag_leaving_one_out_is_refused(self, coordinator: Client, session: Session) -> None:
        pw = one(session, Department, "PW").id
        answer = post(coordinator, f"{BUILD}/departments/{pw}/order", {"ids": str(pw)})
        assert answer.status_code == 422
        assert codes(session, Department) == ["CC", "PW"]

    def test_a_lead_may_not_move_a_department(self, session: Session, plan: Plan) -> None:
        lead = signed_in_client(session, make_person(session, "lee", "lead", department="PW"))
        pw = one(session, Department, "PW").id
        answer = post(lead, f"{BUILD}/departments/{pw}/move", {"direction": "up"})
        assert answer.status_code == 403
        assert codes(session, Department) == ["CC", "PW"]

    def test_lists_of_departments_follow_the_order(
        self, coordinator: Client, session: Session, plan: Plan
    ) -> None:
        cc, pw = self._pw_first(coordinator, session)
        http = coordinator[0]

        def options(url: str, selector: str) -> list[str]:
            soup = BeautifulSoup(http.get(url).text, "html.parser")
            return [str(o["value"]) for o in soup.select(selector) if o["value"]]

        by_id, by_code = [str(pw), str(cc)], ["PW", "CC"]
        assert options(f"/plans/{plan.slug}/strategies/new", "#strategy-department option") == by_id
        assert options(f"/plans/{plan.slug}/metrics/new", "#metric-department option") == by_id
        assert options(f"/plans/{plan.slug}/quick-wins/new", "#qw-department option") == by_id
        owners = options(f"/plans/{plan.slug}/owners", "select[name$=department_id] option")
        assert owners[:2] == by_id
        assert options("/my-work", "select[name=department] option") == by_code
        grid = f"/plans/{plan.slug}/measurements/grid"
        assert options(grid, "select[name=department] option") == by_code
        assert options("/review", "select[name=department] option") == by_code
        outline = BeautifulSoup(http.get(BUILD).text, "html.parser")
        listed = outline.find("ol", attrs={"aria-label": "Departments"})
        assert [li["id"] for li in listed.find_all("li", recursive=False)] == [
            f"departments-{pw}",
            f"departments-{cc}",
        ]
