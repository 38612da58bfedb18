"""Every date the API stores lies in the plan's period (or 1900–2200): a clear 422 naming the
field, nothing saved, and the public roadmap stays up whatever was stored before the rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select, text
from starlette.testclient import TestClient

from app.models import MetricTarget, Plan, Strategy, User
from tests.routes.api.conftest import API, Ids, People, history_count

Client = Callable[[User], TestClient]


def fields(answer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 422, answer.json()
    return {f["field"]: f["message"] for f in answer.json()["error"]["fields"]}


def without_period(session: Session, plan: Plan) -> None:
    session.execute(
        text("UPDATE plan SET period_start = NULL, period_end = NULL WHERE id = :id"),
        {"id": plan.id},
    )
    session.commit()


class TestStrategySpans:
    @pytest.mark.parametrize(
        ("field", "day", "message"),
        [
            (
                "planned_start",
                "0001-01-01",
                "0001-01-01 is before the plan's period, which starts in 2024 Q1 (2024-01-01)",
            ),
            (
                "planned_end",
                "9999-12-31",
                "9999-12-31 is after the plan's period, which ends in 2027 Q4 (2027-12-31)",
            ),
        ],
    )
    def test_a_span_outside_the_plans_period_is_refused_on_create_and_change(
        self,
        session: Session,
        client_for: Client,
        people: People,
        ids: Ids,
        field: str,
        day: str,
        message: str,
    ) -> None:
        client = client_for(people.cc_lead)
        before = history_count(session)
        made = client.post(
            f"{API}/plans/testville-service/strategies",
            json={"code": "1.9", "title": "Far", "department_id": ids.cc, field: day},
        )
        assert fields(made) == {field: message}
        changed = client.patch(f"{API}/strategies/{ids.s11}", json={"version": 1, field: day})
        assert fields(changed) == {field: message}
        session.expire_all()
        assert session.get(Strategy, ids.s11).version == 1  # type: ignore[union-attr]
        assert session.exec(select(Strategy).where(Strategy.code == "1.9")).first() is None
        assert history_count(session) == before

    def test_without_a_period_1900_to_2200_holds(
        self, session: Session, plan: Plan, client_for: Client, people: People, ids: Ids
    ) -> None:
        without_period(session, plan)
        client = client_for(people.cc_lead)
        early = client.patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "planned_start": "0001-01-01"}
        )
        assert fields(early) == {
            "planned_start": "0001-01-01 is before the earliest date PlanTrack accepts (1900-01-01)"
        }
        late = client.patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "planned_end": "9999-12-31"}
        )
        assert "after the latest date PlanTrack accepts (2200-12-31)" in fields(late)["planned_end"]
        fine = client.patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "planned_end": "2031-06-30"}
        )
        assert fine.status_code == 200, fine.json()

    def test_a_span_in_the_periods_first_quarter_is_accepted(
        self, session: Session, plan: Plan, client_for: Client, people: People, ids: Ids
    ) -> None:
        session.execute(
            text("UPDATE plan SET period_start = '2024-02-15' WHERE id = :id"), {"id": plan.id}
        )
        session.commit()
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": 1, "planned_start": "2024-01-01"}
        )
        assert answer.status_code == 200, answer.json()

    def test_a_date_stored_before_the_rule_does_not_block_other_edits(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        session.execute(
            text("UPDATE strategy SET planned_start = '0001-01-01' WHERE id = :id"),
            {"id": ids.s11},
        )
        session.commit()
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}",
            json={"version": 1, "title": "Renamed", "planned_start": "0001-01-01"},
        )
        assert answer.status_code == 200, answer.json()


class TestStepsAndMetrics:
    def test_a_step_due_or_done_outside_its_window_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        added = client.post(
            f"{API}/strategies/{ids.s11}/steps", json={"title": "Ancient", "due": "0001-01-01"}
        )
        assert fields(added) == {
            "due": "0001-01-01 is before the plan's period starts (2024-01-01)"
        }
        done = client.patch(f"{API}/steps/{ids.step}", json={"version": 1, "done_on": "1899-12-31"})
        assert "before the earliest date PlanTrack accepts" in fields(done)["done_on"]

    def test_a_metrics_dates_are_checked(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.admin)
        made = client.post(
            f"{API}/plans/testville-service/metrics",
            json={
                "code": "OLD",
                "name": "Old",
                "unit": "count",
                "direction": "higher",
                "baseline_value": 1,
                "baseline_date": "0001-01-01",
                "target": {"value": 2, "comparator": "at_least", "effective_from": "9999-12-31"},
            },
        )
        assert set(fields(made)) == {"baseline_date", "target.effective_from"}
        # A baseline may predate the plan (2020, before its 2024 period): it is what it improves.
        changed = client.patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "baseline_date": "2020-01-01"}
        )
        assert changed.status_code == 200, changed.json()
        revised = client.post(
            f"{API}/metrics/{ids.fcr}/targets",
            json={
                "version": 2,
                "value": 90,
                "comparator": "at_least",
                "effective_from": "2031-01-01",
            },
        )
        assert fields(revised) == {
            "effective_from": "2031-01-01 is after the plan's period ends (2027-12-31)"
        }
        session.expire_all()
        targets = session.exec(select(MetricTarget).where(MetricTarget.metric_id == ids.fcr)).all()
        assert len(targets) == 2


class TestRoadmapWithStrayDates:
    """Rows stored before dates were checked: the page answers, bounded, and says so."""

    def _stray(self, session: Session, ids: Ids) -> None:
        session.execute(
            text(
                "UPDATE strategy SET planned_start = '0001-01-01', planned_end = '9999-12-31' "
                "WHERE id = :id"
            ),
            {"id": ids.s11},
        )
        session.commit()

    def test_the_columns_stay_in_the_plans_period(
        self, session: Session, anonymous: TestClient, ids: Ids
    ) -> None:
        self._stray(session, ids)
        answer = anonymous.get("/plans/testville-service/roadmap")
        assert answer.status_code == 200
        assert answer.text.count('class="rm-q') == 4 * 4  # 2024 Q1 … 2027 Q4
        assert "starts before the first quarter shown" in answer.text
        assert "ends after the last quarter shown" in answer.text
        assert len(answer.content) < 100_000

    def test_without_a_period_the_page_is_bounded_too(
        self, session: Session, plan: Plan, anonymous: TestClient, ids: Ids
    ) -> None:
        without_period(session, plan)
        self._stray(session, ids)
        answer = anonymous.get("/plans/testville-service/roadmap")
        assert answer.status_code == 200
        assert "starts before the first quarter shown" in answer.text
        assert answer.text.count('class="rm-q') <= 40 * 4
        assert len(answer.content) < 200_000
        assert anonymous.get("/plans/testville-service").status_code == 200
        exported = anonymous.get(f"{API}/plans/testville-service/tree")
        assert exported.status_code == 200
