"""/admin/outbox and /api/v1/outbox: administrators read the messages of their organisation (an
installation administrator: all), each message's text and HTML (escaped, never rendered), and
retry a failed one, which then arrives once."""

from __future__ import annotations

import html

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from app.db import get_engine
from app.models import Organization, User
from app.models.mail import MailStatus, OutboxMessage
from app.services.accounts import users as accounts
from app.services.mail import delivery
from app.services.mail.outbox import queue_message
from tests.routes.test_auth_pages import CLI, PASSWORD, client, make_org, make_user, sign_in
from tests.smtp_server import free_port, mail_settings, smtp_server

HOSTILE_HTML = '<p onclick="x()">Due</p><script>alert("outbox")</script>'


@pytest.fixture
def orgs(db: Session) -> dict[str, Organization]:
    return {"sj": make_org(db, "san-jose"), "phl": make_org(db, "philadelphia")}


@pytest.fixture
def people(db: Session, orgs: dict[str, Organization]) -> dict[str, User]:
    people = {
        "sj-admin": make_user(db, "sj-admin", organization="san-jose"),
        "sj-lead": make_user(db, "sj-lead", "lead", organization="san-jose", department="SJ311"),
        "phl-admin": make_user(db, "phl-admin", organization="philadelphia"),
    }
    people["root"] = accounts.create_user(
        session=db,
        actor=CLI,
        username="root",
        role="admin",
        password=PASSWORD,
        installation_admin=True,
    )
    db.commit()
    return people


def _queue(db: Session, organization_id: int | None, subject: str = "Your reminder") -> int:
    message = queue_message(
        session=db,
        to="maria@example.org",
        subject=subject,
        text="2 items are due: http://plantrack.test/my-work",
        html=HOSTILE_HTML,
        organization_id=organization_id,
        purpose="reminders",
    )
    db.commit()
    assert message.id is not None
    return message.id


def signed_in(username: str) -> tuple[TestClient, str]:
    c = client()
    return c, sign_in(c, username)


def test_with_no_smtp_host_the_admin_reads_the_message_on_the_outbox_page(
    db: Session, orgs: dict[str, Organization], people: dict[str, User]
) -> None:
    message_id = _queue(db, orgs["sj"].id)
    c, _ = signed_in("sj-admin")
    listing = c.get("/admin/outbox")
    assert listing.status_code == 200
    text = html.unescape(listing.text)
    assert "maria@example.org" in text and "Your reminder" in text and "stored" in text
    assert "No SMTP server is set" in text
    page = c.get(f"/admin/outbox/{message_id}")
    assert page.status_code == 200
    assert "2 items are due: http://plantrack.test/my-work" in page.text
    # The HTML part is shown as its source, escaped: nothing of it runs or renders.
    assert "&lt;script&gt;alert(&#34;outbox&#34;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and 'onclick="x()"' not in page.text
    assert "List-Unsubscribe" not in page.text  # none was given: no header invented


def test_other_people_and_other_organisations_cannot_read_it(
    db: Session, orgs: dict[str, Organization], people: dict[str, User]
) -> None:
    sj_message = _queue(db, orgs["sj"].id, "San Jose digest")
    nobody_message = _queue(db, None, "Installation notice")
    lead, _ = signed_in("sj-lead")
    assert lead.get("/admin/outbox").status_code == 403
    assert lead.get(f"/admin/outbox/{sj_message}").status_code == 403
    anonymous = client()
    answer = anonymous.get("/admin/outbox", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert anonymous.get("/api/v1/outbox").status_code == 401
    phl, _ = signed_in("phl-admin")
    assert "San Jose digest" not in phl.get("/admin/outbox").text
    assert phl.get(f"/admin/outbox/{sj_message}").status_code == 404
    assert phl.get(f"/api/v1/outbox/{sj_message}").status_code == 404
    sj, _ = signed_in("sj-admin")
    assert "Installation notice" not in sj.get("/admin/outbox").text
    assert sj.get(f"/admin/outbox/{nobody_message}").status_code == 404
    root, _ = signed_in("root")
    listing = root.get("/api/v1/outbox").json()
    assert {m["subject"] for m in listing["items"]} == {"San Jose digest", "Installation notice"}
    assert listing["counts"] == {"stored": 2}


def _failed_message(db: Session, organization_id: int | None) -> int:
    """A message an unreachable server left failed."""
    with mail_settings(smtp_host="127.0.0.1", smtp_port=str(free_port()), smtp_starttls="false"):
        message_id = _queue(db, organization_id)
        assert delivery.deliver_message(get_engine(), message_id).status == MailStatus.failed
    return message_id


def _row(db: Session, message_id: int) -> OutboxMessage:
    db.expire_all()
    db.rollback()
    row = db.get(OutboxMessage, message_id)
    assert row is not None
    return row


def test_retry_now_sends_a_failed_message_once(
    db: Session, orgs: dict[str, Organization], people: dict[str, User]
) -> None:
    message_id = _failed_message(db, orgs["sj"].id)
    c, csrf = signed_in("sj-admin")
    page = c.get(f"/admin/outbox/{message_id}")
    assert "Retry now" in page.text and "Connection" in html.unescape(page.text)
    with smtp_server() as server:
        settings = {"smtp_host": "127.0.0.1", "smtp_port": str(server.port)}
        with mail_settings(**settings, smtp_starttls="false"):
            answer = c.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": csrf})
            assert answer.status_code == 200  # followed to the message's page
            assert "Sent again" in answer.text
            again = c.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": csrf})
            assert again.status_code == 422
            assert "Only a failed message can be retried" in again.text
    assert len(server.arrived) == 1
    row = _row(db, message_id)
    assert (row.status, row.attempts) == (MailStatus.sent, 2)


def test_retry_over_the_api(
    db: Session, orgs: dict[str, Organization], people: dict[str, User]
) -> None:
    message_id = _failed_message(db, orgs["sj"].id)
    phl, phl_csrf = signed_in("phl-admin")
    refused = phl.post(f"/api/v1/outbox/{message_id}/retry", headers={"X-CSRF-Token": phl_csrf})
    assert refused.status_code == 404
    c, csrf = signed_in("sj-admin")
    detail = c.get(f"/api/v1/outbox/{message_id}").json()
    assert detail["status"] == "failed" and detail["html"] == HOSTILE_HTML
    with smtp_server() as server:
        settings = {"smtp_host": "127.0.0.1", "smtp_port": str(server.port)}
        with mail_settings(**settings, smtp_starttls="false"):
            answer = c.post(f"/api/v1/outbox/{message_id}/retry", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200 and answer.json()["status"] == "queued"
    assert len(server.arrived) == 1
    assert c.get(f"/api/v1/outbox/{message_id}").json()["status"] == "sent"
    bad = c.get("/api/v1/outbox?status=lost")
    assert bad.status_code == 422
