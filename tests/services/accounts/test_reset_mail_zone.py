"""The reset e-mail gives the link's expiry in the recipient's organisation's zone (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from app.models import Organization, OutboxMessage
from app.models.enums import Role
from app.services.accounts import reset_mail
from app.services.changes.history import Actor
from app.services.rules import clock
from app.services.rules.local_time import moment_text
from tests.factories import make_person, make_tiny_plan
from tests.smtp_server import mail_settings


@pytest.mark.parametrize(("zone", "suffix"), [("America/Los_Angeles", "PST"), ("UTC", "UTC")])
def test_the_reset_e_mail_writes_the_expiry_in_the_recipient_s_zone(
    session: Session, monkeypatch: pytest.MonkeyPatch, zone: str, suffix: str
) -> None:
    monkeypatch.setattr(clock, "clock", lambda: dt.datetime(2026, 12, 7, 3, 30, tzinfo=dt.UTC))
    plan = make_tiny_plan(session)
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    org.time_zone = zone
    admin = make_person(session, "boss", Role.admin)
    maria = make_person(session, "maria", Role.lead)
    maria.email = "maria@testville.gov"
    session.commit()
    with mail_settings(smtp_host="127.0.0.1"):
        issued = reset_mail.issue_and_deliver_reset_link(
            session=session, actor=Actor(user=admin), user=maria, request_base_url="http://t"
        )
    message = session.get(OutboxMessage, issued.message_id)
    assert message is not None
    until = moment_text(issued.expires_at, zone)
    assert until.endswith(suffix)
    assert f"until {until}." in message.text_body
    assert f"until {until}." in message.html_body
    if suffix != "UTC":
        assert " UTC" not in message.text_body
