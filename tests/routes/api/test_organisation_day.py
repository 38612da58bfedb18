"""Every rule that asks for "today" takes the plan's (or reader's) organisation's day, not the
UTC date: at 01:30 UTC on 7 December 2026 it is still 6 December (17:30 PST) in San José.

A step ticked then is done on the 6th; a strategy due the 6th is not overdue yet; a value for
the month that has begun in UTC but not in Los Angeles is in the future; the roadmap's today is
the local one. An organisation in UTC keeps the UTC day, and one east of UTC (Auckland) is a day
ahead of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Department, Plan, Strategy, User, WorkplanStep
from app.models.enums import StrategyStatus
from app.services.reading.plan_tree import load_plan_tree
from app.services.rules import clock
from app.services.views.my_work.page import load_department_work
from app.services.views.plan_index import list_plans
from app.services.views.review.focus_areas import ReviewFilters, load_review
from tests.factories import begin_strategy, set_plan_time_zone, signed_in_client
from tests.routes.api.conftest import API, Ids, People

LA, UTC, AUCKLAND = "America/Los_Angeles", "UTC", "Pacific/Auckland"
EVENING = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 2026-12-06 17:30 PST
NEW_YEAR_EVE = dt.datetime(2027, 1, 1, 1, 30, tzinfo=dt.UTC)  # 2026-12-31 17:30 PST
NZ_MORNING = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # 2026-12-01 01:00 NZDT

Client = Callable[[User], TestClient]


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Move the app's clock to a moment."""
    return lambda moment: monkeypatch.setattr(clock, "clock", lambda: moment)


@pytest.mark.parametrize(
    ("zone", "moment", "done_on"),
    [
        (LA, EVENING, "2026-12-06"),  # the UTC date is already the 7th
        (UTC, EVENING, "2026-12-07"),
        (AUCKLAND, NZ_MORNING, "2026-12-01"),  # the UTC date is still 30 November
    ],
)
@pytest.mark.parametrize("via", ["api", "page"])
def test_a_ticked_step_is_done_on_the_organisation_s_day(
    session: Session,
    plan: Plan,
    people: People,
    ids: Ids,
    client_for: Client,
    at: Callable[[dt.datetime], None],
    zone: str,
    moment: dt.datetime,
    done_on: str,
    via: str,
) -> None:
    set_plan_time_zone(session, plan, zone)
    at(moment)
    begin_strategy(session, ids.s11)
    if via == "api":
        answer = client_for(people.cc_lead).post(
            f"{API}/steps/{ids.sub_step}/done", json={"version": 1}
        )
        assert answer.status_code == 200, answer.json()
        assert answer.json()["done_on"] == done_on
    else:
        client, csrf = signed_in_client(session, people.cc_lead)
        answer = client.post(
            f"/my-work/steps/{ids.sub_step}/done",
            data={"version": "1", "done": "1", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303
    session.expire_all()
    step = session.get(WorkplanStep, ids.sub_step)
    assert step is not None and step.done_on == dt.date.fromisoformat(done_on)


def test_a_done_date_of_tomorrow_in_the_organisation_is_in_the_future(
    session: Session,
    plan: Plan,
    people: People,
    ids: Ids,
    client_for: Client,
    at: Callable[[dt.datetime], None],
) -> None:
    set_plan_time_zone(session, plan, LA)
    at(EVENING)
    begin_strategy(session, ids.s11)
    lead = client_for(people.cc_lead)
    answer = lead.patch(f"{API}/steps/{ids.sub_step}", json={"version": 1, "done_on": "2026-12-07"})
    assert answer.status_code == 422, answer.json()
    assert [f["field"] for f in answer.json()["error"]["fields"]] == ["done_on"]
    answer = lead.patch(f"{API}/steps/{ids.sub_step}", json={"version": 1, "done_on": "2026-12-06"})
    assert answer.status_code == 200, answer.json()


def _due_on_the_6th(session: Session, ids: Ids) -> None:
    """Strategy 1.2 (Public Works) planned to end on 2026-12-06, updated an hour ago."""
    strategy = session.get(Strategy, ids.s12)
    assert strategy is not None
    strategy.planned_end = dt.date(2026, 12, 6)
    strategy.status = StrategyStatus.on_track
    strategy.last_update_at = EVENING - dt.timedelta(hours=1)
    session.add(strategy)
    session.commit()


@pytest.mark.parametrize(("zone", "overdue"), [(LA, False), (UTC, True)])
def test_a_strategy_due_today_is_overdue_only_after_the_organisation_s_day(
    session: Session,
    plan: Plan,
    people: People,
    ids: Ids,
    at: Callable[[dt.datetime], None],
    zone: str,
    overdue: bool,
) -> None:
    set_plan_time_zone(session, plan, zone)
    _due_on_the_6th(session, ids)
    at(EVENING)
    expected = "overdue" if overdue else "on_track"
    # The plan tree's roll-up (overview, API tree).
    tree = load_plan_tree(session=session, plan=plan, internal=True)
    (node,) = [n for fa in tree.focus_areas for n in fa.strategies if n.strategy.code == "1.2"]
    assert node.status.code == expected
    assert tree.today == (dt.date(2026, 12, 6) if zone == LA else dt.date(2026, 12, 7))
    # My work of the department that owns it.
    pw = session.get(User, people.pw_lead.id)
    assert pw is not None and pw.department_id is not None
    department = session.get(Department, pw.department_id)
    assert department is not None
    work = load_department_work(session=session, department=department, user=pw)
    (mine,) = [s for p in work.plans for s in p.strategies if s.node.strategy.code == "1.2"]
    assert mine.node.status.code == expected
    # The review, as the organisation's coordinator reads it.
    review = load_review(
        session=session,
        user=people.coordinator,
        filters=ReviewFilters(since=dt.date(2026, 11, 1)),
    )
    (reviewed,) = [s for r in review.rows for s in r.strategies if s.strategy.code == "1.2"]
    assert reviewed.status.code == expected


def test_the_review_s_default_since_counts_back_from_the_organisation_s_day(
    session: Session, plan: Plan, people: People, at: Callable[[dt.datetime], None]
) -> None:
    set_plan_time_zone(session, plan, LA)
    at(EVENING)
    client, _ = signed_in_client(session, people.coordinator)
    answer = client.get("/review", params={"since": "2026-12-07"})
    assert answer.status_code == 200
    assert "The date must not be in the future." in answer.text
    assert client.get("/review", params={"since": "2026-12-06"}).status_code == 200
    assert (
        "must not be in the future"
        not in client.get("/review", params={"since": "2026-12-06"}).text
    )


@pytest.mark.parametrize(("zone", "status"), [(LA, 422), (UTC, 201)])
def test_a_value_for_a_month_not_yet_begun_in_the_organisation_is_in_the_future(
    session: Session,
    plan: Plan,
    people: People,
    ids: Ids,
    client_for: Client,
    at: Callable[[dt.datetime], None],
    zone: str,
    status: int,
) -> None:
    set_plan_time_zone(session, plan, zone)
    at(NEW_YEAR_EVE)  # January 2027 has begun in UTC, not in Los Angeles
    answer = client_for(people.cc_lead).post(
        f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2027-01-01", "value": 81}
    )
    assert answer.status_code == status, answer.json()
    if status == 422:
        (problem,) = answer.json()["error"]["fields"]
        assert problem["field"] == "period"
        assert "January 2027 is in the future" in problem["message"]


@pytest.mark.parametrize(
    ("zone", "today", "quarter"), [(LA, "2026-12-31", "Q4"), (UTC, "2027-01-01", "Q1")]
)
def test_the_roadmap_s_today_is_the_organisation_s(
    session: Session,
    plan: Plan,
    at: Callable[[dt.datetime], None],
    zone: str,
    today: str,
    quarter: str,
) -> None:
    set_plan_time_zone(session, plan, zone)
    at(NEW_YEAR_EVE)
    client, _ = signed_in_client(session, None)
    answer = client.get(f"/plans/{plan.slug}/roadmap")
    assert answer.status_code == 200
    page = BeautifulSoup(answer.text, "html.parser")
    assert f"({today})" in page.get_text(" ")
    (flagged,) = page.select("th.rm-today")
    assert flagged.get_text(" ", strip=True).startswith(quarter)


def test_the_plan_index_judges_each_plan_on_its_organisation_s_day(
    session: Session, plan: Plan, ids: Ids, at: Callable[[dt.datetime], None]
) -> None:
    set_plan_time_zone(session, plan, LA)
    _due_on_the_6th(session, ids)
    at(EVENING)
    (org,) = list_plans(session=session, user=None)
    (summary,) = org.plans
    # 1.1 ended in 2024 (overdue); 1.2 ends today in San José: not overdue yet.
    assert summary.rollup.distribution.get("overdue", 0) == 1


@pytest.mark.parametrize(
    ("zone", "newest", "not_yet"), [(LA, "2026-12", "2027-01"), (UTC, "2027-01", None)]
)
def test_the_measurement_grid_s_current_month_is_the_organisation_s(
    session: Session,
    plan: Plan,
    people: People,
    at: Callable[[dt.datetime], None],
    zone: str,
    newest: str,
    not_yet: str | None,
) -> None:
    set_plan_time_zone(session, plan, zone)
    at(NEW_YEAR_EVE)
    client, _ = signed_in_client(session, people.admin)
    answer = client.get(f"/plans/{plan.slug}/measurements/grid")
    assert answer.status_code == 200
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.find("input", attrs={"name": f"v:FCR|{newest}"}) is not None
    if not_yet:
        assert page.find("input", attrs={"name": f"v:FCR|{not_yet}"}) is None
