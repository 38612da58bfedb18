"""Issue 10's "done when", through the API alone: with nothing but a coordinator's API token, a
plan is made (a draft), given two focus areas, five strategies with department, leads, planned
quarters and term, three metrics with targets and six months of measurements, adopted, and read
back from the tree with every status computed. Real HTTP into the ASGI app, no service calls."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models.enums import Role
from app.services.accounts import api_tokens
from tests.factories import app_under_test, make_person, make_tiny_plan

API = "/api/v1"
SLUG = "testville-digital"
MONTHS = [f"2025-{m:02d}-01" for m in range(1, 7)]
STRATEGIES = [  # code, focus area, department, term, planned start, planned end, progress
    ("1.1", "1", "CC", "short", "2025-01-01", "2025-06-30", "on_track"),
    ("1.2", "1", "CC", "long", "2025-04-01", "2026-12-31", None),
    ("1.3", "1", "PW", "short", "2025-01-01", "2025-03-31", "complete"),
    ("2.1", "2", "PW", "long", "2025-07-01", "2027-12-31", "at_risk"),
    ("2.2", "2", "CC", "short", "2025-10-01", "2026-03-31", None),
]
METRICS = [  # code, unit, direction, comparator, target, department, six values
    ("WAIT", "minutes", "lower", "at_most", 5, "CC", [9, 8, 7, 6, 5, 4.5]),
    ("FCR", "percent", "higher", "at_least", 80, "CC", [60, 62, 63, 65, 66, 68]),
    ("FIX", "days", "lower", "at_most", 10, "PW", [12, 11, 11, 10.5, 10.4, 10.2]),
]


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_coordinator_builds_and_fills_a_plan_through_the_api_alone(session: Session) -> None:
    make_tiny_plan(session)  # the organisation, its departments (CC, PW) and another plan
    coordinator = make_person(session, "coco-ordinator", Role.coordinator)
    _, token = api_tokens.create_api_token(session=session, user=coordinator, name="journey")
    session.commit()
    api = TestClient(app_under_test(), headers={"Authorization": f"Bearer {token}"})

    plan = ok(
        api.post(
            f"{API}/organizations/testville/plans",
            json={
                "title": "Digital Services Plan",
                "slug": SLUG,
                "period_start": "2025-01-01",
                "period_end": "2028-12-31",
                "terminology": {"strategy": "Initiative", "strategies": "Initiatives"},
                "status_words": {"on_track": "On Target", "off_track": "Needs Improvement"},
            },
        ),
        201,
    )
    assert plan["status"] == "draft"
    departments = {
        d["code"]: d["id"]
        for d in ok(api.get(f"{API}/organizations/testville/departments"))["items"]
    }
    areas = {
        code: ok(
            api.post(f"{API}/plans/{SLUG}/focus-areas", json={"code": code, "title": title}), 201
        )["id"]
        for code, title in (("1", "Online first"), ("2", "Fewer trips"))
    }
    for code, area, dept, term, start, end, progress in STRATEGIES:
        made = ok(
            api.post(
                f"{API}/plans/{SLUG}/strategies",
                json={
                    "code": code,
                    "title": f"Initiative {code}",
                    "focus_area_id": areas[area],
                    "department_id": departments[dept],
                    "leads": ["Dana Lee", "Sam Ortiz"],
                    "term": term,
                    "planned_start": start,
                    "planned_end": end,
                },
            ),
            201,
        )
        if progress is not None:
            body = {"version": made["version"], "status": progress, "narrative": "Moving."}
            if progress == "complete":
                body["progress"] = 100
            ok(api.post(f"{API}/strategies/{made['id']}/progress", json=body))
    for code, unit, direction, comparator, target, dept, values in METRICS:
        metric = ok(
            api.post(
                f"{API}/plans/{SLUG}/metrics",
                json={
                    "code": code,
                    "name": f"Metric {code}",
                    "unit": unit,
                    "direction": direction,
                    "frequency": "monthly",
                    "department_id": departments[dept],
                    "target": {"value": target, "comparator": comparator},
                },
            ),
            201,
        )
        for period, value in zip(MONTHS, values, strict=True):
            ok(
                api.post(
                    f"{API}/metrics/{metric['id']}/measurements",
                    json={"period": period, "value": value},
                ),
                201,
            )

    adopted = ok(api.post(f"{API}/plans/{SLUG}/adopt", json={"version": plan["version"]}))
    assert adopted["status"] == "adopted" and adopted["adopted_on"] is not None

    tree = ok(api.get(f"{API}/plans/{SLUG}/tree"))
    assert tree["status"] == "adopted"
    assert tree["terminology"]["strategy"] == "Initiative"
    assert [fa["code"] for fa in tree["focus_areas"]] == ["1", "2"]
    strategies = {s["code"]: s for fa in tree["focus_areas"] for s in fa["strategies"]}
    assert sorted(strategies) == [s[0] for s in STRATEGIES]
    for code, _, dept, term, start, end, _ in STRATEGIES:
        s = strategies[code]
        assert (s["term"], s["planned_start"], s["planned_end"]) == (term, start, end)
        assert s["leads"] == ["Dana Lee", "Sam Ortiz"]
        assert s["department"] in (dept, {"CC": "Contact Centre", "PW": "Public Works"}[dept])
    effective = {code: s["effective_status"]["code"] for code, s in strategies.items()}
    assert effective["1.3"] == "complete"
    assert effective["2.1"] == "at_risk"
    assert effective["1.1"] in ("on_track", "overdue", "stale")  # planned to end mid-2025
    assert tree["rollup"]["strategies"] == 5
    assert sum(tree["rollup"]["distribution"].values()) == 5
    metrics = {m["code"]: m for m in tree["metrics"]}
    assert {code: m["latest_value"] for code, m in metrics.items()} == {
        code: values[-1] for code, *_, values in METRICS
    }
    status = {code: m["status"]["code"] for code, m in metrics.items()}
    assert status["WAIT"] == "on_track"  # 4.5 minutes, at most 5
    assert status["FCR"] in ("off_track", "at_risk")  # 68% against at least 80%
    assert status["FIX"] in ("at_risk", "off_track")  # 10.2 days against at most 10
    # The plan's own words are the API's too.
    words = ok(api.get(f"{API}/plans/{SLUG}"))["status_words"]
    assert words == {"on_track": "On Target", "off_track": "Needs Improvement"}
