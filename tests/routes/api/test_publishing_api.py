"""Publishing over the API (issue 12): draft, submit, approve, return; a draft is never public;
422 naming the field; 409 on a stale version; only an administrator switches the public site."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Plan, Strategy
from app.models.enums import Role
from tests.factories import make_person, make_tiny_plan, signed_in_client


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def url(session: Session, plan: Plan) -> str:
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    return f"/api/v1/plans/testville-service/public-updates/strategy/{strategy.id}"


def client_of(session: Session, name: str, role: str, **kw: Any) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, name, role, **kw))


def send(who: tuple[TestClient, str], method: str, url: str, body: dict) -> Any:
    client, csrf = who
    return client.request(method, url, json=body, headers={"X-CSRF-Token": csrf})


def test_draft_submit_approve_then_the_public_reads_it(session: Session, url: str) -> None:
    lead = client_of(session, "cc-lead", Role.lead, department="CC")
    coordinator = client_of(session, "coco", Role.coordinator)
    anonymous = TestClient(signed_in_client(session, None)[0].app)
    first = send(lead, "PUT", url, {"text": "Chats answered in Spanish.", "submit": True})
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "submitted" and first.json()["approved_text"] is None
    public = anonymous.get(url).json()
    assert public["draft_text"] is None and public["approved_text"] is None
    version = first.json()["version"]
    approved = send(coordinator, "POST", url + "/approve", {"version": version})
    assert approved.status_code == 200, approved.text
    public = anonymous.get(url).json()
    assert public["approved_text"] == "Chats answered in Spanish."
    assert public["approved_at"] is not None and public["state"] is None
    again = send(coordinator, "POST", url + "/approve", {"version": version})
    assert again.status_code == 409
    # The lead reads the version to edit from the ETag, as for every editable item; the public
    # gets neither the version nor an ETag.
    read = lead[0].get(url)
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'
    assert "ETag" not in anonymous.get(url).headers


def test_bad_input_names_the_field_and_return_needs_a_comment(session: Session, url: str) -> None:
    lead = client_of(session, "cc-lead", Role.lead, department="CC")
    coordinator = client_of(session, "coco", Role.coordinator)
    too_long = send(lead, "PUT", url, {"text": "x" * 1001})
    assert too_long.status_code == 422 and "text" in too_long.text
    version = send(lead, "PUT", url, {"text": "Fine.", "submit": True}).json()["version"]
    blank = send(coordinator, "POST", url + "/return", {"version": version, "comment": " "})
    assert blank.status_code == 422 and "comment" in blank.text
    back = send(coordinator, "POST", url + "/return", {"version": version, "comment": "Why?"})
    assert back.status_code == 200 and back.json()["state"] == "returned"
    assert send(lead, "GET", url, {}).json()["return_comment"] == "Why?"
    stale = send(lead, "PUT", url, {"text": "Again.", "version": version})
    assert stale.status_code == 409


def test_only_an_administrator_switches_the_public_site(session: Session, plan: Plan) -> None:
    url = "/api/v1/plans/testville-service/public-site"
    body = {"version": plan.version, "published": False}
    assert send(client_of(session, "coco", Role.coordinator), "PUT", url, body).status_code == 403
    admin = client_of(session, "ad", Role.admin)
    answer = send(admin, "PUT", url, body)
    assert answer.status_code == 200 and answer.json()["published"] is False
    assert send(admin, "PUT", url, {**body, "published": True}).status_code == 409


def send_if(who: tuple[TestClient, str], method: str, url: str, body: dict, tag: str) -> Any:
    client, csrf = who
    return client.request(method, url, json=body, headers={"X-CSRF-Token": csrf, "If-Match": tag})


def test_a_stale_if_match_is_412_with_the_newer_value_and_saves_nothing(
    session: Session, url: str
) -> None:
    lead = client_of(session, "cc-lead", Role.lead, department="CC")
    coordinator = client_of(session, "coco", Role.coordinator)
    # No public update yet: there is no version If-Match could name.
    none_yet = send_if(lead, "PUT", url, {"text": "First."}, '"1"')
    assert none_yet.status_code == 412, none_yet.text
    assert lead[0].get(url).json()["draft_text"] is None
    first = send(lead, "PUT", url, {"text": "First."})
    tag = first.headers.get("ETag") or f'"{first.json()["version"]}"'
    # The header alone names the version the lead read.
    second = send_if(lead, "PUT", url, {"text": "Second.", "submit": True}, tag)
    assert second.status_code == 200, second.text
    stale = send_if(lead, "PUT", url, {"text": "Third."}, tag)
    assert stale.status_code == 412 and "Second." in stale.text
    assert lead[0].get(url).json()["draft_text"] == "Second."
    # A decision made from an old read is refused the same way, and the draft stays submitted.
    body = {"version": second.json()["version"]}
    refused = send_if(coordinator, "POST", url + "/approve", body, tag)
    assert refused.status_code == 412
    assert lead[0].get(url).json()["state"] == "submitted"
    fresh = f'"{second.json()["version"]}"'
    assert send_if(coordinator, "POST", url + "/approve", body, fresh).status_code == 200


def test_the_public_site_switch_honours_if_match(session: Session, plan: Plan) -> None:
    url = "/api/v1/plans/testville-service/public-site"
    admin = client_of(session, "ad", Role.admin)
    stale = send_if(admin, "PUT", url, {"version": plan.version, "published": False}, '"999"')
    assert stale.status_code == 412
    session.refresh(plan)
    assert plan.published is True
    ok = send_if(admin, "PUT", url, {"version": plan.version, "published": False},
                 f'"{plan.version}"')  # fmt: skip
    assert ok.status_code == 200 and ok.json()["published"] is False
