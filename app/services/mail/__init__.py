"""Mail (issue 13): every message goes through the outbox table, then to the SMTP server.

- `outbox.queue_message`: record a message (to, subject, text, HTML, further headers) in the
  caller's transaction; nothing is sent yet, nothing is lost.
- `delivery.deliver_message` / `deliver_due`: claim a row (one process per message), send it
  through `transport` (smtplib), record sent or failed with a retry time; `send_message` below
  records and sends at once, for a command.
- `unsubscribe`: signed one-click links (RFC 8058) and the opt-out they record.
- `admin`: the outbox as administrators read it, and "retry now".

No SMTP_HOST set: demo mode for mail, every message is `stored` in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine
from sqlmodel import Session

from app.models.mail import MailStatus
from app.services.mail.delivery import Outcome, deliver_message
from app.services.mail.outbox import queue_message


def send_message(
    engine: Engine,
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: Mapping[str, str] | None = None,
    purpose: str = "",
    organization_id: int | None = None,
) -> Outcome:
    """Record one message (committed in a transaction of its own) and deliver it now. If the
    server refuses or cannot be reached it stays in the outbox, failed, for a later run."""
    with Session(engine, expire_on_commit=False) as session:
        message = queue_message(
            session=session,
            to=to,
            subject=subject,
            text=text,
            html=html,
            headers=headers,
            purpose=purpose,
            organization_id=organization_id,
        )
        session.commit()
        message_id, status = message.id, message.status
    assert message_id is not None
    if status == MailStatus.stored:  # no SMTP server: it stays in the outbox
        return Outcome(message_id, MailStatus.stored)
    return deliver_message(engine, message_id)


__all__ = ["queue_message", "send_message", "deliver_message"]
