"""/api/v1/plans and /api/v1/organizations: who sees which plans, and what a plan answers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Plan, User
from app.models.base import utcnow
from app.models.enums import Role
from tests.factories import make_person
from tests.routes.api.conftest import API, People, ids_of

Client = Callable[[User], TestClient]


def slugs(answer: dict) -> list[str]:
    return [item["slug"] for item in answer["items"]]


def installation_admin(session: Session) -> User:
    root = User(username="root", role=Role.admin, is_installation_admin=True)
    session.add(root)
    session.commit()
    return root


class TestListPlans:
    def test_unpublished_plans_are_listed_only_for_their_organisation(
        self,
        session: Session,
        anonymous: TestClient,
        client_for: Client,
        people: People,
        other_plan: Plan,
    ) -> None:
        otherton = make_person(session, "olga-viewer", Role.viewer, organization="otherton")
        assert slugs(anonymous.get(f"{API}/plans").json()) == ["testville-service"]
        assert slugs(client_for(people.viewer).get(f"{API}/plans").json()) == ["testville-service"]
        assert slugs(client_for(otherton).get(f"{API}/plans").json()) == [
            "testville-service",
            "otherton-service",
        ]
        # Testville's administrator administers Testville alone (issue 15); the installation's
        # administrator reads every plan.
        assert slugs(client_for(people.admin).get(f"{API}/plans").json()) == ["testville-service"]
        root = installation_admin(session)
        assert client_for(root).get(f"{API}/plans").json()["total"] == 2

    def test_paginates(
        self,
        session: Session,
        anonymous: TestClient,
        other_plan: Plan,
        people: People,
        client_for: Client,
    ) -> None:
        root = installation_admin(session)
        answer = client_for(root).get(f"{API}/plans", params={"limit": 1, "offset": 1}).json()
        # By organisation name: City of Testville's plan, then Town of Otherton's.
        assert (slugs(answer), answer["total"], answer["limit"], answer["offset"]) == (
            ["otherton-service"],
            2,
            1,
            1,
        )

    def test_archived_plans_only_for_administrators_who_ask(
        self, session: Session, anonymous: TestClient, client_for: Client, people: People
    ) -> None:
        session.execute(update(Plan).values(archived_at=utcnow()))
        session.commit()
        assert anonymous.get(f"{API}/plans").json()["total"] == 0
        admin = client_for(people.admin)
        assert admin.get(f"{API}/plans").json()["total"] == 0
        assert slugs(admin.get(f"{API}/plans", params={"include_archived": "true"}).json()) == [
            "testville-service"
        ]
        assert (
            client_for(people.viewer)
            .get(f"{API}/plans", params={"include_archived": "true"})
            .status_code
            == 403
        )


class TestGetPlan:
    def test_shape(self, anonymous: TestClient, plan: Plan) -> None:
        answer = anonymous.get(f"{API}/plans/testville-service")
        assert (answer.status_code, answer.headers["ETag"]) == (200, '"1"')
        body = answer.json()
        assert body == {
            **body,
            "slug": "testville-service",
            "title": "Testville Customer Service Plan",
            "organization": "City of Testville",
            "organization_slug": "testville",
            "published": True,
            "vision": "Every resident served well.",
            "version": 1,
            "period_start": "2024-01-01",
            "period_end": "2027-12-31",
        }
        assert body["terminology"]["strategy"] == "Recommendation"
        assert body["terminology"]["focus_area"] == "Focus area"  # the default fills the gaps

    def test_unpublished_plan_is_404_to_anonymous_and_other_organisations(
        self,
        session: Session,
        anonymous: TestClient,
        client_for: Client,
        people: People,
        other_plan: Plan,
    ) -> None:
        url = f"{API}/plans/otherton-service"
        unknown = anonymous.get(f"{API}/plans/no-such-plan").json()
        assert anonymous.get(url).status_code == 404
        assert anonymous.get(url).json()["error"]["code"] == unknown["error"]["code"] == "not_found"
        assert client_for(installation_admin(session)).get(url).status_code == 200
        assert client_for(people.admin).get(url).status_code == 404  # Testville's administrator
        assert client_for(people.viewer).get(url).status_code == 404  # Testville's viewer
        otherton = make_person(session, "olga-viewer", Role.viewer, organization="otherton")
        assert client_for(otherton).get(url).status_code == 200

    def test_what_an_unpublished_plan_holds_is_404_too(
        self, session: Session, anonymous: TestClient, other_plan: Plan
    ) -> None:
        hidden = ids_of(session, other_plan)
        for url in (
            f"/strategies/{hidden.s11}",
            f"/steps/{hidden.step}",
            f"/quick-wins/{hidden.qw1}",
            f"/metrics/{hidden.fcr}",
            f"/metrics/{hidden.fcr}/measurements",
            f"/focus-areas/{hidden.fa_access}",
            f"/strategies/{hidden.s11}/steps",
        ):
            assert anonymous.get(API + url).status_code == 404, url
        assert (
            anonymous.get(f"{API}/strategies", params={"plan": "otherton-service"}).status_code
            == 404
        )
        assert anonymous.get(f"{API}/strategies").json()["total"] == 2  # Testville's two only
        assert anonymous.get(f"{API}/metrics").json()["total"] == 1


class TestOrganizations:
    def test_listed_when_a_plan_of_theirs_is_readable(
        self,
        session: Session,
        anonymous: TestClient,
        client_for: Client,
        people: People,
        other_plan: Plan,
    ) -> None:
        assert slugs(anonymous.get(f"{API}/organizations").json()) == ["testville"]
        otherton = make_person(session, "olga-viewer", Role.viewer, organization="otherton")
        # By name: "City of Testville" before "Town of Otherton".
        assert slugs(client_for(otherton).get(f"{API}/organizations").json()) == [
            "testville",
            "otherton",
        ]
        assert anonymous.get(f"{API}/organizations/otherton").status_code == 404
        assert anonymous.get(f"{API}/organizations/otherton/departments").status_code == 404

    def test_one_organisation_and_its_departments(self, anonymous: TestClient, plan: Plan) -> None:
        assert anonymous.get(f"{API}/organizations/testville").json() == {
            "id": plan.organization_id,
            "slug": "testville",
            "name": "City of Testville",
        }
        departments = anonymous.get(f"{API}/organizations/testville/departments").json()
        assert [(d["code"], d["name"]) for d in departments["items"]] == [
            ("CC", "Contact Centre"),
            ("PW", "Public Works"),
        ]
        page = anonymous.get(
            f"{API}/organizations/testville/departments", params={"limit": 1, "offset": 1}
        ).json()
        assert ([d["code"] for d in page["items"]], page["total"]) == (["PW"], 2)
        one = anonymous.get(f"{API}/departments/{departments['items'][0]['id']}").json()
        assert one == departments["items"][0]

    def test_departments_of_a_hidden_organisation_are_404(
        self, session: Session, anonymous: TestClient, other_plan: Plan
    ) -> None:
        assert (
            anonymous.get(f"{API}/departments/{ids_of(session, other_plan).cc}").status_code == 404
        )
