"""Recording a message in the outbox: the first step of every mail, in the caller's transaction.

A digest recorded as sent and its message commit together or not at all; the delivery
(app.services.mail.delivery) then takes the row from the table. `queue_message` never talks to
the SMTP server, so a request or a `plantrack remind` run never waits for it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlmodel import Session

from app.models.mail import PURPOSE_MAX, MailStatus, OutboxMessage
from app.services.errors import ValidationFailed
from app.services.mail.compose import check_message, new_message_id
from app.services.rules import clock
from app.settings import get_settings

# Purposes whose body carries a secret (a one-time password-reset link): administrators never
# read it in the outbox (an administrator using another's link would act under that one's name),
# and once the message is sent or stored the body itself is replaced by `SECRET_REMOVED`.
PASSWORD_RESET = "password_reset"
SECRET_PURPOSES = frozenset({PASSWORD_RESET})
SECRET_WITHHELD = (
    "Not shown: this message carries a one-time password-reset link, for its recipient only."
)
SECRET_REMOVED = (
    "Removed once the message left the outbox: it carried a one-time password-reset link."
)


def queue_message(
    *,
    session: Session,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: Mapping[str, str] | None = None,
    purpose: str = "",
    organization_id: int | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Record one message to `to` (a plain address), due at once; not yet sent.

    `headers`: further headers, such as `unsubscribe.headers(...)` (List-Unsubscribe and
    List-Unsubscribe-Post). `organization_id`: whose administrators may read it in the outbox
    (None: installation administrators only; give it for anything a person of an organisation
    receives). With no SMTP server set the message is `stored` at once: it stays in the outbox.
    """
    settings = get_settings()
    sender = settings.mail_from
    extra = check_message(to=to, sender=sender, subject=subject, headers=headers)
    if len(purpose) > PURPOSE_MAX:
        raise ValidationFailed.one("purpose", f"At most {PURPOSE_MAX} characters.")
    moment = clock.now_or_clock(now)
    demo = not settings.smtp_host.strip()
    message = OutboxMessage(
        created_at=moment,
        organization_id=organization_id,
        purpose=purpose,
        to_address=to.strip(),
        from_address=sender,
        subject=subject.strip(),
        text_body=text,
        html_body=html,
        headers_json=json.dumps(extra),
        message_id=new_message_id(sender),
        status=MailStatus.stored if demo else MailStatus.queued,
        next_attempt_at=None if demo else moment,
    )
    session.add(message)
    session.flush()
    return message
