"""The plan builder's API: add, change, archive, restore and reorder a plan's statements, phases,
focus areas, goals, personas and journeys, and an organisation's departments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    Journey,
    Persona,
    Phase,
    Plan,
    Statement,
    User,
)
from app.models.enums import Role
from tests.factories import make_person
from tests.routes.api.conftest import API, People, history, history_count

Client = Callable[[User], TestClient]
BUILD_REFUSED = (
    "Only a coordinator or an administrator can change the plan's structure; "
    "leads change their own department's work."
)


@dataclass(frozen=True)
class Kind:
    name: str  # the history's subject type
    model: type[Any]
    path: str  # "/statements"
    new: dict[str, Any]  # a valid create body
    title: str  # the field a change renames
    parent: str = "plan"  # plan, persona or organization

    def create_url(self, session: Session, plan: Plan) -> str:
        if self.parent == "persona":
            persona = session.exec(select(Persona).where(Persona.plan_id == plan.id)).first()
            assert persona is not None
            return f"{API}/personas/{persona.id}{self.path}"
        if self.parent == "organization":
            return f"{API}/organizations/testville{self.path}"
        return f"{API}/plans/{plan.slug}{self.path}"


KINDS = [
    Kind("statement", Statement, "/statements", {"kind": "value", "code": "9", "title": "Fair"},
         "title"),
    Kind("phase", Phase, "/phases", {"code": "9", "name": "Phase 9", "start": "2025-01-01"},
         "name"),
    Kind("focus_area", FocusArea, "/focus-areas", {"code": "9", "title": "Trust"}, "title"),
    Kind("goal", Goal, "/goals", {"code": "G9", "title": "Trusted", "outcomes": ["Trust"]},
         "title"),
    Kind("persona", Persona, "/personas", {"name": "Business owner"}, "name"),
    Kind("journey", Journey, "/journeys", {"title": "Get a permit"}, "title", parent="persona"),
    Kind("department", Department, "/departments", {"code": "LIB", "name": "Libraries"}, "name",
         parent="organization"),
]  # fmt: skip
IDS = [k.name for k in KINDS]


def rows(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return len(session.exec(select(model.id)).all())


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
class TestEachKind:
    def test_create_change_archive_restore_with_history(
        self, session: Session, plan: Plan, people: People, client_for: Client, kind: Kind
    ) -> None:
        admin = client_for(people.admin)
        made = admin.post(kind.create_url(session, plan), json=kind.new)
        assert made.status_code == 201, made.json()
        item = made.json()
        assert (made.headers["ETag"], item["version"], item["archived_at"]) == ('"1"', 1, None)
        url = made.headers["Location"]
        assert url == f"{API}{kind.path}/{item['id']}"
        assert admin.get(url).json() == item

        changed = admin.patch(url, json={"version": 1, kind.title: "Renamed"})
        assert changed.status_code == 200, changed.json()
        assert (changed.json()[kind.title], changed.headers["ETag"]) == ("Renamed", '"2"')

        stale = admin.patch(url, json={"version": 1, kind.title: "Lost"})
        assert stale.status_code == 409
        assert stale.json()["error"]["current"] == {"version": 2, kind.title: "Renamed"}
        assert stale.json()["error"]["saved_by"] == "Ada Admin"
        stale_header = admin.patch(
            url, json={"version": 1, kind.title: "Lost"}, headers={"If-Match": '"1"'}
        )
        assert stale_header.status_code == 412

        archived = admin.post(f"{url}/archive", json={"version": 2, "note": "Merged"})
        assert archived.status_code == 200, archived.json()
        assert archived.json()["archived_at"] is not None
        assert admin.get(url).status_code == 404
        assert admin.patch(url, json={"version": 3, kind.title: "Gone"}).status_code == 404

        restored = admin.post(f"{url}/restore", json={"version": 3})
        assert restored.status_code == 200, restored.json()
        assert (restored.json()["archived_at"], restored.json()["version"]) == (None, 4)
        assert admin.get(url).status_code == 200

        entries = history(session, kind.name, item["id"])
        assert [e["action"] for e in entries] == ["create", "update", "archive", "restore"]
        assert entries[0]["changes"][kind.title][0] is None
        assert entries[1]["changes"] == {kind.title: (kind.new[kind.title], "Renamed")}
        assert entries[2]["note"] == "Merged"
        assert entries[2]["changes"]["archived_at"][0] is None
        assert entries[3]["changes"]["archived_at"][1] is None
        assert [e["version_after"] for e in entries] == [1, 2, 3, 4]

    def test_a_coordinator_builds_but_does_not_restore(
        self, session: Session, plan: Plan, people: People, client_for: Client, kind: Kind
    ) -> None:
        coordinator = client_for(people.coordinator)
        made = coordinator.post(kind.create_url(session, plan), json=kind.new)
        assert made.status_code == 201, made.json()
        url = made.headers["Location"]
        assert coordinator.patch(url, json={"version": 1, kind.title: "X"}).status_code == 200
        assert coordinator.post(f"{url}/archive", json={"version": 2}).status_code == 200
        before = history_count(session)
        refused = coordinator.post(f"{url}/restore", json={"version": 3})
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == (
            "Only an administrator can restore archived items."
        )
        assert history_count(session) == before

    def test_leads_viewers_and_anonymous_are_refused_and_nothing_is_saved(
        self,
        session: Session,
        plan: Plan,
        people: People,
        client_for: Client,
        anonymous: TestClient,
        kind: Kind,
    ) -> None:
        url = kind.create_url(session, plan)
        count, entries = rows(session, kind.model), history_count(session)
        lead = client_for(people.cc_lead).post(url, json=kind.new)
        assert (lead.status_code, lead.json()["error"]["message"]) == (403, BUILD_REFUSED)
        viewer = client_for(people.viewer).post(url, json=kind.new)
        assert viewer.status_code == 403
        assert anonymous.post(url, json=kind.new).status_code == 401
        assert (rows(session, kind.model), history_count(session)) == (count, entries)

    def test_a_coordinator_of_another_organisation_is_refused(
        self, session: Session, plan: Plan, other_plan: Plan, client_for: Client, kind: Kind
    ) -> None:
        outsider = make_person(
            session, "otto-coordinator", Role.coordinator, organization="otherton"
        )
        client = client_for(outsider)
        count, entries = rows(session, kind.model), history_count(session)
        # Testville's plan is published, so its items are found and the rule refuses (403).
        answer = client.post(kind.create_url(session, plan), json=kind.new)
        assert answer.status_code == 403
        assert "belongs to another organisation" in answer.json()["error"]["message"]
        assert (rows(session, kind.model), history_count(session)) == (count, entries)

    def test_an_empty_title_is_refused_naming_the_field(
        self, session: Session, plan: Plan, people: People, client_for: Client, kind: Kind
    ) -> None:
        count = rows(session, kind.model)
        answer = client_for(people.admin).post(
            kind.create_url(session, plan), json={**kind.new, kind.title: ""}
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == [kind.title]
        assert rows(session, kind.model) == count


class TestRules:
    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("statements", {"kind": "standard", "code": "1", "title": "Again"}),
            ("phases", {"code": "1", "name": "Again"}),
            ("focus-areas", {"code": "1", "title": "Again"}),
            ("goals", {"code": "G1", "title": "Again"}),
        ],
    )
    def test_a_code_used_in_the_plan_is_refused(
        self,
        session: Session,
        plan: Plan,
        people: People,
        client_for: Client,
        path: str,
        body: dict,
    ) -> None:
        entries = history_count(session)
        answer = client_for(people.admin).post(f"{API}/plans/{plan.slug}/{path}", json=body)
        assert answer.status_code == 422
        (field,) = answer.json()["error"]["fields"]
        assert field["field"] == "code"
        assert "already used in this plan" in field["message"]
        assert history_count(session) == entries

    def test_a_department_code_is_unique_in_the_organisation(
        self, people: People, client_for: Client
    ) -> None:
        answer = client_for(people.admin).post(
            f"{API}/organizations/testville/departments", json={"code": "CC", "name": "Again"}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "code"

    def test_a_phase_cannot_end_before_it_starts(
        self, plan: Plan, people: People, client_for: Client
    ) -> None:
        answer = client_for(people.admin).post(
            f"{API}/plans/{plan.slug}/phases",
            json={"code": "9", "name": "Backwards", "start": "2025-06-01", "end": "2025-01-01"},
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["end"]

    def test_a_goal_names_a_focus_area_of_its_plan(
        self, session: Session, plan: Plan, other_plan: Plan, people: People, client_for: Client
    ) -> None:
        foreign = session.exec(
            select(FocusArea.id).where(FocusArea.plan_id == other_plan.id)
        ).first()
        answer = client_for(people.admin).post(
            f"{API}/plans/{plan.slug}/goals",
            json={"code": "G9", "title": "Elsewhere", "focus_area_id": foreign},
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "focus_area_id"

    def test_null_for_a_required_field_and_unknown_fields_are_refused(
        self, session: Session, plan: Plan, people: People, client_for: Client
    ) -> None:
        statement = session.exec(select(Statement).where(Statement.plan_id == plan.id)).one()
        admin = client_for(people.admin)
        url = f"{API}/statements/{statement.id}"
        null = admin.patch(url, json={"version": 1, "title": None})
        assert (null.status_code, null.json()["error"]["fields"][0]["field"]) == (422, "title")
        unknown = admin.patch(url, json={"version": 1, "titel": "Typo"})
        assert unknown.status_code == 422
        assert admin.get(url).json()["version"] == 1

    def test_an_unpublished_plan_of_another_organisation_is_not_found(
        self, other_plan: Plan, people: People, client_for: Client
    ) -> None:
        answer = client_for(people.admin).post(
            f"{API}/plans/{other_plan.slug}/statements", json={"kind": "value", "title": "Mine"}
        )
        assert answer.status_code == 404


class TestReorder:
    def _statements(self, client: TestClient, plan: Plan, count: int) -> list[int]:
        ids = [client.get(f"{API}/statements", params={"plan": plan.slug}).json()["items"][0]["id"]]
        for n in range(count):
            made = client.post(
                f"{API}/plans/{plan.slug}/statements", json={"kind": "value", "title": f"S{n}"}
            )
            ids.append(made.json()["id"])
        return ids

    def test_a_new_order_is_saved_and_recorded_on_the_plan(
        self, session: Session, plan: Plan, people: People, client_for: Client
    ) -> None:
        client = client_for(people.coordinator)
        ids = self._statements(client, plan, 2)
        order = [ids[2], ids[0], ids[1]]
        answer = client.put(f"{API}/plans/{plan.slug}/statements/order", json={"ids": order})
        assert answer.status_code == 200, answer.json()
        assert [s["id"] for s in answer.json()] == order
        listed = client.get(f"{API}/statements", params={"plan": plan.slug}).json()["items"]
        assert [s["id"] for s in listed] == order
        entry = history(session, "plan", plan.id)[-1]  # type: ignore[arg-type]
        assert (entry["action"], entry["actor"]) == ("update", "Coco Ordinator")
        assert entry["changes"] == {"statements_order": (ids, order)}

    @pytest.mark.parametrize("which", ["left out", "twice", "foreign"])
    def test_all_siblings_once_or_422(
        self, session: Session, plan: Plan, people: People, client_for: Client, which: str
    ) -> None:
        client = client_for(people.admin)
        ids = self._statements(client, plan, 2)
        body = {"left out": ids[:2], "twice": [*ids, ids[0]], "foreign": [*ids, 999]}[which]
        entries = history_count(session)
        answer = client.put(f"{API}/plans/{plan.slug}/statements/order", json={"ids": body})
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "ids"
        assert history_count(session) == entries

    def test_goals_are_ordered_within_their_focus_area(
        self, session: Session, plan: Plan, people: People, client_for: Client
    ) -> None:
        client = client_for(people.admin)
        area = session.exec(select(FocusArea.id).where(FocusArea.plan_id == plan.id)).first()
        made = [
            client.post(
                f"{API}/plans/{plan.slug}/goals",
                json={"code": f"A{n}", "title": f"A{n}", "focus_area_id": area},
            ).json()["id"]
            for n in range(2)
        ]
        url = f"{API}/plans/{plan.slug}/goals/order"
        answer = client.put(url, json={"ids": made[::-1], "focus_area_id": area})
        assert [g["id"] for g in answer.json()] == made[::-1]
        # The plan's goal outside focus areas (G1) is not among them.
        assert client.put(url, json={"ids": made}).status_code == 422

    def test_journeys_are_ordered_under_their_persona_and_leads_may_not(
        self, session: Session, plan: Plan, people: People, client_for: Client
    ) -> None:
        client, lead = client_for(people.admin), client_for(people.cc_lead)
        persona = session.exec(select(Persona).where(Persona.plan_id == plan.id)).one()
        first = session.exec(select(Journey.id).where(Journey.persona_id == persona.id)).one()
        second = client.post(
            f"{API}/personas/{persona.id}/journeys", json={"title": "Pay a bill"}
        ).json()["id"]
        url = f"{API}/personas/{persona.id}/journeys/order"
        refused = lead.put(url, json={"ids": [second, first]})
        assert refused.status_code == 403
        answer = client.put(url, json={"ids": [second, first]})
        assert [j["id"] for j in answer.json()] == [second, first]
        read = client.get(f"{API}/personas/{persona.id}").json()
        assert [j["id"] for j in read["journeys"]] == [second, first]
        session.expire_all()
        entry = session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == "persona")
            .order_by(col(HistoryEntry.id).desc())
        ).first()
        assert entry is not None and entry.action == "update"
