"""The API's side of the builder's later changes: a strategy's goals, what a metric measures, a
quick win's planned dates, and the order of an organisation's departments. Each is versioned
(409 on a stale version), recorded with before and after, refused by name (422, nothing saved)
and allowed only to those the service allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Department, Goal, Metric, Plan, QuickWin, Strategy, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]


def _goal(session: Session, plan: Plan, code: str = "G1") -> int:
    return session.exec(select(Goal.id).where(Goal.plan_id == plan.id, Goal.code == code)).one()


class TestStrategyGoals:
    def _g2(self, client: TestClient, plan: Plan) -> int:
        made = client.post(f"{API}/plans/{plan.slug}/goals", json={"code": "G2", "title": "Two"})
        assert made.status_code == 201, made.json()
        return int(made.json()["id"])

    def test_goals_are_replaced_answered_and_recorded(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.coordinator)
        g1, g2 = _goal(session, plan), self._g2(client, plan)
        answer = client.patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "goal_ids": [g2, g1, g2]}
        )
        assert answer.status_code == 200, answer.json()
        assert (answer.json()["goal_ids"], answer.json()["version"]) == ([g1, g2], 2)
        (entry,) = history(session, "strategy", ids.s11)
        assert entry["changes"] == {"goal_ids": ([g1], [g1, g2])}
        cleared = client.patch(f"{API}/strategies/{ids.s11}", json={"version": 2, "goal_ids": []})
        assert cleared.json()["goal_ids"] == []
        assert history(session, "strategy", ids.s11)[-1]["changes"] == {"goal_ids": ([g1, g2], [])}

    def test_the_same_goals_change_nothing(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        g1 = _goal(session, plan)
        answer = client_for(people.admin).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "goal_ids": [g1]}
        )
        assert (answer.status_code, answer.json()["version"]) == (200, 1)
        assert history(session, "strategy", ids.s11) == []

    @pytest.mark.parametrize("body", ["foreign", "missing", "null"])
    def test_a_goal_not_of_this_plan_is_422_naming_goal_ids(
        self,
        session: Session,
        plan: Plan,
        other_plan: Plan,
        people: People,
        client_for: Client,
        ids: Ids,
        body: str,
    ) -> None:
        goal_ids = {"foreign": [_goal(session, other_plan)], "missing": [9999], "null": None}[body]
        before = history_count(session)
        answer = client_for(people.admin).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "goal_ids": goal_ids}
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["goal_ids"]
        assert history_count(session) == before
        assert client_for(people.admin).get(f"{API}/strategies/{ids.s11}").json()["goal_ids"] == [
            _goal(session, plan)
        ]

    def test_a_stale_version_is_409_with_the_goals_now(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.admin)
        g1, g2 = _goal(session, plan), self._g2(client, plan)
        client.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "Newer"})
        stale = client.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, "goal_ids": [g2]})
        assert stale.status_code == 409
        assert stale.json()["error"]["current"]["goal_ids"] == [g1]
        assert client.get(f"{API}/strategies/{ids.s11}").json()["goal_ids"] == [g1]

    def test_a_lead_of_another_department_may_not(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "goal_ids": []}
        )
        assert answer.status_code == 403
        assert history(session, "strategy", ids.s11) == []

    def test_openapi_documents_goal_ids_on_a_change(self, anonymous: TestClient) -> None:
        schema = anonymous.get("/openapi.json").json()["components"]["schemas"]
        assert "goal_ids" in schema["StrategyChange"]["properties"]


class TestMetricMeasures:
    def test_naming_one_thing_replaces_what_it_measured(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        statement = row_of(session, Metric, ids.fcr)["statement_id"]
        answer = client_for(people.coordinator).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "strategy_id": ids.s12}
        )
        assert answer.status_code == 200, answer.json()
        row = row_of(session, Metric, ids.fcr)
        assert (row["statement_id"], row["strategy_id"], row["version"]) == (None, ids.s12, 2)
        (entry,) = history(session, "metric", ids.fcr)
        assert entry["changes"] == {
            "statement_id": (statement, None),
            "strategy_id": (None, ids.s12),
        }

    def test_null_makes_it_measure_the_plan_as_a_whole(
        self, session: Session, people: People, client_for: Client, ids: Ids
    ) -> None:
        answer = client_for(people.admin).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "goal_id": None}
        )
        assert answer.status_code == 200, answer.json()
        row = row_of(session, Metric, ids.fcr)
        assert [row[k] for k in ("statement_id", "goal_id", "strategy_id", "focus_area_id")] == [
            None
        ] * 4

    @pytest.mark.parametrize("which", ["other plan", "two at once"])
    def test_refused_by_name_and_nothing_saved(
        self,
        session: Session,
        other_plan: Plan,
        people: People,
        client_for: Client,
        ids: Ids,
        which: str,
    ) -> None:
        foreign = session.exec(select(Strategy.id).where(Strategy.plan_id == other_plan.id)).first()
        body, field = {
            "other plan": ({"strategy_id": foreign}, "strategy_id"),
            "two at once": (
                {"strategy_id": ids.s12, "focus_area_id": ids.fa_tools},
                "focus_area_id",
            ),
        }[which]
        before = row_of(session, Metric, ids.fcr)
        answer = client_for(people.admin).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, **body}
        )
        assert answer.status_code == 422
        assert field in [f["field"] for f in answer.json()["error"]["fields"]]
        assert row_of(session, Metric, ids.fcr) == before

    def test_stale_is_409(self, session: Session, people: People, client_for: Client, ids: Ids):
        client = client_for(people.admin)
        client.patch(f"{API}/metrics/{ids.fcr}", json={"version": 1, "name": "Resolved"})
        stale = client.patch(f"{API}/metrics/{ids.fcr}", json={"version": 1, "goal_id": None})
        assert stale.status_code == 409
        assert row_of(session, Metric, ids.fcr)["statement_id"] is not None


class TestQuickWinDates:
    def test_created_and_changed_with_dates(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.coordinator)
        made = client.post(
            f"{API}/plans/{plan.slug}/quick-wins",
            json={"number": 7, "planned_start": "2025-02-01", "planned_end": "2025-03-31"},
        )
        assert made.status_code == 201, made.json()
        assert (made.json()["planned_start"], made.json()["planned_end"]) == (
            "2025-02-01",
            "2025-03-31",
        )
        changed = client.patch(
            f"{API}/quick-wins/{ids.qw1}", json={"version": 1, "planned_end": "2025-06-30"}
        )
        assert changed.status_code == 200, changed.json()
        assert changed.json()["planned_end"] == "2025-06-30"
        (entry,) = history(session, "quick_win", ids.qw1)
        assert entry["changes"] == {"planned_end": (None, "2025-06-30")}

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"planned_start": "2025-05-01", "planned_end": "2025-04-30"}, "planned_end"),
            ({"planned_start": "2025-02-30"}, "planned_start"),
            ({"planned_end": "1890-01-01"}, "planned_end"),
        ],
    )
    def test_bad_dates_are_422_naming_the_field(
        self,
        session: Session,
        plan: Plan,
        people: People,
        client_for: Client,
        ids: Ids,
        body: dict[str, str],
        field: str,
    ) -> None:
        client = client_for(people.admin)
        before, entries = row_of(session, QuickWin, ids.qw1), history_count(session)
        changed = client.patch(f"{API}/quick-wins/{ids.qw1}", json={"version": 1, **body})
        assert changed.status_code == 422
        assert [f["field"] for f in changed.json()["error"]["fields"]] == [field]
        made = client.post(f"{API}/plans/{plan.slug}/quick-wins", json={"number": 8, **body})
        assert made.status_code == 422
        assert [f["field"] for f in made.json()["error"]["fields"]] == [field]
        assert row_of(session, QuickWin, ids.qw1) == before
        assert history_count(session) == entries

    def test_an_end_before_a_stored_start_is_refused(
        self, session: Session, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.admin)
        url = f"{API}/quick-wins/{ids.qw1}"
        assert client.patch(url, json={"version": 1, "planned_start": "2025-05-01"}).is_success
        refused = client.patch(url, json={"version": 2, "planned_end": "2025-04-01"})
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"][0]["field"] == "planned_end"

    def test_stale_is_409(self, session: Session, people: People, client_for: Client, ids: Ids):
        client = client_for(people.admin)
        url = f"{API}/quick-wins/{ids.qw1}"
        client.patch(url, json={"version": 1, "summary": "Newer"})
        stale = client.patch(url, json={"version": 1, "planned_start": "2025-01-01"})
        assert stale.status_code == 409
        assert row_of(session, QuickWin, ids.qw1)["planned_start"] is None


class TestDepartmentOrder:
    URL = f"{API}/organizations/testville/departments"

    def test_reordered_listed_in_order_and_recorded(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.coordinator)
        answer = client.put(f"{self.URL}/order", json={"ids": [ids.pw, ids.cc]})
        assert answer.status_code == 200, answer.json()
        assert [(d["id"], d["position"]) for d in answer.json()] == [(ids.pw, 0), (ids.cc, 1)]
        listed = client.get(self.URL).json()
        listed = listed["items"] if isinstance(listed, dict) else listed
        assert [d["id"] for d in listed] == [ids.pw, ids.cc]
        entry = history(session, "department", ids.pw)[-1]
        assert entry["changes"] == {"departments_order": ([ids.cc, ids.pw], [ids.pw, ids.cc])}

    def test_a_new_department_comes_last(
        self, session: Session, plan: Plan, people: People, client_for: Client, ids: Ids
    ) -> None:
        client = client_for(people.admin)
        made = client.post(self.URL, json={"code": "AA", "name": "Animal Services"})
        assert made.json()["position"] == 2
        order = [d.code for d in session.exec(select(Department).order_by(Department.position))]
        assert order == ["CC", "PW", "AA"]

    @pytest.mark.parametrize("which", ["left out", "twice", "foreign"])
    def test_every_department_once_or_422(
        self, session: Session, people: People, client_for: Client, ids: Ids, which: str
    ) -> None:
        body = {
            "left out": [ids.pw],
            "twice": [ids.pw, ids.cc, ids.pw],
            "foreign": [ids.pw, ids.cc, 999],
        }[which]
        entries = history_count(session)
        answer = client_for(people.admin).put(f"{self.URL}/order", json={"ids": body})
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "ids"
        assert history_count(session) == entries
        assert row_of(session, Department, ids.cc)["position"] == 0

    def test_a_lead_may_not(
        self, session: Session, people: People, client_for: Client, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).put(f"{self.URL}/order", json={"ids": [ids.pw, ids.cc]})
        assert answer.status_code == 403
        assert row_of(session, Department, ids.pw)["position"] == 1
