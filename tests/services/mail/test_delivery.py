"""Mail through a real SMTP server on loopback: what arrives, and what a refusing or unreachable
server leaves behind (failed, with its error and a retry time), then sent exactly once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db import get_engine
from app.models.mail import MailStatus, OutboxMessage
from app.services.errors import ValidationFailed
from app.services.mail import delivery, send_message, unsubscribe
from app.services.mail.outbox import queue_message
from app.settings import Settings
from tests.smtp_server import free_port, mail_settings, self_signed_certificate, smtp_server

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _queue(**extra: object) -> int:
    with Session(get_engine(), expire_on_commit=False) as s:
        message = queue_message(
            session=s,
            to="maria@example.org",
            subject="Your PlanTrack reminder",
            text="2 items are due. Open http://plantrack.test/my-work",
            html="<p>2 items are <b>due</b>.</p>",
            now=NOW,
            **extra,  # type: ignore[arg-type]
        )
        s.commit()
        assert message.id is not None
        return message.id


def _row(message_id: int) -> OutboxMessage:
    with Session(get_engine()) as s:
        row = s.get(OutboxMessage, message_id)
        assert row is not None
        s.expunge(row)
        return row


def _smtp(port: int, **more: str):  # noqa: ANN202
    return mail_settings(smtp_host="127.0.0.1", smtp_port=str(port), smtp_starttls="false", **more)


def test_a_message_arrives_with_both_parts_its_headers_and_the_unsubscribe_link(
    database_url: str,
) -> None:
    with smtp_server() as server, _smtp(server.port, base_url="https://plans.example.org"):
        message_id = _queue(headers=unsubscribe.headers(7, "reminders"), purpose="reminders")
        assert _row(message_id).status == MailStatus.queued  # recorded before anything is sent
        report = delivery.deliver_due(get_engine(), now=NOW)
    assert (report.sent, report.failed) == (1, 0)
    [arrived] = server.arrived
    email = arrived.message
    assert arrived.rcpt_tos == ["maria@example.org"]
    assert email["To"] == "maria@example.org"
    assert email["From"] == "PlanTrack <plantrack@localhost>"
    assert email["Subject"] == "Your PlanTrack reminder"
    assert email.get_content_type() == "multipart/alternative"
    text_part, html_part = email.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert "2 items are due" in text_part.get_content()
    assert html_part.get_content_type() == "text/html"
    assert "<b>due</b>" in html_part.get_content()
    link = email["List-Unsubscribe"]
    assert link.startswith("<https://plans.example.org/unsubscribe/") and link.endswith(">")
    assert unsubscribe.read_token(link[1:-1].rsplit("/", 1)[1]) == (7, "reminders")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = _row(message_id)
    assert email["Message-ID"] == row.message_id
    assert (row.status, row.attempts, row.last_error, row.claim_token) == ("sent", 1, "", "")
    assert row.sent_at is not None and row.next_attempt_at is None


def test_login_is_used_when_a_user_is_set(database_url: str) -> None:
    with smtp_server(users={"mailer": "s3cret-pass"}) as server:
        with _smtp(server.port, smtp_user="mailer", smtp_password="s3cret-pass"):
            message_id = _queue()
            delivery.deliver_due(get_engine(), now=NOW)
        assert [(a.login, a.tls) for a in server.arrived] == [("mailer", False)]
        assert _row(message_id).status == MailStatus.sent


def test_a_wrong_password_fails_the_message_without_saying_the_password(database_url: str) -> None:
    with smtp_server(users={"mailer": "s3cret-pass"}) as server:
        with _smtp(server.port, smtp_user="mailer", smtp_password="not-the-pass"):
            message_id = _queue()
            report = delivery.deliver_due(get_engine(), now=NOW)
        assert server.arrived == []
    row = _row(message_id)
    assert report.failed == 1 and row.status == MailStatus.failed
    assert "535" in row.last_error and "not-the-pass" not in row.last_error


def test_starttls_on_sends_nothing_to_a_server_without_it(database_url: str) -> None:
    with smtp_server() as server:
        with mail_settings(smtp_host="127.0.0.1", smtp_port=str(server.port)):  # STARTTLS: on
            message_id = _queue()
            delivery.deliver_due(get_engine(), now=NOW)
        assert server.arrived == []
    row = _row(message_id)
    assert row.status == MailStatus.failed and "STARTTLS" in row.last_error


def test_starttls_then_login_delivers_over_tls(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's certificate
    with smtp_server(users={"mailer": "s3cret-pass"}, tls=(cert, key)) as server:
        settings = {"smtp_port": str(server.port), "smtp_password": "s3cret-pass"}
        with mail_settings(smtp_host="127.0.0.1", smtp_user="mailer", **settings):
            message_id = _queue()
            delivery.deliver_due(get_engine(), now=NOW)
        # Without STARTTLS this server refuses to take anything.
        with _smtp(server.port):
            refused_id = _queue()
            delivery.deliver_due(get_engine(), now=NOW)
    assert _row(message_id).status == MailStatus.sent, _row(message_id).last_error
    assert [(a.login, a.tls) for a in server.arrived] == [("mailer", True)]
    assert _row(refused_id).status == MailStatus.failed


def test_an_unreachable_server_leaves_it_failed_and_a_later_run_sends_it_once(
    database_url: str,
) -> None:
    with _smtp(free_port()):
        message_id = _queue()
        report = delivery.deliver_due(get_engine(), now=NOW)
        row = _row(message_id)
        assert report.failed == 1 and report.errors
        assert row.status == MailStatus.failed and row.attempts == 1
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.next_attempt_at == NOW + dt.timedelta(minutes=1)
        # Not due yet: a run now leaves it alone.
        assert delivery.deliver_due(get_engine(), now=NOW + dt.timedelta(seconds=30)).failed == 0
    later = NOW + dt.timedelta(minutes=1)
    with smtp_server() as server, _smtp(server.port):
        assert delivery.deliver_due(get_engine(), now=later).sent == 1
        assert delivery.deliver_due(get_engine(), now=later + dt.timedelta(hours=1)).sent == 0
    assert len(server.arrived) == 1
    row = _row(message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_5xx_answer_leaves_it_failed_with_the_answer_and_a_retry_sends_it_once(
    database_url: str,
) -> None:
    with smtp_server() as server, _smtp(server.port):
        server.collector.refuse = "554 5.7.1 Not today"
        message_id = _queue()
        delivery.deliver_due(get_engine(), now=NOW)
        row = _row(message_id)
        assert row.status == MailStatus.failed
        assert "554" in row.last_error and "Not today" in row.last_error
        server.collector.refuse = ""
        due = row.next_attempt_at
        assert due is not None
        assert delivery.deliver_due(get_engine(), now=due).sent == 1
        assert delivery.deliver_due(get_engine(), now=due + dt.timedelta(days=1)).sent == 0
    assert len(server.arrived) == 1


def test_the_wait_grows_and_automatic_attempts_end() -> None:
    assert delivery.next_wait(1) == dt.timedelta(minutes=1)
    assert delivery.next_wait(2) == dt.timedelta(minutes=2)
    assert delivery.next_wait(5) == dt.timedelta(minutes=16)
    assert delivery.next_wait(20) == dt.timedelta(hours=6)


def test_after_the_last_attempt_no_run_takes_it_again(database_url: str) -> None:
    with _smtp(free_port()):
        message_id = _queue()
        with Session(get_engine()) as s:
            row = s.get(OutboxMessage, message_id)
            assert row is not None
            row.attempts = delivery.MAX_ATTEMPTS - 1
            s.add(row)
            s.commit()
        delivery.deliver_due(get_engine(), now=NOW)
        row = _row(message_id)
        assert row.status == MailStatus.failed and row.next_attempt_at is None
        assert delivery.due_ids(get_engine(), now=NOW + dt.timedelta(days=30)) == []


def test_a_claim_left_by_a_dead_process_is_taken_again_after_the_lease(database_url: str) -> None:
    with smtp_server() as server, _smtp(server.port):
        message_id = _queue()
        assert delivery.claim(get_engine(), message_id, now=NOW)  # then the process "dies"
        assert delivery.deliver_due(get_engine(), now=NOW + dt.timedelta(minutes=5)).sent == 0
        later = NOW + delivery.CLAIM_LEASE + dt.timedelta(seconds=1)
        assert delivery.deliver_due(get_engine(), now=later).sent == 1
    assert len(server.arrived) == 1


def test_with_no_smtp_host_messages_stay_in_the_outbox(database_url: str) -> None:
    with smtp_server() as server:  # listening, but not configured: nothing may reach it
        outcome = send_message(
            get_engine(), to="lead@example.org", subject="Hello", text="Hi", purpose="test"
        )
        assert outcome.status == MailStatus.stored
        assert delivery.deliver_due(get_engine(), now=NOW + dt.timedelta(days=1)).sent == 0
    assert server.arrived == []
    row = _row(outcome.message_id)
    assert (row.status, row.next_attempt_at, row.text_body) == ("stored", None, "Hi")


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("to", {"to": "a@example.org, b@example.org"}),
        ("to", {"to": "maria@example.org\r\nBcc: all@example.org"}),
        ("to", {"to": "not an address"}),
        ("subject", {"subject": "Hello\r\nBcc: all@example.org"}),
        ("subject", {"subject": "  "}),
        ("headers", {"headers": {"Bcc": "all@example.org"}}),
        ("headers", {"headers": {"X-Note": "one\nBcc: all@example.org"}}),
    ],
)
def test_header_injection_and_bad_addresses_are_refused_naming_the_field(
    database_url: str, field: str, values: dict[str, object]
) -> None:
    args: dict[str, object] = {"to": "maria@example.org", "subject": "Hi", "text": "x"}
    with Session(get_engine()) as s:
        with pytest.raises(ValidationFailed) as refused:
            queue_message(session=s, **{**args, **values})  # type: ignore[arg-type]
        assert [p.field for p in refused.value.problems] == [field]
        s.rollback()
        assert s.exec(select(OutboxMessage)).all() == []


def test_the_smtp_password_is_never_shown() -> None:
    settings = Settings(smtp_password="hunter2-secret")  # type: ignore[arg-type]
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in settings.model_dump_json()
    assert settings.smtp_password.get_secret_value() == "hunter2-secret"


def test_further_headers_are_kept_as_given(database_url: str) -> None:
    message_id = _queue(headers={"X-PlanTrack-Digest": "2026-W49"})
    assert json.loads(_row(message_id).headers_json) == {"X-PlanTrack-Digest": "2026-W49"}
