"""A plan's lifecycle over the API: make a draft plan (from scratch or from a plan file), change
its settings, adopt it; a draft is seen by its organisation only."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, Plan, User
from app.models.enums import Role
from tests.factories import TINY_PLAN, make_person
from tests.routes.api.conftest import API, People, history, history_count

Client = Callable[[User], TestClient]

NEW = {
    "title": "Digital Services Plan",
    "slug": "testville-digital",
    "period_start": "2025-01-01",
    "period_end": "2028-12-31",
    "schedule": "calendar",
    "terminology": {"strategy": "Initiative", "strategies": "Initiatives"},
    "status_words": {"on_track": "On Target", "at_risk": "Close to Target"},
}

UPLOAD = TINY_PLAN.replace("slug: testville-service", "slug: testville-upload")


def plans(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Plan.id)).all())


def test_a_coordinator_makes_a_draft_plan(
    session: Session, people: People, client_for: Client
) -> None:
    answer = client_for(people.coordinator).post(f"{API}/organizations/testville/plans", json=NEW)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["Location"] == f"{API}/plans/testville-digital"
    assert answer.headers["ETag"] == '"1"'
    assert body["status"] == "draft"
    assert body["published"] is False
    assert body["terminology"]["strategy"] == "Initiative"
    assert body["terminology"]["focus_area"] == "Focus area"  # ours where not named
    assert body["status_words"] == {"on_track": "On Target", "at_risk": "Close to Target"}
    [entry] = history(session, "plan", body["id"])
    assert entry["action"] == "create"
    assert entry["changes"]["status"] == (None, "draft")
    assert entry["actor"] == "Coco Ordinator"


def test_refusals_name_the_field_and_save_nothing(
    session: Session, people: People, client_for: Client
) -> None:
    client = client_for(people.coordinator)
    before, entries = plans(session), history_count(session)
    cases = {
        "slug": {**NEW, "slug": "Not A Slug"},
        "period_end": {**NEW, "period_end": "2024-12-31"},
        "schedule_origin": {**NEW, "schedule": "relative"},
    }
    for field, body in cases.items():
        answer = client.post(f"{API}/organizations/testville/plans", json=body)
        assert answer.status_code == 422, (field, answer.text)
        assert field in [f["field"] for f in answer.json()["error"]["fields"]], answer.text
    duplicate = client.post(
        f"{API}/organizations/testville/plans", json={**NEW, "slug": "testville-service"}
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["error"]["fields"][0]["field"] == "slug"
    assert "already exists" in duplicate.json()["error"]["fields"][0]["message"]
    reserved = client.post(f"{API}/organizations/testville/plans", json={**NEW, "slug": "new"})
    assert reserved.status_code == 422
    assert plans(session) == before and history_count(session) == entries


def test_leads_viewers_and_other_organisations_may_not_make_plans(
    session: Session, people: People, client_for: Client, other_plan: Plan
) -> None:
    olga = make_person(session, "olga-admin", Role.admin, organization="otherton")
    before = plans(session)
    for user in (people.cc_lead, people.viewer):
        answer = client_for(user).post(f"{API}/organizations/testville/plans", json=NEW)
        assert answer.status_code == 403, answer.text
    answer = client_for(olga).post(f"{API}/organizations/testville/plans", json=NEW)
    assert answer.status_code == 403
    anonymous = TestClient(client_for(people.viewer).app)
    assert anonymous.post(f"{API}/organizations/testville/plans", json=NEW).status_code == 401
    assert plans(session) == before


def test_a_draft_is_seen_by_its_organisation_only(
    session: Session, people: People, client_for: Client, other_plan: Plan
) -> None:
    client = client_for(people.coordinator)
    made = client.post(f"{API}/organizations/testville/plans", json=NEW).json()
    # Even published, a draft stays the organisation's.
    session.get(Plan, made["id"]).published = True  # type: ignore[union-attr]
    session.commit()
    olga = make_person(session, "olga-viewer", Role.viewer, organization="otherton")
    anonymous = TestClient(client.app)
    for reader, seen in ((client_for(people.viewer), True), (client_for(olga), False),
                         (anonymous, False)):  # fmt: skip
        listed = [p["slug"] for p in reader.get(f"{API}/plans").json()["items"]]
        assert ("testville-digital" in listed) is seen
        one = reader.get(f"{API}/plans/testville-digital")
        assert one.status_code == (200 if seen else 404)
        tree = reader.get(f"{API}/plans/testville-digital/tree")
        assert tree.status_code == (200 if seen else 404)
    # Adopted (and published), everyone reads it.
    adopted = client.post(f"{API}/plans/testville-digital/adopt", json={"version": 1})
    assert adopted.status_code == 200, adopted.text
    assert anonymous.get(f"{API}/plans/testville-digital").status_code == 200


def test_settings_change_with_versions_and_history(
    session: Session, people: People, client_for: Client
) -> None:
    client = client_for(people.coordinator)
    made = client.post(f"{API}/organizations/testville/plans", json=NEW).json()
    url = f"{API}/plans/testville-digital"
    changed = client.patch(
        url,
        json={
            "version": 1,
            "title": "Digital Plan",
            "period_end": "2029-12-31",
            "terminology": {"focus_area": "Theme", "focus_areas": "Themes"},
            "status_words": {"on_track": "On Target"},
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert changed.headers["ETag"] == '"2"'
    assert body["title"] == "Digital Plan"
    assert body["terminology"]["focus_area"] == "Theme"
    assert body["terminology"]["strategy"] == "Strategy"  # whole set: left out → ours
    assert body["status_words"] == {"on_track": "On Target"}
    entry = history(session, "plan", made["id"])[-1]
    assert entry["action"] == "update"
    assert entry["changes"]["title"] == ("Digital Services Plan", "Digital Plan")
    assert entry["changes"]["period_end"] == ("2028-12-31", "2029-12-31")

    stale = client.patch(url, json={"version": 1, "title": "Mine"})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["version"] == 2
    assert client.patch(url, json={"version": 1, "title": "Mine"},
                        headers={"If-Match": '"1"'}).status_code == 412  # fmt: skip
    bad = client.patch(url, json={"version": 2, "period_start": "2030-01-01"})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "period_end"
    lead = client_for(people.cc_lead).patch(url, json={"version": 2, "title": "Lead's"})
    assert lead.status_code == 403
    assert client.get(url).json()["title"] == "Digital Plan"


def test_adopting_a_draft(session: Session, people: People, client_for: Client) -> None:
    client = client_for(people.coordinator)
    made = client.post(f"{API}/organizations/testville/plans", json=NEW).json()
    url = f"{API}/plans/testville-digital/adopt"
    assert client_for(people.cc_lead).post(url, json={"version": 1}).status_code == 403
    assert client.post(url, json={"version": 7}).status_code == 409
    adopted = client.post(url, json={"version": 1, "adopted_on": "2025-02-03"})
    assert adopted.status_code == 200, adopted.text
    assert adopted.json()["status"] == "adopted"
    assert adopted.json()["adopted_on"] == "2025-02-03"
    entry = history(session, "plan", made["id"])[-1]
    assert entry["changes"]["status"] == ("draft", "adopted")
    again = client.post(url, json={"version": 2})
    assert again.status_code == 422
    assert again.json()["error"]["fields"][0]["field"] == "status"
    # Adopted meanwhile by someone else: the stale version says so (409), not "not a draft".
    assert client.post(url, json={"version": 1}).status_code == 409


def test_uploading_a_plan_file(session: Session, people: People, client_for: Client) -> None:
    client = client_for(people.coordinator)
    draft = UPLOAD.replace("  published: true\n", "  published: true\n  status: draft\n")
    answer = client.post(
        f"{API}/organizations/testville/plans/import",
        content=draft.encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"{API}/plans/testville-upload"
    assert answer.json()["status"] == "draft"
    tree = client.get(f"{API}/plans/testville-upload/tree").json()
    assert [fa["code"] for fa in tree["focus_areas"]] == ["1", "2"]
    entry = session.exec(
        select(HistoryEntry).where(HistoryEntry.plan_id == answer.json()["id"])
    ).first()
    assert entry is not None and entry.actor_name == "Coco Ordinator"


def test_an_adopted_plan_file_stays_adopted(people: People, client_for: Client) -> None:
    answer = client_for(people.admin).post(
        f"{API}/organizations/testville/plans/import", content=UPLOAD.encode()
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "adopted"  # the file's default, kept for a builder


def test_a_refused_plan_file_stores_nothing_and_names_lines(
    session: Session, people: People, client_for: Client
) -> None:
    bad = UPLOAD.replace("        term: short\n", "        term: shortish\n", 1)
    line = bad.splitlines().index("        term: shortish") + 1
    before, entries = plans(session), history_count(session)
    answer = client_for(people.coordinator).post(
        f"{API}/organizations/testville/plans/import", content=bad.encode()
    )
    assert answer.status_code == 422, answer.text
    fields = answer.json()["error"]["fields"]
    assert {"field": "focus_areas[0].strategies[0].term", "line": line} in [
        {"field": f["field"], "line": f["line"]} for f in fields
    ]
    assert plans(session) == before and history_count(session) == entries


def test_a_plan_file_of_another_organisation_is_refused(
    session: Session, people: People, client_for: Client
) -> None:
    other = UPLOAD.replace("slug: testville}", "slug: otherton}")
    answer = client_for(people.coordinator).post(
        f"{API}/organizations/testville/plans/import", content=other.encode()
    )
    assert answer.status_code == 422
    [problem] = answer.json()["error"]["fields"]
    assert problem["field"] == "organization.slug" and problem["line"] == 2
    lead = client_for(people.cc_lead).post(
        f"{API}/organizations/testville/plans/import", content=UPLOAD.encode()
    )
    assert lead.status_code == 403
    empty = client_for(people.coordinator).post(
        f"{API}/organizations/testville/plans/import", content=b""
    )
    assert empty.status_code == 422


def test_the_plan_read_model_has_status_words(
    plan: Plan, people: People, client_for: Client
) -> None:
    body = client_for(people.viewer).get(f"{API}/plans/{plan.slug}").json()
    assert body["status_words"] == {}
