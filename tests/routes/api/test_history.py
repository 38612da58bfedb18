"""GET /api/v1/history: who changed what and when, newest first, for the organisation's people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Plan, User
from app.models.enums import Role, SubjectType
from app.services.changes.history import SYSTEM, record_change
from tests.factories import make_person
from tests.routes.api.conftest import API, Ids, People

Client = Callable[[User], TestClient]


def changes(client: TestClient, ids: Ids, people: People, client_for: Client) -> None:
    lead = client_for(people.cc_lead)
    assert (
        lead.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "A"}).status_code
        == 200
    )
    assert (
        lead.post(
            f"{API}/quick-wins/{ids.qw1}/progress", json={"version": 1, "note": "n"}
        ).status_code
        == 200
    )


class TestHistory:
    def test_anonymous_is_401(self, anonymous: TestClient, plan: Plan) -> None:
        answer = anonymous.get(f"{API}/history")
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "not_authenticated"

    def test_entries_newest_first_with_their_field_changes(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        changes(client_for(people.viewer), ids, people, client_for)
        answer = client_for(people.viewer).get(f"{API}/history", params={"limit": 2}).json()
        progress, update_ = answer["items"]
        assert (progress["subject_type"], progress["action"], progress["note"]) == (
            "quick_win",
            "progress",
            "n",
        )
        assert (update_["subject_type"], update_["subject_id"], update_["action"]) == (
            "strategy",
            ids.s11,
            "update",
        )
        assert update_["actor_name"] == "Cara Lead" and update_["version_after"] == 2
        assert update_["changes"] == [
            {"field": "title", "before": "Answer in language", "after": "A"}
        ]
        assert update_["subject_label"] == "Recommendation 1.1: Answer in language"
        assert update_["at"].endswith("Z") or update_["at"].endswith("+00:00")
        assert answer["total"] > 2 and answer["limit"] == 2

    def test_filters(self, session: Session, client_for: Client, people: People, ids: Ids) -> None:
        changes(client_for(people.viewer), ids, people, client_for)
        viewer = client_for(people.viewer)

        def listed(**params: object) -> list[tuple[str, str]]:
            answer = viewer.get(f"{API}/history", params=params)
            assert answer.status_code == 200, answer.json()
            return [(e["subject_type"], e["action"]) for e in answer.json()["items"]]

        assert listed(subject_type="strategy", subject_id=ids.s11) == [("strategy", "update")]
        assert listed(subject_type="quick_win") == [("quick_win", "progress")]
        assert listed(subject_type="strategy", subject_id=ids.s12) == []
        # `since` includes its own moment, whatever offset it is written in.
        (update_,) = viewer.get(
            f"{API}/history", params={"subject_type": "strategy", "subject_id": ids.s11}
        ).json()["items"]
        at = dt.datetime.fromisoformat(update_["at"].replace("Z", "+00:00"))
        in_paris = at.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
        assert listed(since=in_paris) == [("quick_win", "progress"), ("strategy", "update")]
        after = (at + dt.timedelta(microseconds=1)).isoformat()
        assert listed(since=after, subject_type="strategy") == []
        assert ("plan", "imported") in listed(plan="testville-service", limit=500)

    def test_people_read_only_their_own_organisation_s_history(
        self, session: Session, client_for: Client, people: People, ids: Ids, other_plan: Plan
    ) -> None:
        changes(client_for(people.viewer), ids, people, client_for)
        otherton = make_person(session, "olga-viewer", Role.viewer, organization="otherton")
        theirs = client_for(otherton).get(f"{API}/history", params={"limit": 500}).json()["items"]
        assert theirs and {e["plan_id"] for e in theirs} == {other_plan.id}
        # Testville's plan is published, so Otherton can read the plan, but not its history.
        assert (
            client_for(otherton)
            .get(f"{API}/history", params={"plan": "testville-service"})
            .json()["total"]
            == 0
        )
        # Otherton's plan is not published: Testville's people are told it does not exist.
        assert (
            client_for(people.viewer)
            .get(f"{API}/history", params={"plan": "otherton-service"})
            .status_code
            == 404
        )

    def test_entries_outside_any_plan_are_for_administrators(
        self, session: Session, client_for: Client, people: People, plan: Plan
    ) -> None:
        record_change(
            session=session,
            actor=SYSTEM,
            subject_type=SubjectType.user,
            subject_id=people.viewer.id,
            action="update",  # type: ignore[arg-type]
            changes={"role": ("lead", "viewer")},
            organization_id=plan.organization_id,
        )
        session.commit()
        params = {"subject_type": "user"}
        assert client_for(people.viewer).get(f"{API}/history", params=params).json()["total"] == 0
        (entry,) = client_for(people.admin).get(f"{API}/history", params=params).json()["items"]
        assert entry["changes"] == [{"field": "role", "before": "lead", "after": "viewer"}]
